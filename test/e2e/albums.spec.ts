// Albums, sharing, favorites, the archive and the trash, end to end: the built CLI as a child
// process against the replica with sampleAlbums() (own albums, one shared by the account, one
// shared with it by Robin, partner Sam, an item in the trash), real Chromium, SQLite, exiftool
// and files. Link folders are checked link by link: relative symlinks into the date layout,
// names, album.json, and never a photo lost.
import { ExifTool } from 'exiftool-vendored';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import { sampleAlbums, startReplica, type Replica, type ReplicaItem } from '../replica/index.js';
import { signInProfile } from '../helpers/profile.js';
import { datedFolder, keyTag } from '../../src/folder/layout.js';
import { TRASH_DIR } from '../../src/folder/trash.js';
import { openIndex } from '../../src/store/database.js';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { readIndex, sha256, sync, walk } from './sync-helpers.js';

const LINK_ROOTS = ['albums', 'favorites', 'archive', 'partner'];

interface LinkEntry {
  kind: 'symlink' | 'file' | 'dir';
  /** For a symlink: where it points (as written). */
  target: string | null;
  /** The file it stands for, relative to the backup folder (null: dangling). */
  resolves: string | null;
}

/** Every entry under the link folders (album.json included, as a file). */
function linkTree(outDir: string): Map<string, LinkEntry> {
  const out = new Map<string, LinkEntry>();
  const visit = (rel: string): void => {
    const full = path.join(outDir, rel);
    for (const name of readdirSync(full)) {
      const childRel = `${rel}/${name}`;
      const child = path.join(outDir, childRel);
      const stat = lstatSync(child);
      if (stat.isDirectory()) {
        out.set(childRel, { kind: 'dir', target: null, resolves: null });
        visit(childRel);
      } else if (stat.isSymbolicLink()) {
        const target = readlinkSync(child);
        const resolved = path.resolve(path.dirname(child), target);
        out.set(childRel, { kind: 'symlink', target, resolves: existsSync(resolved) ? path.relative(outDir, resolved).split(path.sep).join('/') : null });
      } else {
        out.set(childRel, { kind: 'file', target: null, resolves: null });
      }
    }
  };
  for (const root of LINK_ROOTS) if (existsSync(path.join(outDir, root))) visit(root);
  return out;
}

/** The names directly in one link folder (album.json left out). */
function names(tree: Map<string, LinkEntry>, dir: string): string[] {
  return [...tree.keys()].filter((p) => path.posix.dirname(p) === dir && !p.endsWith('/album.json')).map((p) => path.posix.basename(p)).sort();
}

function itemNamed(replica: Replica, name: string): ReplicaItem {
  const found = [...replica.items, ...replica.trashed, ...replica.foreignItems].filter((i) => i.fileName === name);
  if (found.length !== 1) throw new Error(`${found.length} items named ${name}`);
  return found[0];
}

/** The index's row of an item seen through sharing (the index keys it by the album's key for it, not the owner's). */
function byDedup(outDir: string, dedupKey: string): { media_key: string; state: string; origin: string; owner: string | null } {
  const db = openIndex(outDir, { readonly: true });
  try {
    return db.prepare('SELECT media_key, state, origin, owner FROM items WHERE dedup_key = ?').get(dedupKey) as { media_key: string; state: string; origin: string; owner: string | null };
  } finally {
    db.close();
  }
}

async function runCliJson(args: string[]): Promise<{ items: Record<string, number>; trashed: { total: number; items: unknown[] } }> {
  const result = await runCli(args, { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** The index's main file of an item, relative. */
function mainFile(outDir: string, key: string): string {
  return readIndex(outDir, (index) => index.files(key).find((f) => f.role === 'main')!.rel_path);
}

function manifest(outDir: string, dir: string): { title: string; key: string; owner: string | null; shared: boolean; items: { key: string; files: string[] }[] } {
  return JSON.parse(readFileSync(path.join(outDir, dir, 'album.json'), 'utf8'));
}

/** Every symlink is relative, stays inside the backup and resolves to a file the index records with the bytes it records. */
function expectLinksSound(outDir: string, tree: Map<string, LinkEntry>): void {
  const db = openIndex(outDir, { readonly: true });
  try {
    for (const [rel, entry] of tree) {
      if (entry.kind !== 'symlink') continue;
      expect(path.isAbsolute(entry.target!), `${rel} is relative`).toBe(false);
      expect(entry.resolves, `${rel} resolves`).not.toBeNull();
      const row = db.prepare('SELECT sha256 FROM files WHERE rel_path = ?').get(entry.resolves) as { sha256: string } | undefined;
      expect(row, `${rel} → ${entry.resolves} is a recorded file`).toBeDefined();
      expect(sha256(path.join(outDir, entry.resolves!)), `bytes behind ${rel}`).toBe(row!.sha256);
    }
  } finally {
    db.close();
  }
}

test.describe('albums and sharing', () => {
  test.use({ replicaOptions: { ...sampleAlbums(), latencyMs: 5 } });

  test('own albums become folders of relative links, a shared album brings Robin’s photos byte-identical, partner Sam’s photo arrives, favorites and the archive get folders', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir, ['--partner']);
    expect(first.code, first.stderr).toBe(0);
    // DSCN0038.jpg went into Google's trash before any run saw it: nothing of it is kept, and the run and status say so.
    const trashedBefore = replica.trashed.find((i) => i.fileName === 'DSCN0038.jpg')!;
    expect(first.summary!.trash).toMatchObject({ inTrash: 0, neverBackedUp: 1 });
    const told = await runCli(['status', '--out', outDir], { env: cleanEnv() });
    expect(told.stdout).toMatch(/Google's trash also holds 1 item\(s\) trashed before any run saw them: not backed up\. Restore them in Google Photos to have them backed up; the first goes for good on \d{4}-\d{2}-\d{2}\./);
    const toldJson = (await runCliJson(['status', '--out', outDir, '--json'])) as unknown as { trashed: { neverBackedUp: unknown } };
    expect(toldJson.trashed.neverBackedUp).toEqual({ count: 1, firstDeletedBy: new Date(trashedBefore.trashedMs! + 60 * 86_400_000).toISOString() });
    const tree = linkTree(outDir);
    expectLinksSound(outDir, tree);

    const [tripA, tripB] = replica.albums.filter((a) => a.title === 'Trip');
    const family = replica.albums.find((a) => a.title === 'Family')!;
    const ski = replica.albums.find((a) => a.title === 'Ski weekend')!;
    // Two albums titled "Trip": the first keeps the title, the other takes its key's suffix.
    const tripBDir = `albums/Trip~${keyTag(tripB.albumKey)}`;
    expect(tree.get('albums/Trip')?.kind).toBe('dir');
    expect(tree.get(tripBDir)?.kind).toBe('dir');
    expect(names(tree, 'albums/Trip')).toEqual(['DSCN0010.jpg', 'DSCN0021.jpg', 'DSCN0027.jpg', 'PXL_20210612_091530.mp4']);
    // A Live Photo: its still and its video; the trashed DSCN0038.jpg is not shown.
    expect(names(tree, tripBDir)).toEqual(['DSCN0029.jpg', 'IMG_0042.HEIC', 'IMG_0042.MOV']);
    // Edited in Google: what Google shows and the original, both linked; one photo in two albums is linked from both, stored once.
    expect(names(tree, 'albums/Family')).toEqual(['Canon_40D.jpg', 'Canon_40D.original.jpg', 'DSCN0010.jpg', 'IMG_20220814_141231.jpg']);
    expect(tree.get('albums/Family/DSCN0010.jpg')!.resolves).toBe(tree.get('albums/Trip/DSCN0010.jpg')!.resolves);
    expect(tree.get('albums/Trip/DSCN0010.jpg')!.target).toBe(`../../${mainFile(outDir, itemNamed(replica, 'DSCN0010.jpg').mediaKey)}`);

    // Robin's album: the account's own photo and Robin's two, which are in no library of the account.
    expect(names(tree, 'albums/Ski weekend')).toEqual(['DSCN0042.jpg', 'DSC_0042.JPG', 'IMG_20240203_101010.jpg']);
    for (const name of ['DSC_0042.JPG', 'IMG_20240203_101010.jpg']) {
      const foreign = itemNamed(replica, name);
      expect(foreign.owner).toBe('Robin');
      const target = tree.get(`albums/Ski weekend/${name}`)!.resolves!;
      // Kept in the date layout like any item, by the date it was taken.
      expect(path.posix.dirname(target)).toBe(datedFolder(foreign.takenMs, foreign.tzOffsetMs));
      expect(sha256(path.join(outDir, target)), `${name} byte-identical`).toBe(replica.expectedFiles(foreign.mediaKey)[0].sha256);
    }
    const skiManifest = manifest(outDir, 'albums/Ski weekend');
    expect(skiManifest).toMatchObject({ title: 'Ski weekend', key: ski.albumKey, owner: 'Robin', shared: true });
    expect(skiManifest.items.map((i) => i.files)).toEqual(ski.entries.slice().sort((a, b) => a.item.takenMs - b.item.takenMs).map((e) => [e.item.fileName]));
    expect(manifest(outDir, 'albums/Family')).toMatchObject({ title: 'Family', key: family.albumKey, owner: null, shared: true });
    expect(manifest(outDir, 'albums/Trip')).toMatchObject({ title: 'Trip', key: tripA.albumKey, owner: null, shared: false });

    // Partner sharing: Sam's photo, downloaded through the partner view, in partner/.
    const sams = itemNamed(replica, 'IMG_20250704_180000.jpg');
    expect(names(tree, 'partner')).toEqual(['IMG_20250704_180000.jpg']);
    expect(sha256(path.join(outDir, tree.get('partner/IMG_20250704_180000.jpg')!.resolves!))).toBe(replica.expectedFiles(sams.mediaKey)[0].sha256);

    // The index marks whose the shared items are.
    readIndex(outDir, () => undefined);
    const owners = (() => {
      const db = openIndex(outDir, { readonly: true });
      try {
        return db.prepare(`SELECT file_name, origin, owner, state FROM items WHERE origin <> 'library' ORDER BY file_name`).all();
      } finally {
        db.close();
      }
    })();
    expect(owners).toEqual([
      { file_name: 'DSC_0042.JPG', origin: 'shared', owner: 'Robin', state: 'done' },
      { file_name: 'IMG_20240203_101010.jpg', origin: 'shared', owner: 'Robin', state: 'done' },
      { file_name: 'IMG_20250704_180000.jpg', origin: 'partner', owner: 'Sam', state: 'done' },
    ]);

    // Favorites and the archive: a folder each; the favorite's rating is in its sidecar only.
    const favorite = replica.items.find((i) => i.favorite)!;
    const archived = replica.items.find((i) => i.archived)!;
    expect(names(tree, 'favorites')).toEqual([favorite.fileName, `${favorite.fileName}.xmp`].sort());
    expect(names(tree, 'archive')).toEqual([archived.fileName]);
    const favoriteMain = mainFile(outDir, favorite.mediaKey);
    expect(sha256(path.join(outDir, favoriteMain)), 'the photo itself is untouched').toBe(replica.expectedFiles(favorite.mediaKey)[0].sha256);
    const exiftool = new ExifTool({ maxProcs: 1 });
    try {
      expect((await exiftool.read(path.join(outDir, `${favoriteMain}.xmp`))).Rating).toBe(5);
    } finally {
      await exiftool.end();
    }

    // The bytes are stored once: the link folders hold no file of their own but album.json.
    expect([...tree.values()].filter((e) => e.kind === 'file').length).toBe(replica.albums.length);
    // A rerun with nothing new changes nothing on disk and downloads nothing.
    const before = [...tree.entries()].map(([p, e]) => `${p}:${e.kind}:${e.target}`);
    const mtimes = [...tree.keys()].filter((p) => p.endsWith('album.json')).map((p) => statSync(path.join(outDir, p)).mtimeMs);
    replica.resetCounters();
    const second = await sync(replica, outDir, profileDir, ['--partner']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ downloaded: 0, failed: 0 });
    expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
    // Albums unchanged in Google are not listed again.
    expect(replica.counters.rpc.snAcKc ?? 0).toBe(0);
    expect([...linkTree(outDir).entries()].map(([p, e]) => `${p}:${e.kind}:${e.target}`)).toEqual(before);
    expect([...tree.keys()].filter((p) => p.endsWith('album.json')).map((p) => statSync(path.join(outDir, p)).mtimeMs)).toEqual(mtimes);
    expect(walk(outDir).some((f) => f.startsWith('albums/'))).toBe(false);
  });

  test('an album renamed, deleted, an item removed or added, a favorite on and off, an item archived: the folders follow Google, and never a photo is lost', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(0);
    const [tripA, tripB] = replica.albums.filter((a) => a.title === 'Trip');
    const family = replica.albums.find((a) => a.title === 'Family')!;
    const ski = replica.albums.find((a) => a.title === 'Ski weekend')!;
    const tripBDir = `albums/Trip~${keyTag(tripB.albumKey)}`;
    const photosBefore = walk(outDir).filter((f) => !f.endsWith('.xmp'));

    const removed = itemNamed(replica, 'DSCN0021.jpg');
    const added = itemNamed(replica, 'DSCN0025.jpg'); // has a caption only Google knows: a sidecar already
    const oldFavorite = replica.items.find((i) => i.favorite)!;
    const toArchive = itemNamed(replica, 'DSCN0040.jpg');
    const robins = itemNamed(replica, 'DSC_0042.JPG');
    replica.renameAlbum(tripA.albumKey, 'Beach: 2008/10');
    replica.deleteAlbum(family.albumKey);
    replica.removeFromAlbum(tripA.albumKey, removed.mediaKey);
    replica.addToAlbum(tripB.albumKey, [added.mediaKey]);
    replica.removeFromAlbum(ski.albumKey, robins.mediaKey);
    replica.setFavorite(oldFavorite.mediaKey, false);
    replica.setFavorite(added.mediaKey, true);
    replica.setArchived(toArchive.mediaKey, true);

    replica.resetCounters();
    const second = await sync(replica, outDir, profileDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ downloaded: 0, failed: 0 });
    const tree = linkTree(outDir);
    expectLinksSound(outDir, tree);

    // Renamed: the folder follows the new title (made safe: no separator), links and all; the other "Trip" keeps its name.
    expect(tree.has('albums/Trip')).toBe(false);
    expect(names(tree, 'albums/Beach_ 2008_10')).toEqual(['DSCN0010.jpg', 'DSCN0027.jpg', 'PXL_20210612_091530.mp4']);
    expect(manifest(outDir, 'albums/Beach_ 2008_10')).toMatchObject({ title: 'Beach: 2008/10', key: tripA.albumKey });
    expect(names(tree, tripBDir)).toEqual(['DSCN0025.jpg', 'DSCN0025.jpg.xmp', 'DSCN0029.jpg', 'IMG_0042.HEIC', 'IMG_0042.MOV']);
    // Deleted: its folder of links went to the backup's trash, the photos stay.
    expect(tree.has('albums/Family')).toBe(false);
    const trashDirs = readdirSync(path.join(outDir, TRASH_DIR));
    expect(trashDirs).toHaveLength(1);
    const trashedFolder = path.join(outDir, TRASH_DIR, trashDirs[0], 'albums', 'Family');
    expect(readdirSync(trashedFolder).sort()).toEqual(['Canon_40D.jpg', 'Canon_40D.original.jpg', 'DSCN0010.jpg', 'IMG_20220814_141231.jpg', 'album.json']);
    // Removed from an album (the account's photo, and Robin's): the link goes, never the photo.
    expect(names(tree, 'albums/Ski weekend')).toEqual(['DSCN0042.jpg', 'IMG_20240203_101010.jpg']);
    const photosAfter = walk(outDir).filter((f) => !f.endsWith('.xmp'));
    expect(photosAfter).toEqual(photosBefore);
    readIndex(outDir, (index) => expect(index.item(removed.mediaKey)?.state).toBe('done'));
    // Robin's photo no album shows any more: gone for the account, its file kept (until --prune).
    const robinsRow = byDedup(outDir, robins.dedupKey);
    expect(robinsRow.state).toBe('gone');
    readIndex(outDir, (index) => expect(index.files(robinsRow.media_key).every((f) => existsSync(path.join(outDir, f.rel_path)))).toBe(true));

    // Favorites follow Google: the old favorite's link and rating go (its sidecar held nothing else, so it goes too);
    // the new one gets the rating in the sidecar it already had, the caption kept.
    expect(names(tree, 'favorites')).toEqual(['DSCN0025.jpg', 'DSCN0025.jpg.xmp']);
    const oldMain = mainFile(outDir, oldFavorite.mediaKey);
    expect(existsSync(path.join(outDir, `${oldMain}.xmp`))).toBe(false);
    readIndex(outDir, (index) => expect(index.files(oldFavorite.mediaKey).map((f) => f.role)).toEqual(['main']));
    const newMain = mainFile(outDir, added.mediaKey);
    const exiftool = new ExifTool({ maxProcs: 1 });
    try {
      const tags = await exiftool.read(path.join(outDir, `${newMain}.xmp`));
      expect(tags.Rating).toBe(5);
      expect(tags.Description).toBe(added.description);
    } finally {
      await exiftool.end();
    }
    readIndex(outDir, (index) => {
      const sidecar = index.files(added.mediaKey).find((f) => f.role === 'sidecar')!;
      expect(sha256(path.join(outDir, sidecar.rel_path)), 'the recorded sidecar is the one on disk').toBe(sidecar.sha256);
    });
    expect(sha256(path.join(outDir, newMain)), 'the photo itself is untouched').toBe(replica.expectedFiles(added.mediaKey)[0].sha256);
    // Archived in Google: linked from archive/ too.
    expect(names(tree, 'archive').sort()).toEqual(['DSCN0040.jpg', replica.items.find((i) => i.archived && i.mediaKey !== toArchive.mediaKey)!.fileName].sort());

    // Unfavorited again: the rating goes, the caption stays.
    replica.setFavorite(added.mediaKey, false);
    const third = await sync(replica, outDir, profileDir);
    expect(third.code, third.stderr).toBe(0);
    expect(existsSync(path.join(outDir, 'favorites'))).toBe(false);
    const exiftool2 = new ExifTool({ maxProcs: 1 });
    try {
      const tags = await exiftool2.read(path.join(outDir, `${newMain}.xmp`));
      expect(tags.Rating).toBeUndefined();
      expect(tags.Description).toBe(added.description);
    } finally {
      await exiftool2.end();
    }
  });

  test('trash, restore, delete for good: a trashed item is not gone (status shows when Google deletes it), --prune and the mass-disappearance guard leave it alone, a restored one simply comes back', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(0);
    const item = itemNamed(replica, 'DSCN0021.jpg'); // in album "Trip"
    const main = mainFile(outDir, item.mediaKey);

    replica.trashItem(item.mediaKey);
    const trashedMs = replica.item(item.mediaKey).trashedMs!;
    const second = await sync(replica, outDir, profileDir, ['--rescan', '--prune']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ gone: 0, pruned: 0, trash: { inTrash: 1, restored: 0, purged: 0 } });
    readIndex(outDir, (index) => {
      expect(index.item(item.mediaKey)).toMatchObject({ state: 'trashed', trashed_ms: trashedMs, gone_ms: null });
    });
    // Its file stays where it is (pruning is for items really gone); the album no longer shows it.
    expect(sha256(path.join(outDir, main))).toBe(replica.expectedFiles(item.mediaKey)[0].sha256);
    expect(names(linkTree(outDir), 'albums/Trip')).not.toContain('DSCN0021.jpg');
    const status = await runCliJson(['status', '--out', outDir, '--json']);
    expect(status.items.trashed).toBe(1);
    expect(status.trashed.items).toEqual([
      { mediaKey: item.mediaKey, fileName: 'DSCN0021.jpg', trashedAt: new Date(trashedMs).toISOString(), deletedBy: new Date(trashedMs + 60 * 86_400_000).toISOString() },
    ]);

    // Restored in Google: it simply comes back, nothing downloaded again, its link back in the album.
    replica.restoreItem(item.mediaKey);
    replica.resetCounters();
    const third = await sync(replica, outDir, profileDir);
    expect(third.code, third.stderr).toBe(0);
    expect(third.summary).toMatchObject({ downloaded: 0, trash: { inTrash: 0, restored: 1, purged: 0 } });
    expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
    readIndex(outDir, (index) => expect(index.item(item.mediaKey)).toMatchObject({ state: 'done', trashed_ms: null }));
    expect(names(linkTree(outDir), 'albums/Trip')).toContain('DSCN0021.jpg');

    // Trashed again, then deleted for good: now it is gone, and --prune may move its file.
    replica.trashItem(item.mediaKey);
    expect((await sync(replica, outDir, profileDir)).code).toBe(0);
    replica.deleteForGood(item.mediaKey);
    const fourth = await sync(replica, outDir, profileDir, ['--prune']);
    expect(fourth.code, fourth.stderr).toBe(0);
    expect(fourth.summary).toMatchObject({ trash: { inTrash: 0, restored: 0, purged: 1 }, pruned: 1 });
    readIndex(outDir, (index) => expect(index.item(item.mediaKey)?.state).toBe('gone'));
    expect(existsSync(path.join(outDir, main))).toBe(false);

    // A third of the library in the trash at once: not a mass disappearance, nothing refused, nothing gone.
    const many = replica.items.filter((i) => i.owner === null && !i.processing).slice(0, Math.ceil(replica.items.length / 3));
    for (const i of many) replica.trashItem(i.mediaKey);
    const fifth = await sync(replica, outDir, profileDir, ['--rescan']);
    expect(fifth.code, fifth.stderr).toBe(0);
    expect(fifth.summary).toMatchObject({ gone: 0, deletionsRefused: null, fullRescan: true, trash: { inTrash: many.length } });
    readIndex(outDir, (index) => {
      for (const i of many) expect(index.item(i.mediaKey)?.state).toBe('trashed');
    });
  });

  test('--album-links hardlink, copy and none: the same folders as hard links or copies, or no link folders at all; switching back and forth loses no photo', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir, ['--album-links', 'hardlink']);
    expect(first.code, first.stderr).toBe(0);
    let tree = linkTree(outDir);
    expect([...tree.values()].some((e) => e.kind === 'symlink')).toBe(false);
    expect(names(tree, 'albums/Trip')).toEqual(['DSCN0010.jpg', 'DSCN0021.jpg', 'DSCN0027.jpg', 'PXL_20210612_091530.mp4']);
    const shared = itemNamed(replica, 'DSCN0010.jpg'); // in "Trip" and "Family": one inode, three names
    const main = path.join(outDir, mainFile(outDir, shared.mediaKey));
    const inode = statSync(main).ino;
    expect(statSync(path.join(outDir, 'albums/Trip/DSCN0010.jpg')).ino).toBe(inode);
    expect(statSync(path.join(outDir, 'albums/Family/DSCN0010.jpg')).ino).toBe(inode);
    expect(statSync(main).nlink).toBe(3);
    expect(statSync(path.join(outDir, 'albums/Ski weekend/DSC_0042.JPG')).nlink).toBe(2);

    // Removed from one album in hardlink mode: that name goes, the photo and its other names stay.
    const tripA = replica.albums.find((a) => a.title === 'Trip')!;
    replica.removeFromAlbum(tripA.albumKey, shared.mediaKey);
    expect((await sync(replica, outDir, profileDir, ['--album-links', 'hardlink'])).code).toBe(0);
    expect(existsSync(path.join(outDir, 'albums/Trip/DSCN0010.jpg'))).toBe(false);
    expect(statSync(main).nlink).toBe(2);
    expect(sha256(main)).toBe(replica.expectedFiles(shared.mediaKey)[0].sha256);

    // Copies: whole files of their own, the same bytes.
    expect((await sync(replica, outDir, profileDir, ['--album-links', 'copy'])).code).toBe(0);
    const copy = path.join(outDir, 'albums/Family/DSCN0010.jpg');
    expect(lstatSync(copy).isFile() && statSync(copy).ino !== inode).toBe(true);
    expect(statSync(main).nlink).toBe(1);
    expect(sha256(copy)).toBe(sha256(main));

    // None: no link folders at all; every photo still in the date layout, byte for byte.
    const photos = walk(outDir);
    const none = await sync(replica, outDir, profileDir, ['--album-links', 'none']);
    expect(none.code, none.stderr).toBe(0);
    for (const root of LINK_ROOTS) expect(existsSync(path.join(outDir, root)), root).toBe(false);
    expect(walk(outDir)).toEqual(photos);
    const db = openIndex(outDir, { readonly: true });
    try {
      expect(db.prepare('SELECT COUNT(*) FROM links').pluck().get()).toBe(0);
      // Membership stays in the index: it does not depend on folders.
      expect(db.prepare('SELECT COUNT(*) FROM album_items').pluck().get()).toBeGreaterThan(0);
    } finally {
      db.close();
    }

    // And back to the default: relative symlinks again.
    expect((await sync(replica, outDir, profileDir)).code).toBe(0);
    tree = linkTree(outDir);
    expectLinksSound(outDir, tree);
    expect(tree.get('albums/Family/DSCN0010.jpg')?.kind).toBe('symlink');
  });

  test('--no-shared-albums leaves albums of others and their photos out; the account’s own albums stay', async ({ replica, profileDir, outDir }) => {
    const result = await sync(replica, outDir, profileDir, ['--no-shared-albums']);
    expect(result.code, result.stderr).toBe(0);
    const tree = linkTree(outDir);
    expect(tree.has('albums/Ski weekend')).toBe(false);
    expect(tree.has('albums/Family')).toBe(true);
    expect(tree.has('albums/Trip')).toBe(true);
    for (const foreign of replica.foreignItems) expect(replica.counters.downloadStarts[foreign.mediaKey] ?? 0).toBe(0);
    const db = openIndex(outDir, { readonly: true });
    try {
      expect(db.prepare(`SELECT COUNT(*) FROM items WHERE origin <> 'library'`).pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  test('--account-index 1: every page and RPC goes through /u/1/; the backup folder stays tied to its account', async ({ replica, profileDir, outDir, workDir }) => {
    replica.resetCounters();
    const first = await sync(replica, outDir, profileDir, ['--account-index', '1']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary).toMatchObject({ failed: 0, albums: { albums: 4 } });
    expect(Object.keys(replica.accountRequests)).toEqual(['/u/1']);
    expect(replica.accountRequests['/u/1']).toBeGreaterThan(20);
    // Robin's photos came through /u/1/share/…: the whole album.
    expect(names(linkTree(outDir), 'albums/Ski weekend')).toEqual(['DSCN0042.jpg', 'DSC_0042.JPG', 'IMG_20240203_101010.jpg']);

    // Another account in the same folder is refused before anything changes (exit 4: sign in as the folder's account).
    const other = await startReplica({ email: 'someone.else@example.com', latencyMs: 5 });
    try {
      const otherProfile = path.join(workDir, 'other-profile');
      await signInProfile(otherProfile, other.sessionCookie);
      const before = walk(outDir, { includeLinks: true });
      const refused = await sync(other, outDir, otherProfile);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toContain('belongs to keeper@example.com');
      expect(refused.stderr).toContain('--account-index');
      expect(Object.keys(other.counters.downloadStarts)).toEqual([]);
      expect(walk(outDir, { includeLinks: true })).toEqual(before);
    } finally {
      await other.close();
    }
  });
});

