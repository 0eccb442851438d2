// Turns sync's events into the progress display's events, and works out how many items this run
// will handle (the index's outstanding items plus what this run already finished, no more than
// --limit lets it download), since sync itself only reports what happened.
import { existsSync } from 'node:fs';
import { type Db, indexPath, openIndex } from '../store/database.js';
import { countOutstanding, type TakenRange } from '../store/stats.js';
import type { ProgressEvent } from './progress.js';
import type { SyncEvents } from './sync-types.js';

export interface ProgressFeed {
  /** Stops listening and closes the index connection; idempotent. */
  detach(): void;
}

export interface FeedOptions {
  minIntervalMs?: number;
  /** --limit: the run downloads at most this many (failed and deferred items do not count against it). */
  limit?: number | null;
  /** --since/--until: only items taken in this range are this run's. */
  takenRange?: TakenRange | null;
}

export function feedSyncProgress(events: SyncEvents, outDir: string, progress: (e: ProgressEvent) => void, options: FeedOptions = {}): ProgressFeed {
  let db: Db | null = null;
  let closed = false;
  let lastCount = 0;
  const finished = { downloaded: 0, failed: 0, deferred: 0 };
  const minInterval = options.minIntervalMs ?? 500;

  const updateQueue = (force: boolean): void => {
    if (closed) return;
    const now = Date.now();
    if (!force && now - lastCount < minInterval) return;
    lastCount = now;
    try {
      if (!db) {
        if (!existsSync(indexPath(outDir))) return;
        db = openIndex(outDir, { readonly: true });
      }
      const o = countOutstanding(db, options.takenRange ?? null);
      // Items failed or deferred by this run are outstanding in the index and finished here.
      let total = finished.downloaded + finished.failed + finished.deferred + o.pending + Math.max(0, o.failed - finished.failed) + Math.max(0, o.deferred - finished.deferred);
      // --limit N: N downloads at most, besides the items that fail or wait.
      if (typeof options.limit === 'number') total = Math.min(total, options.limit + finished.failed + finished.deferred);
      progress({ type: 'queue', total });
    } catch {
      // The display is a convenience: a busy or missing index only leaves the total behind.
    }
  };

  const onListed = (e: { found: number; new: number }) => {
    progress({ type: 'listing', found: e.found, new: e.new });
    updateQueue(true);
  };
  const onListingDone = (e: { found: number }) => {
    progress({ type: 'listing', found: e.found, done: true });
    updateQueue(true);
  };
  const onDone = (e: { mediaKey: string; bytes: number }) => {
    finished.downloaded++;
    progress({ type: 'downloaded', mediaKey: e.mediaKey, bytes: e.bytes });
    updateQueue(false);
  };
  const onDeferred = (e: { mediaKey: string; reason: string }) => {
    finished.deferred++;
    progress({ type: 'deferred', mediaKey: e.mediaKey, reason: e.reason });
    updateQueue(false);
  };
  const onFailed = (e: { mediaKey: string; error: string }) => {
    finished.failed++;
    progress({ type: 'failed', mediaKey: e.mediaKey, error: e.error });
    updateQueue(false);
  };
  const onStart = (e: { mediaKey: string }) => {
    progress({ type: 'started', mediaKey: e.mediaKey });
    updateQueue(false);
  };

  events.on('listed', onListed);
  events.on('listingDone', onListingDone);
  events.on('itemDone', onDone);
  events.on('itemDeferred', onDeferred);
  events.on('itemFailed', onFailed);
  events.on('itemStart', onStart);
  return {
    detach() {
      if (closed) return;
      closed = true;
      events.off('listed', onListed);
      events.off('listingDone', onListingDone);
      events.off('itemDone', onDone);
      events.off('itemDeferred', onDeferred);
      events.off('itemFailed', onFailed);
      events.off('itemStart', onStart);
      try {
        db?.close();
      } catch {
        // nothing to save
      }
    },
  };
}
