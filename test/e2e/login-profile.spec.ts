// The profile folder stays safe: a live Chromium on it is a clear error naming the PID, a
// stale lock from a killed browser is removed, a folder others can read is made private.
import { spawn } from 'node:child_process';
import { chmodSync, lstatSync, readlinkSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumPath } from '../../playwright.config.js';
import { test, expect } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';
import type { Replica } from '../replica/index.js';

test.use({ replicaOptions: { library: { synthetic: 2 } } });

function check(replica: Replica, profile: string) {
  return runCli(['login', '--base-url', replica.baseUrl, '--profile', profile, '--check']);
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

test('a profile in use by a live Chromium is an error naming its PID; nothing is touched', async ({ replica, profileDir }) => {
  const browser = spawn(chromiumPath, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profileDir}`, 'about:blank'], { stdio: 'ignore' });
  try {
    const lock = path.join(profileDir, 'SingletonLock');
    await expect.poll(() => lstatSync(lock, { throwIfNoEntry: false }) !== undefined, { timeout: 30_000 }).toBe(true);
    expect(readlinkSync(lock)).toBe(`${os.hostname()}-${browser.pid}`);

    const result = await check(replica, profileDir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Profile ${profileDir} is in use by a running Chromium (PID ${browser.pid})`);
    expect(result.stderr).toContain('Close that browser');
    // The other browser's lock is left alone.
    expect(readlinkSync(lock)).toBe(`${os.hostname()}-${browser.pid}`);
  } finally {
    browser.kill('SIGTERM');
    await new Promise((resolve) => (browser.exitCode !== null ? resolve(null) : browser.on('exit', resolve)));
  }
  // Once it is gone, the profile works (and its session survived).
  const after = await check(replica, profileDir);
  expect(after.code).toBe(0);
  expect(after.stdout).toContain(`Signed in as ${replica.email}`);
});

test('a stale SingletonLock of a killed browser on this host is removed and the run proceeds', async ({ replica, profileDir }) => {
  const pid = await deadPid();
  const lock = path.join(profileDir, 'SingletonLock');
  symlinkSync(`${os.hostname()}-${pid}`, lock);
  symlinkSync('/tmp/org.chromium.Chromium.gone/SingletonSocket', path.join(profileDir, 'SingletonSocket'));
  const result = await check(replica, profileDir);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`Signed in as ${replica.email}`);
  expect(result.stderr).toContain(`removed a stale SingletonLock left by a Chromium (PID ${pid}) that is no longer running`);
  // Our own browser closed cleanly and took its lock with it.
  expect(lstatSync(lock, { throwIfNoEntry: false })).toBeUndefined();

  // After a reboot the old PID may be a different program: still stale.
  symlinkSync(`${os.hostname()}-${process.pid}`, lock);
  const reused = await check(replica, profileDir);
  expect(reused.code).toBe(0);
  expect(reused.stderr).toContain(`(PID ${process.pid}) that is no longer running`);
});

test('a lock from another computer is not ours to remove: the error says how to clear it', async ({ replica, profileDir }) => {
  const lock = path.join(profileDir, 'SingletonLock');
  symlinkSync('desktop-at-home-4242', lock);
  const result = await check(replica, profileDir);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('locked by a Chromium (PID 4242) on another computer, "desktop-at-home"');
  expect(result.stderr).toContain(`delete ${lock}`);
  expect(readlinkSync(lock)).toBe('desktop-at-home-4242');
});

test('a profile others can read is made private (0700) with a warning', async ({ replica, profileDir }) => {
  chmodSync(profileDir, 0o755);
  const result = await check(replica, profileDir);
  expect(result.code).toBe(0);
  expect(result.stderr).toContain('profile folder was readable by others (mode 755); changed it to 700');
  expect(statSync(profileDir).mode & 0o777).toBe(0o700);

  const again = await check(replica, profileDir);
  expect(again.code).toBe(0);
  expect(again.stderr).not.toContain('readable by others');
});
