// Reads what a kept file says about itself (taken time, GPS, camera, dimensions, type) with
// exiftool, and refuses files that are not what they claim to be: a truncated download, an
// error page or a zip saved under a photo's name is retried, never recorded.
import { ExifDateTime, ExifTool, type Tags } from 'exiftool-vendored';
import { guardedExiftoolFactory } from './exiftool-process.js';
import { type OnePassRead, readOnePass } from './one-pass-read.js';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { CorruptDownloadError, KeepError, LocalIoError } from '../errors.js';

export interface MediaFacts {
  /** As exiftool detects it from the bytes (`image/jpeg`, `video/quicktime`, …). */
  mime: string | null;
  /** Date taken, ISO 8601, with the offset when the file (or its GPS position) tells it. */
  takenAt: string | null;
  gpsLat: number | null;
  gpsLng: number | null;
  make: string | null;
  model: string | null;
  /** As displayed: EXIF orientations 5–8 and 90°/270° video rotation swap width and height. */
  width: number | null;
  height: number | null;
  /** The file's own caption (XMP dc:description, EXIF ImageDescription, IPTC Caption), if any. */
  description: string | null;
  /** exiftool's warnings about a file it could still read (damaged but usable metadata). */
  warnings: string[];
}

export interface ClaimedType {
  mime?: string | null;
  extension?: string | null;
}

// One "family" per container format: a claim and the bytes must land in the same family.
const EXTENSION_FAMILY: Record<string, string> = {
  jpg: 'jpeg', jpeg: 'jpeg', jpe: 'jpeg', jfif: 'jpeg',
  heic: 'heif', heif: 'heif', hif: 'heif', avif: 'avif',
  png: 'png', gif: 'gif', webp: 'webp', bmp: 'bmp', tif: 'tiff', tiff: 'tiff',
  dng: 'raw', cr2: 'raw', cr3: 'raw', nef: 'raw', nrw: 'raw', arw: 'raw', orf: 'raw', rw2: 'raw', raf: 'raw', pef: 'raw', srw: 'raw',
  mp4: 'bmff-video', m4v: 'bmff-video', mov: 'bmff-video', qt: 'bmff-video', '3gp': 'bmff-video', '3g2': 'bmff-video',
  avi: 'avi', mkv: 'matroska', webm: 'matroska', mts: 'm2ts', m2ts: 'm2ts', mpg: 'mpeg', mpeg: 'mpeg', wmv: 'asf',
  xmp: 'xmp', zip: 'zip',
};
const FILETYPE_FAMILY: Record<string, string> = {
  JPEG: 'jpeg', HEIC: 'heif', HEIF: 'heif', AVIF: 'avif', PNG: 'png', GIF: 'gif', WEBP: 'webp', BMP: 'bmp', TIFF: 'tiff',
  DNG: 'raw', CR2: 'raw', CR3: 'raw', NEF: 'raw', NRW: 'raw', ARW: 'raw', ORF: 'raw', RW2: 'raw', RAF: 'raw', PEF: 'raw', SRW: 'raw',
  MP4: 'bmff-video', M4V: 'bmff-video', MOV: 'bmff-video', '3GP': 'bmff-video', '3G2': 'bmff-video',
  AVI: 'avi', MKV: 'matroska', WEBM: 'matroska', M2TS: 'm2ts', MPEG: 'mpeg', WMV: 'asf', ASF: 'asf', XMP: 'xmp', ZIP: 'zip',
};
const MIME_FAMILY: Record<string, string> = {
  'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/pjpeg': 'jpeg', 'image/heic': 'heif', 'image/heif': 'heif', 'image/heic-sequence': 'heif',
  'image/heif-sequence': 'heif', 'image/avif': 'avif', 'image/png': 'png', 'image/gif': 'gif', 'image/webp': 'webp', 'image/bmp': 'bmp',
  'image/tiff': 'tiff', 'image/x-adobe-dng': 'raw', 'video/mp4': 'bmff-video', 'video/quicktime': 'bmff-video', 'video/x-m4v': 'bmff-video',
  'video/3gpp': 'bmff-video', 'video/3gpp2': 'bmff-video', 'video/x-msvideo': 'avi', 'video/x-matroska': 'matroska', 'video/webm': 'matroska',
  'video/mp2t': 'm2ts', 'video/m2ts': 'm2ts', 'video/mpeg': 'mpeg', 'application/zip': 'zip', 'application/rdf+xml': 'xmp',
};

// exiftool warnings that mean the bytes end early or are not the format at all (with -validate,
// exiftool scans a JPEG to its EOI and checks every QuickTime/HEIF atom against the file size).
const BROKEN = [
  /^JPEG format error/i,
  /^Missing JPEG SOS/i,
  /^File format error/i,
  /^File is empty/i,
  /^File has wrong extension/i,
  /^Truncated '[^']*' data/i,
  /^Unknown trailer with truncated/i,
  /^Truncated \S+ image/i,
  /^Truncated \S+ \S+ chunk/i,
  /^Corrupted \S+ image/i,
  /^Error reading RIFF file/i,
  /^Truncated Matroska header/i,
  /^Invalid or corrupted .* master element/i,
];

const TAKEN_TAGS = [
  'SubSecDateTimeOriginal',
  'DateTimeOriginal',
  'CreationDate', // QuickTime Keys (iPhone videos): local time with its offset
  'SubSecCreateDate',
  'CreateDate',
  'DateTimeCreated',
  'DigitalCreationDateTime',
  'MediaCreateDate',
  'TrackCreateDate',
] as const;

const DESCRIPTION_TAGS = ['Description', 'ImageDescription', 'Caption-Abstract'] as const;

const FAMILY_LABEL: Record<string, string> = { jpeg: 'JPEG', heif: 'HEIC/HEIF', 'bmff-video': 'MP4/MOV video', raw: 'camera raw', matroska: 'Matroska/WebM video', m2ts: 'MPEG-TS video' };

function familyOfClaim(claimed: ClaimedType, file: string): { family: string | null; from: string } {
  const mime = claimed.mime?.split(';')[0].trim().toLowerCase();
  if (mime && MIME_FAMILY[mime]) return { family: MIME_FAMILY[mime], from: `type ${mime}` };
  const extension = (claimed.extension ?? path.extname(file)).replace(/^\./, '').toLowerCase();
  return { family: EXTENSION_FAMILY[extension] ?? null, from: extension ? `extension .${extension}` : 'no extension' };
}

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const out = String(value).replace(/\u0000+$/, '').trim();
  return out === '' ? null : out;
}

function coordinate(value: unknown, limit: number): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  return Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
}

function positive(value: unknown): number | null {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number.parseInt(value, 10) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
}

function takenAtOf(tags: Tags): string | null {
  const record = tags as Record<string, unknown>;
  for (const key of TAKEN_TAGS) {
    const value = record[key];
    if (value instanceof ExifDateTime && value.isValid) {
      const iso = value.toISOString();
      if (iso) return iso;
    }
  }
  return null;
}

function isQuarterTurn(tags: Tags): boolean {
  const orientation = (tags as Record<string, unknown>).Orientation;
  if (typeof orientation === 'number' && orientation >= 5 && orientation <= 8) return true;
  const rotation = (tags as Record<string, unknown>).Rotation;
  if (typeof rotation === 'number') return rotation % 180 === 90 || rotation % 180 === -90;
  return false;
}

/** Facts from exiftool's tags (no I/O): exported for `verify` and tests. */
export function factsFromTags(tags: Tags): MediaFacts {
  const record = tags as Record<string, unknown>;
  let lat = coordinate(record.GPSLatitude, 90);
  let lng = coordinate(record.GPSLongitude, 180);
  if (lat === null || lng === null || (lat === 0 && lng === 0)) lat = lng = null;
  let width = positive(record.ImageWidth);
  let height = positive(record.ImageHeight);
  if (isQuarterTurn(tags)) [width, height] = [height, width];
  let description: string | null = null;
  for (const key of DESCRIPTION_TAGS) {
    description = text(record[key]);
    if (description) break;
  }
  return {
    mime: text(record.MIMEType),
    takenAt: takenAtOf(tags),
    gpsLat: lat,
    gpsLng: lng,
    make: text(record.Make),
    model: text(record.Model),
    width,
    height,
    description,
    warnings: [...new Set((tags.warnings ?? []).map(String))],
  };
}

const live = new Set<MediaInspector>();
const signalHandlers = new Map<NodeJS.Signals, () => void>();

function installSignalHandlers(): void {
  if (signalHandlers.size > 0) return;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = (): void => {
      // With a CLI handler on this signal, the run finishes its files in flight and ends the
      // inspector itself. Alone, behave as if we were not here: end exiftool, then die of it.
      if (process.listenerCount(signal) > 1) return;
      const ending = [...live].map((inspector) => inspector.end().catch(() => undefined));
      void Promise.all(ending).finally(() => {
        removeSignalHandlers();
        process.kill(process.pid, signal);
      });
    };
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }
}

function removeSignalHandlers(): void {
  for (const [signal, handler] of signalHandlers) process.removeListener(signal, handler);
  signalHandlers.clear();
}

/**
 * One exiftool process for a whole run. `end()` is idempotent; it also runs on SIGINT and
 * SIGTERM when nothing else handles them, so no exiftool (perl) process outlives the run.
 */
export class MediaInspector {
  private exiftoolInstance: ExifTool | null;
  private ending: Promise<void> | null = null;
  /** Rejects when end() is called: exiftool's tasks still running then never settle. */
  private readonly ended$: Promise<never>;
  private rejectEnded!: (reason: KeepError) => void;

  constructor() {
    this.exiftoolInstance = new ExifTool({ maxProcs: 1, taskTimeoutMillis: 120_000, maxTasksPerProcess: 2000, processFactory: guardedExiftoolFactory() });
    this.ended$ = new Promise<never>((_, reject) => (this.rejectEnded = reject));
    this.ended$.catch(() => undefined);
    live.add(this);
    installSignalHandlers();
  }

  /**
   * Runs one task on the run's exiftool. A task still running when the inspector ends is
   * given up with a KeepError: exiftool-vendored leaves such a task unsettled for ever, which
   * hung the run that awaited it.
   */
  use<T>(task: (exiftool: ExifTool) => Promise<T>): Promise<T> {
    if (!this.exiftoolInstance) return Promise.reject(new KeepError('The media inspector was already ended.'));
    return Promise.race([task(this.exiftoolInstance), this.ended$]);
  }

  get ended(): boolean {
    return this.exiftoolInstance === null;
  }

  /**
   * Facts about one file. Throws CorruptDownloadError (retryable) when the bytes are empty,
   * truncated, or not the type the name or `claimed` says.
   */
  async inspect(file: string, claimed: ClaimedType = {}): Promise<MediaFacts> {
    if (this.ended) throw new KeepError('The media inspector was already ended.');
    let size: number;
    try {
      size = (await stat(file)).size;
    } catch (cause) {
      throw new LocalIoError(`Cannot read ${file}: ${(cause as Error).message}`, { cause });
    }
    const name = path.basename(file);
    if (size === 0) throw new CorruptDownloadError(`${name} is empty (0 bytes)`);

    let read: OnePassRead;
    try {
      // One pass: the structure check (-validate makes exiftool walk the whole JPEG to its EOI
      // and every QuickTime/HEIF atom; -a -G4 keeps every warning, not only the first) and the
      // metadata, in the same exiftool read (one-pass-read.ts).
      read = await this.use((exiftool) => readOnePass(exiftool, file));
    } catch (cause) {
      if (cause instanceof KeepError) throw cause;
      throw new CorruptDownloadError(`exiftool could not read ${name}: ${(cause as Error).message}`, { cause });
    }
    const { tags } = read;

    const problems: string[] = [];
    for (const [key, value] of Object.entries(read.notes)) {
      if (key.endsWith('Error') || BROKEN.some((re) => re.test(value))) problems.push(value);
    }
    for (const error of tags.errors ?? []) problems.push(String(error));
    const fileType = text(read.fileType);
    const detected = fileType ? FILETYPE_FAMILY[fileType.toUpperCase()] ?? null : null;
    const claim = familyOfClaim(claimed, file);
    if (!fileType) problems.push('exiftool does not recognise the format');
    else if (claim.family && detected !== claim.family) problems.push(`the bytes are ${fileType}, not what its ${claim.from} says`);
    if (problems.length > 0) {
      throw new CorruptDownloadError(`${name} is not a valid ${claim.family ? FAMILY_LABEL[claim.family] ?? claim.family.toUpperCase() : fileType ?? 'media'} file: ${[...new Set(problems)].join('; ')}`);
    }
    return factsFromTags(tags);
  }

  /** Ends the exiftool process; safe to call more than once and from signal handlers. */
  end(): Promise<void> {
    if (!this.ending) {
      const exiftool = this.exiftoolInstance;
      this.exiftoolInstance = null;
      this.rejectEnded(new KeepError('The media inspector was ended while exiftool was reading a file.'));
      live.delete(this);
      if (live.size === 0) removeSignalHandlers();
      this.ending = exiftool ? exiftool.end().catch(() => undefined) : Promise.resolve();
    }
    return this.ending;
  }
}
