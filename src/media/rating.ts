// A favorite in Google Photos is `xmp:Rating` 5 in the item's XMP sidecar `<file>.xmp`, so
// photo managers see it without the index; unfavorited, the rating goes again. Only the
// sidecar changes (`.part` → fsync → rename); the photo's own bytes are never touched. A
// sidecar that held nothing but the rating is removed when the rating goes.
import { copyFile, lstat, rm } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError } from '../errors.js';
import { fsyncDir, pathExists, sealInto } from '../folder/durable.js';
import { hashFile } from '../folder/hash.js';
import type { MediaInspector } from './inspect.js';
import { sidecarPathOf } from './sidecar.js';
import { setTakenMtime } from './times.js';

/** The rating Google Photos' favorite stands for (xmp:Rating runs from 1 to 5 stars). */
export const FAVORITE_RATING = 5;

/** Tags other than the rating that make a sidecar worth keeping (what src/media/sidecar.ts writes). */
const KEPT_TAGS = ['GPSLatitude', 'GPSLongitude', 'Description', 'DateTimeOriginal', 'DateCreated'];

export interface RatedSidecar {
  path: string;
  bytes: number;
  sha256: string;
  mtimeMs: number;
}


/**
 * Sets (or, with null, clears) the rating in `<mediaPath>.xmp`, creating the sidecar when
 * needed. Returns the sidecar as written, or null when there is none afterwards.
 */
export async function setSidecarRating(mediaPath: string, rating: number | null, context: { inspector: MediaInspector; takenMs: number | null }): Promise<RatedSidecar | null> {
  const target = sidecarPathOf(mediaPath);
  const had = await pathExists(target);
  if (!had && rating === null) return null;
  // exiftool picks the format from the extension, so the temporary name ends in .xmp too.
  const part = path.join(path.dirname(target), `.${path.basename(target, '.xmp')}.rating.part.xmp`);
  await rm(part, { force: true });
  try {
    if (had) await copyFile(target, part);
    await context.inspector.use((exiftool) => exiftool.write(part, { 'XMP-xmp:Rating': rating } as never, { writeArgs: ['-overwrite_original'] }));
    if (rating === null) {
      const tags = (await context.inspector.use((exiftool) => exiftool.read(part))) as unknown as Record<string, unknown>;
      if (!KEPT_TAGS.some((tag) => tags[tag] !== undefined && tags[tag] !== null && tags[tag] !== '')) {
        await rm(part, { force: true });
        await rm(target, { force: true });
        await fsyncDir(path.dirname(target));
        return null;
      }
    }
    await sealInto(part, target);
  } catch (cause) {
    await rm(part, { force: true });
    throw new LocalIoError(`Cannot write the rating into ${target}: ${(cause as Error).message}`, { cause });
  }
  const mtimeMs = (await setTakenMtime(target, context.takenMs)) ?? (await lstat(target)).mtimeMs;
  const { bytes, sha256 } = await hashFile(target);
  return { path: target, bytes, sha256, mtimeMs };
}
