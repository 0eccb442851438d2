// The trash used to live in the state folder (.gphotos-keep/trash), so "starting over" by
// deleting .gphotos-keep deleted every trashed photo with it. It now lives beside the photos
// (TRASH_DIR). A backup with the old trash gets it moved, once, by its next writing run: moved,
// never deleted; a name the new trash already holds is kept apart (name~2); the index's records
// of trashed files follow them, each record changed before its file moves, so a run killed
// half way finishes the move next time.
import { existsSync, lstatSync, mkdirSync, readdirSync, renameSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { STATE_DIR, type Db } from '../store/database.js';
import { withTag } from './names.js';
import { TRASH_DIR } from './trash.js';

export const OLD_TRASH_DIR = `${STATE_DIR}/trash`;

/** How many names a file may try in the new trash before it stays where it is. */
const NAMES = 20;

export interface TrashMove {
  /** Files (and links) now in the new trash. */
  moved: number;
  /** Those that took another name there, because theirs was taken. */
  renamed: { from: string; to: string }[];
  /** Left in the old trash: every name was taken. */
  left: string[];
}

function lexists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function retarget(db: Db | null, from: string, to: string): void {
  db?.prepare('UPDATE files SET rel_path = ? WHERE rel_path = ?').run(to, from);
}

/** Moves `<out>/.gphotos-keep/trash` into `<out>/<TRASH_DIR>`; null when there is no old trash. */
export function moveOldTrash(outDir: string, db: Db | null): TrashMove | null {
  const old = path.join(outDir, OLD_TRASH_DIR);
  let isDir = false;
  try {
    isDir = lstatSync(old).isDirectory();
  } catch {
    return null;
  }
  if (!isDir) return null;
  const root = path.join(outDir, TRASH_DIR);
  const result: TrashMove = { moved: 0, renamed: [], left: [] };
  if (!lexists(root)) {
    // The whole folder in one rename; the records first (a kill between leaves them pointing
    // where the next run puts the folder).
    const prefix = `${OLD_TRASH_DIR}/`;
    db?.prepare('UPDATE files SET rel_path = ? || substr(rel_path, ?) WHERE substr(rel_path, 1, ?) = ?').run(`${TRASH_DIR}/`, prefix.length + 1, prefix.length, prefix);
    renameSync(old, root);
    result.moved = countEntries(root);
    return result;
  }
  mergeInto(outDir, old, '', db, result);
  removeEmptyDirs(old);
  return result;
}

function countEntries(dir: string): number {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) n += entry.isDirectory() ? countEntries(path.join(dir, entry.name)) : 1;
  return n;
}

function mergeInto(outDir: string, oldRoot: string, rel: string, db: Db | null, result: TrashMove): void {
  for (const entry of readdirSync(path.join(oldRoot, rel), { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      mergeInto(outDir, oldRoot, child, db, result);
      continue;
    }
    const dir = path.posix.dirname(child);
    const candidates = [child, ...Array.from({ length: NAMES - 1 }, (_, i) => `${dir === '.' ? '' : `${dir}/`}${withTag(entry.name, `~${i + 2}`)}`)];
    const to = candidates.find((c) => !lexists(path.join(outDir, TRASH_DIR, c)));
    if (to === undefined) {
      result.left.push(`${OLD_TRASH_DIR}/${child}`);
      continue;
    }
    mkdirSync(path.dirname(path.join(outDir, TRASH_DIR, to)), { recursive: true });
    retarget(db, `${OLD_TRASH_DIR}/${child}`, `${TRASH_DIR}/${to}`);
    renameSync(path.join(oldRoot, child), path.join(outDir, TRASH_DIR, to));
    result.moved++;
    if (to !== child) result.renamed.push({ from: `${OLD_TRASH_DIR}/${child}`, to: `${TRASH_DIR}/${to}` });
  }
}

/** Removes the folders the move emptied (only empty ones: anything left stays). */
function removeEmptyDirs(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) removeEmptyDirs(path.join(dir, entry.name));
  if (readdirSync(dir).length === 0) rmdirSync(dir);
}

export function hasOldTrash(outDir: string): boolean {
  return existsSync(path.join(outDir, OLD_TRASH_DIR));
}
