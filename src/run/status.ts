// What a backup folder holds, read-only: counts by state, size (recorded and actually on disk),
// oldest and newest item, the last runs, items that keep failing or are parked, and whether a run is active.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { type Db, indexPath, openIndex, stateDir } from '../store/database.js';
import { TRASH_RETENTION_MS } from '../site/rpcids.js';
import { getNeverBackedUp, knowsShares, trashedItems } from '../store/albums.js';
import { indexDamaged, isDamage } from '../store/integrity.js';
import { countByState } from '../store/items.js';
import { type ListedSizeNote, listedSizeNotes } from '../store/verify-queries.js';
import { type RunCounts, lastSuccessMs, recentRuns, recordedOutcome } from '../store/runs.js';
import { type ItemAt, failingItems, recordedFiles, recordedTotals, takenRange, waitingItems } from '../store/stats.js';
import { type LockOwner, isOwnerAlive, lockPath, readLockOwner } from './lock.js';
import { type ParkedList, outcomeOf, parkedList } from './report.js';

export interface StatusItem {
  mediaKey: string;
  fileName: string | null;
  /** Local time where it was taken, ISO 8601 with its offset. */
  takenAt: string;
}

export interface StatusRun extends RunCounts {
  command: string;
  startedAt: string;
  endedAt: string | null;
  seconds: number | null;
  exitCode: number | null;
  outcome: string;
}

export interface StatusProblem {
  mediaKey: string;
  fileName: string | null;
  takenAt: string;
  attempts: number;
  reason: string | null;
  lastSeenAt: string;
}

export interface BackupStatus {
  out: string;
  index: string;
  items: Record<string, number> & { total: number };
  size: { recordedFiles: number; recordedBytes: number; presentFiles: number; presentBytes: number; missingFiles: number };
  oldest: StatusItem | null;
  newest: StatusItem | null;
  lastSuccessAt: string | null;
  runs: StatusRun[];
  /** Failed, and tried again by the next run. */
  failing: { total: number; items: StatusProblem[] };
  /** Failed in --park-after runs: not tried again until `sync --retry-failed`. */
  parked: ParkedList;
  waiting: { total: number; items: StatusProblem[] };
  /** Kept files whose size Google lists otherwise: the bytes vouched for themselves (a note, not a problem). */
  listedSizeNotes: { total: number; items: ListedSizeNote[] };
  /** A run holding the folder's lock right now. */
  activeRun: (LockOwner & { alive: boolean | 'unknown' }) | null;
  /** Items in Google's trash (not gone: they may be restored), and when Google will delete each for good. */
  trashed: { total: number; items: StatusTrashed[]; neverBackedUp: { count: number; firstDeletedBy: string | null } };
}

export interface StatusTrashed {
  mediaKey: string;
  fileName: string | null;
  /** When it went into Google's trash (null: not known). */
  trashedAt: string | null;
  /** When Google deletes it for good unless it is restored (null: not known). */
  deletedBy: string | null;
}

/** ISO 8601 in the place's own offset: the wall-clock time the camera showed. */
export function localIso(utcMs: number, offsetMs: number): string {
  const local = new Date(utcMs + offsetMs).toISOString().replace(/\.\d{3}Z$/, '');
  const sign = offsetMs < 0 ? '-' : '+';
  const abs = Math.abs(Math.round(offsetMs / 60_000));
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function toItem(row: ItemAt | null): StatusItem | null {
  return row ? { mediaKey: row.media_key, fileName: row.file_name, takenAt: localIso(row.taken_ms, row.tz_offset_ms) } : null;
}

function trashedList(db: Db, limit: number): BackupStatus['trashed'] {
  const { total, items } = trashedItems(db, limit);
  const never = knowsShares(db) ? getNeverBackedUp(db) : { count: 0, firstTrashedMs: null };
  return {
    total,
    neverBackedUp: { count: never.count, firstDeletedBy: never.firstTrashedMs === null ? null : new Date(never.firstTrashedMs + TRASH_RETENTION_MS).toISOString() },
    items: items.map((row) => ({
      mediaKey: row.media_key,
      fileName: row.file_name,
      trashedAt: row.trashed_ms === null ? null : new Date(row.trashed_ms).toISOString(),
      deletedBy: row.trashed_ms === null ? null : new Date(row.trashed_ms + TRASH_RETENTION_MS).toISOString(),
    })),
  };
}

/** Opens the folder's index read-only; a folder without one is a usage error (exit 2). */
export function openStatusIndex(outDir: string): Db {
  const out = path.resolve(outDir);
  const file = indexPath(out);
  if (!existsSync(file)) {
    const why = existsSync(out) ? `${out} has no backup index (${path.relative(out, file)} not found)` : `${out} does not exist`;
    throw new UsageError(`${why}: pass --out with a folder that sync has backed up into.`);
  }
  return openIndex(out, { readonly: true });
}

export function readStatus(outDir: string, options: { runs?: number; failing?: number; checkDisk?: boolean } = {}): BackupStatus {
  const out = path.resolve(outDir);
  const db = openStatusIndex(out);
  try {
    const byState = countByState(db);
    const total = Object.values(byState).reduce((a, b) => a + b, 0);
    const totals = recordedTotals(db);
    let presentFiles = 0;
    let presentBytes = 0;
    if (options.checkDisk !== false) {
      for (const file of recordedFiles(db)) {
        try {
          const stat = statSync(path.join(out, file.rel_path));
          if (stat.isFile()) {
            presentFiles++;
            presentBytes += stat.size;
          }
        } catch {
          // missing: counted below
        }
      }
    }
    const range = takenRange(db);
    const success = lastSuccessMs(db, 'sync');
    const runs = recentRuns(db, options.runs ?? 10).map(
      (r): StatusRun => ({
        command: r.command,
        startedAt: new Date(r.started_ms).toISOString(),
        endedAt: r.ended_ms === null ? null : new Date(r.ended_ms).toISOString(),
        seconds: r.ended_ms === null ? null : (r.ended_ms - r.started_ms) / 1000,
        exitCode: r.exit_code,
        // What the run recorded about itself; rows from before labels only have their exit code.
        outcome: r.exit_code === null ? (r.ended_ms === null ? 'did not finish' : 'unknown') : (recordedOutcome(r) ?? outcomeOf(r.exit_code)),
        found: r.found,
        new: r.new,
        downloaded: r.downloaded,
        skipped: r.skipped,
        deferred: r.deferred,
        failed: r.failed,
        bytes: r.bytes,
      }),
    );
    const problem = (row: { media_key: string; file_name: string | null; taken_ms: number; attempts: number; last_error: string | null; seen_ms: number }): StatusProblem => ({
      mediaKey: row.media_key,
      fileName: row.file_name,
      takenAt: new Date(row.taken_ms).toISOString(),
      attempts: row.attempts,
      reason: row.last_error,
      lastSeenAt: new Date(row.seen_ms).toISOString(),
    });
    const failing = failingItems(db, options.failing ?? 20);
    const waiting = waitingItems(db, 10);
    const holder = readLockOwner(lockPath(stateDir(out)));
    return {
      out,
      index: indexPath(out),
      items: { ...byState, total },
      size: {
        recordedFiles: totals.files,
        recordedBytes: totals.bytes,
        presentFiles,
        presentBytes,
        missingFiles: options.checkDisk === false ? 0 : totals.files - presentFiles,
      },
      oldest: toItem(range.oldest),
      newest: toItem(range.newest),
      lastSuccessAt: success === null ? null : new Date(success).toISOString(),
      runs,
      failing: { total: failing.total, items: failing.items.map(problem) },
      parked: parkedList(db, options.failing ?? 20),
      waiting: { total: waiting.total, items: waiting.items.map(problem) },
      listedSizeNotes: listedSizeNotes(db, options.failing ?? 20),
      activeRun: holder ? { ...holder, alive: isOwnerAlive(holder) } : null,
      trashed: trashedList(db, options.failing ?? 20),
    };
  } catch (error) {
    // A damaged page shows up when a query reaches it: one line naming the repair, no stack.
    if (isDamage(error)) throw indexDamaged(indexPath(out), (error as Error).message, error);
    throw error;
  } finally {
    db.close();
  }
}
