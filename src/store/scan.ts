// Typed queries for incremental sync: recording a listed page (new items, flags, Google-side
// changes, the rescan's stamp), reconciling what a full rescan did not list, and the meta
// keys that remember when the library was last listed completely.
import type { Db } from './database.js';
import { getMeta, markGoneWhere, requeue, setMeta, upsertItems } from './items.js';
import type { RemoteItem } from '../model/remote-item.js';

/** Meta keys of the listing schedule (values are ms since the epoch, as decimal strings). */
export const ListingMeta = {
  /** When the last full rescan finished listing (a rescan the guard stopped counts too: its listing was complete). */
  lastFullRescan: 'last_full_rescan_ms',
  /** Newest upload time of the last listing that completed: items uploaded up to it are in the index. */
  uploadWatermark: 'upload_watermark_ms',
} as const;

export function getMetaMs(db: Db, key: string): number | null {
  const value = getMeta(db, key);
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function setMetaMs(db: Db, key: string, value: number): void {
  setMeta(db, key, String(Math.round(value)));
}

export function deleteMeta(db: Db, key: string): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(key);
}

/**
 * What the index keeps of Google's view of an item's bytes, to notice an edit made in Google
 * later: the size Google lists with the row. Null when the listing gave no size.
 * The download pipeline may pass the same value (from the row, VrseUb or fDcn4b) as
 * `remoteFingerprint` when it records the download.
 */
export function remoteFingerprint(sizeBytes: number | null | undefined): string | null {
  return typeof sizeBytes === 'number' && Number.isFinite(sizeBytes) && sizeBytes > 0 ? `size:${sizeBytes}` : null;
}

/**
 * The items a library listing should show: not gone, not in Google's trash, and the account's
 * own (items seen only in someone else's album or through partner sharing are never in it).
 */
const IN_LIBRARY = `state NOT IN ('gone', 'trashed') AND origin = 'library'`;

interface StoredRow {
  state: string;
  dedup_key: string | null;
  scan_id: number | null;
  favorite: number;
  archived: number;
  not_owned: number;
  taken_ms: number;
  tz_offset_ms: number;
  uploaded_ms: number | null;
  kind: string;
  width: number | null;
  height: number | null;
  google_description: string | null;
  size_bytes: number | null;
  gone_ms: number | null;
}

/** True when upsertItems would write nothing new for this row (most rows of a rescan): it is then skipped. */
function sameAsStored(row: StoredRow, item: RemoteItem): boolean {
  return (
    row.state !== 'gone' &&
    row.state !== 'trashed' &&
    row.gone_ms === null &&
    (item.dedupKey === null || row.dedup_key === item.dedupKey) &&
    row.favorite === (item.favorite ? 1 : 0) &&
    row.archived === (item.archived ? 1 : 0) &&
    row.not_owned === (item.notOwned ? 1 : 0) &&
    row.taken_ms === item.takenMs &&
    row.tz_offset_ms === item.tzOffsetMs &&
    row.kind === item.kind &&
    (item.uploadedMs === null || row.uploaded_ms === item.uploadedMs) &&
    (item.width === null || row.width === item.width) &&
    (item.height === null || row.height === item.height) &&
    (item.caption === null || row.google_description === item.caption) &&
    (row.state === 'done' || item.sizeBytes === null || item.sizeBytes === undefined || row.size_bytes === item.sizeBytes)
  );
}

export interface ListedPageResult {
  /** Keys the index did not hold before (now pending). */
  newKeys: string[];
  /** Items the index already held, not gone, before this page. */
  knownBefore: number;
  /** Of those, items already backed up (state done), not counting items this scan listed already. */
  doneBefore: number;
  /** Downloaded items whose Google-side version now differs from ours (marked changed_ms). */
  changedKeys: string[];
  /** Items that were gone and are listed again. */
  revived: number;
}

interface PageStatements {
  before: Statement;
  stamp: Statement;
  trashedFiles: Statement;
}
type Statement = ReturnType<Db['prepare']>;

/** Prepared once per connection: a rescan records hundreds of pages, and statements hold native memory V8 does not see. */
const statementCache = new WeakMap<Db, PageStatements>();

function pageStatements(db: Db): PageStatements {
  let cached = statementCache.get(db);
  if (!cached) {
    cached = {
      before: db.prepare(`SELECT state, dedup_key, scan_id, favorite, archived, not_owned, taken_ms, tz_offset_ms, uploaded_ms, kind, width, height,
          google_description, size_bytes, gone_ms FROM items WHERE media_key = ?`),
      stamp: db.prepare(`UPDATE items SET
          changed_ms = CASE WHEN state = 'done' AND remote_fingerprint IS NOT NULL AND @fp IS NOT NULL AND remote_fingerprint <> @fp
                            THEN COALESCE(changed_ms, @now) ELSE changed_ms END,
          remote_fingerprint = COALESCE(@fp, remote_fingerprint),
          scan_id = COALESCE(@scanId, scan_id),
          seen_ms = @now
        WHERE media_key = @key
        RETURNING changed_ms`),
      // An item pruned to the trash and then restored in Google: its files are in the trash, so fetch it again.
      trashedFiles: db.prepare('SELECT COUNT(*) FROM files WHERE media_key = ? AND trashed_ms IS NOT NULL').pluck(),
    };
    statementCache.set(db, cached);
  }
  return cached;
}

/**
 * Records one listed page in one transaction: new items become pending, known ones get
 * their flags (favorite, archived) refreshed, a downloaded item whose Google-side size
 * changed is marked changed, and with a scanId every listed item is stamped with it.
 */
export function recordListedPage(db: Db, items: RemoteItem[], options: { scanId?: number | null; nowMs?: number } = {}): ListedPageResult {
  const nowMs = options.nowMs ?? Date.now();
  const scanId = options.scanId ?? null;
  const { before, stamp, trashedFiles } = pageStatements(db);
  const result: ListedPageResult = { newKeys: [], knownBefore: 0, doneBefore: 0, changedKeys: [], revived: 0 };
  db.transaction(() => {
    const wasGone: string[] = [];
    const wasDone = new Set<string>();
    const toUpsert: RemoteItem[] = [];
    for (const item of items) {
      const row = before.get(item.mediaKey) as StoredRow | undefined;
      if (row === undefined || !sameAsStored(row, item)) toUpsert.push(item);
      if (row === undefined) continue;
      if (row.state === 'gone') wasGone.push(item.mediaKey);
      else {
        result.knownBefore++;
        if (row.state === 'done') {
          wasDone.add(item.mediaKey);
          // Listed twice by the same scan (where two ranges meet): counted once.
          if (scanId === null || row.scan_id !== scanId) result.doneBefore++;
        }
      }
    }
    // New items, and known ones whose listing differs (flags, times, a comeback): the shared
    // upsert decides what to write; the rest only get their stamp below.
    if (toUpsert.length > 0) result.newKeys = upsertItems(db, toUpsert, nowMs).newKeys;
    for (const item of items) {
      const row = stamp.get({ key: item.mediaKey, fp: remoteFingerprint(item.sizeBytes), scanId, now: nowMs }) as { changed_ms: number | null } | undefined;
      if (row && row.changed_ms === nowMs && wasDone.has(item.mediaKey)) result.changedKeys.push(item.mediaKey);
    }
    for (const key of wasGone) {
      result.revived++;
      if ((trashedFiles.get(key) as number) > 0) requeue(db, key);
    }
  })();
  return result;
}

export interface ScanCounts {
  /** Items this scan listed. */
  listed: number;
  /** Items the index holds that the library should list (not gone, not trashed, the account's own). */
  known: number;
  /** Of those, the items this scan did not list: what reconciling would mark gone. */
  unlisted: number;
}

export function scanCounts(db: Db, scanId: number): ScanCounts {
  const row = db
    .prepare(`SELECT
        COALESCE(SUM(scan_id = @scanId), 0) AS listed,
        COALESCE(SUM(${IN_LIBRARY}), 0) AS known,
        COALESCE(SUM(${IN_LIBRARY} AND (scan_id IS NULL OR scan_id <> @scanId)), 0) AS unlisted
      FROM items`)
    .get({ scanId }) as ScanCounts;
  return row;
}

/** Distinct items a scan has listed so far. */
export function countScanned(db: Db, scanId: number): number {
  return db.prepare('SELECT COUNT(*) FROM items WHERE scan_id = ?').pluck().get(scanId) as number;
}

/** Marks every library item the scan did not list as gone, with a timestamp (trashed items stay trashed). Files are never touched here. */
export function markUnlistedGone(db: Db, scanId: number, nowMs = Date.now()): number {
  return markGoneWhere(db, `(scan_id IS NULL OR scan_id <> @scanId) AND origin = 'library'`, { scanId }, nowMs);
}

/** A few keys of the items the scan did not list, for the message that explains a refusal. */
export function sampleUnlisted(db: Db, scanId: number, limit = 5): string[] {
  return db.prepare(`SELECT media_key FROM items WHERE ${IN_LIBRARY} AND (scan_id IS NULL OR scan_id <> ?) LIMIT ?`).pluck().all(scanId, limit) as string[];
}

export function countItems(db: Db): number {
  return db.prepare(`SELECT COUNT(*) FROM items WHERE ${IN_LIBRARY}`).pluck().get() as number;
}

/**
 * Dates taken that split the known items into `parts` ranges of about equal size, newest
 * first (parts - 1 values). Empty when the index is too small to be worth splitting.
 * Read from the (state, taken_ms) index of the most common state, so no sort of the whole
 * table (and no memory that grows with it) is needed; ranges only need to be roughly even.
 */
export function takenBoundaries(db: Db, parts: number, minItemsPerPart: number): number[] {
  const known = countItems(db);
  const n = Math.min(parts, Math.floor(known / Math.max(1, minItemsPerPart)));
  if (n < 2) return [];
  const common = db.prepare(`SELECT state, COUNT(*) AS count FROM items WHERE state <> 'gone' GROUP BY state ORDER BY count DESC LIMIT 1`).get() as { state: string; count: number } | undefined;
  if (!common) return [];
  const at = db.prepare(`SELECT taken_ms FROM items WHERE state = ? ORDER BY taken_ms DESC LIMIT 1 OFFSET ?`).pluck();
  const out: number[] = [];
  for (let i = 1; i < n; i++) {
    const value = at.get(common.state, Math.floor((i * common.count) / n)) as number | undefined;
    if (value !== undefined && (out.length === 0 || value < out[out.length - 1])) out.push(value);
  }
  return out;
}
