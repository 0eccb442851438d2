// Queries for `verify`: walk every recorded file and link, note what was checked, and re-queue the
// items whose files are missing, changed or corrupt so the next sync restores them.
import type { Db } from './database.js';
import type { FileRole } from './files.js';
import { rangeParams, requeueUnlessGone } from './items.js';
import type { TakenRange } from '../model/taken-range.js';

export interface VerifyFileRow {
  id: number;
  media_key: string;
  role: FileRole;
  rel_path: string;
  bytes: number;
  sha256: string;
  mtime_ms: number | null;
  original_confirmed: number;
  superseded_ms: number | null;
  verified_ms: number | null;
  item_state: string;
  item_kind: string;
  file_name: string | null;
}

/**
 * Every recorded file still in place (files moved to the trash by --prune are not), in id
 * order, in pages so a 100k-file index is never held in memory at once.
 */
export function* filesToVerify(db: Db, pageSize = 1000): Generator<VerifyFileRow> {
  const page = db.prepare(`SELECT f.id, f.media_key, f.role, f.rel_path, f.bytes, f.sha256, f.mtime_ms, f.original_confirmed, f.superseded_ms,
        f.verified_ms, i.state AS item_state, i.kind AS item_kind, i.file_name
      FROM files f JOIN items i ON i.media_key = f.media_key
      WHERE f.trashed_ms IS NULL AND f.id > ? ORDER BY f.id LIMIT ?`);
  let after = 0;
  for (;;) {
    const rows = page.all(after, pageSize) as VerifyFileRow[];
    if (rows.length === 0) return;
    yield* rows;
    after = rows[rows.length - 1].id;
  }
}

/** Files that passed: when they were checked, and their current mtime (a touched, unchanged file). */
export function markVerified(db: Db, checked: { id: number; mtimeMs: number | null }[], nowMs = Date.now()): void {
  const update = db.prepare('UPDATE files SET verified_ms = @now, mtime_ms = COALESCE(@mtimeMs, mtime_ms) WHERE id = @id');
  db.transaction(() => {
    for (const file of checked) update.run({ id: file.id, mtimeMs: file.mtimeMs, now: nowMs });
  })();
}

/** Current (not superseded, not trashed) main and live-video files of Live Photos, and items of kind 'live'. */
export function livePairs(db: Db): { media_key: string; kind: string; state: string; main: string | null; video: string | null }[] {
  return db
    .prepare(`SELECT i.media_key, i.kind, i.state,
        MAX(CASE WHEN f.role = 'main' THEN f.rel_path END) AS main,
        MAX(CASE WHEN f.role = 'live-video' THEN f.rel_path END) AS video
      FROM items i JOIN files f ON f.media_key = i.media_key
      WHERE f.trashed_ms IS NULL AND f.superseded_ms IS NULL AND (i.kind = 'live' OR f.role = 'live-video')
      GROUP BY i.media_key`)
    .all() as { media_key: string; kind: string; state: string; main: string | null; video: string | null }[];
}

/**
 * Puts items back in the queue so the next sync downloads them again, even though they were
 * done (the requeue transition: pending, attempts reset, no longer counted as kept), with the
 * reason as their last error. Their file rows stay (the new download replaces them in place
 * through recordDownloaded's ON CONFLICT) but lose their verified mark.
 * Items Google no longer lists (gone) cannot be fetched again and are left as they are.
 * Returns the keys actually re-queued.
 */
export function requeueForRestore(db: Db, items: { mediaKey: string; reason: string; fileIds: number[] }[]): string[] {
  const reason = db.prepare('UPDATE items SET last_error = ? WHERE media_key = ?');
  const unverify = db.prepare('UPDATE files SET verified_ms = NULL WHERE id = ? AND media_key = ?');
  const done: string[] = [];
  db.transaction(() => {
    for (const item of items) {
      if (!requeueUnlessGone(db, item.mediaKey)) continue;
      reason.run(item.reason, item.mediaKey);
      for (const id of item.fileIds) unverify.run(id, item.mediaKey);
      done.push(item.mediaKey);
    }
  })();
  return done;
}

export function countConfirmedOriginals(db: Db): { files: number; confirmed: number } {
  return db
    .prepare(`SELECT COUNT(*) AS files, COALESCE(SUM(original_confirmed), 0) AS confirmed FROM files WHERE trashed_ms IS NULL AND role <> 'sidecar'`)
    .get() as { files: number; confirmed: number };
}

export interface ListedSizeNote {
  mediaKey: string;
  relPath: string;
  bytes: number;
  listedBytes: number;
}

/** Kept files whose size Google lists otherwise (files.listed_bytes): notes, never problems. */
export function listedSizeNotes(db: Db, limit = 20): { total: number; items: ListedSizeNote[] } {
  // An index from before migration 5, opened read-only (status), has no such column yet: no notes.
  if (db.prepare(`SELECT 1 FROM pragma_table_info('files') WHERE name = 'listed_bytes'`).get() === undefined) return { total: 0, items: [] };
  const where = 'FROM files WHERE listed_bytes IS NOT NULL AND trashed_ms IS NULL AND superseded_ms IS NULL';
  const total = db.prepare(`SELECT COUNT(*) ${where}`).pluck().get() as number;
  const items = db.prepare(`SELECT media_key AS mediaKey, rel_path AS relPath, bytes, listed_bytes AS listedBytes ${where} ORDER BY rel_path LIMIT ?`).all(limit) as ListedSizeNote[];
  return { total, items };
}

export interface KeptFile {
  id: number;
  mediaKey: string;
  relPath: string;
  bytes: number;
}

/** The current files of the done items taken in a period (what --recheck expects on disk; sidecars and old versions aside). */
export function keptFilesTakenIn(db: Db, range: TakenRange): KeptFile[] {
  return db
    .prepare(
      `SELECT f.id, f.media_key AS mediaKey, f.rel_path AS relPath, f.bytes FROM files f JOIN items i ON i.media_key = f.media_key
       WHERE i.state = 'done' AND f.role IN ('main', 'original', 'live-video') AND f.trashed_ms IS NULL AND f.superseded_ms IS NULL
         AND (@fromMs IS NULL OR i.taken_ms + i.tz_offset_ms >= @fromMs) AND (@toMs IS NULL OR i.taken_ms + i.tz_offset_ms < @toMs)
       ORDER BY f.id`,
    )
    .all(rangeParams(range)) as KeptFile[];
}

export interface VerifyLinkRow {
  dir: string;
  name: string;
  media_key: string;
  target: string;
  mode: string;
  /** The recorded size and hash of the file the link stands for. */
  bytes: number;
  sha256: string;
}

/**
 * Every recorded link of the link folders whose file is a current recorded file (a link to a
 * file superseded or moved to the trash is the next sync's to remove), in (dir, name) order,
 * in pages. An index from before the link folders (opened read-only) has none.
 */
export function* linksToVerify(db: Db, pageSize = 1000): Generator<VerifyLinkRow> {
  if (db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'links'`).get() === undefined) return;
  const page = db.prepare(`SELECT l.dir, l.name, l.media_key, l.target, l.mode, f.bytes, f.sha256
      FROM links l JOIN files f ON f.rel_path = l.target AND f.media_key = l.media_key AND f.superseded_ms IS NULL AND f.trashed_ms IS NULL
      WHERE (l.dir, l.name) > (?, ?) GROUP BY l.dir, l.name ORDER BY l.dir, l.name LIMIT ?`);
  let after: [string, string] = ['', ''];
  for (;;) {
    const rows = page.all(after[0], after[1], pageSize) as VerifyLinkRow[];
    if (rows.length === 0) return;
    yield* rows;
    const last = rows[rows.length - 1];
    after = [last.dir, last.name];
  }
}
