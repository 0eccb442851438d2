// Locks that cannot wedge: the run holding the lock refreshes it while it runs, and a lock not
// refreshed for the stale window is stale whatever its host (a container's old hostname, a
// renamed VM, another machine on NFS). A run refused by the same live lock for longer than a
// limit is told so, so monitoring notices. Real files, real processes.
import { test, expect } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_STALE_MS, acquireRunLock, lockPath } from '../../src/run/lock.js';
import { clearRefusals, noteRefusal } from '../../src/run/lock-refusals.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/src/run/lock.js', import.meta.url));

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-lockhb-'));
});
test.afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function ageLock(file: string, ms: number): void {
  const when = new Date(Date.now() - ms);
  utimesSync(file, when, when);
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

/** A separate process holding the lock with a fast heartbeat; prints 'locked', and 'lost' if the lock is taken from it. */
function holder(heartbeatMs: number): { child: ChildProcess; lines: string[]; ready: Promise<void> } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    import { acquireRunLock } from ${JSON.stringify(LOCK_JS)};
    const a = acquireRunLock(${JSON.stringify(dir)}, 'sync', new Date(), { heartbeatMs: ${heartbeatMs}, onLost: () => process.stdout.write('lost\\n') });
    process.stdout.write(a.acquired ? 'locked\\n' : 'refused\\n');
    setInterval(() => {}, 60000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const ready = new Promise<void>((resolve) => {
    child.stdout!.on('data', (d) => {
      lines.push(...String(d).split('\n').filter(Boolean));
      if (lines.length > 0) resolve();
    });
  });
  return { child, lines, ready };
}

test('a lock left by another host and not refreshed for the stale window is taken over (containers, renamed VMs, NFS)', () => {
  const file = lockPath(dir);
  writeFileSync(file, JSON.stringify({ pid: 77, host: 'container-3f9a1c', startedAt: '2026-01-01T03:00:00.000Z', command: 'sync' }));
  ageLock(file, LOCK_STALE_MS + 60_000);
  const attempt = acquireRunLock(dir, 'sync');
  expect(attempt.acquired).toBe(true);
  if (!attempt.acquired) return;
  expect(attempt.tookOverFrom).toMatchObject({ pid: 77, host: 'container-3f9a1c' });
  expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, host: os.hostname() });
  attempt.lock.release();
});

test("another host's lock refreshed within the stale window is still respected", () => {
  const file = lockPath(dir);
  writeFileSync(file, JSON.stringify({ pid: 77, host: 'container-3f9a1c', startedAt: '2026-01-01T03:00:00.000Z', command: 'sync' }));
  ageLock(file, LOCK_STALE_MS - 60_000);
  const attempt = acquireRunLock(dir, 'sync');
  expect(attempt.acquired).toBe(false);
});

test('the holder refreshes its lock while it runs, so an old start never makes a live run look stale', async () => {
  const h = holder(100);
  try {
    await h.ready;
    expect(h.lines[0]).toBe('locked');
    const file = lockPath(dir);
    // As if it had not been refreshed for an hour (a long run, or a clock far behind).
    ageLock(file, 3_600_000);
    await expect.poll(() => Date.now() - statSync(file).mtimeMs, { timeout: 5_000 }).toBeLessThan(10_000);
    // Fresh again: no other run takes it, even though its pid is only this host's.
    expect(acquireRunLock(dir, 'sync').acquired).toBe(false);
  } finally {
    h.child.kill('SIGKILL');
    await exited(h.child);
  }
});

test('a holder whose lock was taken over stops refreshing it and is told it lost it', async () => {
  const h = holder(100);
  try {
    await h.ready;
    const file = lockPath(dir);
    // Someone judged it stale (a suspended machine) and took over: the file is theirs now.
    const theirs = JSON.stringify({ pid: 4242, host: 'other-vm', startedAt: new Date().toISOString(), command: 'sync' });
    rmSync(file);
    writeFileSync(file, theirs);
    ageLock(file, 3_600_000);
    await expect.poll(() => h.lines.includes('lost'), { timeout: 5_000 }).toBe(true);
    // Never refreshed, never removed: it is not ours.
    expect(readFileSync(file, 'utf8')).toBe(theirs);
    expect(Date.now() - statSync(file).mtimeMs).toBeGreaterThan(3_000_000);
  } finally {
    h.child.kill('SIGKILL');
    await exited(h.child);
  }
});

test('refusals by the same lock are counted from the first; another holder starts over; taking the lock clears them', () => {
  const holderA = { pid: 10, host: 'vm-a', startedAt: '2026-01-01T03:00:00.000Z' };
  const holderB = { pid: 11, host: 'vm-a', startedAt: '2026-01-02T03:00:00.000Z' };
  const t0 = Date.parse('2026-01-01T04:00:00Z');
  const hour = 3_600_000;
  expect(noteRefusal(dir, holderA, new Date(t0))).toMatchObject({ sinceMs: t0, count: 1 });
  expect(noteRefusal(dir, holderA, new Date(t0 + 25 * hour))).toMatchObject({ sinceMs: t0, count: 2 });
  // Another run holds it now: that one has not been refusing us for 25 h.
  expect(noteRefusal(dir, holderB, new Date(t0 + 26 * hour))).toMatchObject({ sinceMs: t0 + 26 * hour, count: 1 });
  clearRefusals(dir);
  expect(noteRefusal(dir, holderB, new Date(t0 + 27 * hour))).toMatchObject({ sinceMs: t0 + 27 * hour, count: 1 });
  clearRefusals(dir);
  expect(existsSync(path.join(dir, 'lock-refused.json'))).toBe(false);
});
