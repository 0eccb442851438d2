// Typed queries on the items table: what Google lists, and where each item stands.
import type { Db } from './database.js';
import type { RemoteItem } from '../site/types.js';

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

/** Items to download next, newest first, skipping the ones already handed out. */
export function nextPending(db: Db, limit: number, exclude: ReadonlySet<string>, maxAttempts: number): ItemRow[] {
  const rows = db
    .prepare(`SELECT * FROM items WHERE state IN ('pending', 'deferred', 'failed') AND attempts < ? ORDER BY taken_ms DESC LIMIT ?`)
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

export function markFailed(db: Db, mediaKey: string, error: string, nowMs = Date.now()): void {
  db.prepare(`UPDATE items SET state = 'failed', attempts = attempts + 1, last_error = ?, seen_ms = MAX(seen_ms, ?) WHERE media_key = ?`).run(error, nowMs, mediaKey);
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
