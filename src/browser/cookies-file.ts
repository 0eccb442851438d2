// Reads a cookie export: Netscape cookies.txt (curl, wget, "Get cookies.txt" extensions) or
// a JSON export (EditThisCookie / Cookie-Editor arrays, Playwright storage state). Pure
// parsing: a malformed file is a CookiesFileError naming the line, before anything is written.
// Values are secrets: no message here ever quotes a cookie's value or a whole line.
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { findNodeAtLocation, getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { UsageError } from '../errors.js';

export type SameSite = 'Strict' | 'Lax' | 'None';

export interface FileCookie {
  name: string;
  value: string;
  /** Lower-case host or domain, without a leading dot. */
  domain: string;
  /** Sent only to `domain` itself, not to its subdomains. */
  hostOnly: boolean;
  path: string;
  secure: boolean;
  httpOnly: boolean;
  /** Unix seconds; null for a session cookie. */
  expires: number | null;
  /** null when the export says nothing (the browser's default applies). */
  sameSite: SameSite | null;
  /** 1-based line of the file it came from. */
  line: number;
}

export interface CookiesFile {
  format: 'netscape' | 'json';
  cookies: FileCookie[];
}

/** The cookie file cannot be used; nothing was imported. */
export class CookiesFileError extends UsageError {
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly problem: string,
  ) {
    super(`${line === null ? file : `${file}, line ${line}`}: ${problem}. Nothing was imported: export the cookies again as a Netscape cookies.txt or a JSON cookie export, and retry.`);
  }
}

/** Far more than any browser's cookie jar; a bigger file is not a cookie export. */
export const MAX_COOKIES_FILE_BYTES = 16 * 1024 * 1024;

export function readCookiesFile(file: string): CookiesFile {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw new CookiesFileError(file, null, 'is not a file');
    size = stat.size;
  } catch (error) {
    if (error instanceof CookiesFileError) throw error;
    throw new CookiesFileError(file, null, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (size > MAX_COOKIES_FILE_BYTES) throw new CookiesFileError(file, null, `is ${size} bytes, more than a cookie export can be (${MAX_COOKIES_FILE_BYTES})`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CookiesFileError(file, null, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseCookiesText(text, file);
}

/** Decides the format by the first non-blank character: `[` or `{` is JSON, anything else Netscape. */
export function parseCookiesText(text: string, source = 'cookies file'): CookiesFile {
  const body = text.replace(/^\uFEFF/, '');
  const first = /\S/.exec(body);
  if (!first) throw new CookiesFileError(source, null, 'is empty');
  const cookies = first[0] === '[' || first[0] === '{' ? parseJson(body, source) : parseNetscape(body, source);
  if (cookies.length === 0) throw new CookiesFileError(source, null, 'holds no cookies');
  return { format: first[0] === '[' || first[0] === '{' ? 'json' : 'netscape', cookies };
}

// ---------------------------------------------------------------- Netscape cookies.txt

const NETSCAPE_FIELDS = 'domain, include-subdomains, path, secure, expiry, name, value';
const HTTPONLY_PREFIX = '#HttpOnly_';

function parseNetscape(text: string, source: string): FileCookie[] {
  const cookies: FileCookie[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i].replace(/\r$/, '');
    let httpOnly = false;
    if (line.startsWith(HTTPONLY_PREFIX)) {
      httpOnly = true;
      line = line.slice(HTTPONLY_PREFIX.length);
    } else if (/^\s*#/.test(line) || /^\s*$/.test(line)) {
      continue;
    }
    const fail = (problem: string): never => {
      throw new CookiesFileError(source, lineNo, problem);
    };
    const fields = line.split('\t');
    // curl writes 6 fields when the value is empty.
    if (fields.length === 6) fields.push('');
    if (fields.length !== 7) {
      const spaces = fields.length < 6 && / {2,}|\S \S/.test(line) ? ' (the fields must be separated by tabs; copying through a terminal or an editor may have turned them into spaces)' : '';
      fail(`expected 7 tab-separated fields (${NETSCAPE_FIELDS}), found ${fields.length}${spaces}`);
    }
    const [domainField, subdomainsField, pathField, secureField, expiryField, name, value] = fields;
    const includeSubdomains = flag(subdomainsField, 'include-subdomains (2nd field)', fail);
    const secure = flag(secureField, 'secure (4th field)', fail);
    const domain = checkDomain(domainField, fail);
    const path = checkPath(pathField, fail);
    if (!/^\d+(\.\d+)?$/.test(expiryField.trim())) fail('the expiry (5th field) is not a number of seconds since 1970');
    const expirySeconds = Math.floor(Number(expiryField.trim()));
    checkNameValue(name, value, fail);
    cookies.push({
      name,
      value,
      domain,
      hostOnly: !includeSubdomains || isIpOrLocal(domain),
      path,
      secure,
      httpOnly,
      expires: expirySeconds === 0 ? null : expirySeconds,
      sameSite: null,
      line: lineNo,
    });
  }
  return cookies;
}

function flag(text: string, what: string, fail: (problem: string) => never): boolean {
  const t = text.trim().toUpperCase();
  if (t === 'TRUE') return true;
  if (t === 'FALSE') return false;
  return fail(`${what} must be TRUE or FALSE`);
}

// ---------------------------------------------------------------- JSON exports

function parseJson(text: string, source: string): FileCookie[] {
  const lineAt = lineIndex(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0 || !root) {
    const e = errors[0];
    throw new CookiesFileError(source, e ? lineAt(e.offset) : 1, `is not valid JSON (${e ? describeJsonError(printParseErrorCode(e.error)) : 'no value'})`);
  }
  let list: Node | undefined = root;
  if (root.type === 'object') list = findNodeAtLocation(root, ['cookies']);
  if (!list || list.type !== 'array') {
    throw new CookiesFileError(source, lineAt(root.offset), 'a JSON cookie export must be an array of cookies, or an object with a "cookies" array');
  }
  const cookies: FileCookie[] = [];
  for (const entry of list.children ?? []) {
    const entryLine = lineAt(entry.offset);
    if (entry.type !== 'object') throw new CookiesFileError(source, entryLine, `expected a cookie object, found ${entry.type === 'null' ? 'null' : `a ${entry.type}`}`);
    const prop = (key: string): { value: unknown; line: number } | null => {
      const node = findNodeAtLocation(entry, [key]);
      return node ? { value: getNodeValue(node) as unknown, line: lineAt(node.offset) } : null;
    };
    const failAt = (line: number) => (problem: string): never => {
      throw new CookiesFileError(source, line, problem);
    };
    const str = (key: string, required: boolean): string | null => {
      const p = prop(key);
      if (!p || p.value === null || p.value === undefined) {
        if (required) failAt(entryLine)(`the cookie has no "${key}"`);
        return null;
      }
      if (typeof p.value !== 'string') failAt(p.line)(`"${key}" must be a string`);
      return p.value as string;
    };
    const bool = (key: string): boolean | null => {
      const p = prop(key);
      if (!p || p.value === null) return null;
      if (typeof p.value !== 'boolean') failAt(p.line)(`"${key}" must be true or false`);
      return p.value as boolean;
    };
    const name = str('name', true)!;
    const value = str('value', true)!;
    const domainText = str('domain', true)!;
    const domainLine = prop('domain')!.line;
    const domain = checkDomain(domainText, failAt(domainLine));
    const pathText = str('path', false);
    const path = pathText === null ? '/' : checkPath(pathText, failAt(prop('path')!.line));
    checkNameValue(name, value, failAt(entryLine));
    const hostOnlyFlag = bool('hostOnly');
    const session = bool('session');
    let expires: number | null = null;
    for (const key of ['expirationDate', 'expires']) {
      const p = prop(key);
      if (!p || p.value === null) continue;
      if (typeof p.value !== 'number' || !Number.isFinite(p.value)) failAt(p.line)(`"${key}" must be a number of seconds since 1970`);
      const seconds = Math.floor(p.value as number);
      // Playwright writes -1 (and some exporters 0) for a session cookie.
      expires = seconds > 0 ? seconds : null;
      break;
    }
    if (session === true) expires = null;
    const sameSiteProp = prop('sameSite');
    cookies.push({
      name,
      value,
      domain,
      hostOnly: (hostOnlyFlag ?? !domainText.trim().startsWith('.')) || isIpOrLocal(domain),
      path,
      secure: bool('secure') ?? false,
      httpOnly: bool('httpOnly') ?? false,
      expires,
      sameSite: sameSiteProp ? sameSiteOf(sameSiteProp.value, failAt(sameSiteProp.line)) : null,
      line: entryLine,
    });
  }
  return cookies;
}

function sameSiteOf(value: unknown, fail: (problem: string) => never): SameSite | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'string') return fail('"sameSite" must be a string');
  switch (value.trim().toLowerCase()) {
    case 'strict':
      return 'Strict';
    case 'lax':
      return 'Lax';
    case 'none':
    case 'no_restriction':
      return 'None';
    case '':
    case 'unspecified':
      return null;
    default:
      return fail('"sameSite" must be one of strict, lax, none, no_restriction, unspecified');
  }
}

function describeJsonError(code: string): string {
  const words: Record<string, string> = {
    PropertyNameExpected: 'a property name in double quotes was expected',
    ValueExpected: 'a value was expected',
    ColonExpected: 'a colon was expected',
    CommaExpected: 'a comma was expected',
    CloseBraceExpected: 'a closing } was expected',
    CloseBracketExpected: 'a closing ] was expected',
    EndOfFileExpected: 'unexpected text after the end',
    InvalidCommentToken: 'comments are not allowed',
    UnexpectedEndOfString: 'a string is not closed',
    UnexpectedEndOfNumber: 'a number is cut off',
    InvalidSymbol: 'an unexpected character',
    InvalidNumberFormat: 'a malformed number',
    InvalidUnicode: 'a malformed \\u escape',
    InvalidEscapeCharacter: 'a malformed escape',
    InvalidCharacter: 'a control character inside a string',
  };
  return words[code] ?? code;
}

/** offset → 1-based line number. */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

// ---------------------------------------------------------------- shared checks

function checkDomain(text: string, fail: (problem: string) => never): string {
  const domain = text.trim().toLowerCase().replace(/^\./, '');
  if (domain === '') return fail('the domain is empty');
  // Host names, IPv4, and bracketed IPv6; no scheme, port, path or spaces.
  if (!/^(\[[0-9a-f:.]+\]|[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?)$/.test(domain) || domain.includes('..')) {
    return fail('the domain is not a host name (no scheme, port or path)');
  }
  return domain;
}

function checkPath(text: string, fail: (problem: string) => never): string {
  const path = text.trim();
  if (!path.startsWith('/')) return fail('the path must start with /');
  if (/[\x00-\x20;\x7f]/.test(path)) return fail('the path holds spaces, control characters or ";"');
  return path;
}

function checkNameValue(name: string, value: string, fail: (problem: string) => never): void {
  if (name === '' && value === '') fail('the cookie has neither a name nor a value');
  if (/[\x00-\x1f\x7f;=]/.test(name) || /^\s|\s$/.test(name)) fail('the cookie name holds control characters, spaces at either end, ";" or "="');
  if (/[\x00-\x1f\x7f;]/.test(value)) fail('the cookie value holds control characters or ";"');
}

function isIpOrLocal(domain: string): boolean {
  return isIP(domain.replace(/^\[|\]$/g, '')) !== 0 || domain === 'localhost';
}

// ---------------------------------------------------------------- into the browser

/** What Playwright's BrowserContext.addCookies takes (domain with a dot = domain cookie, without = host-only). */
export interface BrowserCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  expires: number;
  httpOnly: boolean;
  secure: boolean;
  sameSite?: SameSite;
}

/**
 * Chromium keeps session cookies only until the browser closes, so an imported session
 * cookie is stored with the longest lifetime Chromium allows (400 days); Google renews its
 * cookies itself while the session lives.
 */
export const SESSION_COOKIE_LIFETIME_S = 400 * 86_400;

export function toBrowserCookie(cookie: FileCookie, nowSeconds = Math.floor(Date.now() / 1000)): BrowserCookie {
  const browser: BrowserCookie = {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.hostOnly ? cookie.domain : `.${cookie.domain}`,
    path: cookie.path,
    expires: cookie.expires ?? nowSeconds + SESSION_COOKIE_LIFETIME_S,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
  };
  // Chromium rejects SameSite=None without Secure; the browser default (Lax) is the closest it keeps.
  if (cookie.sameSite && !(cookie.sameSite === 'None' && !cookie.secure)) browser.sameSite = cookie.sameSite;
  return browser;
}

export function isExpired(cookie: FileCookie, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  return cookie.expires !== null && cookie.expires <= nowSeconds;
}
