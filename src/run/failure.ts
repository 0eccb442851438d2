// Turns whatever ended a run into its outcome (exit code: exitCodeFor) and a message a person can act on.
// Local trouble (disk full, read-only or unwritable folder) is a LocalIoError: exit 1 with the
// path and what to do; the error classes in src/errors.ts decide the rest.
import { KeepError, LocalIoError, type Outcome, describeError } from '../errors.js';

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_READONLY_DBMOVED']);

function errnoOf(error: unknown): { code: string | null; path: string | null } {
  let current: unknown = error;
  // Look through wrapped causes (p-retry, our own errors wrap the system error).
  for (let depth = 0; depth < 5 && current; depth++) {
    const e = current as { code?: unknown; path?: unknown; cause?: unknown };
    if (typeof e.code === 'string' && (DISK_FULL.has(e.code) || NOT_WRITABLE.has(e.code) || e.code.startsWith('SQLITE_IOERR'))) {
      return { code: e.code, path: typeof e.path === 'string' ? e.path : null };
    }
    current = e.cause;
  }
  return { code: null, path: null };
}

/** A LocalIoError for disk-full and unwritable-folder errors, or null for anything else. */
export function localIoErrorFrom(error: unknown, outDir: string): LocalIoError | null {
  if (error instanceof LocalIoError) return error;
  const { code, path } = errnoOf(error);
  if (!code) return null;
  const where = path ?? outDir;
  if (DISK_FULL.has(code)) {
    return new LocalIoError(`Out of disk space writing ${where} (${code}). Nothing partial was recorded; free space on the disk holding ${outDir}, then run again.`, { cause: error });
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new LocalIoError(`Cannot write the index in ${outDir} (${code}): check the disk (space, errors, read-only mount), then run again.`, { cause: error });
  }
  return new LocalIoError(`Cannot write ${where} (${code}): the backup folder must be writable by this user on a read-write disk. Fix its permissions or mount, or pass another --out.`, { cause: error });
}

export interface Failure {
  outcome: Outcome;
  message: string;
  /** An error class this program raises on purpose (not a bug). */
  expected: boolean;
}

export function classifyFailure(error: unknown, outDir: string): Failure {
  const local = localIoErrorFrom(error, outDir);
  if (local) return { outcome: local.outcome, message: local.message, expected: true };
  if (error instanceof KeepError) return { outcome: error.outcome, message: error.message, expected: true };
  return { outcome: 'Unexpected', message: `unexpected error: ${describeError(error)}`, expected: false };
}
