// `adopt --from-gphotos-sync`: a gphotos-sync backup (its real SyncFiles schema, lossy files
// without GPS) adopted through the replica's /lr/photo/ redirect, with --keep and --upgrade,
// and the later sync downloading only what adoption did not cover.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import type { Replica, ReplicaItem, ReplicaItemSpec } from '../replica/index.js';
import { buildGphotosSyncBackup, localYearMonth, lossyCopies, openIndexReadOnly, replicaBytes, sha256, type SyncRowSpec } from './adopt-fixtures.js';

const LIBRARY: ReplicaItemSpec[] = [
  { sample: 'gps__DSCN0010.jpg' },
  { sample: 'gps__DSCN0012.jpg' },
  { sample: 'gps__DSCN0021.jpg' },
  { sample: 'gps__DSCN0025.jpg' },
  { sample: 'Nikon_D70.jpg', fileName: 'IMG_0001.JPG' },
  { sample: 'long_description.jpg' },
];

test.use({ replicaOptions: { library: LIBRARY } });

/** Newest first, as the replica lists them; the test needs a stable order of its own. */
function byName(replica: Replica): ReplicaItem[] {
  return [...replica.items].sort((a, b) => a.fileName.localeCompare(b.fileName));
}

interface Backup {
  root: string;
  /** Items with a lossy file in the backup. */
  adopted: ReplicaItem[];
  /** Listed by gphotos-sync, never downloaded by it. */
  missing: ReplicaItem;
  /** Not in the gphotos-sync index at all. */
  absent: ReplicaItem;
  lossy: Map<string, Buffer>;
  unknownId: string;
}

async function gphotosSyncBackup(replica: Replica, workDir: string): Promise<Backup> {
  const items = byName(replica);
  const [a, b, c, d, missing, absent] = items;
  const adopted = [a, b, c, d];
  const lossy = new Map<string, Buffer>();
  const rows: SyncRowSpec[] = [];
  const copies = await lossyCopies(await Promise.all(adopted.map((item) => replicaBytes(replica, item.mediaKey))), path.join(workDir, 'scratch'));
  for (const [i, item] of adopted.entries()) {
    const bytes = copies[i];
    lossy.set(item.mediaKey, bytes);
    rows.push({ remoteId: item.apiId, path: `photos/${localYearMonth(item)}`, fileName: item.fileName, mimeType: 'image/jpeg', createMs: item.takenMs, bytes });
  }
  rows.push({ remoteId: missing.apiId, path: `photos/${localYearMonth(missing)}`, fileName: missing.fileName, mimeType: 'image/jpeg', createMs: missing.takenMs, bytes: null });
  const unknownId = `A${'b'.repeat(97)}`;
  rows.push({ remoteId: unknownId, path: 'photos/2019/01', fileName: 'deleted-in-google.jpg', mimeType: 'image/jpeg', createMs: Date.UTC(2019, 0, 5), bytes: Buffer.from('not a photo Google knows') });
  const root = path.join(workDir, 'gphotos');
  buildGphotosSyncBackup(root, rows);
  return { root, adopted, missing, absent, lossy, unknownId };
}

function common(replica: Replica, profileDir: string): string[] {
  return ['--profile', profileDir, '--base-url', replica.baseUrl, '--json'];
}

test('--keep: ids mapped through /lr/photo/, lossy files counted as done in place; a later sync downloads only the rest', async ({ replica, workDir, profileDir }) => {
  const backup = await gphotosSyncBackup(replica, workDir);
  const adopt = await runCli(['adopt', '--from-gphotos-sync', backup.root, '--keep', ...common(replica, profileDir)]);
  expect(adopt.code, adopt.stderr).toBe(0);
  const report = JSON.parse(adopt.stdout);
  expect(report).toMatchObject({ listed: 6, mapped: 4, adopted: 4, already: 0, unknown: 1, missing: 1, failed: 0, pending: 0, mappedThisRun: 4, placedThisRun: 0 });
  expect(report.unknownIds).toEqual([backup.unknownId]);
  // With no --out the gphotos-sync folder itself becomes the backup.
  expect(report.out).toBe(backup.root);

  const db = openIndexReadOnly(backup.root);
  try {
    for (const item of backup.adopted) {
      const row = db.prepare('SELECT state FROM items WHERE media_key = ?').get(item.mediaKey) as { state: string };
      expect(row.state).toBe('done');
      const files = db.prepare('SELECT rel_path, source, lossy, original_confirmed, sha256 FROM files WHERE media_key = ?').all(item.mediaKey);
      expect(files).toEqual([{ rel_path: `photos/${localYearMonth(item)}/${item.fileName}`, source: 'adopted', lossy: 1, original_confirmed: 0, sha256: sha256(backup.lossy.get(item.mediaKey)!) }]);
    }
    expect(db.prepare('SELECT COUNT(*) FROM items').pluck().get()).toBe(4);
  } finally {
    db.close();
  }

  // A second adoption maps nothing again and does not even open the site.
  const before = replica.counters.total;
  const again = await runCli(['adopt', '--from-gphotos-sync', path.join(backup.root, 'gphotos.sqlite'), '--keep', ...common(replica, profileDir)]);
  expect(again.code, again.stderr).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ mapped: 4, mappedThisRun: 0, unknown: 1 });
  expect(replica.counters.total).toBe(before);

  replica.resetCounters();
  const sync = await runCli(['sync', '--out', backup.root, ...common(replica, profileDir)]);
  expect(sync.code, sync.stderr).toBe(0);
  expect(Object.keys(replica.counters.downloads).sort()).toEqual([backup.missing.mediaKey, backup.absent.mediaKey].sort());
  for (const item of backup.adopted) {
    expect(sha256(readFileSync(path.join(backup.root, 'photos', localYearMonth(item), item.fileName)))).toBe(sha256(backup.lossy.get(item.mediaKey)!));
  }
});

test('--upgrade: originals are queued; sync replaces each lossy file only once its original is verified', async ({ replica, workDir, profileDir }) => {
  const backup = await gphotosSyncBackup(replica, workDir);
  const out = path.join(workDir, 'keep');
  const adopt = await runCli(['adopt', '--from-gphotos-sync', backup.root, '--out', out, '--upgrade', ...common(replica, profileDir)]);
  expect(adopt.code, adopt.stderr).toBe(0);
  const report = JSON.parse(adopt.stdout);
  expect(report).toMatchObject({ mapped: 4, adopted: 4, unknown: 1, missing: 1, failed: 0, placedThisRun: 4 });
  // --out elsewhere: the lossy files were copied into the layout; gphotos-sync's own stay untouched.
  for (const item of backup.adopted) {
    const placed = path.join(out, localYearMonth(item), item.fileName);
    expect(sha256(readFileSync(placed))).toBe(sha256(backup.lossy.get(item.mediaKey)!));
    expect(existsSync(path.join(backup.root, 'photos', localYearMonth(item), item.fileName))).toBe(true);
  }
  let db = openIndexReadOnly(out);
  for (const item of backup.adopted) expect(db.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(item.mediaKey)).toBe('pending');
  db.close();

  // The first original fails to download: its lossy file must stay, recorded, untouched.
  const [failing, ...upgraded] = backup.adopted;
  replica.faults.failDownloadsOf.add(failing.mediaKey);
  const sync = await runCli(['sync', '--out', out, '--max-attempts', '2', ...common(replica, profileDir)]);
  expect(sync.code, sync.stderr).toBe(3);
  db = openIndexReadOnly(out);
  try {
    for (const item of upgraded) {
      const kept = db.prepare(`SELECT rel_path, source, lossy, sha256 FROM files WHERE media_key = ? AND superseded_ms IS NULL`).all(item.mediaKey) as { rel_path: string; source: string; lossy: number; sha256: string }[];
      const expected = replica.expectedFiles(item.mediaKey)[0].sha256;
      expect(kept.filter((f) => f.lossy === 1)).toEqual([]);
      expect(kept.map((f) => f.sha256)).toContain(expected);
      for (const f of kept) expect(sha256(readFileSync(path.join(out, f.rel_path)))).toBe(f.sha256);
      expect(db.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(item.mediaKey)).toBe('done');
    }
    const old = db.prepare(`SELECT rel_path, lossy, sha256 FROM files WHERE media_key = ?`).all(failing.mediaKey) as { rel_path: string; lossy: number; sha256: string }[];
    expect(old).toEqual([{ rel_path: `${localYearMonth(failing)}/${failing.fileName}`, lossy: 1, sha256: sha256(backup.lossy.get(failing.mediaKey)!) }]);
    expect(sha256(readFileSync(path.join(out, old[0].rel_path)))).toBe(old[0].sha256);
  } finally {
    db.close();
  }

  replica.faults.failDownloadsOf.clear();
  const retry = await runCli(['sync', '--out', out, ...common(replica, profileDir)]);
  expect(retry.code, retry.stderr).toBe(0);
  db = openIndexReadOnly(out);
  try {
    const files = db.prepare(`SELECT lossy, sha256 FROM files WHERE media_key = ? AND superseded_ms IS NULL`).all(failing.mediaKey) as { lossy: number; sha256: string }[];
    expect(files).toEqual([{ lossy: 0, sha256: replica.expectedFiles(failing.mediaKey)[0].sha256 }]);
  } finally {
    db.close();
  }
});

test('bad input changes nothing (two modes, no mode, not a gphotos-sync index, a dry run); signed out is exit 4', async ({ replica, workDir, profileDir }) => {
  const backup = await gphotosSyncBackup(replica, workDir);
  const both = await runCli(['adopt', '--from-gphotos-sync', backup.root, '--keep', '--upgrade', ...common(replica, profileDir)]);
  expect(both.code).toBe(2);
  expect(both.stderr).toMatch(/--keep and --upgrade exclude each other/);
  const none = await runCli(['adopt', '--from-gphotos-sync', backup.root, ...common(replica, profileDir)]);
  expect(none.code).toBe(2);
  expect(none.stderr).toMatch(/--keep .* --upgrade/);
  const placements = await runCli(['adopt', '--from-gphotos-sync', backup.root, '--keep', '--move', '--link', ...common(replica, profileDir)]);
  expect(placements.code).toBe(2);
  const notIndex = await runCli(['adopt', '--from-gphotos-sync', path.join(backup.root, 'photos'), '--keep', ...common(replica, profileDir)]);
  expect(notIndex.code).toBe(2);
  expect(notIndex.stderr).toMatch(/no gphotos\.sqlite/);

  expect(existsSync(path.join(backup.root, '.gphotos-keep'))).toBe(false);

  const dry = await runCli(['adopt', '--from-gphotos-sync', backup.root, '--dry-run', ...common(replica, profileDir)]);
  expect(dry.code, dry.stderr).toBe(0);
  expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, listed: 6, missing: 1, pending: 5, mapped: 0 });
  expect(existsSync(path.join(backup.root, '.gphotos-keep'))).toBe(false);
  expect(replica.counters.rpc).toEqual({});

  // A profile that was never signed in: exit 4, naming the way in.
  const signedOut = await runCli(['adopt', '--from-gphotos-sync', backup.root, '--keep', ...common(replica, path.join(workDir, 'no-profile'))]);
  expect(signedOut.code).toBe(4);
  expect(signedOut.stderr).toMatch(/gphotos-keep login/);
});

test('--upgrade in place: each original takes its lossy file\'s place in the gphotos-sync folder', async ({ replica, workDir, profileDir }) => {
  const backup = await gphotosSyncBackup(replica, workDir);
  const adopt = await runCli(['adopt', '--from-gphotos-sync', backup.root, '--upgrade', ...common(replica, profileDir)]);
  expect(adopt.code, adopt.stderr).toBe(0);
  expect(JSON.parse(adopt.stdout)).toMatchObject({ adopted: 4, placedThisRun: 0 });
  const sync = await runCli(['sync', '--out', backup.root, ...common(replica, profileDir)]);
  expect(sync.code, sync.stderr).toBe(0);
  const db = openIndexReadOnly(backup.root);
  try {
    for (const item of backup.adopted) {
      const relPath = `photos/${localYearMonth(item)}/${item.fileName}`;
      const expected = replica.expectedFiles(item.mediaKey)[0].sha256;
      expect(db.prepare('SELECT rel_path, source, lossy, sha256 FROM files WHERE media_key = ?').all(item.mediaKey)).toEqual([{ rel_path: relPath, source: 'download', lossy: 0, sha256: expected }]);
      expect(sha256(readFileSync(path.join(backup.root, relPath)))).toBe(expected);
    }
  } finally {
    db.close();
  }
});
