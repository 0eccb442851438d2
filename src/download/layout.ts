// Where each file of an item goes: `YYYY/MM/<original file name>`, the folder from the
// date taken in the place it was taken (taken time + that place's UTC offset).
//
// Names: what Google shows keeps the original name (`IMG_1.jpg`); the unedited original of
// an item edited in Google gets `.original` before the extension (`IMG_1.original.jpg`); a
// Live Photo's video sits beside its still under the same base name (`IMG_1.HEIC` +
// `IMG_1.MOV`). Two different items with the same name: the later one gets a suffix derived
// from its mediaKey (`IMG_1~3f9a1c2b.jpg`), the same on every run, never a counter.
import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { HostileNameError } from '../errors.js';
import type { Db } from '../store/database.js';
import { type FileRole, filesOf, isPathTaken } from '../store/files.js';
import { splitExtension } from './names.js';
import { hashFile } from './save.js';

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

/** The file name of one role, given the item's sanitised base name and a collision suffix. */
export function nameForRole(fileName: string, role: FileRole, suffix: string | null): string {
  const { stem, ext } = splitExtension(fileName);
  const tagged = suffix ? `${stem}~${suffix}` : stem;
  return role === 'original' ? `${tagged}.original${ext}` : `${tagged}${ext}`;
}

/** The `.part` file of one final name, unique per item, recognisable as ours (`~<tag>.part`). */
export function partName(finalName: string, mediaKey: string): string {
  return `${finalName}~${keyTag(mediaKey)}.part`;
}
export const PART_FILE = /~[0-9a-f]{8}\.part$/;

/** Resolves a relative path inside the backup folder; anything that would leave it is refused. */
export function resolveInside(outDir: string, relPath: string): string {
  const root = path.resolve(outDir);
  const full = path.resolve(root, relPath);
  const segments = relPath.split(/[/\\]/);
  if (path.isAbsolute(relPath) || segments.some((s) => s === '..' || s === '') || !full.startsWith(root + path.sep)) {
    throw new HostileNameError(`refused to write outside the backup folder: ${JSON.stringify(relPath)}`);
  }
  return full;
}

/** Forward slashes in the index on every platform. */
export function toRelPath(folder: string, name: string): string {
  return `${folder}/${name}`;
}

export interface FileToPlace {
  role: FileRole;
  /** Sanitised name the file arrived with (the still's name for a Live Photo's video too). */
  baseName: string;
  sha256: string;
}

export interface PlacedFile {
  role: FileRole;
  relPath: string;
  /** The path already holds these exact bytes (a run that died before recording): no rename needed. */
  alreadyThere: boolean;
}

/**
 * Chooses the final paths of one item's files, all with the same suffix (so a Live Photo
 * pair stays a pair), and reserves them until release(). A path is free when no other item
 * holds it in the index or in flight, and the disk has nothing there or exactly our bytes.
 */
export class PathPlanner {
  private readonly reserved = new Map<string, string>();

  constructor(
    private readonly outDir: string,
    private readonly db: Db,
  ) {}

  async plan(mediaKey: string, folder: string, files: FileToPlace[]): Promise<PlacedFile[]> {
    const own = filesOf(this.db, mediaKey);
    const candidates: (string | null)[] = [null, keyTag(mediaKey, 8), keyTag(mediaKey, 16), keyTag(mediaKey, 64)];
    for (const suffix of candidates) {
      const placed: PlacedFile[] = [];
      let free = true;
      for (const file of files) {
        // A file this item already has on record keeps its path (a re-download after verify --fix).
        const recorded = own.find((row) => row.role === file.role && row.superseded_ms === null);
        const relPath = recorded && suffix === null ? recorded.rel_path : toRelPath(folder, nameForRole(file.baseName, file.role, suffix));
        const verdict = await this.check(mediaKey, relPath, file.sha256, own.some((row) => row.rel_path === relPath));
        if (verdict === 'taken') {
          free = false;
          break;
        }
        placed.push({ role: file.role, relPath, alreadyThere: verdict === 'same-bytes' });
      }
      if (!free) continue;
      // Two files of one item must not land on one path (e.g. two zip entries with one name).
      if (new Set(placed.map((p) => p.relPath)).size !== placed.length) continue;
      for (const p of placed) this.reserved.set(p.relPath, mediaKey);
      return placed;
    }
    throw new HostileNameError(`no free file name for ${mediaKey} in ${folder}`);
  }

  release(mediaKey: string): void {
    for (const [relPath, owner] of this.reserved) if (owner === mediaKey) this.reserved.delete(relPath);
  }

  private async check(mediaKey: string, relPath: string, sha256: string, ownRecorded: boolean): Promise<'free' | 'same-bytes' | 'taken'> {
    const holder = this.reserved.get(relPath);
    if (holder !== undefined && holder !== mediaKey) return 'taken';
    if (!ownRecorded && isPathTaken(this.db, relPath)) return 'taken';
    const full = resolveInside(this.outDir, relPath);
    let stat;
    try {
      stat = await lstat(full);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'free';
      throw error;
    }
    if (!stat.isFile()) return 'taken';
    // Ours on record: replace it (a re-download of a file verify found changed).
    if (ownRecorded) return 'free';
    // Not in the index: a file left by a run that died before recording, or someone else's.
    // Only the exact same bytes are adopted; anything else is never overwritten.
    return (await hashFile(full)).sha256 === sha256 ? 'same-bytes' : 'taken';
  }
}
