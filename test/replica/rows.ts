// RPC payloads, shaped element for element like the real captures in test/fixtures/real-captures.
import type { Library, ReplicaItem } from './library.js';

export interface RowContext {
  lib: Library;
  /** Account id as the captures show it ("AF1Qip…" owner key) and the numeric gaia-ish id. */
  ownerKey: string;
  ownerId: string;
  thumbUrl(item: ReplicaItem): string;
  /** null while a video is processing. */
  downloadUrl(item: ReplicaItem, variant: 'main' | 'original'): string | null;
}

/** Server build number seen at [14] of rows (the capture has 51477…53246). */
export const ROW_VERSION = 53578;

/** A person as actor blocks show one: actor key ("AF1Qip…"), numeric gaia id, display name. */
export interface Actor {
  actorKey: string;
  gaiaId: string;
  name: string;
}

/**
 * How VrseUb/fDcn4b show an item reached some other way than by its library key: the key asked
 * (an album-scoped key), its owner when that is someone else, where it came from (fDcn4b
 * `[0][27][0]`: 3 shared, 4 partner-shared) and the albums holding it (fDcn4b `[0][19]`).
 */
export interface ItemView {
  key?: string;
  owner?: Actor;
  source?: 3 | 4;
  albums?: unknown[];
}

// Flag lists exactly as in lcxiM.json: photos carry 15 entries, videos 12.
const PHOTO_FLAGS = (): unknown[] => [[1], [2], [3], [4], [8], [21], [14], [15], [17], [18], [19], [22], [28, false, true], [29, false, true], [35, false, true]];
const VIDEO_FLAGS = (): unknown[] => [[1], [2], [3], [8], [21], [14], [15], [19], [22], [28, false, true], [29, false, true], [35, false, true]];
// VrseUb/fDcn4b list (owner's view of a video in the capture).
const INFO_FLAGS = (): unknown[] => [[1], [2], [3], [8], [21], [14], [19], [22], [27, false, true], [28, false, true], [29, false, true], [35, false, true]];

const e7 = (deg: number): number => Math.round(deg * 1e7);

function isVideo(item: ReplicaItem): boolean {
  return item.kind === 'video';
}

/**
 * 76647426 (video). Listing flavour (lcxiM, long; EzkLib, short) and the VrseUb flavour, which
 * has null at [6] and the encoded formats (itag, w, h) at [7], as in VrseUb.json.
 */
export function videoExt(ctx: RowContext, item: ReplicaItem, flavour: 'long' | 'short' | 'info'): unknown[] {
  // [5] = 4 for every ready video in the captures; the replica uses 1 while processing (not captured: a guess).
  const status = item.processing ? 1 : 4;
  const { width: w, height: h } = item;
  const formats = [[37, w, h], [22, Math.round((w * 8) / 9), Math.round((h * 8) / 9)], [18, Math.round((w * 4) / 9), Math.round((h * 4) / 9)]];
  const base: unknown[] = [item.durationMs, null, w, h, null, status, flavour === 'info' ? null : 134, flavour === 'info' ? formats : null, [[1, null, w, h]], false];
  if (flavour !== 'short') base.push(null, null, null, [ctx.thumbUrl(item)]);
  return base;
}

/** 129168200 as in lcxiM.json: present on every row; empty when Google knows no location. */
function geoExt(item: ReplicaItem): unknown[] {
  if (!item.location) return [[], [null, null, null, false]];
  return [
    [null, null, null, null, null, 1],
    [[e7(item.location.lat), e7(item.location.lng)], null, null, false, [[null, [['Replica place', null, 1, false, false]], '0x0:0x0']], 3],
  ];
}

/** 146008172 (live/motion photo): not in any capture; the replica's guess is [1, [durationMs]]. */
export function liveExt(item: ReplicaItem): unknown[] {
  return [1, [item.durationMs]];
}

/** `[1]` of a row; `[9]` = [listed size], left off when the size is not listed (as on 26 of the 500 lcxiM capture rows). */
function thumbBlock(ctx: RowContext, item: ReplicaItem): unknown[] {
  const block: unknown[] = [ctx.thumbUrl(item), item.width, item.height, null, null, null, null, null, [null, null, 1]];
  const size = ctx.lib.listedSize(item);
  if (size !== null) block.push([size]);
  return block;
}

/** A library row (lcxiM; EzkLib adds the owner at [6] and 525000002, and drops 129168200 as its capture does). */
export function libraryRow(ctx: RowContext, item: ReplicaItem, flavour: 'lcxiM' | 'EzkLib'): unknown[] {
  const ext: Record<string, unknown> = {};
  if (isVideo(item)) ext['76647426'] = videoExt(ctx, item, flavour === 'lcxiM' ? 'long' : 'short');
  if (flavour === 'lcxiM') ext['129168200'] = geoExt(item);
  if (item.kind === 'live') ext['146008172'] = liveExt(item);
  ext['163238866'] = [item.favorite];
  if (item.description) ext['396644657'] = [item.description];
  if (flavour === 'EzkLib') ext['525000002'] = [[ctx.ownerKey]];
  return [
    item.mediaKey,
    thumbBlock(ctx, item),
    item.takenMs,
    item.dedupKey,
    item.tzOffsetMs,
    item.uploadedMs,
    flavour === 'EzkLib' ? [ctx.ownerKey] : null,
    isVideo(item) ? VIDEO_FLAGS() : PHOTO_FLAGS(),
    2,
    null,
    null,
    null,
    null,
    item.archived,
    ROW_VERSION,
    ext,
  ];
}

/** An actor block as in VrseUb.json `[3]` and snAcKc meta `[5]`; the account's own without `who`. */
export function actorBlock(ctx: RowContext, who?: Actor): unknown[] {
  const a = who ?? { actorKey: ctx.ownerKey, gaiaId: ctx.ownerId, name: 'Keeper' };
  return [a.actorKey, a.gaiaId, null, null, null, [a.actorKey, a.gaiaId], null, null, null, null, null, [a.name, 1, 'other', a.name], [ctx.thumbUrl({ mediaKey: a.actorKey } as ReplicaItem)], null, null, null, null, [2]];
}

function ownerBlock(ctx: RowContext, who?: Actor): unknown[] {
  return actorBlock(ctx, who);
}

/**
 * VrseUb, JSPB-style like VrseUb.json: array fields up to the last one set below the pivot,
 * then an object for the high fields. Not edited: [item, url, flags, owner, {"11": description, "13": thumb, …}].
 * Edited: [item, url, flags, owner, null, null, null, originalUrl, {…}] ([7] = download original).
 * The description therefore sits under key "11" (field 11 = index 10), as in the capture.
 */
export function vrseUb(ctx: RowContext, item: ReplicaItem, view: ItemView = {}): unknown[] {
  const ownerKey = view.owner?.actorKey ?? ctx.ownerKey;
  const ext: Record<string, unknown> = {};
  if (isVideo(item)) ext['76647426'] = videoExt(ctx, item, 'info');
  if (item.kind === 'live') ext['146008172'] = liveExt(item);
  ext['163238866'] = [item.favorite];
  ext['318563170'] = [[2, 0, 2, 0, null, 1]];
  if (item.description) ext['396644657'] = [item.description];
  // In the trash: the trashed time (facts page: VrseUb [0][15]["225032867"][0]).
  if (item.trashedMs !== null) ext['225032867'] = [item.trashedMs];
  ext['525000000'] = [[1]];
  ext['525000002'] = [[ownerKey]];
  const row: unknown[] = [view.key ?? item.mediaKey, [ctx.thumbUrl(item), item.width, item.height], item.takenMs, item.dedupKey, item.tzOffsetMs, item.uploadedMs, [ownerKey], INFO_FLAGS(), 2, null, null, null, null, item.archived, ROW_VERSION, ext];
  const out: unknown[] = [row, ctx.downloadUrl(item, 'main'), INFO_FLAGS(), ownerBlock(ctx, view.owner)];
  const original = item.edited ? ctx.downloadUrl(item, 'original') : null;
  if (original) out.push(null, null, null, original);
  out.push({ '11': item.description, '13': ctx.thumbUrl(item), '155147258': [null, false] });
  return out;
}

/** fDcn4b, like fDcn4b.json: [[key, description, fileName, takenMs, tz, size, w, h, null, geo, …]]. */
export function fDcn4b(ctx: RowContext, item: ReplicaItem, view: ItemView = {}): unknown[] {
  const geo = item.location ? [[e7(item.location.lat), e7(item.location.lng)], false, null, 2] : null;
  const geo2 = item.location ? [[e7(item.location.lat), e7(item.location.lng)], false, [[null, [['Replica place', null, 1, false, false]], '0x0:0x0']]] : null;
  return [
    [
      view.key ?? item.mediaKey,
      item.description,
      item.fileName,
      item.takenMs,
      item.tzOffsetMs,
      ctx.lib.listedSize(item),
      item.width,
      item.height,
      null,
      geo,
      null,
      item.dedupKey,
      INFO_FLAGS(),
      geo2,
      2,
      null,
      null,
      null,
      null,
      view.albums ?? [],
      [],
      null,
      null,
      null,
      null,
      null,
      null,
      [view.source ?? 1, [null, null, 1]],
      ownerBlock(ctx, view.owner),
      2,
      [2, 0, 2, 0, null, 1],
      '',
      [],
    ],
  ];
}

/** One EWgK9e entry, like EWgK9e.json. */
export function bulkInfoEntry(ctx: RowContext, item: ReplicaItem): unknown[] {
  const info: unknown[] = [null, null, item.description, item.fileName, null, null, item.takenMs, item.tzOffsetMs, item.uploadedMs, ctx.lib.listedSize(item), 100];
  while (info.length < 18) info.push(null);
  info.push(2, null, null, null, null, 1, null, ROW_VERSION);
  while (info.length < 34) info.push(null);
  info.push([2, 0, 2, 0, null, 1]);
  return [item.mediaKey, info, null, null, null, [item.mediaKey, [ctx.ownerId, null, ctx.ownerId]]];
}

/** One swbisb hit, like swbisb.json: [hash, [key, [thumb, w, h, …, [w, h, 1, null, [owner, camera, …, orientation]]], taken, dedup, tz, upload, null, null, 2, …, version]]. */
export function hashHit(ctx: RowContext, hash: string, item: ReplicaItem): unknown[] {
  return [
    hash,
    [
      item.mediaKey,
      [ctx.thumbUrl(item), item.width, item.height, null, null, null, null, null, [item.width, item.height, 1, null, ['Keeper', 'Camera', null, null, null, null, null, null, 1]]],
      item.takenMs,
      item.dedupKey,
      item.tzOffsetMs,
      item.uploadedMs,
      null,
      null,
      2,
      null,
      null,
      null,
      null,
      null,
      ROW_VERSION,
    ],
  ];
}
