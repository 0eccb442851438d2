// Read-only questions `status` and the run report ask of the index.
import type { Db } from './database.js';

export interface RecordedTotals {
  files: number;
  bytes: number;
}

/** Every recorded file (older versions kept after an edit included): what should be on disk. */
export function recordedTotals(db: Db): RecordedTotals {
  const row = db.prepare('SELECT COUNT(*) AS files, COALESCE(SUM(bytes), 0) AS bytes FROM files').get() as RecordedTotals;
  return { files: row.files, bytes: row.bytes };
}

export function* recordedFiles(db: Db): Generator<{ rel_path: string; bytes: number }> {
  yield* db.prepare('SELECT rel_path, bytes FROM files ORDER BY id').iterate() as Iterable<{ rel_path: string; bytes: number }>;
}

export interface ItemAt {
  media_key: string;
  taken_ms: number;
  tz_offset_ms: number;
  file_name: string | null;
  state: string;
}

/** The items with the earliest and latest date taken, among those Google still lists. */
export function takenRange(db: Db): { oldest: ItemAt | null; newest: ItemAt | null } {
  const pick = (order: 'ASC' | 'DESC') =>
    (db.prepare(`SELECT media_key, taken_ms, tz_offset_ms, file_name, state FROM items WHERE state != 'gone' ORDER BY taken_ms ${order}, media_key LIMIT 1`).get() as ItemAt | undefined) ?? null;
  return { oldest: pick('ASC'), newest: pick('DESC') };
}

export interface FailingItem {
  media_key: string;
  file_name: string | null;
  taken_ms: number;
  state: string;
  attempts: number;
  last_error: string | null;
  seen_ms: number;
}

/** Items that failed (tries used up), the most stubborn first. */
export function failingItems(db: Db, limit = 20): { total: number; items: FailingItem[] } {
  const total = db.prepare(`SELECT COUNT(*) FROM items WHERE state = 'failed'`).pluck().get() as number;
  const items = db
    .prepare(`SELECT media_key, file_name, taken_ms, state, attempts, last_error, seen_ms FROM items WHERE state = 'failed' ORDER BY attempts DESC, seen_ms DESC, media_key LIMIT ?`)
    .all(limit) as FailingItem[];
  return { total, items };
}

/** Deferred items (videos Google is still processing) and why, newest first. */
export function waitingItems(db: Db, limit = 10): { total: number; items: FailingItem[] } {
  const total = db.prepare(`SELECT COUNT(*) FROM items WHERE state = 'deferred'`).pluck().get() as number;
  const items = db
    .prepare(`SELECT media_key, file_name, taken_ms, state, attempts, last_error, seen_ms FROM items WHERE state = 'deferred' ORDER BY taken_ms DESC, media_key LIMIT ?`)
    .all(limit) as FailingItem[];
  return { total, items };
}

/** Items the index still has to download, by state (an item being downloaded is still pending). */
export function countOutstanding(db: Db): { pending: number; failed: number; deferred: number } {
  const counts = { pending: 0, failed: 0, deferred: 0 };
  for (const row of db.prepare(`SELECT state, COUNT(*) AS n FROM items WHERE state IN ('pending', 'failed', 'deferred') GROUP BY state`).all() as { state: keyof typeof counts; n: number }[]) {
    counts[row.state] = row.n;
  }
  return counts;
}
