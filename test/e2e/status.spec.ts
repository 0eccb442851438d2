// `gphotos-keep status` through the built CLI, on an index built with the store's own functions
// and real files on disk: counts, sizes, oldest/newest, the last 10 runs, failing items, and
// that it changes nothing.
import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openIndex, indexPath } from '../../src/store/database.js';
import { recordDownloaded } from '../../src/store/files.js';
import { markDeferred, markFailed, upsertItems } from '../../src/store/items.js';
import { finishRun, startRun } from '../../src/store/runs.js';
import type { RemoteItem } from '../../src/model/remote-item.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

let work: string;
let out: string;
test.beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-status-'));
  out = path.join(work, 'backup');
});
test.afterEach(() => rmSync(work, { recursive: true, force: true }));

const DAY = 86_400_000;
const T0 = Date.UTC(2019, 5, 1, 12, 0, 0);

function item(n: number, tzHours = 0): RemoteItem {
  return { mediaKey: `AF1QipStatus${String(n).padStart(2, '0')}`, dedupKey: null, takenMs: T0 + n * DAY, tzOffsetMs: tzHours * 3_600_000, uploadedMs: null, width: 4, height: 3, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null };
}

function buildIndex(): { runEnds: number[] } {
  const db = openIndex(out);
  const items = [item(0, -7), ...Array.from({ length: 8 }, (_, i) => item(i + 1)), item(20, 2)];
  upsertItems(db, items);
  // Items 0..4 done, each with a real file; item 4's file then goes missing from disk.
  for (let i = 0; i < 5; i++) {
    const rel = `2019/06/IMG_${i}.jpg`;
    const bytes = Buffer.alloc(1000 + i, i);
    mkdirSync(path.join(out, '2019/06'), { recursive: true });
    writeFileSync(path.join(out, rel), bytes);
    recordDownloaded(db, items[i].mediaKey, [{ mediaKey: items[i].mediaKey, role: 'main', relPath: rel, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }], { fileName: `IMG_${i}.jpg` });
  }
  rmSync(path.join(out, '2019/06/IMG_4.jpg'));
  // Two failing items: one failed three times, one once.
  for (let k = 0; k < 3; k++) markFailed(db, items[5].mediaKey, `download answered HTTP 500 (try ${k + 1})`);
  markFailed(db, items[6].mediaKey, 'the download was 512 bytes short');
  markDeferred(db, items[7].mediaKey, 'Video is still processing');
  // Twelve runs, a day apart; status shows the last ten, newest first.
  const runEnds: number[] = [];
  for (let r = 0; r < 12; r++) {
    const started = Date.UTC(2026, 0, 1 + r, 3, 0, 0);
    const id = startRun(db, 'sync', started);
    const ended = started + (60 + r) * 1000;
    finishRun(db, id, { endedMs: ended, exitCode: r === 11 ? 3 : 0, counts: { found: 10, new: r, downloaded: r, skipped: 0, deferred: 1, failed: r === 11 ? 2 : 0, bytes: r * 1000 } });
    runEnds.push(ended);
  }
  db.close();
  return { runEnds };
}

function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      // SQLite's shared-memory and WAL side files are not content.
      else if (!/index\.db-(shm|wal)$/.test(entry.name)) result[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return result;
}

test('status --json: counts by state, sizes recorded and on disk, oldest/newest, last 10 runs, failing items', async () => {
  const { runEnds } = buildIndex();
  const before = snapshot(out);
  const result = await runCli(['status', '--out', out, '--json'], { env: cleanEnv() });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  const s = JSON.parse(result.stdout);
  expect(s.out).toBe(out);
  expect(s.items).toEqual({ done: 5, pending: 2, failed: 2, deferred: 1, gone: 0, total: 10 });
  const recorded = 1000 + 1001 + 1002 + 1003 + 1004;
  expect(s.size).toEqual({ recordedFiles: 5, recordedBytes: recorded, presentFiles: 4, presentBytes: recorded - 1004, missingFiles: 1 });
  // Oldest was taken at 12:00 UTC at UTC-7: 05:00 local.
  expect(s.oldest).toEqual({ mediaKey: 'AF1QipStatus00', fileName: 'IMG_0.jpg', takenAt: '2019-06-01T05:00:00-07:00' });
  expect(s.newest).toEqual({ mediaKey: 'AF1QipStatus20', fileName: null, takenAt: '2019-06-21T14:00:00+02:00' });
  expect(s.runs).toHaveLength(10);
  expect(s.runs[0]).toMatchObject({ command: 'sync', startedAt: '2026-01-12T03:00:00.000Z', seconds: 71, exitCode: 3, outcome: 'partial', found: 10, new: 11, downloaded: 11, failed: 2, bytes: 11000 });
  expect(s.runs[9].startedAt).toBe('2026-01-03T03:00:00.000Z');
  expect(s.lastSuccessAt).toBe(new Date(runEnds[10]).toISOString());
  expect(s.failing.total).toBe(2);
  expect(s.failing.items.map((f: { mediaKey: string; attempts: number; reason: string }) => [f.mediaKey, f.attempts, f.reason])).toEqual([
    ['AF1QipStatus05', 3, 'download answered HTTP 500 (try 3)'],
    ['AF1QipStatus06', 1, 'the download was 512 bytes short'],
  ]);
  expect(s.waiting).toMatchObject({ total: 1, items: [{ mediaKey: 'AF1QipStatus07', reason: 'Video is still processing' }] });
  expect(s.activeRun).toBeNull();
  // Read-only: no file in the backup changed.
  expect(snapshot(out)).toEqual(before);
});

test('status as text: the same facts, readable', async () => {
  buildIndex();
  const result = await runCli(['status', '--out', out], { env: cleanEnv() });
  expect(result.code).toBe(0);
  const text = result.stdout;
  expect(text).toContain(`Backup ${out}`);
  expect(text).toContain('10 in the index: done 5, pending 2, failed 2, deferred 1, gone 0');
  expect(text).toContain('5 files, 5.01 kB recorded; 4 files, 4.01 kB on disk, 1 MISSING');
  expect(text).toContain('Oldest     2019-06-01T05:00:00-07:00  IMG_0.jpg');
  expect(text).toContain('Last 10 runs:');
  expect(text).toMatch(/2026-01-12 03:00:00\s+sync\s+1m11s\s+3\s+10\s+11\s+11\s+0\s+1\s+2\s+11.0 kB\s+partial/);
  expect(text).not.toContain('2026-01-02 03:00:00');
  expect(text).toContain('Failing items (2):');
  expect(text).toContain('AF1QipStatus05  (name not known yet)  3 tries  download answered HTTP 500 (try 3)');
  expect(text).toContain('Waiting (Google is still processing these) (1):');
});

test('a folder without an index: exit 2, saying what to pass; nothing created', async () => {
  mkdirSync(out);
  const result = await runCli(['status', '--out', out], { env: cleanEnv() });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`${out} has no backup index (.gphotos-keep/index.db not found)`);
  expect(result.stderr).toContain('pass --out');
  expect(readdirSync(out)).toEqual([]);

  const missing = await runCli(['status', '--out', path.join(work, 'nope')], { env: cleanEnv() });
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain('does not exist');
});

test('status reads GPHOTOS_KEEP_OUT when --out is not given', async () => {
  buildIndex();
  const result = await runCli(['status', '--json'], { env: cleanEnv({ GPHOTOS_KEEP_OUT: out }) });
  expect(result.code).toBe(0);
  expect(JSON.parse(result.stdout).index).toBe(indexPath(out));
});
