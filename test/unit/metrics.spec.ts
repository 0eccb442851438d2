// The --metrics-file: Prometheus text format that node_exporter's textfile collector accepts,
// parsed back by an independent parser, and written so that a reader never sees half a file.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { type MetricsSnapshot, renderMetrics, writeMetricsFile } from '../../src/run/metrics.js';

const snapshot: MetricsSnapshot = {
  out: '/srv/photos "main" \\ backup',
  command: 'sync',
  startedMs: 1_767_225_600_000,
  endedMs: 1_767_225_661_500,
  exitCode: 3,
  lastSuccessMs: 1_767_139_200_000,
  itemsByState: { pending: 1, done: 17, failed: 2, deferred: 1, gone: 0 },
  filesRecorded: 19,
  bytesRecorded: 123_456_789_012,
  run: { found: 21, new: 4, downloaded: 3, skipped: 0, deferred: 1, failed: 2, bytes: 5_242_880 },
};

// The exposition format's line grammar: comments, blank lines, or name{labels} value.
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? -?[0-9.e+]+$/;

test('renders gauges a Prometheus parser reads back: last success, items by state, bytes, duration, exit code', async () => {
  const text = await renderMetrics(snapshot);
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    expect(line).toMatch(SAMPLE);
  }
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  for (const f of families.values()) expect(f.type).toBe('GAUGE');
  const one = (name: string) => {
    const family = families.get(name);
    expect(family, name).toBeDefined();
    expect(family!.metrics).toHaveLength(1);
    expect(family!.metrics[0].labels).toEqual({ out: snapshot.out });
    return Number(family!.metrics[0].value);
  };
  expect(one('gphotos_keep_last_success_timestamp_seconds')).toBe(1_767_139_200);
  expect(one('gphotos_keep_last_run_start_timestamp_seconds')).toBe(1_767_225_600);
  expect(one('gphotos_keep_last_run_end_timestamp_seconds')).toBe(1_767_225_661.5);
  expect(one('gphotos_keep_last_run_duration_seconds')).toBe(61.5);
  expect(one('gphotos_keep_last_run_exit_code')).toBe(3);
  expect(one('gphotos_keep_bytes')).toBe(123_456_789_012);
  expect(one('gphotos_keep_files')).toBe(19);
  expect(one('gphotos_keep_last_run_downloaded_bytes')).toBe(5_242_880);

  const byState = Object.fromEntries(families.get('gphotos_keep_items')!.metrics.map((m) => [m.labels!.state, Number(m.value)]));
  expect(byState).toEqual(snapshot.itemsByState);
  const byResult = Object.fromEntries(families.get('gphotos_keep_last_run_items')!.metrics.map((m) => [m.labels!.result, Number(m.value)]));
  expect(byResult).toEqual({ found: 21, new: 4, downloaded: 3, skipped: 0, deferred: 1, failed: 2 });
});

test('never a success: last success is 0, so an alert on its age fires; an unreadable index leaves out the index series', async () => {
  const text = await renderMetrics({ ...snapshot, lastSuccessMs: null, itemsByState: null, filesRecorded: null, bytesRecorded: null });
  const families = new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f]));
  expect(families.get('gphotos_keep_last_success_timestamp_seconds')!.metrics[0].value).toBe('0');
  expect(families.has('gphotos_keep_items')).toBe(false);
  expect(families.has('gphotos_keep_bytes')).toBe(false);
  expect(families.get('gphotos_keep_last_run_exit_code')!.metrics[0].value).toBe('3');
});

test('written atomically: a reader process racing 100 rewrites only ever sees a whole file; no temp file is left', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-metrics-'));
  try {
    const file = path.join(dir, 'collector', 'gphotos_keep.prom');
    const stop = path.join(dir, 'stop');
    const ready = path.join(dir, 'ready');
    await writeMetricsFile(file, snapshot);
    const whole = (await renderMetrics(snapshot)).length;
    // A separate process reads as fast as it can, like the collector would, and counts short reads.
    const reader = spawn(process.execPath, ['-e', `
      const fs = require('fs'); let reads = 0, partial = 0;
      while (!fs.existsSync(${JSON.stringify(stop)})) {
        const text = fs.readFileSync(${JSON.stringify(file)}, 'utf8'); reads++;
        if (reads === 1) fs.writeFileSync(${JSON.stringify(ready)}, '');
        if (!text.endsWith('\\n') || !text.includes('gphotos_keep_bytes{') || text.length < ${whole} - 50) partial++;
      }
      process.stdout.write(JSON.stringify({ reads, partial }));`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    reader.stdout.on('data', (d) => (out += d));
    const done = new Promise((resolve) => reader.on('exit', resolve));
    // The race only means something once the reader is reading (a loaded machine starts it late).
    while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 100; i++) await writeMetricsFile(file, { ...snapshot, exitCode: i % 6, run: { ...snapshot.run, downloaded: i } });
    writeFileSync(stop, '');
    await done;
    const { reads, partial } = JSON.parse(out) as { reads: number; partial: number };
    expect(reads).toBeGreaterThan(0);
    expect(partial).toBe(0);
    expect(readdirSync(path.dirname(file))).toEqual(['gphotos_keep.prom']);
    const last = parsePrometheusTextFormat(readFileSync(file, 'utf8')).find((f) => f.name === 'gphotos_keep_last_run_items')!;
    expect(last.metrics.find((m) => m.labels!.result === 'downloaded')!.value).toBe('99');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
