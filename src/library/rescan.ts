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
import v8 from 'node:v8';
import vm from 'node:vm';
import { MassDisappearanceError } from '../errors.js';
import type { Db } from '../store/database.js';
import { ListingMeta, countScanned, getMetaMs, markUnlistedGone, recordListedPage, scanCounts, setMetaMs, type ListedPageResult, type ScanCounts } from '../store/scan.js';
import type { RemotePage } from '../model/remote-item.js';

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
  onPage?: (progress: RescanProgress, page: ScanPage, recorded: ListedPageResult) => void;
}

export interface RescanResult {
  scanId: number;
  pages: number;
  /** Distinct items this rescan listed (ranges overlap by a page, so rows can be more). */
  listed: number;
  /** Rows received, overlaps included. */
  rows: number;
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
      // Let the next request leave before the caller's (synchronous) write of this page.
      await new Promise<void>((resolve) => setImmediate(resolve));
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

/** Garbage a rescan may pile up above the live heap before it asks for a full collection. */
const GARBAGE_BUDGET_BYTES = 8 * 1024 * 1024;
let fullCollection: (() => void) | null | undefined;

/**
 * Every page leaves a few large strings behind (the RPC body crosses the browser protocol
 * whole), and V8 frees large strings only in a full collection, which it puts off until the
 * heap has grown by a factor. A long rescan would therefore peak far higher than a short one;
 * a full collection whenever the heap is GARBAGE_BUDGET_BYTES above what was live keeps the
 * peak the same for 10,000 items and for 100,000 (each takes a few tens of ms).
 */
class HeapKeeper {
  private live = v8.getHeapStatistics().used_heap_size;

  afterPage(): void {
    if (v8.getHeapStatistics().used_heap_size - this.live < GARBAGE_BUDGET_BYTES) return;
    if (fullCollection === undefined) {
      try {
        v8.setFlagsFromString('--expose-gc');
        fullCollection = vm.runInNewContext('gc') as () => void;
      } catch {
        fullCollection = null;
      }
    }
    if (!fullCollection) return;
    fullCollection();
    this.live = v8.getHeapStatistics().used_heap_size;
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
    rows: 0,
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
  const heap = new HeapKeeper();
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
    result.rows += page.items.length;
    heap.afterPage();
    result.newItems += recorded.newKeys.length;
    result.changed += recorded.changedKeys.length;
    result.revived += recorded.revived;
    for (const item of page.items) if (item.uploadedMs !== null && (newestUpload === null || item.uploadedMs > newestUpload)) newestUpload = item.uploadedMs;
    const elapsed = (now() - startedMs) / 1000;
    options.onPage?.({ pages: result.pages, listed: result.rows, newItems: result.newItems, itemsPerSecond: elapsed > 0 ? result.rows / elapsed : 0 }, page, recorded);
  }
  const finishedMs = now();
  result.listed = countScanned(db, scanId);
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
