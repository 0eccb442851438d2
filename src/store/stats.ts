// Read-only questions `status` and the run report ask of the index.
import type { Db } from './database.js';
import { IN_TAKEN_RANGE, PARKED, rangeParams } from './items.js';
import type { TakenRange } from '../model/taken-range.js';

export type { TakenRange };

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

/**
 * Whether the index knows parking (migration 4). `status` and a dry run open an index
 * read-only, so one written by an older gphotos-keep is not migrated until the next sync.
 */
function knowsParking(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM pragma_table_info('items') WHERE name = 'parked_ms'`).get() !== undefined;
}

/** Items that failed a run and will be tried again by the next one (not parked), the most stubborn first. */
export function failingItems(db: Db, limit = 20): { total: number; items: FailingItem[] } {
  const where = knowsParking(db) ? `state = 'failed' AND NOT (${PARKED})` : `state = 'failed'`;
  const total = db.prepare(`SELECT COUNT(*) FROM items WHERE ${where}`).pluck().get() as number;
  const items = db
    .prepare(`SELECT media_key, file_name, taken_ms, state, attempts, last_error, seen_ms FROM items WHERE ${where} ORDER BY attempts DESC, seen_ms DESC, media_key LIMIT ?`)
    .all(limit) as FailingItem[];
  return { total, items };
}

export interface ParkedRow {
  media_key: string;
  file_name: string | null;
  taken_ms: number;
  failed_runs: number;
  last_error: string | null;
  parked_ms: number;
}

/** Items parked after failing in --park-after runs, the most recently parked first. */
export function parkedItems(db: Db, limit = 20): { total: number; items: ParkedRow[] } {
  if (!knowsParking(db)) return { total: 0, items: [] };
  const total = db.prepare(`SELECT COUNT(*) FROM items WHERE ${PARKED}`).pluck().get() as number;
  const items = db
    .prepare(`SELECT media_key, file_name, taken_ms, failed_runs, last_error, parked_ms FROM items WHERE ${PARKED} ORDER BY parked_ms DESC, media_key LIMIT ?`)
    .all(limit) as ParkedRow[];
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

export interface Outstanding {
  pending: number;
  /** Failed items, parked ones included. */
  failed: number;
  deferred: number;
  /** Failed items parked after --park-after runs: not tried again until --retry-failed. */
  parked: number;
  /** What a sync would still try: pending, failed and deferred, parked ones not. */
  remaining: number;
}

/** The one count of what the index still has to download (an item being downloaded is still pending). */
export function countOutstanding(db: Db, range: TakenRange | null = null): Outstanding {
  const counts = { pending: 0, failed: 0, deferred: 0 };
  const inRange = range ? ` AND ${IN_TAKEN_RANGE}` : '';
  const params = range ? rangeParams(range) : {};
  for (const row of db.prepare(`SELECT state, COUNT(*) AS n FROM items WHERE state IN ('pending', 'failed', 'deferred')${inRange} GROUP BY state`).all(params) as { state: keyof typeof counts; n: number }[]) {
    counts[row.state] = row.n;
  }
  const parked = knowsParking(db) ? (db.prepare(`SELECT COUNT(*) FROM items WHERE ${PARKED}${inRange}`).pluck().get(params) as number) : 0;
  return { ...counts, parked, remaining: counts.pending + counts.failed - parked + counts.deferred };
}

export interface OutstandingBytes {
  /** Items a sync would still try (parked ones not). */
  items: number;
  /** The sum of Google's listed sizes, over the items whose size is known. */
  knownBytes: number;
  /** Items whose size Google has not told yet. */
  unknownSize: number;
  /** What a kept item takes on disk on average (0 with nothing kept yet): an estimate for the unknown ones. */
  averageKeptBytes: number;
}

/** How much a sync has left to download, for `doctor`'s free-space check. */
export function outstandingBytes(db: Db): OutstandingBytes {
  const where = `state IN ('pending', 'failed', 'deferred')${knowsParking(db) ? ` AND NOT (${PARKED})` : ''}`;
  const left = db.prepare(`SELECT COUNT(*) AS items, COALESCE(SUM(size_bytes), 0) AS knownBytes, COUNT(*) - COUNT(size_bytes) AS unknownSize FROM items WHERE ${where}`).get() as Omit<OutstandingBytes, 'averageKeptBytes'>;
  const kept = db.prepare(`SELECT COUNT(DISTINCT media_key) AS items, COALESCE(SUM(bytes), 0) AS bytes FROM files`).get() as { items: number; bytes: number };
  return { ...left, averageKeptBytes: kept.items > 0 ? Math.round(kept.bytes / kept.items) : 0 };
}

export interface MonthCount {
  /** `2019-06`: the local month taken, as the folder layout files it. */
  month: string;
  /** Items Google lists for that month (neither deleted nor in Google's trash). */
  google: number;
  /** Of those, the items kept here. */
  kept: number;
}

/** Items per local month taken: what Google lists, and what the backup keeps of it. */
export function itemsByMonth(db: Db): MonthCount[] {
  return db
    .prepare(
      `SELECT strftime('%Y-%m', (taken_ms + tz_offset_ms) / 1000, 'unixepoch') AS month, COUNT(*) AS google, COALESCE(SUM(state = 'done'), 0) AS kept
       FROM items WHERE state NOT IN ('gone', 'trashed') GROUP BY month ORDER BY month`,
    )
    .all() as MonthCount[];
}

export interface KeptItem {
  media_key: string;
  file_name: string | null;
  taken_ms: number;
  tz_offset_ms: number;
  kind: string;
  rel_path: string;
  mime: string | null;
}

/** The latest items kept (by date taken), each with its main file: what a strip of thumbnails shows. */
export function latestKept(db: Db, limit = 12): KeptItem[] {
  return db
    .prepare(
      `SELECT i.media_key, i.file_name, i.taken_ms, i.tz_offset_ms, i.kind, f.rel_path, f.mime FROM items i
       JOIN files f ON f.id = (SELECT id FROM files WHERE media_key = i.media_key AND role = 'main' AND trashed_ms IS NULL AND superseded_ms IS NULL ORDER BY id LIMIT 1)
       WHERE i.state = 'done' ORDER BY i.taken_ms DESC, i.media_key LIMIT ?`,
    )
    .all(limit) as KeptItem[];
}
