// One sync run: session check → list the library into the index while the download queue
// (src/download/queue.ts) takes pending items from it → summary and outcome. The index joins
// the two halves: the queue is whatever the index says is pending, so a run killed at any
// moment resumes from it. This file only wires the parts together.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchProfile } from '../browser/launch.js';
import { ProfileInUseError } from '../browser/profile-lock.js';
import { DownloadQueue, type SiteLookups } from '../download/queue.js';
import { KeepError, type Outcome, SignedOutError, SiteChangedError, UsageError, exitCodeFor } from '../errors.js';
import { emptyDir } from '../folder/durable.js';
import { removeStartedParts } from '../folder/part-files.js';
import { MediaInspector } from '../media/inspect.js';
import { fetchItemDownloadInfoAt, fetchItemInfoAt } from '../site/album-calls.js';
import { confirmOriginals, fetchBulkInfo, fetchHasOriginal, fetchItemInfo } from '../site/calls.js';
import { RpcClient } from '../site/rpc-client.js';
import { checkSession } from '../site/session.js';
import { isDisplayMedia } from '../site/urls.js';
import { STATE_DIR, type Db, indexPath, openIndex, stateDir } from '../store/database.js';
import { placeOf } from '../store/albums.js';
import { unparkFailed } from '../store/items.js';
import type { RunCounts } from '../store/runs.js';
import { countOutstanding } from '../store/stats.js';
import { tieToAccount } from './account-tie.js';
import { updateLinks } from './links.js';
import { prepareRecheck } from './recheck.js';
import { parkedList } from './report.js';
import { type ListingRun, dryRunListing, listIntoQueue } from './sync-listing.js';
import { SyncEvents, type SyncParams, type SyncSummary } from './sync-types.js';

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
  // Images are only ever shown, never kept (a Download is a navigation, not an image): the
  // renderer does not load them at all, which costs nothing per request (blockRequests below
  // also fails video and audio the viewer loads for display). Chromium reads one
  // --blink-settings switch, the last, so this one repeats the desktop pointer settings
  // Playwright gives headless pages.
  '--blink-settings=primaryHoverType=2,availableHoverTypes=2,primaryPointerType=4,availablePointerTypes=4,imagesEnabled=false',
];

export async function syncLibrary(params: SyncParams): Promise<{ outcome: Outcome; summary: SyncSummary }> {
  const started = Date.now();
  const events = params.events ?? new SyncEvents();
  const dryRun = params.dryRun === true;
  const outDir = path.resolve(params.outDir);
  checkOutDir(outDir, dryRun);
  if (!existsSync(params.profileDir)) {
    throw new SignedOutError(`No browser profile at ${params.profileDir}: run \`gphotos-keep login\` first (or pass --profile), then run sync again.`);
  }
  const summary = emptySummary(dryRun);
  const range = params.range ?? null;
  if (range) summary.period = { from: range.fromMs === null ? null : new Date(range.fromMs).toISOString().slice(0, 10), to: range.toMs === null ? null : new Date(range.toMs).toISOString().slice(0, 10) };
  let stop: KeepError | null = null;
  let db: Db | null = null;
  let context: BrowserContext | null = null;
  let inspector: MediaInspector | null = null;
  let queue: DownloadQueue | null = null;
  const tmpDir = path.join(stateDir(outDir), 'tmp');
  try {
    db = dryRun ? (existsSync(indexPath(outDir)) ? openIndex(outDir, { readonly: true }) : null) : await prepareIndex(outDir, tmpDir, params, summary);
    // Previews, thumbnails and video streams are only shown, never kept: the browser does not fetch them.
    context = await launchProfile({ profileDir: params.profileDir, headless: params.headless ?? true, downloadsPath: dryRun ? undefined : tmpDir, logger: params.logger, extraArgs: RUN_BROWSER_ARGS, blockRequests: isDisplayMedia });
    const page = context.pages()[0] ?? (await context.newPage());
    const client = await openSession(page, params, events);
    if (db) tieToAccount(db, client?.email ?? null, params.baseUrl, { record: !dryRun, profileDir: params.profileDir });
    const run: ListingRun = { db, outDir, page, client, request: context.request, params, summary, events };
    if (dryRun) {
      await dryRunListing(run);
    } else {
      inspector = new MediaInspector();
      queue = new DownloadQueue({
        context, db: db!, outDir, tmpDir, baseUrl: params.baseUrl, inspector, site: siteLookups(client, params.baseUrl),
        concurrency: params.concurrency, limit: params.limit ?? null, maxAttempts: params.maxAttempts, retryMinMs: params.retryMinMs, parkAfter: params.parkAfter ?? null,
        logger: params.logger, signal: params.signal, events, placeOf: (row) => placeOf(db!, row), takenRange: params.range ?? null,
      });
      const [, stopped] = await Promise.all([listIntoQueue(run, queue), queue.run()]);
      if (stopped) throw stopped;
      // The downloads are in: the sidecar ratings and link folders follow the index.
      if (!params.signal?.aborted) {
        const linksStarted = Date.now();
        const links = await updateLinks({ db: db!, outDir, mode: params.albumLinks ?? 'symlink', partner: params.partner === true, inspector, logger: params.logger, signal: params.signal });
        summary.links = { added: links.linksAdded, removed: links.linksRemoved, ratings: links.ratingsChanged };
        params.logger.debug(`link folders: ${links.albumFolders} album folder(s), ${links.linksAdded} link(s) made, ${links.linksRemoved} removed, ${links.ratingsChanged} rating(s) in ${Date.now() - linksStarted} ms`);
      }
    }
  } catch (error) {
    // Signed out, site changed, disk full: the run ends with the summary so far; anything else is the frame's to report.
    if (!(error instanceof KeepError) || !error.stopsRun || error instanceof UsageError) throw error;
    stop = error;
  } finally {
    if (queue) Object.assign(summary, queue.counts);
    await inspector?.end();
    await context?.close().catch(() => undefined);
    if (db && !dryRun) {
      const o = countOutstanding(db, range);
      summary.remaining = o.remaining;
      // This run's failed and deferred items are outstanding too; the rest it never reached.
      summary.left = o.pending + Math.max(0, o.failed - o.parked - summary.failed) + Math.max(0, o.deferred - summary.deferred);
    }
    if (db && !(dryRun && params.retryFailed)) summary.parked = parkedList(db, 20);
    db?.close();
  }
  return settle(summary, stop, params, started);
}

/** The run's one decision on how it ended; its exit code is exitCodeFor(outcome). */
function settle(summary: SyncSummary, stop: KeepError | null, params: SyncParams, started: number): { outcome: Outcome; summary: SyncSummary } {
  const aborted = params.signal?.aborted === true;
  summary.seconds = Math.round((Date.now() - started) / 100) / 10;
  summary.stoppedBy = stop?.message ?? (aborted ? 'interrupted' : null);
  // A browser already on the profile: the run was locked out, not broken.
  if (stop instanceof ProfileInUseError) summary.locked = true;
  let outcome: Outcome = 'Complete';
  if (stop) outcome = stop.outcome;
  // A rescan that looked broken: the downloads still ran, but the owner must hear about it.
  else if (summary.deletionsRefused) outcome = 'SiteChanged';
  else if (!summary.dryRun && (summary.failed > 0 || summary.parked.total > 0 || !summary.listingComplete || (aborted && summary.remaining > 0))) outcome = 'Partial';
  summary.exitCode = exitCodeFor(outcome);
  return { outcome, summary };
}

/** The index of a run that writes: parked items back in play when asked, and no leftovers of a killed run. */
async function prepareIndex(outDir: string, tmpDir: string, params: SyncParams, summary: SyncSummary): Promise<Db> {
  const db = openIndex(outDir);
  if (params.retryFailed) {
    const unparked = unparkFailed(db);
    if (unparked > 0) params.logger.info(`--retry-failed: ${unparked} parked item(s) will be tried again`);
  }
  if (params.recheck && params.range) summary.recheck = await prepareRecheck(db, outDir, params.range, params.logger);
  await emptyDir(tmpDir);
  // `.part` files a killed run started (the index noted each) were never recorded: they go. Look-alikes stay.
  const stale = await removeStartedParts(db, outDir, (name) => name === STATE_DIR);
  if (stale.removed.length > 0) params.logger.info(`removed ${stale.removed.length} unfinished .part file(s) from an earlier run`);
  if (stale.unknown.length > 0) params.logger.warn({ files: stale.unknown.slice(0, 20) }, `left ${stale.unknown.length} file(s) named like an unfinished download that gphotos-keep did not start`);
  return db;
}

/** The RPC session of the signed-in page; null when the page carries no RPC tokens (the grid listing may still work). */
async function openSession(page: ListingRun['page'], params: SyncParams, events: SyncEvents): Promise<RpcClient | null> {
  try {
    const tokens = await checkSession(page, params.baseUrl);
    events.emit('session', { email: tokens.email });
    params.logger.info({ account: tokens.email ?? undefined }, 'signed in');
    return new RpcClient(page, params.baseUrl, tokens);
  } catch (error) {
    if (!(error instanceof SiteChangedError)) throw error;
    params.logger.warn(`${error.message} — trying the library grid instead`);
    return null;
  }
}

/** The queue's port to the site: the item lookups and Google's SHA-1 index, over the run's RPC session. */
function siteLookups(client: RpcClient | null, baseUrl: string): SiteLookups | null {
  if (!client) return null;
  return {
    itemInfo: (mediaKey, place) => (place && place.kind !== 'library' ? fetchItemInfoAt(client, baseUrl, place) : fetchItemInfo(client, baseUrl, mediaKey)),
    hasOriginal: async (mediaKey, place) => (place && place.kind !== 'library' ? (await fetchItemDownloadInfoAt(client, baseUrl, place)).originalUrl !== null : fetchHasOriginal(client, baseUrl, mediaKey)),
    bulkInfo: (mediaKeys) => fetchBulkInfo(client, mediaKeys),
    holdersOf: (sha1s, options) => confirmOriginals(client, sha1s, options),
  };
}

function emptySummary(dryRun: boolean): SyncSummary {
  const counts: RunCounts = { found: 0, new: 0, downloaded: 0, skipped: 0, deferred: 0, failed: 0, bytes: 0 };
  return { ...counts, seconds: 0, remaining: 0, left: 0, listing: null, listingComplete: false, dryRun, exitCode: exitCodeFor('Complete'), stoppedBy: null, fullRescan: false, gone: 0, changed: 0, pruned: 0, deletionsRefused: null, parked: { total: 0, items: [] }, trash: null, albums: null, sharedQueued: 0, links: null, wouldDownload: null, period: null, recheck: null };
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
