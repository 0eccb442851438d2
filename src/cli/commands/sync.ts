// `sync`: back up the library into --out. The work is syncLibrary (src/run/sync.ts); this
// file only turns options into its parameters and its summary into output and an exit code.
// The summary is for a person (stderr); --json is for programs (stdout). -q prints nothing
// when the run completes, and only what went wrong otherwise.
import { resolveProfileDir } from '../../browser/profile.js';
import { ExitCode, type Outcome, UsageError } from '../../errors.js';
import { type TakenRange, describeRange, parseRecheck, rangeOf } from '../../model/taken-range.js';
import { runInFrame } from '../../run/frame.js';
import { formatBytes, formatDuration } from '../../run/progress.js';
import { PARKED_HEADING, type RunReport, parkedLines } from '../../run/report.js';
import { syncLibrary } from '../../run/sync.js';
import { type DryRunItem, type SyncParams, type SyncSummary, SyncEvents } from '../../run/sync-types.js';
import { feedSyncProgress } from '../../run/sync-progress.js';
import { type CommandContext, outDir, siteBaseUrl } from '../context.js';
import { frameContext, unfinishedJson } from '../frame-context.js';

export async function runSync(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const out = outDir(ctx, true);
  const period = periodOf(ctx);
  const json = o.json === true;
  // The run frame (src/run/frame.ts): run lock, healthcheck pings, progress, runs row, report, metrics, exit code.
  // A dry run's list goes to stdout as it is found: no live display drawn through it.
  const framed = await runInFrame(frameContext(ctx, out, 'sync', o.dryRun === true ? { display: false } : {}), async (hooks) => {
    const events = new SyncEvents();
    const feed = feedSyncProgress(events, out, hooks.progress, { limit: typeof o.limit === 'number' ? o.limit : null, takenRange: period?.range ?? null });
    // A dry run's list: as each item is found, a line for a person or a JSON line for a program (stdout).
    if (o.dryRun === true) events.on('wouldDownload', (item) => ctx.stdout.write(json ? `${JSON.stringify(item)}\n` : dryRunLine(item)));
    try {
      return await syncRun(ctx, out, events, period);
    } finally {
      feed.detach();
    }
  });
  if (framed.summary) {
    const quiet = o.quiet === true;
    // -q: a completed run says nothing; otherwise only what went wrong.
    if (!quiet || framed.exitCode !== ExitCode.Complete) ctx.stderr.write(humanSummary(framed.summary, { problemsOnly: quiet, errors: framed.report?.errors ?? [] }));
    if (json) ctx.stdout.write(`${JSON.stringify(framed.summary)}\n`);
  } else if (json) {
    ctx.stdout.write(unfinishedJson(framed));
  }
  return framed.exitCode;
}

/** --since/--until, or --recheck FROM..TO (one or the other). */
function periodOf(ctx: CommandContext): { range: TakenRange; recheck: boolean } | null {
  const o = ctx.options;
  const text = (key: string): string | null => (typeof o[key] === 'string' && o[key] !== '' ? (o[key] as string) : null);
  if (text('recheck') !== null) {
    if (text('since') !== null || text('until') !== null) throw new UsageError('--recheck FROM..TO already names the period: leave out --since and --until.');
    return { range: parseRecheck(text('recheck')!), recheck: true };
  }
  const range = rangeOf(text('since'), text('until'));
  return range ? { range, recheck: false } : null;
}

function syncRun(ctx: CommandContext, out: string, events: SyncEvents, period: { range: TakenRange; recheck: boolean } | null): Promise<{ outcome: Outcome; summary: SyncSummary }> {
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
    wholeFlagViews: o.wholeFlagViews === true,
    range: period?.range ?? null,
    recheck: period?.recheck === true,
    logger: ctx.logger,
    signal: ctx.signal,
    events,
  });
}

/** `2019-06-02 14:03   2.10 MB  IMG_0001.JPG` (local time taken, Google's size, the name when known). */
export function dryRunLine(item: DryRunItem): string {
  const when = item.takenAt.replace('T', ' ').slice(0, 16);
  const size = item.bytes === null ? '?' : formatBytes(item.bytes);
  const note = item.state === 'new' ? '' : `  (${item.state === 'pending' ? 'waiting from an earlier run' : item.state})`;
  return `${when}  ${size.padStart(9)}  ${item.fileName ?? item.mediaKey}${note}\n`;
}

const DEFERRED_NOTE = 'still processing in Google; retried next run';

/**
 * The counts of a run in a line a person can check: what was found (and what was waiting from
 * earlier runs) equals what was downloaded, already there, deferred, failed and left.
 */
export function countsLine(s: SyncSummary): string {
  const handled = s.downloaded + s.deferred + s.failed + s.left;
  const fromListing = Math.max(0, s.found - s.skipped);
  const earlier = handled - fromListing;
  const found = `found ${s.found} (${s.new} new)${earlier > 0 ? ` + ${earlier} waiting from earlier runs` : ''}`;
  const parts = [
    found,
    `downloaded ${s.downloaded}${s.downloaded > 0 ? ` (${formatBytes(s.bytes)})` : ''}`,
    `already had ${s.skipped}`,
    `deferred ${s.deferred}${s.deferred > 0 ? ` (${DEFERRED_NOTE})` : ''}`,
    `failed ${s.failed}`,
  ];
  if (s.left > 0) parts.push(`left for the next run ${s.left}`);
  // Listed, but nothing to fetch: parked (until --retry-failed), or in Google's trash.
  if (earlier < 0) parts.push(`not fetched ${-earlier} (parked or in Google's trash)`);
  return parts.join(' · ');
}

export function humanSummary(s: SyncSummary, options: { problemsOnly?: boolean; errors?: RunReport['errors'] } = {}): string {
  const lines: string[] = [];
  // On a stop, the reason comes first: the counts only say how far the run got.
  if (s.stoppedBy === 'interrupted') lines.push('Interrupted: the downloads in flight were finished and recorded; the next run continues from here.');
  else if (s.stoppedBy) lines.push(`Stopped: ${s.stoppedBy}`);
  if (s.dryRun) {
    const w = s.wouldDownload ?? { items: s.remaining, bytes: 0, unknownSize: s.remaining };
    const size = w.unknownSize === w.items ? '' : ` (${formatBytes(w.bytes)}${w.unknownSize > 0 ? ` and ${w.unknownSize} of a size Google does not list` : ''})`;
    lines.push(`Dry run${s.period ? ` of ${periodText(s)}` : ''}: found ${s.found} (${s.new} new) · already had ${s.skipped} · would download ${w.items}${size}. Nothing was written.`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${s.period ? `Items taken ${periodText(s)}: ` : ''}${countsLine(s)} · in ${formatDuration(s.seconds)}`);
  if (s.recheck) lines.push(`Recheck: ${s.recheck.missingFiles} kept file(s) were missing from disk (${s.recheck.requeued} item(s) fetched again), ${s.recheck.unparked} parked item(s) tried again.`);
  if (options.problemsOnly && options.errors && options.errors.length > 0) {
    // -q printed no warning on the way: the failed items, once, here.
    lines.push('Failed:', ...options.errors.slice(0, 10).map((e) => `  ${e.mediaKey ?? '-'}: ${e.error.replace(/\s+/g, ' ')}`));
    if (s.failed > 10) lines.push(`  … and ${s.failed - 10} more (gphotos-keep status lists them)`);
  }
  if (!options.problemsOnly) {
    if (s.gone > 0) lines.push(`${s.gone} item(s) deleted in Google since the last full check: marked gone; their files stay${s.pruned === 0 ? ' (--prune moves them to .gphotos-keep-trash/)' : ''}.`);
    if (s.pruned > 0) lines.push(`Pruned: ${s.pruned} file(s) of items deleted in Google moved to .gphotos-keep-trash/.`);
    if (s.changed > 0) lines.push(`${s.changed} item(s) changed in Google: the old files were kept as dated versions (~v<date>) and the new versions downloaded.`);
  }
  if (s.deletionsRefused) lines.push(`Deletions not applied: ${s.deletionsRefused}`);
  if (s.parked.total > 0) lines.push(`Parked: ${s.parked.total} item(s) failed run after run, ${PARKED_HEADING}:`, ...parkedLines(s.parked));
  if (!s.listingComplete && s.stoppedBy === null) lines.push(`The listing did not finish${s.listingError ? ` (${s.listingError})` : ''}: items not yet listed will be found by the next run.`);
  return `${lines.join('\n')}\n`;
}

function periodText(s: SyncSummary): string {
  const p = s.period!;
  return describeRange({ fromMs: p.from === null ? null : Date.parse(`${p.from}T00:00:00Z`), toMs: p.to === null ? null : Date.parse(`${p.to}T00:00:00Z`) });
}
