// Facts: the library grid — virtualized tiles in [role="main"], tile links and labels, order,
// keyboard, and the page's own lcxiM calls.
import { test, expect } from '@playwright/test';
import { startReplica, type Replica } from './index.js';
import { signedInPage } from './helpers.js';

const LABEL = /^(Photo|Video) - (Landscape|Portrait|Square) - (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4}, \d{1,2}:\d{2}:\d{2} (AM|PM)$/;

let replica: Replica;
test.beforeAll(async () => {
  replica = await startReplica({ library: { synthetic: 1500, seed: 11 } });
});
test.afterAll(async () => {
  await replica.close();
});

test('grid is virtualized: only tiles near the viewport exist, absolutely positioned with translate3d inside [role="main"]', async ({ browser }) => {
  replica.resetCounters();
  const { context, page } = await signedInPage(browser, replica);
  const tiles = page.locator('[role="main"] a[href^="./photo/"]');
  await expect(tiles.first()).toBeVisible();
  const count = await tiles.count();
  expect(count).toBeGreaterThan(10);
  expect(count).toBeLessThan(200);
  const style = await tiles.first().evaluate((a) => ({ position: getComputedStyle(a).position, transform: (a as HTMLElement).style.transform }));
  expect(style.position).toBe('absolute');
  expect(style.transform).toMatch(/^translate3d\(/);
  const main = await page.locator('[role="main"]').evaluate((m) => ({ overflowY: getComputedStyle(m).overflowY, scrollHeight: m.scrollHeight, clientHeight: m.clientHeight }));
  expect(main.overflowY).toBe('auto');
  expect(main.scrollHeight).toBeGreaterThan(main.clientHeight * 5);
  // The page loaded its items through batchexecute lcxiM, like the real app.
  expect(replica.counters.rpc['lcxiM']).toBeGreaterThanOrEqual(1);
  await context.close();
});

test('tiles are <a href="./photo/<key>" aria-label="Photo - Landscape - Oct 3, 2024, 4:39:33 PM">, newest taken first', async ({ browser }) => {
  const { context, page } = await signedInPage(browser, replica);
  const tiles = page.locator('[role="main"] a[href^="./photo/"]');
  await expect(tiles.first()).toBeVisible();
  const got = await tiles.evaluateAll((els) => els.map((a) => ({ href: a.getAttribute('href')!, label: a.getAttribute('aria-label')!, index: Number((a as HTMLElement).dataset.index) })).sort((x, y) => x.index - y.index));
  const library = replica.items.filter((i) => !i.archived);
  got.forEach((t, n) => {
    const it = library[n];
    expect(t.href).toBe(`./photo/${it.mediaKey}`);
    expect(t.label).toMatch(LABEL);
    expect(t.label.startsWith(it.kind === 'video' ? 'Video - ' : 'Photo - ')).toBe(true);
  });
  // Exact label text for a known item: 2008-10-22 16:28:39 at +02:00, 640×480.
  const r = await startReplica();
  try {
    const { context: c2, page: p2 } = await signedInPage(browser, r);
    const key = r.items.find((i) => i.fileName === 'DSCN0010.jpg')!.mediaKey;
    await p2.locator('[role="main"]').evaluate((m) => (m.scrollTop = m.scrollHeight));
    await expect(p2.locator(`a[href="./photo/${key}"]`)).toHaveAttribute('aria-label', 'Photo - Landscape - Oct 22, 2008, 4:28:39 PM');
    const portrait = r.items.find((i) => i.fileName === 'IMG_0041.HEIC')!.mediaKey;
    await p2.locator('[role="main"]').evaluate((m) => (m.scrollTop = 0));
    await expect(p2.locator(`a[href="./photo/${portrait}"]`)).toHaveAttribute('aria-label', /^Photo - Portrait - Feb 16, 2022, /);
    const video = r.items.find((i) => i.fileName === 'PXL_20210612_091530.mp4')!.mediaKey;
    await expect(p2.locator(`a[href="./photo/${video}"]`)).toHaveAttribute('aria-label', 'Video - Landscape - Jun 12, 2021, 11:15:30 AM');
    await c2.close();
  } finally {
    await r.close();
  }
  await context.close();
});

test('scrolling (End / PageDown) reveals older tiles and drops the newest from the DOM; all items reachable', async ({ browser }) => {
  const { context, page } = await signedInPage(browser, replica);
  const library = replica.items.filter((i) => !i.archived);
  const first = page.locator(`a[href="./photo/${library[0].mediaKey}"]`);
  await expect(first).toBeVisible();
  const before = await page.locator('[role="main"]').evaluate((m) => m.scrollTop);
  await page.keyboard.press('PageDown');
  await expect.poll(() => page.locator('[role="main"]').evaluate((m) => m.scrollTop)).toBeGreaterThan(before);
  const oldest = page.locator(`a[href="./photo/${library[library.length - 1].mediaKey}"]`);
  for (let i = 0; i < 20 && !(await oldest.count()); i++) {
    await page.keyboard.press('End');
    await page.waitForTimeout(150);
  }
  await expect(oldest).toHaveCount(1);
  await expect(first).toHaveCount(0);
  await expect(page.locator('body')).toHaveAttribute('data-loaded', 'all');
  await context.close();
});

test('keyboard in the grid: arrows move focus, Enter opens the focused tile', async ({ browser }) => {
  const { context, page } = await signedInPage(browser, replica);
  const library = replica.items.filter((i) => !i.archived);
  await expect(page.locator('a[href^="./photo/"]').first()).toBeVisible();
  await page.keyboard.press('ArrowRight'); // focuses the first tile
  await page.keyboard.press('ArrowRight');
  await expect(page.locator(':focus')).toHaveAttribute('href', `./photo/${library[1].mediaKey}`);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${replica.baseUrl}/photo/${library[1].mediaKey}`);
  await context.close();
});
