// The album, sharing and trash RPCs as typed calls (rpc id + args + parser + back-off), and the
// per-item calls of calls.ts for an item seen in an album, a shared album or the partner's
// items (those need the album's authKey and key to be answered).
import type { AlbumItemsPage, AlbumListPage, ItemPlace, PartnerPage, TrashPage } from '../model/albums.js';
import type { ExtendedInfo, ItemDownloadInfo, RemotePage } from '../model/remote-item.js';
import { parseAlbumItems, parseAlbumList, parsePartnerPage, parseTrashPage } from './album-payloads.js';
import { fetchItemDownloadInfo, fetchItemInfo, listLibraryPage } from './calls.js';
import { parseExtendedInfo, parseItemDownload, parseUploadPage } from './payloads.js';
import { callWithRetry, type RpcCallerLike, type RpcRetryOptions } from './retry.js';
import { args, rpc } from './rpcids.js';
import { albumUrl, libraryUrl, placeUrl } from './urls.js';

function pathOf(url: string): string {
  return new URL(url).pathname;
}

/** One page of the account's albums, own and shared, most recently modified first (`Z5xsfc`). */
export async function listAlbumsPage(client: RpcCallerLike, baseUrl: string, pageId: string | null, retry: RpcRetryOptions = {}): Promise<AlbumListPage> {
  return parseAlbumList(await callWithRetry(client, rpc.albums, args.albums(pageId), pathOf(libraryUrl(baseUrl)), retry));
}

/** One page of an album's items with album-scoped keys (`snAcKc`); someone else's album needs its authKey. */
export async function listAlbumItemsPage(client: RpcCallerLike, baseUrl: string, albumKey: string, pageId: string | null, authKey: string | null, retry: RpcRetryOptions = {}): Promise<AlbumItemsPage> {
  return parseAlbumItems(await callWithRetry(client, rpc.albumItems, args.albumItems(albumKey, pageId, authKey), pathOf(albumUrl(baseUrl, albumKey)), retry));
}

/** One page of the items the partner shares with the account, newest taken first (`e9T5je`). */
export async function listPartnerPage(
  client: RpcCallerLike,
  baseUrl: string,
  request: { pageId: string | null; partnerActor: string | null; gaiaId: string | null },
  retry: RpcRetryOptions = {},
): Promise<PartnerPage> {
  return parsePartnerPage(await callWithRetry(client, rpc.partnerItems, args.partnerItems(request.pageId, request.partnerActor, request.gaiaId), pathOf(libraryUrl(baseUrl)), retry));
}

/** One page of the trash, most recently trashed first (`zy0IHe`). */
export async function listTrashPage(client: RpcCallerLike, baseUrl: string, pageId: string | null, retry: RpcRetryOptions = {}): Promise<TrashPage> {
  return parseTrashPage(await callWithRetry(client, rpc.trash, args.trash(pageId), pathOf(libraryUrl(baseUrl)), retry));
}

/** One page of the Favorites view (`EzkLib` with the favorites filter). */
export async function listFavoritesPage(client: RpcCallerLike, baseUrl: string, pageId: string | null, retry: RpcRetryOptions = {}): Promise<RemotePage> {
  return parseUploadPage(await callWithRetry(client, rpc.libraryByUpload, args.favorites(pageId), pathOf(libraryUrl(baseUrl)), retry));
}

/** One page of the Archive, by date taken (`lcxiM` with source 2). */
export async function listArchivePage(client: RpcCallerLike, pageId: string | null, retry: RpcRetryOptions = {}): Promise<RemotePage> {
  return await listLibraryPage(client, { pageId, source: 'archive' }, retry);
}

/** The authKey and album key a per-item call of this place carries (facts page: VrseUb "nulls outside shared albums"). */
function scopeOf(place: ItemPlace): { authKey: string | null; albumKey: string | null } {
  return place.kind === 'share' ? { authKey: place.authKey, albumKey: place.albumKey } : { authKey: null, albumKey: null };
}

/** `VrseUb` for an item wherever the account sees it, asked once. */
export async function fetchItemDownloadInfoAt(client: RpcCallerLike, baseUrl: string, place: ItemPlace): Promise<ItemDownloadInfo> {
  if (place.kind === 'library') return await fetchItemDownloadInfo(client, baseUrl, place.key);
  const scope = scopeOf(place);
  return parseItemDownload(await client.call(rpc.itemDownload, args.itemDownloadIn(place.key, scope.authKey, scope.albumKey), pathOf(placeUrl(baseUrl, place))));
}

/** `fDcn4b` for an item wherever the account sees it, asked once. */
export async function fetchItemInfoAt(client: RpcCallerLike, baseUrl: string, place: ItemPlace): Promise<ExtendedInfo> {
  if (place.kind === 'library') return await fetchItemInfo(client, baseUrl, place.key);
  return parseExtendedInfo(await client.call(rpc.itemInfo, args.itemInfoIn(place.key, scopeOf(place).authKey), pathOf(placeUrl(baseUrl, place))));
}
