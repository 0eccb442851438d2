// Typed queries for files that stop being an item's current file without being lost: a
// dated version kept after an edit in Google, and a file moved to the trash by --prune.
import type { Db } from './database.js';
import type { FileRow } from './files.js';
import { applyTransitionWhere, type ItemRow, requeueUnlessGone } from './items.js';

/** Downloaded items whose Google-side version changed since (oldest mark first). */
export function changedItems(db: Db, limit = 1000): ItemRow[] {
  return db.prepare(`SELECT * FROM items WHERE changed_ms IS NOT NULL ORDER BY changed_ms, media_key LIMIT ?`).all(limit) as ItemRow[];
}

/** The files that are an item's current copy (not a kept version, not in the trash). */
export function currentFiles(db: Db, mediaKey: string): FileRow[] {
  return db.prepare(`SELECT * FROM files WHERE media_key = ? AND role <> 'version' AND superseded_ms IS NULL AND trashed_ms IS NULL ORDER BY id`).all(mediaKey) as FileRow[];
}

export interface VersionMove {
  fileId: number;
  relPath: string;
}

/**
 * After the files were moved on disk: records them as dated versions and queues the item for
 * its new version, in one transaction. An item that is gone meanwhile stays gone.
 */
export function recordVersionsKept(db: Db, mediaKey: string, moves: VersionMove[], nowMs = Date.now()): void {
  const file = db.prepare(`UPDATE files SET rel_path = @relPath, role = 'version', superseded_ms = @now WHERE id = @id AND media_key = @mediaKey`);
  // Its kept files are versions now, not its current copy: not kept, even if it is gone (a
  // comeback then fetches it rather than counting as done).
  const item = db.prepare(`UPDATE items SET changed_ms = NULL, attempts = 0, last_error = NULL, done_ms = NULL WHERE media_key = ?`);
  db.transaction(() => {
    for (const move of moves) file.run({ relPath: move.relPath, now: nowMs, id: move.fileId, mediaKey });
    item.run(mediaKey);
    requeueUnlessGone(db, mediaKey);
  })();
}

/** A changed mark on an item with nothing on disk to keep: just fetch the new version. */
export function clearChanged(db: Db, mediaKey: string): void {
  db.transaction(() => {
    db.prepare('UPDATE items SET changed_ms = NULL, attempts = 0 WHERE media_key = ?').run(mediaKey);
    // Only a done item needs queueing: any other state is fetched (or not, when gone) as it is.
    applyTransitionWhere(db, 'requeue', `media_key = @mediaKey AND state = 'done'`, { mediaKey });
  })();
}

export interface GoneFileRow extends FileRow {
  gone_ms: number | null;
}

/** Files of items Google no longer lists that are still in place (not yet in the trash). */
export function goneFilesInPlace(db: Db, limit = 1000, afterId = 0): GoneFileRow[] {
  return db
    .prepare(`SELECT files.*, items.gone_ms AS gone_ms FROM files JOIN items ON items.media_key = files.media_key
      WHERE items.state = 'gone' AND files.trashed_ms IS NULL AND files.id > ? ORDER BY files.id LIMIT ?`)
    .all(afterId, limit) as GoneFileRow[];
}

/** Records one file's move into the trash (after the move on disk). */
export function recordTrashed(db: Db, fileId: number, relPath: string, nowMs = Date.now()): void {
  db.prepare(`UPDATE files SET trashed_from = rel_path, rel_path = @relPath, trashed_ms = @now, superseded_ms = COALESCE(superseded_ms, @now) WHERE id = @id`).run({
    id: fileId,
    relPath,
    now: nowMs,
  });
}

export interface SetAsideFile {
  mediaKey: string;
  /** Its row, when the file was on record (null: a file a killed run of ours left unrecorded). */
  fileId: number | null;
  /** Where it is now, in the trash. */
  relPath: string;
  trashedFrom: string;
  /** What the moved file really holds (it may differ from what was recorded). */
  bytes: number;
  sha256: string;
  sha1: string | null;
}

/**
 * A file moved into the trash because its path is about to hold another file of its item:
 * its row follows it there with the bytes it really holds (a file that was never recorded
 * gets a row of its own, as a version of the item).
 */
export function recordSetAside(db: Db, file: SetAsideFile, nowMs = Date.now()): void {
  if (file.fileId !== null) {
    db.prepare(`UPDATE files SET trashed_from = rel_path, rel_path = @relPath, trashed_ms = @now, superseded_ms = COALESCE(superseded_ms, @now),
        original_confirmed = CASE WHEN sha256 = @sha256 THEN original_confirmed ELSE 0 END,
        sha1 = CASE WHEN sha256 = @sha256 THEN sha1 ELSE @sha1 END,
        bytes = @bytes, sha256 = @sha256
      WHERE id = @fileId`).run({ fileId: file.fileId, relPath: file.relPath, now: nowMs, bytes: file.bytes, sha256: file.sha256, sha1: file.sha1 });
    return;
  }
  db.prepare(`INSERT INTO files (media_key, role, rel_path, bytes, sha256, sha1, source, recorded_ms, superseded_ms, trashed_ms, trashed_from)
    VALUES (@mediaKey, 'version', @relPath, @bytes, @sha256, @sha1, 'download', @now, @now, @now, @trashedFrom)`).run({
    mediaKey: file.mediaKey,
    relPath: file.relPath,
    bytes: file.bytes,
    sha256: file.sha256,
    sha1: file.sha1,
    now: nowMs,
    trashedFrom: file.trashedFrom,
  });
}
