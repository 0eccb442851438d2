// `adopt --from-folder`: a Takeout-like export with exact copies of originals (one of them
// in two albums), the original of an item edited in Google, probable matches (same name and
// taken time, other bytes; one found through its JSON sidecar) and a file matching nothing.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import { MEDIA_DIR, type Replica, type ReplicaItem, type ReplicaItemSpec } from '../replica/index.js';
import { localYearMonth, openIndexReadOnly, replicaBytes, rewrittenComment, sha256 } from './adopt-fixtures.js';

const LIBRARY: ReplicaItemSpec[] = [
  { sample: 'gps__DSCN0010.jpg' },
  { sample: 'gps__DSCN0012.jpg' },
  { sample: 'Canon_40D.jpg', edited: true },
  { sample: 'gps__DSCN0021.jpg' },
  { sample: 'Nikon_D70.jpg', fileName: 'IMG_0001.JPG' },
  { sample: 'long_description.jpg' },
];

test.use({ replicaOptions: { library: LIBRARY } });

interface Takeout {
  root: string;
  exact: ReplicaItem[];
  edited: ReplicaItem;
  probable: ReplicaItem[];
  /** Not in the export: only sync can bring it. */
  absent: ReplicaItem;
  duplicatePath: string;
  unmatchedPath: string;
  probablePaths: string[];
}

function item(replica: Replica, sample: string): ReplicaItem {
  return replica.items.find((i) => i.sample === sample)!;
}

function sidecar(dir: string, name: string, it: ReplicaItem, supplemental: boolean): void {
  const json = { title: it.fileName, description: '', photoTakenTime: { timestamp: String(Math.floor(it.takenMs / 1000)), formatted: '' }, geoData: { latitude: 0, longitude: 0 } };
  writeFileSync(path.join(dir, `${name}${supplemental ? '.supplemental-metadata' : ''}.json`), JSON.stringify(json));
}

async function takeout(replica: Replica, workDir: string): Promise<Takeout> {
  const root = path.join(workDir, 'takeout');
  const year = path.join(root, 'Takeout', 'Google Photos', 'Photos from 2008');
  const album = path.join(root, 'Takeout', 'Google Photos', 'Tuscany trip');
  mkdirSync(year, { recursive: true });
  mkdirSync(album, { recursive: true });
  const [a, b] = [item(replica, 'gps__DSCN0010.jpg'), item(replica, 'gps__DSCN0012.jpg')];
  const edited = item(replica, 'Canon_40D.jpg');
  const [p1, p2] = [item(replica, 'gps__DSCN0021.jpg'), item(replica, 'Nikon_D70.jpg')];
  for (const it of [a, b]) {
    const bytes = await replicaBytes(replica, it.mediaKey);
    writeFileSync(path.join(year, it.fileName), bytes);
    sidecar(year, it.fileName, it, false);
  }
  // The same item once more, in an album folder.
  writeFileSync(path.join(album, a.fileName), await replicaBytes(replica, a.mediaKey));
  // Takeout holds an edited item's original (and the edit as `-edited`, which matches nothing exactly).
  writeFileSync(path.join(year, edited.fileName), await replicaBytes(replica, edited.mediaKey, 'original'));
  // Probable: same picture, other bytes. One is found by its EXIF date, one by its sidecar.
  writeFileSync(path.join(year, p1.fileName), rewrittenComment(await replicaBytes(replica, p1.mediaKey)));
  writeFileSync(path.join(year, p2.fileName), rewrittenComment(await replicaBytes(replica, p2.mediaKey)));
  sidecar(year, p2.fileName, p2, true);
  // A photo Google does not have at all.
  const unmatched = path.join(year, 'from-an-old-phone.jpg');
  writeFileSync(unmatched, readFileSync(path.join(MEDIA_DIR, 'Sony_HDR-HC3.jpg')));
  writeFileSync(path.join(root, 'Takeout', 'archive_browser.html'), '<html></html>');
  return {
    root,
    exact: [a, b],
    edited,
    probable: [p1, p2],
    absent: item(replica, 'long_description.jpg'),
    duplicatePath: path.join(album, a.fileName),
    unmatchedPath: unmatched,
    probablePaths: [path.join(year, p1.fileName), path.join(year, p2.fileName)],
  };
}

function common(replica: Replica, profileDir: string): string[] {
  return ['--profile', profileDir, '--base-url', replica.baseUrl, '--json'];
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((p) => !p.startsWith('.gphotos-keep'))
    .sort();
}

test('exact copies are placed and done without downloading, probable ones reported with the command to accept them, the rest listed; sync fetches only what is left', async ({ replica, workDir, outDir, profileDir }) => {
  const t = await takeout(replica, workDir);

  const dry = await runCli(['adopt', '--from-folder', t.root, '--out', outDir, '--dry-run', ...common(replica, profileDir)]);
  expect(dry.code, dry.stderr).toBe(0);
  const plan = JSON.parse(dry.stdout);
  expect(plan).toMatchObject({ dryRun: true, found: 7, exact: 3, wouldPlace: 3, placed: 0, duplicates: 1 });
  expect(plan.probable.map((f: { path: string }) => f.path).sort()).toEqual([...t.probablePaths].sort());
  expect(plan.unmatched.map((f: { path: string }) => f.path)).toEqual([t.unmatchedPath]);
  expect(existsSync(outDir)).toBe(false);

  const adopt = await runCli(['adopt', '--from-folder', t.root, '--out', outDir, ...common(replica, profileDir)]);
  expect(adopt.code, adopt.stderr).toBe(0);
  const report = JSON.parse(adopt.stdout);
  expect(report).toMatchObject({ found: 7, exact: 3, placed: 3, placedThisRun: 3, duplicates: 1, already: 0, failed: [] });
  expect(report.probable.map((f: { path: string; mediaKey: string }) => [f.path, f.mediaKey]).sort()).toEqual(
    t.probable.map((it, i) => [t.probablePaths[i], it.mediaKey]).sort(),
  );
  expect(report.unmatched.map((f: { path: string }) => f.path)).toEqual([t.unmatchedPath]);
  expect(report.acceptCommand).toBe(`gphotos-keep adopt --from-folder ${t.root} --out ${outDir} --accept-probable`);
  // Only the exact copies are in the backup, under the sync layout; the edited item's as its `.original`.
  expect(filesUnder(outDir)).toEqual(
    [...t.exact.map((it) => `${localYearMonth(it)}/${it.fileName}`), `${localYearMonth(t.edited)}/Canon_40D.original.jpg`].sort(),
  );
  // Copies: the export is untouched.
  expect(existsSync(t.duplicatePath)).toBe(true);

  let db = openIndexReadOnly(outDir);
  try {
    for (const it of t.exact) {
      expect(db.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(it.mediaKey)).toBe('done');
      expect(db.prepare('SELECT role, source, lossy, original_confirmed, sha256 FROM files WHERE media_key = ?').all(it.mediaKey)).toEqual([
        { role: 'main', source: 'adopted', lossy: 0, original_confirmed: 1, sha256: replica.expectedFiles(it.mediaKey)[0].sha256 },
      ]);
    }
    // Google has a newer (edited) version: the original is kept, the item waits for sync.
    expect(db.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(t.edited.mediaKey)).toBe('pending');
    expect(db.prepare('SELECT role, original_confirmed FROM files WHERE media_key = ?').all(t.edited.mediaKey)).toEqual([{ role: 'original', original_confirmed: 1 }]);
    for (const it of t.probable) expect(db.prepare('SELECT COUNT(*) FROM files WHERE media_key = ?').pluck().get(it.mediaKey)).toBe(0);
  } finally {
    db.close();
  }

  const accept = await runCli(['adopt', '--from-folder', t.root, '--out', outDir, '--accept-probable', ...common(replica, profileDir)]);
  expect(accept.code, accept.stderr).toBe(0);
  const accepted = JSON.parse(accept.stdout);
  expect(accepted).toMatchObject({ found: 7, hashedThisRun: 0, placed: 5, placedThisRun: 2, probable: [], acceptCommand: null });
  db = openIndexReadOnly(outDir);
  try {
    for (const it of t.probable) {
      expect(db.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(it.mediaKey)).toBe('done');
      // Accepted, but never confirmed as Google's bytes.
      expect(db.prepare('SELECT original_confirmed FROM files WHERE media_key = ?').all(it.mediaKey)).toEqual([{ original_confirmed: 0 }]);
    }
  } finally {
    db.close();
  }

  replica.resetCounters();
  const sync = await runCli(['sync', '--out', outDir, ...common(replica, profileDir)]);
  expect(sync.code, sync.stderr).toBe(0);
  expect(Object.keys(replica.counters.downloads).sort()).toEqual([t.absent.mediaKey, t.edited.mediaKey].sort());
  db = openIndexReadOnly(outDir);
  try {
    const edited = db.prepare('SELECT role, sha256 FROM files WHERE media_key = ? AND superseded_ms IS NULL ORDER BY role').all(t.edited.mediaKey) as { role: string; sha256: string }[];
    const expected = replica.expectedFiles(t.edited.mediaKey);
    expect(edited).toEqual([
      { role: 'main', sha256: expected.find((f) => f.role === 'main')!.sha256 },
      { role: 'original', sha256: expected.find((f) => f.role === 'original')!.sha256 },
    ]);
  } finally {
    db.close();
  }
});

test('--link and --move place exact copies without copying bytes', async ({ replica, workDir, outDir, profileDir }) => {
  const t = await takeout(replica, workDir);
  const [a, b] = t.exact;
  const linkDir = path.join(workDir, 'link-from');
  const moveDir = path.join(workDir, 'move-from');
  mkdirSync(linkDir);
  mkdirSync(moveDir);
  writeFileSync(path.join(linkDir, a.fileName), await replicaBytes(replica, a.mediaKey));
  writeFileSync(path.join(moveDir, b.fileName), await replicaBytes(replica, b.mediaKey));

  const link = await runCli(['adopt', '--from-folder', linkDir, '--out', outDir, '--link', ...common(replica, profileDir)]);
  expect(link.code, link.stderr).toBe(0);
  expect(JSON.parse(link.stdout)).toMatchObject({ placed: 1, placement: 'link' });
  const linked = path.join(outDir, localYearMonth(a), a.fileName);
  expect(statSync(linked).ino).toBe(statSync(path.join(linkDir, a.fileName)).ino);

  const move = await runCli(['adopt', '--from-folder', moveDir, '--out', outDir, '--move', ...common(replica, profileDir)]);
  expect(move.code, move.stderr).toBe(0);
  expect(JSON.parse(move.stdout)).toMatchObject({ placed: 2, placedThisRun: 1, placement: 'move' });
  expect(existsSync(path.join(moveDir, b.fileName))).toBe(false);
  expect(sha256(readFileSync(path.join(outDir, localYearMonth(b), b.fileName)))).toBe(replica.expectedFiles(b.mediaKey)[0].sha256);

  const both = await runCli(['adopt', '--from-folder', moveDir, '--out', outDir, '--move', '--copy', ...common(replica, profileDir)]);
  expect(both.code).toBe(2);
  expect(both.stderr).toMatch(/--copy, --move exclude each other|--move, --copy exclude each other|exclude each other/);
});
