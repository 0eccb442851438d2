// What every command receives: its resolved options, a logger, and the output streams.
import { UsageError } from '../errors.js';
import { accountBaseUrl } from '../site/urls.js';
import type { Logger } from '../log.js';
import type { RunEnding } from '../run/frame.js';
import type { ResolvedOptions } from './config.js';

export interface CommandContext {
  options: ResolvedOptions;
  logger: Logger;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM: stop taking work, finish cleanly. */
  signal: AbortSignal;
  /**
   * Completes each `gphotos-keep …` command in a text with this run's flags that matter
   * (src/cli/suggest.ts). Text written to stderr, and to stdout without --json, already is;
   * a command putting a message into JSON calls this itself.
   */
  completeCommands: (text: string) => string;
  /** How a framed run ended (set by the run frame); the log file's last record says it. */
  ending?: RunEnding | null;
}

export type CommandRunner = (ctx: CommandContext) => Promise<number>;

/** sync and adopt need a backup folder; the other commands default to the current one. */
export function outDir(ctx: CommandContext, required: boolean): string {
  const out = ctx.options.out;
  if (typeof out === 'string' && out !== '') return out;
  if (required) throw new UsageError('No backup folder: pass --out DIR (or set GPHOTOS_KEEP_OUT, or "out" in the config file).');
  return '.';
}

/** The site as the chosen account sees it: --base-url, with Google's /u/<n>/ for --account-index n. */
export function siteBaseUrl(ctx: CommandContext): string {
  const index = ctx.options.accountIndex;
  return accountBaseUrl(String(ctx.options.baseUrl), typeof index === 'number' ? index : null);
}
