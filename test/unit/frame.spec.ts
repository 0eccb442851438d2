// runInFrame around bodies that do real work on a real index in a real folder, with a local
// healthchecks server: pings (order, rid, body, exit code), lock contention, exit codes for
// each way a run can end, the runs table, the report file and the metrics file.
import { test, expect } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import pino from 'pino';
import { SignedOutError, SiteChangedError } from '../../src/errors.js';
import { type FrameContext, type FrameHooks, runInFrame } from '../../src/run/frame.js';
import { openIndex, stateDir } from '../../src/store/database.js';
import { type DownloadEnv, placeTransferred } from '../../src/download/item.js';
import { PathPlanner } from '../../src/folder/planner.js';
import { countByState, getItem, markFailed, upsertItems } from '../../src/store/items.js';
import { filesOf, recordDownloaded } from '../../src/store/files.js';
import { recentRuns } from '../../src/store/runs.js';
import type { RemoteItem } from '../../src/model/remote-item.js';
import { closedPort, startPingServer, type PingServer } from '../helpers/ping-server.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/src/run/lock.js', import.meta.url));
const SECRET = 'fqOOd6-F4MMNuCEnzTU01w/nightly-photos';

let work: string;
let out: string;
let server: PingServer;
test.beforeEach(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-frame-'));
  out = path.join(work, 'backup');
  server = await startPingServer();
});
test.afterEach(async () => {
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

function item(n: number): RemoteItem {
  return { mediaKey: `AF1QipKey${n}`, dedupKey: `d${n}`, takenMs: Date.UTC(2024, 0, n + 1), tzOffsetMs: 0, uploadedMs: null, width: 10, height: 10, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null };
}

function context(extra: Partial<FrameContext> = {}): { ctx: FrameContext; stderr: () => string; logs: () => string } {
  let err = '';
  let logText = '';
  const stderr = new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) });
  const logStream = new Writable({ write: (c, _e, cb) => ((logText += String(c)), cb()) });
  const ctx: FrameContext = {
    outDir: out,
    command: 'sync',
    logger: pino({ level: 'debug' }, logStream),
    stderr,
    signal: new AbortController().signal,
    healthcheckUrl: `${server.origin}/ping/${SECRET}`,
    metricsFile: path.join(work, 'textfile', 'gphotos_keep.prom'),
    interactive: false,
    reportOptions: { out, concurrency: 3 },
    healthcheck: { minDelayMs: 10, timeoutMs: 2_000 },
    ...extra,
  };
  return { ctx, stderr: () => err, logs: () => logText };
}

/** A body doing real index work: lists `n` items, "downloads" the first `ok`, fails the rest. */
function indexBody(n: number, ok: number) {
  return async (hooks: FrameHooks) => {
    const db = openIndex(out);
    try {
      const items = Array.from({ length: n }, (_, i) => item(i));
      const { inserted } = upsertItems(db, items);
      hooks.progress({ type: 'listing', found: n, new: inserted, done: true });
      hooks.progress({ type: 'queue', total: n });
      const errors: { mediaKey: string; error: string }[] = [];
      for (const [i, it] of items.entries()) {
        if (i < ok) {
          const rel = `2024/01/IMG_${i}.jpg`;
          writeFileSync(path.join(out, `IMG_${i}.jpg`), 'x'.repeat(100));
          recordDownloaded(db, it.mediaKey, [{ mediaKey: it.mediaKey, role: 'main', relPath: rel, bytes: 100, sha256: 'ab'.repeat(32) }]);
          hooks.progress({ type: 'downloaded', mediaKey: it.mediaKey, bytes: 100 });
        } else {
          markFailed(db, it.mediaKey, 'download answered HTTP 500');
          errors.push({ mediaKey: it.mediaKey, error: 'download answered HTTP 500' });
          hooks.progress({ type: 'failed', mediaKey: it.mediaKey, error: 'download answered HTTP 500' });
        }
      }
      const summary = { found: n, new: inserted, downloaded: ok, skipped: 0, deferred: 0, failed: n - ok, bytes: ok * 100, seconds: 0.1, errors };
      return { outcome: n === ok ? ('Complete' as const) : ('Partial' as const), summary };
    } finally {
      db.close();
    }
  };
}

function metricValue(file: string, name: string, labels: Record<string, string> = {}): number {
  const family = parsePrometheusTextFormat(readFileSync(file, 'utf8')).find((f) => f.name === name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!sample) throw new Error(`no ${name} ${JSON.stringify(labels)}`);
  return Number(sample.value);
}

test('complete run: /start then /0 with one rid and a summary body; runs row, report and metrics written; lock released', async () => {
  const { ctx, stderr, logs } = context();
  const outcome = await runInFrame(ctx, indexBody(3, 3));
  expect(outcome.exitCode).toBe(0);

  expect(server.pings.map((p) => p.path)).toEqual([`/ping/${SECRET}/start`, `/ping/${SECRET}/0`]);
  const rid = server.pings[0].query.get('rid');
  expect(rid).toMatch(/^[0-9a-f-]{36}$/);
  expect(server.pings[1].query.get('rid')).toBe(rid);
  const body = server.pings[1].body;
  expect(body).toContain('gphotos-keep sync: completed (exit 0)');
  expect(body).toContain('found 3, new 3, downloaded 3 (300 B), skipped 0, deferred 0, failed 0');
  expect(body).toMatch(/took \d+s/);
  expect(body).toContain('index: pending 0, done 3, failed 0');
  expect(Buffer.byteLength(body)).toBeLessThanOrEqual(10_000);

  const db = openIndex(out, { readonly: true });
  const [run] = recentRuns(db, 10);
  db.close();
  expect(run).toMatchObject({ command: 'sync', exit_code: 0, found: 3, new: 3, downloaded: 3, failed: 0, bytes: 300 });
  expect(run.ended_ms).toBeGreaterThanOrEqual(run.started_ms);

  const reports = readdirSync(path.join(stateDir(out), 'runs'));
  expect(reports).toHaveLength(1);
  expect(reports[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z\.json$/);
  expect(outcome.reportFile).toBe(path.join(stateDir(out), 'runs', reports[0]));
  const report = JSON.parse(readFileSync(outcome.reportFile!, 'utf8'));
  expect(report).toMatchObject({ version: 1, command: 'sync', exitCode: 0, outcome: 'completed', counts: { found: 3, downloaded: 3, bytes: 300 }, index: { items: { done: 3 }, files: 3, bytes: 300 }, error: null });

  const prom = ctx.metricsFile!;
  expect(metricValue(prom, 'gphotos_keep_last_run_exit_code')).toBe(0);
  expect(metricValue(prom, 'gphotos_keep_last_success_timestamp_seconds')).toBe(run.ended_ms! / 1000);
  expect(metricValue(prom, 'gphotos_keep_items', { state: 'done' })).toBe(3);
  expect(metricValue(prom, 'gphotos_keep_bytes')).toBe(300);

  expect(existsSync(path.join(stateDir(out), 'lock'))).toBe(false);
  // The URL is a secret: not in stderr, the logs, the report or the metrics.
  for (const text of [stderr(), logs(), readFileSync(outcome.reportFile!, 'utf8'), readFileSync(prom, 'utf8')]) {
    expect(text).not.toContain('fqOOd6');
    expect(text).not.toContain(server.origin);
  }
});

test('partial run: exit 3 in the ping path, the first errors in its body, failing items in the index', async () => {
  const { ctx } = context();
  const outcome = await runInFrame(ctx, indexBody(4, 2));
  expect(outcome.exitCode).toBe(3);
  expect(server.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '3']);
  const body = server.pings[1].body;
  expect(body).toContain('gphotos-keep sync: partial: 2 failed (exit 3)');
  expect(body).toContain('first errors (2 of 2):');
  expect(body).toContain('AF1QipKey2: download answered HTTP 500');
  expect(body).toContain('AF1QipKey3: download answered HTTP 500');
  expect(metricValue(ctx.metricsFile!, 'gphotos_keep_last_success_timestamp_seconds')).toBe(0);
  expect(metricValue(ctx.metricsFile!, 'gphotos_keep_last_run_items', { result: 'failed' })).toBe(2);
});

test('a stopping error decides the exit code: signed out 4, site changed 5; the counts so far still reach the report', async () => {
  for (const [error, code] of [
    [new SignedOutError(), 4],
    [new SiteChangedError('signed-in pages embed window.WIZ_global_data', 'not found on /'), 5],
  ] as const) {
    server.pings.length = 0;
    const { ctx, stderr } = context();
    const outcome = await runInFrame(ctx, async (hooks) => {
      hooks.progress({ type: 'listing', found: 7, new: 7 });
      hooks.progress({ type: 'downloaded', mediaKey: 'AF1QipA', bytes: 1234 });
      throw error;
    });
    expect(outcome.exitCode).toBe(code);
    expect(stderr()).toContain(error.message);
    expect(server.pings.map((p) => p.path.split('/').pop())).toEqual(['start', String(code)]);
    expect(server.pings[1].body).toContain(`stopped: ${error.message}`);
    expect(outcome.report).toMatchObject({ exitCode: code, error: error.message, counts: { found: 7, downloaded: 1, bytes: 1234 } });
    const db = openIndex(out, { readonly: true });
    expect(recentRuns(db, 1)[0]).toMatchObject({ exit_code: code, found: 7, downloaded: 1 });
    db.close();
  }
});

test('out of disk space is exit 1 with a clear message, and nothing partial is recorded', async () => {
  // A real full disk: the backup folder is a small tmpfs of its own, filled to the last byte
  // after the item's download arrived, and the body places that download the way a sync does
  // (.part, hash, plan, rename, record). The disk gives out inside the product's own steps, so
  // a step that recorded a file before its bytes were safe, or left a file the index does not
  // know, fails this test. Mounting needs root, which this project's machines run tests as.
  mkdirSync(out, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', out]);
  } catch (error) {
    test.skip(true, `needs root to mount a tmpfs: ${(error as Error).message}`);
  }
  try {
    const it = item(1);
    const place = (body: Buffer, fill: boolean) => async () => {
      const db = openIndex(out);
      try {
        upsertItems(db, [it]);
        const tmp = path.join(stateDir(out), 'tmp');
        mkdirSync(tmp, { recursive: true });
        const downloaded = path.join(tmp, 'download');
        writeFileSync(downloaded, body);
        if (fill) fillDisk(path.join(out, 'filler'));
        const env: DownloadEnv = {
          outDir: out,
          tmpDir: tmp,
          baseUrl: 'http://127.0.0.1:9',
          db,
          planner: new PathPlanner(out, db),
          logger: pino({ level: 'silent' }),
          timeouts: { transferFloorMs: 1000, slowBytesPerSecond: 1000 } as DownloadEnv['timeouts'],
          inspector: null,
          extractLive: null,
          itemInfo: null,
        };
        await placeTransferred(env, getItem(db, it.mediaKey)!, { main: { path: downloaded, suggested: 'IMG_1.jpg' }, original: null, info: null });
        return { outcome: 'Complete' as const, summary: {} };
      } finally {
        db.close();
      }
    };
    const body = Buffer.alloc(64 * 1024, 7);
    const { ctx, stderr } = context();
    const outcome = await runInFrame(ctx, place(body, true));
    expect(outcome.exitCode).toBe(1);
    // A write error carries no path: the message names the backup folder.
    expect(stderr()).toContain(`Out of disk space writing ${out} (SQLITE_FULL). Nothing partial was recorded; free space on the disk holding ${out}, then run again.`);
    expect(server.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '1']);
    let db = openIndex(out, { readonly: true });
    expect(countByState(db)).toMatchObject({ pending: 1, done: 0 });
    expect(filesOf(db, it.mediaKey)).toEqual([]);
    db.close();
    // Nothing of the item is left in the layout: no `.part`, no final file the index does not know.
    expect(readdirSync(out, { recursive: true }).map(String).filter((f) => !f.startsWith('.gphotos-keep') && f !== 'filler' && !/^\d{4}(\/\d{2})?$/.test(f))).toEqual([]);

    // Space freed, the same download again: recorded once, its bytes in place.
    rmSync(path.join(out, 'filler'));
    const again = await runInFrame(context().ctx, place(body, false));
    expect(again.exitCode).toBe(0);
    db = openIndex(out, { readonly: true });
    expect(countByState(db)).toMatchObject({ pending: 0, done: 1 });
    const files = filesOf(db, it.mediaKey);
    db.close();
    expect(files.map((f) => f.rel_path)).toEqual(['2024/01/IMG_1.jpg']);
    expect(readFileSync(path.join(out, files[0].rel_path)).equals(body)).toBe(true);
  } finally {
    execFileSync('umount', [out]);
  }
});

/** Writes `file` until the disk holding it has not one byte left. */
function fillDisk(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (let chunk = 1 << 20; chunk >= 1; chunk = Math.floor(chunk / 2)) {
      const data = Buffer.alloc(chunk);
      for (;;) {
        try {
          if (writeSync(fd, data) < chunk) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

test('--out that is a file: exit 2 naming it, pinged as a failure', async () => {
  writeFileSync(out, 'not a folder');
  const { ctx, stderr } = context();
  let ran = false;
  const outcome = await runInFrame(ctx, async () => {
    ran = true;
    return { outcome: 'Complete', summary: {} };
  });
  expect(ran).toBe(false);
  expect(outcome.exitCode).toBe(2);
  expect(stderr()).toContain(`--out ${out} is not a folder`);
  expect(server.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '2']);
});

test('another run holds the folder: exit 0 with its pid, no pings, the body never runs, its lock untouched', async () => {
  const { ctx, stderr } = context();
  // First run sets the folder up.
  await runInFrame(ctx, indexBody(1, 1));
  server.pings.length = 0;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', `
    import { acquireRunLock } from ${JSON.stringify(LOCK_JS)};
    const a = acquireRunLock(${JSON.stringify(stateDir(out))}, 'sync');
    process.stdout.write(a.acquired ? 'locked\\n' : 'no\\n');
    setTimeout(() => {}, 60000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const lockBefore = readFileSync(path.join(stateDir(out), 'lock'), 'utf8');
    let ran = false;
    const outcome = await runInFrame(ctx, async () => {
      ran = true;
      return { outcome: 'Complete', summary: {} };
    });
    expect(ran).toBe(false);
    expect(outcome.exitCode).toBe(0);
    expect(outcome.lockedBy?.pid).toBe(holder.pid);
    expect(stderr()).toContain(`another run is in progress (pid ${holder.pid}`);
    expect(server.pings).toEqual([]);
    expect(readFileSync(path.join(stateDir(out), 'lock'), 'utf8')).toBe(lockBefore);
    expect(readdirSync(path.join(stateDir(out), 'runs'))).toHaveLength(1);
  } finally {
    holder.kill('SIGKILL');
  }
});

test('an unreachable healthcheck server leaves the result unchanged', async () => {
  const reachable = await runInFrame(context().ctx, indexBody(3, 2));
  rmSync(out, { recursive: true, force: true });
  const port = await closedPort();
  const { ctx, logs } = context({ healthcheckUrl: `http://127.0.0.1:${port}/ping/${SECRET}` });
  const unreachable = await runInFrame(ctx, indexBody(3, 2));
  expect(unreachable.exitCode).toBe(reachable.exitCode);
  expect(unreachable.exitCode).toBe(3);
  expect(unreachable.pings.start).toMatchObject({ ok: false, tries: 3 });
  expect(unreachable.pings.end).toMatchObject({ ok: false, tries: 3 });
  expect(unreachable.reportFile).not.toBeNull();
  expect(logs()).toContain('healthcheck ping failed; the run goes on');
  expect(logs()).not.toContain('fqOOd6');
});

test('dry run: no pings, no lock, no index, no report, no metrics', async () => {
  const { ctx } = context({ dryRun: true });
  const outcome = await runInFrame(ctx, async (hooks) => {
    expect(hooks.runId).toBeNull();
    return { outcome: 'Complete', summary: { found: 2 } };
  });
  expect(outcome.exitCode).toBe(0);
  expect(server.pings).toEqual([]);
  expect(existsSync(out)).toBe(false);
  expect(existsSync(ctx.metricsFile!)).toBe(false);
});
