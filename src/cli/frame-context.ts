// How a writing command enters the run frame (src/run/frame.ts): the same lock, pings, metrics,
// report and exit code for sync, adopt and verify --fix, from the same options.
import type { FrameContext, FrameResult } from '../run/frame.js';
import { publicOptions } from './config.js';
import type { CommandContext } from './context.js';

export function frameContext(ctx: CommandContext, out: string, command: string, extra: Partial<FrameContext> = {}): FrameContext {
  const o = ctx.options;
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
    ...extra,
  };
}

/** --json when the body gave no summary (another run holds the folder, or it stopped): the exit code and why. */
export function unfinishedJson(framed: FrameResult): string {
  return `${JSON.stringify({ exitCode: framed.exitCode, error: framed.error, anotherRun: framed.lockedBy })}\n`;
}
