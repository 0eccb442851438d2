// The downloads of one run. The queue owns the whole life of an item in it:
//
//   claim (the index's next pending item) → a page slot, two items pipelined per page →
//   retry by error class → record the outcome (done, failed, deferred) → SHA-1 confirmation
//
// What it needs from the site beyond the viewer (an item's info, whether it has an original,
// who holds a SHA-1) comes through one small port, SiteLookups, filled by the run.
import { EventEmitter } from 'node:events';
import pRetry from 'p-retry';
import type { BrowserContext } from 'playwright-core';
import { DeferredError, KeepError, SignedOutError, TransientError, describeError, isRetryable } from '../errors.js';
import { PathPlanner } from '../folder/planner.js';
import { FILE_ONLY, type Logger } from '../log.js';
import { extractLivePhotoZip } from '../media/live-zip.js';
import type { ItemPlace } from '../model/albums.js';
import type { BulkInfo, ExtendedInfo, RemoteItem } from '../model/remote-item.js';
import type { TakenRange } from '../model/taken-range.js';
import type { Db } from '../store/database.js';
import { type ItemRow, markDeferred, markFailed, nextPending, noteFileName } from '../store/items.js';
import { type HashHolders, OriginalConfirmer } from './confirm.js';
import { Mutex } from './gate.js';
import { ItemFacts } from './item-facts.js';
import { awaitTransfers, type DownloadEnv, type FileInspector, type ItemResult, placeTransferred, startItem } from './item.js';
import { PagePool } from './pool.js';

/** What the queue asks the site about an item, besides opening its viewer. Each may throw. */
export interface SiteLookups {
  /** Google's extended info (file name, date and offset, size, location, description); `place`: where the item is seen, when not the library. */
  itemInfo(mediaKey: string, place?: ItemPlace): Promise<ExtendedInfo>;
  /** File name, dates and listed size of many library items in one call (keys Google does not know are left out). */
  bulkInfo(mediaKeys: string[]): Promise<Map<string, BulkInfo>>;
  /** Whether the item has an unedited original (edited in Google). */
  hasOriginal(mediaKey: string, place?: ItemPlace): Promise<boolean>;
  /** Which items Google holds with exactly these bytes (SHA-1). */
  holdersOf: HashHolders;
}

export interface QueueEventMap {
  itemStart: [{ mediaKey: string }];
  itemDone: [{ mediaKey: string; bytes: number; files: string[] }];
  itemDeferred: [{ mediaKey: string; reason: string }];
  itemFailed: [{ mediaKey: string; error: string }];
  retry: [{ mediaKey: string; attempt: number; error: string }];
}

/** Where the queue tells what happens to each item (a run's SyncEvents is one). */
export type QueueEvents = Pick<EventEmitter<QueueEventMap>, 'emit'>;

export interface QueueCounts {
  downloaded: number;
  failed: number;
  deferred: number;
  bytes: number;
}

export interface QueueOptions {
  context: BrowserContext;
  db: Db;
  outDir: string;
  /** `<out>/.gphotos-keep/tmp`: the browser's download folder. */
  tmpDir: string;
  baseUrl: string;
  inspector: FileInspector;
  /** null: no RPC session; the viewer's own menu still tells what to download. */
  site: SiteLookups | null;
  /** Page slots; each pipelines two items. */
  concurrency: number;
  /** Stop after this many downloaded items. */
  limit: number | null;
  /** Tries per item within this run before it is marked failed. */
  maxAttempts: number;
  /** Back-off before an item's first retry (doubles each time). */
  retryMinMs?: number;
  /** --park-after (null: never park). */
  parkAfter: number | null;
  logger: Logger;
  /** The user's stop: take no more work, let in-flight items finish. */
  signal?: AbortSignal;
  events: QueueEvents;
  /** Where an item opens (items seen only through sharing open in an album or the partner's view); absent: the library. */
  placeOf?: (row: ItemRow) => ItemPlace | null;
  /** --since/--until/--recheck: only items taken in this period are claimed. */
  takenRange?: TakenRange | null;
}

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
/** Items in flight per page slot: one transferring while the next opens its viewer. */
const PIPELINE = 2;
const TIMEOUTS: DownloadEnv['timeouts'] = { openMs: 45_000, downloadStartMs: 8_000, transferFloorMs: 120_000, slowBytesPerSecond: 100_000 };

export class DownloadQueue {
  readonly counts: QueueCounts = { downloaded: 0, failed: 0, deferred: 0, bytes: 0 };
  private readonly notifier = new Notifier();
  private readonly inFlight = new Set<string>();
  /** Items this run already handled (failed or deferred): not handed out again. */
  private readonly handled = new Set<string>();
  private readonly halted = new AbortController();
  private stopError: KeepError | null = null;
  private listingOpen = true;
  private readonly env: DownloadEnv;
  private readonly pool: PagePool;
  /** Per slot: one item uses the page at a time, one transfer runs at a time. */
  private readonly pageLocks: Mutex[];
  private readonly transferLocks: Mutex[];
  private readonly confirmer: OriginalConfirmer | null;
  private readonly log: Logger;
  /** An item's facts from the listing's rows and bulk calls, per item only where those do not tell. */
  private readonly facts: ItemFacts;

  constructor(private readonly o: QueueOptions) {
    this.log = o.logger;
    this.facts = new ItemFacts(o.db, o.site, o.logger);
    this.env = {
      outDir: o.outDir,
      tmpDir: o.tmpDir,
      baseUrl: o.baseUrl,
      db: o.db,
      planner: new PathPlanner(o.outDir, o.db),
      logger: o.logger,
      timeouts: TIMEOUTS,
      inspector: o.inspector,
      extractLive: (zip, staging) => extractLivePhotoZip(zip, staging),
      itemInfo: (row, place) => this.facts.info(row, place),
      hasOriginal: this.optional((site, key, place) => site.hasOriginal(key, place), 'download info unavailable; the menu will tell'),
      placeOf: o.placeOf ?? null,
    };
    this.pool = new PagePool(o.context, o.concurrency);
    this.pageLocks = Array.from({ length: o.concurrency }, () => new Mutex());
    this.transferLocks = Array.from({ length: o.concurrency }, () => new Mutex());
    // Bytes Google holds as another item are not this item's: a real failure, whatever else vouched for them.
    this.confirmer = o.site
      ? new OriginalConfirmer(o.db, o.site.holdersOf, o.logger, {
          onContradicted: (key, holder) => {
            this.counts.downloaded--;
            this.fail(key, `the downloaded bytes are Google's item ${holder}, not this one (SHA-1); kept on disk, tried again next run`);
          },
        })
      : null;
  }

  /** Aborted when the run stops (a stopping error or the user's signal): whatever feeds the queue stops with it. */
  get halt(): AbortSignal {
    return this.halted.signal;
  }

  get stopping(): boolean {
    return this.stopError !== null || this.o.signal?.aborted === true;
  }

  /** Rows the listing has recorded: what they tell about their items spares a call per item. */
  noteListed(items: readonly RemoteItem[]): void {
    this.facts.noteListed(items);
  }

  /** The index has new pending items. */
  more(): void {
    this.notifier.notify();
  }

  /** Nothing more will be queued: workers end when the index has no pending item left. */
  listingEnded(): void {
    this.listingOpen = false;
    this.notifier.notify();
  }

  /** Ends the run with this error (the first one wins): no new items, in-flight ones are abandoned. */
  stop(error: KeepError): void {
    if (!this.stopError) {
      this.stopError = error;
      // The run's summary says it to the person, first; the log file keeps it here.
      this.log.error(FILE_ONLY, error.message);
    }
    this.halted.abort();
    this.notifier.notify();
  }

  /** Runs the workers until the index has nothing left for this run; resolves with what stopped it, or null. */
  async run(): Promise<KeepError | null> {
    const onAbort = (): void => {
      this.halted.abort();
      this.notifier.notify();
    };
    this.o.signal?.addEventListener('abort', onAbort, { once: true });
    let finished = false;
    this.o.context.on('close', () => {
      if (!finished) this.stop(new KeepError('the browser closed unexpectedly'));
    });
    try {
      await Promise.all(Array.from({ length: this.o.concurrency }, (_, slot) => this.worker(slot)));
      const confirmed = await this.confirmer?.flush();
      if (confirmed) this.log.debug(`${confirmed} files confirmed as Google's originals by SHA-1`);
    } finally {
      finished = true;
      this.o.signal?.removeEventListener('abort', onAbort);
      await this.pool.closeAll();
    }
    return this.stopError;
  }

  /** A fact a download can do without: null with no site session or when the call fails; only signing out stops the run. */
  private optional<T>(lookup: (site: SiteLookups, mediaKey: string, place?: ItemPlace) => Promise<T>, unavailable: string): (mediaKey: string, place?: ItemPlace) => Promise<T | null> {
    return async (mediaKey, place) => {
      if (!this.o.site) return null;
      try {
        return await lookup(this.o.site, mediaKey, place);
      } catch (error) {
        if (error instanceof SignedOutError) throw error;
        this.log.debug({ mediaKey, err: describeError(error) }, unavailable);
        return null;
      }
    };
  }

  private claim(): ItemRow | null {
    const exclude = new Set([...this.inFlight, ...this.handled]);
    const [row] = nextPending(this.o.db, 1, exclude, NO_ATTEMPT_CAP, this.o.takenRange ?? null);
    if (!row) return null;
    this.inFlight.add(row.media_key);
    return row;
  }

  private async worker(slot: number): Promise<void> {
    const running = new Set<Promise<void>>();
    const limit = this.o.limit;
    while (!this.stopping) {
      if (running.size >= PIPELINE) {
        await Promise.race(running);
        continue;
      }
      if (limit !== null && this.counts.downloaded + this.inFlight.size >= limit) break;
      const row = this.claim();
      if (!row) {
        if (!this.listingOpen && running.size === 0) break;
        await Promise.race([this.notifier.wait(), ...running]);
        continue;
      }
      const item: Promise<void> = this.process(slot, row).finally(() => {
        this.inFlight.delete(row.media_key);
        running.delete(item);
      });
      running.add(item);
    }
    await Promise.all(running);
  }

  /**
   * One try of one item on its slot's page. While one item's file transfers and is placed, the
   * next opens its viewer; its Download starts when the slot's previous transfer has ended, so
   * at most `concurrency` transfers run at once.
   */
  private async attempt(slot: number, row: ItemRow): Promise<ItemResult> {
    const releasePage = await this.pageLocks[slot].acquire();
    let releaseTransfer: (() => void) | null = null;
    let started;
    try {
      const page = await this.pool.page(slot);
      started = await startItem(page, this.env, row, async () => {
        releaseTransfer = await this.transferLocks[slot].acquire();
      });
    } catch (error) {
      (releaseTransfer as (() => void) | null)?.();
      throw error;
    } finally {
      releasePage();
    }
    let transferred;
    try {
      transferred = await awaitTransfers(this.env, started);
    } finally {
      (releaseTransfer as (() => void) | null)?.();
    }
    return await placeTransferred(this.env, row, transferred);
  }

  private async process(slot: number, row: ItemRow): Promise<void> {
    const key = row.media_key;
    this.o.events.emit('itemStart', { mediaKey: key });
    try {
      const result = await pRetry(
        async () => {
          try {
            return await this.attempt(slot, row);
          } catch (error) {
            if (error instanceof KeepError) throw error;
            // Playwright's own errors (a closed page, a crashed renderer): worth another try.
            throw new TransientError(describeError(error).split('\n')[0], { cause: error });
          }
        },
        {
          retries: Math.max(0, this.o.maxAttempts - 1),
          minTimeout: this.o.retryMinMs ?? 1_000,
          factor: 2,
          maxTimeout: 30_000,
          randomize: true,
          shouldRetry: ({ error }) => isRetryable(error) && !this.stopping,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            if (!isRetryable(error) || retriesLeft === 0) return;
            this.o.events.emit('retry', { mediaKey: key, attempt: attemptNumber, error: error.message });
            this.log.info(`${key}: ${error.message} (try ${attemptNumber} of ${this.o.maxAttempts}), retrying`);
          },
        },
      );
      this.done(key, result);
    } catch (error) {
      this.handled.add(key);
      if (error instanceof DeferredError) {
        this.defer(key, error.message);
      } else if (this.stopping) {
        // The session ended, the site changed, the browser went or the user stopped the run
        // (which also ends the run's exiftool): never the item's fault. It stays pending.
        this.log.debug(`${key}: abandoned (${describeError(error)})`);
      } else if (error instanceof KeepError && error.stopsRun) {
        this.stop(error);
      } else {
        // A failing item is named in status, the summary and the pings: learn its name if no download told it.
        if (row.file_name === null) {
          const place = this.env.placeOf ? this.env.placeOf(row) : undefined;
          const info = await this.facts.info(row, place ?? undefined).catch(() => null);
          if (info?.fileName) noteFileName(this.o.db, key, info.fileName);
        }
        this.fail(key, describeError(error));
      }
    }
  }

  // ---- outcomes: the item's files and its done state were recorded by placeTransferred in one
  // transaction (the planner holds the item's paths until then); failed and deferred here.

  private done(key: string, result: ItemResult): void {
    this.facts.forget(key);
    this.counts.downloaded++;
    this.counts.bytes += result.bytes;
    this.confirmer?.add(result.files);
    const files = result.files.map((f) => f.relPath);
    this.o.events.emit('itemDone', { mediaKey: key, bytes: result.bytes, files });
    this.log.debug({ files }, `downloaded ${key}`);
  }

  private defer(key: string, reason: string): void {
    this.facts.forget(key);
    markDeferred(this.o.db, key, reason);
    this.counts.deferred++;
    this.o.events.emit('itemDeferred', { mediaKey: key, reason });
    this.log.info(reason);
  }

  private fail(key: string, message: string): void {
    this.facts.forget(key);
    const failure = markFailed(this.o.db, key, message, Date.now(), this.o.parkAfter);
    this.counts.failed++;
    this.o.events.emit('itemFailed', { mediaKey: key, error: message });
    this.log.warn(`${key} failed: ${message}`);
    if (failure.parked) this.log.warn(`${key} failed in ${failure.failedRuns} runs: parked, not tried again until \`gphotos-keep sync --retry-failed\``);
  }
}
