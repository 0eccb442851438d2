// Cookie exports as people produce them: curl/wget/extension cookies.txt, EditThisCookie and
// Cookie-Editor JSON arrays, Playwright storage state. Malformed files name the line and
// never quote a cookie's value.
import { test, expect } from '@playwright/test';
import { CookiesFileError, parseCookiesText, toBrowserCookie } from '../../src/browser/cookies-file.js';
import { selectSessionCookies } from '../../src/run/login.js';
import { isSessionCookieDomain, sessionCookieDomains } from '../../src/site/account.js';

const SECRET = 'g.a000SECRETvalue-do-not-print';
const NOW = 1_800_000_000;
const LATER = NOW + 86_400 * 30;

function parseError(text: string): CookiesFileError {
  try {
    parseCookiesText(text, 'cookies.txt');
  } catch (error) {
    expect(error).toBeInstanceOf(CookiesFileError);
    const e = error as CookiesFileError;
    // Whatever went wrong, the message never carries a cookie value.
    expect(e.message).not.toContain(SECRET);
    expect(e.exitCode).toBe(2);
    return e;
  }
  throw new Error('expected a CookiesFileError');
}

test.describe('Netscape cookies.txt', () => {
  test('reads domain and host cookies, #HttpOnly_ lines, session cookies, comments and CRLF', () => {
    const text = [
      '# Netscape HTTP Cookie File',
      '# https://curl.se/docs/http-cookies.html',
      '',
      `#HttpOnly_.google.com\tTRUE\t/\tTRUE\t${LATER}\t__Secure-1PSID\t${SECRET}`,
      `photos.google.com\tFALSE\t/\tTRUE\t0\tOSID\tosid-value`,
      `.example.org\tTRUE\t/path\tFALSE\t${LATER}.5\ttracker\tabc`,
      // curl writes six fields when the value is empty.
      `accounts.google.com\tFALSE\t/\tTRUE\t${LATER}\tEMPTY`,
    ].join('\r\n');
    const parsed = parseCookiesText(text);
    expect(parsed.format).toBe('netscape');
    expect(parsed.cookies).toEqual([
      { name: '__Secure-1PSID', value: SECRET, domain: 'google.com', hostOnly: false, path: '/', secure: true, httpOnly: true, expires: LATER, sameSite: null, line: 4 },
      { name: 'OSID', value: 'osid-value', domain: 'photos.google.com', hostOnly: true, path: '/', secure: true, httpOnly: false, expires: null, sameSite: null, line: 5 },
      { name: 'tracker', value: 'abc', domain: 'example.org', hostOnly: false, path: '/path', secure: false, httpOnly: false, expires: LATER, sameSite: null, line: 6 },
      { name: 'EMPTY', value: '', domain: 'accounts.google.com', hostOnly: true, path: '/', secure: true, httpOnly: false, expires: LATER, sameSite: null, line: 7 },
    ]);
  });

  test('an IP address or localhost can only hold host cookies', () => {
    const parsed = parseCookiesText(`127.0.0.1\tTRUE\t/\tFALSE\t${LATER}\tSID\tv\nlocalhost\tTRUE\t/\tFALSE\t${LATER}\tSID\tw\n`);
    expect(parsed.cookies.map((c) => c.hostOnly)).toEqual([true, true]);
  });

  test('a line with spaces instead of tabs names its line and says why', () => {
    const e = parseError(`# Netscape HTTP Cookie File\n.google.com\tTRUE\t/\tTRUE\t${LATER}\tSID\tok\n.google.com TRUE / TRUE ${LATER} HSID ${SECRET}\n`);
    expect(e.line).toBe(3);
    expect(e.message).toContain('line 3');
    expect(e.message).toContain('expected 7 tab-separated fields');
    expect(e.message).toContain('separated by tabs');
    expect(e.message).toContain('Nothing was imported');
  });

  test('bad flags, expiry, path, domain and values each name their line', () => {
    const good = `.google.com\tTRUE\t/\tTRUE\t${LATER}\tSID\tok`;
    const cases: [string, RegExp][] = [
      [`.google.com\tyes\t/\tTRUE\t${LATER}\tSID\t${SECRET}`, /include-subdomains .* TRUE or FALSE/],
      [`.google.com\tTRUE\t/\tmaybe\t${LATER}\tSID\t${SECRET}`, /secure .* TRUE or FALSE/],
      [`.google.com\tTRUE\t/\tTRUE\tnext-week\tSID\t${SECRET}`, /expiry/],
      [`.google.com\tTRUE\tnoslash\tTRUE\t${LATER}\tSID\t${SECRET}`, /path must start with \//],
      [`https://google.com/\tTRUE\t/\tTRUE\t${LATER}\tSID\t${SECRET}`, /not a host name/],
      [`.google.com\tTRUE\t/\tTRUE\t${LATER}\tSID\t${SECRET};evil`, /value holds control characters or ";"/],
      [`.google.com\tTRUE\t/\tTRUE\t${LATER}\tS D=\t${SECRET}`, /cookie name/],
      [`.google.com\tTRUE\t/\tTRUE\t${LATER}\tSID\t${SECRET}\textra`, /found 8/],
    ];
    for (const [line, problem] of cases) {
      const e = parseError(`${good}\n\n${line}\n${good}\n`);
      expect(e.line, line).toBe(3);
      expect(e.message, line).toMatch(problem);
    }
  });

  test('an empty file or one with only comments is an error', () => {
    expect(parseError('').message).toContain('is empty');
    expect(parseError('# Netscape HTTP Cookie File\n\n').message).toContain('holds no cookies');
  });
});

test.describe('JSON exports', () => {
  test('EditThisCookie / Cookie-Editor arrays', () => {
    const text = JSON.stringify(
      [
        { domain: '.google.com', expirationDate: LATER + 0.25, hostOnly: false, httpOnly: true, name: 'SID', path: '/', sameSite: 'unspecified', secure: false, session: false, storeId: '0', value: SECRET, id: 1 },
        { domain: 'photos.google.com', hostOnly: true, httpOnly: true, name: 'OSID', path: '/', sameSite: 'no_restriction', secure: true, session: true, storeId: '0', value: 'o' },
        { domain: '.google.com', expirationDate: LATER, hostOnly: false, httpOnly: false, name: 'NID', path: '/', sameSite: null, secure: true, value: 'n' },
        { domain: 'accounts.google.com', expirationDate: LATER, httpOnly: true, name: '__Host-GAPS', path: '/', sameSite: 'lax', secure: true, value: 'g' },
      ],
      null,
      2,
    );
    const parsed = parseCookiesText(text);
    expect(parsed.format).toBe('json');
    expect(parsed.cookies.map(({ line: _line, ...c }) => c)).toEqual([
      { name: 'SID', value: SECRET, domain: 'google.com', hostOnly: false, path: '/', secure: false, httpOnly: true, expires: LATER, sameSite: null },
      { name: 'OSID', value: 'o', domain: 'photos.google.com', hostOnly: true, path: '/', secure: true, httpOnly: true, expires: null, sameSite: 'None' },
      { name: 'NID', value: 'n', domain: 'google.com', hostOnly: false, path: '/', secure: true, httpOnly: false, expires: LATER, sameSite: null },
      { name: '__Host-GAPS', value: 'g', domain: 'accounts.google.com', hostOnly: true, path: '/', secure: true, httpOnly: true, expires: LATER, sameSite: 'Lax' },
    ]);
    // Each cookie remembers the line its object starts on.
    const objectStarts = text.split('\n').flatMap((l, i) => (l.trim() === '{' ? [i + 1] : []));
    expect(objectStarts).toHaveLength(4);
    expect(parsed.cookies.map((c) => c.line)).toEqual(objectStarts);
  });

  test('Playwright storage state: {cookies: [...]}, expires -1 is a session cookie', () => {
    const text = JSON.stringify({ cookies: [{ name: 'SID', value: 'v', domain: '127.0.0.1', path: '/', expires: -1, httpOnly: true, secure: false, sameSite: 'Lax' }], origins: [] });
    const [cookie] = parseCookiesText(text).cookies;
    expect(cookie).toMatchObject({ name: 'SID', domain: '127.0.0.1', hostOnly: true, expires: null, sameSite: 'Lax', line: 1 });
  });

  test('a syntax error names its line', () => {
    const text = `[\n  {"name": "SID", "value": "${SECRET}", "domain": ".google.com"},\n  {"name": "HSID" "value": "${SECRET}", "domain": ".google.com"}\n]\n`;
    const e = parseError(text);
    expect(e.line).toBe(3);
    expect(e.message).toContain('not valid JSON');
    expect(e.message).toContain('a comma was expected');
  });

  test('comments and trailing commas are not JSON', () => {
    expect(parseError(`[\n{"name":"a","value":"b","domain":"google.com"},\n]`).line).toBe(3);
    expect(parseError(`// export\n[{"name":"a","value":"b","domain":"google.com"}]`).line).toBe(1);
  });

  test('a cookie without a name, a wrong type, or a non-object names its line', () => {
    const missing = parseError(`[\n  {"name": "SID", "value": "${SECRET}", "domain": ".google.com"},\n  {"value": "${SECRET}",\n   "domain": ".google.com"}\n]`);
    expect(missing.line).toBe(3);
    expect(missing.message).toContain('no "name"');

    const wrongType = parseError(`[\n  {"name": "SID",\n   "value": "${SECRET}",\n   "domain": ".google.com",\n   "secure": "yes"}\n]`);
    expect(wrongType.line).toBe(5);
    expect(wrongType.message).toContain('"secure" must be true or false');

    const badExpiry = parseError(`[{"name": "SID", "value": "${SECRET}", "domain": ".google.com",\n "expirationDate": "soon"}]`);
    expect(badExpiry.line).toBe(2);

    const badSameSite = parseError(`[{"name": "SID", "value": "${SECRET}", "domain": ".google.com",\n\n "sameSite": "sometimes"}]`);
    expect(badSameSite.line).toBe(3);

    expect(parseError(`[\n "SID=${SECRET}"\n]`).line).toBe(2);
    expect(parseError(`{"name": "SID", "value": "${SECRET}"}`).message).toContain('must be an array of cookies');
    expect(parseError('[]').message).toContain('holds no cookies');
  });
});

test.describe('which cookies belong to the session', () => {
  test('the real site: the google.com family, not country domains or look-alikes', () => {
    const base = 'https://photos.google.com';
    expect(sessionCookieDomains(base)).toEqual(['google.com', 'googleusercontent.com']);
    for (const d of ['.google.com', 'google.com', 'photos.google.com', 'accounts.google.com', '.photos.fife.usercontent.google.com', '.googleusercontent.com', 'video-downloads.googleusercontent.com', '.GOOGLE.COM']) {
      expect(isSessionCookieDomain(d, base), d).toBe(true);
    }
    for (const d of ['.google.co.uk', 'evilgoogle.com', 'google.com.evil.example', '.youtube.com', '', '.']) {
      expect(isSessionCookieDomain(d, base), d).toBe(false);
    }
  });

  test('a stand-in base URL: its host only', () => {
    const base = 'http://127.0.0.1:8123';
    expect(sessionCookieDomains(base)).toEqual(['127.0.0.1']);
    expect(isSessionCookieDomain('127.0.0.1', base)).toBe(true);
    expect(isSessionCookieDomain('.google.com', base)).toBe(false);
    expect(isSessionCookieDomain('localhost', base)).toBe(false);
  });

  test('counts kept, other-site and expired cookies', () => {
    const text = [
      `.google.com\tTRUE\t/\tTRUE\t${LATER}\tSID\ta`,
      `.google.com\tTRUE\t/\tTRUE\t${NOW - 10}\tOLD\tb`,
      `photos.google.com\tFALSE\t/\tTRUE\t0\tOSID\tc`,
      `.example.org\tTRUE\t/\tFALSE\t${LATER}\tx\td`,
      `.google.de\tTRUE\t/\tFALSE\t${LATER}\tNID\te`,
    ].join('\n');
    const { kept, counts } = selectSessionCookies(parseCookiesText(text).cookies, 'https://photos.google.com', NOW);
    expect(kept.map((c) => c.name)).toEqual(['SID', 'OSID']);
    expect(counts).toEqual({ total: 5, kept: 2, otherSites: 2, expired: 1 });
  });
});

test.describe('into the browser', () => {
  test('host cookies keep a bare domain, domain cookies get the dot, session cookies outlive the browser', () => {
    const [domainCookie, hostCookie] = parseCookiesText(`.google.com\tTRUE\t/\tTRUE\t${LATER}\tSID\ta\nphotos.google.com\tFALSE\t/\tTRUE\t0\tOSID\tb\n`).cookies;
    expect(toBrowserCookie(domainCookie, NOW)).toEqual({ name: 'SID', value: 'a', domain: '.google.com', path: '/', expires: LATER, httpOnly: false, secure: true });
    expect(toBrowserCookie(hostCookie, NOW)).toEqual({ name: 'OSID', value: 'b', domain: 'photos.google.com', path: '/', expires: NOW + 400 * 86_400, httpOnly: false, secure: true });
  });

  test('SameSite=None without Secure falls back to the browser default, which Chromium accepts', () => {
    const [insecure, secure] = parseCookiesText(JSON.stringify([
      { name: 'a', value: '1', domain: '.google.com', sameSite: 'no_restriction', secure: false, expirationDate: LATER },
      { name: 'b', value: '2', domain: '.google.com', sameSite: 'no_restriction', secure: true, expirationDate: LATER },
    ])).cookies;
    expect(toBrowserCookie(insecure, NOW).sameSite).toBeUndefined();
    expect(toBrowserCookie(secure, NOW).sameSite).toBe('None');
  });
});
