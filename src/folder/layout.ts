// Where each file of an item goes: `YYYY/MM/<original file name>`, the folder from the
// date taken in the place it was taken (taken time + that place's UTC offset).
//
// Names: what Google shows keeps the original name (`IMG_1.jpg`); the unedited original of
// an item edited in Google gets `.original` before the extension (`IMG_1.original.jpg`); a
// Live Photo's video sits beside its still under the same base name (`IMG_1.HEIC` +
// `IMG_1.MOV`). Two different items with the same name: the later one gets a suffix derived
// from its mediaKey (`IMG_1~3f9a1c2b.jpg`), the same on every run, never a counter. Names
// that differ only in case or Unicode normalisation are one name (fold): a backup may live on,
// or be copied to, a disk that does not tell them apart.
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { HostileNameError, LocalIoError } from '../errors.js';
import type { FileRole } from '../store/files.js';
import { MAX_NAME_BYTES, splitExtension, truncateBytes, utf8Length } from './names.js';

/** `YYYY/MM` of the local date where the item was taken. */
export function datedFolder(takenMs: number, tzOffsetMs: number): string {
  const local = new Date(takenMs + tzOffsetMs);
  if (Number.isNaN(local.getTime())) return 'undated';
  const year = local.getUTCFullYear();
  if (year < 1 || year > 9999) return 'undated';
  return `${String(year).padStart(4, '0')}/${String(local.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** A short, stable tag of a mediaKey: hex so it means the same on case-insensitive disks. */
export function keyTag(mediaKey: string, length = 8): string {
  return createHash('sha256').update(mediaKey).digest('hex').slice(0, length);
}

/**
 * The file name of one role, given the item's sanitised base name and a collision suffix, in
 * at most `maxBytes` of UTF-8 (the folder's budget, src/folder/name-limit.ts): the stem is cut,
 * never the suffix, `.original` or the extension.
 */
export function nameForRole(fileName: string, role: FileRole, suffix: string | null, maxBytes = MAX_NAME_BYTES): string {
  const { stem, ext } = splitExtension(fileName);
  const tail = `${suffix ? `~${suffix}` : ''}${role === 'original' ? '.original' : ''}${ext}`;
  const room = Math.max(1, maxBytes - utf8Length(tail));
  const cut = utf8Length(stem) <= room ? stem : truncateBytes(stem, room).replace(/[\s.]+$/, '') || truncateBytes(stem, room);
  return `${cut}${tail}`;
}

/** One key for names a case-insensitive or normalising file system takes for the same name. */
export function fold(relPath: string): string {
  return relPath.normalize('NFC').toLowerCase();
}

/**
 * Where a relative path comes from: a name about to be written (a hostile name fails that
 * item) or a path the index recorded (ours, so one outside the folder means the index is
 * damaged and the run stops).
 */
export type PathOrigin = 'new' | 'recorded';

/** Resolves a relative path inside the backup folder; anything that would leave it is refused. */
export function resolveInside(outDir: string, relPath: string, origin: PathOrigin = 'new'): string {
  const root = path.resolve(outDir);
  const full = path.resolve(root, relPath);
  const segments = relPath.split(/[/\\]/);
  if (path.isAbsolute(relPath) || segments.some((s) => s === '..' || s === '') || !full.startsWith(root + path.sep)) {
    if (origin === 'recorded') throw new LocalIoError(`the index records a path outside the backup folder: ${JSON.stringify(relPath)}`);
    throw new HostileNameError(`refused to write outside the backup folder: ${JSON.stringify(relPath)}`);
  }
  return full;
}

/** An absolute path as a relative path of the index (forward slashes), or null when it lies outside the backup folder. */
export function relativeInside(outDir: string, file: string): string | null {
  const rel = path.relative(outDir, file);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  // The same folder under another path (a link to it, or a link in the file's path): asked of the file system.
  try {
    const real = path.relative(realpathSync(outDir), path.join(realpathSync(path.dirname(file)), path.basename(file)));
    if (real === '' || real.startsWith('..') || path.isAbsolute(real)) return null;
    return real.split(path.sep).join('/');
  } catch {
    return null;
  }
}

/** Forward slashes in the index on every platform. */
export function toRelPath(folder: string, name: string): string {
  return `${folder}/${name}`;
}
