// The listing half of a sync run: which listing runs (recent uploads, or a full rescan by
// date taken), recording it into the index page by page, then what follows a listing:
// keeping dated versions of items edited in Google, reconciling deletions (rescan only) and,
// when asked, moving the files of deleted items to the trash.
//
// The orchestration (src/run/sync.ts) calls runListing() while its download workers take
// pending items from the index; onPage tells it when new items are there.
import type { Page } from 'playwright-core';
import { MassDisappearanceError, SiteChangedError, describeError } from '../errors.js';
import { listByUpload, type UploadListingResult } from '../library/by-upload.js';
import { enumerateLibrary, type ListingStrategy } from '../library/enumerate.js';
import { listByTakenRanges } from '../library/by-taken-ranges.js';
import { rescanLibrary, type RescanResult, type ScanPage } from '../library/rescan.js';
import { FILE_ONLY, type Logger } from '../log.js';
import type { RpcClient } from '../site/rpc-client.js';
import type { RemoteItem } from '../model/remote-item.js';
import type { Db } from '../store/database.js';
import { recordListedPage, takenBoundaries } from '../store/scan.js';
import { listPeriod } from '../library/by-taken-period.js';
import { type TakenRange, describeRange } from '../model/taken-range.js';
import { pruneGone, type PruneReport } from './prune.js';
import { describeDecision, rescanDecisionFor, type RescanDecision } from './rescan-policy.js';
import { keepChangedVersions, type VersionsReport } from './versions.js';

/** Date-taken ranges a rescan lists side by side (lcxiM pages chain, so one listing is one round trip per 500 items). */
export const RESCAN_RANGES = 4;
/** Below this many known items per range, one listing is fast enough. */
export const MIN_ITEMS_PER_RANGE = 2_500;

export interface ListingParams {
  db: Db;
  outDir: string;
  /** The page that holds the session (RPC calls run inside it; the grid fallback scrolls it). */
  page: Page;
  baseUrl: string;
  /** null when the page carried no RPC tokens: only a full grid listing is possible. */
  client: RpcClient | null;
  /** --rescan */
  rescan: boolean;
  /** --rescan-days */
  rescanDays: number;
  /** --accept-deletions */
  acceptDeletions?: boolean;
  /** --prune */
  prune?: boolean;
  /** --since/--until/--recheck: list only this period by date taken (no rescan, nothing reconciled). */
  range?: TakenRange | null;
  logger: Logger;
  signal?: AbortSignal;
  nowMs?: () => number;
  /** After each page is in the index: its items, and the keys that are new (pending now). */
  onPage?: (page: { items: RemoteItem[]; newKeys: string[]; alreadyDone: number; strategy: ListingStrategy; found: number }) => void;
  /** After changed items were queued for their new version (workers should look again). */
  onQueued?: (count: number) => void;
}

export interface ListingOutcome {
  mode: 'incremental' | 'rescan' | 'period';
  decision: RescanDecision;
  strategy: ListingStrategy | null;
  /** The listing covered what it set out to cover (all new uploads, or the whole library). */
  complete: boolean;
  found: number;
  new: number;
  /** Items edited in Google whose old files were kept as dated versions (queued again). */
  changed: number;
  /** Items marked gone by this run's rescan. */
  gone: number;
  /** The mass-disappearance guard's refusal (the run should end with its exit code), or null. */
  refused: MassDisappearanceError | null;
  upload: UploadListingResult | null;
  rescanResult: RescanResult | null;
  versions: VersionsReport | null;
  prune: PruneReport | null;
}

/** One period by date taken into the index, page by page: new items pending, known ones refreshed; nothing is marked gone. */
async function listPeriodInto(params: ListingParams, range: TakenRange, outcome: ListingOutcome): Promise<void> {
  const log = params.logger;
  const now = params.nowMs ?? Date.now;
  log.info(`listing the items taken ${describeRange(range)} only`);
  const seen = new Set<string>();
  let pages = 0;
  for await (const page of listPeriod({
    page: params.page,
    baseUrl: params.baseUrl,
    client: params.client,
    range,
    signal: params.signal,
    onFallback: (why) => log.warn(`listing by RPC failed (${why}); scrolling the library grid instead`),
    onRetry: (error, attempt) => log.warn(`listing: ${describeError(error)} (try ${attempt}), backing off`),
  })) {
    if (params.signal?.aborted) break;
    const fresh = page.items.filter((item) => !seen.has(item.mediaKey));
    for (const item of fresh) seen.add(item.mediaKey);
    const recorded = recordListedPage(params.db, fresh, { nowMs: now() });
    pages++;
    outcome.strategy = page.strategy;
    outcome.found = seen.size;
    outcome.new += recorded.newKeys.length;
    params.onPage?.({ items: fresh, newKeys: recorded.newKeys, alreadyDone: recorded.doneBefore, strategy: page.strategy, found: seen.size });
  }
  outcome.complete = params.signal?.aborted !== true;
  log.info(`period ${describeRange(range)}: ${outcome.found} listed in ${pages} page(s), ${outcome.new} new`);
}

export async function runListing(params: ListingParams): Promise<ListingOutcome> {
  const { db, logger: log } = params;
  const now = params.nowMs ?? Date.now;
  const decision = rescanDecisionFor(db, { asked: params.rescan && !params.range, rescanDays: params.rescanDays, nowMs: now() });
  const outcome: ListingOutcome = {
    mode: params.range ? 'period' : decision.rescan ? 'rescan' : 'incremental',
    decision,
    strategy: null,
    complete: false,
    found: 0,
    new: 0,
    changed: 0,
    gone: 0,
    refused: null,
    upload: null,
    rescanResult: null,
    versions: null,
    prune: null,
  };
  if (params.range) {
    await listPeriodInto(params, params.range, outcome);
  } else {
    log.info(describeDecision(decision));
  }

  if (outcome.mode === 'period') {
    // listed above
  } else if (!decision.rescan && params.client) {
    try {
      const upload = await listByUpload({
        client: params.client,
        db,
        signal: params.signal,
        nowMs: now,
        onRetry: (error, attempt) => log.warn(`listing recent uploads: ${describeError(error)} (try ${attempt}), backing off`),
        onPage: (progress, recorded, items) => {
          outcome.found = progress.listed;
          outcome.new = progress.newItems;
          params.onPage?.({ items, newKeys: recorded.newKeys, alreadyDone: recorded.doneBefore, strategy: 'rpc', found: progress.listed });
        },
      });
      outcome.upload = upload;
      outcome.strategy = 'rpc';
      outcome.complete = upload.complete;
      log.info(`recent uploads: ${upload.listed} listed in ${upload.pages} page(s), ${upload.newItems} new${upload.stoppedBy === 'known-page' ? ', stopped at a page already in the index' : ''}`);
    } catch (error) {
      if (!(error instanceof SiteChangedError)) throw error;
      // The recently-added listing is not recognised: a full listing still finds everything.
      log.warn(`listing by upload date failed (${error.message}); listing the whole library instead`);
      outcome.mode = 'rescan';
    }
  } else if (!decision.rescan) {
    outcome.mode = 'rescan';
  }

  if (outcome.mode === 'rescan') {
    const rescan = (pages: AsyncIterable<ScanPage>): Promise<RescanResult> =>
      rescanLibrary({
        db,
        pages,
        signal: params.signal,
        acceptDeletions: params.acceptDeletions,
        nowMs: now,
        onPage: (progress, page, recorded) => {
          outcome.strategy = (page.strategy as ListingStrategy | undefined) ?? 'rpc';
          outcome.found = progress.listed;
          outcome.new = progress.newItems;
          params.onPage?.({ items: page.items, newKeys: recorded.newKeys, alreadyDone: recorded.doneBefore, strategy: outcome.strategy, found: progress.listed });
        },
      });
    const onRetry = (error: unknown, attempt: number): void => log.warn(`listing: ${describeError(error)} (try ${attempt}), backing off`);
    const sequential = (): AsyncIterable<ScanPage> =>
      enumerateLibrary({
        page: params.page,
        baseUrl: params.baseUrl,
        client: params.client,
        signal: params.signal,
        onFallback: (why) => log.warn(`listing by RPC failed (${why}); scrolling the library grid instead`),
        onRetry,
      });
    // A library the index already knows well is listed in date-taken ranges side by side.
    const boundaries = params.client ? takenBoundaries(db, RESCAN_RANGES, MIN_ITEMS_PER_RANGE) : [];
    let result: RescanResult;
    if (params.client && boundaries.length > 0) {
      try {
        result = await rescan(
          listByTakenRanges({ client: params.client, boundaries, signal: params.signal, onRetry, onRangeDropped: (why) => log.warn(`rescan range dropped (${why}); the range before it lists on`) }),
        );
      } catch (error) {
        if (!(error instanceof SiteChangedError)) throw error;
        log.warn(`listing in ranges failed (${error.message}); listing the library from the start`);
        outcome.found = 0;
        outcome.new = 0;
        result = await rescan(sequential());
      }
    } else {
      result = await rescan(sequential());
    }
    outcome.rescanResult = result;
    outcome.found = result.listed;
    outcome.complete = result.complete;
    outcome.gone = result.gone;
    outcome.refused = result.refused;
    log.info(
      `full rescan: ${result.listed} listed in ${result.pages} page(s)${boundaries.length ? ` over ${boundaries.length + 1} ranges` : ''}, ${result.newItems} new, ${result.gone} gone` +
        ` (${Math.round(result.itemsPerSecond)} items/s over ${result.seconds.toFixed(1)} s)` +
        (result.reconcileSkipped ? `; deletions not reconciled: ${result.reconcileSkipped}` : ''),
    );
    // The summary says it to the person; the log file keeps it too.
    if (result.refused) log.error(FILE_ONLY, result.refused.message);
  }

  if (params.signal?.aborted) return outcome;

  // Items edited in Google: keep what we have as a dated version, then fetch the new one.
  outcome.versions = await keepChangedVersions({
    db,
    outDir: params.outDir,
    nowMs: now(),
    onKept: (v) => log.info(`${v.mediaKey} changed in Google: kept ${v.from} as ${v.to}; the new version is queued`),
  });
  outcome.changed = outcome.versions.items;
  if (outcome.versions.items > 0) params.onQueued?.(outcome.versions.items);

  if (params.prune) {
    if (outcome.refused) {
      log.warn('--prune skipped: this rescan looked broken (see above), so nothing is moved to the trash this run');
    } else {
      outcome.prune = await pruneGone({
        db,
        outDir: params.outDir,
        nowMs: now(),
        onMoved: (f) => log.info(`pruned ${f.from} → ${f.to} (deleted in Google)`),
      });
      const p = outcome.prune;
      log.info(`prune: moved ${p.moved.length} file(s) of items deleted in Google into ${p.trashDir}` + (p.missing.length ? `; ${p.missing.length} recorded file(s) were already missing` : ''));
    }
  }
  return outcome;
}
