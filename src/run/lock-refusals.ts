// How long the run lock has refused this folder's runs. A run refused by a live lock exits 0
// (the other run is doing the work), but a lock that refuses every run for a day is a run that
// hangs: the first refusal by a given lock is recorded beside it, so a later refused run can
// tell how long it has been, and say so with a failing exit code. Taking the lock clears it.
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KeepError } from '../errors.js';
import type { LockOwner } from './lock.js';

export const REFUSALS_FILE = 'lock-refused.json';

export interface Refusals {
  /** The lock that refused: pid, host and start name one run. */
  holder: Pick<LockOwner, 'pid' | 'host' | 'startedAt'>;
  /** When that lock first refused a run. */
  sinceMs: number;
  /** Runs it refused since then, this one included. */
  count: number;
}

function fileOf(stateDir: string): string {
  return path.join(stateDir, REFUSALS_FILE);
}

function sameRun(a: Refusals['holder'], b: Refusals['holder']): boolean {
  return a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

function read(stateDir: string): Refusals | null {
  try {
    const parsed = JSON.parse(readFileSync(fileOf(stateDir), 'utf8')) as Refusals;
    if (typeof parsed?.sinceMs !== 'number' || typeof parsed.holder?.pid !== 'number') return null;
    return parsed;
  } catch {
    return null;
  }
}

/** Records that `holder` refused a run at `now`; returns since when it has been refusing. */
export function noteRefusal(stateDir: string, holder: LockOwner, now = new Date()): Refusals {
  const who = { pid: holder.pid, host: holder.host, startedAt: holder.startedAt };
  const before = read(stateDir);
  const next: Refusals = before && sameRun(before.holder, who) ? { holder: who, sinceMs: before.sinceMs, count: before.count + 1 } : { holder: who, sinceMs: now.getTime(), count: 1 };
  // Written whole and renamed, so two refused runs at once never leave half a file.
  const temp = `${fileOf(stateDir)}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, `${JSON.stringify(next)}\n`, { mode: 0o600 });
    renameSync(temp, fileOf(stateDir));
  } catch {
    // Cannot record it (read-only copy): the answer still counts from what was known.
  }
  return next;
}

/** The lock was taken: no run is being refused any more. */
export function clearRefusals(stateDir: string): void {
  try {
    unlinkSync(fileOf(stateDir));
  } catch {
    // none recorded
  }
}

/** Default of --stuck-lock-hours. */
export const STUCK_LOCK_HOURS = 24;

/** A run refused by the same live lock for longer than the limit: that run is stuck, and monitoring must hear it. */
export class StuckLockError extends KeepError {
  override readonly stopsRun = true;
  override readonly outcome = 'Unexpected';
}

export function stuckLockError(refusals: Refusals, limitHours: number, holderText: string, lockFile: string, refreshedMs: number | null, now = new Date()): StuckLockError {
  const hours = (now.getTime() - refusals.sinceMs) / 3_600_000;
  const refreshed = refreshedMs === null ? '' : `; the lock was last refreshed ${new Date(refreshedMs).toISOString()}`;
  return new StuckLockError(
    `${holderText} has refused every run on this folder since ${new Date(refusals.sinceMs).toISOString()} (${refusals.count} runs, ${hours.toFixed(1)} h, longer than --stuck-lock-hours ${limitHours})${refreshed}. ` +
      `If that run hangs, stop it; if it is not running any more, remove ${lockFile}. Nothing was changed.`,
  );
}

/** Has the same lock refused runs for longer than `limitHours`? */
export function refusedTooLong(refusals: Refusals, limitHours: number, now = new Date()): boolean {
  return now.getTime() - refusals.sinceMs > limitHours * 3_600_000;
}
