// The last step before an item's files are recorded: each file's mtime becomes the taken
// time, and what only Google knows (a location, a caption, a date for a file without one)
// goes into an XMP sidecar beside the photo, never into it.
import { stat } from 'node:fs/promises';
import { pathExists } from '../folder/durable.js';
import { hashFile } from '../folder/hash.js';
import { MediaInspector, type MediaFacts } from './inspect.js';
import { planSidecar, sidecarPathOf, writeXmpSidecar } from './sidecar.js';
import { setTakenMtime } from './times.js';

export interface KeptFile {
  /** main | original | live-video | … (the files table's role). */
  role: string;
  relPath: string;
  /** Absolute path of the file in its final place. */
  path: string;
  facts: MediaFacts | null;
}

/** What Google says about the item (fDcn4b extended info, or the listing). */
export interface GoogleSide {
  takenMs: number | null;
  tzOffsetMs: number | null;
  latitude: number | null;
  longitude: number | null;
  description: string | null;
}

export interface KeptSidecar {
  /** The file it belongs to. */
  forRelPath: string;
  relPath: string;
  path: string;
  bytes: number;
  sha256: string;
  mtimeMs: number;
}

export interface KeepResult {
  /** relPath → the mtime the file system stored (ms), for the index. */
  mtimes: Map<string, number>;
  sidecars: KeptSidecar[];
  /** Google has a location and the item's main file has none; null when the file was not read. */
  locationGoogleOnly: boolean | null;
}

/** Roles whose files get a sidecar: what Google shows and the unedited original, not a Live Photo's video. */
const SIDECAR_ROLES = new Set(['main', 'original']);

/** `takenMs` at `tzOffsetMs` as ISO 8601 local time with its offset (`2019-07-04T18:30:05.120+02:00`). */
export function isoWithOffset(takenMs: number, tzOffsetMs: number): string {
  const local = new Date(takenMs + tzOffsetMs).toISOString().replace(/Z$/, '');
  const sign = tzOffsetMs < 0 ? '-' : '+';
  const minutes = Math.round(Math.abs(tzOffsetMs) / 60_000);
  return `${local}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}


/**
 * Sets every file's mtime to the taken time and writes the sidecars Google's metadata calls
 * for. `ownPaths` are the relPaths the index already records for this item: an existing
 * sidecar there is ours to replace; any other file already at a sidecar's path (another
 * tool's `.xmp`) is left alone and no sidecar is written.
 */
export async function keepGoogleSide(
  files: KeptFile[],
  google: GoogleSide,
  options: { inspector: unknown; ownPaths?: Iterable<string>; warn?: (message: string) => void },
): Promise<KeepResult> {
  const own = new Set(options.ownPaths ?? []);
  const inspector = options.inspector instanceof MediaInspector && !options.inspector.ended ? options.inspector : null;
  const takenAt = google.takenMs !== null ? isoWithOffset(google.takenMs, google.tzOffsetMs ?? 0) : null;
  const result: KeepResult = { mtimes: new Map(), sidecars: [], locationGoogleOnly: null };
  const meta = { latitude: google.latitude, longitude: google.longitude, description: google.description, takenAt };

  for (const file of files) {
    if (inspector && file.facts && SIDECAR_ROLES.has(file.role)) {
      const plan = planSidecar(meta, file.facts);
      if (file.role === 'main') result.locationGoogleOnly = plan.locationGoogleOnly;
      const relPath = sidecarPathOf(file.relPath);
      const target = sidecarPathOf(file.path);
      const wanted = plan.location !== null || plan.description !== null || plan.takenAt !== null;
      if (wanted && !own.has(relPath) && (await pathExists(target))) {
        options.warn?.(`not writing ${relPath}: a file not made by gphotos-keep is already there`);
      } else if (wanted) {
        const written = await writeXmpSidecar(file.path, meta, { inspector, file: file.facts });
        if (written) {
          const mtimeMs = (await setTakenMtime(written, google.takenMs)) ?? (await stat(written)).mtimeMs;
          const { bytes, sha256 } = await hashFile(written);
          result.sidecars.push({ forRelPath: file.relPath, relPath, path: written, mtimeMs, bytes, sha256 });
        }
      }
    }
    const mtime = (await setTakenMtime(file.path, google.takenMs)) ?? (await stat(file.path)).mtimeMs;
    result.mtimes.set(file.relPath, mtime);
  }
  return result;
}
