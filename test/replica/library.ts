// The replica's library: items, their ids, and their bytes (built lazily from the sample files,
// each item made unique without touching EXIF).
import { SAMPLES, baseNameOf, defaultFileName, readSample, sampleInfo, sampleSize, type SampleInfo } from './samples.js';
import { buildZip } from './zip.js';
import { prng, randomB64url, seedOf, sha1Base64, sha256Hex } from './util.js';
import { UNKNOWN_DEFAULTS, type Unknowns } from './unknowns.js';

export interface ReplicaItemSpec {
  /** File name in test/fixtures/media. */
  sample: string;
  fileName?: string;
  takenMs?: number;
  tzOffsetMs?: number;
  uploadedMs?: number;
  kind?: 'photo' | 'video' | 'live';
  /** The video half of a Live Photo (kind 'live'); default live__IMG_0042.MOV. */
  liveVideoSample?: string;
  archived?: boolean;
  favorite?: boolean;
  edited?: boolean;
  processing?: boolean;
  description?: string;
  /** A location known only to Google (set in the app): shown and returned by RPCs, never in the file. */
  googleLocation?: { lat: number; lng: number };
  apiId?: string;
  mediaKey?: string;
}

export interface ReplicaItem {
  mediaKey: string;
  apiId: string;
  dedupKey: string;
  sample: string;
  fileName: string;
  takenMs: number;
  tzOffsetMs: number;
  uploadedMs: number;
  kind: 'photo' | 'video' | 'live';
  liveVideoSample: string | null;
  archived: boolean;
  favorite: boolean;
  edited: boolean;
  processing: boolean;
  description: string;
  googleLocation: { lat: number; lng: number } | null;
  /** What Google shows: googleLocation, else the file's own GPS. */
  location: { lat: number; lng: number } | null;
  width: number;
  height: number;
  durationMs: number;
  mime: string;
  /** Bumped by every editItem(); part of the edited bytes. */
  editVersion: number;
  /** Creation order (also what makes ids deterministic). */
  ordinal: number;
  /** When it went to the trash (ms UTC); null while it is not in the trash. */
  trashedMs: number | null;
  /** The person who owns it when it is not the account's (an item of someone else's shared album, a partner's item); null for the account's own. */
  owner: string | null;
}

/** 'live-aae': the `.AAE` edit file inside a Live Photo zip (only while unknowns.liveZipAae is on). */
export type FileRole = 'main' | 'original' | 'live-still' | 'live-video' | 'live-aae';
export interface ExpectedFile {
  name: string;
  sha256: string;
  bytes: number;
  role: FileRole;
}

/** What a download request serves. */
export type Variant = 'main' | 'original';

const H = 3_600_000;
const DAY = 24 * H;

/** ~20 items built from every sample file (see README: the sample library). */
export function sampleLibrary(): ReplicaItemSpec[] {
  const up = (y: number, mo: number, d: number, h = 12): number => Date.UTC(y, mo - 1, d, h, 0, 0);
  return [
    { sample: 'gps__DSCN0010.jpg', uploadedMs: up(2008, 10, 25) },
    { sample: 'gps__DSCN0012.jpg', uploadedMs: up(2008, 10, 25, 13), favorite: true },
    { sample: 'gps__DSCN0021.jpg', uploadedMs: up(2008, 10, 25, 14) },
    { sample: 'gps__DSCN0025.jpg', uploadedMs: up(2008, 10, 25, 15), description: 'Tuscan hills at dusk — Cortona' },
    { sample: 'gps__DSCN0027.jpg', uploadedMs: up(2008, 10, 25, 16) },
    { sample: 'gps__DSCN0029.jpg', uploadedMs: up(2008, 10, 25, 17) },
    { sample: 'gps__DSCN0038.jpg', uploadedMs: up(2008, 10, 25, 18) },
    { sample: 'gps__DSCN0040.jpg', uploadedMs: up(2008, 10, 25, 19) },
    { sample: 'gps__DSCN0042.jpg', uploadedMs: up(2008, 10, 25, 20) },
    { sample: 'mobile__HMD_Nokia_8.3_5G.jpg', fileName: 'IMG_20220814_141231.jpg', uploadedMs: up(2022, 8, 14, 18) },
    { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0041.HEIC', takenMs: Date.UTC(2022, 1, 16, 11, 50, 2), uploadedMs: up(2022, 2, 17) },
    { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0042.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV', uploadedMs: up(2022, 2, 17, 13) },
    { sample: 'video__PXL_20210612_091530.mp4', uploadedMs: up(2021, 6, 12, 20) },
    { sample: 'video__PXL_20210612_091530.mp4', fileName: 'PXL_20240301_101500.mp4', takenMs: Date.UTC(2024, 2, 1, 10, 15, 0), tzOffsetMs: 1 * H, uploadedMs: up(2024, 3, 1, 11), processing: true },
    { sample: 'Canon_40D.jpg', edited: true, uploadedMs: up(2008, 6, 2) },
    { sample: 'Sony_HDR-HC3.jpg', archived: true, uploadedMs: up(2023, 1, 5) },
    { sample: 'long_description.jpg', description: 'A long description written in Google Photos: it exists only in Google\u2019s metadata, not in the file.', uploadedMs: up(2006, 1, 2) },
    { sample: 'mobile__jolla.jpg', fileName: 'IMG_20140921_160056.jpg', googleLocation: { lat: 61.4977524, lng: 23.7609535 }, uploadedMs: up(2014, 9, 22) },
    { sample: 'Nikon_D70.jpg', fileName: 'IMG_0001.JPG', uploadedMs: up(2008, 3, 20) },
    { sample: 'orientation__portrait_6.jpg', fileName: 'IMG_0001.JPG', takenMs: Date.UTC(2019, 4, 1, 8, 30, 0), uploadedMs: up(2019, 5, 1, 9) },
    { sample: 'corrupted.jpg', uploadedMs: up(2015, 9, 9) },
    { sample: 'invalid__image00971.jpg', uploadedMs: up(2010, 4, 14) },
  ];
}

/** Newest taken first; ties by upload time then key, so the order is total. */
export function compareItems(a: Pick<ReplicaItem, 'takenMs' | 'uploadedMs' | 'mediaKey'>, b: Pick<ReplicaItem, 'takenMs' | 'uploadedMs' | 'mediaKey'>): number {
  if (a.takenMs !== b.takenMs) return b.takenMs - a.takenMs;
  if (a.uploadedMs !== b.uploadedMs) return b.uploadedMs - a.uploadedMs;
  return a.mediaKey < b.mediaKey ? -1 : a.mediaKey > b.mediaKey ? 1 : 0;
}

export function compareUploads(a: ReplicaItem, b: ReplicaItem): number {
  if (a.uploadedMs !== b.uploadedMs) return b.uploadedMs - a.uploadedMs;
  return compareItems(a, b);
}

const TZS = [0, 1, 2, -5, 9, 5.5].map((h) => h * H);
const SYNTHETIC_SAMPLES = ['Canon_40D.jpg', 'Nikon_D70.jpg', 'Sony_HDR-HC3.jpg', 'long_description.jpg', 'gps__DSCN0010.jpg', 'gps__DSCN0021.jpg', 'gps__DSCN0040.jpg'];

/** Cap on cached item bodies: a 100k library never holds 100k bodies. */
const CACHE_LIMIT_BYTES = 64 * 1024 * 1024;

export class Library {
  /** The account's library (what lcxiM/EzkLib list), newest taken first; trashed items are not in it. */
  readonly items: ReplicaItem[] = [];
  /** The account's trash, most recently trashed first. */
  readonly trash: ReplicaItem[] = [];
  /** Library and trash items by mediaKey. */
  private readonly byKey = new Map<string, ReplicaItem>();
  /** Items owned by someone else that the account sees (shared albums, partner sharing), by their own key. */
  private readonly foreign = new Map<string, ReplicaItem>();
  private readonly byApiId = new Map<string, ReplicaItem>();
  private readonly byOriginalSha1 = new Map<string, ReplicaItem>();
  private sha1Complete = false;
  private uploadOrder: ReplicaItem[] | null = null;
  private nextOrdinal = 0;
  private readonly cache = new Map<string, Buffer>();
  private cacheBytes = 0;
  private readonly hashes = new Map<string, string>();
  /** Bumped by every mutation, so page cursors and caches can tell. */
  version = 0;
  /** The variants served where the facts page is silent; mutated in place by the server's API. */
  readonly unknowns: Unknowns = { ...UNKNOWN_DEFAULTS };
  /** Faults.listedSizeSkew: bytes added to what the RPCs list for an item. */
  readonly listedSizeSkew = new Map<string, number>();

  constructor(readonly seed: number) {}

  static fromSpecs(specs: ReplicaItemSpec[], seed: number): Library {
    const lib = new Library(seed);
    for (const spec of specs) lib.add(spec, false);
    lib.items.sort(compareItems);
    return lib;
  }

  /** n items, newest taken first, built from small samples; ids and dates reproducible from the seed. */
  static synthetic(n: number, seed: number): Library {
    const lib = new Library(seed);
    const rand = prng(seedOf(seed, 'synthetic'));
    let taken = Date.UTC(2025, 11, 31, 18, 0, 0);
    for (let i = 0; i < n; i++) {
      taken -= 600_000 + Math.floor(rand() * 6 * H);
      const isVideo = i % 23 === 7;
      const sample = isVideo ? 'video__PXL_20210612_091530.mp4' : SYNTHETIC_SAMPLES[i % SYNTHETIC_SAMPLES.length];
      const tz = TZS[i % TZS.length];
      const n = String(i + 1).padStart(6, '0');
      const fileName = isVideo ? `PXL_${n}.mp4` : `IMG_${n}.jpg`;
      const item = lib.makeItem({
        sample,
        fileName,
        takenMs: taken,
        tzOffsetMs: tz,
        uploadedMs: taken + Math.floor(rand() * 30 * DAY),
        archived: i % 40 === 13,
        favorite: i % 17 === 3,
        description: i % 101 === 5 ? `Synthetic caption ${i}` : '',
      });
      lib.items.push(item);
      lib.index(item);
    }
    return lib;
  }

  private makeItem(spec: ReplicaItemSpec): ReplicaItem {
    const info = sampleInfo(spec.sample);
    const ordinal = this.nextOrdinal++;
    const rand = prng(seedOf(this.seed, ordinal, 'ids'));
    const mediaKey = spec.mediaKey ?? 'AF1Qip' + randomB64url(rand, 38);
    const dedupKey = randomB64url(rand, 28);
    const apiId = spec.apiId ?? 'A' + randomB64url(rand, 97);
    const kind = spec.kind ?? info.kind;
    if (kind === 'live' && info.kind !== 'photo') throw new Error(`replica: a live photo's still must be a photo sample, not ${spec.sample}`);
    const liveVideoSample = kind === 'live' ? (spec.liveVideoSample ?? 'live__IMG_0042.MOV') : null;
    if (liveVideoSample) sampleInfo(liveVideoSample);
    const takenMs = spec.takenMs ?? info.takenMs ?? spec.uploadedMs ?? Date.UTC(2020, 0, 1);
    const googleLocation = spec.googleLocation ?? null;
    return {
      mediaKey,
      apiId,
      dedupKey,
      sample: spec.sample,
      fileName: spec.fileName ?? defaultFileName(spec.sample),
      takenMs,
      tzOffsetMs: spec.tzOffsetMs ?? info.tzOffsetMs,
      uploadedMs: spec.uploadedMs ?? takenMs + H,
      kind,
      liveVideoSample,
      archived: spec.archived ?? false,
      favorite: spec.favorite ?? false,
      edited: spec.edited ?? false,
      processing: spec.processing ?? false,
      description: spec.description ?? '',
      googleLocation,
      location: googleLocation ?? info.gps,
      width: info.width,
      height: info.height,
      durationMs: kind === 'video' ? info.durationMs : kind === 'live' ? sampleInfo(liveVideoSample!).durationMs : 0,
      mime: kind === 'live' ? 'application/zip' : info.mime,
      editVersion: spec.edited ? 1 : 0,
      ordinal,
      trashedMs: null,
      owner: null,
    };
  }

  private index(item: ReplicaItem): void {
    if (this.byKey.has(item.mediaKey) || this.foreign.has(item.mediaKey)) throw new Error(`replica: duplicate mediaKey ${item.mediaKey}`);
    this.byKey.set(item.mediaKey, item);
    this.byApiId.set(item.apiId, item);
    this.sha1Complete = false;
    this.uploadOrder = null;
    this.version++;
  }

  add(spec: ReplicaItemSpec, insertSorted = true): ReplicaItem {
    const item = this.makeItem(spec);
    this.index(item);
    if (insertSorted) this.insertSorted(item);
    else this.items.push(item);
    return item;
  }

  private insertSorted(item: ReplicaItem): void {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareItems(this.items[mid], item) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.items.splice(lo, 0, item);
  }

  /** Deletes a library or trash item for good. */
  remove(mediaKey: string): void {
    const item = this.get(mediaKey);
    for (const list of [this.items, this.trash]) {
      const at = list.indexOf(item);
      if (at >= 0) list.splice(at, 1);
    }
    this.byKey.delete(mediaKey);
    this.byApiId.delete(item.apiId);
    this.sha1Complete = false;
    this.byOriginalSha1.clear();
    this.uploadOrder = null;
    this.version++;
  }

  /** Moves a library item to the trash: it leaves every listing of the library; its key still answers VrseUb/fDcn4b. */
  moveToTrash(mediaKey: string, trashedMs: number): ReplicaItem {
    const item = this.get(mediaKey);
    const at = this.items.indexOf(item);
    if (at < 0) throw new Error(`replica: ${mediaKey} is not in the library (already in the trash?)`);
    this.items.splice(at, 1);
    item.trashedMs = trashedMs;
    this.trash.unshift(item);
    this.sha1Complete = false;
    this.byOriginalSha1.clear();
    this.uploadOrder = null;
    this.version++;
    return item;
  }

  /** Puts a trashed item back into the library at its place by date taken. */
  restoreFromTrash(mediaKey: string): ReplicaItem {
    const item = this.get(mediaKey);
    const at = this.trash.indexOf(item);
    if (at < 0) throw new Error(`replica: ${mediaKey} is not in the trash`);
    this.trash.splice(at, 1);
    item.trashedMs = null;
    this.insertSorted(item);
    this.sha1Complete = false;
    this.uploadOrder = null;
    this.version++;
    return item;
  }

  /** An item owned by `owner` (a person's name), in no listing of the account's library; ids continue the library's sequence. */
  addForeign(spec: ReplicaItemSpec, owner: string): ReplicaItem {
    const item = this.makeItem(spec);
    item.owner = owner;
    if (this.byKey.has(item.mediaKey) || this.foreign.has(item.mediaKey)) throw new Error(`replica: duplicate mediaKey ${item.mediaKey}`);
    this.foreign.set(item.mediaKey, item);
    this.version++;
    return item;
  }

  dropForeign(mediaKey: string): void {
    if (this.foreign.delete(mediaKey)) this.version++;
  }

  /** A library, trash or foreign item by its own key (downloads resolve through this). */
  findAny(mediaKey: string): ReplicaItem | undefined {
    return this.byKey.get(mediaKey) ?? this.foreign.get(mediaKey);
  }

  touch(): void {
    this.uploadOrder = null;
    this.version++;
  }

  find(mediaKey: string): ReplicaItem | undefined {
    return this.byKey.get(mediaKey);
  }

  get(mediaKey: string): ReplicaItem {
    const item = this.byKey.get(mediaKey);
    if (!item) throw new Error(`replica: no item ${mediaKey}`);
    return item;
  }

  findByApiId(apiId: string): ReplicaItem | undefined {
    return this.byApiId.get(apiId);
  }

  byUpload(): ReplicaItem[] {
    if (!this.uploadOrder) this.uploadOrder = [...this.items].sort(compareUploads);
    return this.uploadOrder;
  }

  // ---- bytes ----------------------------------------------------------------------------

  private marker(item: ReplicaItem, part: 'original' | 'edited' | 'live-video'): string {
    const base = `gphotos-keep replica item=${item.mediaKey}`;
    if (part === 'edited') return `${base} edited=${item.editVersion}`;
    if (part === 'live-video') return `${base} live-video`;
    return base;
  }

  private static overhead(info: SampleInfo, marker: string): number {
    return (info.format === 'jpeg' ? 4 : 8) + Buffer.byteLength(marker);
  }

  /** Makes a sample's bytes unique: a JPEG COM segment right after SOI, or a trailing ISO-BMFF `free` box. EXIF untouched. */
  private static stamp(info: SampleInfo, body: Buffer, marker: string): Buffer {
    const payload = Buffer.from(marker, 'utf8');
    if (info.format === 'jpeg') {
      if (body[0] !== 0xff || body[1] !== 0xd8) throw new Error(`replica: ${info.file} does not start with SOI`);
      const seg = Buffer.alloc(4);
      seg[0] = 0xff;
      seg[1] = 0xfe;
      seg.writeUInt16BE(payload.length + 2, 2);
      return Buffer.concat([body.subarray(0, 2), seg, payload, body.subarray(2)]);
    }
    const box = Buffer.alloc(8);
    box.writeUInt32BE(payload.length + 8, 0);
    box.write('free', 4, 'latin1');
    return Buffer.concat([body, box, payload]);
  }

  /** Bytes of one file of an item: the still/photo/video as uploaded, the edited version, or the live video. */
  private part(item: ReplicaItem, part: 'original' | 'edited' | 'live-video'): Buffer {
    const sample = part === 'live-video' ? item.liveVideoSample! : item.sample;
    const marker = this.marker(item, part);
    const cacheKey = `${sample}\u0000${marker}`;
    const cached = this.cache.get(cacheKey);
    if (cached) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, cached);
      return cached;
    }
    const body = Library.stamp(sampleInfo(sample), readSample(sample), marker);
    this.cache.set(cacheKey, body);
    this.cacheBytes += body.length;
    for (const [k, v] of this.cache) {
      if (this.cacheBytes <= CACHE_LIMIT_BYTES) break;
      this.cache.delete(k);
      this.cacheBytes -= v.length;
    }
    return body;
  }

  private partSize(item: ReplicaItem, part: 'original' | 'edited' | 'live-video'): number {
    const sample = part === 'live-video' ? item.liveVideoSample! : item.sample;
    return sampleSize(sample) + Library.overhead(sampleInfo(sample), this.marker(item, part));
  }

  /** File names inside a Live Photo zip: the still's name, `<base>.MOV` and (variant) `<base>.AAE`. */
  liveNames(item: ReplicaItem): { still: string; video: string; aae: string; zip: string } {
    const base = baseNameOf(item.fileName);
    return { still: item.fileName, video: `${base}.MOV`, aae: `${base}.AAE`, zip: `${base}.zip` };
  }

  /** An iPhone edit file (XML property list) as Photos writes it beside an edited capture; unique per item. */
  aaeBody(item: ReplicaItem): Buffer {
    const data = Buffer.from(`replica adjustments for ${item.mediaKey}`, 'utf8').toString('base64');
    return Buffer.from(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
        '<plist version="1.0">',
        '<dict>',
        '\t<key>adjustmentBaseVersion</key>',
        '\t<integer>0</integer>',
        '\t<key>adjustmentData</key>',
        `\t<data>${data}</data>`,
        '\t<key>adjustmentEditorBundleID</key>',
        '\t<string>com.apple.mobileslideshow</string>',
        '\t<key>adjustmentFormatIdentifier</key>',
        '\t<string>com.apple.photo</string>',
        '\t<key>adjustmentFormatVersion</key>',
        '\t<string>1.5</string>',
        '</dict>',
        '</plist>',
        '',
      ].join('\n'),
      'utf8',
    );
  }

  /** What a Download (variant main) / Download original serves: name, type and body. */
  download(item: ReplicaItem, variant: Variant, hostileNames = false): { name: string; mime: string; body: Buffer } {
    if (item.kind === 'live') {
      const names = this.liveNames(item);
      const still = this.part(item, variant === 'main' && item.edited ? 'edited' : 'original');
      const video = this.part(item, 'live-video');
      const mtimeMs = item.takenMs + item.tzOffsetMs;
      const stillEntry = { name: hostileNames ? `../${names.still}` : names.still, data: still, mtimeMs };
      const videoEntry = { name: hostileNames ? `/tmp/${names.video}` : names.video, data: video, mtimeMs };
      const entries = this.unknowns.liveZipOrder === 'video-first' ? [videoEntry, stillEntry] : [stillEntry, videoEntry];
      if (this.unknowns.liveZipAae) entries.push({ name: names.aae, data: this.aaeBody(item), mtimeMs });
      return { name: names.zip, mime: 'application/zip', body: buildZip(entries) };
    }
    const body = this.part(item, variant === 'main' && item.edited ? 'edited' : 'original');
    return { name: item.fileName, mime: sampleInfo(item.sample).mime, body };
  }

  /** The size of what Download serves (the still for a Live Photo; the edited file once edited); the info panel shows it. */
  sizeOf(item: ReplicaItem): number {
    return this.partSize(item, item.edited ? 'edited' : 'original');
  }

  /** The size RPCs list for the item under the current unknowns (null: not listed). */
  listedSize(item: ReplicaItem): number | null {
    const listed = this.plausibleListedSize(item);
    const skew = this.listedSizeSkew.get(item.mediaKey);
    return listed === null || skew === undefined ? listed : listed + skew;
  }

  private plausibleListedSize(item: ReplicaItem): number | null {
    const shown = item.edited && this.unknowns.editedListedSize === 'original' ? 'original' : item.edited ? 'edited' : 'original';
    if (item.kind !== 'live') return this.partSize(item, shown);
    switch (this.unknowns.liveListedSize) {
      case 'absent':
        return null;
      case 'still+video':
        return this.partSize(item, shown) + this.partSize(item, 'live-video');
      case 'zip':
        // The zip Download serves (its still follows the edit, whatever editedListedSize says).
        return this.download(item, 'main').body.length;
      default:
        return this.partSize(item, shown);
    }
  }

  private hashOf(item: ReplicaItem, part: 'original' | 'edited' | 'live-video'): string {
    const k = `${item.mediaKey}\u0000${this.marker(item, part)}`;
    let h = this.hashes.get(k);
    if (!h) {
      h = sha256Hex(this.part(item, part));
      this.hashes.set(k, h);
    }
    return h;
  }

  expectedFiles(item: ReplicaItem): ExpectedFile[] {
    const file = (name: string, part: 'original' | 'edited' | 'live-video', role: FileRole): ExpectedFile => ({ name, sha256: this.hashOf(item, part), bytes: this.partSize(item, part), role });
    if (item.kind === 'live') {
      const names = this.liveNames(item);
      const files = [file(names.still, item.edited ? 'edited' : 'original', 'live-still'), file(names.video, 'live-video', 'live-video')];
      if (item.edited) files.push(file(names.still, 'original', 'original'));
      if (this.unknowns.liveZipAae) {
        const aae = this.aaeBody(item);
        files.push({ name: names.aae, sha256: sha256Hex(aae), bytes: aae.length, role: 'live-aae' });
      }
      return files;
    }
    if (item.edited) return [file(item.fileName, 'edited', 'main'), file(item.fileName, 'original', 'original')];
    return [file(item.fileName, 'original', 'main')];
  }

  /** base64 SHA-1 of the bytes as uploaded (the still for a Live Photo), as swbisb knows them. */
  sha1Of(item: ReplicaItem): string {
    return sha1Base64(this.part(item, 'original'));
  }

  findBySha1(hash: string): ReplicaItem | undefined {
    if (!this.sha1Complete) {
      this.byOriginalSha1.clear();
      for (const item of this.items) this.byOriginalSha1.set(this.sha1Of(item), item);
      this.sha1Complete = true;
    }
    return this.byOriginalSha1.get(hash);
  }
}

export { SAMPLES };
