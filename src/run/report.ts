// The record of one run: <out>/.gphotos-keep/runs/<start>.json (written atomically), and the
// short plain-text summary that ends up in the healthcheck's end ping.
import os from 'node:os';
import path from 'node:path';
import { ExitCode, type Outcome, exitCodeFor } from '../errors.js';
import type { Db } from '../store/database.js';
import { parkedItems } from '../store/stats.js';
import { atomicWriteFile } from '../folder/atomic-write.js';
import { formatBytes, formatDuration } from './progress.js';

export interface RunCountsLike {
  found?: number;
  new?: number;
  downloaded?: number;
  skipped?: number;
  deferred?: number;
  failed?: number;
  bytes?: number;
}

/** What a run body returns as its summary: the counts the guard knows, plus anything else. */
export interface RunSummaryLike extends RunCountsLike {
  seconds?: number;
  fullRescan?: boolean;
  /** Why the run ended early, when the body reports it instead of throwing. */
  stoppedBy?: string | null;
  errors?: { mediaKey?: string | null; error: string }[];
  /** Items parked after failing in --park-after runs: named in the ping body every run until retried. */
  parked?: ParkedList;
  /** Stopped because something else holds what it needs (a browser on the profile). */
  locked?: boolean;
}

/** An item that failed in --park-after runs: not tried again until `sync --retry-failed`. */
export interface ParkedItem {
  mediaKey: string;
  fileName: string | null;
  reason: string | null;
  failedRuns: number;
  parkedAt: string;
}

export interface ParkedList {
  total: number;
  /** The most recently parked first, at most the limit asked for. */
  items: ParkedItem[];
}

export function parkedList(db: Db, limit = 20): ParkedList {
  const { total, items } = parkedItems(db, limit);
  return {
    total,
    items: items.map((r) => ({ mediaKey: r.media_key, fileName: r.file_name, reason: r.last_error, failedRuns: r.failed_runs, parkedAt: new Date(r.parked_ms).toISOString() })),
  };
}

/** One line per parked item (at most `max`, then "and N more"), indented, for the summary and the ping. */
export function parkedLines(list: ParkedList, max = 10): string[] {
  const shown = list.items.slice(0, max);
  const lines = shown.map(
    (p) => `  ${p.fileName ?? '(name not known)'} (${p.mediaKey}): ${oneLine(p.reason ?? 'no reason recorded', 200)} — parked ${p.parkedAt.replace(/\.\d{3}Z$/, 'Z')} after ${p.failedRuns} failed ${p.failedRuns === 1 ? 'run' : 'runs'}`,
  );
  if (list.total > shown.length) lines.push(`  … and ${list.total - shown.length} more (gphotos-keep status lists them)`);
  return lines;
}

export const PARKED_HEADING = 'not tried again until `gphotos-keep sync --retry-failed`';

/** Each outcome in a word or two, when nothing more is known (rows recorded before labels). */
export const OUTCOMES: Record<Outcome, string> = {
  Complete: 'completed',
  Unexpected: 'error',
  Usage: 'bad input',
  Partial: 'partial',
  SignedOut: 'signed out',
  SiteChanged: 'site changed',
};

/** The meaning of a recorded exit code (rows recorded before labels keep only the number). */
export function outcomeOf(exitCode: number): string {
  const outcome = (Object.keys(ExitCode) as Outcome[]).find((name) => exitCodeFor(name) === exitCode);
  return outcome ? OUTCOMES[outcome] : `exit ${exitCode}`;
}

/** What happened in a run, as the frame knows it at the end. */
export interface OutcomeFacts {
  outcome: Outcome;
  /** Stopped by the user's signal (Ctrl-C, SIGTERM). */
  interrupted?: boolean;
  failed?: number;
  parked?: number;
  /** Another run holds the backup folder, or a browser holds the profile. */
  locked?: boolean;
  /** A rescan's deletions were refused by the mass-disappearance guard. */
  deletionsRefused?: boolean;
  /** The listing did not get to the end. */
  listingIncomplete?: boolean;
  /** The body's own words for a partial outcome (verify: "3 problems"). */
  partial?: string | null;
}

/**
 * How a run ended, derived from what happened, not from the exit code alone: completed,
 * interrupted, partial: N failed, signed out, site changed, deletions refused, locked, bad
 * input, error. The runs row, the report, the ping, the log file's last record and `status` show it.
 */
export function outcomeLabel(f: OutcomeFacts): string {
  if (f.locked) return 'locked';
  const failed = f.failed ?? 0;
  const parked = f.parked ?? 0;
  switch (f.outcome) {
    case 'Complete':
      return 'completed';
    case 'SignedOut':
      return 'signed out';
    case 'SiteChanged':
      return f.deletionsRefused ? 'deletions refused' : 'site changed';
    case 'Usage':
      return 'bad input';
    case 'Unexpected':
      return 'error';
    case 'Partial': {
      if (f.interrupted) return failed > 0 ? `interrupted, ${failed} failed` : 'interrupted';
      if (f.partial) return `partial: ${f.partial}`;
      const parts: string[] = [];
      if (failed > 0) parts.push(`${failed} failed`);
      if (parked > 0) parts.push(`${parked} parked`);
      if (parts.length === 0 && f.listingIncomplete) parts.push('listing incomplete');
      return parts.length > 0 ? `partial: ${parts.join(', ')}` : 'partial';
    }
  }
}

export interface RunReport {
  version: 1;
  command: string;
  outcome: string;
  exitCode: number;
  startedAt: string;
  endedAt: string;
  seconds: number;
  host: string;
  pid: number;
  out: string;
  dryRun: boolean;
  /** The run's options without secrets. */
  options: Record<string, unknown>;
  counts: Required<RunCountsLike>;
  /** The index after the run, by item state; null when it could not be read. */
  index: { items: Record<string, number>; files: number; bytes: number } | null;
  /** What stopped the run, if anything. */
  error: string | null;
  /** The first item errors. */
  errors: { mediaKey: string | null; error: string }[];
  summary: RunSummaryLike | null;
}

/** `2025-01-02T03:04:05.678Z` → `2025-01-02T03-04-05.678Z`: sortable, and valid on every filesystem. */
export function reportFileName(startedAt: Date): string {
  return `${startedAt.toISOString().replace(/:/g, '-')}.json`;
}

export function runsDir(stateDir: string): string {
  return path.join(stateDir, 'runs');
}

export function writeRunReport(stateDir: string, report: RunReport): string {
  const file = path.join(runsDir(stateDir), reportFileName(new Date(report.startedAt)));
  atomicWriteFile(file, `${JSON.stringify(report, null, 2)}\n`, 0o644);
  return file;
}

export function countsOf(summary: RunCountsLike | null | undefined, fallback: Required<RunCountsLike>): Required<RunCountsLike> {
  const pick = (key: keyof RunCountsLike) => {
    const value = summary?.[key];
    return typeof value === 'number' && Number.isFinite(value) ? value : fallback[key];
  };
  return { found: pick('found'), new: pick('new'), downloaded: pick('downloaded'), skipped: pick('skipped'), deferred: pick('deferred'), failed: pick('failed'), bytes: pick('bytes') };
}

/** The healthcheck end ping's body: counts, bytes, duration, then the first errors. */
export function pingBody(report: RunReport, maxErrors = 10): string {
  const c = report.counts;
  const lines = [
    `gphotos-keep ${report.command}: ${report.outcome} (exit ${report.exitCode})`,
    `host ${report.host}, folder ${report.out}`,
    `started ${report.startedAt}, took ${formatDuration(report.seconds)}`,
    `found ${c.found}, new ${c.new}, downloaded ${c.downloaded} (${formatBytes(c.bytes)}), skipped ${c.skipped}, deferred ${c.deferred}, failed ${c.failed}`,
  ];
  if (report.index) {
    const states = Object.entries(report.index.items)
      .map(([state, n]) => `${state} ${n}`)
      .join(', ');
    lines.push(`index: ${states}; ${report.index.files} files, ${formatBytes(report.index.bytes)}`);
  }
  if (report.error) lines.push('', `stopped: ${report.error}`);
  if (report.errors.length > 0) {
    lines.push('', `first errors (${Math.min(maxErrors, report.errors.length)} of ${Math.max(c.failed, report.errors.length)}):`);
    for (const e of report.errors.slice(0, maxErrors)) lines.push(`  ${e.mediaKey ?? '-'}: ${oneLine(e.error)}`);
  }
  const parked = report.summary?.parked;
  if (parked && parked.total > 0) {
    lines.push('', `parked: ${parked.total} item(s) failed run after run, ${PARKED_HEADING}:`, ...parkedLines(parked, maxErrors));
  }
  return `${lines.join('\n')}\n`;
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function hostName(): string {
  return os.hostname();
}
