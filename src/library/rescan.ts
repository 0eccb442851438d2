// A full rescan: the whole library by date taken (library and archive), reconciled with the
// index. New items are queued, flags refreshed, Google-side changes marked, and the items it
// did not list become `gone` with a timestamp (their files stay where they are).
//
// Memory stays flat whatever the library size: each page goes into SQLite in its own
// transaction and stamps its items with the scan id; what was not listed is found at the end
// with one query, never with a set of every key.
//
// The mass-disappearance guard: a listing that would mark more than 20% of the known items
// gone at once, or that came back empty while the index has items, looks broken (a page
// signed out half-way, a changed RPC), not like deletions. Nothing is marked gone then and
// the run says why (MassDisappearanceError, exit 5). `acceptDeletions` lets it through.
import { MassDisappearanceError } from '../errors.js';
import type { Db } from '../store/database.js';
import { ListingMeta, getMetaMs, markUnlistedGone, recordListedPage, scanCounts, setMetaMs, type ScanCounts } from '../store/scan.js';
import type { RemotePage } from '../site/types.js';

export const MASS_DISAPPEARANCE_RATIO = 0.2;

/** A page from any listing; `strategy: 'grid'` pages cannot see the archive, so they never reconcile. */
export type ScanPage = RemotePage & { strategy?: string };

export interface RescanProgress {
  pages: number;
  listed: number;
  newItems: number;
  itemsPerSecond: number;
}

export interface RescanOptions {
  db: Db;
  pages: AsyncIterable<ScanPage>;
  signal?: AbortSignal;
  acceptDeletions?: boolean;
  nowMs?: () => number;
  /** After each page is in the index (new items are pending by then). */
  onPage?: (progress: RescanProgress, page: ScanPage, newKeys: string[]) => void;
}

export interface RescanResult {
  scanId: number;
  pages: number;
  listed: number;
  newItems: number;
  /** Downloaded items whose Google-side version changed (marked for a new version). */
  changed: number;
  /** Items listed again after being gone. */
  revived: number;
  /** The listing reached its end (not interrupted). */
  complete: boolean;
  /** Items marked gone by this rescan. */
  gone: number;
  /** Why nothing was marked gone although items were missing, or null. */
  refused: MassDisappearanceError | null;
  /** Reconciling was skipped (incomplete listing, or a grid listing that cannot see the archive). */
  reconcileSkipped: string | null;
  counts: ScanCounts | null;
  seconds: number;
  itemsPerSecond: number;
}

/**
 * Reads pages one ahead: the next page is being fetched while this one is written to the
 * index, so a rescan runs at the speed of the RPC rather than RPC + SQLite.
 */
async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const current = await pending;
      if (current.done) return;
      pending = iterator.next();
      // A failure of the page fetched ahead surfaces when it is awaited, not before.
      pending.catch(() => undefined);
      yield current.value;
    }
  } finally {
    // Stops the source when the consumer stops early; the page fetched ahead is dropped.
    await pending.then(
      () => iterator.return?.(),
      () => undefined,
    );
  }
}

export function guardVerdict(counts: ScanCounts, acceptDeletions: boolean): MassDisappearanceError | null {
  if (counts.unlisted === 0 || acceptDeletions) return null;
  if (counts.listed === 0) {
    return new MassDisappearanceError(
      `The full rescan listed no items at all while the index holds ${counts.known}: that looks like a broken or signed-out listing, not an empty library. ` +
        'Nothing was marked gone. If the library really is empty now, run `gphotos-keep sync --rescan --accept-deletions`.',
    );
  }
  const ratio = counts.unlisted / counts.known;
  if (ratio <= MASS_DISAPPEARANCE_RATIO) return null;
  const percent = Math.round(ratio * 1000) / 10;
  return new MassDisappearanceError(
    `The full rescan did not list ${counts.unlisted} of the ${counts.known} items in the index (${percent}%, more than ${MASS_DISAPPEARANCE_RATIO * 100}% at once): ` +
      'that looks like a broken listing, not deletions. Nothing was marked gone and no file was touched; the next run rescans again. ' +
      'If you did delete them in Google Photos, run `gphotos-keep sync --rescan --accept-deletions`.',
  );
}

export async function rescanLibrary(options: RescanOptions): Promise<RescanResult> {
  const { db } = options;
  const now = options.nowMs ?? Date.now;
  const startedMs = now();
  // A scan id that no earlier scan used (the start time, bumped past any id in the index).
  const lastId = (db.prepare('SELECT MAX(scan_id) FROM items').pluck().get() as number | null) ?? 0;
  const scanId = Math.max(startedMs, lastId + 1);
  const result: RescanResult = {
    scanId,
    pages: 0,
    listed: 0,
    newItems: 0,
    changed: 0,
    revived: 0,
    complete: false,
    gone: 0,
    refused: null,
    reconcileSkipped: null,
    counts: null,
    seconds: 0,
    itemsPerSecond: 0,
  };
  let newestUpload: number | null = null;
  let gridPages = false;
  let aborted = false;
  for await (const page of readAhead(options.pages)) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    if (page.strategy === 'grid') gridPages = true;
    const recorded = recordListedPage(db, page.items, { scanId, nowMs: now() });
    result.pages++;
    result.listed += page.items.length;
    result.newItems += recorded.newKeys.length;
    result.changed += recorded.changedKeys.length;
    result.revived += recorded.revived;
    for (const item of page.items) if (item.uploadedMs !== null && (newestUpload === null || item.uploadedMs > newestUpload)) newestUpload = item.uploadedMs;
    const elapsed = (now() - startedMs) / 1000;
    options.onPage?.({ pages: result.pages, listed: result.listed, newItems: result.newItems, itemsPerSecond: elapsed > 0 ? result.listed / elapsed : 0 }, page, recorded.newKeys);
  }
  const finishedMs = now();
  result.seconds = (finishedMs - startedMs) / 1000;
  result.itemsPerSecond = result.seconds > 0 ? result.listed / result.seconds : 0;
  if (aborted || options.signal?.aborted) {
    result.reconcileSkipped = 'the rescan was interrupted';
    return result;
  }
  result.complete = true;
  // Everything uploaded up to the newest upload listed here is now in the index.
  const watermark = getMetaMs(db, ListingMeta.uploadWatermark);
  if (newestUpload !== null && (watermark === null || newestUpload > watermark)) setMetaMs(db, ListingMeta.uploadWatermark, newestUpload);

  if (gridPages) {
    result.reconcileSkipped = 'the library grid cannot see the archive, so a grid listing never marks items gone';
  } else {
    result.counts = scanCounts(db, scanId);
    result.refused = guardVerdict(result.counts, options.acceptDeletions === true);
    if (!result.refused) {
      result.gone = markUnlistedGone(db, scanId, finishedMs);
    }
  }
  // A refused reconcile leaves the schedule as it was, so the next run rescans again.
  if (!result.refused) setMetaMs(db, ListingMeta.lastFullRescan, finishedMs);
  return result;
}
