// Typed queries on the files table. A file is recorded only after it is verified on disk,
// together with its item's new state, in one transaction.
import type { Db } from './database.js';
import { markDone } from './items.js';

export type FileRole = 'main' | 'original' | 'live-video' | 'live-extra' | 'sidecar' | 'version';

export interface FileRecord {
  mediaKey: string;
  role: FileRole;
  relPath: string;
  bytes: number;
  sha256: string;
  sha1?: string | null;
  mime?: string | null;
  takenAt?: string | null;
  gpsLat?: number | null;
  gpsLng?: number | null;
  make?: string | null;
  model?: string | null;
  imgWidth?: number | null;
  imgHeight?: number | null;
  mtimeMs?: number | null;
  source?: 'download' | 'adopted';
  lossy?: boolean;
  originalConfirmed?: boolean;
  /** The size Google listed for the item when it matched none of the plausible readings of these bytes. */
  listedBytes?: number | null;
}

export interface FileRow {
  id: number;
  media_key: string;
  role: FileRole;
  rel_path: string;
  bytes: number;
  sha256: string;
  sha1: string | null;
  mime: string | null;
  taken_at: string | null;
  gps_lat: number | null;
  gps_lng: number | null;
  make: string | null;
  model: string | null;
  img_width: number | null;
  img_height: number | null;
  mtime_ms: number | null;
  source: 'download' | 'adopted';
  lossy: number;
  original_confirmed: number;
  listed_bytes: number | null;
  recorded_ms: number;
  verified_ms: number | null;
  superseded_ms: number | null;
  /** Moved into the backup's trash (by --prune, or set aside before its path was reused). */
  trashed_ms: number | null;
  /** Its rel_path before it went into the trash. */
  trashed_from: string | null;
}

export interface ItemCompletion {
  fileName?: string | null;
  sizeBytes?: number | null;
  edited?: boolean;
  remoteFingerprint?: string | null;
  googleLat?: number | null;
  googleLng?: number | null;
  googleDescription?: string | null;
  locationGoogleOnly?: boolean;
}

const INSERT_FILE = `INSERT INTO files
    (media_key, role, rel_path, bytes, sha256, sha1, mime, taken_at, gps_lat, gps_lng, make, model, img_width, img_height, mtime_ms, source, lossy, original_confirmed, listed_bytes, recorded_ms, verified_ms)
    VALUES (@mediaKey, @role, @relPath, @bytes, @sha256, @sha1, @mime, @takenAt, @gpsLat, @gpsLng, @make, @model, @imgWidth, @imgHeight, @mtimeMs, @source, @lossy, @originalConfirmed, @listedBytes, @now, @now)
    ON CONFLICT(rel_path) DO UPDATE SET media_key = excluded.media_key, role = excluded.role, bytes = excluded.bytes, sha256 = excluded.sha256,
      sha1 = excluded.sha1, mime = excluded.mime, taken_at = excluded.taken_at, gps_lat = excluded.gps_lat, gps_lng = excluded.gps_lng,
      make = excluded.make, model = excluded.model, img_width = excluded.img_width, img_height = excluded.img_height, mtime_ms = excluded.mtime_ms,
      source = excluded.source, lossy = excluded.lossy, original_confirmed = excluded.original_confirmed, listed_bytes = excluded.listed_bytes, recorded_ms = excluded.recorded_ms,
      verified_ms = excluded.verified_ms, superseded_ms = NULL`;

/**
 * Records one verified file of an item (a path already recorded is taken over). Callers run
 * it inside the transaction that also updates the item.
 */
export function insertFileRecord(db: Db, mediaKey: string, file: FileRecord, nowMs: number, defaultSource: 'download' | 'adopted' = 'download'): void {
  db.prepare(INSERT_FILE).run({
    mediaKey,
    role: file.role,
    relPath: file.relPath,
    bytes: file.bytes,
    sha256: file.sha256,
    sha1: file.sha1 ?? null,
    mime: file.mime ?? null,
    takenAt: file.takenAt ?? null,
    gpsLat: file.gpsLat ?? null,
    gpsLng: file.gpsLng ?? null,
    make: file.make ?? null,
    model: file.model ?? null,
    imgWidth: file.imgWidth ?? null,
    imgHeight: file.imgHeight ?? null,
    mtimeMs: file.mtimeMs ?? null,
    source: file.source ?? defaultSource,
    lossy: file.lossy ? 1 : 0,
    originalConfirmed: file.originalConfirmed ? 1 : 0,
    listedBytes: file.listedBytes ?? null,
    now: nowMs,
  });
}

/** Records the verified files of one item and marks it done, atomically. */
export function recordDownloaded(db: Db, mediaKey: string, files: FileRecord[], completion: ItemCompletion = {}, nowMs = Date.now()): void {
  // What the download learnt of the item; its state moves by the `done` transition (items.ts).
  const learnt = db.prepare(`UPDATE items SET
      file_name = COALESCE(@fileName, file_name), size_bytes = COALESCE(@sizeBytes, size_bytes),
      edited = COALESCE(@edited, edited), remote_fingerprint = COALESCE(@remoteFingerprint, remote_fingerprint),
      google_lat = COALESCE(@googleLat, google_lat), google_lng = COALESCE(@googleLng, google_lng),
      google_description = COALESCE(@googleDescription, google_description),
      location_google_only = COALESCE(@locationGoogleOnly, location_google_only)
    WHERE media_key = @mediaKey`);
  db.transaction(() => {
    for (const file of files) insertFileRecord(db, mediaKey, file, nowMs);
    markDone(db, mediaKey, nowMs);
    learnt.run({
      mediaKey,
      now: nowMs,
      fileName: completion.fileName ?? null,
      sizeBytes: completion.sizeBytes ?? null,
      edited: completion.edited === undefined ? null : completion.edited ? 1 : 0,
      remoteFingerprint: completion.remoteFingerprint ?? null,
      googleLat: completion.googleLat ?? null,
      googleLng: completion.googleLng ?? null,
      googleDescription: completion.googleDescription ?? null,
      locationGoogleOnly: completion.locationGoogleOnly === undefined ? null : completion.locationGoogleOnly ? 1 : 0,
    });
  })();
}

export function filesOf(db: Db, mediaKey: string): FileRow[] {
  return db.prepare('SELECT * FROM files WHERE media_key = ? ORDER BY id').all(mediaKey) as FileRow[];
}

/** Some file of some item is on record at this path (current, an older version or trashed). */
export function isRecordedPath(db: Db, relPath: string): boolean {
  return db.prepare('SELECT 1 FROM files WHERE rel_path = ?').pluck().get(relPath) !== undefined;
}

/**
 * The recorded files in the folder of `relPath` whose path has its length (in characters):
 * the only ones a name that differs in case alone can be. The caller compares them folded.
 */
export function recordedNamesLike(db: Db, relPath: string): { rel_path: string; media_key: string }[] {
  const folder = relPath.slice(0, relPath.lastIndexOf('/') + 1);
  return db
    .prepare(`SELECT rel_path, media_key FROM files WHERE rel_path >= ? AND rel_path < ? AND length(rel_path) = ?`)
    .all(folder, `${folder}\u{10ffff}`, [...relPath].length) as { rel_path: string; media_key: string }[];
}
