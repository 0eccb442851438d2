// Google's trash, every run: an item of the index that sits in the trash is `trashed` (not
// gone: Google keeps it 60 days and it may come back), with the time it went there. An item
// that left the trash is looked up in the library by its date taken: listed there, it was
// restored and simply comes back; not listed, it was deleted for good and is gone. Items in the
// trash that no run ever saw are counted (status names the date the first of them goes for
// good): nothing of them is backed up, and restoring them in Google is the only way to.
import { describeError, KeepError } from '../errors.js';
import type { Logger } from '../log.js';
import { listTrashPage } from '../site/album-calls.js';
import { listLibraryPage } from '../site/calls.js';
import type { RpcCallerLike } from '../site/retry.js';
import { setNeverBackedUp, trashedItems } from '../store/albums.js';
import type { Db } from '../store/database.js';
import { getItem, markPurged, markRestored, markTrashed } from '../store/items.js';

export interface TrashOutcome {
  /** The whole trash was listed: only then is what left it looked up. */
  complete: boolean;
  /** Items of the index in the trash now. */
  inTrash: number;
  /** Items that went into the trash since the last run. */
  trashed: number;
  restored: number;
  /** Left the trash without coming back: deleted for good. */
  purged: number;
  /** Items in the trash that no run saw before they went there: nothing of them is backed up. */
  neverBackedUp: number;
}

export interface TrashParams {
  db: Db;
  client: RpcCallerLike;
  baseUrl: string;
  logger: Logger;
  signal?: AbortSignal;
  nowMs?: () => number;
}

export async function syncTrash(params: TrashParams): Promise<TrashOutcome> {
  const { db, client, logger: log } = params;
  const now = params.nowMs ?? Date.now;
  const outcome: TrashOutcome = { complete: false, inTrash: 0, trashed: 0, restored: 0, purged: 0, neverBackedUp: 0 };
  let firstTrashedMs: number | null = null;
  const listed = new Set<string>();
  const retry = { signal: params.signal, onRetry: (error: unknown, attempt: number) => log.warn(`listing the trash: ${describeError(error)} (try ${attempt}), backing off`) };
  try {
    let pageId: string | null = null;
    do {
      if (params.signal?.aborted) return outcome;
      const page = await listTrashPage(client, params.baseUrl, pageId, retry);
      for (const item of page.items) {
        listed.add(item.mediaKey);
        if (!getItem(db, item.mediaKey)) {
          // Trashed before any run saw it: only a restore in Google brings it to the backup.
          outcome.neverBackedUp++;
          if (item.trashedMs !== null && (firstTrashedMs === null || item.trashedMs < firstTrashedMs)) firstTrashedMs = item.trashedMs;
          continue;
        }
        outcome.inTrash++;
        if (markTrashed(db, item.mediaKey, item.trashedMs)) outcome.trashed++;
      }
      pageId = page.nextPageId;
    } while (pageId);
  } catch (error) {
    if (error instanceof KeepError && error.stopsRun && !(error.outcome === 'SiteChanged')) throw error;
    log.warn(`the trash could not be listed (${describeError(error)}); items that left it are looked at next run`);
    return outcome;
  }
  outcome.complete = true;
  setNeverBackedUp(db, { count: outcome.neverBackedUp, firstTrashedMs });

  for (const row of trashedItems(db).items) {
    if (listed.has(row.media_key) || params.signal?.aborted) continue;
    const inLibrary = await listedInLibrary(client, row.media_key, row.taken_ms, retry);
    if (inLibrary === true) {
      markRestored(db, row.media_key);
      outcome.restored++;
      log.info(`${row.file_name ?? row.media_key} was restored from Google's trash`);
    } else if (inLibrary === false) {
      markPurged(db, row.media_key, now());
      outcome.purged++;
      log.info(`${row.file_name ?? row.media_key} was deleted for good from Google's trash: gone (its files stay unless --prune)`);
    }
  }
  return outcome;
}

/**
 * Is the item in the library (or the archive)? The listing by date taken started at its own
 * taken time shows it on its first page if it is there. null: that page holds only items taken
 * at the same moment and did not reach it, so nobody can tell yet.
 */
async function listedInLibrary(client: RpcCallerLike, mediaKey: string, takenMs: number, retry: { signal?: AbortSignal }): Promise<boolean | null> {
  const page = await listLibraryPage(client, { pageId: null, source: 'both', fromMs: takenMs }, retry);
  if (page.items.some((item) => item.mediaKey === mediaKey)) return true;
  if (page.nextPageId === null || page.items.some((item) => item.takenMs < takenMs)) return false;
  return null;
}
