// Turns sync's events into the progress display's events, and works out how many items this run
// has to download (the index's outstanding items plus what this run already finished), since
// sync itself only reports what happened.
import { existsSync } from 'node:fs';
import { type Db, indexPath, openIndex } from '../store/database.js';
import { countOutstanding } from '../store/stats.js';
import type { ProgressEvent } from './progress.js';
import type { SyncEvents } from './sync-types.js';

export interface ProgressFeed {
  /** Stops listening and closes the index connection; idempotent. */
  detach(): void;
}

export function feedSyncProgress(events: SyncEvents, outDir: string, progress: (e: ProgressEvent) => void, options: { minIntervalMs?: number } = {}): ProgressFeed {
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
      const o = countOutstanding(db);
      // Items failed or deferred by this run are outstanding in the index and finished here.
      const total = finished.downloaded + finished.failed + finished.deferred + o.pending + Math.max(0, o.failed - finished.failed) + Math.max(0, o.deferred - finished.deferred);
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
  const onStart = () => updateQueue(false);

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
