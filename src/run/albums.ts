// The sharing side of a sync run: the albums (own, and with --shared-albums those others
// share with the account) and partner sharing (--partner) after the library listing. The album
// list is cheap and read every run; an album's items are listed again only when its modified
// time (or count) changed.
// Items the account sees only through sharing (someone else's, in no library of the account)
// are queued for download like library items; the link folders are made after the downloads
// (src/run/links.ts).
import type { APIRequestContext } from 'playwright-core';
import { describeError, KeepError } from '../errors.js';
import { trashAlbumDir } from '../folder/album-folders.js';
import type { Logger } from '../log.js';
import type { AlbumItem, AlbumSummary, Person } from '../model/albums.js';
import { listAlbumItemsPage, listAlbumsPage, listPartnerPage } from '../site/album-calls.js';
import type { RpcCallerLike } from '../site/retry.js';
import { resolveShareLink } from '../site/share-link.js';
import {
  type AlbumRow,
  clearPartnerItems,
  countAlbumItems,
  countKnownPartnerKeys,
  forgetAlbum,
  getAlbumRow,
  getShareMeta,
  libraryDedupKeys,
  listAlbumRows,
  markAlbumOwn,
  markUnsharedGone,
  recordAlbumShare,
  recordAlbumSummary,
  recordForeignItems,
  recordPartnerItems,
  replaceAlbumItems,
  setShareMeta,
  ShareMeta,
} from '../store/albums.js';
import type { Db } from '../store/database.js';
import { guard, retryOf } from './view-pages.js';

/** Albums whose items are listed side by side (each listing is a chain of pages). */
const ALBUM_LISTINGS_AT_ONCE = 4;

export interface SharesParams {
  db: Db;
  outDir: string;
  client: RpcCallerLike;
  baseUrl: string;
  /** The browser's own HTTP client (its cookies): follows a shared album's link to its authKey. */
  request: Pick<APIRequestContext, 'get'>;
  logger: Logger;
  signal?: AbortSignal;
  /** Albums others share with the account, and the items in albums that are not the account's. */
  sharedAlbums: boolean;
  /** Items the partner shares with the account. */
  partner: boolean;
  /** List every partner item (a full rescan run); else stop at the first page the index knows. */
  fullPartner: boolean;
  nowMs?: () => number;
  /** New items to download were queued. */
  onQueued?: (count: number) => void;
}

export interface SharesOutcome {
  albums: number;
  /** Albums whose items were listed this run (new or changed in Google). */
  albumsListed: number;
  /** Albums Google no longer shows: their link folders went to the trash. */
  albumsGone: string[];
  albumsComplete: boolean;
  /** Items of others queued for download this run (shared albums and partner). */
  queued: number;
  partnerItems: number;
}

/** Albums and partner sharing, after the library listing (an album item maps to a library item by its dedupKey). */
export async function syncShares(params: SharesParams): Promise<SharesOutcome> {
  const outcome: SharesOutcome = { albums: 0, albumsListed: 0, albumsGone: [], albumsComplete: false, queued: 0, partnerItems: 0 };
  await Promise.all([
    guard(params, 'albums', () => syncAlbums(params, outcome)),
    params.partner ? guard(params, 'partner sharing', () => syncPartner(params, outcome)) : Promise.resolve(),
  ]);
  return outcome;
}

// ---- albums ---------------------------------------------------------------------------------

async function syncAlbums(params: SharesParams, outcome: SharesOutcome): Promise<void> {
  const { db } = params;
  const now = params.nowMs ?? Date.now;
  const summaries: AlbumSummary[] = [];
  let pageId: string | null = null;
  do {
    if (params.signal?.aborted) return;
    const page = await listAlbumsPage(params.client, params.baseUrl, pageId, retryOf(params, 'listing albums'));
    summaries.push(...page.albums);
    pageId = page.nextPageId;
  } while (pageId);

  // An album that is not shared can only be the account's own: its owner is the account.
  let me = getShareMeta(db, ShareMeta.myActor);
  const unshared = summaries.find((a) => !a.shared && a.ownerActor);
  if (!me && unshared) setShareMeta(db, ShareMeta.myActor, (me = unshared.ownerActor!));

  const wanted: AlbumSummary[] = [];
  for (const album of summaries) {
    const own = !album.shared || (me !== null && album.ownerActor === me) || getAlbumRow(db, album.albumKey)?.own === 1;
    if (!own && !params.sharedAlbums) continue;
    recordAlbumSummary(db, album, own, now());
    wanted.push(album);
  }
  outcome.albums = wanted.length;

  const changed = wanted.filter((album) => {
    const row = getAlbumRow(db, album.albumKey)!;
    return row.modified_ms === null || album.modifiedMs === null || row.modified_ms !== album.modifiedMs || (album.itemCount !== null && countAlbumItems(db, album.albumKey) !== album.itemCount);
  });
  let complete = true;
  const queue = [...changed];
  await Promise.all(
    Array.from({ length: ALBUM_LISTINGS_AT_ONCE }, async () => {
      for (let album = queue.shift(); album; album = queue.shift()) {
        if (params.signal?.aborted) {
          complete = false;
          return;
        }
        try {
          if (await listAlbum(params, album, outcome)) outcome.albumsListed++;
          else complete = false;
        } catch (error) {
          if (error instanceof KeepError && error.stopsRun && error.outcome !== 'SiteChanged') throw error;
          complete = false;
          params.logger.warn(`album "${album.title}": its items could not be listed (${describeError(error)}); tried again next run`);
        }
      }
    }),
  );

  // Albums Google no longer shows (or shared ones the run no longer wants): their folders of links go to the trash.
  const shown = new Set(wanted.map((a) => a.albumKey));
  for (const row of listAlbumRows(db)) {
    if (shown.has(row.album_key)) continue;
    const movedTo = await trashAlbumDir(db, params.outDir, row, now());
    forgetAlbum(db, row.album_key);
    outcome.albumsGone.push(row.title);
    params.logger.info(`album "${row.title}" is no longer in Google Photos${movedTo ? `: its folder of links moved to ${movedTo}` : ''}`);
  }
  outcome.albumsComplete = complete;
  // Someone else's items that no album shows any more are gone for the account (files stay unless --prune).
  if (complete && params.sharedAlbums) markUnsharedGone(db, 'shared', now());
}

/** The authKey someone else's album needs: known, or found by following its link. */
async function authKeyOf(params: SharesParams, row: AlbumRow): Promise<string | null> {
  if (row.auth_key) return row.auth_key;
  if (!row.link_url) return null;
  const target = await resolveShareLink(params.request, row.link_url, params.baseUrl);
  if (!target) return null;
  recordAlbumShare(params.db, row.album_key, target.shareId, target.authKey);
  return target.authKey;
}

/** Lists one album's items completely and records them; false when it could not be read. */
async function listAlbum(params: SharesParams, album: AlbumSummary, outcome: SharesOutcome): Promise<boolean> {
  const { db } = params;
  const row = getAlbumRow(db, album.albumKey)!;
  const authKey = row.own === 1 ? null : await authKeyOf(params, row);
  if (row.own !== 1 && !authKey) {
    params.logger.warn(`album "${album.title}" is shared with you, but its link does not lead to it (turned off?); skipped`);
    return false;
  }
  const items: AlbumItem[] = [];
  const people = new Map<string, string>();
  let owner: Person | null = null;
  let modifiedMs = album.modifiedMs;
  let pageId: string | null = null;
  do {
    if (params.signal?.aborted) return false;
    const page = await listAlbumItemsPage(params.client, params.baseUrl, album.albumKey, pageId, authKey, retryOf(params, `album "${album.title}"`));
    items.push(...page.items);
    if (page.meta) {
      owner = page.meta.owner ?? owner;
      modifiedMs = page.meta.modifiedMs ?? modifiedMs;
      for (const person of [page.meta.owner, ...page.meta.members]) if (person?.name) people.set(person.actor, person.name);
      if (page.meta.me && !getShareMeta(db, ShareMeta.myActor)) setShareMeta(db, ShareMeta.myActor, page.meta.me.actor);
      // Own shared albums carry their authKey too; an album whose owner is the account is its own.
      if (page.meta.me && page.meta.owner && page.meta.me.actor === page.meta.owner.actor && row.own !== 1) markAlbumOwn(db, album.albumKey);
    }
    pageId = page.nextPageId;
  } while (pageId);
  const me = getShareMeta(db, ShareMeta.myActor);
  const own = getAlbumRow(db, album.albumKey)!.own === 1;
  replaceAlbumItems(db, { albumKey: album.albumKey, items, modifiedMs: album.modifiedMs ?? modifiedMs, ownerName: own ? null : (owner?.name ?? owner?.actor ?? null) });

  if (params.sharedAlbums) {
    // Items in no library of the account: someone else's, downloaded through this album's viewer.
    const inLibrary = libraryDedupKeys(db, items.map((i) => i.dedupKey).filter((k): k is string => k !== null));
    const foreign = items.filter((i) => i.dedupKey !== null && !inLibrary.has(i.dedupKey) && (i.ownerActor === null ? !own : i.ownerActor !== me));
    if (foreign.length > 0) {
      const queued = recordForeignItems(db, foreign.map((item) => ({ item: { ...item, archived: false, favorite: false }, owner: item.ownerActor ? (people.get(item.ownerActor) ?? item.ownerActor) : null })), 'shared', (params.nowMs ?? Date.now)());
      outcome.queued += queued.length;
      if (queued.length > 0) params.onQueued?.(queued.length);
    }
  }
  return true;
}

// ---- partner sharing ----------------------------------------------------------------------------

async function syncPartner(params: SharesParams, outcome: SharesOutcome): Promise<void> {
  const { db } = params;
  const now = params.nowMs ?? Date.now;
  let partnerActor = getShareMeta(db, ShareMeta.partnerActor);
  let gaiaId = getShareMeta(db, ShareMeta.partnerGaia);
  const items: AlbumItem[] = [];
  const people = new Map<string, string>();
  let pageId: string | null = null;
  let complete = false;
  let first = true;
  for (;;) {
    if (params.signal?.aborted) break;
    // The first page asks for "my partner" with the ids unset; later pages name who the answer named.
    const page = await listPartnerPage(params.client, params.baseUrl, { pageId, partnerActor: first ? null : partnerActor, gaiaId: first ? null : gaiaId }, retryOf(params, 'partner sharing'));
    first = false;
    if (page.partnerActor) partnerActor = page.partnerActor;
    if (page.gaiaId) gaiaId = page.gaiaId;
    for (const person of page.members) if (person.name) people.set(person.actor, person.name);
    const known = countKnownPartnerKeys(db, page.items.map((i) => i.mediaKey));
    items.push(...page.items);
    pageId = page.nextPageId;
    if (!pageId) {
      complete = true;
      break;
    }
    // A nightly run stops at the first page the index already holds whole (newest taken first).
    if (!params.fullPartner && page.items.length > 0 && known === page.items.length) break;
  }
  if (complete && items.length === 0 && !partnerActor) {
    clearPartnerItems(db);
    return;
  }
  if (partnerActor) setShareMeta(db, ShareMeta.partnerActor, partnerActor);
  if (gaiaId) setShareMeta(db, ShareMeta.partnerGaia, gaiaId);
  recordPartnerItems(db, items, complete, now());
  outcome.partnerItems = items.length;
  const inLibrary = libraryDedupKeys(db, items.map((i) => i.dedupKey).filter((k): k is string => k !== null));
  const foreign = items.filter((i) => i.dedupKey !== null && !inLibrary.has(i.dedupKey));
  const name = partnerActor ? (people.get(partnerActor) ?? partnerActor) : null;
  const queued = recordForeignItems(db, foreign.map((item) => ({ item: { ...item, archived: false, favorite: false }, owner: name })), 'partner', now());
  outcome.queued += queued.length;
  if (queued.length > 0) params.onQueued?.(queued.length);
  if (complete) markUnsharedGone(db, 'partner', now());
}
