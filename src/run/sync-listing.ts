// The listing side of a sync run, as the run's summary and events see it: a real run lists
// into the index (src/run/listing.ts) and wakes the download queue page by page; a dry run
// only counts what would be downloaded.
import type { APIRequestContext, Page } from 'playwright-core';
import type { DownloadQueue } from '../download/queue.js';
import { KeepError, describeError } from '../errors.js';
import { FILE_ONLY } from '../log.js';
import { enumerateLibrary } from '../library/enumerate.js';
import type { RpcClient } from '../site/rpc-client.js';
import type { Db } from '../store/database.js';
import { type ItemRow, getItem } from '../store/items.js';
import { listPeriod } from '../library/by-taken-period.js';
import type { BulkInfo, RemoteItem } from '../model/remote-item.js';
import { fetchBulkInfo } from '../site/calls.js';
import { syncShares } from './albums.js';
import { type FlagsOutcome, followFlagViews } from './flag-views.js';
import { runListing } from './listing.js';
import { syncTrash, type TrashOutcome } from './trash.js';
import type { DryRunItem, SyncEvents, SyncParams, SyncSummary } from './sync-types.js';

/** What a sync run's listing works with. */
export interface ListingRun {
  /** null only in a dry run on a folder without an index. */
  db: Db | null;
  outDir: string;
  /** The page that holds the session. */
  page: Page;
  client: RpcClient | null;
  /** The browser's own HTTP client (follows a shared album's link). */
  request: Pick<APIRequestContext, 'get'>;
  params: SyncParams;
  summary: SyncSummary;
  events: SyncEvents;
}

/**
 * Google's trash first (a trashed item is never taken for deleted), then recent uploads or a
 * full rescan page by page into the index while the queue downloads, then albums, sharing,
 * favorites and the archive; never throws.
 */
export async function listIntoQueue(run: ListingRun, queue: DownloadQueue): Promise<void> {
  const { params, summary, events } = run;
  const log = params.logger;
  let flags: Promise<FlagsOutcome> | null = null;
  try {
    // A period (--since/--until/--recheck) is the run's whole job: no album, sharing or flag views.
    const whole = !params.range;
    // Favorites and the archive beside everything else (a --rescan reads both flags from every row anyway).
    if (run.client && params.rescan !== true && whole) {
      flags = followFlagViews({ db: run.db!, client: run.client, baseUrl: params.baseUrl, logger: log, signal: queue.halt, whole: params.wholeFlagViews === true });
      flags.catch(() => undefined);
    }
    let trash: TrashOutcome | null = null;
    if (run.client) {
      trash = await syncTrash({ db: run.db!, client: run.client, baseUrl: params.baseUrl, logger: log, signal: queue.halt });
      summary.trash = { inTrash: trash.inTrash, restored: trash.restored, purged: trash.purged, neverBackedUp: trash.neverBackedUp };
      if (trash.neverBackedUp > 0) log.info(`Google's trash holds ${trash.neverBackedUp} item(s) no run saw before they went there: not backed up; restore them in Google Photos to have them backed up (\`gphotos-keep status\` says when the first goes for good)`);
      if (trash.restored > 0) queue.more();
    }
    // --prune moves files of gone items: only when the trash is known, so a trashed item is never taken for one.
    const pruneNow = params.prune === true && trash?.complete === true;
    if (params.prune === true && !pruneNow) log.warn('--prune skipped: Google\'s trash could not be listed this run, so deleted items cannot be told from trashed ones');
    const outcome = await runListing({
      db: run.db!,
      outDir: run.outDir,
      page: run.page,
      baseUrl: params.baseUrl,
      client: run.client,
      rescan: params.rescan === true,
      rescanDays: params.rescanDays ?? 7,
      acceptDeletions: params.acceptDeletions === true,
      prune: pruneNow,
      range: params.range ?? null,
      logger: log,
      signal: queue.halt,
      onPage: (listed) => {
        summary.listing = listed.strategy;
        summary.found = listed.found;
        summary.new += listed.newKeys.length;
        summary.skipped += listed.alreadyDone;
        events.emit('listed', { found: summary.found, new: summary.new, strategy: listed.strategy });
        log.debug(`listed ${summary.found} items (${summary.new} new)`);
        queue.noteListed(listed.items);
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
    let shares: Awaited<ReturnType<typeof syncShares>> | null = null;
    if (run.client && !queue.stopping && whole) {
      shares = await syncShares({
        db: run.db!,
        outDir: run.outDir,
        client: run.client,
        baseUrl: params.baseUrl,
        request: run.request,
        logger: log,
        signal: queue.halt,
        sharedAlbums: params.sharedAlbums !== false,
        partner: params.partner === true,
        fullPartner: outcome.mode === 'rescan',
        onQueued: () => queue.more(),
      });
    }
    const flagged = (flags ? await flags : null) ?? { favoritesChanged: 0, archiveChanged: 0 };
    if (shares) {
      summary.albums = { albums: shares.albums, listed: shares.albumsListed, gone: shares.albumsGone.length };
      summary.sharedQueued = shares.queued;
      log.info(
        `albums: ${shares.albums} (${shares.albumsListed} listed again, ${shares.albumsGone.length} gone from Google)` +
          (shares.queued > 0 ? `; ${shares.queued} item(s) of others queued` : '') +
          (flagged.favoritesChanged + flagged.archiveChanged > 0 ? `; ${flagged.favoritesChanged} favorite and ${flagged.archiveChanged} archive flag(s) changed` : ''),
      );
    }
  } catch (error) {
    if (error instanceof KeepError && error.stopsRun) queue.stop(error);
    else {
      // The summary says it once, with what it means; the log file keeps it here.
      summary.listingError = describeError(error);
      log.error(FILE_ONLY, `listing stopped: ${summary.listingError}; items listed so far are still downloaded`);
    }
  } finally {
    // The flags are in the index before the link folders are made from them.
    await flags?.catch(() => undefined);
    queue.listingEnded();
    events.emit('listingDone', { found: summary.found, complete: summary.listingComplete });
  }
}

/**
 * --dry-run: the whole listing (or the period), counted against the index (if any); nothing is
 * written. Each item it would download is emitted with its local date taken, name and size
 * (Google's bulk info tells those the listing rows do not, 100 keys a request).
 */
export async function dryRunListing(run: ListingRun): Promise<void> {
  const { params, summary, events, db } = run;
  const seen = new Set<string>();
  const would = { items: 0, bytes: 0, unknownSize: 0 };
  summary.wouldDownload = would;
  const onFallback = (why: string): void => params.logger.warn(`listing by RPC failed (${why}); scrolling the grid`);
  const listing = params.range
    ? listPeriod({ page: run.page, baseUrl: params.baseUrl, client: run.client, range: params.range, signal: params.signal, onFallback })
    : enumerateLibrary({ page: run.page, baseUrl: params.baseUrl, client: run.client, signal: params.signal, onFallback });
  for await (const listed of listing) {
    summary.listing = listed.strategy;
    const wanted: { item: RemoteItem; row: ItemRow | undefined }[] = [];
    for (const item of listed.items) {
      if (seen.has(item.mediaKey)) continue;
      seen.add(item.mediaKey);
      const row = db ? getItem(db, item.mediaKey) : undefined;
      if (!row) summary.new++;
      if (row?.state === 'done') summary.skipped++;
      else if (row?.state === 'gone' || row?.state === 'trashed') continue;
      else if (!(row?.state === 'failed' && row.parked_ms != null && !params.retryFailed)) wanted.push({ item, row });
    }
    await describeWanted(run, wanted, (item) => {
      would.items++;
      if (item.bytes === null) would.unknownSize++;
      else would.bytes += item.bytes;
      events.emit('wouldDownload', item);
    });
    summary.found = seen.size;
    events.emit('listed', { found: summary.found, new: summary.new, strategy: listed.strategy });
  }
  summary.listingComplete = !params.signal?.aborted;
  summary.remaining = would.items;
}

/** Name and size of the items a dry run would download: the index's when it knows them, else Google's bulk info. */
async function describeWanted(run: ListingRun, wanted: { item: RemoteItem; row: ItemRow | undefined }[], emit: (item: DryRunItem) => void): Promise<void> {
  const unknown = wanted.filter(({ row, item }) => !row?.file_name || (row.size_bytes ?? item.sizeBytes ?? null) === null).map(({ item }) => item.mediaKey);
  let info = new Map<string, BulkInfo>();
  if (run.client && unknown.length > 0) {
    try {
      info = await fetchBulkInfo(run.client, unknown, { signal: run.params.signal });
    } catch (error) {
      // Names are a convenience of the list: the counts stand without them.
      run.params.logger.debug({ reason: describeError(error) }, 'no file names for the dry run list');
    }
  }
  for (const { item, row } of wanted) {
    const bulk = info.get(item.mediaKey);
    emit({
      mediaKey: item.mediaKey,
      takenAt: new Date(item.takenMs + item.tzOffsetMs).toISOString().replace(/\.\d{3}Z$/, ''),
      fileName: row?.file_name ?? bulk?.fileName ?? null,
      bytes: row?.size_bytes ?? item.sizeBytes ?? bulk?.sizeBytes ?? null,
      state: !row ? 'new' : row.state === 'failed' || row.state === 'deferred' ? row.state : 'pending',
    });
  }
}
