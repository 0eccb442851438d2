// The run lock with real processes: contention, a lock left by a killed process, a reused pid,
// another host's lock, half-written locks, and a takeover race between several processes.
import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireRunLock, lockPath, processStartTicks, readLockOwner } from '../../src/run/lock.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/src/run/lock.js', import.meta.url));

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-lock-'));
});
test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A separate node process that tries the lock, prints the attempt as JSON, and holds it for holdMs. */
function lockProcess(holdMs: number): { child: ChildProcess; result: Promise<{ acquired: boolean; heldBy?: { pid: number } | null; tookOverFrom?: { pid: number } | null }> } {
  const script = `
    import { acquireRunLock } from ${JSON.stringify(LOCK_JS)};
    const a = acquireRunLock(${JSON.stringify(dir)}, 'sync');
    process.stdout.write(JSON.stringify({ acquired: a.acquired, heldBy: a.heldBy ?? null, tookOverFrom: a.tookOverFrom ?? null }) + '\\n');
    setTimeout(() => { if (a.acquired) a.lock.release(); }, ${holdMs});`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const result = new Promise<{ acquired: boolean }>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
    });
    child.on('exit', (code) => {
      if (!out.includes('\n')) reject(new Error(`lock process exited ${code} without an answer`));
    });
  });
  return { child, result };
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

test('the lock records pid, host and start; release removes it', () => {
  const attempt = acquireRunLock(dir, 'sync', new Date('2026-01-02T03:04:05Z'));
  expect(attempt.acquired).toBe(true);
  if (!attempt.acquired) return;
  const owner = readLockOwner(lockPath(dir));
  expect(owner).toMatchObject({ pid: process.pid, host: os.hostname(), startedAt: '2026-01-02T03:04:05.000Z', command: 'sync' });
  attempt.lock.release();
  expect(existsSync(lockPath(dir))).toBe(false);
  // Nothing else is left behind in the folder.
  expect(readdirSync(dir)).toEqual([]);
});

test('contention: a live process holds the lock, a second attempt is refused and names its pid', async () => {
  const holder = lockProcess(60_000);
  try {
    const first = await holder.result;
    expect(first.acquired).toBe(true);
    const second = acquireRunLock(dir, 'sync');
    expect(second.acquired).toBe(false);
    if (second.acquired) return;
    expect(second.heldBy?.pid).toBe(holder.child.pid);
  } finally {
    holder.child.kill('SIGKILL');
    await exited(holder.child);
  }
});

test('stale: the lock of a process killed with -9 is taken over', async () => {
  const holder = lockProcess(60_000);
  expect((await holder.result).acquired).toBe(true);
  holder.child.kill('SIGKILL');
  await exited(holder.child);
  expect(existsSync(lockPath(dir))).toBe(true);

  const attempt = acquireRunLock(dir, 'sync');
  expect(attempt.acquired).toBe(true);
  if (!attempt.acquired) return;
  expect(attempt.tookOverFrom?.pid).toBe(holder.child.pid);
  expect(readLockOwner(lockPath(dir))?.pid).toBe(process.pid);
  attempt.lock.release();
});

test('a reused pid does not keep a dead run\'s lock alive (process start time differs)', () => {
  const ticks = processStartTicks(process.pid);
  // The start time comes from /proc/<pid>/stat; where there is no /proc (not Linux) the lock
  // falls back to the pid alone, which the other tests cover. On this project's Linux machines it runs.
  test.skip(ticks === null, 'no /proc here');
  // Our own pid is alive, but with another start time it was some earlier process.
  writeFileSync(lockPath(dir), JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z', procStart: ticks! - 1000 }));
  const attempt = acquireRunLock(dir, 'sync');
  expect(attempt.acquired).toBe(true);
  if (attempt.acquired) attempt.lock.release();
});

test("another host's freshly refreshed lock is not taken over: this host cannot tell whether it is alive", () => {
  writeFileSync(lockPath(dir), JSON.stringify({ pid: 999_999, host: 'some-other-vm', startedAt: '2026-01-01T00:00:00.000Z' }));
  const attempt = acquireRunLock(dir, 'sync');
  expect(attempt.acquired).toBe(false);
  if (!attempt.acquired) expect(attempt.heldBy).toMatchObject({ pid: 999_999, host: 'some-other-vm' });
});

test('a lock that cannot be read counts as held while young, and is retired when old', () => {
  writeFileSync(lockPath(dir), '');
  expect(acquireRunLock(dir, 'sync').acquired).toBe(false);
  const old = new Date(Date.now() - 10 * 60_000);
  utimesSync(lockPath(dir), old, old);
  const attempt = acquireRunLock(dir, 'sync');
  expect(attempt.acquired).toBe(true);
  if (attempt.acquired) attempt.lock.release();
});

test('release never removes a lock that is no longer ours', () => {
  const attempt = acquireRunLock(dir, 'sync');
  expect(attempt.acquired).toBe(true);
  if (!attempt.acquired) return;
  const someoneElse = JSON.stringify({ pid: 1, host: os.hostname(), startedAt: new Date().toISOString() });
  writeFileSync(lockPath(dir), someoneElse);
  attempt.lock.release();
  expect(readFileSync(lockPath(dir), 'utf8')).toBe(someoneElse);
});

test('takeover race: six processes meet a stale lock at once, exactly one wins', async () => {
  writeFileSync(lockPath(dir), JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: '2020-01-01T00:00:00.000Z' }));
  const racers = Array.from({ length: 6 }, () => lockProcess(3_000));
  try {
    const results = await Promise.all(racers.map((r) => r.result));
    const winners = results.filter((r) => r.acquired);
    expect(winners).toHaveLength(1);
    const winnerPid = racers[results.indexOf(winners[0])].child.pid;
    for (const loser of results.filter((r) => !r.acquired)) expect(loser.heldBy?.pid).toBe(winnerPid);
  } finally {
    for (const r of racers) r.child.kill('SIGKILL');
    await Promise.all(racers.map((r) => exited(r.child)));
  }
});
