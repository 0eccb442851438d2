// A run whose lock another run took over (it judged the lock stale: this machine was suspended
// for longer than the stale window) stops and fails, so two runs never write at once unnoticed.
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { runInFrame } from '../../src/run/frame.js';
import { stateDir } from '../../src/store/database.js';

let work: string;
test.beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-lost-'));
});
test.afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

test('the lock taken over mid-run: the body is told to stop (its signal aborts) and the run exits 1 saying why', async () => {
  const out = path.join(work, 'backup');
  let err = '';
  const stderr = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
  let sawAbort = false;
  const result = await runInFrame(
    { outDir: out, command: 'sync', logger: pino({ level: 'silent' }), stderr, signal: new AbortController().signal, interactive: false, lockHeartbeatMs: 50 },
    async (hooks) => {
      // Another run took the lock over: the file is its own now.
      const lock = path.join(stateDir(out), 'lock');
      rmSync(lock);
      writeFileSync(lock, JSON.stringify({ pid: 4242, host: 'other-vm', startedAt: new Date().toISOString(), command: 'sync' }));
      const deadline = Date.now() + 3_000;
      while (!hooks.signal.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      sawAbort = hooks.signal.aborted;
      return { outcome: 'Complete', summary: {} };
    },
  );
  expect(sawAbort).toBe(true);
  expect(result.exitCode).toBe(1);
  expect(result.error).toContain('was taken over by another run');
  expect(err).toContain('was taken over by another run');
});
