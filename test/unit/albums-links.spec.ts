// Link folders on a real file system and a real SQLite index: relative symlinks (or hard links,
// or copies) into the date layout, names that stay the same on every run and never clash, a
// Live Photo pair that stays a pair, removal of only what gphotos-keep made (never a photo),
// album folders named from titles (collisions, renames, slashes), moved to the backup's trash
// when the album is gone, and album.json written only when it changes.
import { test, expect } from '@playwright/test';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hashFile } from '../../src/folder/hash.js';
import { ensureAlbumDir, trashAlbumDir, writeAlbumManifest } from '../../src/folder/album-folders.js';
import { keyTag } from '../../src/folder/layout.js';
import { reconcileLinkFolder } from '../../src/folder/links.js';
import type { AlbumSummary, LinkMode } from '../../src/model/albums.js';
import type { RemoteItem } from '../../src/model/remote-item.js';
import { getAlbumRow, linksIn, recordAlbumSummary, type Member } from '../../src/store/albums.js';
import { type Db, openIndex } from '../../src/store/database.js';
import { type FileRole, recordDownloaded } from '../../src/store/files.js';
import { upsertItems } from '../../src/store/items.js';

let out: string;
let db: Db;
test.beforeEach(() => {
  out = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-links-'));
  db = openIndex(out);
});
test.afterEach(() => {
  db.close();
  rmSync(out, { recursive: true, force: true });
});

function remote(key: string): RemoteItem {
  return { mediaKey: key, dedupKey: `dedup-${key}`, takenMs: Date.UTC(2020, 0, 1), tzOffsetMs: 0, uploadedMs: null, width: 4, height: 3, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null };
}

/** A kept item: its files written in the date layout and recorded, done. */
async function kept(key: string, files: [FileRole, string][]): Promise<Member> {
  upsertItems(db, [remote(key)]);
  const records = [];
  for (const [role, rel] of files) {
    mkdirSync(path.join(out, path.dirname(rel)), { recursive: true });
    writeFileSync(path.join(out, rel), `bytes of ${key} ${rel}`);
    const digest = await hashFile(path.join(out, rel));
    records.push({ mediaKey: key, role, relPath: rel, bytes: digest.bytes, sha256: digest.sha256 });
  }
  recordDownloaded(db, key, records);
  return { mediaKey: key, itemKey: key };
}

const KEY_A = 'AF1QipAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const KEY_B = 'AF1QipBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB';
const KEY_C = 'AF1QipCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';

function entries(dir: string): string[] {
  return existsSync(path.join(out, dir)) ? readdirSync(path.join(out, dir)).sort() : [];
}

test('symlink: relative links named as their files; two items with one name: the second takes its key suffix for all its files (a Live pair stays a pair); reruns and another order keep every name', async () => {
  const a = await kept(KEY_A, [['main', '2019/05/IMG_0001.JPG']]);
  const b = await kept(KEY_B, [['main', '2008/03/IMG_0001.JPG'], ['live-video', '2008/03/IMG_0001.MOV']]);
  const first = await reconcileLinkFolder(db, out, 'albums/Trip', [a, b], 'symlink');
  const tag = `~${keyTag(KEY_B)}`;
  expect(entries('albums/Trip')).toEqual(['IMG_0001.JPG', `IMG_0001${tag}.JPG`, `IMG_0001${tag}.MOV`].sort());
  expect(readlinkSync(path.join(out, 'albums/Trip/IMG_0001.JPG'))).toBe('../../2019/05/IMG_0001.JPG');
  expect(readlinkSync(path.join(out, `albums/Trip/IMG_0001${tag}.MOV`))).toBe('../../2008/03/IMG_0001.MOV');
  expect(readFileSync(path.join(out, `albums/Trip/IMG_0001${tag}.JPG`), 'utf8')).toBe(`bytes of ${KEY_B} 2008/03/IMG_0001.JPG`);
  expect(first).toMatchObject({ added: 3, removed: 0, skipped: [] });
  expect(first.names.get(KEY_B)).toEqual([`IMG_0001${tag}.JPG`, `IMG_0001${tag}.MOV`]);

  // Rerun: nothing to do. Another order: the same names (the index decides, not the order).
  expect(await reconcileLinkFolder(db, out, 'albums/Trip', [a, b], 'symlink')).toMatchObject({ added: 0, removed: 0 });
  expect(await reconcileLinkFolder(db, out, 'albums/Trip', [b, a], 'symlink')).toMatchObject({ added: 0, removed: 0 });
  expect(entries('albums/Trip')).toEqual(['IMG_0001.JPG', `IMG_0001${tag}.JPG`, `IMG_0001${tag}.MOV`].sort());
});

test('a file that is not ours is never replaced or removed: a link wanting its name takes the suffix; one of our links replaced by hand is left alone', async () => {
  const a = await kept(KEY_A, [['main', '2019/05/IMG_0001.JPG']]);
  const c = await kept(KEY_C, [['main', '2019/06/Other.jpg']]);
  mkdirSync(path.join(out, 'favorites'));
  writeFileSync(path.join(out, 'favorites/IMG_0001.JPG'), 'a file someone put here');
  const warnings: string[] = [];
  await reconcileLinkFolder(db, out, 'favorites', [a, c], 'symlink', { warn: (m) => warnings.push(m) });
  expect(entries('favorites')).toEqual(['IMG_0001.JPG', `IMG_0001~${keyTag(KEY_A)}.JPG`, 'Other.jpg']);
  expect(readFileSync(path.join(out, 'favorites/IMG_0001.JPG'), 'utf8')).toBe('a file someone put here');

  // Someone replaces our link with a real file: when the item leaves, that file stays.
  unlinkSync(path.join(out, 'favorites/Other.jpg'));
  writeFileSync(path.join(out, 'favorites/Other.jpg'), 'edited by hand');
  await reconcileLinkFolder(db, out, 'favorites', [a], 'symlink', { warn: (m) => warnings.push(m) });
  expect(readFileSync(path.join(out, 'favorites/Other.jpg'), 'utf8')).toBe('edited by hand');
  expect(warnings.some((w) => w.includes('favorites/Other.jpg') && w.includes('left as it is'))).toBe(true);
  expect(linksIn(db, 'favorites').map((l) => l.name)).toEqual([`IMG_0001~${keyTag(KEY_A)}.JPG`]);
});

test('an item that leaves loses its links, never its files; an empty folder goes unless kept; none removes every link of ours', async () => {
  const a = await kept(KEY_A, [['main', '2019/05/A.jpg'], ['sidecar', '2019/05/A.jpg.xmp']]);
  const b = await kept(KEY_B, [['main', '2019/05/B.jpg']]);
  await reconcileLinkFolder(db, out, 'archive', [a, b], 'symlink');
  expect(entries('archive')).toEqual(['A.jpg', 'A.jpg.xmp', 'B.jpg']);
  expect(await reconcileLinkFolder(db, out, 'archive', [b], 'symlink')).toMatchObject({ added: 0, removed: 2 });
  expect(entries('archive')).toEqual(['B.jpg']);
  expect(existsSync(path.join(out, '2019/05/A.jpg')) && existsSync(path.join(out, '2019/05/A.jpg.xmp'))).toBe(true);
  await reconcileLinkFolder(db, out, 'archive', [], 'symlink');
  expect(existsSync(path.join(out, 'archive'))).toBe(false);
  // An album's folder stays even when empty (its album.json says what it is).
  await reconcileLinkFolder(db, out, 'albums/Empty', [], 'symlink', { keep: true });
  await reconcileLinkFolder(db, out, 'albums/Trip', [a], 'symlink', { keep: true });
  await reconcileLinkFolder(db, out, 'albums/Trip', [a], 'none');
  expect(existsSync(path.join(out, 'albums'))).toBe(false);
  expect(linksIn(db, 'albums/Trip')).toEqual([]);
  expect(existsSync(path.join(out, '2019/05/A.jpg'))).toBe(true);
});

test('hardlink and copy: the same names as regular files; switching modes replaces them; a hard link is removed only while another name holds its bytes', async () => {
  const a = await kept(KEY_A, [['main', '2019/05/A.jpg']]);
  const photo = path.join(out, '2019/05/A.jpg');
  const modes: LinkMode[] = ['hardlink', 'copy', 'symlink', 'hardlink'];
  for (const mode of modes) {
    await reconcileLinkFolder(db, out, 'albums/Trip', [a], mode, { keep: true });
    const link = path.join(out, 'albums/Trip/A.jpg');
    expect(lstatSync(link).isSymbolicLink()).toBe(mode === 'symlink');
    expect(statSync(link).ino === statSync(photo).ino).toBe(mode !== 'copy');
    expect(readFileSync(link, 'utf8')).toBe(readFileSync(photo, 'utf8'));
    expect(linksIn(db, 'albums/Trip').map((l) => l.mode)).toEqual([mode]);
  }
  expect(statSync(photo).nlink).toBe(2);
  // The date-layout name went (removed by hand): the hard link now holds the only copy of the bytes, so it stays.
  unlinkSync(photo);
  const warnings: string[] = [];
  await reconcileLinkFolder(db, out, 'albums/Trip', [], 'hardlink', { keep: true, warn: (m) => warnings.push(m) });
  expect(readFileSync(path.join(out, 'albums/Trip/A.jpg'), 'utf8')).toBe(`bytes of ${KEY_A} 2019/05/A.jpg`);
  expect(warnings).toHaveLength(1);
});

function album(key: string, title: string, createdMs: number): AlbumSummary {
  return { albumKey: key, title, ownerActor: 'AF1QipMe', shared: false, itemCount: 0, createdMs, modifiedMs: createdMs, shareId: null, linkUrl: null };
}

test('album folders: the title made one safe name; two albums with one title: the later one takes its key suffix; a rename renames the folder with its links; a gone album goes to the trash', async () => {
  const a = await kept(KEY_A, [['main', '2019/05/A.jpg']]);
  const ALBUM_1 = 'AF1QipAlbum1111111111111111111111111111111';
  const ALBUM_2 = 'AF1QipAlbum2222222222222222222222222222222';
  recordAlbumSummary(db, album(ALBUM_1, 'Trip', 1), true);
  recordAlbumSummary(db, album(ALBUM_2, 'Trip', 2), true);
  const dir1 = await ensureAlbumDir(db, out, getAlbumRow(db, ALBUM_1)!);
  const dir2 = await ensureAlbumDir(db, out, getAlbumRow(db, ALBUM_2)!);
  expect([dir1, dir2]).toEqual(['albums/Trip', `albums/Trip~${keyTag(ALBUM_2)}`]);
  // Stable: asked again, each keeps its folder.
  expect(await ensureAlbumDir(db, out, getAlbumRow(db, ALBUM_2)!)).toBe(dir2);
  await reconcileLinkFolder(db, out, dir2, [a], 'symlink', { keep: true });

  // Renamed in Google (a slash in a title is not a path): the folder and its links move.
  recordAlbumSummary(db, album(ALBUM_2, 'Summer/Winter: 2019', 2), true);
  const renamed = await ensureAlbumDir(db, out, getAlbumRow(db, ALBUM_2)!);
  expect(renamed).toBe('albums/Summer_Winter_ 2019');
  expect(existsSync(path.join(out, dir2))).toBe(false);
  expect(readlinkSync(path.join(out, renamed, 'A.jpg'))).toBe('../../2019/05/A.jpg');
  expect(readFileSync(path.join(out, renamed, 'A.jpg'), 'utf8')).toBe(`bytes of ${KEY_A} 2019/05/A.jpg`);
  expect(linksIn(db, renamed).map((l) => l.name)).toEqual(['A.jpg']);
  expect(await reconcileLinkFolder(db, out, renamed, [a], 'symlink', { keep: true })).toMatchObject({ added: 0, removed: 0 });

  // album.json: written atomically, and only when what it says changed.
  const manifest = { title: 'Summer/Winter: 2019', key: ALBUM_2, owner: null, shared: false, items: [{ key: KEY_A, files: ['A.jpg'] }] };
  expect(writeAlbumManifest(out, renamed, manifest)).toBe(true);
  expect(writeAlbumManifest(out, renamed, manifest)).toBe(false);
  expect(JSON.parse(readFileSync(path.join(out, renamed, 'album.json'), 'utf8'))).toEqual(manifest);
  expect(readdirSync(path.join(out, renamed)).filter((n) => n.endsWith('.tmp'))).toEqual([]);

  // Gone from Google: the folder of links moves into .gphotos-keep-trash/<date>/albums/…, the photo stays.
  const movedTo = await trashAlbumDir(db, out, getAlbumRow(db, ALBUM_2)!, Date.UTC(2026, 0, 20, 12));
  expect(movedTo).toMatch(/^\.gphotos-keep-trash\/2026-01-2\d\/albums\/Summer_Winter_ 2019$/);
  expect(readdirSync(path.join(out, movedTo!)).sort()).toEqual(['A.jpg', 'album.json']);
  expect(existsSync(path.join(out, renamed))).toBe(false);
  expect(readFileSync(path.join(out, '2019/05/A.jpg'), 'utf8')).toBe(`bytes of ${KEY_A} 2019/05/A.jpg`);
  expect(linksIn(db, renamed)).toEqual([]);
  // The other "Trip" keeps its folder.
  expect(existsSync(path.join(out, 'albums/Trip'))).toBe(true);
});
