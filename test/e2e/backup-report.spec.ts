// See the backup (issue 16): `gphotos-keep report --out DIR` writes DIR/report.html, one
// self-contained page (no network, no other file): items per month as a bar chart of Google's
// count and what is kept, failing and waiting items with their reasons, the last runs, the space
// used, and thumbnails of the latest items made here from the kept files. It only reads the
// index. Checked in a real browser: the chart's bars, the counts, the thumbnails decoded.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../../playwright.config.js';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { TEST_BROWSER_ARGS } from '../helpers/profile.js';
import { sampleLibrary } from '../replica/index.js';
import { sync } from './sync-helpers.js';

// Nine photos of October 2008, one of May 2008, the 2021 video, a still processing 2024 video, and an iPhone HEIC.
const picks = new Set(['gps__DSCN0010.jpg', 'gps__DSCN0012.jpg', 'gps__DSCN0021.jpg', 'gps__DSCN0025.jpg', 'Canon_40D.jpg', 'video__PXL_20210612_091530.mp4', 'mobile__iphone_13_pro_max.HEIC']);
test.use({ replicaOptions: { library: sampleLibrary().filter((s) => picks.has(s.sample)), latencyMs: 5 } });

/** Every file of the state folder by content (SQLite's side files aside): what "read-only" must leave as it was. */
function stateSnapshot(outDir: string): Record<string, string> {
  const dir = path.join(outDir, '.gphotos-keep');
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/-(wal|shm)$/.test(e.name) && !e.name.endsWith('-journal')) out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

test('report --out writes a self-contained report.html: the month chart and counts match the index, failing and waiting items with reasons, runs, thumbnails', async ({ replica, outDir, profileDir }, testInfo) => {
  const failing = replica.items.find((i) => i.fileName === 'DSCN0021.jpg')!;
  replica.faults.failDownloadsOf.add(failing.mediaKey);
  const first = await sync(replica, outDir, profileDir, ['--max-attempts', '1']);
  expect(first.code, first.stderr).toBe(3);
  const waiting = replica.items.filter((i) => i.processing);
  const before = stateSnapshot(outDir);

  const result = await runCli(['report', '--out', outDir, '--json'], { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(0);
  const file = path.join(outDir, 'report.html');
  const told = JSON.parse(result.stdout);
  expect(told).toMatchObject({ file, inGoogle: replica.items.length, kept: replica.items.length - 1 - waiting.length });
  // The index was only read: the state folder is byte for byte what it was, and no run was recorded.
  expect(stateSnapshot(outDir)).toEqual(before);

  const html = readFileSync(file, 'utf8');
  // Self-contained: nothing to fetch, not even from the backup folder.
  expect(html).not.toMatch(/(src|href)="(?!data:)[^"]+"/);
  expect(html).not.toMatch(/https?:\/\//);

  const browser = await chromium.launch({ executablePath: chromiumPath, args: TEST_BROWSER_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1000, height: 760 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    expect(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'))).toEqual([]);

    // The chart: one bar pair per month from the first to the last, Google's count and what is kept.
    const months = await page.locator('g.month').evaluateAll((gs) => gs.map((g) => ({ month: g.getAttribute('data-month'), google: Number(g.getAttribute('data-google')), kept: Number(g.getAttribute('data-kept')), googleHeight: Number(g.querySelector('rect.google')!.getAttribute('height')), keptHeight: Number(g.querySelector('rect.kept')!.getAttribute('height')) })));
    const expected = new Map<string, { google: number; kept: number }>();
    for (const item of replica.items) {
      const month = new Date(item.takenMs + item.tzOffsetMs).toISOString().slice(0, 7);
      const m = expected.get(month) ?? { google: 0, kept: 0 };
      m.google++;
      if (item !== failing && !item.processing) m.kept++;
      expected.set(month, m);
    }
    const first = [...expected.keys()].sort()[0];
    const last = [...expected.keys()].sort().pop()!;
    expect(months[0].month).toBe(first);
    expect(months[months.length - 1].month).toBe(last);
    for (const m of months) expect({ month: m.month, google: m.google, kept: m.kept }).toEqual({ month: m.month, ...(expected.get(m.month!) ?? { google: 0, kept: 0 }) });
    // October 2008: 4 in Google, 3 kept (one failing): the kept bar is shorter than Google's, and drawn.
    const october = months.find((m) => m.month === '2008-10')!;
    expect(october).toMatchObject({ google: 4, kept: 3 });
    expect(october.keptHeight).toBeGreaterThan(0);
    expect(october.keptHeight).toBeLessThan(october.googleHeight);
    await expect(page.locator('svg[role="img"]')).toBeVisible();

    // The counts.
    await expect(page.locator('[data-card="google"] b')).toHaveText(String(replica.items.length));
    await expect(page.locator('[data-card="kept"] b')).toHaveText(String(told.kept));
    await expect(page.locator('[data-card="failing"] b')).toHaveText('1');
    await expect(page.locator('[data-card="deferred"] b')).toHaveText(String(waiting.length));
    // Failing and waiting, with their reasons.
    await expect(page.locator('tr[data-kind="failing"]')).toHaveCount(1);
    await expect(page.locator('tr[data-kind="failing"]')).toContainText('DSCN0021.jpg');
    await expect(page.locator('tr[data-kind="failing"] td').nth(2)).not.toHaveText('no reason recorded');
    await expect(page.locator('tr[data-kind="deferred"]')).toHaveCount(waiting.length);
    await expect(page.locator('tr[data-kind="deferred"]').first()).toContainText('processing');
    // The last run, with its command and outcome.
    await expect(page.locator('table.runs tbody tr')).toHaveCount(1);
    await expect(page.locator('table.runs tbody tr').first()).toContainText('sync');
    await expect(page.locator('table.runs tbody tr').first()).toContainText('partial: 1 failed (exit 3)');

    // Thumbnails of the latest kept items, newest first: the photos and the video decoded here; the HEIC (no preview, no decoder) by its name.
    const thumbs = await page.locator('figure').evaluateAll((fs) => fs.map((f) => ({ key: f.getAttribute('data-key'), img: (f.querySelector('img') as HTMLImageElement | null)?.naturalWidth ?? 0, text: f.textContent })));
    const kept = replica.items.filter((i) => i !== failing && !i.processing).sort((a, b) => b.takenMs - a.takenMs);
    expect(thumbs.map((t) => t.key)).toEqual(kept.map((i) => i.mediaKey));
    for (const t of thumbs) {
      const item = kept.find((i) => i.mediaKey === t.key)!;
      if (item.fileName.endsWith('.HEIC')) expect(t.text).toContain(item.fileName);
      else expect(t.img, item.fileName).toBeGreaterThan(0);
    }

    const shot = testInfo.outputPath('report.png');
    await page.screenshot({ path: shot, fullPage: true });
    await testInfo.attach('report.png', { path: shot, contentType: 'image/png' });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  } finally {
    await browser.close();
  }
});

test('report on a folder without an index: exit 2, nothing written', async ({ outDir }) => {
  const result = await runCli(['report', '--out', outDir], { env: cleanEnv() });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('does not exist');
});

test('the README shows the report: docs/report.png is there and small (a PNG under 150 kB)', () => {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  const png = path.join(root, 'docs', 'report.png');
  expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  expect(statSync(png).size).toBeLessThan(150_000);
  expect(readFileSync(path.join(root, 'README.md'), 'utf8')).toContain('](docs/report.png)');
});
