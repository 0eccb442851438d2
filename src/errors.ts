// Error classes decide what happens next: retry the item, defer it, stop the run, and with
// which outcome. p-retry's shouldRetry reads `retryable`; every exit code is exitCodeFor(outcome).
//
// A message that tells the user what to run writes the whole command in backticks:
// `gphotos-keep login`, `gphotos-keep sync --retry-failed` (see suggest()). Only the CLI knows
// the flags this run was given; it completes each such command with those that pick the same
// profile, backup folder, site and config (src/cli/suggest.ts) before the text is printed.

export const ExitCode = {
  Complete: 0,
  Unexpected: 1,
  Usage: 2,
  Partial: 3,
  SignedOut: 4,
  SiteChanged: 5,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** How a run (or a command) ended: a name of the ExitCode table. */
export type Outcome = keyof typeof ExitCode;

/** The one mapping from an outcome to the process's exit code. */
export function exitCodeFor(outcome: Outcome): ExitCode {
  return ExitCode[outcome];
}

export class KeepError extends Error {
  /** Worth another try of the same step, after a back-off. */
  readonly retryable: boolean = false;
  /** Ends the whole run (not just this item) with this exit code. */
  readonly stopsRun: boolean = false;
  /** The outcome of a run this error ends (its exit code is exitCodeFor(outcome)). */
  readonly outcome: Outcome = 'Unexpected';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
  get exitCode(): ExitCode {
    return exitCodeFor(this.outcome);
  }
}

/** Bad flags, values, files given by the user: nothing was changed. */
export class UsageError extends KeepError {
  override readonly outcome = 'Usage';
  override readonly stopsRun = true;
}

/** The session is gone: stop taking work, never blame the item. */
export class SignedOutError extends KeepError {
  override readonly outcome = 'SignedOut';
  override readonly stopsRun = true;
  constructor(message = `Not signed in to Google Photos: run ${suggest('login')} (without a display: ${suggest('login --cookies FILE')}), then run again.`, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Google changed the page or the RPC so that a documented fact no longer holds. */
export class SiteChangedError extends KeepError {
  override readonly outcome = 'SiteChanged';
  override readonly stopsRun = true;
  constructor(readonly fact: string, detail?: string, options?: { cause?: unknown }) {
    super(`Site not recognised: ${fact}${detail ? ` (${detail})` : ''}. Google may have changed photos.google.com; please report this.`, options);
  }
}

/**
 * A full rescan whose listing lost too much of the library at once (or came back empty): it
 * looks like a broken listing, not deletions, so nothing was marked gone. The run finishes
 * its downloads, then exits 5; the message says how to accept real deletions.
 */
export class MassDisappearanceError extends KeepError {
  override readonly outcome = 'SiteChanged';
}

/** Timeouts, 5xx, failed or short downloads, RPC throttling: back off and try again. */
export class TransientError extends KeepError {
  override readonly retryable = true;
}
export class RpcThrottledError extends TransientError {}
export class DownloadFailedError extends TransientError {}

/** The downloaded bytes are not what they claim to be: retry, never record. */
export class CorruptDownloadError extends TransientError {}

/** A video Google is still processing: not a failure, try on a later run. */
export class DeferredError extends KeepError {}

/** Local trouble the user must fix: disk full, unwritable folder. */
export class LocalIoError extends KeepError {
  override readonly stopsRun = true;
  override readonly outcome = 'Unexpected';
}

/** A file name from the network or a zip that would escape the backup folder. */
export class HostileNameError extends KeepError {}

export function isRetryable(error: unknown): boolean {
  return error instanceof KeepError ? error.retryable : false;
}

/** The outcome an error ends a run with: its class decides; anything else is unexpected. */
export function outcomeOfError(error: unknown): Outcome {
  return error instanceof KeepError ? error.outcome : 'Unexpected';
}

export function exitCodeOf(error: unknown): ExitCode {
  return exitCodeFor(outcomeOfError(error));
}

/** A command for the user to run, written the way the CLI completes with this run's flags. */
export function suggest(command: string): string {
  return `\`gphotos-keep ${command}\``;
}

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
