// The run frame: every command that writes to a backup folder (sync, adopt, verify --fix, and
// any later writer) runs its body inside it, and so gets the same run lock, healthcheck pings,
// progress display, run row in the index, <out>/.gphotos-keep/runs/<start>.json, --metrics-file,
// and one documented exit code for whatever happened: exitCodeFor(outcome).
//
//   lock ─► ping /start ─► runs row ─► body(hooks) ─► runs row ─► report ─► metrics ─► ping /<code> ─► unlock
//
// A second run on the same folder exits 0 at once and sends no pings, whichever command either
// is. Nothing after the body (report, metrics, pings) can change the outcome the body earned.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { KeepError, type Outcome, UsageError, describeError, exitCodeFor } from '../errors.js';
import { FILE_ONLY, type Logger } from '../log.js';
import { ProfileInUseError } from '../browser/profile-lock.js';
import type { RunCounts } from '../store/runs.js';
import { type Db, indexPath, openIndex, stateDir as stateDirOf } from '../store/database.js';
import { assertIndexIntact } from '../store/integrity.js';
import { TRASH_DIR } from '../folder/trash.js';
import { OLD_TRASH_DIR, moveOldTrash } from '../folder/trash-move.js';
import { saveIndexCopy } from '../store/snapshots.js';
import { countByState } from '../store/items.js';
import { finishRun, lastSuccessMs, startRun } from '../store/runs.js';
import { recordedTotals } from '../store/stats.js';
import { classifyFailure, localIoErrorFrom } from './failure.js';
import { Healthcheck, type HealthcheckOptions, type PingResult } from './healthcheck.js';
import { LOCK_STALE_MS, acquireRunLock, describeHolder, lockPath, lockRefreshedMs, type LockOwner, type RunLock } from './lock.js';
import { STUCK_LOCK_HOURS, StuckLockError, clearRefusals, noteRefusal, refusedTooLong, stuckLockError } from './lock-refusals.js';
import { writeMetricsFile } from './metrics.js';
import { type Progress, type ProgressEvent, createProgress, inFlight, stoppingNote } from './progress.js';
import { type RunCountsLike, type RunReport, type RunSummaryLike, countsOf, hostName, outcomeLabel, pingBody, writeRunReport } from './report.js';

export interface FrameContext {
  outDir: string;
  /** The command being run, e.g. 'sync' or 'verify --fix': named in the lock, the runs row, the report and messages. */
  command: string;
  /** Take the run lock (default): false only for a run that changes nothing another run relies on. */
  exclusive?: boolean;
  logger: Logger;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
  /** A secret: never logged, never written to the report. */
  healthcheckUrl?: string;
  metricsFile?: string;
  /** Changes nothing on disk: no lock unless the folder is already set up, no index row, report, metrics or pings. */
  dryRun?: boolean;
  quiet?: boolean;
  /** Live display instead of log lines; defaults to stdout and stderr being terminals. */
  interactive?: boolean;
  /** The body feeds progress events (default true); false: never a live display. */
  display?: boolean;
  /** The run's options as they may be shown (no secrets), for the report. */
  reportOptions?: Record<string, unknown>;
  healthcheck?: HealthcheckOptions;
  /** A run refused by the same live lock for longer than this fails (exit 1, a failing ping); default 24. */
  stuckLockHours?: number;
  /**
   * 'frame' (default): the frame opens the index, checks it, and records the run in it. 'body':
   * the body opens the index itself (repair --index, which must not open a damaged one first).
   */
  index?: 'frame' | 'body';
  /** How often the held lock is refreshed (default: the lock's heartbeat). */
  lockHeartbeatMs?: number;
  now?: () => Date;
  /** Told how the run ended (also when another run held the folder): the CLI ends its log file with it. */
  onEnd?: (end: RunEnding) => void;
  /** Completes the commands a text suggests with the flags of this run (the CLI's; the ping body is read far from this shell). */
  completeCommands?: (text: string) => string;
}

/** The last word on a run: its outcome label, exit code, counts and duration. */
export interface RunEnding {
  command: string;
  outcome: string;
  exitCode: number;
  counts: Required<RunCountsLike> | null;
  seconds: number;
  /** What stopped it, if anything. */
  error: string | null;
}

export interface FrameHooks {
  startedAt: Date;
  /** The run's id in the index's runs table (null in a dry run or when it could not be written). */
  runId: number | null;
  /** Feed the run's progress here: the display, the report and the pings read it. */
  progress: (event: ProgressEvent) => void;
  /** Stops the live display (e.g. before printing something long); idempotent. */
  stopProgress: () => void;
  logger: Logger;
  signal: AbortSignal;
}

export interface BodyResult<S extends RunSummaryLike = RunSummaryLike> {
  /** How the body ended; the frame's exit code is exitCodeFor(outcome). */
  outcome: Outcome;
  summary: S;
  /** The counts of the runs row, report and metrics, when the summary does not hold them as numbers. */
  counts?: Partial<RunCounts>;
  /** A partial outcome in the body's own words ("3 problems"), for the outcome label. */
  partialLabel?: string;
}

export interface FrameResult<S extends RunSummaryLike = RunSummaryLike> {
  exitCode: number;
  /** The body's summary; null when the body threw or never ran. */
  summary: S | null;
  /** Set when another run holds the folder: this one did nothing. */
  lockedBy: LockOwner | null;
  /** What stopped the run, already printed to stderr. */
  error: string | null;
  report: RunReport | null;
  reportFile: string | null;
  pings: { start: PingResult | null; end: PingResult | null };
}

export async function runInFrame<S extends RunSummaryLike>(ctx: FrameContext, body: (hooks: FrameHooks) => Promise<BodyResult<S>>): Promise<FrameResult<S>> {
  const now = ctx.now ?? (() => new Date());
  const startedAt = now();
  const out = path.resolve(ctx.outDir);
  const stateDir = stateDirOf(out);
  const log = ctx.logger.child({ command: ctx.command });
  const frame: FrameResult<S> = { exitCode: exitCodeFor('Complete'), summary: null, lockedBy: null, error: null, report: null, reportFile: null, pings: { start: null, end: null } };

  // 1. The folder and the lock. Trouble here is still a run that failed (and is pinged);
  //    only another run holding the lock ends this one silently, unless that same lock has
  //    refused runs for longer than --stuck-lock-hours: then that run is stuck, and this one fails.
  let lock: RunLock | null = null;
  let setupError: unknown = null;
  let lockLost: string | null = null;
  const lost = new AbortController();
  try {
    if (existsSync(out) && !statSync(out).isDirectory()) throw new UsageError(`--out ${out} is not a folder: give the backup folder (it is created if missing).`);
    const prepared = !ctx.dryRun || existsSync(stateDir);
    if (prepared) makeFolders(stateDir);
    if (prepared && ctx.exclusive !== false) {
      const attempt = acquireRunLock(stateDir, ctx.command, startedAt, {
        heartbeatMs: ctx.lockHeartbeatMs,
        onLost: () => {
          lockLost = `the run lock ${lockPath(stateDir)} was taken over by another run while this one ran (it was not refreshed for ${LOCK_STALE_MS / 60_000} minutes: was this machine suspended?); this run stopped so that two runs never write at once`;
          log.error(FILE_ONLY, lockLost);
          lost.abort();
        },
      });
      if (!attempt.acquired) {
        const message = describeHolder(attempt.heldBy, attempt.file);
        frame.lockedBy = attempt.heldBy ?? { pid: 0, host: '', startedAt: '' };
        const refusals = attempt.heldBy && !ctx.dryRun ? noteRefusal(stateDir, attempt.heldBy, startedAt) : null;
        const limit = ctx.stuckLockHours ?? STUCK_LOCK_HOURS;
        if (!refusals || !refusedTooLong(refusals, limit, startedAt)) {
          const hint = attempt.heldBy && attempt.heldBy.host !== hostName() ? `; if no run is active there, remove ${attempt.file} (a lock nobody refreshes for ${LOCK_STALE_MS / 60_000} minutes is taken over)` : '';
          // Exit 0: -q (cron) says nothing about it.
          if (!ctx.quiet) ctx.stderr.write(`gphotos-keep ${ctx.command}: ${message}${hint}. Nothing to do.\n`);
          log.info({ ...FILE_ONLY, holder: attempt.heldBy }, 'another run holds the backup folder; exiting');
          ctx.onEnd?.({ command: ctx.command, outcome: 'locked', exitCode: frame.exitCode, counts: null, seconds: (now().getTime() - startedAt.getTime()) / 1000, error: message });
          return frame;
        }
        throw stuckLockError(refusals, limit, message.replace(/^another run is in progress/, 'another run'), attempt.file, lockRefreshedMs(attempt.file), startedAt);
      }
      lock = attempt.lock;
      clearRefusals(stateDir);
      if (attempt.tookOverFrom) {
        const from = attempt.tookOverFrom;
        const why = from.host === hostName() ? 'a run that is no longer running' : `a run on ${from.host} that stopped refreshing it`;
        log.warn({ stalePid: from.pid, staleHost: from.host, staleStart: from.startedAt }, `took over the lock of ${why}`);
      }
    }
  } catch (error) {
    setupError = error;
  }

  try {
    // 2. Pings, the run's row, the display.
    const pinging = ctx.healthcheckUrl && !ctx.dryRun ? new Healthcheck(ctx.healthcheckUrl, { logger: log, ...ctx.healthcheck }) : null;
    const startPing = pinging ? pinging.start(`gphotos-keep ${ctx.command} started on ${hostName()} (pid ${process.pid}) for ${out}\n`) : null;

    let db: Db | null = null;
    let runId: number | null = null;
    if (!setupError && !ctx.dryRun && ctx.index !== 'body') {
      try {
        db = openIndex(out);
        // A damaged index is never written to: the run stops before its first row (restic's `check`, at every start).
        assertIndexIntact(db, indexPath(out));
        if (ctx.exclusive !== false) moveTrashOut(out, db, log);
        runId = startRun(db, ctx.command, startedAt.getTime());
      } catch (error) {
        setupError = error;
        closeQuietly(db);
        db = null;
      }
    } else if (!setupError && ctx.dryRun && ctx.index !== 'body' && existsSync(indexPath(out))) {
      // A dry run (or a read-only backup) writes nothing, but must not report on a damaged index either.
      try {
        const check = openIndex(out, { readonly: true });
        try {
          assertIndexIntact(check, indexPath(out));
        } finally {
          check.close();
        }
      } catch (error) {
        setupError = error;
      }
    } else if (setupError instanceof StuckLockError) {
      // The stuck run owns the index: read it, for the metrics' totals, and write nothing.
      try {
        db = openIndex(out, { readonly: true });
      } catch {
        db = null;
      }
    }

    const progress: Progress = createProgress({ stderr: ctx.stderr, logger: log, quiet: ctx.quiet, interactive: ctx.display === false ? false : ctx.interactive });
    // AbortSignal.any: Node 20.3+; on older ones the body still stops through the exit code.
    const signal = typeof AbortSignal.any === 'function' ? AbortSignal.any([ctx.signal, lost.signal]) : ctx.signal;
    const hooks: FrameHooks = { startedAt, runId, progress: (e) => progress.event(e), stopProgress: () => progress.stop(), logger: log, signal };
    // The first Ctrl-C is answered at once: what the run still finishes, and how to stop it now.
    const onStop = (): void => progress.note(stoppingNote(ctx.signal.reason, inFlight(progress.tally)));
    if (!setupError) ctx.signal.addEventListener('abort', onStop, { once: true });

    // 3. The work.
    let stopError: unknown = setupError;
    let outcome: Outcome = 'Complete';
    let bodyCounts: Partial<RunCounts> | undefined;
    let bodyLabel: string | null = null;
    if (!setupError) {
      try {
        const result = await body(hooks);
        frame.summary = result.summary;
        outcome = result.outcome;
        bodyCounts = result.counts;
        bodyLabel = result.partialLabel ?? null;
      } catch (error) {
        stopError = error;
      }
    }
    ctx.signal.removeEventListener('abort', onStop);
    progress.stop();
    // Another run took the lock while this one worked: whatever the body managed, it must not look fine.
    if (lockLost !== null && stopError === null && (outcome === 'Complete' || outcome === 'Partial')) stopError = new KeepError(lockLost);
    if (stopError !== null) {
      const failure = classifyFailure(stopError, out);
      outcome = failure.outcome;
      frame.error = failure.message;
      ctx.stderr.write(`gphotos-keep ${ctx.command}: ${failure.message}\n`);
      // Said once to the person (above); the log file keeps it, with the stack of an unexpected one.
      if (failure.expected) log.error({ ...FILE_ONLY, exitCode: exitCodeFor(outcome) }, failure.message);
      else log.error({ ...FILE_ONLY, exitCode: exitCodeFor(outcome), err: stopError }, failure.message);
    }
    frame.exitCode = exitCodeFor(outcome);

    // A body may report what stopped it (signed out, site changed) in its summary instead of throwing.
    if (frame.error === null && typeof frame.summary?.stoppedBy === 'string' && outcome !== 'Complete') frame.error = frame.summary.stoppedBy;

    // 4. Record it. Each step on its own: none of them changes the exit code.
    const endedAt = now();
    const counts = countsOf({ ...frame.summary, ...bodyCounts }, { ...progress.tally });
    const errors = (frame.summary?.errors ?? progress.tally.errors).map((e) => ({ mediaKey: e.mediaKey ?? null, error: e.error }));
    const label = outcomeLabel({
      outcome,
      interrupted: ctx.signal.aborted,
      failed: counts.failed,
      parked: frame.summary?.parked?.total,
      locked: stopError instanceof StuckLockError || stopError instanceof ProfileInUseError || frame.summary?.locked === true,
      deletionsRefused: typeof (frame.summary as { deletionsRefused?: unknown } | null)?.deletionsRefused === 'string',
      listingIncomplete: (frame.summary as { listingComplete?: unknown } | null)?.listingComplete === false,
      partial: bodyLabel,
    });
    if (db && runId !== null) {
      try {
        finishRun(db, runId, { endedMs: endedAt.getTime(), exitCode: frame.exitCode, counts, fullRescan: frame.summary?.fullRescan === true, summary: frame.summary ?? { error: frame.error }, outcome: label });
      } catch (error) {
        log.warn({ reason: describeError(localIoErrorFrom(error, out) ?? error) }, 'could not record the run in the index');
      }
    }
    // A writer that finished its work leaves a consistent copy of the index beside it (`repair --index` starts from it).
    if (db && runId !== null && ctx.exclusive !== false && stopError === null && (outcome === 'Complete' || outcome === 'Partial')) {
      try {
        saveIndexCopy(db, stateDir, endedAt);
      } catch (error) {
        log.warn({ reason: describeError(localIoErrorFrom(error, out) ?? error) }, 'could not save a copy of the index');
      }
    }
    let index: RunReport['index'] = null;
    let lastSuccess: number | null = null;
    if (db) {
      try {
        const totals = recordedTotals(db);
        index = { items: countByState(db), files: totals.files, bytes: totals.bytes };
        lastSuccess = lastSuccessMs(db, ctx.command);
      } catch (error) {
        log.warn({ reason: describeError(error) }, 'could not read the index totals');
      }
    }
    closeQuietly(db);

    const report: RunReport = {
      version: 1,
      command: ctx.command,
      outcome: label,
      exitCode: frame.exitCode,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      seconds: Math.max(0, (endedAt.getTime() - startedAt.getTime()) / 1000),
      host: hostName(),
      pid: process.pid,
      out,
      dryRun: ctx.dryRun === true,
      options: ctx.reportOptions ?? {},
      counts,
      index,
      error: frame.error,
      errors: errors.slice(0, 100),
      summary: frame.summary,
    };
    frame.report = report;

    if (!ctx.dryRun && !setupError) {
      try {
        frame.reportFile = writeRunReport(stateDir, report);
      } catch (error) {
        log.warn({ reason: describeError(localIoErrorFrom(error, out) ?? error) }, 'could not write the run report');
      }
    }
    if (ctx.metricsFile && !ctx.dryRun) {
      try {
        await writeMetricsFile(ctx.metricsFile, {
          out,
          command: ctx.command,
          startedMs: startedAt.getTime(),
          endedMs: endedAt.getTime(),
          exitCode: frame.exitCode,
          lastSuccessMs: lastSuccess,
          itemsByState: index?.items ?? null,
          filesRecorded: index?.files ?? null,
          bytesRecorded: index?.bytes ?? null,
          run: counts,
        });
      } catch (error) {
        log.warn({ metricsFile: ctx.metricsFile, reason: describeError(error) }, 'could not write the metrics file');
      }
    }
    if (pinging) {
      frame.pings.start = await startPing;
      const body = pingBody(report);
      frame.pings.end = await pinging.finish(frame.exitCode, ctx.completeCommands ? ctx.completeCommands(body) : body);
    }
    ctx.onEnd?.({ command: ctx.command, outcome: label, exitCode: frame.exitCode, counts, seconds: report.seconds, error: frame.error });
    return frame;
  } finally {
    lock?.release();
  }
}

/**
 * mkdir -p, one level at a time, so that the error is the real one: a recursive mkdir under a
 * read-only or unwritable parent reports ENOENT instead of EROFS or EACCES.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (!existsSync(current)) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) {
    try {
      // The state folder is private; the backup folder itself follows the umask.
      mkdirSync(folder, folder === path.resolve(dir) ? { mode: 0o700 } : {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function closeQuietly(db: Db | null): void {
  try {
    db?.close();
  } catch {
    // closing a broken handle: nothing more to save
  }
}

/** Once per backup: the old trash in the state folder moves beside the photos (never deleted). */
function moveTrashOut(out: string, db: Db, log: Logger): void {
  try {
    const moved = moveOldTrash(out, db);
    if (moved) log.info({ moved: moved.moved, renamed: moved.renamed.length, left: moved.left.length }, `moved the trash out of the state folder: ${OLD_TRASH_DIR}/ is now ${TRASH_DIR}/`);
    if (moved && moved.left.length > 0) log.warn({ left: moved.left.slice(0, 10) }, `${moved.left.length} file(s) stay in ${OLD_TRASH_DIR}/: every name for them in ${TRASH_DIR}/ is taken`);
  } catch (error) {
    log.warn({ reason: describeError(error) }, `could not move the trash out of ${OLD_TRASH_DIR}/; the next run tries again`);
  }
}
