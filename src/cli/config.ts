// Resolves each option: command line > environment > config file > default.
// The config file's schema is derived from the options table: every flag is also a config key
// (its camelCase key), so an unknown key or a bad value is a usage error naming the key, with
// the file's line:column and the key it most likely meant. The file is JSON with comments.
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Node, type ParseError, getNodeValue, parseTree, printParseErrorCode } from 'jsonc-parser';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { type CommandName, type OptionDef, longName, optionTable, optionsFor } from './options.js';

export type ResolvedOptions = Record<string, string | number | boolean | undefined>;

/** Environment variable naming a config file, for units that cannot pass --config. */
export const CONFIG_ENV = 'GPHOTOS_KEEP_CONFIG';

function valueSchema(def: OptionDef): z.ZodType {
  switch (def.type) {
    case 'int': {
      let schema = z.number().int();
      if (def.min !== undefined) schema = schema.min(def.min);
      if (def.max !== undefined) schema = schema.max(def.max);
      return schema;
    }
    case 'bool':
      return z.boolean();
    case 'url':
      return z.string().refine(isHttpUrl, { message: 'must be an http(s) URL' });
    case 'path':
    case 'string':
      return def.choices ? z.enum(def.choices as [string, ...string[]]) : z.string().min(1);
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function configKeys(): string[] {
  return optionTable.map((d) => d.key);
}

function configSchema(): z.ZodType {
  // Built on use: the table may gain options after this module loads (tests, plugins).
  return z.object(Object.fromEntries(optionTable.map((d) => [d.key, valueSchema(d).optional()]))).strict();
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec says to ignore a relative XDG_CONFIG_HOME.
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir(), '.config');
  return path.join(base, 'gphotos-keep', 'config.json');
}

/** The key a misspelt config key most likely meant: kebab-case, flag form, letter case, or a typo or two. */
export function suggestKey(unknown: string): string | null {
  const squash = (s: string) => s.replace(/^-+/, '').replace(/[-_]/g, '').toLowerCase();
  const wanted = squash(unknown);
  const same = optionTable.find((d) => squash(d.key) === wanted || squash(longName(d)) === wanted);
  if (same) return same.key;
  // The closest key, if it is close enough to be a typo of it rather than another word.
  let best: { key: string; distance: number } | null = null;
  for (const def of optionTable) {
    const distance = editDistance(wanted, squash(def.key));
    if (!best || distance < best.distance) best = { key: def.key, distance };
  }
  return best && best.distance <= Math.min(2, Math.floor(wanted.length / 3)) ? best.key : null;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}

/** 1-based line and column of a character offset, as editors count them. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}`;
}

const SYNTAX: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a key in double quotes was expected (a trailing comma?)',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a colon was expected after the key',
  CommaExpected: 'a comma was expected',
  CloseBraceExpected: 'a closing } was expected',
  CloseBracketExpected: 'a closing ] was expected',
  EndOfFileExpected: 'the file should end after the object',
  InvalidCommentToken: 'a malformed comment',
  UnexpectedEndOfComment: 'a /* comment is not closed',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'a malformed \\u escape',
  InvalidEscapeCharacter: 'a malformed escape',
  InvalidCharacter: 'a control character inside a string',
};

/** JSON with // and block comments (no trailing commas): the tree, or a usage error at the first mistake. */
function parseConfigText(text: string, target: string): Node | undefined {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: false, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const first = errors[0];
    const code = printParseErrorCode(first.error);
    throw new UsageError(`Config file ${target}:${lineColumn(text, first.offset)} is not valid JSON: ${SYNTAX[code] ?? code}.`);
  }
  return tree;
}

/** Where a key's property (or its value) starts in the file: `file:line:column`. */
function keyAt(tree: Node | undefined, text: string, target: string, key: string, part: 'key' | 'value'): string {
  const property = tree?.type === 'object' ? tree.children?.filter((p) => p.children?.[0]?.value === key).pop() : undefined;
  const node = property?.children?.[part === 'key' ? 0 : 1];
  return node ? `${target}:${lineColumn(text, node.offset)}` : target;
}

/** `~/x` → the home folder; a relative path from a config file is relative to that file's folder. */
export function expandPath(value: string, relativeTo: string | null, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
  if (value === '~') return home;
  if (value.startsWith('~/')) return path.join(home, value.slice(2));
  if (relativeTo && !path.isAbsolute(value)) return path.resolve(relativeTo, value);
  return value;
}

/**
 * Reads and validates the config file: `file` (from --config), else $GPHOTOS_KEEP_CONFIG, else
 * $XDG_CONFIG_HOME/gphotos-keep/config.json. Only the default file may be missing.
 */
export function loadConfigFile(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  const named = file ?? (env[CONFIG_ENV] ? env[CONFIG_ENV] : undefined);
  const target = path.resolve(named ?? defaultConfigPath(env));
  const source = file !== undefined ? '--config' : named !== undefined ? CONFIG_ENV : 'the default config file';
  if (!existsSync(target)) {
    if (named !== undefined) throw new UsageError(`Config file ${target} (from ${source}) does not exist.`);
    return {};
  }
  let text: string;
  try {
    text = readFileSync(target, 'utf8');
  } catch (cause) {
    throw new UsageError(`Config file ${target} cannot be read (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}).`);
  }
  const tree = parseConfigText(text, target);
  const raw: unknown = tree ? getNodeValue(tree) : undefined;
  const parsed = configSchema().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0];
      const hint = suggestKey(key);
      throw new UsageError(`Config file ${keyAt(tree, text, target, key, 'key')}: unknown key "${key}".${hint ? ` Did you mean "${hint}"?` : ` Known keys: ${configKeys().join(', ')}.`}`);
    }
    const key = issue.path.join('.');
    if (key === '') throw new UsageError(`Config file ${target} must hold one JSON object of settings, like {"out": "/srv/photos"}.`);
    const def = optionTable.find((d) => d.key === key);
    const expected = def ? describeType(def) : issue.message;
    throw new UsageError(`Config file ${keyAt(tree, text, target, key, 'value')}: bad value for "${key}": ${expected}.`);
  }
  const data = parsed.data as Record<string, unknown>;
  const dir = path.dirname(target);
  for (const def of optionTable) {
    if (def.type === 'path' && typeof data[def.key] === 'string') data[def.key] = expandPath(data[def.key] as string, dir, env);
  }
  return data;
}

function describeType(def: OptionDef): string {
  switch (def.type) {
    case 'int': {
      const range = def.min !== undefined && def.max !== undefined ? ` from ${def.min} to ${def.max}` : def.min !== undefined ? ` of at least ${def.min}` : def.max !== undefined ? ` of at most ${def.max}` : '';
      return `expected a whole number${range} (a JSON number, not a string)`;
    }
    case 'bool':
      return 'expected true or false';
    case 'url':
      return 'expected an http(s) URL';
    case 'path':
      return 'expected a non-empty path';
    case 'string':
      return def.choices ? `expected one of ${def.choices.join(', ')}` : 'expected a non-empty string';
  }
}

/** Parses one textual value (from the command line or the environment) by the option's type. */
export function parseValue(def: OptionDef, text: string, source: string): string | number | boolean {
  // A secret (the healthcheck URL) is never echoed back, not even when it is malformed.
  const shown = def.secret ? 'the value' : `"${text}"`;
  switch (def.type) {
    case 'int': {
      const n = Number(text);
      if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${source}: ${shown} is not a whole number.`);
      if (def.min !== undefined && n < def.min) throw new UsageError(`${source}: ${n} is below the minimum ${def.min}.`);
      if (def.max !== undefined && n > def.max) throw new UsageError(`${source}: ${n} is above the maximum ${def.max}.`);
      return n;
    }
    case 'bool':
      if (/^(1|true|yes|on)$/i.test(text)) return true;
      if (/^(0|false|no|off)$/i.test(text)) return false;
      throw new UsageError(`${source}: ${shown} is not a yes/no value (use true or false).`);
    case 'url':
      if (!isHttpUrl(text)) throw new UsageError(`${source}: ${shown} is not an http(s) URL.`);
      return text.replace(/\/+$/, '');
    case 'path':
    case 'string':
      if (text === '') throw new UsageError(`${source}: the value is empty.`);
      if (def.choices && !def.choices.includes(text)) throw new UsageError(`${source}: ${shown} is not one of ${def.choices.join(', ')}.`);
      return text;
  }
}

/**
 * `cliGiven` holds only the values the user typed (commander's source 'cli'); everything
 * else falls through to env, file and default, in that order.
 */
export function resolveOptions(command: CommandName, cliGiven: Record<string, unknown>, env: NodeJS.ProcessEnv, fileConfig: Record<string, unknown>): ResolvedOptions {
  const resolved: ResolvedOptions = {};
  for (const def of optionsFor(command)) {
    const given = cliGiven[def.key];
    if (given !== undefined) {
      resolved[def.key] = typeof given === 'string' && def.type !== 'bool' ? parseValue(def, given, `--${longName(def)}`) : (given as boolean);
    } else if (def.env && env[def.env] !== undefined && env[def.env] !== '') {
      const value = parseValue(def, env[def.env]!, `environment variable ${def.env}`);
      resolved[def.key] = def.type === 'path' && typeof value === 'string' ? expandPath(value, null, env) : value;
    } else if (fileConfig[def.key] !== undefined) {
      resolved[def.key] = fileConfig[def.key] as string | number | boolean;
      if (def.type === 'url') resolved[def.key] = String(resolved[def.key]).replace(/\/+$/, '');
    } else {
      resolved[def.key] = def.default;
    }
  }
  return resolved;
}

/** The resolved options as they may be shown in a report: secrets replaced, unset ones left out. */
export function publicOptions(options: ResolvedOptions): Record<string, string | number | boolean> {
  const shown: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    shown[key] = optionTable.find((d) => d.key === key)?.secret ? '[set]' : value;
  }
  return shown;
}
