// Typed queries on the items table: what Google lists, and where each item stands.
import type { Db } from './database.js';
import type { RemoteItem } from '../model/remote-item.js';

export type ItemState = 'pending' | 'done' | 'failed' | 'deferred' | 'gone';
export const ITEM_STATES: ItemState[] = ['pending', 'done', 'failed', 'deferred', 'gone'];

export interface ItemRow {
  media_key: string;
  dedup_key: string | null;
  kind: 'photo' | 'video' | 'live';
  taken_ms: number;
  tz_offset_ms: number;
  uploaded_ms: number | null;
  width: number | null;
  height: number | null;
  file_name: string | null;
  size_bytes: number | null;
  favorite: number;
  archived: number;
  edited: number;
  not_owned: number;
  state: ItemState;
  attempts: number;
  last_error: string | null;
  first_seen_ms: number;
  seen_ms: number;
  gone_ms: number | null;
  done_ms: number | null;
  google_lat: number | null;
  google_lng: number | null;
  google_description: string | null;
  location_google_only: number;
  remote_fingerprint: string | null;
  /** Runs that failed this item since it was last kept or retried with --retry-failed. */
  failed_runs: number;
  /** When it was parked: failed in --park-after runs, not tried again until --retry-failed. */
  parked_ms: number | null;
}

export interface UpsertResult {
  inserted: number;
  /** Keys in this batch that the index did not know before. */
  newKeys: string[];
}

/**
 * Records a batch of listed items in one transaction. New items become pending; known
 * ones get their flags refreshed; an item that was `gone` and is listed again comes back.
 */
export function upsertItems(db: Db, items: RemoteItem[], nowMs = Date.now()): UpsertResult {
  const insert = db.prepare(`INSERT OR IGNORE INTO items
    (media_key, dedup_key, kind, taken_ms, tz_offset_ms, uploaded_ms, width, height, favorite, archived, not_owned, google_description, size_bytes, first_seen_ms, seen_ms)
    VALUES (@mediaKey, @dedupKey, @kind, @takenMs, @tzOffsetMs, @uploadedMs, @width, @height, @favorite, @archived, @notOwned, @caption, @sizeBytes, @now, @now)`);
  const refresh = db.prepare(`UPDATE items SET
      seen_ms = @now, favorite = @favorite, archived = @archived, not_owned = @notOwned,
      taken_ms = @takenMs, tz_offset_ms = @tzOffsetMs, uploaded_ms = COALESCE(@uploadedMs, uploaded_ms),
      kind = @kind, width = COALESCE(@width, width), height = COALESCE(@height, height),
      google_description = COALESCE(@caption, google_description),
      size_bytes = CASE WHEN state = 'done' THEN size_bytes ELSE COALESCE(@sizeBytes, size_bytes) END,
      state = CASE WHEN state = 'gone' THEN (CASE WHEN done_ms IS NULL THEN 'pending' ELSE 'done' END) ELSE state END,
      gone_ms = NULL
    WHERE media_key = @mediaKey`);
  const newKeys: string[] = [];
  db.transaction(() => {
    for (const item of items) {
      const params = {
        mediaKey: item.mediaKey,
        dedupKey: item.dedupKey,
        kind: item.kind,
        takenMs: item.takenMs,
        tzOffsetMs: item.tzOffsetMs,
        uploadedMs: item.uploadedMs,
        width: item.width,
        height: item.height,
        favorite: item.favorite ? 1 : 0,
        archived: item.archived ? 1 : 0,
        notOwned: item.notOwned ? 1 : 0,
        caption: item.caption,
        sizeBytes: item.sizeBytes ?? null,
        now: nowMs,
      };
      if (insert.run(params).changes === 1) newKeys.push(item.mediaKey);
      else refresh.run(params);
    }
  })();
  return { inserted: newKeys.length, newKeys };
}

export function knownKeys(db: Db, keys: string[]): Set<string> {
  const known = new Set<string>();
  const stmt = db.prepare('SELECT 1 FROM items WHERE media_key = ?').pluck();
  for (const key of keys) if (stmt.get(key) !== undefined) known.add(key);
  return known;
}

export function getItem(db: Db, mediaKey: string): ItemRow | undefined {
  return db.prepare('SELECT * FROM items WHERE media_key = ?').get(mediaKey) as ItemRow | undefined;
}

/** A parked item: failed, and left alone until `sync --retry-failed`. */
export const PARKED = `state = 'failed' AND parked_ms IS NOT NULL`;

/** Items to download next, newest first, skipping the ones already handed out and the parked ones. */
export function nextPending(db: Db, limit: number, exclude: ReadonlySet<string>, maxAttempts: number): ItemRow[] {
  const rows = db
    .prepare(`SELECT * FROM items WHERE state IN ('pending', 'deferred', 'failed') AND attempts < ? AND NOT (${PARKED}) ORDER BY taken_ms DESC LIMIT ?`)
    .all(maxAttempts, limit + exclude.size) as ItemRow[];
  return rows.filter((row) => !exclude.has(row.media_key)).slice(0, limit);
}

export function countByState(db: Db): Record<ItemState, number> {
  const counts = Object.fromEntries(ITEM_STATES.map((s) => [s, 0])) as Record<ItemState, number>;
  for (const row of db.prepare('SELECT state, COUNT(*) AS n FROM items GROUP BY state').all() as { state: ItemState; n: number }[]) {
    counts[row.state] = row.n;
  }
  return counts;
}

export interface FailedRun {
  /** Runs that failed the item since it was last kept or retried, this one included. */
  failedRuns: number;
  /** This failure parked it: later runs leave it alone until --retry-failed. */
  parked: boolean;
}

/**
 * One run gave up on an item (called once per item per run). With `parkAfter`, the run that
 * makes it fail that many runs parks it. Becoming done clears the count (a trigger, migration 4).
 */
export function markFailed(db: Db, mediaKey: string, error: string, nowMs = Date.now(), parkAfter: number | null = null): FailedRun {
  const row = db
    .prepare(
      `UPDATE items SET state = 'failed', attempts = attempts + 1, failed_runs = failed_runs + 1, last_error = @error,
         parked_ms = CASE WHEN @parkAfter IS NOT NULL AND failed_runs + 1 >= @parkAfter THEN COALESCE(parked_ms, @now) ELSE parked_ms END,
         seen_ms = MAX(seen_ms, @now)
       WHERE media_key = @mediaKey RETURNING failed_runs, parked_ms`,
    )
    .get({ error, now: nowMs, parkAfter, mediaKey }) as { failed_runs: number; parked_ms: number | null } | undefined;
  return { failedRuns: row?.failed_runs ?? 0, parked: row?.parked_ms != null };
}

/** The name learnt from Google for an item not downloaded yet, so a failing item can be named. */
export function noteFileName(db: Db, mediaKey: string, fileName: string): void {
  db.prepare('UPDATE items SET file_name = ? WHERE media_key = ? AND file_name IS NULL').run(fileName, mediaKey);
}

/** `sync --retry-failed`: every failed item, parked or not, is tried again with a fresh count. */
export function unparkFailed(db: Db): number {
  const parked = db.prepare(`SELECT COUNT(*) FROM items WHERE ${PARKED}`).pluck().get() as number;
  db.prepare(`UPDATE items SET failed_runs = 0, parked_ms = NULL WHERE state = 'failed'`).run();
  return parked;
}

/** Not a failure (a video still processing): the item waits for a later run. */
export function markDeferred(db: Db, mediaKey: string, reason: string): void {
  db.prepare(`UPDATE items SET state = 'deferred', last_error = ? WHERE media_key = ?`).run(reason, mediaKey);
}

export function getMeta(db: Db, key: string): string | undefined {
  return db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** How many of these keys are already done (a listing's "skipped" count). */
export function countDone(db: Db, keys: string[]): number {
  const stmt = db.prepare(`SELECT 1 FROM items WHERE media_key = ? AND state = 'done'`).pluck();
  let n = 0;
  for (const key of keys) if (stmt.get(key) !== undefined) n++;
  return n;
}
