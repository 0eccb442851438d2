// Payloads of the album, partner and trash RPCs (Z5xsfc, snAcKc, e9T5je, zy0IHe) and the album
// entries of fDcn4b [0][19], shaped element for element like Z5xsfc.json, snAcKc.json and
// fDcn4b.json; e9T5je and zy0IHe have no capture and follow the facts page's paths.
import type { AlbumEntry, Albums, Person, ReplicaAlbum } from './albums.js';
import type { ReplicaItem } from './library.js';
import { ROW_VERSION, actorBlock, libraryRow, liveExt, videoExt, type RowContext } from './rows.js';
import { prng, randomB64url, seedOf } from './util.js';

/** An album holds at most 20,000 items; the captures give the room left (`72930366[6]`, snAcKc meta [25]). */
const ALBUM_LIMIT = 20_000;

// Flag lists exactly as in Z5xsfc.json (own album, shared album) and snAcKc.json (album items).
const OWN_ALBUM_FLAGS = (): unknown[] => [[3], [4], [5], [6], [8], [21], [10], [11], [13], [12], [16], [19], [22], [23], [34, false, true]];
const SHARED_ALBUM_FLAGS = (): unknown[] => [[9], [3], [4], [31, false, true], [36, false, true], [8], [21], [11], [16], [23], [24, false, true], [25, false, true], [32, false, true], [33, false, true]];
const ALBUM_PHOTO_FLAGS = (): unknown[] => [[1], [2], [3], [4], [8], [21], [14], [17], [18], [19], [22], [27, false, true], [28, false, true], [29, false, true], [35, false, true]];
const ALBUM_VIDEO_FLAGS = (): unknown[] => [[1], [2], [3], [8], [21], [14], [19], [22], [27, false, true], [28, false, true], [29, false, true], [35, false, true]];
/** A partner's item not saved to the account's library: `[7][3]` = [20] (GPTK reads "saved" as `[7][3][0] !== 20`), 27 = not owned. */
const PARTNER_FLAGS = (): unknown[] => [[1], [2], [3], [20], [8], [21], [14], [19], [22], [27, false, true], [28, false, true], [29, false, true], [35, false, true]];

export interface AlbumContext extends RowContext {
  albums: Albums;
  /** The short link an album's row names (`72930366[10]`). */
  linkUrl(album: ReplicaAlbum): string;
  /** The album's own URL (snAcKc meta [3]). */
  albumUrl(album: ReplicaAlbum): string;
}

/** The person owning an item: the account, or someone else by name. */
export function ownerOf(ctx: AlbumContext, item: ReplicaItem): Person {
  return item.owner === null ? ctx.albums.me : ctx.albums.person(item.owner);
}

/** `[1]` of a row in album contexts: with `[9]` = [listed size] for photos, none for videos (as in snAcKc.json and Z5xsfc.json). */
function albumThumb(ctx: RowContext, item: ReplicaItem, long: boolean): unknown[] {
  const size = item.kind === 'video' ? null : ctx.lib.listedSize(item);
  if (!long) return size === null ? [ctx.thumbUrl(item), item.width, item.height] : [ctx.thumbUrl(item), item.width, item.height, null, null, null, null, null, null, [size]];
  const block: unknown[] = [ctx.thumbUrl(item), item.width, item.height, null, null, null, null, null, [null, null, 1]];
  if (size !== null) block.push([size]);
  return block;
}

/** `72930366[2]`: [firstTaken, lastTaken, null, null, created, [firstTaken, tz], [lastTaken, tz], lastActivity, created, modified]; [7] and [8] only on shared albums. */
function albumTimes(ctx: AlbumContext, album: ReplicaAlbum): unknown[] {
  const shown = ctx.albums.visible(album);
  const byTaken = [...shown].sort((a, b) => a.item.takenMs - b.item.takenMs);
  const first = byTaken[0]?.item;
  const last = byTaken[byTaken.length - 1]?.item;
  return [
    first ? first.takenMs : null,
    last ? last.takenMs : null,
    null,
    null,
    album.createdMs,
    first ? [first.takenMs, first.tzOffsetMs] : null,
    last ? [last.takenMs, last.tzOffsetMs] : null,
    album.shared ? album.modifiedMs : null,
    album.shared ? album.createdMs : null,
    album.modifiedMs,
  ];
}

/** A 28-character token shared album rows carry at `72930366[5]` (meaning unknown; not the authKey). */
function rowToken(album: ReplicaAlbum): string {
  return randomB64url(prng(seedOf(album.albumKey, 'row-token')), 28);
}

/** The object under "72930366": [kind (1 own, 4 shared), title, times, itemCount, isShared, …]. */
function albumInfo(ctx: AlbumContext, album: ReplicaAlbum): unknown[] {
  const count = ctx.albums.visible(album).length;
  if (!album.shared) return [1, album.title, albumTimes(ctx, album), count, null, null, [ALBUM_LIMIT - count]];
  return [
    4,
    album.title,
    albumTimes(ctx, album),
    count,
    true,
    rowToken(album),
    [ALBUM_LIMIT - count],
    [true, true, [[1, 1], [2, 1], [1, 2], [2, 2], [3, 1]], [1]],
    album.shareId,
    null,
    ctx.linkUrl(album),
  ];
}

/** The cover: the first item in album order; none for an empty album. */
function cover(ctx: AlbumContext, album: ReplicaAlbum): ReplicaItem | null {
  return ctx.albums.visible(album)[0]?.item ?? null;
}

/** One Z5xsfc row: own albums 9 elements, shared ones 12 (as Z5xsfc.json). */
export function albumRow(ctx: AlbumContext, album: ReplicaAlbum): unknown[] {
  const c = cover(ctx, album);
  const head: unknown[] = [album.albumKey, c ? albumThumb(ctx, c, false) : null, null, null, null, null, [album.owner.actorKey]];
  if (!album.shared) return [...head, OWN_ALBUM_FLAGS(), { '72930366': albumInfo(ctx, album) }];
  return [...head, SHARED_ALBUM_FLAGS(), null, null, [null, null, null, null, null, [null, 10]], { '72930366': albumInfo(ctx, album) }];
}

/** One album as fDcn4b lists it at [0][19] (fDcn4b.json): [albumKey, cover, {"7": [], "72930366": …}]. */
export function itemAlbumEntry(ctx: AlbumContext, album: ReplicaAlbum): unknown[] {
  const c = cover(ctx, album);
  return [album.albumKey, c ? albumThumb(ctx, c, false) : null, { '7': [], '72930366': albumInfo(ctx, album) }];
}

/** An item inside an album (snAcKc.json): 10 elements, the album-scoped key first, "15" = row version, 525000002 = the album. */
export function albumItemRow(ctx: AlbumContext, album: ReplicaAlbum, entry: AlbumEntry): unknown[] {
  const item = entry.item;
  const ext: Record<string, unknown> = { '15': ROW_VERSION };
  if (item.kind === 'video') ext['76647426'] = videoExt(ctx, item, 'long');
  const r = prng(seedOf(entry.key, 'album-item'));
  ext['101428965'] = [-Math.floor(r() * 2 ** 31), 'vd' + randomB64url(r, 6).toLowerCase()];
  if (item.kind === 'live') ext['146008172'] = liveExt(item);
  ext['525000002'] = [[album.albumKey]];
  return [
    entry.key,
    albumThumb(ctx, item, true),
    item.takenMs,
    item.dedupKey,
    item.tzOffsetMs,
    item.uploadedMs,
    [ownerOf(ctx, item).actorKey],
    item.kind === 'video' ? ALBUM_VIDEO_FLAGS() : ALBUM_PHOTO_FLAGS(),
    2,
    ext,
  ];
}

/** snAcKc's meta ([3] of the answer, 35 elements as snAcKc.json). */
export function albumMeta(ctx: AlbumContext, album: ReplicaAlbum): unknown[] {
  const count = ctx.albums.visible(album).length;
  const c = cover(ctx, album);
  const owner = actorBlock(ctx, album.owner);
  const members = [album.owner, ...(album.own ? [] : [ctx.albums.me]), ...album.members].map((p) => actorBlock(ctx, p));
  const me = ctx.albums.me;
  return [
    album.albumKey,
    album.title,
    albumTimes(ctx, album),
    ctx.albumUrl(album),
    c ? [ctx.thumbUrl(c), c.width, c.height, null, null, null, null, null, [c.width, c.height, 1]] : null,
    owner,
    album.shared ? SHARED_ALBUM_FLAGS() : OWN_ALBUM_FLAGS(),
    null,
    null,
    members,
    null,
    null,
    album.albumKey,
    null,
    false,
    null,
    false,
    0,
    null,
    album.authKey,
    null,
    count,
    null,
    null,
    null,
    [ALBUM_LIMIT - count],
    0,
    [[me.actorKey, me.gaiaId], null, null, [me.name, 1, 'other', me.name], null, null, null, null, null, null, null, [ctx.thumbUrl({ mediaKey: me.actorKey } as ReplicaItem)]],
    null,
    null,
    [1, false],
    1,
    null,
    null,
    1,
  ];
}

/**
 * snAcKc: [null, items, nextPageId, meta, null, 0]; the last page's nextPageId is "" (as
 * snAcKc.json, whose album is complete); an empty album's items are unset (null, JSPB).
 */
export function albumPage(ctx: AlbumContext, album: ReplicaAlbum, entries: AlbumEntry[], next: string | null): unknown[] {
  return [null, entries.length ? entries.map((e) => albumItemRow(ctx, album, e)) : null, next ?? '', albumMeta(ctx, album), null, 0];
}

/** Z5xsfc: [albums, nextPageId, [1], [1]] (the capture's tail). */
export function albumsPage(ctx: AlbumContext, albums: ReplicaAlbum[], next: string | null): unknown[] {
  return [albums.length ? albums.map((a) => albumRow(ctx, a)) : null, next, [1], [1]];
}

/** A partner's item: a library row (lcxiM flavour) with the partner as owner and the "not saved, not owned" flags. */
export function partnerRow(ctx: AlbumContext, item: ReplicaItem): unknown[] {
  const row = libraryRow(ctx, item, 'lcxiM');
  row[6] = [ownerOf(ctx, item).actorKey];
  row[7] = PARTNER_FLAGS();
  return row;
}

/** e9T5je: [nextPageId, items, members, _, partnerActorId, gaiaId] (page id first); no items: unset (null). */
export function partnerPage(ctx: AlbumContext, partner: Person, items: ReplicaItem[], next: string | null): unknown[] {
  const me = ctx.albums.me;
  return [next, items.length ? items.map((i) => partnerRow(ctx, i)) : null, [actorBlock(ctx, me), actorBlock(ctx, partner)], null, partner.actorKey, me.gaiaId];
}

/** A trashed item: a library row with the trashed time in the extension (225032867, as VrseUb has it). */
export function trashRow(ctx: AlbumContext, item: ReplicaItem): unknown[] {
  const row = libraryRow(ctx, item, 'lcxiM');
  const ext = row[row.length - 1] as Record<string, unknown>;
  ext['225032867'] = [item.trashedMs];
  return row;
}

/** zy0IHe: [items, nextPageId]; an empty trash is `[]` (like an empty lcxiM page). */
export function trashPage(ctx: AlbumContext, items: ReplicaItem[], next: string | null): unknown[] {
  if (items.length === 0) return [];
  return [items.map((i) => trashRow(ctx, i)), next];
}
