// The words an operator reads (issue 16): console lines for people and records for the log
// file only, outcome labels derived from what happened, the periods --since/--until/--recheck
// name (in the calendar of the place a photo was taken), and a summary line that adds up.
import { test, expect } from '@playwright/test';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FILE_ONLY, createLogger, humanLine, setConsoleWriter } from '../../src/log.js';
import { inTakenRange, parsePeriod, parseRecheck, rangeOf } from '../../src/model/taken-range.js';
import { outcomeLabel, outcomeOf } from '../../src/run/report.js';
import { countsLine } from '../../src/cli/commands/sync.js';
import type { SyncSummary } from '../../src/run/sync-types.js';

test('console lines are one short human line each; FILE_ONLY records reach the log file and never the console; -q keeps only errors', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-words-'));
  let console = '';
  setConsoleWriter((text) => (console += text));
  try {
    const logFile = path.join(dir, 'run.log');
    const log = createLogger({ console: 'plain', logFile });
    log.info({ account: 'keeper@example.com', nested: { a: 1 } }, 'signed in');
    log.warn({ err: new Error('HTTP 500') }, 'AF1Qip failed');
    log.error({ ...FILE_ONLY, exitCode: 4 }, 'Not signed in');
    log.flush?.();
    const lines = console.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d INFO {2}signed in \(account: keeper@example\.com\)$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d WARN {2}AF1Qip failed \(err: HTTP 500\)$/);
    const records = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.msg)).toEqual(['signed in', 'AF1Qip failed', 'Not signed in']);
    expect(records[0].nested).toEqual({ a: 1 });

    console = '';
    const quiet = createLogger({ console: 'plain', quiet: true });
    quiet.info('listing done');
    quiet.warn('took over a lock');
    quiet.error('listing stopped');
    quiet.flush?.();
    expect(console.trim().split('\n')).toEqual([expect.stringMatching(/ERROR listing stopped$/)]);
  } finally {
    setConsoleWriter(null);
    rmSync(dir, { recursive: true, force: true });
  }
  // A multi-line message stays one line.
  expect(humanLine({ level: 30, time: 0, msg: 'a\n  b' }, false)).toMatch(/INFO {2}a b\n$/);
});

test('outcome labels say what happened, not only what the exit code means', () => {
  expect(outcomeLabel({ outcome: 'Complete' })).toBe('completed');
  expect(outcomeLabel({ outcome: 'Partial', interrupted: true, failed: 0 })).toBe('interrupted');
  expect(outcomeLabel({ outcome: 'Partial', interrupted: true, failed: 2 })).toBe('interrupted, 2 failed');
  expect(outcomeLabel({ outcome: 'Partial', failed: 3 })).toBe('partial: 3 failed');
  expect(outcomeLabel({ outcome: 'Partial', failed: 1, parked: 2 })).toBe('partial: 1 failed, 2 parked');
  expect(outcomeLabel({ outcome: 'Partial', parked: 2 })).toBe('partial: 2 parked');
  expect(outcomeLabel({ outcome: 'Partial', listingIncomplete: true })).toBe('partial: listing incomplete');
  expect(outcomeLabel({ outcome: 'Partial', partial: '4 problems', failed: 4 })).toBe('partial: 4 problems');
  expect(outcomeLabel({ outcome: 'SignedOut' })).toBe('signed out');
  expect(outcomeLabel({ outcome: 'SiteChanged' })).toBe('site changed');
  expect(outcomeLabel({ outcome: 'SiteChanged', deletionsRefused: true })).toBe('deletions refused');
  expect(outcomeLabel({ outcome: 'Unexpected', locked: true })).toBe('locked');
  expect(outcomeLabel({ outcome: 'Unexpected' })).toBe('error');
  // Rows recorded before labels: the exit code's meaning.
  expect([0, 1, 2, 3, 4, 5, 9].map(outcomeOf)).toEqual(['completed', 'error', 'bad input', 'partial', 'signed out', 'site changed', 'exit 9']);
});

test('periods: YYYY, YYYY-MM, YYYY-MM-DD; --until takes in the whole period it names; FROM..TO with open ends; bad dates are usage errors', () => {
  expect(parsePeriod('2019', '--since')).toEqual({ startMs: Date.UTC(2019, 0, 1), endMs: Date.UTC(2020, 0, 1) });
  expect(parsePeriod('2019-12', '--since')).toEqual({ startMs: Date.UTC(2019, 11, 1), endMs: Date.UTC(2020, 0, 1) });
  expect(parsePeriod('2020-02-29', '--until')).toEqual({ startMs: Date.UTC(2020, 1, 29), endMs: Date.UTC(2020, 2, 1) });
  for (const bad of ['2019-02-30', '2019-13', '19', 'yesterday', '2019-6']) expect(() => parsePeriod(bad, '--since'), bad).toThrow(/is not a date/);
  expect(rangeOf('2019-06', '2019-08')).toEqual({ fromMs: Date.UTC(2019, 5, 1), toMs: Date.UTC(2019, 8, 1) });
  expect(rangeOf(null, '2019')).toEqual({ fromMs: null, toMs: Date.UTC(2020, 0, 1) });
  expect(rangeOf(undefined, undefined)).toBeNull();
  expect(() => rangeOf('2020', '2019')).toThrow(/after --until/);
  expect(parseRecheck('2019-06..2019-08')).toEqual({ fromMs: Date.UTC(2019, 5, 1), toMs: Date.UTC(2019, 8, 1) });
  expect(parseRecheck('2019..')).toEqual({ fromMs: Date.UTC(2019, 0, 1), toMs: null });
  expect(parseRecheck('..2019-01-31')).toEqual({ fromMs: null, toMs: Date.UTC(2019, 1, 1) });
  for (const bad of ['2019', '..', '2020..2019', '2019...2020']) expect(() => parseRecheck(bad), bad).toThrow();
});

test('a period is the calendar of the place a photo was taken: 23:30 UTC on 31 October at UTC+2 is November', () => {
  const october = rangeOf('2008-10', '2008-10');
  const H = 3_600_000;
  expect(inTakenRange(october, Date.UTC(2008, 9, 31, 23, 30), 2 * H)).toBe(false);
  expect(inTakenRange(october, Date.UTC(2008, 9, 31, 23, 30), 0)).toBe(true);
  expect(inTakenRange(october, Date.UTC(2008, 9, 1, 2), -5 * H)).toBe(false);
  expect(inTakenRange(october, Date.UTC(2008, 9, 1, 6), -5 * H)).toBe(true);
  expect(inTakenRange(null, 0, 0)).toBe(true);
});

test('the summary line adds up: what was found, with what waited from earlier runs, is what was downloaded, already there, deferred, failed or left', () => {
  const base = { found: 100, new: 6, downloaded: 238, skipped: 94, deferred: 0, failed: 0, bytes: 5e6, left: 0 } as SyncSummary;
  const line = countsLine(base);
  expect(line).toBe('found 100 (6 new) + 232 waiting from earlier runs · downloaded 238 (5.00 MB) · already had 94 · deferred 0 · failed 0');
  const limited = countsLine({ ...base, downloaded: 3, skipped: 0, found: 8, new: 8, deferred: 1, left: 4, bytes: 1000 } as SyncSummary);
  expect(limited).toBe('found 8 (8 new) · downloaded 3 (1.00 kB) · already had 0 · deferred 1 (still processing in Google; retried next run) · failed 0 · left for the next run 4');
  // A listed item nothing fetches (parked, or in Google's trash) is said, so the sum still holds.
  expect(countsLine({ ...base, found: 10, new: 0, downloaded: 0, skipped: 8, left: 0 } as SyncSummary)).toContain('not fetched 2 (parked or in Google\'s trash)');
});
