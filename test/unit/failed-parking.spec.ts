// Parking on a real SQLite index: the count of failed runs, parking at --park-after, what the
// queue skips, what clears the count (a kept download, --retry-failed), deferrals never
// counting, an index from before parking (migrated, or read as it is by `status`), and the
// ping body's capped list.
import { test, expect } from '@playwright/test';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pingBody, type ParkedList, type RunReport } from '../../src/run/report.js';
import { readStatus } from '../../src/run/status.js';
import { type Db, indexPath, openIndex } from '../../src/store/database.js';
import { recordDownloaded } from '../../src/store/files.js';
import { getItem, markDeferred, markFailed, nextPending, unparkFailed, upsertItems } from '../../src/store/items.js';
import { migrations } from '../../src/store/migrations.js';
import { failingItems, parkedItems } from '../../src/store/stats.js';
import type { RemoteItem } from '../../src/model/remote-item.js';

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-parking-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

function item(n: number): RemoteItem {
  return { mediaKey: `AF1QipPark${String(n).padStart(34, '0')}`, dedupKey: null, takenMs: Date.UTC(2022, 0, n), tzOffsetMs: 0, uploadedMs: null, width: 4, height: 3, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null };
}

const keys = (db: Db): string[] => nextPending(db, 100, new Set(), Number.MAX_SAFE_INTEGER).map((r) => r.media_key);

test('an item is parked by the run that makes it fail --park-after runs; the queue skips it; --retry-failed gives it a fresh count', () => {
  const db = openIndex(dir);
  try {
    const [a, b] = [item(1), item(2)];
    upsertItems(db, [a, b]);
    expect(markFailed(db, a.mediaKey, 'HTTP 503', 1_000, 3)).toEqual({ failedRuns: 1, parked: false });
    expect(markFailed(db, a.mediaKey, 'HTTP 503', 2_000, 3)).toEqual({ failedRuns: 2, parked: false });
    expect(keys(db)).toContain(a.mediaKey);
    expect(markFailed(db, a.mediaKey, 'the download was 10 bytes short', 3_000, 3)).toEqual({ failedRuns: 3, parked: true });
    expect(getItem(db, a.mediaKey)).toMatchObject({ state: 'failed', last_error: 'the download was 10 bytes short', failed_runs: 3, parked_ms: 3_000, attempts: 3 });
    expect(keys(db)).toEqual([b.mediaKey]);
    expect(parkedItems(db).total).toBe(1);
    expect(failingItems(db).total).toBe(0);

    expect(unparkFailed(db)).toBe(1);
    expect(getItem(db, a.mediaKey)).toMatchObject({ state: 'failed', failed_runs: 0, parked_ms: null, last_error: 'the download was 10 bytes short' });
    expect(keys(db)).toContain(a.mediaKey);
    expect(markFailed(db, a.mediaKey, 'HTTP 503', 4_000, 3)).toEqual({ failedRuns: 1, parked: false });
    expect(failingItems(db).items.map((f) => f.media_key)).toEqual([a.mediaKey]);
  } finally {
    db.close();
  }
});

test('deferrals never count towards parking; without --park-after nothing is parked', () => {
  const db = openIndex(dir);
  try {
    const [video, other] = [item(3), item(4)];
    upsertItems(db, [video, other]);
    for (let run = 0; run < 5; run++) markDeferred(db, video.mediaKey, 'Video is still processing');
    expect(getItem(db, video.mediaKey)).toMatchObject({ state: 'deferred', failed_runs: 0, parked_ms: null });
    for (let run = 0; run < 5; run++) expect(markFailed(db, other.mediaKey, 'HTTP 500').parked).toBe(false);
    expect(keys(db).sort()).toEqual([video.mediaKey, other.mediaKey].sort());
  } finally {
    db.close();
  }
});

test('an item kept by any path is done with its failure count and parking cleared', () => {
  const db = openIndex(dir);
  try {
    const a = item(5);
    upsertItems(db, [a]);
    markFailed(db, a.mediaKey, 'HTTP 500', 1_000, 2);
    markFailed(db, a.mediaKey, 'HTTP 500', 2_000, 2);
    expect(getItem(db, a.mediaKey)?.parked_ms).toBe(2_000);
    const bytes = Buffer.from('kept');
    recordDownloaded(db, a.mediaKey, [{ mediaKey: a.mediaKey, role: 'main', relPath: '2022/01/IMG_5.jpg', bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }], { fileName: 'IMG_5.jpg' });
    expect(getItem(db, a.mediaKey)).toMatchObject({ state: 'done', failed_runs: 0, parked_ms: null });
    expect(parkedItems(db).total).toBe(0);
  } finally {
    db.close();
  }
});

/** An index as gphotos-keep wrote it before parking existed (schema 3), with one failed item. */
function oldIndex(key: string): void {
  mkdirSync(path.dirname(indexPath(dir)), { recursive: true });
  const old = new Database(indexPath(dir));
  for (const step of migrations.slice(0, 3)) old.exec(step);
  old.pragma('user_version = 3');
  old.prepare(`INSERT INTO items (media_key, taken_ms, first_seen_ms, seen_ms, state, attempts, last_error) VALUES (?, 0, 0, 0, 'failed', 2, 'HTTP 500')`).run(key);
  old.close();
}

test('an index from before parking: status reads it as it is (read-only, unmigrated), and the next sync counts its failed items as one failed run', () => {
  const key = item(6).mediaKey;
  oldIndex(key);
  const status = readStatus(dir, { checkDisk: false });
  expect(status.parked).toEqual({ total: 0, items: [] });
  expect(status.failing.items.map((f) => f.mediaKey)).toEqual([key]);

  const db = openIndex(dir);
  try {
    expect(getItem(db, key)).toMatchObject({ state: 'failed', failed_runs: 1, parked_ms: null });
    expect(markFailed(db, key, 'HTTP 500', 5_000, 2)).toEqual({ failedRuns: 2, parked: true });
  } finally {
    db.close();
  }
});

function report(parked: ParkedList | undefined): RunReport {
  return {
    version: 1, command: 'sync', outcome: 'partial: some items failed and will be retried', exitCode: 3,
    startedAt: '2026-01-01T03:00:00.000Z', endedAt: '2026-01-01T03:01:00.000Z', seconds: 60, host: 'h', pid: 1, out: '/b', dryRun: false, options: {},
    counts: { found: 20, new: 0, downloaded: 0, skipped: 5, deferred: 0, failed: 0, bytes: 0 },
    index: null, error: null, errors: [], summary: { parked },
  };
}

test('the ping body names parked items by file name, key and reason, at most ten, then "and N more"', () => {
  const items = Array.from({ length: 12 }, (_, i) => ({ mediaKey: `AF1QipKey${i}`, fileName: i === 0 ? null : `IMG_${i}.jpg`, reason: `HTTP 50${i % 4}\nsecond line`, failedRuns: 3, parkedAt: '2026-01-01T02:00:00.000Z' }));
  const body = pingBody(report({ total: 15, items }));
  expect(body).toContain('parked: 15 item(s) failed run after run, not tried again until `gphotos-keep sync --retry-failed`:');
  expect(body).toContain('  (name not known) (AF1QipKey0): HTTP 500 second line — parked 2026-01-01T02:00:00Z after 3 failed runs');
  expect(body).toContain('  IMG_9.jpg (AF1QipKey9): HTTP 501 second line');
  expect(body).not.toContain('AF1QipKey10');
  expect(body).toContain('  … and 5 more (gphotos-keep status lists them)');
  expect(pingBody(report({ total: 0, items: [] }))).not.toContain('parked');
  expect(pingBody(report(undefined))).not.toContain('parked');
});
