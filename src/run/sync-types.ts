// What a sync run takes, what it reports, and the events it emits on the way (the progress
// display and the tests listen to them; the download queue's own events are among them).
import { EventEmitter } from 'node:events';
import type { QueueEventMap } from '../download/queue.js';
import type { ListingStrategy } from '../library/enumerate.js';
import type { Logger } from '../log.js';
import type { LinkMode } from '../model/albums.js';
import type { RunCounts } from '../store/runs.js';
import type { ParkedList } from './report.js';

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
  /** --prune: move files of items deleted in Google into .gphotos-keep-trash/<date>/. */
  prune?: boolean;
  /** --album-links: how albums/, favorites/, archive/ and partner/ show the files (default symlink). */
  albumLinks?: LinkMode;
  /** --shared-albums (default on): albums others share with the account, and items of others in albums. */
  sharedAlbums?: boolean;
  /** --partner: items the partner shares with the account, and a partner/ folder. */
  partner?: boolean;
}

export interface SyncSummary extends RunCounts {
  seconds: number;
  /** Items the index still has to download after this run (pending, failed, deferred; not parked). */
  remaining: number;
  listing: ListingStrategy | null;
  listingComplete: boolean;
  dryRun: boolean;
  /** exitCodeFor(the run's outcome). */
  exitCode: number;
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
  /** Items of the index in Google's trash now (not gone: they may come back), and what left it this run. */
  trash: { inTrash: number; restored: number; purged: number } | null;
  /** Albums the account sees, those whose items this run listed, and those gone from Google. */
  albums: { albums: number; listed: number; gone: number } | null;
  /** Items of others (shared albums, partner) queued this run. */
  sharedQueued: number;
  /** Changes to the link folders and sidecar ratings this run. */
  links: { added: number; removed: number; ratings: number } | null;
}

export interface SyncEventMap extends QueueEventMap {
  session: [{ email: string | null }];
  listed: [{ found: number; new: number; strategy: ListingStrategy }];
  listingDone: [{ found: number; complete: boolean }];
}

/** Progress of a run, for a progress display or metrics. */
export class SyncEvents extends EventEmitter<SyncEventMap> {}
