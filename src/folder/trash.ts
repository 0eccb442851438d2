// The trash of the backup folder: `<out>/.gphotos-keep/trash/<YYYY-MM-DD>/…`. Files leave their
// place only by moving in here (prune, verify --fix); nothing is deleted, the owner empties it.
import { STATE_DIR } from '../store/database.js';

export const TRASH_DIR = `${STATE_DIR}/trash`;

/** The local calendar date of `ms` as YYYY-MM-DD (the owner reads the trash by their own date). */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
