// `gphotos-keep login` against the replica, as a real child process: cookie import round
// trip, malformed and useless files change nothing, signed-out exit 4, no display, and the
// remote-debugging sign-in driven the way a person at chrome://inspect would.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli, spawnCli } from '../helpers/cli.js';
import type { Replica, SessionCookie } from '../replica/index.js';

const DAY = 86_400;

export function netscapeLine(c: SessionCookie, expires = Math.floor(Date.now() / 1000) + 30 * DAY): string {
  const hostOnly = !c.domain.startsWith('.');
  return `${c.httpOnly ? '#HttpOnly_' : ''}${c.domain}\t${hostOnly ? 'FALSE' : 'TRUE'}\t${c.path}\t${c.secure ? 'TRUE' : 'FALSE'}\t${expires}\t${c.name}\t${c.value}`;
}

/** A cookies.txt as a browser extension writes it: the session plus cookies of other sites. */
export function cookiesTxt(c: SessionCookie): string {
  const later = Math.floor(Date.now() / 1000) + 30 * DAY;
  return ['# Netscape HTTP Cookie File', '# This is a generated file! Do not edit.', '', `.example.org\tTRUE\t/\tFALSE\t${later}\t_ga\tGA1.2.3`, netscapeLine(c), `.google.com\tTRUE\t/\tTRUE\t${later}\tNID\tnid-value`, ''].join('\n');
}

function login(replica: Replica, profile: string, ...extra: string[]) {
  return runCli(['login', '--base-url', replica.baseUrl, '--profile', profile, ...extra]);
}

function fileHash(file: string): string | null {
  return existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null;
}

test.use({ replicaOptions: { library: { synthetic: 3 } } });

test('cookie import round trip: import a cookies.txt, --check signs in, sync backs up', async ({ replica, workDir, outDir }) => {
  const profile = path.join(workDir, 'profile');
  const file = path.join(workDir, 'cookies.txt');
  writeFileSync(file, cookiesTxt(replica.sessionCookie));

  const imported = await login(replica, profile, '--cookies', file);
  expect(imported.stderr).not.toContain('gphotos-keep login:');
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain('Imported 1 of 3 cookies (ignored: 2 for other sites).');
  expect(imported.stdout).toContain(`Signed in as ${replica.email}`);
  expect(statSync(profile).mode & 0o777).toBe(0o700);

  const check = await login(replica, profile, '--check', '--json');
  expect(check.code).toBe(0);
  expect(JSON.parse(check.stdout)).toEqual({ ok: true, mode: 'check', profileDir: profile, email: replica.email });

  const synced = await runCli(['sync', '--out', outDir, '--profile', profile, '--base-url', replica.baseUrl, '--json']);
  expect(synced.code, synced.stderr).toBe(0);
  const summary = JSON.parse(synced.stdout.trim().split('\n').pop()!) as { found: number; downloaded: number };
  expect(summary.found).toBe(replica.items.length);
  expect(summary.downloaded).toBe(replica.items.length);
});

test('JSON cookie export (Cookie-Editor style) imports too, with --json counts', async ({ replica, workDir }) => {
  const c = replica.sessionCookie;
  const file = path.join(workDir, 'cookies.json');
  const later = Math.floor(Date.now() / 1000) + 30 * DAY;
  writeFileSync(
    file,
    JSON.stringify([
      { domain: c.domain, expirationDate: later, hostOnly: true, httpOnly: true, name: c.name, path: '/', sameSite: 'lax', secure: false, session: false, storeId: null, value: c.value },
      { domain: '.google.com', expirationDate: later - 60 * DAY, hostOnly: false, httpOnly: false, name: 'OLD', path: '/', sameSite: null, secure: true, session: false, value: 'x' },
    ]),
  );
  const profile = path.join(workDir, 'profile');
  const result = await login(replica, profile, '--cookies', file, '--json');
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout)).toEqual({ ok: true, mode: 'cookies', profileDir: profile, email: replica.email, cookies: { total: 2, kept: 1, otherSites: 1, expired: 0 } });
});

test('a malformed cookies file names the line and writes nothing', async ({ replica, workDir, profileDir }) => {
  const cookiesDb = path.join(profileDir, 'Default', 'Cookies');
  const before = fileHash(cookiesDb);
  expect(before).not.toBeNull();

  const bad = path.join(workDir, 'bad.txt');
  const lines = cookiesTxt(replica.sessionCookie).split('\n');
  lines.splice(4, 0, `127.0.0.1\tFALSE\t/\tFALSE\tsoon\tSID\tnot-a-real-session`);
  writeFileSync(bad, lines.join('\n'));
  const result = await login(replica, profileDir, '--cookies', bad);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`${bad}, line 5: the expiry (5th field) is not a number`);
  expect(result.stderr).toContain('Nothing was imported');
  expect(result.stderr).not.toContain(replica.sessionCookie.value);
  expect(fileHash(cookiesDb)).toBe(before);

  const badJson = path.join(workDir, 'bad.json');
  writeFileSync(badJson, `[\n  {"name": "SID", "value": "v", "domain": "127.0.0.1"}\n  {"name": "x"}\n]\n`);
  const json = await login(replica, profileDir, '--cookies', badJson);
  expect(json.code).toBe(2);
  expect(json.stderr).toContain(`${badJson}, line 3: is not valid JSON (a comma was expected)`);
  expect(fileHash(cookiesDb)).toBe(before);

  // A new profile is not even created.
  const fresh = path.join(workDir, 'fresh-profile');
  expect((await login(replica, fresh, '--cookies', bad)).code).toBe(2);
  expect(existsSync(fresh)).toBe(false);

  // Only other sites' cookies: nothing to import.
  const others = path.join(workDir, 'others.txt');
  writeFileSync(others, `.example.org\tTRUE\t/\tFALSE\t0\ta\tb\n.google.com\tTRUE\t/\tTRUE\t0\tSID\tc\n`);
  const none = await login(replica, fresh, '--cookies', others);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain('holds no usable cookie for 127.0.0.1 (2 cookies: 2 for other sites)');
  expect(existsSync(fresh)).toBe(false);

  const missing = await login(replica, fresh, '--cookies', path.join(workDir, 'nope.txt'));
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('cannot be read (ENOENT)');

  // The profile still holds its session.
  expect((await login(replica, profileDir, '--check')).code).toBe(0);
});

test('cookies that do not sign in exit 4 and leave the signed-in profile as it was', async ({ replica, workDir, profileDir }) => {
  const stale = { ...replica.sessionCookie, value: 'g.a000expired-session-value' };
  const file = path.join(workDir, 'stale.txt');
  writeFileSync(file, `${netscapeLine(stale)}\n`);
  const result = await login(replica, profileDir, '--cookies', file);
  expect(result.code).toBe(4);
  expect(result.stderr).toContain('do not sign in to Google Photos');
  expect(result.stderr).toContain('the profile was left as it was');
  expect(result.stderr).not.toContain(stale.value);

  const check = await login(replica, profileDir, '--check');
  expect(check.code).toBe(0);
  expect(check.stdout).toContain(`Signed in as ${replica.email}`);
});

test('signed out: --check exits 4 for a new profile, an empty one, and an expired session', async ({ replica, workDir, profileDir }) => {
  const missing = await login(replica, path.join(workDir, 'never-created'), '--check');
  expect(missing.code).toBe(4);
  expect(missing.stderr).toContain('does not exist, so it is not signed in');
  expect(existsSync(path.join(workDir, 'never-created'))).toBe(false);

  expect((await login(replica, profileDir, '--check')).code).toBe(0);
  replica.expireSession();
  const expired = await login(replica, profileDir, '--check', '--json');
  expect(expired.code).toBe(4);
  expect(JSON.parse(expired.stdout)).toMatchObject({ ok: false, exitCode: 4 });
  // The command to run carries this run's profile and site, so it signs in the same profile.
  expect(expired.stderr).toContain(`run \`gphotos-keep login --profile ${profileDir} --base-url ${replica.baseUrl}\``);
  expect(JSON.parse(expired.stdout).error).toContain(`\`gphotos-keep login --profile ${profileDir} --base-url ${replica.baseUrl}\``);

  // A new session imported into the same profile signs it in again.
  const file = path.join(workDir, 'new.txt');
  writeFileSync(file, `${netscapeLine(replica.issueSession())}\n`);
  expect((await login(replica, profileDir, '--cookies', file)).code).toBe(0);
  expect((await login(replica, profileDir, '--check')).code).toBe(0);
});

test('one profile per account: cookies of another account are refused and taken out again', async ({ replica, workDir }) => {
  const profile = path.join(workDir, 'profile');
  const mine = path.join(workDir, 'mine.txt');
  writeFileSync(mine, `${netscapeLine(replica.sessionCookie)}\n`);
  expect((await login(replica, profile, '--cookies', mine)).code).toBe(0);

  const { startReplica } = await import('../replica/index.js');
  const other = await startReplica({ library: { synthetic: 1 }, email: 'someone.else@example.com' });
  try {
    const theirs = path.join(workDir, 'theirs.txt');
    writeFileSync(theirs, `${netscapeLine(other.sessionCookie)}\n`);
    const result = await login(other, profile, '--cookies', theirs);
    // Signed in as the wrong account: sign in as the profile's own (exit 4, like a signed-out session).
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(`belongs to ${replica.email}, but this sign-in is someone.else@example.com`);
    expect(result.stderr).toContain('--profile someone.else');
  } finally {
    await other.close();
  }
  // Both replicas use host 127.0.0.1: the first account's cookie was put back.
  const check = await login(replica, profile, '--check');
  expect(check.code).toBe(0);
  expect(check.stdout).toContain(`Signed in as ${replica.email}`);
});

test('a bare profile name lives under $GPHOTOS_KEEP_HOME/profiles, created 0700', async ({ replica, workDir }) => {
  const file = path.join(workDir, 'cookies.txt');
  writeFileSync(file, cookiesTxt(replica.sessionCookie));
  const home = path.join(workDir, 'home');
  const env = cleanEnv({ GPHOTOS_KEEP_HOME: home });
  const result = await runCli(['login', '--base-url', replica.baseUrl, '--profile', 'family', '--cookies', file], { env });
  expect(result.code).toBe(0);
  const dir = path.join(home, 'profiles', 'family');
  expect(result.stdout).toContain(`profile ${dir}`);
  expect(statSync(dir).mode & 0o777).toBe(0o700);
  expect(JSON.parse(readFileSync(path.join(dir, 'gphotos-keep-account.json'), 'utf8'))).toMatchObject({ email: replica.email });
});

test('login without a display fails at once and names the other ways in', async ({ replica, workDir }) => {
  const env = cleanEnv();
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const profile = path.join(workDir, 'profile');
  const result = await runCli(['login', '--base-url', replica.baseUrl, '--profile', profile], { env, timeoutMs: 30_000 });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('No display');
  expect(result.stderr).toContain('login --cookies FILE');
  expect(result.stderr).toContain('login --remote-debugging-port 9222');
  expect(existsSync(profile)).toBe(false);

  const both = await runCli(['login', '--base-url', replica.baseUrl, '--profile', profile, '--check', '--cookies', 'x.txt'], { env });
  expect(both.code).toBe(2);
  expect(both.stderr).toContain('--cookies and --check are different ways to sign in');
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

test('remote debugging: a person signs in through the port, the command reports the account', async ({ replica, workDir }) => {
  const port = await freePort();
  const profile = path.join(workDir, 'profile');
  const env = cleanEnv();
  delete env.DISPLAY;
  const child = spawnCli(['login', '--base-url', replica.baseUrl, '--profile', profile, '--remote-debugging-port', String(port)], { env });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    await expect.poll(() => stderr, { timeout: 60_000 }).toContain(`ssh -N -L ${port}:127.0.0.1:${port}`);
    // The instructions may reach the pipe in more than one chunk: wait for their last line too.
    await expect.poll(() => stderr, { timeout: 10_000 }).toContain(`add localhost:${port}`);
    expect(stderr).toContain('chrome://inspect/#devices');

    // The person's desktop Chrome, through the tunnel: the same DevTools endpoint.
    const browser = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
    try {
      const page = browser.contexts()[0].pages()[0];
      await expect.poll(() => page.url(), { timeout: 30_000 }).toContain('/photos/about');
      expect(await page.evaluate(() => navigator.userAgent)).not.toContain('Headless');
      await page.click('#go');
      await page.waitForURL(/\/v3\/signin\/identifier/);
      // The replica, like Google, sends automated browsers to /v3/signin/rejected here.
      await page.click('#next');
      await page.waitForURL(/\/v3\/signin\/challenge\/pwd/);
      await page.fill('input[type="password"]', 'correct horse battery staple');
      await page.click('#next');
      expect(await exited).toBe(0);
    } finally {
      await browser.close().catch(() => undefined);
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
  expect(stdout).toContain(`Signed in as ${replica.email}`);
  expect((await login(replica, profile, '--check')).code).toBe(0);
});

test('remote debugging: a port already in use is a usage error before anything starts', async ({ replica, workDir }) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  try {
    const result = await login(replica, path.join(workDir, 'profile'), '--remote-debugging-port', String(port));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
  } finally {
    server.close();
  }
});
