// How a writing command enters the run frame (src/run/frame.ts): the same lock, pings, metrics,
// report and exit code for sync, adopt and verify --fix, from the same options.
import { mkdirSync } from 'node:fs';
import { folderMode, setFollowUmask } from '../folder/modes.js';
import type { FrameContext, FrameResult } from '../run/frame.js';
import { publicOptions } from './config.js';
import type { CommandContext } from './context.js';

export function frameContext(ctx: CommandContext, out: string, command: string, extra: Partial<FrameContext> = {}): FrameContext {
  const o = ctx.options;
  // How this run creates folders and files in the backup: private unless --follow-umask.
  setFollowUmask(o.followUmask === true);
  if ((extra.dryRun ?? o.dryRun === true) !== true) makeOutFolder(out);
  return {
    outDir: out,
    command,
    logger: ctx.logger,
    stderr: ctx.stderr,
    signal: ctx.signal,
    healthcheckUrl: typeof o.healthcheck === 'string' ? o.healthcheck : undefined,
    metricsFile: typeof o.metricsFile === 'string' ? o.metricsFile : undefined,
    dryRun: o.dryRun === true,
    stuckLockHours: typeof o.stuckLockHours === 'number' ? o.stuckLockHours : undefined,
    quiet: o.quiet === true,
    reportOptions: publicOptions(o),
    onEnd: (end) => (ctx.ending = end),
    completeCommands: ctx.completeCommands,
    ...extra,
  };
}

/** --json when the body gave no summary (another run holds the folder, or it stopped): the exit code and why. */
export function unfinishedJson(framed: FrameResult): string {
  return `${JSON.stringify({ exitCode: framed.exitCode, error: framed.error, anotherRun: framed.lockedBy })}\n`;
}

/**
 * --out, when it does not exist yet, is made with the backup's folder mode (private unless
 * --follow-umask) before the frame makes its state folder inside. Any trouble is left to the
 * frame, which reports it as the run's failure.
 */
function makeOutFolder(out: string): void {
  try {
    mkdirSync(out, { mode: folderMode() });
  } catch {
    // exists, or its parent is missing or not writable: the frame makes and reports
  }
}
