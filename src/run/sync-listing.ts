// The listing side of a sync run, as the run's summary and events see it: a real run lists
// into the index (src/run/listing.ts) and wakes the download queue page by page; a dry run
// only counts what would be downloaded.
import type { Page } from 'playwright-core';
import type { DownloadQueue } from '../download/queue.js';
import { KeepError, describeError } from '../errors.js';
import { enumerateLibrary } from '../library/enumerate.js';
import type { RpcClient } from '../site/rpc-client.js';
import type { Db } from '../store/database.js';
import { getItem } from '../store/items.js';
import { runListing } from './listing.js';
import type { SyncEvents, SyncParams, SyncSummary } from './sync-types.js';

/** What a sync run's listing works with. */
export interface ListingRun {
  /** null only in a dry run on a folder without an index. */
  db: Db | null;
  outDir: string;
  /** The page that holds the session. */
  page: Page;
  client: RpcClient | null;
  params: SyncParams;
  summary: SyncSummary;
  events: SyncEvents;
}

/** Recent uploads, or a full rescan, page by page into the index while the queue downloads; never throws. */
export async function listIntoQueue(run: ListingRun, queue: DownloadQueue): Promise<void> {
  const { params, summary, events } = run;
  const log = params.logger;
  try {
    const outcome = await runListing({
      db: run.db!,
      outDir: run.outDir,
      page: run.page,
      baseUrl: params.baseUrl,
      client: run.client,
      rescan: params.rescan === true,
      rescanDays: params.rescanDays ?? 7,
      acceptDeletions: params.acceptDeletions === true,
      prune: params.prune === true,
      logger: log,
      signal: queue.halt,
      onPage: (listed) => {
        summary.listing = listed.strategy;
        summary.found = listed.found;
        summary.new += listed.newKeys.length;
        summary.skipped += listed.alreadyDone;
        events.emit('listed', { found: summary.found, new: summary.new, strategy: listed.strategy });
        log.debug(`listed ${summary.found} items (${summary.new} new)`);
        queue.more();
      },
      onQueued: () => queue.more(),
    });
    summary.found = outcome.found;
    summary.fullRescan = outcome.mode === 'rescan' && outcome.complete;
    summary.gone = outcome.gone;
    summary.changed = outcome.changed;
    summary.pruned = outcome.prune?.moved.length ?? 0;
    summary.deletionsRefused = outcome.refused?.message ?? null;
    summary.listingComplete = outcome.complete && !queue.stopping;
  } catch (error) {
    if (error instanceof KeepError && error.stopsRun) queue.stop(error);
    else log.error(`listing stopped: ${describeError(error)}; items listed so far are still downloaded`);
  } finally {
    queue.listingEnded();
    events.emit('listingDone', { found: summary.found, complete: summary.listingComplete });
  }
}

/** --dry-run: the whole listing, counted against the index (if any); nothing is written. */
export async function dryRunListing(run: ListingRun): Promise<void> {
  const { params, summary, events, db } = run;
  const seen = new Set<string>();
  let wouldDownload = 0;
  const onFallback = (why: string): void => params.logger.warn(`listing by RPC failed (${why}); scrolling the grid`);
  for await (const listed of enumerateLibrary({ page: run.page, baseUrl: params.baseUrl, client: run.client, signal: params.signal, onFallback })) {
    summary.listing = listed.strategy;
    for (const item of listed.items) {
      if (seen.has(item.mediaKey)) continue;
      seen.add(item.mediaKey);
      const row = db ? getItem(db, item.mediaKey) : undefined;
      if (!row) summary.new++;
      if (row?.state === 'done') summary.skipped++;
      else if (!(row?.state === 'failed' && row.parked_ms != null && !params.retryFailed)) wouldDownload++;
    }
    summary.found = seen.size;
    events.emit('listed', { found: summary.found, new: summary.new, strategy: listed.strategy });
  }
  summary.listingComplete = !params.signal?.aborted;
  summary.remaining = wouldDownload;
}
