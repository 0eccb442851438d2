// The progress tally and its log lines when there is no terminal: what the report and the
// healthcheck body count, and how often a cron log gets a progress line.
import { test, expect } from '@playwright/test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { MAX_TALLIED_ERRORS, createProgress, formatBytes, formatDuration } from '../../src/run/progress.js';

function logger(): { log: pino.Logger; records: () => { msg: string; downloaded?: number; eta?: string }[] } {
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
  expect(lines[1]).toMatchObject({ downloaded: 30, eta: '1m10s' });
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
