// A kept file's modification time is the moment the photo or video was taken, so file
// managers and `ls -t` sort a backup the way Google Photos does.
import { stat, utimes } from 'node:fs/promises';

/**
 * Sets the file's mtime (and atime) to `takenMs` and returns the mtime the file system
 * actually stored (ms, as `stat` reports it), which is what an index should record.
 * Returns null and changes nothing when `takenMs` is not a usable time.
 */
export async function setTakenMtime(file: string, takenMs: number | null | undefined): Promise<number | null> {
  if (typeof takenMs !== 'number' || !Number.isFinite(takenMs)) return null;
  // Before 1970 works on Linux file systems; far outside any camera's range is a bad value.
  if (takenMs < Date.UTC(1826, 0, 1) || takenMs > Date.now() + 366 * 86_400_000) return null;
  // A Date, not seconds: Node replaces negative numbers (before 1970) with the current time.
  const when = new Date(takenMs);
  await utimes(file, when, when);
  return (await stat(file)).mtimeMs;
}
