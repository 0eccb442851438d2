// The site's RPCs as typed calls: each one puts together its rpc id, its args and its parser
// (and, for the calls that may retry, the back-off of retry.ts), so the rest of the program
// asks for "a page of the library" or "the items holding these SHA-1s" and never sees a
// Google shape.
import type { BulkInfo, ExtendedInfo, ItemDownloadInfo, RemoteItem, RemotePage } from '../model/remote-item.js';
import { parseBulkInfo, parseExtendedInfo, parseHashLookup, parseItemDownload, parseLibraryPage, parseUploadPage } from './payloads.js';
import { callWithRetry, type RpcCallerLike, type RpcRetryOptions } from './retry.js';
import { args, BULK_INFO_BATCH, HASH_BATCH, LibrarySource, rpc } from './rpcids.js';
import { photoUrl } from './urls.js';

export interface LibraryPageRequest {
  /** null for the first page. */
  pageId: string | null;
  /** Which part of the library: both by default (the archive is part of the backup). */
  source?: keyof typeof LibrarySource;
  /** A first page (no pageId) starting at the items taken at or before this time. */
  fromMs?: number | null;
}

/** One page of the library by date taken, newest first (`lcxiM`). */
export async function listLibraryPage(client: RpcCallerLike, request: LibraryPageRequest, retry: RpcRetryOptions = {}): Promise<RemotePage> {
  const callArgs = args.libraryByTaken(request.pageId, LibrarySource[request.source ?? 'both'], request.fromMs ?? null);
  return parseLibraryPage(await callWithRetry(client, rpc.libraryByTaken, callArgs, '/', retry));
}

/** One page of the recently uploaded view, newest upload first (`EzkLib`). */
export async function listUploadPage(client: RpcCallerLike, pageId: string | null, retry: RpcRetryOptions = {}): Promise<RemotePage> {
  return parseUploadPage(await callWithRetry(client, rpc.libraryByUpload, args.libraryByUpload(pageId), '/', retry));
}

/** The path of the item's own page: what the web app sends as source-path for per-item calls. */
function itemSourcePath(baseUrl: string, mediaKey: string): string {
  return new URL(photoUrl(baseUrl, mediaKey)).pathname;
}

/** One item's row and download URLs (`VrseUb`), asked once: the caller decides what a failure means. */
export async function fetchItemDownloadInfo(client: RpcCallerLike, baseUrl: string, mediaKey: string): Promise<ItemDownloadInfo> {
  return parseItemDownload(await client.call(rpc.itemDownload, args.itemDownload(mediaKey), itemSourcePath(baseUrl, mediaKey)));
}

/** Does the item have an unedited original to download (`VrseUb` [7], items edited in Google)? */
export async function fetchHasOriginal(client: RpcCallerLike, baseUrl: string, mediaKey: string): Promise<boolean> {
  return (await fetchItemDownloadInfo(client, baseUrl, mediaKey)).originalUrl !== null;
}

/** Google's extended info (`fDcn4b`): file name, date and offset, size, location, description. Asked once. */
export async function fetchItemInfo(client: RpcCallerLike, baseUrl: string, mediaKey: string): Promise<ExtendedInfo> {
  return parseExtendedInfo(await client.call(rpc.itemInfo, args.itemInfo(mediaKey), itemSourcePath(baseUrl, mediaKey)));
}

/**
 * mediaKey → file name, dates and size of each key Google knows (`EWgK9e`), in batches of
 * BULK_INFO_BATCH with back-off. Stops between batches when `signal` aborts (what was asked is kept).
 */
export async function fetchBulkInfo(client: RpcCallerLike, mediaKeys: string[], retry: RpcRetryOptions = {}): Promise<Map<string, BulkInfo>> {
  const out = new Map<string, BulkInfo>();
  for (let i = 0; i < mediaKeys.length; i += BULK_INFO_BATCH) {
    if (retry.signal?.aborted) break;
    const payload = await callWithRetry(client, rpc.bulkInfo, args.bulkInfo(mediaKeys.slice(i, i + BULK_INFO_BATCH)), '/', retry);
    for (const info of parseBulkInfo(payload)) out.set(info.mediaKey, info);
  }
  return out;
}

export interface LookupOptions {
  batchSize?: number;
  retries?: number;
  signal?: AbortSignal;
  /** Called after each batch, for progress. */
  onBatch?: (done: number, total: number) => void;
}

/**
 * sha1 (base64) → the item Google holds with exactly those bytes (`swbisb`), in batches, with
 * back-off; absent hashes are unknown to Google. An exact answer means the bytes are the original upload.
 */
export async function lookupHashes(client: RpcCallerLike, sha1Base64: string[], options: LookupOptions = {}): Promise<Map<string, RemoteItem>> {
  const unique = [...new Set(sha1Base64)];
  const found = new Map<string, RemoteItem>();
  const size = options.batchSize ?? HASH_BATCH;
  for (let start = 0; start < unique.length; start += size) {
    if (options.signal?.aborted) break;
    const batch = unique.slice(start, start + size);
    const payload = await callWithRetry(client, rpc.hashLookup, args.hashLookup(batch), '/', { retries: options.retries ?? 5, signal: options.signal });
    const wanted = new Set(batch);
    for (const [hash, item] of parseHashLookup(payload)) if (wanted.has(hash)) found.set(hash, item);
    options.onBatch?.(Math.min(start + size, unique.length), unique.length);
  }
  return found;
}

/** sha1 (base64) → mediaKey, for the hashes Google holds as an original upload. */
export async function confirmOriginals(client: RpcCallerLike, sha1Base64: string[], options: LookupOptions = {}): Promise<Map<string, string>> {
  const items = await lookupHashes(client, sha1Base64, options);
  return new Map([...items].map(([hash, item]) => [hash, item.mediaKey]));
}
