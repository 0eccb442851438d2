// Incremental sync end to end: the built CLI as a child process, real Chromium, the replica,
// a real index and real files. Back-dated uploads and the archive are backed up by default
// runs; deletions in Google keep the files (gone), --prune moves them to the trash, too many
// at once are refused (exit 5); an edit in Google keeps both versions; the rescan schedule.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ReplicaItemSpec } from '../replica/index.js';
import { openIndex } from '../../src/store/database.js';
import { ListingMeta, setMetaMs } from '../../src/store/scan.js';
import { TRASH_DIR, localDate } from '../../src/folder/trash.js';
import { test, expect } from '../helpers/fixtures.js';
import { readIndex, sha256, sync, walk } from './sync-helpers.js';

const DAY = 24 * 3_600_000;
const up = (y: number, mo: number, d: number): number => Date.UTC(y, mo - 1, d, 12, 0, 0);

/** Six plain photos, one of them archived: small and quick to download. */
const smallLibrary: ReplicaItemSpec[] = [
  { sample: 'gps__DSCN0010.jpg', uploadedMs: up(2008, 10, 25) },
  { sample: 'gps__DSCN0021.jpg', uploadedMs: up(2008, 10, 26) },
  { sample: 'Nikon_D70.jpg', uploadedMs: up(2008, 3, 20) },
  { sample: 'mobile__jolla.jpg', fileName: 'IMG_20140921_160056.jpg', uploadedMs: up(2014, 9, 22) },
  { sample: 'Sony_HDR-HC3.jpg', archived: true, uploadedMs: up(2023, 1, 5) },
  { sample: 'long_description.jpg', uploadedMs: up(2006, 1, 2) },
];

test.use({ replicaOptions: { library: smallLibrary } });

/**
 * Which listing a run used, by the replica's counts of the views lcxiM and EzkLib served (every
 * run also reads the Favorites and Archive views, which tell nothing about the listing). The
 * library page's own script loads its grid with one lcxiM call (as the web app does), so a run
 * that lists recent uploads still shows at most that one; a rescan shows no upload listing at all.
 */
function expectListing(views: Record<string, number>, kind: 'incremental' | 'rescan'): void {
  const byTaken = (views['lcxiM:library'] ?? 0) + (views['lcxiM:both'] ?? 0);
  if (kind === 'incremental') {
    expect(views['EzkLib:uploads'] ?? 0).toBe(1);
    expect(byTaken).toBeLessThanOrEqual(1);
  } else {
    expect(views['EzkLib:uploads'] ?? 0).toBe(0);
    expect(byTaken).toBeGreaterThanOrEqual(1);
  }
}

function mainFile(outDir: string, key: string): { rel_path: string; sha256: string } {
  return readIndex(outDir, (index) => index.files(key).find((f) => f.role === 'main')!);
}

test('default runs back up a back-dated upload and a new archived item without a full rescan', async ({ replica, profileDir, outDir }) => {
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);
  expect(first.summary).toMatchObject({ fullRescan: true, downloaded: smallLibrary.length, failed: 0 });
  // The archived item of the library is backed up like any other.
  const archived = replica.items.find((i) => i.archived)!;
  expect(readIndex(outDir, (index) => index.item(archived.mediaKey))).toMatchObject({ state: 'done', archived: 1 });
  expect(sha256(path.join(outDir, mainFile(outDir, archived.mediaKey).rel_path))).toBe(replica.expectedFiles(archived.mediaKey)[0].sha256);

  const backDated = replica.addItem({ sample: 'gps__DSCN0040.jpg', fileName: 'OLD_SCAN.jpg', takenMs: Date.UTC(2009, 4, 1, 9, 0, 0), tzOffsetMs: 0, uploadedMs: Date.now() });
  const newArchived = replica.addItem({ sample: 'Canon_40D.jpg', fileName: 'HIDDEN.jpg', takenMs: Date.UTC(2011, 2, 3, 9, 0, 0), tzOffsetMs: 0, uploadedMs: Date.now() - 5_000, archived: true });
  replica.resetCounters();
  const second = await sync(replica, outDir, profileDir);
  expect(second.code, second.stderr).toBe(0);
  expect(second.summary).toMatchObject({ fullRescan: false, new: 2, downloaded: 2, failed: 0 });
  expectListing(replica.viewRequests, 'incremental');
  expect(walk(outDir)).toContain('2009/05/OLD_SCAN.jpg');
  expect(walk(outDir)).toContain('2011/03/HIDDEN.jpg');
  for (const item of [backDated, newArchived]) {
    expect(sha256(path.join(outDir, mainFile(outDir, item.mediaKey).rel_path))).toBe(replica.expectedFiles(item.mediaKey)[0].sha256);
  }
});

test('a deleted item becomes gone and keeps its file; --prune moves it to the dated trash', async ({ replica, profileDir, outDir }) => {
  expect((await sync(replica, outDir, profileDir)).code).toBe(0);
  const victim = replica.items.find((i) => !i.archived)!;
  const { rel_path: relPath, sha256: bytesHash } = mainFile(outDir, victim.mediaKey);
  replica.deleteItem(victim.mediaKey);

  const rescan = await sync(replica, outDir, profileDir, ['--rescan']);
  expect(rescan.code, rescan.stderr).toBe(0);
  expect(rescan.summary).toMatchObject({ fullRescan: true, gone: 1, pruned: 0 });
  const gone = readIndex(outDir, (index) => index.item(victim.mediaKey))!;
  expect(gone.state).toBe('gone');
  expect(gone.gone_ms).toBeGreaterThan(Date.now() - 5 * 60_000);
  expect(sha256(path.join(outDir, relPath))).toBe(bytesHash);

  // --prune on a default run: the file moves, keeping its relative path, and the index follows it.
  const prune = await sync(replica, outDir, profileDir, ['--prune']);
  expect(prune.code, prune.stderr).toBe(0);
  expect(prune.summary).toMatchObject({ fullRescan: false, pruned: 1 });
  expect(prune.stderr).toContain(relPath);
  const trashed = `${TRASH_DIR}/${localDate(Date.now())}/${relPath}`;
  expect(existsSync(path.join(outDir, relPath))).toBe(false);
  expect(sha256(path.join(outDir, trashed))).toBe(bytesHash);
  const row = readIndex(outDir, (index) => index.files(victim.mediaKey))[0];
  expect(row).toMatchObject({ rel_path: trashed });
  expect((row as unknown as { trashed_from: string }).trashed_from).toBe(relPath);
  // Every other file is where it was.
  for (const item of replica.items) expect(existsSync(path.join(outDir, mainFile(outDir, item.mediaKey).rel_path))).toBe(true);
});

test('a rescan that finds most of the library gone marks nothing gone and exits 5; --accept-deletions applies it', async ({ replica, profileDir, outDir }) => {
  expect((await sync(replica, outDir, profileDir)).code).toBe(0);
  const victims = replica.items.slice(0, 3);
  const paths = victims.map((v) => mainFile(outDir, v.mediaKey).rel_path);
  for (const v of victims) replica.deleteItem(v.mediaKey);

  const refused = await sync(replica, outDir, profileDir, ['--rescan', '--prune']);
  expect(refused.code, refused.stderr).toBe(5);
  expect(refused.stderr).toContain(`did not list 3 of the ${smallLibrary.length} items`);
  expect(refused.stderr).toContain('--accept-deletions');
  expect(refused.summary).toMatchObject({ gone: 0, pruned: 0 });
  readIndex(outDir, (index) => {
    for (const v of victims) expect(index.item(v.mediaKey)?.state).toBe('done');
  });
  for (const p of paths) expect(existsSync(path.join(outDir, p))).toBe(true);

  const accepted = await sync(replica, outDir, profileDir, ['--rescan', '--accept-deletions']);
  expect(accepted.code, accepted.stderr).toBe(0);
  expect(accepted.summary).toMatchObject({ gone: 3 });
  for (const p of paths) expect(existsSync(path.join(outDir, p))).toBe(true);
});

test('an edit in Google keeps the old file as a dated version and downloads the new one beside it', async ({ replica, profileDir, outDir }) => {
  expect((await sync(replica, outDir, profileDir)).code).toBe(0);
  const item = replica.items.find((i) => !i.archived && !i.edited)!;
  const before = mainFile(outDir, item.mediaKey);
  replica.editItem(item.mediaKey);

  const rescan = await sync(replica, outDir, profileDir, ['--rescan']);
  expect(rescan.code, rescan.stderr).toBe(0);
  expect(rescan.summary).toMatchObject({ changed: 1, downloaded: 1, failed: 0 });
  const files = readIndex(outDir, (index) => index.files(item.mediaKey));
  const version = files.find((f) => f.role === 'version')!;
  const current = files.find((f) => f.role === 'main')!;
  const original = files.find((f) => f.role === 'original')!;
  // The old bytes, untouched, under a dated name beside the new version.
  const day = new Date().toISOString().slice(0, 10);
  expect(version.rel_path).toBe(before.rel_path.replace(/(\.[^.]+)$/, `~v${day}$1`));
  expect(version.superseded_ms).not.toBeNull();
  expect(sha256(path.join(outDir, version.rel_path))).toBe(before.sha256);
  // The new version under the usual name, and Google's original beside it.
  expect(current.rel_path).toBe(before.rel_path);
  const expected = replica.expectedFiles(item.mediaKey);
  expect(sha256(path.join(outDir, current.rel_path))).toBe(expected.find((e) => e.role === 'main')!.sha256);
  expect(sha256(path.join(outDir, original.rel_path))).toBe(expected.find((e) => e.role === 'original')!.sha256);
  expect(current.sha256).not.toBe(before.sha256);

  // Nothing changed since: the next rescan keeps everything as it is.
  const again = await sync(replica, outDir, profileDir, ['--rescan']);
  expect(again.code, again.stderr).toBe(0);
  expect(again.summary).toMatchObject({ changed: 0, downloaded: 0 });
});

test('the rescan schedule: a default run rescans when the last full rescan is older than --rescan-days', async ({ replica, profileDir, outDir }) => {
  expect((await sync(replica, outDir, profileDir)).code).toBe(0);

  replica.resetCounters();
  const recent = await sync(replica, outDir, profileDir);
  expect(recent.summary).toMatchObject({ fullRescan: false });
  expectListing(replica.viewRequests, 'incremental');

  const setLastRescan = (ms: number): void => {
    const db = openIndex(outDir);
    try {
      setMetaMs(db, ListingMeta.lastFullRescan, ms);
    } finally {
      db.close();
    }
  };
  setLastRescan(Date.now() - 8 * DAY);
  replica.resetCounters();
  const due = await sync(replica, outDir, profileDir);
  expect(due.code, due.stderr).toBe(0);
  expect(due.summary).toMatchObject({ fullRescan: true });
  expectListing(replica.viewRequests, 'rescan');

  // --rescan-days 10: 8 days is not old enough.
  setLastRescan(Date.now() - 8 * DAY);
  replica.resetCounters();
  const notYet = await sync(replica, outDir, profileDir, ['--rescan-days', '10']);
  expect(notYet.summary).toMatchObject({ fullRescan: false });
  expectListing(replica.viewRequests, 'incremental');
});
