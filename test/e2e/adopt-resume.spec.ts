// kill -9 during a gphotos-sync adoption against a slow replica, then a rerun: the ids mapped
// before the kill are not mapped again, the rest are, and the index holds each id, item and
// file exactly once.
import path from 'node:path';
import { cleanEnv, runCli, spawnCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import type { Replica } from '../replica/index.js';
import { buildGphotosSyncBackup, localYearMonth, openIndexReadOnly, type SyncRowSpec } from './adopt-fixtures.js';

const ITEMS = 14;
const PAGES = 2;

test.use({ replicaOptions: { library: { synthetic: ITEMS }, latencyMs: 250 } });

function adoptedIds(root: string): string[] {
  try {
    const db = openIndexReadOnly(root);
    try {
      return db.prepare(`SELECT source_id FROM adoptions WHERE status = 'adopted'`).pluck().all() as string[];
    } finally {
      db.close();
    }
  } catch {
    return [];
  }
}

async function quiet(replica: Replica, forMs: number): Promise<void> {
  let last = -1;
  let since = Date.now();
  while (Date.now() - since < forMs) {
    if (replica.counters.total !== last) {
      last = replica.counters.total;
      since = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('kill -9 mid-adoption, rerun: nothing mapped twice, everything mapped in the end', async ({ replica, workDir, profileDir }) => {
  const rows: SyncRowSpec[] = replica.items.map((item) => ({
    remoteId: item.apiId,
    path: `photos/${localYearMonth(item)}`,
    fileName: item.fileName,
    mimeType: item.kind === 'video' ? 'video/mp4' : 'image/jpeg',
    createMs: item.takenMs,
    bytes: Buffer.from(`the Library API's copy of ${item.fileName}`),
  }));
  const root = path.join(workDir, 'gphotos');
  buildGphotosSyncBackup(root, rows);
  const args = ['adopt', '--from-gphotos-sync', root, '--keep', '--concurrency', String(PAGES), '--profile', profileDir, '--base-url', replica.baseUrl, '--json'];

  const child = spawnCli(args, { env: cleanEnv() });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await expect.poll(() => adoptedIds(root).length, { timeout: 90_000, intervals: [100] }).toBeGreaterThanOrEqual(3);
  child.kill('SIGKILL');
  await exited;
  expect(stderr).not.toMatch(/unexpected error/);
  const before = adoptedIds(root);
  expect(before.length).toBeLessThan(ITEMS);

  // What the killed run recorded is whole: each adopted id has its item and its file, once.
  let db = openIndexReadOnly(root);
  try {
    expect(db.prepare('SELECT COUNT(*) FROM items').pluck().get()).toBe(before.length);
    expect(db.prepare('SELECT COUNT(*) FROM files').pluck().get()).toBe(before.length);
  } finally {
    db.close();
  }

  // The killed run's orphaned Chromium may still have a request in flight: let the replica go quiet first.
  await quiet(replica, 1_000);
  replica.resetCounters();
  const rerun = await runCli([...args, '-v']);
  expect(rerun.code, rerun.stderr).toBe(0);
  if (replica.counters.pages !== PAGES + (ITEMS - before.length)) console.log(rerun.stderr);
  const report = JSON.parse(rerun.stdout);
  expect(report).toMatchObject({ listed: ITEMS, mapped: ITEMS, adopted: ITEMS, failed: 0, unknown: 0, pending: 0, mappedThisRun: ITEMS - before.length });
  // One library page per browser page, then one /photo/ page per id still to map: none twice.
  expect(replica.counters.pages).toBe(PAGES + (ITEMS - before.length));

  db = openIndexReadOnly(root);
  try {
    const mapped = db.prepare(`SELECT source_id, media_key FROM adoptions WHERE source = 'gphotos-sync'`).all() as { source_id: string; media_key: string }[];
    expect(mapped.length).toBe(ITEMS);
    for (const row of mapped) expect(row.media_key).toBe(replica.items.find((i) => i.apiId === row.source_id)!.mediaKey);
    expect(db.prepare('SELECT COUNT(DISTINCT media_key) FROM files').pluck().get()).toBe(ITEMS);
    expect(db.prepare('SELECT COUNT(*) FROM files').pluck().get()).toBe(ITEMS);
    expect(db.prepare(`SELECT COUNT(*) FROM items WHERE state = 'done'`).pluck().get()).toBe(ITEMS);
  } finally {
    db.close();
  }
});
