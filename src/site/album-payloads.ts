// Parsers for the album, partner and trash answers (`Z5xsfc`, `snAcKc`, `e9T5je`, `zy0IHe`) and
// the albums `fDcn4b` lists at `[0][19]`. Shapes from Z5xsfc.json, snAcKc.json and fDcn4b.json;
// e9T5je and zy0IHe as the facts page gives them. Optional fields may be missing; only a fact
// the program relies on that is gone throws SiteChangedError.
import { SiteChangedError } from '../errors.js';
import type { AlbumItem, AlbumItemsPage, AlbumListPage, AlbumMeta, AlbumSummary, PartnerPage, Person, TrashPage, TrashedRemoteItem } from '../model/albums.js';
import { parseLibraryItem } from './payloads.js';

/** The album info object of an album row (its last element), keyed like this. */
const ALBUM_INFO = '72930366';
/** The trashed time in an item's extension object (facts page: VrseUb `[0][15]["225032867"][0]`). */
const TRASHED = '225032867';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
function isKey(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{20,}$/.test(value);
}
function list(value: unknown, what: string): unknown[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw new SiteChangedError(what);
  return value;
}
function lastRecord(row: unknown[]): Record<string, unknown> {
  for (let i = row.length - 1; i >= 0; i--) if (isRecord(row[i])) return row[i] as Record<string, unknown>;
  return {};
}

/**
 * An album as `Z5xsfc` rows and `fDcn4b [0][19]` entries show it: `[0]` albumKey, `[6][0]` owner
 * actor (rows only), last element `{"72930366": [_, title, [.. [4] created, [9] modified],
 * itemCount, isShared, …, [8] share id, …, [10] short link]}`.
 */
export function parseAlbumRow(row: unknown): AlbumSummary {
  if (!Array.isArray(row) || !isKey(row[0])) throw new SiteChangedError('an album row starts with the albumKey', JSON.stringify(row)?.slice(0, 80));
  const info = lastRecord(row)[ALBUM_INFO];
  if (!Array.isArray(info) || typeof info[1] !== 'string') throw new SiteChangedError(`an album row ends with {"${ALBUM_INFO}": [_, title, times, count, shared]}`, row[0]);
  const times = Array.isArray(info[2]) ? info[2] : [];
  const owner = Array.isArray(row[6]) ? str(row[6][0]) : null;
  const link = str(info[10]);
  return {
    albumKey: row[0],
    title: info[1],
    ownerActor: owner,
    shared: info[4] === true,
    itemCount: num(info[3]),
    createdMs: num(times[4]),
    modifiedMs: num(times[9]),
    shareId: isKey(info[8]) ? info[8] : null,
    linkUrl: link && /^https?:\/\//.test(link) ? link : null,
  };
}

/** Row `Z5xsfc`: answer `[albums, nextPageId, …]`; no albums: `[null, …]`. */
export function parseAlbumList(payload: unknown): AlbumListPage {
  if (!Array.isArray(payload)) throw new SiteChangedError('Z5xsfc payload is an array');
  return { albums: list(payload[0], 'Z5xsfc payload [0] is the list of albums').map(parseAlbumRow), nextPageId: str(payload[1]) };
}

/** An actor block: `[actor, gaiaId, …, [11] [name, …]]` (snAcKc meta [5], [9]), or the account's own `[[actor, gaiaId], _, _, [name, …]]` (meta [27]). */
export function parsePerson(block: unknown): Person | null {
  if (!Array.isArray(block)) return null;
  if (Array.isArray(block[0])) {
    const ids = block[0];
    if (typeof ids[0] !== 'string') return null;
    return { actor: ids[0], gaiaId: str(ids[1]), name: Array.isArray(block[3]) ? str(block[3][0]) : null };
  }
  if (typeof block[0] !== 'string') return null;
  return { actor: block[0], gaiaId: str(block[1]), name: Array.isArray(block[11]) ? str(block[11][0]) : null };
}

/** An album item: a library row with an album-scoped key; `[6][0]` its owner's actor id. */
export function parseAlbumItem(row: unknown): AlbumItem {
  const item = parseLibraryItem(row);
  const owner = Array.isArray(row) && Array.isArray(row[6]) ? str(row[6][0]) : null;
  return { ...item, ownerActor: owner };
}

/** snAcKc's meta: `[0]` albumKey, `[1]` title, `[2][9]` modified, `[5]` owner, `[9]` members, `[19]` authKey, `[21]` count, `[27]` the account. */
export function parseAlbumMeta(meta: unknown): AlbumMeta | null {
  if (!Array.isArray(meta) || !isKey(meta[0])) return null;
  const times = Array.isArray(meta[2]) ? meta[2] : [];
  return {
    albumKey: meta[0],
    title: typeof meta[1] === 'string' ? meta[1] : null,
    owner: parsePerson(meta[5]),
    me: parsePerson(meta[27]),
    members: (Array.isArray(meta[9]) ? meta[9] : []).map(parsePerson).filter((p): p is Person => p !== null),
    authKey: str(meta[19]),
    itemCount: num(meta[21]),
    modifiedMs: num(times[9]),
  };
}

/** Row `snAcKc`: answer `[_, items, nextPageId, meta]`; the last page's nextPageId is "" (or absent). */
export function parseAlbumItems(payload: unknown): AlbumItemsPage {
  if (!Array.isArray(payload)) throw new SiteChangedError('snAcKc payload is an array');
  return {
    items: list(payload[1], 'snAcKc payload [1] is the list of items').map(parseAlbumItem),
    nextPageId: str(payload[2]),
    meta: parseAlbumMeta(payload[3]),
  };
}

/** Row `e9T5je`: answer `[nextPageId, items, members, _, partnerActorId, gaiaId]`; no partner: `[]`. */
export function parsePartnerPage(payload: unknown): PartnerPage {
  if (!Array.isArray(payload)) throw new SiteChangedError('e9T5je payload is an array');
  return {
    nextPageId: str(payload[0]),
    items: list(payload[1], 'e9T5je payload [1] is the list of items').map(parseAlbumItem),
    members: list(payload[2], 'e9T5je payload [2] is the list of members').map(parsePerson).filter((p): p is Person => p !== null),
    partnerActor: str(payload[4]),
    gaiaId: str(payload[5]),
  };
}

/** A trashed item: a library row whose extension holds `225032867` = [trashedMs]. */
export function parseTrashedItem(row: unknown): TrashedRemoteItem {
  const item = parseLibraryItem(row);
  const entry = Array.isArray(row) ? lastRecord(row)[TRASHED] : undefined;
  return { ...item, trashedMs: Array.isArray(entry) ? num(entry[0]) : num(entry) };
}

/** Row `zy0IHe`: answer `[items, nextPageId]`; an empty trash: `[]`. */
export function parseTrashPage(payload: unknown): TrashPage {
  if (!Array.isArray(payload)) throw new SiteChangedError('zy0IHe payload is an array');
  return { items: list(payload[0], 'zy0IHe payload [0] is the list of items').map(parseTrashedItem), nextPageId: str(payload[1]) };
}

/** `fDcn4b [0][19]`: the albums holding the item, entries `[albumKey, cover, {"72930366": …}]` as in fDcn4b.json. */
export function parseItemAlbums(payload: unknown): AlbumSummary[] {
  const info = Array.isArray(payload) ? payload[0] : null;
  if (!Array.isArray(info)) throw new SiteChangedError('fDcn4b payload [0] is the item');
  return list(info[19], 'fDcn4b [0][19] is the list of albums holding the item').map(parseAlbumRow);
}
