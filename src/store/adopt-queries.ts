// Typed queries for `adopt`: one adoptions row per Library API id or per found file, so an
// interrupted adoption resumes where it stopped, and the items/files it adds to the index.
import type { Db } from './database.js';
import { type FileRecord, insertFileRecord, recordDownloaded } from './files.js';
import type { RemoteItem } from '../model/remote-item.js';
import { knownKeys, queueAdoptedItem, requeueUnlessGone, upsertItems } from './items.js';

export type AdoptionSource = 'gphotos-sync' | 'folder';

/**
 * gphotos-sync rows: pending → adopted | already | unknown | failed, or missing (no file on disk).
 * Folder rows: pending → hashed → exact | probable | unmatched; exact → placed, probable →
 * accepted (with --accept-probable); or duplicate (another file here stands for the same item)
 * or already (the backup has the item). `target_rel_path` is set before a file is moved.
 */
export type AdoptionStatus =
  | 'pending'
  | 'missing'
  | 'adopted'
  | 'already'
  | 'unknown'
  | 'failed'
  | 'hashed'
  | 'exact'
  | 'probable'
  | 'unmatched'
  | 'duplicate'
  | 'placed'
  | 'accepted';

export interface AdoptionRow {
  id: number;
  source: AdoptionSource;
  source_id: string;
  source_path: string | null;
  file_name: string | null;
  taken_ms: number | null;
  mime: string | null;
  bytes: number | null;
  mtime_ms: number | null;
  sha1: string | null;
  sha256: string | null;
  media_key: string | null;
  status: AdoptionStatus;
  target_rel_path: string | null;
  attempts: number;
  error: string | null;
  created_ms: number;
  updated_ms: number;
}

export interface SourceEntry {
  sourceId: string;
  sourcePath: string | null;
  fileName: string | null;
  takenMs: number | null;
  mime: string | null;
  bytes: number | null;
  mtimeMs: number | null;
  /** Only `pending` or `missing` when registering. */
  status: 'pending' | 'missing';
}

/**
 * Records what a gphotos-sync index lists, in one transaction. Rows already known keep their
 * outcome; a file that was missing and is now on disk (or the reverse) moves between
 * pending and missing.
 */
export function registerApiIds(db: Db, entries: SourceEntry[], nowMs = Date.now()): number {
  const stmt = db.prepare(`INSERT INTO adoptions (source, source_id, source_path, file_name, taken_ms, mime, bytes, mtime_ms, status, created_ms, updated_ms)
      VALUES ('gphotos-sync', @sourceId, @sourcePath, @fileName, @takenMs, @mime, @bytes, @mtimeMs, @status, @now, @now)
    ON CONFLICT(source, source_id) DO UPDATE SET
      source_path = excluded.source_path, file_name = excluded.file_name, taken_ms = excluded.taken_ms, mime = excluded.mime,
      bytes = excluded.bytes, mtime_ms = excluded.mtime_ms,
      status = CASE WHEN adoptions.status IN ('pending', 'missing') THEN excluded.status ELSE adoptions.status END,
      updated_ms = CASE WHEN adoptions.status IN ('pending', 'missing') AND adoptions.status <> excluded.status THEN excluded.updated_ms ELSE adoptions.updated_ms END`);
  let inserted = 0;
  db.transaction(() => {
    for (const e of entries) inserted += stmt.run({ ...e, now: nowMs }).changes;
  })();
  return inserted;
}

/**
 * Records the files found in a folder, in one transaction. A file whose size or mtime changed
 * since it was hashed is hashed again; files already placed are left as they are.
 */
export function registerFolderFiles(db: Db, entries: SourceEntry[], nowMs = Date.now()): void {
  const changed = `(adoptions.status NOT IN ('placed', 'accepted') AND adoptions.target_rel_path IS NULL AND (adoptions.bytes IS NOT excluded.bytes OR adoptions.mtime_ms IS NOT excluded.mtime_ms))`;
  const stmt = db.prepare(`INSERT INTO adoptions (source, source_id, source_path, file_name, taken_ms, mime, bytes, mtime_ms, status, created_ms, updated_ms)
      VALUES ('folder', @sourceId, @sourcePath, @fileName, @takenMs, @mime, @bytes, @mtimeMs, 'pending', @now, @now)
    ON CONFLICT(source, source_id) DO UPDATE SET
      taken_ms = COALESCE(excluded.taken_ms, adoptions.taken_ms),
      sha1 = CASE WHEN ${changed} THEN NULL ELSE adoptions.sha1 END,
      sha256 = CASE WHEN ${changed} THEN NULL ELSE adoptions.sha256 END,
      media_key = CASE WHEN ${changed} THEN NULL ELSE adoptions.media_key END,
      status = CASE WHEN ${changed} THEN 'pending' ELSE adoptions.status END,
      bytes = CASE WHEN adoptions.status IN ('placed', 'accepted') OR adoptions.target_rel_path IS NOT NULL THEN adoptions.bytes ELSE excluded.bytes END,
      mtime_ms = CASE WHEN adoptions.status IN ('placed', 'accepted') OR adoptions.target_rel_path IS NOT NULL THEN adoptions.mtime_ms ELSE excluded.mtime_ms END,
      updated_ms = excluded.updated_ms`);
  db.transaction(() => {
    for (const e of entries) stmt.run({ ...e, now: nowMs });
  })();
}

export function adoptionsWithStatus(db: Db, source: AdoptionSource, statuses: AdoptionStatus[]): AdoptionRow[] {
  const marks = statuses.map(() => '?').join(', ');
  return db.prepare(`SELECT * FROM adoptions WHERE source = ? AND status IN (${marks}) ORDER BY id`).all(source, ...statuses) as AdoptionRow[];
}

/** Ids only, for work lists that must stay small in memory. */
export function adoptionIdsWithStatus(db: Db, source: AdoptionSource, statuses: AdoptionStatus[]): number[] {
  const marks = statuses.map(() => '?').join(', ');
  return db.prepare(`SELECT id FROM adoptions WHERE source = ? AND status IN (${marks}) ORDER BY id`).pluck().all(source, ...statuses) as number[];
}

export function getAdoption(db: Db, id: number): AdoptionRow | undefined {
  return db.prepare('SELECT * FROM adoptions WHERE id = ?').get(id) as AdoptionRow | undefined;
}

export function countAdoptions(db: Db, source: AdoptionSource): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const row of db.prepare('SELECT status, COUNT(*) AS n FROM adoptions WHERE source = ? GROUP BY status').all(source) as { status: string; n: number }[]) {
    counts[row.status] = row.n;
  }
  return counts;
}

export function setAdoptionStatus(db: Db, id: number, status: AdoptionStatus, fields: { mediaKey?: string | null; error?: string | null; targetRelPath?: string | null; countAttempt?: boolean } = {}, nowMs = Date.now()): void {
  db.prepare(`UPDATE adoptions SET status = @status,
      media_key = CASE WHEN @setKey THEN @mediaKey ELSE media_key END,
      error = @error,
      target_rel_path = CASE WHEN @setTarget THEN @target ELSE target_rel_path END,
      attempts = attempts + @attempt, updated_ms = @now
    WHERE id = @id`).run({
    id,
    status,
    setKey: fields.mediaKey !== undefined ? 1 : 0,
    mediaKey: fields.mediaKey ?? null,
    error: fields.error ?? null,
    setTarget: fields.targetRelPath !== undefined ? 1 : 0,
    target: fields.targetRelPath ?? null,
    attempt: fields.countAttempt ? 1 : 0,
    now: nowMs,
  });
}

export function setHashes(db: Db, id: number, hashes: { sha1: string; sha256: string; bytes: number; mtimeMs: number }, nowMs = Date.now()): void {
  db.prepare(`UPDATE adoptions SET sha1 = @sha1, sha256 = @sha256, bytes = @bytes, mtime_ms = @mtimeMs, status = 'hashed', error = NULL, updated_ms = @now WHERE id = @id`).run({
    id,
    ...hashes,
    now: nowMs,
  });
}

/** Result of the SHA-1 lookup for a batch of rows, in one transaction; found items are listed in the index. */
export function recordLookup(db: Db, results: { id: number; item: RemoteItem | null }[], nowMs = Date.now()): void {
  const exact = db.prepare(`UPDATE adoptions SET status = 'exact', media_key = ?, error = NULL, updated_ms = ? WHERE id = ? AND status NOT IN ('placed', 'accepted')`);
  db.transaction(() => {
    // Only items the listing did not bring: a hash hit's row is thinner than a listing's (no kind).
    const known = knownKeys(db, results.flatMap((r) => (r.item ? [r.item.mediaKey] : [])));
    const items = results.flatMap((r) => (r.item && !known.has(r.item.mediaKey) ? [r.item] : []));
    if (items.length > 0) upsertItems(db, dedupe(items), nowMs);
    for (const r of results) if (r.item) exact.run(r.item.mediaKey, nowMs, r.id);
  })();
}

function dedupe(items: RemoteItem[]): RemoteItem[] {
  return [...new Map(items.map((i) => [i.mediaKey, i])).values()];
}

/** Whether the backup already holds a downloaded (not adopted-lossy) file for the item. */
export function hasKeptFile(db: Db, mediaKey: string): boolean {
  return (
    db
      .prepare(`SELECT 1 FROM files WHERE media_key = ? AND superseded_ms IS NULL AND (source = 'download' OR lossy = 0) LIMIT 1`)
      .pluck()
      .get(mediaKey) !== undefined
  );
}

export interface CandidateItem {
  media_key: string;
  taken_ms: number;
  tz_offset_ms: number;
  file_name: string | null;
  state: string;
}

/** Items taken within ±windowMs of a UTC instant, or of a wall-clock time where they were taken. */
export function itemsTakenNear(db: Db, utcMs: number | null, localMs: number | null, windowMs: number): CandidateItem[] {
  const rows: CandidateItem[] = [];
  if (utcMs !== null) {
    rows.push(...(db.prepare(`SELECT media_key, taken_ms, tz_offset_ms, file_name, state FROM items WHERE taken_ms BETWEEN ? AND ?`).all(utcMs - windowMs, utcMs + windowMs) as CandidateItem[]));
  }
  if (localMs !== null) {
    // Offsets stay within ±14 h: bound the scan by taken_ms first, then compare local time.
    const day = 15 * 3_600_000;
    rows.push(
      ...(db
        .prepare(`SELECT media_key, taken_ms, tz_offset_ms, file_name, state FROM items WHERE taken_ms BETWEEN ? AND ? AND ABS(taken_ms + tz_offset_ms - ?) <= ?`)
        .all(localMs - day, localMs + day, localMs, windowMs) as CandidateItem[]),
    );
  }
  return [...new Map(rows.map((r) => [r.media_key, r])).values()];
}

export function setItemFileName(db: Db, names: { mediaKey: string; fileName: string }[]): void {
  const stmt = db.prepare('UPDATE items SET file_name = ? WHERE media_key = ? AND file_name IS NULL');
  db.transaction(() => {
    for (const n of names) stmt.run(n.fileName, n.mediaKey);
  })();
}

export interface AdoptedItemFacts {
  mediaKey: string;
  kind: 'photo' | 'video' | 'live';
  takenMs: number;
  tzOffsetMs?: number;
  fileName: string | null;
}

/**
 * An adopted gphotos-sync file, mapped to its item, in one transaction:
 * - the item is added to the index if it is new;
 * - the lossy file is recorded (source adopted, lossy);
 * - with `keep` the item counts as done; with `upgrade` it is pending (the original will be
 *   downloaded, and the old file stays until the original is verified and recorded);
 * - the adoptions row becomes `adopted`.
 * If the backup already holds a downloaded file for the item, nothing is added: `already`.
 */
export function recordApiAdoption(
  db: Db,
  adoptionId: number,
  facts: AdoptedItemFacts,
  file: FileRecord,
  mode: 'keep' | 'upgrade',
  nowMs = Date.now(),
): 'adopted' | 'already' {
  let outcome: 'adopted' | 'already' = 'adopted';
  db.transaction(() => {
    if (hasKeptFile(db, facts.mediaKey)) {
      outcome = 'already';
      setAdoptionStatus(db, adoptionId, 'already', { mediaKey: facts.mediaKey }, nowMs);
      return;
    }
    queueAdoptedItem(db, facts, nowMs);
    const record: FileRecord = { ...file, source: 'adopted', lossy: true, originalConfirmed: false };
    if (mode === 'keep') {
      recordDownloaded(db, facts.mediaKey, [record], { fileName: facts.fileName }, nowMs);
    } else {
      insertFileRecord(db, facts.mediaKey, record, nowMs, 'adopted');
      // Queue the original, even if an earlier `--keep` counted the lossy copy as done.
      requeueUnlessGone(db, facts.mediaKey);
    }
    setAdoptionStatus(db, adoptionId, 'adopted', { mediaKey: facts.mediaKey, targetRelPath: file.relPath }, nowMs);
  })();
  return outcome;
}

/**
 * A folder file placed into the backup, in one transaction with its adoptions row: the item
 * (already listed) gets the file and counts as done, unless `keepPending` (a Live Photo's
 * still without its video, the original of an item edited in Google): then the next sync
 * fetches what is missing.
 */
export function recordFolderAdoption(
  db: Db,
  adoptionId: number,
  status: 'placed' | 'accepted',
  file: FileRecord,
  item: { keepPending: boolean; fileName: string | null; sizeBytes: number | null },
  nowMs = Date.now(),
): void {
  db.transaction(() => {
    const record: FileRecord = { ...file, source: 'adopted', lossy: false };
    if (item.keepPending) {
      insertFileRecord(db, file.mediaKey, record, nowMs, 'adopted');
      db.prepare('UPDATE items SET file_name = COALESCE(file_name, ?) WHERE media_key = ?').run(item.fileName, file.mediaKey);
      requeueUnlessGone(db, file.mediaKey);
    } else {
      recordDownloaded(db, file.mediaKey, [record], { fileName: item.fileName, sizeBytes: item.sizeBytes }, nowMs);
    }
    setAdoptionStatus(db, adoptionId, status, { mediaKey: file.mediaKey, targetRelPath: file.relPath }, nowMs);
  })();
}

/** Files of the index whose SHA-1 Google confirmed as the item's original upload. */
export function markOriginalConfirmed(db: Db, confirmations: { mediaKey: string; sha1: string }[]): number {
  const stmt = db.prepare('UPDATE files SET original_confirmed = 1 WHERE media_key = ? AND sha1 = ? AND original_confirmed = 0');
  let changed = 0;
  db.transaction(() => {
    for (const c of confirmations) changed += stmt.run(c.mediaKey, c.sha1).changes;
  })();
  return changed;
}
