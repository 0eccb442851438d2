// Facts: URLs (signed out), sign-in in automated browsers, WIZ_global_data tokens, /u/<n>/.
import { test, expect } from '@playwright/test';
import { startReplica, type Replica } from './index.js';
import { pageRpc, signedInPage } from './helpers.js';

let replica: Replica;
test.beforeAll(async () => {
  replica = await startReplica({ rejectAutomatedSignIn: true });
});
test.afterAll(async () => {
  await replica.close();
});

test('signed out, / redirects (302) to <other origin>/photos/about/', async ({ browser }) => {
  const res = await fetch(replica.baseUrl + '/', { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location')!;
  expect(location).toBe(`${replica.signInOrigin}/photos/about/`);
  expect(new URL(replica.signInOrigin).origin).not.toBe(new URL(replica.baseUrl).origin);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(replica.baseUrl + '/?hl=en');
  expect(new URL(page.url()).origin).toBe(replica.signInOrigin);
  expect(new URL(page.url()).pathname).toBe('/photos/about/');
  await context.close();
});

test('signed out, /login goes to /v3/signin/identifier on the sign-in origin', async () => {
  const res = await fetch(replica.baseUrl + '/login', { redirect: 'manual' });
  expect(res.status).toBe(302);
  const to = new URL(res.headers.get('location')!);
  expect(to.origin).toBe(replica.signInOrigin);
  expect(to.pathname).toBe('/v3/signin/identifier');
  expect(to.searchParams.get('continue')).toBe(replica.baseUrl + '/');
});

test('Google refuses sign-in in a browser it detects as automated (navigator.webdriver)', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(replica.baseUrl + '/login');
  await page.locator('#next').click();
  await page.waitForURL(/\/v3\/signin\/rejected/);
  await expect(page.getByText('This browser or app may not be secure')).toBeVisible();
  expect((await context.cookies(replica.baseUrl)).length).toBe(0);
  await context.close();
});

test('a person signs in by hand on the other origin: SetSID sets the cookie and lands on the grid', async ({ playwright }) => {
  // A browser that does not announce automation (what a hand-driven headed browser looks like).
  const { chromiumPath } = await import('../../playwright.config.js');
  const b = await playwright.chromium.launch({ executablePath: chromiumPath, args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-blink-features=AutomationControlled'] });
  const page = await b.newPage();
  await page.goto(replica.baseUrl + '/');
  expect(new URL(page.url()).origin).toBe(replica.signInOrigin);
  await page.locator('#go').click();
  await page.waitForURL(/\/v3\/signin\/identifier/);
  await expect(page.locator('#identifierId')).toHaveValue(replica.email);
  await page.locator('#next').click();
  await page.waitForURL(/\/v3\/signin\/challenge\/pwd/);
  await page.locator('input[type=password]').fill('anything');
  await page.locator('#next').click();
  await page.waitForURL(replica.baseUrl + '/');
  await expect(page.locator('a[href^="./photo/"]').first()).toBeVisible();
  const cookies = await page.context().cookies(replica.baseUrl);
  expect(cookies.map((c) => c.name)).toContain(replica.sessionCookie.name);
  await b.close();
});

test('signed-in pages embed WIZ_global_data: SNlM0e, FdrFJe, cfb2h, eptZe, oPEP7c', async ({ browser }) => {
  const { context, page } = await signedInPage(browser, replica);
  const html = await (await page.request.get(replica.baseUrl + '/?hl=en')).text();
  expect(html).toContain('<script>window.WIZ_global_data = {');
  const wiz = await page.evaluate(() => (window as unknown as { WIZ_global_data: Record<string, string> }).WIZ_global_data);
  expect(wiz.SNlM0e).toMatch(/^[A-Za-z0-9_-]+:\d+$/);
  expect(wiz.FdrFJe).toMatch(/^-?\d+$/);
  expect(wiz.cfb2h).toMatch(/^boq_photosuiserver_/);
  expect(wiz.eptZe).toBe('/_/PhotosUi/');
  expect(wiz.oPEP7c).toBe(replica.email);
  // The at token belongs to the session: another session gets another one.
  const other = await browser.newContext();
  await other.addCookies([replica.issueSession()]);
  const p2 = await other.newPage();
  await p2.goto(replica.baseUrl + '/?hl=en');
  const wiz2 = await p2.evaluate(() => (window as unknown as { WIZ_global_data: Record<string, string> }).WIZ_global_data);
  expect(wiz2.SNlM0e).not.toBe(wiz.SNlM0e);
  // And a session's page cannot use the other session's token.
  expect((await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1], { at: wiz2.SNlM0e })).status).toBe(400);
  await other.close();
  await context.close();
});

test('/u/0/ works like /: grid, tiles resolve to /u/0/photo/<key>, batchexecute under /u/0', async ({ browser }) => {
  const { context, page } = await signedInPage(browser, replica, '/u/0/?hl=en');
  const tile = page.locator('a[href^="./photo/"]').first();
  await expect(tile).toBeVisible();
  const href = await tile.evaluate((a) => (a as HTMLAnchorElement).href);
  expect(href).toMatch(new RegExp(`^${replica.baseUrl}/u/0/photo/AF1Qip`));
  const raw = await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1], { prefix: '/u/0' });
  expect(raw.status).toBe(200);
  await tile.click();
  await page.waitForURL(/\/u\/0\/photo\//);
  await expect(page.locator('c-wiz[data-media-key]:visible')).toHaveCount(1);
  await context.close();
});

test('an expired cookie is signed out everywhere: pages go to the other origin, RPC answers 401, downloads redirect', async ({ browser }) => {
  const r = await startReplica();
  try {
    const { context, page } = await signedInPage(browser, r);
    const key = r.items.find((i) => i.kind === 'photo')!.mediaKey;
    const url = r.downloadUrl(key)!;
    r.expireSession();
    const raw = await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1]);
    expect(raw.status).toBe(401);
    const dl = await page.request.get(url, { maxRedirects: 0 });
    expect(dl.status()).toBe(302);
    expect(dl.headers()['location']).toContain(r.signInOrigin + '/v3/signin/');
    await page.goto(`${r.baseUrl}/photo/${key}?hl=en`);
    expect(new URL(page.url()).origin).toBe(r.signInOrigin);
    // A fresh cookie (re-login) works again.
    await context.addCookies([r.issueSession()]);
    await page.goto(r.baseUrl + '/?hl=en');
    expect(page.url()).toBe(r.baseUrl + '/?hl=en');
    await context.close();
  } finally {
    await r.close();
  }
});
