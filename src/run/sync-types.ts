// What a sync run takes, what it reports, and the events it emits on the way (the progress
// display and the tests listen to them; the download queue's own events are among them).
import { EventEmitter } from 'node:events';
import type { QueueEventMap } from '../download/queue.js';
import type { ListingStrategy } from '../library/enumerate.js';
import type { Logger } from '../log.js';
import type { LinkMode } from '../model/albums.js';
import type { TakenRange } from '../model/taken-range.js';
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
  /** --whole-flag-views: the Favorites and Archive views read whole every run, not from their first page. */
  wholeFlagViews?: boolean;
  /** --partner: items the partner shares with the account, and a partner/ folder. */
  partner?: boolean;
  /** --since/--until, or --recheck's period: only items taken in it are listed and downloaded. */
  range?: TakenRange | null;
  /** --recheck: the period is checked from scratch: kept files missing from disk and parked items in it are fetched again. */
  recheck?: boolean;
}

/** An item a dry run would download: what a person needs to decide. */
export interface DryRunItem {
  mediaKey: string;
  /** Local date and time taken, `2019-06-02T14:03:00` (the place's own clock). */
  takenAt: string;
  fileName: string | null;
  /** Google's size, when it tells it. */
  bytes: number | null;
  /** New to the index, or known and not downloaded yet (pending, failed, deferred). */
  state: 'new' | 'pending' | 'failed' | 'deferred';
}

export interface SyncSummary extends RunCounts {
  seconds: number;
  /** Items the index still has to download after this run (pending, failed, deferred; not parked). */
  remaining: number;
  /** Of those, the ones this run did not get to (not its failed or deferred ones): --limit, a stop, or listed too late. */
  left: number;
  listing: ListingStrategy | null;
  listingComplete: boolean;
  dryRun: boolean;
  /** exitCodeFor(the run's outcome). */
  exitCode: number;
  /** Why the run ended early (signed out, site changed, interrupted), or null. */
  stoppedBy: string | null;
  /** Stopped because a browser already runs on the profile. */
  locked?: boolean;
  /** Why the listing stopped early when the run went on (the downloads of what it had listed). */
  listingError?: string | null;
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
  trash: { inTrash: number; restored: number; purged: number; neverBackedUp: number } | null;
  /** Albums the account sees, those whose items this run listed, and those gone from Google. */
  albums: { albums: number; listed: number; gone: number } | null;
  /** Items of others (shared albums, partner) queued this run. */
  sharedQueued: number;
  /** Changes to the link folders and sidecar ratings this run. */
  links: { added: number; removed: number; ratings: number } | null;
  /** A dry run: what it would download (items, the bytes Google lists, items whose size it does not list); null otherwise. */
  wouldDownload: { items: number; bytes: number; unknownSize: number } | null;
  /** The period this run was limited to (ISO dates, `to` exclusive), or null. */
  period: { from: string | null; to: string | null } | null;
  /** --recheck: kept files found missing and queued again, and parked items tried again, in the period. */
  recheck: { missingFiles: number; requeued: number; unparked: number } | null;
}

export interface SyncEventMap extends QueueEventMap {
  session: [{ email: string | null }];
  listed: [{ found: number; new: number; strategy: ListingStrategy }];
  listingDone: [{ found: number; complete: boolean }];
  /** A dry run found an item it would download. */
  wouldDownload: [DryRunItem];
}

/** Progress of a run, for a progress display or metrics. */
export class SyncEvents extends EventEmitter<SyncEventMap> {}
