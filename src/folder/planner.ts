// Choosing free final paths for one item's files: the index says which names other items
// hold, the disk says what is already there. Only our exact bytes are taken over; a path the
// item owns is replaced only when it still holds what we wrote there, and anything else found
// there is moved into the backup's trash first (recorded), never written over.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { HostileNameError } from '../errors.js';
import type { Db } from '../store/database.js';
import { type FileRole, type FileRow, filesOf, isRecordedPath, recordedNamesLike } from '../store/files.js';
import { intentAt } from '../store/intents.js';
import { recordSetAside } from '../store/versions.js';
import { ioError } from './durable.js';
import { type FileDigest, hashFile } from './hash.js';
import { fold, keyTag, nameForRole, resolveInside, toRelPath } from './layout.js';
import { moveToFreeName } from './moves.js';
import { nameBudget } from './name-limit.js';
import { localDate, TRASH_DIR, trashCandidates } from './trash.js';

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
  /** What was at the path before and went to the trash (relative path there), if anything. */
  setAside?: string;
}

/**
 * free: nothing there, or the lossy copy --upgrade promised to replace. same-bytes: our exact
 * bytes. aside: the item's path, holding bytes we may not write over (moved to the trash
 * first). taken: another item's, or a file that is not ours.
 */
type Verdict = { kind: 'free' | 'same-bytes' | 'taken' } | { kind: 'aside'; row: FileRow | null; digest: FileDigest };

/**
 * Chooses the final paths of one item's files, all with the same suffix (so a Live Photo
 * pair stays a pair), and reserves them until release(). A path is free when no other item
 * holds it — in the index or in flight, compared case-folded — and the disk has nothing there
 * or exactly our bytes. Names are cut to the folder's budget (src/folder/name-limit.ts).
 */
export class PathPlanner {
  /** Folded path → the item holding it while in flight. */
  private readonly reserved = new Map<string, string>();

  constructor(
    readonly outDir: string,
    readonly db: Db,
  ) {}

  async plan(mediaKey: string, folder: string, files: FileToPlace[]): Promise<PlacedFile[]> {
    const own = filesOf(this.db, mediaKey);
    const budget = await nameBudget(resolveInside(this.outDir, folder));
    const candidates: (string | null)[] = [null, keyTag(mediaKey, 8), keyTag(mediaKey, 16), keyTag(mediaKey, 64)];
    for (const suffix of candidates) {
      const placed: { file: PlacedFile; verdict: Verdict }[] = [];
      let free = true;
      for (const file of files) {
        // A file this item already has on record keeps its path (a re-download after verify --fix).
        const recorded = own.find((row) => row.role === file.role && row.superseded_ms === null && row.trashed_ms === null);
        const relPath = recorded && suffix === null ? recorded.rel_path : toRelPath(folder, nameForRole(file.baseName, file.role, suffix, budget));
        const verdict = await this.check(mediaKey, relPath, file.sha256, own.find((row) => row.rel_path === relPath && row.trashed_ms === null) ?? null);
        if (verdict.kind === 'taken') {
          free = false;
          break;
        }
        placed.push({ file: { role: file.role, relPath, alreadyThere: verdict.kind === 'same-bytes' }, verdict });
      }
      if (!free) continue;
      // Two files of one item must not land on one path (e.g. two zip entries with one name).
      if (new Set(placed.map((p) => fold(p.file.relPath))).size !== placed.length) continue;
      // Another item may have reserved one of these names while the checks above waited on the
      // disk: looking and reserving happen here in one synchronous step.
      if (placed.some((p) => (this.reserved.get(fold(p.file.relPath)) ?? mediaKey) !== mediaKey)) continue;
      for (const p of placed) this.reserved.set(fold(p.file.relPath), mediaKey);
      try {
        for (const p of placed) if (p.verdict.kind === 'aside') p.file.setAside = await this.setAside(mediaKey, p.file.relPath, p.verdict.row, p.verdict.digest);
      } catch (error) {
        this.release(mediaKey);
        throw error;
      }
      return placed.map((p) => p.file);
    }
    throw new HostileNameError(`no free file name for ${mediaKey} in ${folder}`);
  }

  release(mediaKey: string): void {
    for (const [key, owner] of this.reserved) if (owner === mediaKey) this.reserved.delete(key);
  }

  /** Another item holds this name, in flight or in the index, in any case or normalisation. */
  private heldByOther(mediaKey: string, relPath: string, ownRecorded: boolean): boolean {
    const holder = this.reserved.get(fold(relPath));
    if (holder !== undefined && holder !== mediaKey) return true;
    if (!ownRecorded && isRecordedPath(this.db, relPath)) return true;
    const folded = fold(relPath);
    return recordedNamesLike(this.db, relPath).some((row) => row.media_key !== mediaKey && row.rel_path !== relPath && fold(row.rel_path) === folded);
  }

  private async check(mediaKey: string, relPath: string, sha256: string, ownRow: FileRow | null): Promise<Verdict> {
    if (this.heldByOther(mediaKey, relPath, ownRow !== null)) return { kind: 'taken' };
    const full = resolveInside(this.outDir, relPath);
    let stat;
    try {
      stat = await lstat(full);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { kind: 'free' };
      throw ioError(`cannot look at ${relPath}`, error);
    }
    if (!stat.isFile()) return { kind: 'taken' };
    const digest = await hashFile(full);
    if (digest.sha256 === sha256) return { kind: 'same-bytes' };
    if (ownRow) {
      // The lossy copy `adopt --upgrade` recorded, still as recorded: the original replaces it (the promise).
      if (ownRow.lossy === 1 && digest.sha256 === ownRow.sha256) return { kind: 'free' };
      // Anything else on the item's own path (the user's file accepted as a probable match, a
      // file changed since, an older version): kept, in the trash.
      return { kind: 'aside', row: ownRow, digest };
    }
    // Not in the index: a file a killed run of ours renamed there (its intent says so) goes
    // aside like one on record; anyone else's is never touched.
    const intent = intentAt(this.db, relPath);
    if (intent && intent.media_key === mediaKey && intent.kind === 'file' && intent.sha256 === digest.sha256) return { kind: 'aside', row: null, digest };
    return { kind: 'taken' };
  }

  /** Moves what is at `relPath` into `.gphotos-keep-trash/<date>/replaced/`, recorded; the path is then free. */
  private async setAside(mediaKey: string, relPath: string, row: FileRow | null, digest: FileDigest): Promise<string | undefined> {
    const nowMs = Date.now();
    const base = `${TRASH_DIR}/${localDate(nowMs)}/replaced`;
    const from = resolveInside(this.outDir, relPath, 'recorded');
    const to = await moveToFreeName(this.outDir, from, trashCandidates(base, relPath), digest.bytes, (rel) => isRecordedPath(this.db, rel));
    if (to === null) {
      // Gone meanwhile (nothing to keep), or no free name in the trash: never write over it.
      if ((await lstat(from).catch(() => null)) === null) return undefined;
      throw new HostileNameError(`${relPath} holds bytes gphotos-keep may not write over, and no name in ${base} is free to keep them: the item waits (empty that part of the trash, then run again)`);
    }
    recordSetAside(this.db, { mediaKey, fileId: row?.id ?? null, relPath: to, trashedFrom: relPath, bytes: digest.bytes, sha256: digest.sha256, sha1: digest.sha1 }, nowMs);
    return path.posix.normalize(to);
  }
}
