// Know before you fetch (issue 16): `sync --dry-run` lists each item it would download (local
// date taken, name, size; --json as JSON lines) and the total; `--since`/`--until` restrict a run
// to the items taken in a period, listing and downloading; `--recheck FROM..TO` lists a period
// from scratch and fetches what the backup lacks in it. The real CLI against the replica.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { sampleLibrary } from '../replica/index.js';
import { readIndex, sync, walk } from './sync-helpers.js';
import { openIndex } from '../../src/store/database.js';

test.use({ replicaOptions: { library: sampleLibrary(), latencyMs: 5 } });

const H = 3_600_000;

/** Local calendar month of an item, as the folder layout files it. */
const localMonth = (item: { takenMs: number; tzOffsetMs: number }) => new Date(item.takenMs + item.tzOffsetMs).toISOString().slice(0, 7);

test('--dry-run lists each item it would download with its date, name and size, and the total; --json gives JSON lines; nothing is written', async ({ replica, outDir, profileDir }) => {
  const human = await runCli(['sync', '--dry-run', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(human.code, human.stderr).toBe(0);
  const lines = human.stdout.trim().split('\n');
  expect(lines).toHaveLength(replica.items.length);
  const dscn = replica.items.find((i) => i.fileName === 'DSCN0010.jpg')!;
  const when = new Date(dscn.takenMs + dscn.tzOffsetMs).toISOString().slice(0, 16).replace('T', ' ');
  expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${when}\\s+\\d+\\.\\d+ kB\\s+DSCN0010\\.jpg$`)));
  expect(human.stderr).toMatch(new RegExp(`Dry run: found ${replica.items.length} \\(${replica.items.length} new\\) · already had 0 · would download ${replica.items.length} \\([\\d.]+ MB[^)]*\\)\\. Nothing was written\\.`));
  expect(existsSync(outDir)).toBe(false);

  const json = await runCli(['sync', '--dry-run', '--json', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(json.code).toBe(0);
  const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const summary = records.pop();
  expect(records).toHaveLength(replica.items.length);
  for (const item of replica.items) {
    // The size Google lists (a plain photo or video: its file's; edited and Live items as Google counts them, or unknown).
    const record = records.find((r) => r.mediaKey === item.mediaKey);
    expect(record).toMatchObject({ takenAt: new Date(item.takenMs + item.tzOffsetMs).toISOString().slice(0, 19), fileName: item.fileName, state: 'new' });
    if (!item.edited && item.kind !== 'live') expect(record.bytes).toBe(replica.expectedFiles(item.mediaKey).find((f) => f.role === 'main')!.bytes);
    else expect(record.bytes === null || typeof record.bytes === 'number').toBe(true);
  }
  const known = records.filter((r) => r.bytes !== null);
  expect(summary).toMatchObject({ dryRun: true, found: replica.items.length, wouldDownload: { items: replica.items.length, bytes: known.reduce((n, r) => n + r.bytes, 0), unknownSize: records.length - known.length } });
  expect(existsSync(outDir)).toBe(false);
});

test('--since/--until restrict listing and downloading to the items taken in that period, by the local date they were taken', async ({ replica, outDir, profileDir }) => {
  // 23:30 on 31 October in UTC, but 01:30 on 1 November where it was taken: not October's.
  const lateNight = replica.addItem({ sample: 'Nikon_D70.jpg', fileName: 'NOVEMBER_LOCAL.JPG', takenMs: Date.UTC(2008, 9, 31, 23, 30), tzOffsetMs: 2 * H, uploadedMs: Date.UTC(2008, 11, 1) });
  const inPeriod = replica.items.filter((i) => localMonth(i) >= '2008-05' && localMonth(i) <= '2008-10');
  expect(inPeriod.length).toBeGreaterThan(5);
  expect(inPeriod).not.toContainEqual(lateNight);

  const dry = await runCli(['sync', '--dry-run', '--since', '2008-05', '--until', '2008-10', '--json', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(dry.code, dry.stderr).toBe(0);
  const listed = dry.stdout.trim().split('\n').map((l) => JSON.parse(l));
  listed.pop();
  expect(listed.map((r) => r.mediaKey).sort()).toEqual(inPeriod.map((i) => i.mediaKey).sort());

  const run = await sync(replica, outDir, profileDir, ['--since', '2008-05', '--until', '2008-10']);
  expect(run.code, run.stderr).toBe(0);
  expect(run.summary).toMatchObject({ found: inPeriod.length, new: inPeriod.length, downloaded: inPeriod.length, period: { from: '2008-05-01', to: '2008-11-01' } });
  expect(run.stderr).toContain('Items taken 2008-05-01 – 2008-10-31: found');
  // Only the period is in the index and on disk, and only its items were downloaded.
  readIndex(outDir, (index) => {
    for (const item of replica.items) expect(index.item(item.mediaKey)?.state, item.fileName).toBe(inPeriod.includes(item) ? 'done' : undefined);
  });
  expect(walk(outDir).every((f) => f.startsWith('2008/05/') || f.startsWith('2008/10/')), walk(outDir).join(', ')).toBe(true);
  expect(Object.keys(replica.counters.downloads).filter((k) => !inPeriod.some((i) => i.mediaKey === k))).toEqual([]);

  const bad = await runCli(['sync', '--since', '2008-13', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--since "2008-13" is not a date');
});

test('--recheck FROM..TO lists the period from scratch and fetches what is missing in it: an item never listed, a kept file gone from disk, a parked item; nothing outside it', async ({ replica, outDir, profileDir }) => {
  expect((await sync(replica, outDir, profileDir)).code).toBe(0);
  const october = replica.items.filter((i) => localMonth(i) === '2008-10');
  // A kept file lost from disk, an item Google has that the index never listed, and one outside the period.
  const lost = readIndex(outDir, (index) => index.files(october[2].mediaKey).find((f) => f.role === 'main')!.rel_path);
  rmSync(path.join(outDir, lost));
  const unseen = replica.addItem({ sample: 'gps__DSCN0040.jpg', fileName: 'FOUND_LATER.jpg', takenMs: Date.UTC(2008, 9, 5, 12), tzOffsetMs: 0, uploadedMs: Date.UTC(2008, 9, 6) });
  const outside = replica.addItem({ sample: 'Canon_40D.jpg', fileName: 'OUTSIDE.jpg', takenMs: Date.UTC(2015, 0, 5, 12), tzOffsetMs: 0, uploadedMs: Date.UTC(2015, 0, 6) });
  const db = openIndex(outDir);
  try {
    // The index knows the outside item as pending: the recheck must leave it for a whole run.
    db.prepare(`INSERT INTO items (media_key, taken_ms, tz_offset_ms, first_seen_ms, seen_ms, state) VALUES (?, ?, 0, 0, 0, 'pending')`).run(outside.mediaKey, outside.takenMs);
    db.prepare(`UPDATE items SET state = 'failed', parked_ms = 1, failed_runs = 3, last_error = 'HTTP 500' WHERE media_key = ?`).run(october[4].mediaKey);
  } finally {
    db.close();
  }
  rmSync(path.join(outDir, readIndex(outDir, (index) => index.files(october[4].mediaKey).find((f) => f.role === 'main')!.rel_path)));
  const uploadsBefore = replica.counters.rpc.EzkLib ?? 0;

  const recheck = await sync(replica, outDir, profileDir, ['--recheck', '2008-10..2008-10']);
  expect(recheck.code, recheck.stderr).toBe(0);
  expect(recheck.summary).toMatchObject({ recheck: { missingFiles: 1, requeued: 1, unparked: 1 }, new: 1 });
  expect(recheck.stderr).toContain('Recheck: 1 kept file(s) were missing from disk (1 item(s) fetched again), 1 parked item(s) tried again.');
  // Listed by date taken from the period's end: no upload listing.
  expect(replica.counters.rpc.EzkLib ?? 0).toBe(uploadsBefore);
  expect(existsSync(path.join(outDir, lost))).toBe(true);
  readIndex(outDir, (index) => {
    expect(index.item(unseen.mediaKey)?.state).toBe('done');
    expect(index.item(october[4].mediaKey)).toMatchObject({ state: 'done', parked_ms: null });
    expect(index.item(outside.mediaKey)?.state).toBe('pending');
  });
  expect(readdirSync(path.join(outDir, '2008', '10'))).toContain('FOUND_LATER.jpg');
  expect(replica.counters.downloads[outside.mediaKey]).toBeUndefined();
});
