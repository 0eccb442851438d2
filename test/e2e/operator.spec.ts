// The operator's experience (issue 16), through the built CLI as a child process with real
// files: the command on PATH without root, profiles in the XDG data folder (and moved there
// from an old checkout once), one-line usage errors and suggested commands that carry the
// flags that matter, read-only backups, doctor's checks of what breaks nights, a config file
// with comments and precise errors, and status times in the local zone or UTC.
// Nothing here touches the real ~/.local/bin or the user's XDG folders: HOME and XDG_* point
// into each test's scratch folder.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openIndex, indexPath } from '../../src/store/database.js';
import { recordDownloaded } from '../../src/store/files.js';
import { upsertItems } from '../../src/store/items.js';
import { finishRun, startRun } from '../../src/store/runs.js';
import type { RemoteItem } from '../../src/model/remote-item.js';
import { CLI_ENTRY, type CliResult, cleanEnv, runCli } from '../helpers/cli.js';
import { test, expect } from '../helpers/fixtures.js';
import type { SessionCookie } from '../replica/index.js';
import { sync } from './sync-helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test.use({ replicaOptions: { library: { synthetic: 3 } } });

/** A home of the test's own: HOME and the XDG folders inside it. */
function homeEnv(workDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const home = path.join(workDir, 'home');
  mkdirSync(home, { recursive: true });
  return cleanEnv({ HOME: home, XDG_DATA_HOME: path.join(home, 'data'), XDG_CONFIG_HOME: path.join(home, 'config'), ...extra });
}

/** What the real user's ~/.local/bin/gphotos-keep is before a test, to prove the test left it alone. */
function realLinkState(): string {
  const link = path.join(os.homedir(), '.local', 'bin', 'gphotos-keep');
  try {
    const s = lstatSync(link);
    return `${s.ino}:${s.mtimeMs}:${s.isSymbolicLink() ? readlinkSync(link) : 'file'}`;
  } catch {
    return 'absent';
  }
}

function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) result[path.relative(dir, p)] = `${statSync(p).mtimeMs}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
      else result[path.relative(dir, p)] = 'link';
    }
  };
  walk(dir);
  return result;
}

// ---------------------------------------------------------------- on PATH, without root

test.describe('install like a tool', () => {
  test('setup links gphotos-keep into ~/.local/bin, says when the folder is not on PATH and how to add it, and the command then works by its name', async ({ workDir }) => {
    const before = realLinkState();
    const env = homeEnv(workDir, { PATH: '/usr/local/bin:/usr/bin:/bin' });
    const home = env.HOME!;
    const setup = spawnSync('bash', [path.join(ROOT, 'scripts/link-command.sh')], { env, encoding: 'utf8' });
    expect(setup.status, setup.stderr).toBe(0);
    const link = path.join(home, '.local', 'bin', 'gphotos-keep');
    expect(readlinkSync(link)).toBe(path.join(realRoot(), 'bin', 'gphotos-keep.js'));
    expect(setup.stderr).toContain(`installed the command: ${link} -> `);
    expect(setup.stderr).toContain(`${path.join(home, '.local', 'bin')} is not on your PATH yet`);
    expect(setup.stderr).toContain(`export PATH="${path.join(home, '.local', 'bin')}:$PATH"`);

    // With the folder on PATH, the bare name runs this checkout's build, from any folder.
    const onPath = { ...env, PATH: `${path.join(home, '.local', 'bin')}:${process.execPath.replace(/\/node$/, '')}:/usr/bin:/bin` };
    const version = spawnSync('gphotos-keep', ['--version'], { env: onPath, cwd: workDir, encoding: 'utf8' });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
    const again = spawnSync('bash', [path.join(ROOT, 'scripts/link-command.sh')], { env: onPath, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('is on your PATH');
    expect(realLinkState()).toBe(before);
  });

  test('GPHOTOS_KEEP_BIN_DIR names the folder; a file of the same name that setup did not make is left alone', async ({ workDir }) => {
    const before = realLinkState();
    const bin = path.join(workDir, 'my-bin');
    const env = homeEnv(workDir, { GPHOTOS_KEEP_BIN_DIR: bin });
    const made = spawnSync('bash', [path.join(ROOT, 'scripts/link-command.sh')], { env, encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    expect(lstatSync(path.join(bin, 'gphotos-keep')).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(env.HOME!, '.local'))).toBe(false);

    const other = path.join(workDir, 'other-bin');
    mkdirSync(other);
    writeFileSync(path.join(other, 'gphotos-keep'), '#!/bin/sh\necho mine\n');
    const kept = spawnSync('bash', [path.join(ROOT, 'scripts/link-command.sh')], { env: { ...env, GPHOTOS_KEEP_BIN_DIR: other }, encoding: 'utf8' });
    expect(kept.status).toBe(0);
    expect(kept.stderr).toContain('is not a symlink, so it was left alone');
    expect(readFileSync(path.join(other, 'gphotos-keep'), 'utf8')).toContain('echo mine');
    expect(realLinkState()).toBe(before);
  });

  test('npm test and the demo set up without touching the user\'s folders (setup --build-only)', () => {
    expect(readFileSync(path.join(ROOT, 'scripts/test.sh'), 'utf8')).toMatch(/scripts\/setup\.sh --build-only/);
    expect(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).scripts.demo).toContain('setup.sh --build-only');
    expect(readFileSync(path.join(ROOT, 'scripts/setup.sh'), 'utf8')).toMatch(/bash scripts\/link-command\.sh/);
  });

  test('the units and the crontab point at docs/scheduling.md, which has the timer, cron and the per-account template', () => {
    const doc = readFileSync(path.join(ROOT, 'docs/scheduling.md'), 'utf8');
    for (const unit of ['gphotos-keep.service', 'gphotos-keep.timer', 'gphotos-keep@.service', 'gphotos-keep@.timer']) {
      expect(readFileSync(path.join(ROOT, 'scripts/systemd', unit), 'utf8')).toContain('docs/scheduling.md');
      expect(doc).toContain(unit);
    }
    expect(readFileSync(path.join(ROOT, 'scripts/crontab.example'), 'utf8')).toContain('docs/scheduling.md');
    expect(doc).toMatch(/## Cron/);
    expect(doc).toMatch(/## Several accounts/);
    // The README's set-up uses the command by its name, never npx.
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).not.toContain('npx --no-install gphotos-keep');
    expect(readme).toMatch(/^## Update$/m);
  });
});

/** A cookies.txt (Netscape format) holding the replica's session. */
function cookiesTxt(c: SessionCookie): string {
  const expires = Math.floor(Date.now() / 1000) + 30 * 86_400;
  return `# Netscape HTTP Cookie File\n${c.httpOnly ? '#HttpOnly_' : ''}${c.domain}\t${c.domain.startsWith('.') ? 'TRUE' : 'FALSE'}\t${c.path}\t${c.secure ? 'TRUE' : 'FALSE'}\t${expires}\t${c.name}\t${c.value}\n`;
}

function realRoot(): string {
  return spawnSync('pwd', ['-P'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim();
}

// ---------------------------------------------------------------- profiles in the data folder

test.describe('profiles live in the XDG data folder', () => {
  test('a bare name is $XDG_DATA_HOME/gphotos-keep/profiles/NAME, else ~/.local/share/…; GPHOTOS_KEEP_HOME still wins', async ({ replica, workDir }) => {
    const file = path.join(workDir, 'cookies.txt');
    writeFileSync(file, cookiesTxt(replica.sessionCookie));
    const env = homeEnv(workDir);
    const login = (e: NodeJS.ProcessEnv) => runCli(['login', '--base-url', replica.baseUrl, '--profile', 'family', '--cookies', file], { env: e });

    const xdg = await login(env);
    expect(xdg.code, xdg.stderr).toBe(0);
    const inXdg = path.join(env.XDG_DATA_HOME!, 'gphotos-keep', 'profiles', 'family');
    expect(xdg.stdout).toContain(`profile ${inXdg}.`);
    expect(statSync(inXdg).mode & 0o777).toBe(0o700);

    const { XDG_DATA_HOME: _unset, ...noXdg } = env;
    const plain = await login(noXdg);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`profile ${path.join(env.HOME!, '.local', 'share', 'gphotos-keep', 'profiles', 'family')}.`);

    const own = path.join(workDir, 'own-home');
    const home = await login({ ...env, GPHOTOS_KEEP_HOME: own });
    expect(home.code, home.stderr).toBe(0);
    expect(home.stdout).toContain(`profile ${path.join(own, 'profiles', 'family')}.`);
  });

  test('profiles an old checkout kept in its profiles/ move to the data folder once, with a message; one in both places is left alone', async ({ replica, workDir, profileDir }) => {
    const checkout = oldCheckout(workDir);
    writeFileSync(path.join(checkout, 'profiles', 'README.md'), 'profiles used to live here\n');
    cpSync(profileDir, path.join(checkout, 'profiles', 'default'), { recursive: true });
    mkdirSync(path.join(checkout, 'profiles', 'work'), { mode: 0o700 });
    writeFileSync(path.join(checkout, 'profiles', 'work', 'marker'), 'old work');
    const env = homeEnv(workDir);
    const target = path.join(env.XDG_DATA_HOME!, 'gphotos-keep', 'profiles');
    mkdirSync(path.join(target, 'work'), { recursive: true });
    writeFileSync(path.join(target, 'work', 'marker'), 'new work');

    const run = (args: string[]) => runCliAt(path.join(checkout, 'bin', 'gphotos-keep.js'), args, env);
    const first = await run(['login', '--check', '--base-url', replica.baseUrl]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`Moved profile "default" from ${path.join(checkout, 'profiles', 'default')} to ${path.join(target, 'default')}`);
    expect(first.stdout).toContain(`Signed in as ${replica.email}; profile ${path.join(target, 'default')}.`);
    expect(existsSync(path.join(checkout, 'profiles', 'default'))).toBe(false);
    expect(statSync(path.join(target, 'default')).mode & 0o777).toBe(0o700);
    // The one already in the data folder wins and nothing is overwritten; the message names both.
    expect(first.stderr).toContain(`Profile "work" is in both ${path.join(checkout, 'profiles', 'work')} (old place) and ${path.join(target, 'work')}`);
    expect(readFileSync(path.join(target, 'work', 'marker'), 'utf8')).toBe('new work');
    expect(readFileSync(path.join(checkout, 'profiles', 'work', 'marker'), 'utf8')).toBe('old work');
    expect(existsSync(path.join(checkout, 'profiles', 'README.md'))).toBe(true);

    // Once: the next run moves nothing and says nothing about default.
    const second = await run(['login', '--check', '--base-url', replica.baseUrl]);
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain('Moved profile');
  });

  test('a profile that cannot be moved stays where it is, and the message gives the command that moves it', async ({ workDir }) => {
    const checkout = oldCheckout(workDir);
    mkdirSync(path.join(checkout, 'profiles', 'default'), { mode: 0o700 });
    writeFileSync(path.join(checkout, 'profiles', 'default', 'marker'), 'session');
    // The data folder cannot be made: a file stands where a folder should be.
    const blocked = path.join(workDir, 'not-a-folder');
    writeFileSync(blocked, '');
    const env = homeEnv(workDir, { XDG_DATA_HOME: blocked });
    const result = await runCliAt(path.join(checkout, 'bin', 'gphotos-keep.js'), ['login', '--check'], env);
    const target = path.join(blocked, 'gphotos-keep', 'profiles');
    expect(result.stderr).toContain(`Profile "default" could not be moved from ${path.join(checkout, 'profiles', 'default')} to ${path.join(target, 'default')} (ENOTDIR)`);
    expect(result.stderr).toContain(`mkdir -p ${target} && mv ${path.join(checkout, 'profiles', 'default')} ${path.join(target, 'default')}`);
    expect(result.stderr).not.toMatch(/at \w+ \(/);
    expect(readFileSync(path.join(checkout, 'profiles', 'default', 'marker'), 'utf8')).toBe('session');
    // The command itself went on: the profile in the new place does not exist, so it is signed out.
    expect(result.code).toBe(4);
  });
});

/** A checkout of its own (this one's build, package.json and packages) with a profiles/ folder, as older versions had. */
function oldCheckout(workDir: string): string {
  const checkout = path.join(workDir, 'checkout');
  mkdirSync(checkout);
  for (const part of ['dist', 'bin', 'package.json']) cpSync(path.join(ROOT, part), path.join(checkout, part), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(checkout, 'node_modules'));
  mkdirSync(path.join(checkout, 'profiles'));
  return checkout;
}

/** The CLI of another checkout, as a child process. */
function runCliAt(entry: string, args: string[], env: NodeJS.ProcessEnv, options: { uid?: number; gid?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

// ---------------------------------------------------------------- errors are one line

test.describe('errors are one line, and suggested commands carry the flags that matter', () => {
  test('no command at all: exit 2, the commands, and where the help is', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^gphotos-keep: no command given \(sync, login, status, verify, doctor, adopt[a-z, ]*\)\.\nTry 'gphotos-keep --help' for more information\.\n$/);
  });

  test('usage errors: what was wrong and Try \'gphotos-keep <command> --help\', exit 2, never the whole help', async ({ workDir }) => {
    const cases: string[][] = [
      ['sync', '--out', path.join(workDir, 'b'), '--frobnicate'],
      ['sync', '--out', path.join(workDir, 'b'), '--concurrency', '0'],
      ['status', '--out', path.join(workDir, 'nothing-here')],
      ['sync'],
      ['login', '--check', '--cookies', 'x.txt'],
    ];
    for (const args of cases) {
      const result = await runCli(args, { env: cleanEnv() });
      expect(result.code, args.join(' ')).toBe(2);
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines, result.stderr).toHaveLength(2);
      expect(lines[1]).toBe(`Try 'gphotos-keep ${args[0]} --help' for more information.`);
      expect(result.stderr).not.toContain('Usage:');
    }
    expect(existsSync(path.join(workDir, 'b'))).toBe(false);
  });

  test('sync --profile work, signed out: the command to run signs in that profile, on that site', async ({ replica, workDir }) => {
    const env = homeEnv(workDir);
    const out = path.join(workDir, 'backup');
    const result = await runCli(['sync', '--profile', 'work', '--out', out, '--base-url', replica.baseUrl], { env });
    expect(result.code).toBe(4);
    const message = result.stderr.split('\n')[0];
    expect(message).toContain(`run \`gphotos-keep login --profile work --base-url ${replica.baseUrl}\``);
    expect(message).not.toContain('`gphotos-keep login`');
  });

  test('an expired session mid-way: the summary\'s command carries --profile, --base-url and --config', async ({ replica, workDir, profileDir }) => {
    const config = path.join(workDir, 'my config.json');
    writeFileSync(config, '{ "concurrency": 2 }');
    const out = path.join(workDir, 'backup');
    replica.expireSession();
    const result = await runCli(['sync', '--out', out, '--profile', profileDir, '--base-url', replica.baseUrl, '--config', config], { env: cleanEnv() });
    expect(result.code).toBe(4);
    // login takes no --out; a path with a space is quoted for the shell.
    expect(result.stderr).toContain(`\`gphotos-keep login --profile ${profileDir} --base-url ${replica.baseUrl} --config '${config}'\``);
  });

  test('settings from the environment are repeated too (a unit\'s environment is not the user\'s shell); status\'s hint names the folder', async ({ workDir }) => {
    const out = path.join(workDir, 'backup');
    const db = openIndex(out);
    upsertItems(db, [item(1)]);
    // Recorded, but not on disk.
    recordDownloaded(db, item(1).mediaKey, [{ mediaKey: item(1).mediaKey, role: 'main', relPath: '2019/06/gone.jpg', bytes: 10, sha256: '0'.repeat(64) }], { fileName: 'gone.jpg' });
    db.close();
    const result = await runCli(['status'], { env: cleanEnv({ GPHOTOS_KEEP_OUT: out }) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`1 MISSING (run \`gphotos-keep verify --fix --out ${out}\`)`);
    // --json is for programs: left as written.
    const json = await runCli(['status', '--json'], { env: cleanEnv({ GPHOTOS_KEEP_OUT: out }) });
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('gphotos-keep verify');
  });
});

function item(n: number, sizeBytes: number | null = null): RemoteItem {
  return { mediaKey: `AF1QipOperator${String(n).padStart(3, '0')}`, dedupKey: null, takenMs: Date.UTC(2019, 5, 1 + n, 12), tzOffsetMs: 0, uploadedMs: null, width: 4, height: 3, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null, sizeBytes };
}

// ---------------------------------------------------------------- read-only backups

/** Runs body with `dir` visible read-only at the returned path (a read-only bind mount), or null where mounting is not allowed. */
function readOnlyMount(dir: string, at: string): (() => void) | null {
  mkdirSync(at, { recursive: true });
  const bind = spawnSync('mount', ['--bind', dir, at], { encoding: 'utf8' });
  if (bind.status !== 0) return null;
  const ro = spawnSync('mount', ['-o', 'remount,ro,bind', at], { encoding: 'utf8' });
  if (ro.status !== 0) {
    spawnSync('umount', [at]);
    return null;
  }
  return () => {
    spawnSync('umount', [at]);
  };
}

test.describe('read-only backups', () => {
  test('on a read-only mount: status and verify read it (no WAL files needed) and change nothing; verify --fix says why it cannot', async ({ replica, workDir, outDir, profileDir }) => {
    const synced = await sync(replica, outDir, profileDir);
    expect(synced.code, synced.stderr).toBe(0);
    const before = snapshot(outDir);
    expect(Object.keys(before).filter((f) => /index\.db-(wal|shm)$/.test(f))).toEqual([]);
    const ro = path.join(workDir, 'ro');
    const unmount = readOnlyMount(outDir, ro);
    test.skip(unmount === null, 'mounting is not permitted here (needs root or CAP_SYS_ADMIN); the chmod test covers the non-root case');
    try {
      expect(spawnSync('touch', [path.join(ro, 'probe')]).status).not.toBe(0);
      const status = await runCli(['status', '--out', ro, '--json'], { env: cleanEnv() });
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).items.done).toBe(replica.items.length);

      const verify = await runCli(['verify', '--out', ro, '--full'], { env: cleanEnv() });
      expect(verify.code, verify.stderr).toBe(0);
      expect(verify.stdout).toContain('All recorded files are present and intact.');
      expect(verify.stdout).toMatch(/Verified \d+ recorded files/);

      const fix = await runCli(['verify', '--out', ro, '--fix'], { env: cleanEnv() });
      expect(fix.code).toBe(1);
      expect(fix.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(fix.stderr).toContain(`verify --fix cannot repair ${ro}: the backup is on a read-only file system`);
      expect(fix.stderr).toContain(`\`gphotos-keep verify --out ${ro}\` checks it without writing`);
      expect(fix.stderr).not.toMatch(/at \w+ \(/);
    } finally {
      unmount?.();
    }
    expect(snapshot(outDir)).toEqual(before);
  });

  test('a folder made read-only with chmod -R a-w: status and verify work as a user who cannot write it; verify --fix says why not', async ({ replica, workDir, outDir, profileDir }) => {
    const synced = await sync(replica, outDir, profileDir);
    expect(synced.code, synced.stderr).toBe(0);
    // Root writes through any mode, so as root the commands run as `nobody`, who owns the copy.
    const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
    const user = asRoot ? { uid: 65534, gid: 65534 } : {};
    const home = path.join(workDir, 'nobody-home');
    mkdirSync(home);
    if (asRoot) {
      chownTree(outDir, 65534, 65534);
      chownSync(home, 65534, 65534);
      chmodSync(workDir, 0o755);
    }
    chmodTree(outDir);
    const before = snapshot(outDir);
    const env = cleanEnv({ HOME: home });
    try {
      const status = await runCliAt(CLI_ENTRY, ['status', '--out', outDir], env, user);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(`done ${replica.items.length}`);
      const verify = await runCliAt(CLI_ENTRY, ['verify', '--out', outDir, '--full', '--json'], env, user);
      expect(verify.code, verify.stderr).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ clean: true });
      const fix = await runCliAt(CLI_ENTRY, ['verify', '--out', outDir, '--fix'], env, user);
      expect(fix.code).toBe(1);
      expect(fix.stderr).toContain(`verify --fix cannot repair ${outDir}: ${path.join(outDir, '.gphotos-keep')} is not writable by this user`);
    } finally {
      spawnSync('chmod', ['-R', 'u+w', outDir]);
    }
    expect(snapshot(outDir)).toEqual(before);
  });
});

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else if (entry.isFile()) chownSync(p, uid, gid);
  }
}

/** chmod -R a-w, keeping folders readable and enterable (0555) and files readable (0444). */
function chmodTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chmodTree(p);
    else if (entry.isFile()) chmodSync(p, 0o444);
  }
  chmodSync(dir, 0o555);
}

// ---------------------------------------------------------------- doctor

interface DoctorReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string; fix?: string }[];
}

async function doctor(args: string[], env = cleanEnv()): Promise<CliResult & { report: DoctorReport; check: (name: string) => DoctorReport['checks'][number] }> {
  const result = await runCli(['doctor', '--json', ...args], { env });
  const report = JSON.parse(result.stdout) as DoctorReport;
  return { ...result, report, check: (name) => report.checks.find((c) => c.name === name)! };
}

test.describe('doctor checks what breaks nights', () => {
  test('the profile\'s session: signed in as whom; a missing or signed-out profile fails, naming the login that fixes it', async ({ replica, workDir, profileDir }) => {
    const out = path.join(workDir, 'backup');
    const good = await doctor(['--out', out, '--profile', profileDir, '--base-url', replica.baseUrl]);
    expect(good.code, good.stderr).toBe(0);
    expect(good.check('session')).toMatchObject({ ok: true, detail: `signed in as ${replica.email}` });

    const missing = path.join(workDir, 'never');
    const none = await doctor(['--out', out, '--profile', missing, '--base-url', replica.baseUrl]);
    expect(none.code).toBe(1);
    expect(none.check('profile')).toMatchObject({ ok: false, fix: `run \`gphotos-keep login --profile ${missing} --base-url ${replica.baseUrl}\` (it creates the profile, mode 0700)` });
    expect(none.check('session').ok).toBe(false);
    expect(existsSync(missing)).toBe(false);

    replica.expireSession();
    const out2 = await runCli(['doctor', '--out', out, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
    expect(out2.code).toBe(1);
    expect(out2.stdout).toMatch(/^FAIL {2}session: not signed in: Google Photos sends .* to the sign-in page$/m);
    expect(out2.stdout).toContain(`      fix: run \`gphotos-keep login --profile ${profileDir} --base-url ${replica.baseUrl}\``);
    expect(out2.stderr).toBe('doctor: 1 check(s) failed: session\n');
  });

  test('free space in --out against what is left to download, and the index\'s integrity (quick_check); each failure names its fix', async ({ replica, workDir, profileDir }) => {
    const out = path.join(workDir, 'backup');
    const db = openIndex(out);
    upsertItems(db, [item(1, 12_000), item(2, 30_000), item(3, null)]);
    db.close();
    const fine = await doctor(['--out', out, '--profile', profileDir, '--base-url', replica.baseUrl]);
    expect(fine.check('free space')).toMatchObject({ ok: true });
    expect(fine.check('free space').detail).toMatch(/ free; about 42\.0 kB left to download \(3 items, 1 of them of unknown size\)$/);
    expect(fine.check('index')).toMatchObject({ ok: true, detail: `${indexPath(out)} passes SQLite's quick_check (3 items)` });

    // More left to download than any disk here holds.
    const big = openIndex(out);
    upsertItems(big, [item(4, 4e14)]);
    big.close();
    const full = await doctor(['--out', out, '--profile', profileDir, '--base-url', replica.baseUrl]);
    expect(full.code).toBe(1);
    expect(full.check('free space').ok).toBe(false);
    expect(full.check('free space').detail).toMatch(/ free on the disk holding .*, and about 400\.0 TB left to download \(4 items/);
    expect(full.check('free space').fix).toMatch(/^free at least .* there, or move the backup to a bigger disk/);

    // A damaged index: a page of the items table overwritten.
    const damaged = path.join(workDir, 'damaged');
    const dd = openIndex(damaged);
    upsertItems(dd, Array.from({ length: 400 }, (_, i) => item(100 + i, 1000)));
    dd.pragma('wal_checkpoint(TRUNCATE)');
    dd.close();
    const file = indexPath(damaged);
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    const pages = bytes.length / pageSize;
    for (let page = Math.floor(pages / 2); page < pages - 1; page++) bytes.fill(0x5a, page * pageSize, page * pageSize + 64);
    writeFileSync(file, bytes);
    const broken = await doctor(['--out', damaged, '--profile', profileDir, '--base-url', replica.baseUrl]);
    expect(broken.code).toBe(1);
    expect(broken.check('index').ok).toBe(false);
    expect(broken.check('index').detail).toContain(`${file} is damaged`);
    expect(broken.check('index').fix).toContain(`run \`gphotos-keep repair --index --out ${damaged} --profile ${profileDir} --base-url ${replica.baseUrl}\``);
  });
});

// ---------------------------------------------------------------- config like the flags

test.describe('a config file like the flags', () => {
  test('JSON with comments is read; mistakes are reported at line:column, a misspelt key with the key it meant', async ({ workDir }) => {
    const out = path.join(workDir, 'backup');
    openIndex(out).close();
    const config = path.join(workDir, 'config.json');
    writeFileSync(config, `{\n  // the backup\n  "out": "backup", /* relative to this file */\n  "json": true\n}\n`);
    const read = await runCli(['status', '--config', config], { env: cleanEnv() });
    expect(read.code, read.stderr).toBe(0);
    expect(JSON.parse(read.stdout).out).toBe(out);

    const cases: { text: string; says: string }[] = [
      { text: '{\n  "out": "backup",\n  "concurency": 3\n}\n', says: `Config file ${config}:3:3: unknown key "concurency". Did you mean "concurrency"?` },
      { text: '{\n  // a comment\n  "maxAtempts": 3\n}\n', says: `Config file ${config}:3:3: unknown key "maxAtempts". Did you mean "maxAttempts"?` },
      { text: '{\n  "out": "backup",\n  "concurrency": "3"\n}\n', says: `Config file ${config}:3:18: bad value for "concurrency": expected a whole number from 1 to 8 (a JSON number, not a string).` },
      { text: '{\n  "out": "backup"\n  "json": true\n}\n', says: `Config file ${config}:3:3 is not valid JSON: a comma was expected.` },
      { text: '{\n  "out": "backup",\n}\n', says: `Config file ${config}:3:1 is not valid JSON: a key in double quotes was expected (a trailing comma?).` },
      { text: '{ /* not closed\n', says: `Config file ${config}:1:3 is not valid JSON: a /* comment is not closed.` },
    ];
    for (const c of cases) {
      writeFileSync(config, c.text);
      const result = await runCli(['sync', '--config', config], { env: cleanEnv() });
      expect(result.code, c.says).toBe(2);
      expect(result.stderr).toBe(`gphotos-keep sync: ${c.says}\nTry 'gphotos-keep sync --help' for more information.\n`);
    }
  });
});

// ---------------------------------------------------------------- status times

test.describe('status times', () => {
  test('local time (TZ) by default, UTC with --utc; --json stays ISO UTC', async ({ workDir }) => {
    const out = path.join(workDir, 'backup');
    const db = openIndex(out);
    const started = Date.UTC(2026, 0, 12, 3, 0, 0);
    const id = startRun(db, 'sync', started);
    finishRun(db, id, { endedMs: started + 61_000, exitCode: 0, counts: { found: 1, new: 1, downloaded: 1, skipped: 0, deferred: 0, failed: 0, bytes: 10 } });
    const summer = Date.UTC(2026, 6, 1, 3, 0, 0);
    finishRun(db, startRun(db, 'sync', summer), { endedMs: summer + 5_000, exitCode: 0, counts: { found: 1, new: 0, downloaded: 0, skipped: 1, deferred: 0, failed: 0, bytes: 0 } });
    db.close();

    const local = await runCli(['status', '--out', out], { env: cleanEnv({ TZ: 'America/New_York' }) });
    expect(local.code, local.stderr).toBe(0);
    expect(local.stdout).toContain('started (America/New_York)');
    expect(local.stdout).toMatch(/^ {2}2026-01-11 22:00:00 .*\b1m01s\b/m);
    expect(local.stdout).toMatch(/^ {2}2026-06-30 23:00:00 .*\b5s\b/m);
    expect(local.stdout).toContain('Last complete sync: 2026-06-30 23:00:05 EDT');

    const utc = await runCli(['status', '--out', out, '--utc'], { env: cleanEnv({ TZ: 'America/New_York' }) });
    expect(utc.code).toBe(0);
    expect(utc.stdout).toContain('started (UTC)');
    expect(utc.stdout).toMatch(/^ {2}2026-01-12 03:00:00 .*\b1m01s\b/m);
    expect(utc.stdout).toContain('Last complete sync: 2026-07-01 03:00:05 UTC');

    const json = await runCli(['status', '--out', out, '--json'], { env: cleanEnv({ TZ: 'Asia/Kolkata' }) });
    expect(JSON.parse(json.stdout).runs[1].startedAt).toBe('2026-01-12T03:00:00.000Z');
  });
});
