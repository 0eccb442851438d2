// Parsers for the RPC payloads (shapes from real captures). They accept missing optional
// fields, and throw SiteChangedError only when a fact the program relies on is gone.
import { SiteChangedError } from '../errors.js';
import type { BulkInfo, ExtendedInfo, ItemDownloadInfo, MediaKind, RemoteItem, RemotePage } from '../model/remote-item.js';

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

/** A library item row (facts page "A library item"), as in `lcxiM`, `EzkLib`, album listings and `VrseUb[0]`. */
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
    location: rowLocation(extension[ext.geo]),
    caption: Array.isArray(captionEntry) ? str(captionEntry[0]) : str(captionEntry),
    sizeBytes: Array.isArray(thumb[9]) ? num(thumb[9][0]) : null,
  };
}

/**
 * The geo extension `129168200` of a row: `[_, [[latE7, lngE7], …]]` with a place, `[[], [null, …]]`
 * without one (lcxiM.json). Undefined when the row carries no extension, or one of another shape:
 * then the row does not tell.
 */
function rowLocation(geo: unknown): RemoteItem['location'] {
  if (!Array.isArray(geo) || geo.length < 2 || !Array.isArray(geo[1])) return undefined;
  const pair = geoPair(geo[1]);
  if (pair) return { latitude: pair[0] / 1e7, longitude: pair[1] / 1e7 };
  return geo[1][0] === null || geo[1][0] === undefined ? null : undefined;
}

function parseRows(rows: unknown, what: string): RemoteItem[] {
  if (rows === null || rows === undefined) return [];
  if (!Array.isArray(rows)) throw new SiteChangedError(`${what} payload [0] is the list of items`);
  return rows.map(parseLibraryItem);
}

/** Row `lcxiM`: answer `[items, nextPageId, lastItemTimestamp]`. */
export function parseLibraryPage(payload: unknown): RemotePage {
  if (!Array.isArray(payload)) throw new SiteChangedError('lcxiM payload is an array');
  return { items: parseRows(payload[0], 'lcxiM'), nextPageId: str(payload[1]) || null };
}

/** Row `EzkLib`: answer `[items, nextPageId, …]`. */
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

/** Row `VrseUb`: answer `[0]` item row, `[1]` downloadUrl, `[7]` downloadOriginalUrl, `[10]` description (JSPB: high fields may sit in a trailing object). */
export function parseItemDownload(payload: unknown): ItemDownloadInfo {
  if (!Array.isArray(payload)) throw new SiteChangedError('VrseUb payload is an array');
  return {
    item: parseLibraryItem(payload[0]),
    downloadUrl: str(payload[1]),
    originalUrl: str(jspbField(payload, 7)),
    description: str(jspbField(payload, 10)) || null,
  };
}

/** Row `fDcn4b`: answer `[0]` = `[key, description, fileName, takenMs, tzOffsetMs, sizeBytes, width, height, …]`, geo (e7) at `[0][9][0]` or `[0][13][0]`, dedupKey `[0][11]`. */
export function parseExtendedInfo(payload: unknown): ExtendedInfo {
  const info = Array.isArray(payload) ? payload[0] : null;
  if (!Array.isArray(info) || !isMediaKey(info[0])) throw new SiteChangedError('fDcn4b payload [0][0] is the mediaKey');
  const geo = geoPair(info[9]) ?? geoPair(info[13]);
  return {
    mediaKey: info[0],
    description: str(info[1]) || null,
    fileName: str(info[2]),
    takenMs: num(info[3]),
    tzOffsetMs: num(info[4]),
    sizeBytes: num(info[5]),
    width: num(info[6]),
    height: num(info[7]),
    latitude: geo ? geo[0] / 1e7 : null,
    longitude: geo ? geo[1] / 1e7 : null,
  };
}

/** `[[latE7, lngE7], …]` → the pair, or null when absent or not numbers. */
function geoPair(block: unknown): [number, number] | null {
  const pair = Array.isArray(block) && Array.isArray(block[0]) ? block[0] : null;
  const lat = pair ? num(pair[0]) : null;
  const lng = pair ? num(pair[1]) : null;
  return lat === null || lng === null ? null : [lat, lng];
}

/** Row `EWgK9e`: the rows sit at answer `[0][1]`; none there (no known key) is an empty list. */
export function parseBulkInfo(payload: unknown): BulkInfo[] {
  if (!Array.isArray(payload)) throw new SiteChangedError('EWgK9e payload is a list');
  const head = payload[0];
  if (head === null || head === undefined) return [];
  if (!Array.isArray(head)) throw new SiteChangedError('EWgK9e payload [0] is a list holding the rows at [1]');
  return parseBulkInfoRows(head[1]);
}

/** `EWgK9e` rows (answer `[0][1]`, what `EWgK9e.json` holds): `[key, [null, null, description, fileName, null, null, takenMs, tz, uploadedMs, sizeBytes, …]]`. */
export function parseBulkInfoRows(rows: unknown): BulkInfo[] {
  if (rows === null || rows === undefined) return [];
  if (!Array.isArray(rows)) throw new SiteChangedError('EWgK9e payload [0][1] is the list of rows');
  return rows.map((entry) => {
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

/** Row `swbisb`: answer `[[ [hash, [key, …]], … ]]` → sha1 → item (only known hashes come back). */
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
