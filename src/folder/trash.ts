// The trash of the backup folder: `<out>/.gphotos-keep-trash/<YYYY-MM-DD>/…`. Files leave their
// place only by moving in here (prune, verify --fix); nothing is deleted, the owner empties it.
// It is not in the state folder (.gphotos-keep), so deleting the state to start over never
// deletes a trashed photo; an old `.gphotos-keep/trash` is moved here once (trash-move.ts).
import path from 'node:path';
import { withTag } from './names.js';

export const TRASH_DIR = '.gphotos-keep-trash';

/** The local calendar date of `ms` as YYYY-MM-DD (the owner reads the trash by their own date). */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** How many names a file may try in the trash before it stays where it is. */
const TRASH_NAMES = 20;

/** Where a file goes under the trash folder `base`: its own relative path, then `name~2.ext` … `name~20.ext` beside it. */
export function trashCandidates(base: string, relPath: string): string[] {
  const tagged = (n: number): string => `${base}/${path.posix.dirname(relPath)}/${withTag(path.posix.basename(relPath), `~${n}`)}`;
  return [`${base}/${relPath}`, ...Array.from({ length: TRASH_NAMES - 1 }, (_, i) => tagged(i + 2))];
}
