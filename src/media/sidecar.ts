// Metadata that lives only on Google's side (a location or caption added or edited in Google
// Photos, a date for a file that has none) goes into an XMP sidecar `<file>.xmp` next to the
// file. The original file is never touched: its bytes stay exactly what Google holds.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError } from '../errors.js';
import { ioError, sealInto } from '../folder/durable.js';
import type { MediaFacts, MediaInspector } from './inspect.js';

export interface GoogleMetadata {
  latitude?: number | null;
  longitude?: number | null;
  /** Caption / description typed in Google Photos. */
  description?: string | null;
  /** ISO 8601 taken time as Google has it (written only when the file has no date at all). */
  takenAt?: string | null;
}

/** What the file itself already says (MediaInspector facts); omitted = the file says nothing. */
export type FileMetadata = Pick<MediaFacts, 'gpsLat' | 'gpsLng' | 'description' | 'takenAt'>;

/** Two positions this close (about 11 m) are the same place written with different precision. */
const SAME_PLACE_DEGREES = 1e-4;

export function sidecarPathOf(mediaPath: string): string {
  return `${mediaPath}.xmp`;
}

function validCoordinates(meta: GoogleMetadata): { lat: number; lng: number } | null {
  const { latitude: lat, longitude: lng } = meta;
  if (typeof lat !== 'number' || typeof lng !== 'number' || !Number.isFinite(lat) || !Number.isFinite(lng)) return null;
  if (Math.abs(lat) > 90 || Math.abs(lng) > 180 || (lat === 0 && lng === 0)) return null;
  return { lat, lng };
}

export interface SidecarPlan {
  location: { lat: number; lng: number } | null;
  description: string | null;
  takenAt: string | null;
  /** Google has a location and the file has none at all. */
  locationGoogleOnly: boolean;
}

/** Decides what Google knows that the file does not (no I/O). */
export function planSidecar(google: GoogleMetadata, file: FileMetadata | null | undefined): SidecarPlan {
  const googlePlace = validCoordinates(google);
  const fileHasPlace = file?.gpsLat != null && file?.gpsLng != null;
  const movedInGoogle =
    googlePlace !== null && fileHasPlace && (Math.abs(googlePlace.lat - file!.gpsLat!) > SAME_PLACE_DEGREES || Math.abs(googlePlace.lng - file!.gpsLng!) > SAME_PLACE_DEGREES);
  const description = google.description?.trim() || null;
  const fileDescription = file?.description?.trim() || null;
  const takenAt = google.takenAt && !file?.takenAt ? google.takenAt : null;
  return {
    location: googlePlace && (!fileHasPlace || movedInGoogle) ? googlePlace : null,
    description: description && description !== fileDescription ? description : null,
    takenAt,
    locationGoogleOnly: googlePlace !== null && !fileHasPlace,
  };
}

/** `2022-02-16T12:55:41.762+01:00` → `2022:02:16 12:55:41.762+01:00` (exiftool's date syntax). */
function exifDate(iso: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(iso.trim());
  if (!match) return null;
  const [, y, mo, d, h, mi, s, frac = '', zone = ''] = match;
  return `${y}:${mo}:${d} ${h}:${mi}:${s}${frac}${zone === 'Z' ? '+00:00' : zone}`;
}

/**
 * Writes `<mediaPath>.xmp` when Google has a location, caption or date that the file lacks
 * (`.part` → fsync → rename), and returns its path; returns null and writes nothing otherwise.
 * `file` is what the file itself says (from MediaInspector.inspect); without it, the file is
 * taken to say nothing.
 */
export async function writeXmpSidecar(
  mediaPath: string,
  meta: GoogleMetadata,
  context: { inspector: MediaInspector; file?: FileMetadata | null },
): Promise<string | null> {
  const plan = planSidecar(meta, context.file);
  const tags: Record<string, string | number> = {};
  if (plan.location) {
    tags['XMP-exif:GPSLatitude'] = plan.location.lat;
    tags['XMP-exif:GPSLongitude'] = plan.location.lng;
  }
  if (plan.description) {
    tags['XMP-dc:Description'] = plan.description;
  }
  const date = plan.takenAt ? exifDate(plan.takenAt) : null;
  if (date) {
    tags['XMP-exif:DateTimeOriginal'] = date;
    tags['XMP-photoshop:DateCreated'] = date;
  }
  if (Object.keys(tags).length === 0) return null;

  const target = sidecarPathOf(mediaPath);
  // exiftool picks the format from the extension, so the temporary name ends in .xmp too.
  const part = path.join(path.dirname(target), `.${path.basename(target, '.xmp')}.part.xmp`);
  await rm(part, { force: true });
  try {
    await context.inspector.use((exiftool) => exiftool.write(part, tags, { writeArgs: ['-overwrite_original'] }));
    // Private like the photo it describes (it may carry the photo's location).
    await sealInto(part, target);
  } catch (cause) {
    await rm(part, { force: true });
    const code = (cause as NodeJS.ErrnoException).code;
    // A name the file system refuses fails the item; anything else of the disk stops the run.
    if (code !== undefined) throw ioError(`cannot write the sidecar ${target}`, cause);
    throw new LocalIoError(`Cannot write the sidecar ${target}: ${(cause as Error).message}`, { cause });
  }
  return target;
}
