// Facts: the item viewer — stacked c-wiz, arrows, Shift+D and the More options menu, edited
// items, Live Photo zips, processing videos, the info panel, /lr/photo/<apiId>.
import { test, expect, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { startReplica, type Replica } from './index.js';
import { readZip, sha256, signedInContext, signedInPage } from './helpers.js';

let replica: Replica;
test.beforeAll(async () => {
  replica = await startReplica();
});
test.afterAll(async () => {
  await replica.close();
});

const byName = (name: string) => replica.items.find((i) => i.fileName === name)!;
const visible = (page: Page) => page.locator('c-wiz[data-media-key]:visible');

async function downloadBody(download: import('@playwright/test').Download): Promise<Buffer> {
  expect(await download.failure()).toBeNull();
  return readFile((await download.path())!);
}

test('viewer stacks c-wiz[data-media-key]: one visible for the item, a hidden stale one for another key', async ({ browser }) => {
  const it = byName('DSCN0021.jpg');
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  await expect(visible(page)).toHaveCount(1);
  await expect(visible(page)).toHaveAttribute('data-media-key', it.mediaKey);
  const all = await page.locator('c-wiz[data-media-key]').evaluateAll((els) => els.map((e) => ({ key: e.getAttribute('data-media-key'), shown: (e as HTMLElement).offsetParent !== null || getComputedStyle(e).display !== 'none' })));
  expect(all.length).toBeGreaterThanOrEqual(2);
  const hidden = all.filter((x) => !x.shown);
  expect(hidden.length).toBeGreaterThanOrEqual(1);
  expect(hidden.every((x) => x.key !== it.mediaKey)).toBe(true);
  // The hidden one carries the same buttons: only lookups scoped to the visible c-wiz are safe.
  expect(await page.locator('[aria-label="More options"]').count()).toBeGreaterThanOrEqual(2);
  await expect(page.locator(`[data-p*="${it.mediaKey}"]`)).toBeVisible();
  await context.close();
});

test('ArrowLeft = newer item, ArrowRight = older item; the URL changes in-document', async ({ browser }) => {
  const library = replica.items.filter((i) => !i.archived);
  const n = library.findIndex((i) => i.fileName === 'DSCN0027.jpg');
  const { context, page } = await signedInPage(browser, replica, `/photo/${library[n].mediaKey}?hl=en`);
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  await page.keyboard.press('ArrowRight');
  await page.waitForURL(`${replica.baseUrl}/photo/${library[n + 1].mediaKey}?hl=en`);
  await expect(visible(page)).toHaveAttribute('data-media-key', library[n + 1].mediaKey);
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await page.waitForURL(`${replica.baseUrl}/photo/${library[n - 1].mediaKey}?hl=en`);
  await expect(visible(page)).toHaveAttribute('data-media-key', library[n - 1].mediaKey);
  await expect(visible(page)).toHaveCount(1);
  expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42); // same document
  await page.goBack();
  await expect(visible(page)).toHaveAttribute('data-media-key', library[n].mediaKey);
  await context.close();
});

test('arrow presses that come faster than items load each move one item, in order', async ({ browser }) => {
  const library = replica.items.filter((i) => !i.archived);
  const n = library.findIndex((i) => i.fileName === 'DSCN0027.jpg');
  const { context, page } = await signedInPage(browser, replica, `/photo/${library[n].mediaKey}?hl=en`);
  replica.faults.latencyMs = 300;
  try {
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    await page.waitForURL(`${replica.baseUrl}/photo/${library[n - 2].mediaKey}?hl=en`);
    await expect(visible(page)).toHaveAttribute('data-media-key', library[n - 2].mediaKey);
  } finally {
    replica.faults.latencyMs = 0;
  }
  await context.close();
});

test('Shift+D downloads the original file: Content-Disposition name, sha256 and size as expected', async ({ browser }) => {
  const it = byName('DSCN0010.jpg');
  replica.resetCounters();
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  const body = await downloadBody(download);
  const [want] = replica.expectedFiles(it.mediaKey);
  expect(download.suggestedFilename()).toBe('DSCN0010.jpg');
  expect(download.url()).toMatch(/\/pw\/[A-Za-z0-9_-]+=s0-d-ip$/);
  expect(sha256(body)).toBe(want.sha256);
  expect(body.length).toBe(want.bytes);
  expect(replica.counters.downloads[it.mediaKey]).toBe(1);
  expect(replica.counters.downloadStarts[it.mediaKey]).toBe(1);
  expect(replica.counters.rpc['VrseUb']).toBe(1);
  // The response itself: attachment with both filename forms, length, type.
  const res = await page.request.get(download.url());
  expect(res.headers()['content-disposition']).toBe(`attachment; filename="DSCN0010.jpg"; filename*=UTF-8''DSCN0010.jpg`);
  expect(res.headers()['content-length']).toBe(String(want.bytes));
  expect(res.headers()['content-type']).toBe('image/jpeg');
  await context.close();
});

test('More options → [aria-label="Download - Shift+D"] downloads too; videos come from /video-download/', async ({ browser }) => {
  const it = byName('PXL_20210612_091530.mp4');
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  await visible(page).locator('[aria-label="More options"]').click();
  await expect(page.locator('[aria-label="Download original"]')).toHaveCount(0);
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[aria-label="Download - Shift+D"]').click()]);
  const body = await downloadBody(download);
  expect(download.suggestedFilename()).toBe('PXL_20210612_091530.mp4');
  expect(download.url()).toContain('/video-download/');
  expect(sha256(body)).toBe(replica.expectedFiles(it.mediaKey)[0].sha256);
  expect((await page.request.get(download.url())).headers()['content-type']).toBe('video/mp4');
  await context.close();
});

test('edited item: Download gives the edited version, "Download original" the unedited original', async ({ browser }) => {
  const it = byName('Canon_40D.jpg');
  const files = replica.expectedFiles(it.mediaKey);
  const main = files.find((f) => f.role === 'main')!;
  const original = files.find((f) => f.role === 'original')!;
  expect(main.sha256).not.toBe(original.sha256);
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const [edited] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(sha256(await downloadBody(edited))).toBe(main.sha256);
  await visible(page).locator('[aria-label="More options"]').click();
  const [orig] = await Promise.all([page.waitForEvent('download'), page.locator('[aria-label="Download original"]').click()]);
  const origBody = await downloadBody(orig);
  expect(sha256(origBody)).toBe(original.sha256);
  expect(orig.suggestedFilename()).toBe('Canon_40D.jpg');
  expect(origBody.equals(await downloadBody(edited))).toBe(false);
  await context.close();
});

test('editItem(): an item edited later downloads new bytes, the original stays, the reported size changes', async ({ browser }) => {
  const r = await startReplica();
  try {
    const it = r.items.find((i) => i.fileName === 'DSCN0040.jpg')!;
    const before = r.expectedFiles(it.mediaKey);
    r.editItem(it.mediaKey);
    const after = r.expectedFiles(it.mediaKey);
    expect(after.map((f) => f.role)).toEqual(['main', 'original']);
    expect(after[1].sha256).toBe(before[0].sha256);
    expect(after[0].sha256).not.toBe(before[0].sha256);
    expect(after[0].bytes).not.toBe(before[0].bytes);
    const { context, page } = await signedInPage(browser, r, `/photo/${it.mediaKey}?hl=en`);
    const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
    expect(sha256(await downloadBody(d))).toBe(after[0].sha256);
    await context.close();
  } finally {
    await r.close();
  }
});

test('Live Photo downloads as <base>.zip holding the still and the .MOV', async ({ browser }) => {
  const it = byName('IMG_0042.HEIC');
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  const body = await downloadBody(download);
  expect(download.suggestedFilename()).toBe('IMG_0042.zip');
  expect((await page.request.get(download.url())).headers()['content-type']).toBe('application/zip');
  const entries = readZip(body);
  expect(entries.map((e) => e.name)).toEqual(['IMG_0042.HEIC', 'IMG_0042.MOV']);
  const want = replica.expectedFiles(it.mediaKey);
  expect(want.map((f) => [f.name, f.role])).toEqual([
    ['IMG_0042.HEIC', 'live-still'],
    ['IMG_0042.MOV', 'live-video'],
  ]);
  for (const f of want) expect(sha256(entries.find((e) => e.name === f.name)!.data)).toBe(f.sha256);
  expect(entries[0].data.subarray(4, 12).toString('latin1')).toBe('ftypheic');
  expect(entries[1].data.subarray(4, 8).toString('latin1')).toBe('ftyp');
  await context.close();
});

test('a video still processing shows "Video is still processing & can be downloaded later" and Download starts nothing', async ({ browser }) => {
  const it = replica.items.find((i) => i.processing)!;
  replica.resetCounters();
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  await expect(visible(page).getByText('Video is still processing & can be downloaded later')).toBeVisible();
  let downloads = 0;
  page.on('download', () => downloads++);
  await page.keyboard.press('Shift+D');
  await visible(page).locator('[aria-label="More options"]').click();
  await page.locator('[aria-label="Download - Shift+D"]').click();
  await page.waitForTimeout(1500);
  expect(downloads).toBe(0);
  expect(replica.counters.downloadStarts[it.mediaKey] ?? 0).toBe(0);
  // Done processing: the same page action now downloads.
  replica.setProcessing(it.mediaKey, false);
  await page.reload();
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(sha256(await downloadBody(d))).toBe(replica.expectedFiles(it.mediaKey)[0].sha256);
  replica.setProcessing(it.mediaKey, true);
  await context.close();
});

test('info panel: [aria-label="Open info"] shows Filename:, Date taken:, Time taken:, GMT±hh:mm, File size:, q=loc: link', async ({ browser }) => {
  const it = byName('DSCN0010.jpg');
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const v = visible(page);
  await expect(v.locator('[aria-label^="Filename:"]')).toBeHidden();
  await v.locator('[aria-label="Open info"]').click();
  await expect(v.locator('[aria-label^="Filename:"]')).toHaveAttribute('aria-label', 'Filename: DSCN0010.jpg');
  await expect(v.locator('[aria-label^="Date taken:"]')).toHaveAttribute('aria-label', 'Date taken: Oct 22, 2008');
  await expect(v.locator('[aria-label^="Time taken:"]')).toHaveAttribute('aria-label', 'Time taken: Wed, 4:28 PM');
  await expect(v.getByText(/^GMT[+-]\d\d:\d\d$/)).toHaveText('GMT+02:00');
  await expect(v.locator('[aria-label^="File size:"]')).toHaveAttribute('aria-label', 'File size: 158 KB');
  await expect(v.locator('a[href*="q=loc:"]')).toHaveAttribute('href', /q=loc:43\.4674483,11\.8851267/);
  // No location: no link. Google-side location the file lacks: a link. Negative offsets.
  const jolla = byName('IMG_20140921_160056.jpg');
  await page.goto(`${replica.baseUrl}/photo/${jolla.mediaKey}?hl=en`);
  await visible(page).locator('[aria-label="Open info"]').click();
  await expect(visible(page).locator('a[href*="q=loc:"]')).toHaveAttribute('href', /q=loc:61\.4977524,23\.7609535/);
  const nikon = replica.items.find((i) => i.sample === 'Nikon_D70.jpg')!;
  await page.goto(`${replica.baseUrl}/photo/${nikon.mediaKey}?hl=en`);
  await visible(page).locator('[aria-label="Open info"]').click();
  await expect(visible(page).getByText(/^GMT[+-]\d\d:\d\d$/)).toHaveText('GMT-04:00');
  await expect(visible(page).locator('a[href*="q=loc:"]')).toHaveCount(0);
  await context.close();
});

test('/lr/photo/<apiId> redirects (302) to /photo/<mediaKey>; an unknown id is a 404 page', async ({ browser }) => {
  const it = byName('DSCN0038.jpg');
  expect(it.apiId.length).toBeGreaterThanOrEqual(90);
  const { context, page } = await signedInPage(browser, replica, `/lr/photo/${it.apiId}`);
  expect(page.url()).toBe(`${replica.baseUrl}/photo/${it.mediaKey}`);
  await expect(visible(page)).toHaveAttribute('data-media-key', it.mediaKey);
  const res = await page.request.get(`${replica.baseUrl}/lr/photo/${it.apiId}`, { maxRedirects: 0 });
  expect(res.status()).toBe(302);
  const missing = await page.goto(`${replica.baseUrl}/lr/photo/A${'x'.repeat(97)}`);
  expect(missing!.status()).toBe(404);
  await context.close();
});

test('the viewer shows a screen-sized preview from the item\'s image URL (=w…-h…), as the real one does; only the visible item loads one', async ({ browser }) => {
  const library = replica.items.filter((i) => !i.archived);
  const n = library.findIndex((i) => i.fileName === 'DSCN0027.jpg');
  replica.resetCounters();
  const previews: string[] = [];
  const context = await signedInContext(browser, replica);
  context.on('request', (r) => {
    if (r.resourceType() === 'image') previews.push(r.url());
  });
  const page = await context.newPage();
  await page.goto(`${replica.baseUrl}/photo/${library[n].mediaKey}?hl=en`);
  const image = visible(page).locator('img[data-preview]');
  // Decoded at the size the replica serves for a screen-sized box.
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))).toBe(1200);
  // The URL asks for the media box in device pixels, on the item's image URL (row [1][0]).
  const box = await visible(page).locator('.media').boundingBox();
  expect(previews).toHaveLength(1);
  expect(previews[0]).toMatch(new RegExp(`/pw/[A-Za-z0-9_-]+=w${Math.round(box!.width)}-h${Math.round(box!.height)}-no$`));
  expect(previews[0]).not.toContain('=s0-d');
  expect(replica.counters.displayRequests).toBe(1);
  expect(replica.counters.bytes.display).toBeGreaterThan(200_000);
  // The next item shown in the document loads its own preview; the hidden stale one never did.
  await page.keyboard.press('ArrowRight');
  await expect(visible(page)).toHaveAttribute('data-media-key', library[n + 1].mediaKey);
  await expect.poll(() => replica.counters.displayRequests).toBe(2);
  expect(new Set(previews).size).toBe(2);
  // A small box gets a thumbnail, no size the 1×1 placeholder.
  const thumb = await page.request.get(previews[0].replace(/=.*$/, '=w256-h256-no'));
  const plain = await page.request.get(previews[0].replace(/=.*$/, ''));
  expect((await thumb.body()).length).toBeLessThan(50_000);
  expect(thumb.headers()['content-type']).toBe('image/jpeg');
  expect(plain.headers()['content-type']).toBe('image/gif');
  await context.close();
});
