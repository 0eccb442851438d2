// One sync run: session check → list the library into the index while N page workers
// download pending items → summary. The index joins the two halves: the queue is whatever
// the index says is pending, so a run killed at any moment resumes from it.
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import pRetry from 'p-retry';
import type { BrowserContext, Page } from 'playwright-core';
import { OriginalConfirmer } from '../adopt/confirm.js';
import { launchProfile } from '../browser/launch.js';
import { DeferredError, ExitCode, KeepError, SignedOutError, SiteChangedError, TransientError, UsageError, describeError, isRetryable } from '../errors.js';
import { awaitTransfers, type DownloadEnv, type ItemResult, placeTransferred, startItem, type StartedItem, type Transferred } from '../download/item.js';
import { Mutex } from '../download/gate.js';
import { PART_FILE } from '../folder/part-files.js';
import { PathPlanner } from '../folder/planner.js';
import { PagePool } from '../download/pool.js';
import { emptyDir, removeQuietly } from '../folder/durable.js';
import { findParts } from '../folder/part-files.js';
import { enumerateLibrary, type ListingStrategy } from '../library/enumerate.js';
import type { Logger } from '../log.js';
import { MediaInspector } from '../media/inspect.js';
import { extractLivePhotoZip } from '../media/live-zip.js';
import { RpcClient } from '../site/rpc-client.js';
import { checkSession } from '../site/session.js';
import { fetchHasOriginal, fetchItemInfo } from '../site/calls.js';
import { STATE_DIR, type Db, indexPath, openIndex, stateDir } from '../store/database.js';
import { type ItemRow, PARKED, getItem, markDeferred, markFailed, nextPending, noteFileName, unparkFailed } from '../store/items.js';
import type { RunCounts } from '../store/runs.js';
import { runListing } from './listing.js';
import { type ParkedList, parkedList } from './report.js';

export interface SyncParams {
  outDir: string;
  profileDir: string;
  baseUrl: string;
  concurrency: number;
  /** Stop after this many downloaded items. */
  limit?: number | null;
  /** List and count only: nothing is written to --out. */
  dryRun?: boolean;
  /** Tries per item within this run before it is marked failed (the next run tries again). */
  maxAttempts: number;
  /** --park-after: an item that failed in this many runs is parked (not tried again until retryFailed); null never parks. */
  parkAfter?: number | null;
  /** --retry-failed: parked items are tried again this run, their count of failed runs starting over. */
  retryFailed?: boolean;
  logger: Logger;
  /** Aborted on SIGINT/SIGTERM: stop taking work, let in-flight items finish. */
  signal?: AbortSignal;
  events?: SyncEvents;
  /** Back-off before the first retry of an item (doubles each time). */
  retryMinMs?: number;
  headless?: boolean;
  /** --rescan: list the whole library by date taken and reconcile deletions. */
  rescan?: boolean;
  /** --rescan-days: rescan automatically when the last full rescan is older (default 7). */
  rescanDays?: number;
  /** --accept-deletions: let a rescan mark items gone past the mass-disappearance guard. */
  acceptDeletions?: boolean;
  /** --prune: move files of items deleted in Google into .gphotos-keep/trash/<date>/. */
  prune?: boolean;
}

export interface SyncSummary extends RunCounts {
  seconds: number;
  /** Items the index still has to download after this run (pending, failed, deferred). */
  remaining: number;
  listing: ListingStrategy | null;
  listingComplete: boolean;
  dryRun: boolean;
  exitCode: ExitCode;
  /** Why the run ended early (signed out, site changed, interrupted), or null. */
  stoppedBy: string | null;
  /** This run listed the whole library by date taken and reconciled it (else: recent uploads only). */
  fullRescan: boolean;
  /** Items this run's rescan marked gone (deleted in Google; their files stay unless --prune). */
  gone: number;
  /** Items edited in Google: the old files were kept as dated versions and the new version queued. */
  changed: number;
  /** Files moved into the trash by --prune. */
  pruned: number;
  /** Why the rescan refused to mark items gone (mass-disappearance guard, exit 5), or null. */
  deletionsRefused: string | null;
  /** Items parked after failing in --park-after runs: not tried, but the run exits 3 while any exist. */
  parked: ParkedList;
}

export interface SyncEventMap {
  session: [{ email: string | null }];
  listed: [{ found: number; new: number; strategy: ListingStrategy }];
  listingDone: [{ found: number; complete: boolean }];
  itemStart: [{ mediaKey: string }];
  itemDone: [{ mediaKey: string; bytes: number; files: string[] }];
  itemDeferred: [{ mediaKey: string; reason: string }];
  itemFailed: [{ mediaKey: string; error: string }];
  retry: [{ mediaKey: string; attempt: number; error: string }];
}

/** Progress of a run, for a progress display or metrics. */
export class SyncEvents extends EventEmitter<SyncEventMap> {}

/** Wakes workers waiting for more pending items. */
class Notifier {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

const NO_ATTEMPT_CAP = Number.MAX_SAFE_INTEGER;

/**
 * A sync run's pages are all on one site: one renderer process serves them, and the GPU
 * (nothing to draw, headless) and network services live in the browser process. The omnibox
 * popup, a WebUI renderer of its own in headless Chromium, is never used. With 1 + 4 pages
 * this takes Chromium from 11 processes to 5 (npm run bench -- sync measures the tree).
 */
const RUN_BROWSER_ARGS = [
  '--process-per-site',
  '--renderer-process-limit=1',
  '--in-process-gpu',
  '--enable-features=NetworkServiceInProcess2',
  '--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup,WebUIOmniboxFullPopup',
  '--autoplay-policy=user-gesture-required',
];

export async function syncLibrary(params: SyncParams): Promise<SyncSummary> {
  const started = Date.now();
  const log = params.logger;
  const events = params.events ?? new SyncEvents();
  const dryRun = params.dryRun === true;
  const outDir = path.resolve(params.outDir);
  checkOutDir(outDir, dryRun);
  if (!existsSync(params.profileDir)) {
    throw new SignedOutError(`No browser profile at ${params.profileDir}: run \`gphotos-keep login\` first (or pass --profile), then run sync again.`);
  }

  const summary: SyncSummary = {
    found: 0,
    new: 0,
    downloaded: 0,
    skipped: 0,
    deferred: 0,
    failed: 0,
    bytes: 0,
    seconds: 0,
    remaining: 0,
    listing: null,
    listingComplete: false,
    dryRun,
    exitCode: ExitCode.Complete,
    stoppedBy: null,
    fullRescan: false,
    gone: 0,
    changed: 0,
    pruned: 0,
    deletionsRefused: null,
    parked: { total: 0, items: [] },
  };

  let db: Db | null = null;
  let context: BrowserContext | null = null;
  let inspector: MediaInspector | null = null;
  const tmpDir = path.join(stateDir(outDir), 'tmp');
  try {
    if (dryRun) {
      db = existsSync(indexPath(outDir)) ? openIndex(outDir, { readonly: true }) : null;
    } else {
      db = openIndex(outDir);
      if (params.retryFailed) {
        const unparked = unparkFailed(db);
        if (unparked > 0) log.info(`--retry-failed: ${unparked} parked item(s) will be tried again`);
      }
      await emptyDir(tmpDir);
      await removeStaleParts(outDir, log);
    }
    context = await launchProfile({ profileDir: params.profileDir, headless: params.headless ?? true, downloadsPath: dryRun ? undefined : tmpDir, logger: params.logger, extraArgs: RUN_BROWSER_ARGS });
    const rpcPage = context.pages()[0] ?? (await context.newPage());

    let client: RpcClient | null = null;
    try {
      const tokens = await checkSession(rpcPage, params.baseUrl);
      client = new RpcClient(rpcPage, params.baseUrl, tokens);
      events.emit('session', { email: tokens.email });
      log.info({ account: tokens.email ?? undefined }, 'signed in');
    } catch (error) {
      // No RPC tokens on a signed-in page: the grid listing may still work.
      if (!(error instanceof SiteChangedError)) throw error;
      log.warn(`${error.message} — trying the library grid instead`);
    }

    if (dryRun) {
      await dryRunListing(rpcPage, params, client, db, summary, events);
    } else {
      inspector = new MediaInspector();
      await runWorkers(context, rpcPage, client, db!, inspector, tmpDir, outDir, params, summary, events);
    }
  } catch (error) {
    if (!(error instanceof KeepError) || !(error.stopsRun || error instanceof SignedOutError)) throw error;
    if (error instanceof UsageError) throw error;
    summary.stoppedBy = error.message;
    summary.exitCode = error.exitCode;
  } finally {
    await inspector?.end();
    await context?.close().catch(() => undefined);
    if (db && !dryRun) summary.remaining = countRemaining(db);
    if (db && !(dryRun && params.retryFailed)) summary.parked = parkedList(db, 20);
    db?.close();
  }
  summary.seconds = Math.round((Date.now() - started) / 100) / 10;
  if (summary.exitCode === ExitCode.Complete && !dryRun) {
    if (summary.failed > 0 || summary.parked.total > 0 || !summary.listingComplete || (params.signal?.aborted && summary.remaining > 0)) summary.exitCode = ExitCode.Partial;
  }
  if (params.signal?.aborted && summary.stoppedBy === null) summary.stoppedBy = 'interrupted';
  // A rescan that looked broken: the downloads still ran, but the owner must hear about it.
  if (summary.deletionsRefused && (summary.exitCode === ExitCode.Complete || summary.exitCode === ExitCode.Partial)) summary.exitCode = ExitCode.SiteChanged;
  return summary;
}

function checkOutDir(outDir: string, dryRun: boolean): void {
  if (existsSync(outDir)) {
    if (!statSync(outDir).isDirectory()) throw new UsageError(`--out ${outDir} is not a folder: give a folder for the backup.`);
    return;
  }
  if (dryRun) return;
  try {
    mkdirSync(outDir, { recursive: true });
  } catch (cause) {
    throw new UsageError(`--out ${outDir} cannot be created: ${(cause as Error).message}`);
  }
}

/** `.part` files of a run that was killed were never recorded: they go. */
async function removeStaleParts(outDir: string, log: Logger): Promise<void> {
  const stale = await findParts(outDir, PART_FILE, (name) => name === STATE_DIR);
  for (const file of stale) await removeQuietly(file);
  if (stale.length > 0) log.info(`removed ${stale.length} unfinished .part file(s) from an earlier run`);
}

function countRemaining(db: Db): number {
  return (db.prepare(`SELECT COUNT(*) FROM items WHERE state IN ('pending', 'failed', 'deferred') AND NOT (${PARKED})`).pluck().get() as number) ?? 0;
}

async function dryRunListing(page: Page, params: SyncParams, client: RpcClient | null, db: Db | null, summary: SyncSummary, events: SyncEvents): Promise<void> {
  const seen = new Set<string>();
  let wouldDownload = 0;
  for await (const listed of enumerateLibrary({ page, baseUrl: params.baseUrl, client, signal: params.signal, onFallback: (why) => params.logger.warn(`listing by RPC failed (${why}); scrolling the grid`) })) {
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

async function runWorkers(
  context: BrowserContext,
  rpcPage: Page,
  client: RpcClient | null,
  db: Db,
  inspector: MediaInspector,
  tmpDir: string,
  outDir: string,
  params: SyncParams,
  summary: SyncSummary,
  events: SyncEvents,
): Promise<void> {
  const log = params.logger;
  const notifier = new Notifier();
  const inFlight = new Set<string>();
  /** Items this run already handled (failed or deferred): not handed out again. */
  const handled = new Set<string>();
  let listingDone = false;
  const listingStop = new AbortController();
  let stopError: KeepError | null = null;
  const stopping = (): boolean => stopError !== null || params.signal?.aborted === true;
  const stop = (error: KeepError): void => {
    if (!stopError) {
      stopError = error;
      log.error(error.message);
    }
    listingStop.abort();
    notifier.notify();
  };
  params.signal?.addEventListener('abort', () => notifier.notify(), { once: true });
  let finished = false;
  context.on('close', () => {
    if (!finished) stop(new KeepError('the browser closed unexpectedly'));
  });

  /** A fact a download can do without: null with no RPC client or when the call fails; only signing out stops the run. */
  const optionalLookup =
    <T>(lookup: (client: RpcClient, baseUrl: string, mediaKey: string) => Promise<T>, unavailable: string) =>
    async (mediaKey: string): Promise<T | null> => {
      if (!client) return null;
      try {
        return await lookup(client, params.baseUrl, mediaKey);
      } catch (error) {
        if (error instanceof SignedOutError) throw error;
        log.debug({ mediaKey, err: describeError(error) }, unavailable);
        return null;
      }
    };

  const env: DownloadEnv = {
    outDir,
    tmpDir,
    baseUrl: params.baseUrl,
    db,
    planner: new PathPlanner(outDir, db),
    logger: log,
    timeouts: { openMs: 45_000, downloadStartMs: 8_000, transferFloorMs: 120_000, slowBytesPerSecond: 100_000 },
    inspector,
    extractLive: (zip, staging) => extractLivePhotoZip(zip, staging),
    itemInfo: optionalLookup(fetchItemInfo, 'item info unavailable'),
    hasOriginal: optionalLookup(fetchHasOriginal, 'download info unavailable; the menu will tell'),
  };

  // ---- listing: recent uploads, or a full rescan (src/run/listing.ts), page by page into the index
  const stopListing = (): void => listingStop.abort();
  params.signal?.addEventListener('abort', stopListing, { once: true });
  const listing = (async () => {
    try {
      const outcome = await runListing({
        db,
        outDir,
        page: rpcPage,
        baseUrl: params.baseUrl,
        client,
        rescan: params.rescan === true,
        rescanDays: params.rescanDays ?? 7,
        acceptDeletions: params.acceptDeletions === true,
        prune: params.prune === true,
        logger: log,
        signal: listingStop.signal,
        onPage: (listed) => {
          summary.listing = listed.strategy;
          summary.found = listed.found;
          summary.new += listed.newKeys.length;
          summary.skipped += listed.alreadyDone;
          events.emit('listed', { found: summary.found, new: summary.new, strategy: listed.strategy });
          log.debug(`listed ${summary.found} items (${summary.new} new)`);
          notifier.notify();
        },
        onQueued: () => notifier.notify(),
      });
      summary.found = outcome.found;
      summary.fullRescan = outcome.mode === 'rescan' && outcome.complete;
      summary.gone = outcome.gone;
      summary.changed = outcome.changed;
      summary.pruned = outcome.prune?.moved.length ?? 0;
      summary.deletionsRefused = outcome.refused?.message ?? null;
      summary.listingComplete = outcome.complete && !stopping();
    } catch (error) {
      if (error instanceof KeepError && error.stopsRun) stop(error);
      else log.error(`listing stopped: ${describeError(error)}; items listed so far are still downloaded`);
    } finally {
      params.signal?.removeEventListener('abort', stopListing);
      listingDone = true;
      events.emit('listingDone', { found: summary.found, complete: summary.listingComplete });
      notifier.notify();
    }
  })();

  // Which kept files are byte for byte what Google holds as the upload (files.original_confirmed):
  // asked in batches through the SHA-1 lookup, never failing the run.
  // Bytes Google holds as another item are not this item's: a real failure, whatever else vouched for them.
  const confirmer = client
    ? new OriginalConfirmer(db, client, log, {
        onContradicted: (key, holder) => {
          const message = `the downloaded bytes are Google's item ${holder}, not this one (SHA-1); kept on disk, tried again next run`;
          markFailed(db, key, message, Date.now(), params.parkAfter ?? null);
          summary.downloaded--;
          summary.failed++;
          events.emit('itemFailed', { mediaKey: key, error: message });
        },
      })
    : null;

  // ---- workers: take pending items from the index ------------------------------------------
  const pool = new PagePool(context, params.concurrency);
  const limit = params.limit ?? null;
  const claim = (): ItemRow | null => {
    const exclude = new Set([...inFlight, ...handled]);
    const [row] = nextPending(db, 1, exclude, NO_ATTEMPT_CAP);
    if (!row) return null;
    inFlight.add(row.media_key);
    return row;
  };

  // Each worker slot has one page and pipelines two items on it: while one item's file
  // transfers and is placed, the next one opens its viewer; its Download starts when the
  // slot's previous transfer has ended, so at most `concurrency` transfers run at once.
  const pageLocks = Array.from({ length: params.concurrency }, () => new Mutex());
  const transferLocks = Array.from({ length: params.concurrency }, () => new Mutex());
  const attemptItem = async (slot: number, row: ItemRow): Promise<ItemResult> => {
    const releasePage = await pageLocks[slot].acquire();
    let releaseTransfer: (() => void) | null = null;
    let started: StartedItem;
    try {
      const page = await pool.page(slot);
      started = await startItem(page, env, row, async () => {
        releaseTransfer = await transferLocks[slot].acquire();
      });
    } catch (error) {
      (releaseTransfer as (() => void) | null)?.();
      throw error;
    } finally {
      releasePage();
    }
    let transferred: Transferred;
    try {
      transferred = await awaitTransfers(env, started);
    } finally {
      (releaseTransfer as (() => void) | null)?.();
    }
    return await placeTransferred(env, row, transferred);
  };

  const processItem = async (slot: number, row: ItemRow): Promise<void> => {
    const key = row.media_key;
    events.emit('itemStart', { mediaKey: key });
    try {
      const result = await pRetry(
        async () => {
          try {
            return await attemptItem(slot, row);
          } catch (error) {
            if (error instanceof KeepError) throw error;
            // Playwright's own errors (a closed page, a crashed renderer): worth another try.
            throw new TransientError(describeError(error).split('\n')[0], { cause: error });
          }
        },
        {
          retries: Math.max(0, params.maxAttempts - 1),
          minTimeout: params.retryMinMs ?? 1_000,
          factor: 2,
          maxTimeout: 30_000,
          randomize: true,
          shouldRetry: ({ error }) => isRetryable(error) && !stopping(),
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (!isRetryable(error) || retriesLeft === 0) return;
            events.emit('retry', { mediaKey: key, attempt: attemptNumber, error: error.message });
            log.info(`${key}: ${error.message} (try ${attemptNumber} of ${params.maxAttempts}), retrying`);
          },
        },
      );
      summary.downloaded++;
      summary.bytes += result.bytes;
      confirmer?.add(result.files);
      events.emit('itemDone', { mediaKey: key, bytes: result.bytes, files: result.files.map((f) => f.relPath) });
      log.debug({ files: result.files.map((f) => f.relPath) }, `downloaded ${key}`);
    } catch (error) {
      handled.add(key);
      if (error instanceof DeferredError) {
        markDeferred(db, key, error.message);
        summary.deferred++;
        events.emit('itemDeferred', { mediaKey: key, reason: error.message });
        log.info(error.message);
      } else if (stopping()) {
        // The session ended, the site changed, the browser went or the user stopped the run
        // (which also ends the run's exiftool): never the item's fault. It stays pending.
        log.debug(`${key}: abandoned (${describeError(error)})`);
      } else if (error instanceof KeepError && error.stopsRun) {
        stop(error);
      } else {
        const message = describeError(error);
        // A failing item is named in status, the summary and the pings: learn its name if no download told it.
        if (row.file_name === null) {
          const info = await env.itemInfo!(key).catch(() => null);
          if (info?.fileName) noteFileName(db, key, info.fileName);
        }
        const failure = markFailed(db, key, message, Date.now(), params.parkAfter ?? null);
        summary.failed++;
        events.emit('itemFailed', { mediaKey: key, error: message });
        log.warn(`${key} failed: ${message}`);
        if (failure.parked) log.warn(`${key} failed in ${failure.failedRuns} runs: parked, not tried again until \`gphotos-keep sync --retry-failed\``);
      }
    }
  };

  const PIPELINE = 2;
  const worker = async (slot: number): Promise<void> => {
    const running = new Set<Promise<void>>();
    while (!stopping()) {
      if (running.size >= PIPELINE) {
        await Promise.race(running);
        continue;
      }
      if (limit !== null && summary.downloaded + inFlight.size >= limit) break;
      const row = claim();
      if (!row) {
        if (listingDone && running.size === 0) break;
        await Promise.race([notifier.wait(), ...running]);
        continue;
      }
      const item: Promise<void> = processItem(slot, row).finally(() => {
        inFlight.delete(row.media_key);
        running.delete(item);
      });
      running.add(item);
    }
    await Promise.all(running);
  };

  try {
    await Promise.all([listing, ...Array.from({ length: params.concurrency }, (_, slot) => worker(slot))]);
    const confirmed = await confirmer?.flush();
    if (confirmed) log.debug(`${confirmed} files confirmed as Google's originals by SHA-1`);
  } finally {
    finished = true;
    await pool.closeAll();
  }
  if (stopError) throw stopError;
}
