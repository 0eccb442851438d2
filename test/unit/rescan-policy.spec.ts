// When a run rescans the whole library instead of listing recent uploads: asked, first run,
// schedule, --rescan-days 0, and a last-rescan time that a wrong clock put in the future.
import { test, expect } from '@playwright/test';
import { decideRescan } from '../../src/run/rescan-policy.js';

const DAY = 24 * 3_600_000;
const now = Date.UTC(2026, 5, 15, 3, 0, 0);

test('asked with --rescan: always, whatever the schedule says', () => {
  expect(decideRescan({ asked: true, rescanDays: 30, lastRescanMs: now - DAY, nowMs: now })).toMatchObject({ rescan: true, reason: 'asked' });
});

test('the first run on a backup folder rescans', () => {
  expect(decideRescan({ asked: false, rescanDays: 7, lastRescanMs: null, nowMs: now })).toMatchObject({ rescan: true, reason: 'first-run', lastRescanMs: null });
});

test('the schedule: older than --rescan-days rescans, younger lists recent uploads and says when the next one is due', () => {
  expect(decideRescan({ asked: false, rescanDays: 7, lastRescanMs: now - 7 * DAY - 1, nowMs: now })).toMatchObject({ rescan: true, reason: 'schedule' });
  expect(decideRescan({ asked: false, rescanDays: 7, lastRescanMs: now - 7 * DAY, nowMs: now })).toMatchObject({ rescan: true, reason: 'schedule' });
  expect(decideRescan({ asked: false, rescanDays: 7, lastRescanMs: now - 6 * DAY, nowMs: now })).toEqual({ rescan: false, reason: null, lastRescanMs: now - 6 * DAY, nextDueMs: now + DAY });
});

test('--rescan-days 0 rescans on every run', () => {
  expect(decideRescan({ asked: false, rescanDays: 0, lastRescanMs: now - 1000, nowMs: now })).toMatchObject({ rescan: true, reason: 'schedule' });
});

test('a last rescan more than a day in the future (the clock was wrong) is not trusted', () => {
  expect(decideRescan({ asked: false, rescanDays: 7, lastRescanMs: now + 3 * DAY, nowMs: now })).toMatchObject({ rescan: true, reason: 'schedule' });
  expect(decideRescan({ asked: false, rescanDays: 7, lastRescanMs: now + 60_000, nowMs: now })).toMatchObject({ rescan: false });
});
