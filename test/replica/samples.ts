// The real camera/phone files in test/fixtures/media and what Google Photos would know about
// each (read once with exiftool and written down here, so the replica needs no EXIF reader).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type SampleFormat = 'jpeg' | 'isobmff';

export interface SampleInfo {
  file: string;
  format: SampleFormat;
  kind: 'photo' | 'video';
  mime: string;
  /** As Google shows them: EXIF orientation 5–8 already applied (width/height swapped). */
  width: number;
  height: number;
  /** Date taken in UTC ms as Google derives it from the file (null: the file has no date). */
  takenMs: number | null;
  tzOffsetMs: number;
  gps: { lat: number; lng: number } | null;
  durationMs: number;
}

const H = 3_600_000;
const utc = (y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number => Date.UTC(y, mo - 1, d, h, mi, s, ms);
/** Local wall-clock time with an offset → UTC ms. */
const local = (offsetMs: number, y: number, mo: number, d: number, h: number, mi: number, s: number, ms = 0): number => utc(y, mo, d, h, mi, s, ms) - offsetMs;

function jpeg(file: string, width: number, height: number, takenMs: number | null, tzOffsetMs: number, gps: SampleInfo['gps'] = null): SampleInfo {
  return { file, format: 'jpeg', kind: 'photo', mime: 'image/jpeg', width, height, takenMs, tzOffsetMs, gps, durationMs: 0 };
}

export const SAMPLES: Record<string, SampleInfo> = Object.fromEntries(
  ([
    jpeg('Canon_40D.jpg', 100, 68, local(0, 2008, 5, 30, 15, 56, 1), 0),
    jpeg('Nikon_D70.jpg', 100, 66, local(-4 * H, 2008, 3, 15, 9, 52, 1), -4 * H),
    jpeg('Sony_HDR-HC3.jpg', 100, 64, local(0, 2007, 6, 15, 4, 42, 32), 0),
    jpeg('corrupted.jpg', 3648, 2736, local(0, 2015, 9, 8, 11, 2, 17), 0),
    jpeg('gps__DSCN0010.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 28, 39), 2 * H, { lat: 43.4674483333333, lng: 11.8851266666639 }),
    jpeg('gps__DSCN0012.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 29, 49), 2 * H, { lat: 43.4671566666639, lng: 11.8853949999972 }),
    jpeg('gps__DSCN0021.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 38, 20), 2 * H, { lat: 43.4670816666639, lng: 11.8845383333306 }),
    jpeg('gps__DSCN0025.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 43, 21), 2 * H, { lat: 43.468365, lng: 11.8816349999722 }),
    jpeg('gps__DSCN0027.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 44, 1), 2 * H, { lat: 43.4684416666667, lng: 11.881515 }),
    jpeg('gps__DSCN0029.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 46, 53), 2 * H, { lat: 43.4682433333306, lng: 11.8801716666389 }),
    jpeg('gps__DSCN0038.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 52, 15), 2 * H, { lat: 43.4672549999972, lng: 11.8792133333333 }),
    jpeg('gps__DSCN0040.jpg', 640, 480, local(2 * H, 2008, 10, 22, 16, 55, 37), 2 * H, { lat: 43.4660116666389, lng: 11.8791116666389 }),
    jpeg('gps__DSCN0042.jpg', 640, 480, local(2 * H, 2008, 10, 22, 17, 0, 7), 2 * H, { lat: 43.464455, lng: 11.8814783333333 }),
    // ExifImageHeight says 1020, the JPEG frame 227: Google shows the frame.
    jpeg('invalid__image00971.jpg', 636, 227, local(2 * H, 2010, 4, 13, 9, 37, 22), 2 * H),
    jpeg('long_description.jpg', 100, 73, local(0, 2005, 12, 17, 22, 3, 32), 0),
    jpeg('mobile__HMD_Nokia_8.3_5G.jpg', 4608, 1976, local(3 * H, 2022, 8, 14, 14, 12, 31), 3 * H, { lat: 60.1467055555556, lng: 24.9067722222222 }),
    jpeg('mobile__jolla.jpg', 3264, 2448, local(0, 2014, 9, 21, 16, 0, 56), 0),
    // EXIF orientation 6 (600×450 stored), no date at all.
    jpeg('orientation__portrait_6.jpg', 450, 600, null, 0),
    // HEIC 4032×3024 with orientation 6; the still of the Live Photo pair with live__IMG_0042.MOV.
    { file: 'mobile__iphone_13_pro_max.HEIC', format: 'isobmff', kind: 'photo', mime: 'image/heic', width: 3024, height: 4032, takenMs: local(1 * H, 2022, 2, 16, 12, 55, 41, 762), tzOffsetMs: 1 * H, gps: null, durationMs: 0 },
    { file: 'live__IMG_0042.MOV', format: 'isobmff', kind: 'video', mime: 'video/quicktime', width: 240, height: 320, takenMs: utc(2022, 2, 16, 11, 55, 41), tzOffsetMs: 1 * H, gps: null, durationMs: 1534 },
    { file: 'video__PXL_20210612_091530.mp4', format: 'isobmff', kind: 'video', mime: 'video/mp4', width: 320, height: 240, takenMs: utc(2021, 6, 12, 9, 15, 30), tzOffsetMs: 2 * H, gps: { lat: 48.8584, lng: 2.29449 }, durationMs: 2000 },
  ] as SampleInfo[]).map((s) => [s.file, s]),
);

/** test/fixtures/media, found from this module whether it runs as TS (test/replica) or built JS (dist/test/replica). */
export const MEDIA_DIR: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'test', 'fixtures', 'media');
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('replica: test/fixtures/media not found above ' + fileURLToPath(import.meta.url));
})();

export function sampleInfo(file: string): SampleInfo {
  const info = SAMPLES[file];
  if (!info) throw new Error(`replica: unknown sample ${JSON.stringify(file)}; known: ${Object.keys(SAMPLES).join(', ')}`);
  return info;
}

const sizes = new Map<string, number>();
export function sampleSize(file: string): number {
  let size = sizes.get(file);
  if (size === undefined) {
    size = statSync(join(MEDIA_DIR, sampleInfo(file).file)).size;
    sizes.set(file, size);
  }
  return size;
}

/** Sample bodies are read from disk each time they are needed; callers cache built item bytes. */
export function readSample(file: string): Buffer {
  return readFileSync(join(MEDIA_DIR, sampleInfo(file).file));
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

export function baseNameOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(0, dot);
}

export function mimeOfName(name: string): string {
  switch (extensionOf(name)) {
    case 'jpg':
    case 'jpeg':
      return 'image/jpeg';
    case 'heic':
      return 'image/heic';
    case 'heif':
      return 'image/heif';
    case 'png':
      return 'image/png';
    case 'mp4':
      return 'video/mp4';
    case 'mov':
      return 'video/quicktime';
    case 'zip':
      return 'application/zip';
    default:
      return 'application/octet-stream';
  }
}

/** The original file name a sample had on the device: the part after `<folder>__`. */
export function defaultFileName(file: string): string {
  const i = file.indexOf('__');
  return i < 0 ? file : file.slice(i + 2);
}
