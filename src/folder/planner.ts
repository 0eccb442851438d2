// Choosing free final paths for one item's files: the index says which names other items
// hold, the disk says what is already there (only our exact bytes are taken over).
import { lstat } from 'node:fs/promises';
import { HostileNameError } from '../errors.js';
import type { Db } from '../store/database.js';
import { type FileRole, filesOf, isRecordedPath } from '../store/files.js';
import { hashFile } from './hash.js';
import { keyTag, nameForRole, resolveInside, toRelPath } from './layout.js';

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
    if (!ownRecorded && isRecordedPath(this.db, relPath)) return 'taken';
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
