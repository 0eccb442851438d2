// Link folders: `albums/<title>/`, `favorites/`, `archive/`, `partner/` show files of the date
// layout without holding a second copy of their bytes (relative symlinks by default; hard
// links or copies when asked). Each link is recorded in the index, so a rerun keeps every
// name it gave and removes only links it made; a photo in the date layout is never touched.
//
// Names: a link takes its file's name; an item whose name is taken in the folder by another
// item (or by a file that is not ours) takes `~` and 8 hex of its mediaKey's SHA-256 for all of
// its files, so a Live Photo's pair stays a pair and every rerun picks the same names.
import { chmod, copyFile, constants, link, lstat, readdir, readlink, rmdir, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { LinkMode } from '../model/albums.js';
import { type LinkableFile, type LinkRow, type Member, forgetLink, linkableFiles, linksIn, recordLink } from '../store/albums.js';
import type { Db } from '../store/database.js';
import { fsyncDir, fsyncFile, ioError, moveInto, removeQuietly } from './durable.js';
import { ensureFolderInside } from './inside.js';
import { fileMode } from './modes.js';
import { keyTag, resolveInside } from './layout.js';
import { withTag } from './names.js';
import { partName } from './part-files.js';

/** The top-level folders of the backup that hold links, never files of their own. */
export const LINK_ROOTS = ['albums', 'favorites', 'archive', 'partner'] as const;

export interface LinkFolderResult {
  /** mediaKey → the names its files have in the folder, in the order of its files. */
  names: Map<string, string[]>;
  added: number;
  removed: number;
  /** Links that were not made (their file is missing on disk, or a name not ours is in the way). */
  skipped: string[];
}

interface Wanted {
  mediaKey: string;
  file: LinkableFile;
}

const wantedKey = (mediaKey: string, target: string): string => `${mediaKey}\u0000${target}`;

async function lstatOrNull(file: string) {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw error;
  }
}

/** The relative target a symlink at `linkPath` needs to reach `targetPath`. */
export function relativeTarget(linkPath: string, targetPath: string): string {
  return path.relative(path.dirname(linkPath), targetPath);
}

/**
 * Is the entry at `linkPath` still the link we recorded (so removing it loses no photo)? A
 * symlink must point where we made it point; a hard link or a copy must have the size of its
 * file, and a hard link must share its inode or have another name for its bytes.
 */
async function stillOurs(outDir: string, row: LinkRow, linkPath: string, bytes: number | null): Promise<boolean> {
  const stat = await lstatOrNull(linkPath);
  if (!stat) return false;
  if (row.mode === 'symlink') return stat.isSymbolicLink() && (await readlink(linkPath)) === relativeTarget(linkPath, resolveInside(outDir, row.target, 'recorded'));
  if (!stat.isFile() || (bytes !== null && stat.size !== bytes)) return false;
  if (row.mode === 'hardlink') return stat.nlink > 1;
  return true;
}

/** Creates one link; false when its file is not on disk. */
export async function makeLink(outDir: string, mode: Exclude<LinkMode, 'none'>, mediaKey: string, targetRel: string, linkPath: string): Promise<boolean> {
  const target = resolveInside(outDir, targetRel, 'recorded');
  const targetStat = await lstatOrNull(target);
  if (!targetStat?.isFile()) return false;
  try {
    if (mode === 'symlink') {
      await symlink(relativeTarget(linkPath, target), linkPath);
    } else if (mode === 'hardlink') {
      await link(target, linkPath);
    } else {
      // A copy is never seen half written: `.part` beside it, fsynced, then renamed.
      const part = path.join(path.dirname(linkPath), partName(path.basename(linkPath), mediaKey));
      await removeQuietly(part);
      await copyFile(target, part, constants.COPYFILE_EXCL);
      await chmod(part, fileMode());
      await fsyncFile(part);
      await moveInto(part, linkPath);
      return true;
    }
  } catch (error) {
    throw ioError(`cannot make the ${mode} ${linkPath}`, error);
  }
  await fsyncDir(path.dirname(linkPath));
  return true;
}

/**
 * Brings one link folder (`dir`, relative to the backup folder) to `members`, in their order:
 * links of files no member holds any more are removed (only if still ours), missing ones made.
 * With mode `none` every link of ours in it is removed. An empty folder is removed unless `keep`.
 */
export async function reconcileLinkFolder(
  db: Db,
  outDir: string,
  dir: string,
  members: readonly Member[],
  mode: LinkMode,
  options: { keep?: boolean; warn?: (message: string) => void } = {},
): Promise<LinkFolderResult> {
  const result: LinkFolderResult = { names: new Map(), added: 0, removed: 0, skipped: [] };
  const dirPath = resolveInside(outDir, dir, 'recorded');
  const recorded = linksIn(db, dir);
  const files = mode === 'none' ? new Map<string, LinkableFile[]>() : linkableFiles(db, members.map((m) => m.mediaKey));
  const wanted = new Map<string, Wanted>();
  for (const member of members) for (const file of files.get(member.mediaKey) ?? []) wanted.set(wantedKey(member.mediaKey, file.rel_path), { mediaKey: member.mediaKey, file });
  const bytesOf = new Map([...wanted.values()].map((w) => [w.file.rel_path, w.file.bytes]));

  // Links that stay, links that go.
  const kept = new Map<string, LinkRow>();
  const dirExists = (await lstatOrNull(dirPath))?.isDirectory() === true;
  for (const row of recorded) {
    const key = wantedKey(row.media_key, row.target);
    const linkPath = path.join(dirPath, row.name);
    if (wanted.has(key) && row.mode === mode && dirExists) {
      kept.set(key, row);
      continue;
    }
    if (await stillOurs(outDir, row, linkPath, bytesOf.get(row.target) ?? null)) {
      await unlink(linkPath).catch((error: unknown) => {
        throw ioError(`cannot remove the link ${linkPath}`, error);
      });
      result.removed++;
    } else if (await lstatOrNull(linkPath)) {
      options.warn?.(`${dir}/${row.name} is no longer the link gphotos-keep made: left as it is`);
    }
    forgetLink(db, dir, row.name);
  }

  const missing = [...wanted.entries()].filter(([key]) => !kept.has(key));
  if (missing.length > 0 && mode !== 'none') {
    await ensureFolderInside(outDir, dirPath);
    const taken = new Map<string, string>(); // name → mediaKey holding it (null-ish "" for a file not ours)
    for (const row of kept.values()) taken.set(row.name, row.media_key);
    for (const name of await readdir(dirPath).catch(() => [] as string[])) if (!taken.has(name)) taken.set(name, '');
    const byItem = new Map<string, Wanted[]>();
    for (const [, w] of missing) byItem.set(w.mediaKey, [...(byItem.get(w.mediaKey) ?? []), w]);
    for (const [mediaKey, items] of byItem) {
      const keptNames = [...kept.values()].filter((r) => r.media_key === mediaKey).map((r) => r.name);
      const tag = `~${keyTag(mediaKey)}`;
      // The item's existing links decide its suffix; else any clash of any of its names does.
      const plain = keptNames.length > 0 ? keptNames.every((n) => !n.includes(tag)) : items.every((w) => !taken.has(path.posix.basename(w.file.rel_path)) || taken.get(path.posix.basename(w.file.rel_path)) === mediaKey);
      for (const w of items) {
        const base = path.posix.basename(w.file.rel_path);
        const name = plain ? base : withTag(base, tag);
        if (taken.has(name) && taken.get(name) !== mediaKey) {
          result.skipped.push(`${dir}/${name}`);
          options.warn?.(`${dir}/${name}: the name is taken by a file gphotos-keep did not make; no link made`);
          continue;
        }
        if (!(await makeLink(outDir, mode as Exclude<LinkMode, 'none'>, mediaKey, w.file.rel_path, path.join(dirPath, name)))) {
          result.skipped.push(`${dir}/${name}`);
          continue;
        }
        taken.set(name, mediaKey);
        const row: LinkRow = { dir, name, media_key: mediaKey, target: w.file.rel_path, mode };
        recordLink(db, row);
        kept.set(wantedKey(mediaKey, w.file.rel_path), row);
        result.added++;
      }
    }
  }

  for (const member of members) {
    const names = (files.get(member.mediaKey) ?? []).map((f) => kept.get(wantedKey(member.mediaKey, f.rel_path))?.name).filter((n): n is string => n !== undefined);
    if (names.length > 0) result.names.set(member.mediaKey, names);
  }
  if (kept.size === 0 && !options.keep) await removeEmptyDir(outDir, dir);
  return result;
}

/** Removes a link folder (relative) if it is empty, and its link root (`albums/`) when that is empty too. */
export async function removeEmptyDir(outDir: string, dir: string): Promise<void> {
  try {
    await rmdir(resolveInside(outDir, dir, 'recorded'));
  } catch {
    return;
  }
  const root = dir.split('/')[0];
  if (root !== dir && (LINK_ROOTS as readonly string[]).includes(root)) await rmdir(resolveInside(outDir, root, 'recorded')).catch(() => undefined);
}
