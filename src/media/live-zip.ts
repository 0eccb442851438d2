// A Live Photo downloads as a zip holding the still (HEIC/JPG) and the `.MOV`. The zip comes
// from the network, so every entry is hostile until checked: it is read with yauzl (streaming,
// one entry at a time), and entries that escape the folder, links, oversized or duplicate
// entries are refused before anything is written.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl from 'yauzl';
import { CorruptDownloadError, HostileNameError, KeepError, LocalIoError } from '../errors.js';
import { fsyncDir, fsyncFile } from '../folder/durable.js';
import { sanitiseFileName, splitExtension } from '../folder/names.js';

export interface LiveZipLimits {
  maxEntries?: number;
  maxEntryBytes?: number;
  maxTotalBytes?: number;
}

export interface ExtractedEntry {
  /** Sanitised file name (no folders), unique within the zip. */
  name: string;
  /** `<stagingDir>/<name>`, complete and fsynced. */
  path: string;
  bytes: number;
  /** `extra`: any other regular file Google puts in the zip (an `.AAE` edit file, say): kept as it came. */
  kind: 'still' | 'video' | 'extra';
}

export const DEFAULT_LIVE_ZIP_LIMITS: Required<LiveZipLimits> = {
  // A still and its video; a few more leave room for an AAE edit file Google might add.
  maxEntries: 8,
  maxEntryBytes: 2 * 1024 ** 3,
  maxTotalBytes: 4 * 1024 ** 3,
};

const STILL = new Set(['heic', 'heif', 'hif', 'jpg', 'jpeg', 'png', 'dng', 'avif', 'webp', 'gif', 'tif', 'tiff']);
const VIDEO = new Set(['mov', 'mp4', 'm4v', 'qt']);

// Unix mode bits from the upper half of the external attributes.
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

type Decoder = (flags: number, raw: Buffer, extraFields: { id: number; data: Buffer }[], strict: boolean) => string;
// yauzl exports its name decoder (CP437 / UTF-8 flag / Info-ZIP Unicode Path field); its typings lag.
const decodeName = (yauzl as unknown as { getFileNameLowLevel: Decoder }).getFileNameLowLevel;

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    // decodeStrings off: yauzl would reject bad names with a bare Error; we check them ourselves
    // and say why. validateEntrySizes on: a stream longer or shorter than declared is an error.
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (error, zip) => {
      if (error || !zip) reject(new CorruptDownloadError(`${path.basename(file)} is not a readable zip: ${error?.message ?? 'no zip'}`, { cause: error }));
      else resolve(zip);
    });
  });
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zip.removeListener('entry', onEntry);
      zip.removeListener('end', onEnd);
      zip.removeListener('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => (cleanup(), resolve(entry));
    const onEnd = (): void => (cleanup(), resolve(null));
    const onError = (error: Error): void => (cleanup(), reject(error));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(error ?? new Error('no stream')) : resolve(stream)));
  });
}

/** The raw entry name, decoded the way zip tools do, without yauzl's silent `\` → `/`. */
function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown as Buffer;
  return decodeName(entry.generalPurposeBitFlag, raw, entry.extraFields, true);
}

/** Why an entry name is refused, or null when it stays inside the folder. */
export function hostileReason(name: string): string | null {
  if (name === '') return 'an empty name';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control characters in the name';
  if (name.includes('\\')) return 'a backslash (Windows path separator) in the name';
  if (name.startsWith('/')) return 'an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'a drive letter';
  if (name.split('/').some((part) => part === '..')) return 'a `..` path segment';
  return null;
}

function modeOf(entry: yauzl.Entry): number | null {
  const madeBy = entry.versionMadeBy >> 8;
  // 3 = Unix, 19 = OS X: the upper 16 bits hold st_mode.
  if (madeBy !== 3 && madeBy !== 19) return null;
  const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
  return mode === 0 ? null : mode;
}

/** Counts and checksums bytes as they pass, and stops a stream that exceeds its allowance. */
class Meter extends Transform {
  bytes = 0;
  crc = 0;
  constructor(
    private readonly allowed: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.allowed) {
      callback(new HostileNameError(`${this.what} inflates past its allowed ${this.allowed} bytes (a zip bomb or a lying header)`));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }
}

/**
 * Extracts a Live Photo zip into `stagingDir`: each entry becomes `<name>.part`, is checked
 * (declared and streamed size, CRC-32), fsynced and renamed to `<name>`. Throws
 * HostileNameError for entries that escape the folder, links and special files, oversized
 * entries, too many or duplicate entries;
 * CorruptDownloadError (retryable) for a broken zip. On any error nothing is left in staging.
 */
export async function extractLivePhotoZip(zipPath: string, stagingDir: string, limits: LiveZipLimits = {}): Promise<ExtractedEntry[]> {
  const { maxEntries, maxEntryBytes, maxTotalBytes } = { ...DEFAULT_LIVE_ZIP_LIMITS, ...limits };
  const zipName = path.basename(zipPath);
  await mkdir(stagingDir, { recursive: true });
  const staging = path.resolve(stagingDir);
  const zip = await openZip(zipPath);
  const written: string[] = [];
  const out: ExtractedEntry[] = [];
  try {
    if (zip.entryCount > maxEntries) throw new HostileNameError(`${zipName} holds ${zip.entryCount} entries; a Live Photo has 2 (limit ${maxEntries})`);
    const seen = new Set<string>();
    let total = 0;
    for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) {
      const rawName = entryName(entry);
      const shown = JSON.stringify(rawName);
      const reason = hostileReason(rawName);
      if (reason) throw new HostileNameError(`${zipName}: entry ${shown} is refused: ${reason}`);
      const mode = modeOf(entry);
      const type = mode === null ? null : mode & S_IFMT;
      if (type === S_IFLNK) throw new HostileNameError(`${zipName}: entry ${shown} is a symbolic link`);
      const isDirectory = rawName.endsWith('/') || type === S_IFDIR;
      if (isDirectory) {
        if (entry.uncompressedSize !== 0) throw new HostileNameError(`${zipName}: directory entry ${shown} carries data`);
        continue;
      }
      if (type !== null && type !== 0 && type !== S_IFREG) throw new HostileNameError(`${zipName}: entry ${shown} is not a regular file (mode ${mode!.toString(8)})`);
      if (entry.isEncrypted()) throw new CorruptDownloadError(`${zipName}: entry ${shown} is encrypted`);
      if (entry.uncompressedSize > maxEntryBytes) {
        throw new HostileNameError(`${zipName}: entry ${shown} declares ${entry.uncompressedSize} bytes, more than the ${maxEntryBytes} allowed`);
      }
      total += entry.uncompressedSize;
      if (total > maxTotalBytes) throw new HostileNameError(`${zipName}: entries declare more than the ${maxTotalBytes} bytes allowed in total`);

      // Folders inside the zip are dropped: the pair lands side by side.
      const leaf = rawName.split('/').pop()!;
      const name = sanitiseFileName(leaf, `live-${out.length + 1}`);
      const extension = splitExtension(name).ext.slice(1).toLowerCase();
      // Which members a Live Photo zip holds is undocumented: anything that is not a photo or a
      // video is kept too, never a reason to refuse the item.
      const kind = STILL.has(extension) ? 'still' : VIDEO.has(extension) ? 'video' : 'extra';
      if (seen.has(name.toLowerCase())) throw new HostileNameError(`${zipName}: entry ${shown} appears twice`);
      seen.add(name.toLowerCase());

      const target = path.join(staging, name);
      if (path.dirname(target) !== staging) throw new HostileNameError(`${zipName}: entry ${shown} would land outside the staging folder`);
      const part = `${target}.part`;
      const meter = new Meter(Math.min(entry.uncompressedSize, maxEntryBytes), `${zipName}: entry ${shown}`);
      written.push(part);
      try {
        await pipeline(await openEntry(zip, entry), meter, createWriteStream(part, { flags: 'w', mode: 0o644 }));
      } catch (error) {
        if (error instanceof KeepError) throw error;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOSPC' || code === 'EACCES' || code === 'EROFS' || code === 'EDQUOT') {
          throw new LocalIoError(`Cannot write ${part}: ${(error as Error).message}`, { cause: error });
        }
        throw new CorruptDownloadError(`${zipName}: entry ${shown} cannot be read: ${(error as Error).message}`, { cause: error });
      }
      if (meter.bytes !== entry.uncompressedSize) {
        throw new CorruptDownloadError(`${zipName}: entry ${shown} holds ${meter.bytes} bytes, its header says ${entry.uncompressedSize}`);
      }
      if (meter.crc >>> 0 !== entry.crc32 >>> 0) throw new CorruptDownloadError(`${zipName}: entry ${shown} fails its CRC-32 check`);
      await fsyncFile(part);
      await rename(part, target);
      written[written.length - 1] = target;
      out.push({ name, path: target, bytes: meter.bytes, kind });
    }
    if (out.length === 0) throw new CorruptDownloadError(`${zipName} holds no files`);
    await fsyncDir(staging).catch(() => undefined);
    return out;
  } catch (error) {
    await Promise.all(written.map((file) => rm(file, { force: true })));
    if (error instanceof KeepError) throw error;
    throw new CorruptDownloadError(`${zipName} is not a readable zip: ${(error as Error).message}`, { cause: error });
  } finally {
    zip.close();
  }
}

/** Live Photo halves share a base name: `IMG_0042.HEIC` + `IMG_0042.MOV`. */
export function liveBaseName(entries: ExtractedEntry[]): string | null {
  const still = entries.find((e) => e.kind === 'still');
  return still ? splitExtension(still.name).stem : null;
}
