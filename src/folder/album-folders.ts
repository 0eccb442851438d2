// The folder of each album under `albums/`: its name (the title made safe, with a stable
// suffix from the album key when another album has the name), its rename when the album is
// renamed in Google, its move into the backup's trash when the album is gone, and its small
// `album.json` (title, key, owner, shared, item order), written atomically.
import { existsSync, readFileSync } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type AlbumRow, listAlbumRows, moveLinkDir, setAlbumDir } from '../store/albums.js';
import type { Db } from '../store/database.js';
import { atomicWriteFile } from './atomic-write.js';
import { fsyncDir, ioError, pathExists } from './durable.js';
import { assertFileInside, ensureFolderInside } from './inside.js';
import { keyTag, resolveInside } from './layout.js';
import { removeEmptyDir } from './links.js';
import { sanitiseFileName } from './names.js';
import { localDate, TRASH_DIR, trashCandidates } from './trash.js';

export const ALBUMS_ROOT = 'albums';
export const ALBUM_MANIFEST = 'album.json';

export interface AlbumManifest {
  title: string;
  key: string;
  /** The owner's name (or actor id); null for the account's own albums. */
  owner: string | null;
  shared: boolean;
  /** In album order: each item's album key and the names of its links here (none yet: not downloaded). */
  items: { key: string; files: string[] }[];
}


/** `albums/<title>` and `albums/<title>~<8 hex of the album key>`: the two names an album's folder may have. */
export function albumDirNames(album: Pick<AlbumRow, 'title' | 'album_key'>): [string, string] {
  // A title is one name, not a path: its slashes become `_` like the other unsafe characters.
  const name = sanitiseFileName(album.title.replace(/[/\\]/g, '_'), 'album');
  return [`${ALBUMS_ROOT}/${name}`, `${ALBUMS_ROOT}/${name}~${keyTag(album.album_key)}`];
}

/**
 * Gives the album its folder (recorded in the index) and returns it: the one it has when its
 * title still names it, else the plain title when no other album (or foreign file) holds it,
 * else the title with the album's suffix. A renamed album's folder is renamed on disk, links
 * and all (relative links stay valid: the folder's depth does not change).
 */
export async function ensureAlbumDir(db: Db, outDir: string, album: AlbumRow): Promise<string> {
  const [plain, tagged] = albumDirNames(album);
  if (album.dir === plain || album.dir === tagged) {
    await ensureFolderInside(outDir, resolveInside(outDir, album.dir, 'recorded'));
    return album.dir;
  }
  const others = new Set(listAlbumRows(db).filter((a) => a.album_key !== album.album_key && a.dir !== null).map((a) => a.dir!));
  const free = async (dir: string): Promise<boolean> => !others.has(dir) && !(await pathExists(resolveInside(outDir, dir)));
  const target = (await free(plain)) ? plain : tagged;
  const targetPath = resolveInside(outDir, target);
  if (album.dir !== null && (await pathExists(resolveInside(outDir, album.dir, 'recorded')))) {
    if (await pathExists(targetPath)) {
      // Neither name is free: the folder keeps the name it has.
      return album.dir;
    }
    await assertFileInside(outDir, resolveInside(outDir, album.dir, 'recorded'));
    await ensureFolderInside(outDir, path.dirname(targetPath));
    try {
      await rename(resolveInside(outDir, album.dir, 'recorded'), targetPath);
      await fsyncDir(path.dirname(targetPath));
    } catch (error) {
      throw ioError(`cannot rename the album folder ${album.dir} to ${target}`, error);
    }
    moveLinkDir(db, album.dir, target);
  } else if (album.dir !== null) {
    moveLinkDir(db, album.dir, target);
  }
  await ensureFolderInside(outDir, targetPath);
  setAlbumDir(db, album.album_key, target);
  return target;
}

/**
 * An album Google no longer shows: its folder of links moves to
 * `.gphotos-keep-trash/<date>/albums/<name>` (never deleted; the photos stay in the date
 * layout). Returns where it went, or null when it had no folder on disk.
 */
export async function trashAlbumDir(db: Db, outDir: string, album: AlbumRow, nowMs = Date.now()): Promise<string | null> {
  if (album.dir === null) return null;
  const from = resolveInside(outDir, album.dir, 'recorded');
  moveLinkDir(db, album.dir, null);
  setAlbumDir(db, album.album_key, null);
  if (!(await pathExists(from))) return null;
  await assertFileInside(outDir, from);
  for (const candidate of trashCandidates(`${TRASH_DIR}/${localDate(nowMs)}`, album.dir)) {
    const to = resolveInside(outDir, candidate, 'recorded');
    await ensureFolderInside(outDir, path.dirname(to));
    if (await pathExists(to)) continue;
    try {
      await rename(from, to);
      await fsyncDir(path.dirname(to));
      await fsyncDir(path.dirname(from));
    } catch (error) {
      throw ioError(`cannot move the album folder ${album.dir} to the trash`, error);
    }
    await removeEmptyDir(outDir, ALBUMS_ROOT);
    return candidate;
  }
  return null;
}

/** Writes the album's `album.json` when what it says changed (atomically: temp file, fsync, rename). */
export function writeAlbumManifest(outDir: string, dir: string, manifest: AlbumManifest): boolean {
  const file = resolveInside(outDir, `${dir}/${ALBUM_MANIFEST}`, 'recorded');
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  if (existsSync(file)) {
    try {
      if (readFileSync(file, 'utf8') === text) return false;
    } catch {
      // unreadable: written anew
    }
  }
  try {
    atomicWriteFile(file, text);
  } catch (error) {
    throw ioError(`cannot write ${dir}/${ALBUM_MANIFEST}`, error);
  }
  return true;
}

/** `--album-links none`: the album's folder goes (its links are already removed), manifest and all, if nothing else is in it. */
export async function dropAlbumDir(db: Db, outDir: string, album: AlbumRow): Promise<void> {
  if (album.dir === null) return;
  await unlink(resolveInside(outDir, `${album.dir}/${ALBUM_MANIFEST}`, 'recorded')).catch(() => undefined);
  await removeEmptyDir(outDir, album.dir);
  setAlbumDir(db, album.album_key, null);
}
