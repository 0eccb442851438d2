// Parsers for the RPC payloads (shapes from real captures). They accept missing optional
// fields, and throw SiteChangedError only when a fact the program relies on is gone.
import { SiteChangedError } from '../errors.js';
import type { BulkInfo, ExtendedInfo, ItemDownloadInfo, MediaKind, RemoteItem, RemotePage } from './types.js';

/** Keys of the per-item extension object (the row's last element). */
const ext = {
  video: '76647426',
  live: '146008172',
  favorite: '163238866',
  geo: '129168200',
  caption: '396644657',
} as const;
const NOT_OWNED_FLAG = 27;

type Row = unknown[];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
function isMediaKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{20,}$/.test(value);
}

function extensionOf(row: Row): Record<string, unknown> {
  for (let i = row.length - 1; i >= 0; i--) if (isRecord(row[i])) return row[i] as Record<string, unknown>;
  return {};
}

/** One library row, as in `lcxiM`, `EzkLib`, album listings and `VrseUb[0]`. */
export function parseLibraryItem(row: unknown): RemoteItem {
  if (!Array.isArray(row) || !isMediaKey(row[0])) {
    throw new SiteChangedError('a library row starts with the mediaKey', JSON.stringify(row)?.slice(0, 80));
  }
  const takenMs = num(row[2]);
  if (takenMs === null) throw new SiteChangedError('a library row has the taken time at [2]', row[0]);
  const thumb = Array.isArray(row[1]) ? row[1] : [];
  const extension = extensionOf(row);
  const video = extension[ext.video];
  const kind: MediaKind = video !== undefined ? 'video' : extension[ext.live] !== undefined ? 'live' : 'photo';
  const favorite = Array.isArray(extension[ext.favorite]) && (extension[ext.favorite] as unknown[])[0] === true;
  const flags = Array.isArray(row[7]) ? row[7] : [];
  const captionEntry = extension[ext.caption];
  return {
    mediaKey: row[0],
    dedupKey: str(row[3]),
    takenMs,
    tzOffsetMs: num(row[4]) ?? 0,
    uploadedMs: num(row[5]),
    width: num(thumb[1]),
    height: num(thumb[2]),
    kind,
    videoDurationMs: Array.isArray(video) ? num(video[0]) : null,
    favorite,
    archived: row.length > 13 && row[13] === true,
    notOwned: flags.some((flag) => Array.isArray(flag) && flag[0] === NOT_OWNED_FLAG),
    hasGeo: extension[ext.geo] !== undefined && extension[ext.geo] !== null,
    caption: Array.isArray(captionEntry) ? str(captionEntry[0]) : str(captionEntry),
    sizeBytes: Array.isArray(thumb[9]) ? num(thumb[9][0]) : null,
  };
}

function parseRows(rows: unknown, what: string): RemoteItem[] {
  if (rows === null || rows === undefined) return [];
  if (!Array.isArray(rows)) throw new SiteChangedError(`${what} payload [0] is the list of items`);
  return rows.map(parseLibraryItem);
}

/** `lcxiM`: `[items, nextPageId, lastItemTimestamp]`. */
export function parseLibraryPage(payload: unknown): RemotePage {
  if (!Array.isArray(payload)) throw new SiteChangedError('lcxiM payload is an array');
  return { items: parseRows(payload[0], 'lcxiM'), nextPageId: str(payload[1]) || null };
}

/** `EzkLib`: `[items, nextPageId, …]`. */
export function parseUploadPage(payload: unknown): RemotePage {
  if (!Array.isArray(payload)) throw new SiteChangedError('EzkLib payload is an array');
  return { items: parseRows(payload[0], 'EzkLib'), nextPageId: str(payload[1]) || null };
}

/**
 * Reads field `index` of a JSPB-style array: low fields sit in the array, and the fields past
 * the last one set there are packed into a trailing object keyed by field number (index + 1).
 */
function jspbField(row: Row, index: number): unknown {
  const last = row[row.length - 1];
  const packed = isRecord(last);
  if (index < row.length - (packed ? 1 : 0)) return row[index];
  return packed ? (last as Record<string, unknown>)[String(index + 1)] : undefined;
}

/** `VrseUb`: `[item, downloadUrl, …, [7] originalUrl, …, [10] description]` (JSPB-packed). */
export function parseItemDownload(payload: unknown): ItemDownloadInfo {
  if (!Array.isArray(payload)) throw new SiteChangedError('VrseUb payload is an array');
  return {
    item: parseLibraryItem(payload[0]),
    downloadUrl: str(payload[1]),
    originalUrl: str(jspbField(payload, 7)),
    description: str(jspbField(payload, 10)) || null,
  };
}

/** `fDcn4b`: `[[key, description, fileName, takenMs, tzOffsetMs, sizeBytes, width, height, …, [9] geo]]`. */
export function parseExtendedInfo(payload: unknown): ExtendedInfo {
  const info = Array.isArray(payload) ? payload[0] : null;
  if (!Array.isArray(info) || !isMediaKey(info[0])) throw new SiteChangedError('fDcn4b payload [0][0] is the mediaKey');
  const geo = Array.isArray(info[9]) && Array.isArray(info[9][0]) ? info[9][0] : null;
  const lat = geo ? num(geo[0]) : null;
  const lng = geo ? num(geo[1]) : null;
  return {
    mediaKey: info[0],
    description: str(info[1]) || null,
    fileName: str(info[2]),
    takenMs: num(info[3]),
    tzOffsetMs: num(info[4]),
    sizeBytes: num(info[5]),
    width: num(info[6]),
    height: num(info[7]),
    latitude: lat === null ? null : lat / 1e7,
    longitude: lng === null ? null : lng / 1e7,
  };
}

/** `EWgK9e`: `[[key, [null, null, "", fileName, null, null, takenMs, tz, uploadedMs, size, …]], …]`. */
export function parseBulkInfo(payload: unknown): BulkInfo[] {
  if (!Array.isArray(payload)) throw new SiteChangedError('EWgK9e payload is a list');
  return payload.map((entry) => {
    if (!Array.isArray(entry) || !isMediaKey(entry[0])) throw new SiteChangedError('EWgK9e rows start with the mediaKey');
    const fields = Array.isArray(entry[1]) ? entry[1] : [];
    return {
      mediaKey: entry[0],
      fileName: str(fields[3]),
      takenMs: num(fields[6]),
      tzOffsetMs: num(fields[7]),
      uploadedMs: num(fields[8]),
      sizeBytes: num(fields[9]),
    };
  });
}

/** `swbisb`: `[[[sha1Base64, [mediaKey, …]], …]]` → sha1 → item (absent hashes are unknown to Google). */
export function parseHashLookup(payload: unknown): Map<string, RemoteItem> {
  const found = new Map<string, RemoteItem>();
  const list = Array.isArray(payload) ? payload[0] : null;
  if (list === null || list === undefined) return found;
  if (!Array.isArray(list)) throw new SiteChangedError('swbisb payload [0] is a list of [hash, item]');
  for (const entry of list) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string') throw new SiteChangedError('swbisb rows are [hash, item]');
    if (Array.isArray(entry[1])) found.set(entry[0], parseLibraryItem(entry[1]));
  }
  return found;
}
