// The default (incremental) listing: Google's "recently added" view, newest upload first,
// recorded page by page, stopping at the first full page whose items the index already
// holds. Ordering by upload (not by date taken) is what catches a photo uploaded today with
// a 2009 date taken, which a "newer than what we have" rule by date taken never sees.
//
// Stop rule, with one guard against a run that died mid-listing: the stop page must also
// reach back to uploads at or before the watermark, the newest upload of the last listing
// that completed. Without it, a run killed after recording page 1 would let the next run
// stop on page 1 and never see page 2 until the next full rescan.
import type { Db } from '../store/database.js';
import { ListingMeta, getMetaMs, recordListedPage, setMetaMs, type ListedPageResult } from '../store/scan.js';
import type { RemoteItem, RemotePage } from '../model/remote-item.js';
import { listUploadPage } from '../site/calls.js';
import type { RpcCallerLike, RpcRetryOptions } from '../site/retry.js';

export interface UploadListingProgress {
  page: number;
  listed: number;
  newItems: number;
}

export interface UploadListingOptions extends RpcRetryOptions {
  client: RpcCallerLike;
  db: Db;
  nowMs?: () => number;
  /** After each page is in the index (new items are pending by then). */
  onPage?: (progress: UploadListingProgress, recorded: ListedPageResult, items: RemoteItem[]) => void;
}

export interface UploadListingResult {
  pages: number;
  listed: number;
  newItems: number;
  changed: number;
  /** The listing reached a page of known items (or the end): everything uploaded since the last listing is in the index. */
  complete: boolean;
  stoppedBy: 'known-page' | 'end' | 'aborted';
  watermarkMs: number | null;
}

/** The newest upload on a page, and the oldest (null when the rows carry no upload time). */
function uploadSpan(page: RemotePage): { newest: number | null; oldest: number | null } {
  let newest: number | null = null;
  let oldest: number | null = null;
  for (const item of page.items) {
    if (item.uploadedMs === null) continue;
    newest = newest === null ? item.uploadedMs : Math.max(newest, item.uploadedMs);
    oldest = oldest === null ? item.uploadedMs : Math.min(oldest, item.uploadedMs);
  }
  return { newest, oldest };
}

/** Yields EzkLib pages, one call at a time (a no-op run needs exactly one). */
async function* uploadPages(options: UploadListingOptions): AsyncGenerator<RemotePage> {
  const seen = new Set<string>();
  let pageId: string | null = null;
  for (;;) {
    const page = await listUploadPage(options.client, pageId, options);
    yield page;
    // A page id seen twice would loop for ever: the listing is over as far as we can tell.
    if (!page.nextPageId || seen.has(page.nextPageId) || options.signal?.aborted) return;
    seen.add(page.nextPageId);
    pageId = page.nextPageId;
  }
}

export async function listByUpload(options: UploadListingOptions): Promise<UploadListingResult> {
  const { db } = options;
  const now = options.nowMs ?? Date.now;
  const watermark = getMetaMs(db, ListingMeta.uploadWatermark);
  const result: UploadListingResult = { pages: 0, listed: 0, newItems: 0, changed: 0, complete: false, stoppedBy: 'end', watermarkMs: watermark };
  let newestUpload: number | null = null;
  let fullSize = 0;
  for await (const page of uploadPages(options)) {
    if (options.signal?.aborted) {
      result.stoppedBy = 'aborted';
      return result;
    }
    result.pages++;
    const recorded = recordListedPage(db, page.items, { nowMs: now() });
    result.listed += page.items.length;
    result.newItems += recorded.newKeys.length;
    result.changed += recorded.changedKeys.length;
    options.onPage?.({ page: result.pages, listed: result.listed, newItems: result.newItems }, recorded, page.items);
    const span = uploadSpan(page);
    if (span.newest !== null) newestUpload = newestUpload === null ? span.newest : Math.max(newestUpload, span.newest);
    fullSize = Math.max(fullSize, page.items.length);
    const full = page.items.length > 0 && page.items.length >= fullSize;
    const allKnown = recorded.knownBefore === page.items.length;
    const reachesWatermark = watermark === null || span.oldest === null || span.oldest <= watermark;
    if (full && allKnown && reachesWatermark) {
      result.stoppedBy = 'known-page';
      break;
    }
  }
  if (result.stoppedBy !== 'known-page' && options.signal?.aborted) {
    result.stoppedBy = 'aborted';
    return result;
  }
  result.complete = true;
  if (newestUpload !== null && (watermark === null || newestUpload > watermark)) {
    setMetaMs(db, ListingMeta.uploadWatermark, newestUpload);
    result.watermarkMs = newestUpload;
  }
  return result;
}
