// `sync`: back up the library into --out. The work is syncLibrary (src/run/sync.ts); this
// file only turns options into its parameters and its summary into output and an exit code.
import { resolveProfileDir } from '../../browser/profile.js';
import { ExitCode, type Outcome } from '../../errors.js';
import { runInFrame } from '../../run/frame.js';
import { formatBytes } from '../../run/progress.js';
import { PARKED_HEADING, parkedLines } from '../../run/report.js';
import { syncLibrary } from '../../run/sync.js';
import { type SyncParams, type SyncSummary, SyncEvents } from '../../run/sync-types.js';
import { feedSyncProgress } from '../../run/sync-progress.js';
import { type CommandContext, outDir, siteBaseUrl } from '../context.js';
import { frameContext, unfinishedJson } from '../frame-context.js';

export async function runSync(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const out = outDir(ctx, true);
  // The run frame (src/run/frame.ts): run lock, healthcheck pings, progress, runs row, report, metrics, exit code.
  const framed = await runInFrame(frameContext(ctx, out, 'sync'), async (hooks) => {
    const events = new SyncEvents();
    const feed = feedSyncProgress(events, out, hooks.progress);
    try {
      return await syncRun(ctx, out, events);
    } finally {
      feed.detach();
    }
  });
  if (framed.summary) {
    ctx.stderr.write(humanSummary(framed.summary));
    if (o.json === true) ctx.stdout.write(`${JSON.stringify(framed.summary)}\n`);
  } else if (o.json === true) {
    ctx.stdout.write(unfinishedJson(framed));
  }
  return framed.exitCode;
}

function syncRun(ctx: CommandContext, out: string, events: SyncEvents): Promise<{ outcome: Outcome; summary: SyncSummary }> {
  const o = ctx.options;
  return syncLibrary({
    outDir: out,
    profileDir: resolveProfileDir(String(o.profile), ctx.env),
    baseUrl: siteBaseUrl(ctx),
    concurrency: Number(o.concurrency),
    limit: typeof o.limit === 'number' ? o.limit : null,
    dryRun: o.dryRun === true,
    maxAttempts: Number(o.maxAttempts),
    parkAfter: Number(o.parkAfter),
    retryFailed: o.retryFailed === true,
    rescan: o.rescan === true,
    rescanDays: Number(o.rescanDays),
    acceptDeletions: o.acceptDeletions === true,
    prune: o.prune === true,
    albumLinks: o.albumLinks as SyncParams['albumLinks'],
    sharedAlbums: o.sharedAlbums !== false,
    partner: o.partner === true,
    logger: ctx.logger,
    signal: ctx.signal,
    events,
  });
}

export function humanSummary(s: SyncSummary): string {
  const lines: string[] = [];
  if (s.dryRun) {
    lines.push(`Dry run: ${s.found} items in the library, ${s.new} not in the index yet, ${s.skipped} already backed up, ${s.remaining} would be downloaded. Nothing was written.`);
  } else {
    lines.push(
      `Listed ${s.found} items (${s.new} new) by ${s.listing ?? 'nothing'}; downloaded ${s.downloaded} (${formatBytes(s.bytes)}), ${s.skipped} already backed up, ${s.deferred} deferred (still processing), ${s.failed} failed, in ${s.seconds} s.`,
    );
    if (s.fullRescan) lines.push(`Full rescan: ${s.gone} item(s) no longer in Google marked gone${s.gone > 0 && s.pruned === 0 ? '; their files stay (--prune moves them to .gphotos-keep-trash/)' : ''}.`);
    if (s.pruned > 0) lines.push(`Pruned: ${s.pruned} file(s) of items deleted in Google moved to .gphotos-keep-trash/.`);
    if (s.changed > 0) lines.push(`${s.changed} item(s) changed in Google: the old files were kept as dated versions (~v<date>) and the new versions queued.`);
    if (s.deletionsRefused) lines.push(`Deletions not applied: ${s.deletionsRefused}`);
    if (s.remaining > 0) lines.push(`${s.remaining} item(s) still to download: run sync again (failed items are retried).`);
    if (s.parked.total > 0) lines.push(`Parked: ${s.parked.total} item(s) failed run after run, ${PARKED_HEADING}:`, ...parkedLines(s.parked));
    if (!s.listingComplete && s.exitCode !== ExitCode.SignedOut && s.exitCode !== ExitCode.SiteChanged) lines.push('The listing did not finish: items not yet listed will be found by the next run.');
  }
  if (s.stoppedBy) lines.push(`Stopped: ${s.stoppedBy}`);
  return `${lines.join('\n')}\n`;
}
