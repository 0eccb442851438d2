// Typed queries on the runs table: one row per guarded run (sync, adopt, verify …), opened when
// the run starts and completed when it ends, so a killed run shows as started without an end.
// Each finished row keeps its command and the label of how it ended ("completed",
// "interrupted", "partial: 3 failed", "signed out" …) in its summary JSON.
import type { Db } from './database.js';

/** The counts every run reports: in the runs table, the report, the metrics and status. */
export interface RunCounts {
  found: number;
  new: number;
  downloaded: number;
  skipped: number;
  deferred: number;
  failed: number;
  bytes: number;
}

export interface RunRow extends RunCounts {
  id: number;
  command: string;
  started_ms: number;
  ended_ms: number | null;
  exit_code: number | null;
  full_rescan: number;
  summary_json: string | null;
}

export function startRun(db: Db, command: string, startedMs: number): number {
  const info = db.prepare('INSERT INTO runs (command, started_ms) VALUES (?, ?)').run(command, startedMs);
  return Number(info.lastInsertRowid);
}

export interface RunEnd {
  endedMs: number;
  exitCode: number;
  counts: Partial<RunCounts>;
  fullRescan?: boolean;
  summary?: unknown;
  /** How the run ended, in words derived from what happened (run/report.ts outcomeLabel). */
  outcome?: string;
}

export function finishRun(db: Db, id: number, end: RunEnd): void {
  const c = end.counts;
  db.prepare(
    `UPDATE runs SET ended_ms = @endedMs, exit_code = @exitCode, found = @found, new = @new, downloaded = @downloaded,
       skipped = @skipped, deferred = @deferred, failed = @failed, bytes = @bytes, full_rescan = @fullRescan, summary_json = @summary
     WHERE id = @id`,
  ).run({
    id,
    endedMs: end.endedMs,
    exitCode: end.exitCode,
    found: c.found ?? 0,
    new: c.new ?? 0,
    downloaded: c.downloaded ?? 0,
    skipped: c.skipped ?? 0,
    deferred: c.deferred ?? 0,
    failed: c.failed ?? 0,
    bytes: c.bytes ?? 0,
    fullRescan: end.fullRescan ? 1 : 0,
    summary: end.summary === undefined && end.outcome === undefined ? null : JSON.stringify({ ...(isObject(end.summary) ? end.summary : end.summary === undefined ? {} : { value: end.summary }), ...(end.outcome ? { outcomeLabel: end.outcome } : {}) }),
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The outcome label a finished row recorded (null: a row from before labels, or a run that never ended). */
export function recordedOutcome(row: Pick<RunRow, 'summary_json'>): string | null {
  if (!row.summary_json) return null;
  try {
    const parsed = JSON.parse(row.summary_json) as { outcomeLabel?: unknown };
    return typeof parsed.outcomeLabel === 'string' ? parsed.outcomeLabel : null;
  } catch {
    return null;
  }
}

/** The most recent runs, newest first. */
export function recentRuns(db: Db, limit = 10): RunRow[] {
  return db.prepare('SELECT * FROM runs ORDER BY started_ms DESC, id DESC LIMIT ?').all(limit) as RunRow[];
}

/** End time of the last run of `command` that exited 0, or null. */
export function lastSuccessMs(db: Db, command = 'sync'): number | null {
  const value = db.prepare('SELECT MAX(ended_ms) FROM runs WHERE command = ? AND exit_code = 0').pluck().get(command) as number | null;
  return value ?? null;
}
