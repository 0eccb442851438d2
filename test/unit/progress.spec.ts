// The progress tally and its log lines when there is no terminal: what the report and the
// healthcheck body count, and how often a cron log gets a progress line.
import { test, expect } from '@playwright/test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { MAX_TALLIED_ERRORS, createProgress, displayLines, formatBytes, formatDuration, stoppingNote } from '../../src/run/progress.js';

function logger(): { log: pino.Logger; records: () => { msg: string; progress?: { downloaded?: number; eta?: string } }[] } {
  let text = '';
  const stream = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
  return { log: pino({ level: 'debug' }, stream), records: () => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

test('the tally counts results and bytes, and keeps the first errors', () => {
  const { log } = logger();
  const p = createProgress({ stderr: process.stderr, logger: log, interactive: false });
  p.event({ type: 'listing', found: 10, new: 4 });
  p.event({ type: 'listing', found: 25, new: 9, done: true });
  p.event({ type: 'queue', total: 12 });
  p.event({ type: 'downloaded', mediaKey: 'a', bytes: 1500 });
  p.event({ type: 'downloaded', mediaKey: 'b', bytes: 500 });
  p.event({ type: 'deferred', mediaKey: 'c', reason: 'processing' });
  for (let i = 0; i < MAX_TALLIED_ERRORS + 5; i++) p.event({ type: 'failed', mediaKey: `f${i}`, error: `HTTP 500 #${i}` });
  p.stop();
  expect(p.tally).toMatchObject({ found: 25, new: 9, listingDone: true, queued: 12, downloaded: 2, deferred: 1, failed: MAX_TALLIED_ERRORS + 5, bytes: 2000 });
  expect(p.tally.errors).toHaveLength(MAX_TALLIED_ERRORS);
  expect(p.tally.errors[0]).toEqual({ mediaKey: 'f0', error: 'HTTP 500 #0' });
  // Events after stop() are ignored.
  p.event({ type: 'downloaded', mediaKey: 'z', bytes: 1 });
  expect(p.tally.downloaded).toBe(2);
});

test('without a terminal: a line when the listing ends, then one every logEverySeconds, with an ETA', () => {
  const { log, records } = logger();
  let clock = 1_000_000;
  const p = createProgress({ stderr: process.stderr, logger: log, interactive: false, logEverySeconds: 30, now: () => clock });
  p.event({ type: 'listing', found: 100, new: 100, done: true });
  p.event({ type: 'queue', total: 100 });
  for (let i = 0; i < 40; i++) {
    clock += 1_000; // one item a second
    p.event({ type: 'downloaded', mediaKey: `k${i}`, bytes: 1000 });
  }
  const lines = records().filter((r) => r.msg !== 'item');
  expect(lines.map((r) => r.msg)).toEqual(['listing done: 100 items, 100 new', 'progress: 30/100 items, 30.0 kB']);
  // The figures ride along for the log file (a person reads the message).
  expect(lines[1].progress).toMatchObject({ downloaded: 30, eta: '1m10s' });
  // Per-item lines only at debug level.
  expect(records().filter((r) => r.msg === 'item')).toHaveLength(40);
});

test('-q: no progress lines at all', () => {
  const { log, records } = logger();
  const p = createProgress({ stderr: process.stderr, logger: log.child({}, { level: 'warn' }), quiet: true, interactive: true });
  p.event({ type: 'listing', found: 3, done: true });
  p.event({ type: 'downloaded', bytes: 10 });
  p.stop();
  expect(records()).toEqual([]);
  expect(p.tally.downloaded).toBe(1);
});

test('human units', () => {
  expect(formatBytes(999)).toBe('999 B');
  expect(formatBytes(1_500)).toBe('1.50 kB');
  expect(formatBytes(2_345_678_901)).toBe('2.35 GB');
  expect(formatDuration(59.4)).toBe('59s');
  expect(formatDuration(61)).toBe('1m01s');
  expect(formatDuration(3 * 3600 + 125)).toBe('3h02m');
  expect(formatDuration(Number.NaN)).toBe('?');
});

test('the display fits the terminal: at 80 columns and narrower no line is wrapped, figures give way least useful first', () => {
  const busy = { found: 123_456, fresh: 12_345, listingDone: false, done: 1234, total: 99_999, bytes: 123_456_789_012, rate: 12_345_678, eta: '12h34m+', failed: 123, deferred: 45 };
  for (const columns of [200, 120, 80, 60, 40]) {
    const lines = displayLines(busy, columns);
    for (const line of lines) expect(line.length, `${columns} columns: ${line}`).toBeLessThan(columns);
    expect(lines[1]).toContain('1234/99999');
  }
  const wide = displayLines(busy, 200)[1];
  expect(wide).toMatch(/\[#*-+\] 1234\/99999 · 123\.5 GB · ETA 12h34m\+ · 12\.3 MB\/s · 123 failed · 45 waiting$/);
  // At 80 columns the rate goes first, then the ETA; the count and the problems stay.
  const narrow = displayLines(busy, 80)[1];
  expect(narrow).not.toContain('MB/s');
  expect(narrow).toContain('123 failed · 45 waiting');
  // The bar keeps its width whatever the figures (it does not jump as they grow).
  const bar = (line: string) => /\[([#-]+)\]/.exec(line)![1].length;
  expect(bar(displayLines({ ...busy, failed: 0, deferred: 0, bytes: 5 }, 80)[1])).toBe(bar(displayLines(busy, 80)[1]));
});

test('the first Ctrl-C is answered with what the run still finishes; SIGTERM says its own name', () => {
  expect(stoppingNote(new Error('received SIGINT'), 4)).toBe('finishing 4 downloads in flight; Ctrl-C again to stop now');
  expect(stoppingNote(new Error('received SIGINT'), 1)).toBe('finishing 1 download in flight; Ctrl-C again to stop now');
  expect(stoppingNote(new Error('received SIGTERM'), 0)).toBe('stopping (SIGTERM): finishing the work in flight; a second SIGTERM stops now');
});
