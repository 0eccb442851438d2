// When a run lists the whole library by date taken (a full rescan) instead of only the
// recent uploads: when asked (--rescan), on the first run, and when the last full rescan is
// older than --rescan-days (default 7; 0 rescans on every run).
import type { Db } from '../store/database.js';
import { ListingMeta, getMetaMs } from '../store/scan.js';

export type RescanReason = 'asked' | 'first-run' | 'schedule';

export interface RescanDecision {
  rescan: boolean;
  reason: RescanReason | null;
  /** When the last full rescan finished, if ever. */
  lastRescanMs: number | null;
  /** When the next scheduled rescan is due (null when rescanning now or never scheduled). */
  nextDueMs: number | null;
}

const DAY_MS = 24 * 3_600_000;

export function decideRescan(input: { asked: boolean; rescanDays: number; lastRescanMs: number | null; nowMs: number }): RescanDecision {
  const { asked, rescanDays, lastRescanMs, nowMs } = input;
  const base = { lastRescanMs };
  if (asked) return { ...base, rescan: true, reason: 'asked', nextDueMs: null };
  if (lastRescanMs === null) return { ...base, rescan: true, reason: 'first-run', nextDueMs: null };
  const dueMs = lastRescanMs + Math.max(0, rescanDays) * DAY_MS;
  // A last rescan "in the future" means the clock was wrong then or is now: do not trust it.
  if (nowMs >= dueMs || lastRescanMs > nowMs + DAY_MS) return { ...base, rescan: true, reason: 'schedule', nextDueMs: null };
  return { ...base, rescan: false, reason: null, nextDueMs: dueMs };
}

export function rescanDecisionFor(db: Db, options: { asked: boolean; rescanDays: number; nowMs?: number }): RescanDecision {
  return decideRescan({ asked: options.asked, rescanDays: options.rescanDays, lastRescanMs: getMetaMs(db, ListingMeta.lastFullRescan), nowMs: options.nowMs ?? Date.now() });
}

export function describeDecision(decision: RescanDecision): string {
  const last = decision.lastRescanMs === null ? 'never' : new Date(decision.lastRescanMs).toISOString();
  switch (decision.reason) {
    case 'asked':
      return 'full rescan: asked with --rescan';
    case 'first-run':
      return 'full rescan: first run on this backup folder';
    case 'schedule':
      return `full rescan: the last one (${last}) is older than --rescan-days`;
    default:
      return `recent uploads only: last full rescan ${last}, next due ${decision.nextDueMs === null ? '?' : new Date(decision.nextDueMs).toISOString()}`;
  }
}
