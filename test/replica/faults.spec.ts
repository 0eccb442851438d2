// Fault injection and counters: failed and truncated downloads, throttled RPCs, sessions that
// die mid-run, hostile names, latency and bandwidth — each seen from real Chromium.
import { test, expect } from '@playwright/test';
import { request as httpRequest } from 'node:http';
import { startReplica, type Replica } from './index.js';
import { envelopeEntries, nodeRpc, nodeSession, pageRpc, readZip, sha256, signedInPage } from './helpers.js';
import { readFile } from 'node:fs/promises';

let replica: Replica;
test.beforeAll(async () => {
  replica = await startReplica();
});
test.afterAll(async () => {
  await replica.close();
});
test.beforeEach(() => {
  Object.assign(replica.faults, { latencyMs: 0, bytesPerSecond: 0, downloadFailureRate: 0, downloadFailureKinds: ['5xx', 'truncate'], rpcThrottleRate: 0, rpcThrottleNext: 0, rpcThrottleKinds: ['empty', 'no-wrb'], expireSessionAfterRequests: null, hostileNames: false });
  replica.faults.failDownloadsOf.clear();
  replica.resetCounters();
});

const byName = (name: string) => replica.items.find((i) => i.fileName === name)!;

test('download fault 5xx: the browser download fails (download.failure() non-null) and is not counted as complete', async ({ browser }) => {
  const it = byName('DSCN0012.jpg');
  replica.faults.failDownloadsOf.add(it.mediaKey);
  replica.faults.downloadFailureKinds = ['5xx'];
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(await d.failure()).not.toBeNull();
  expect((await page.request.get(d.url())).status()).toBe(503);
  expect(replica.counters.downloads[it.mediaKey] ?? 0).toBe(0);
  expect(replica.counters.downloadStarts[it.mediaKey]).toBeGreaterThanOrEqual(1);
  // Healed: the next attempt succeeds with the right bytes.
  replica.faults.failDownloadsOf.clear();
  const [ok] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(await ok.failure()).toBeNull();
  expect(sha256(await readFile((await ok.path())!))).toBe(replica.expectedFiles(it.mediaKey)[0].sha256);
  expect(replica.counters.downloads[it.mediaKey]).toBe(1);
  await context.close();
});

test('download fault truncate: Content-Length promises more than is sent, then the socket dies; the browser download fails', async ({ browser }) => {
  const it = byName('DSCN0021.jpg');
  replica.faults.failDownloadsOf.add(it.mediaKey);
  replica.faults.downloadFailureKinds = ['truncate'];
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(await d.failure()).not.toBeNull();
  expect(replica.counters.downloads[it.mediaKey] ?? 0).toBe(0);
  // On the wire: headers promise the whole file, the body stops short.
  const url = new URL(d.url());
  const got = await new Promise<{ promised: number; received: number; error: boolean }>((resolve) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, headers: { cookie: `${replica.sessionCookie.name}=${replica.sessionCookie.value}` } }, (res) => {
      let received = 0;
      let error = false;
      res.on('data', (c: Buffer) => (received += c.length));
      res.on('error', () => (error = true));
      res.on('aborted', () => (error = true));
      res.on('close', () => resolve({ promised: Number(res.headers['content-length']), received, error }));
    });
    req.on('error', () => resolve({ promised: -1, received: -1, error: true }));
    req.end();
  });
  expect(got.promised).toBe(replica.expectedFiles(it.mediaKey)[0].bytes);
  expect(got.received).toBeLessThan(got.promised);
  await context.close();
});

test('downloadFailureRate: failures are pseudo-random but reproducible per seed, key and attempt', async () => {
  const outcomes = async (seed: number): Promise<number[]> => {
    const r = await startReplica({ seed });
    try {
      r.faults.downloadFailureRate = 0.5;
      r.faults.downloadFailureKinds = ['5xx'];
      const key = r.items.find((i) => i.fileName === 'DSCN0010.jpg')!.mediaKey;
      const url = r.downloadUrl(key)!;
      const cookie = `${r.sessionCookie.name}=${r.sessionCookie.value}`;
      const out: number[] = [];
      for (let i = 0; i < 16; i++) {
        const res = await fetch(url, { headers: { cookie } });
        await res.arrayBuffer();
        out.push(res.status);
      }
      return out;
    } finally {
      await r.close();
    }
  };
  const a = await outcomes(5);
  expect(await outcomes(5)).toEqual(a);
  expect(a).toContain(200);
  expect(a).toContain(503);
  expect(await outcomes(6)).not.toEqual(a);
});

test('throttled RPC: rpcThrottleNext answers with an empty body, then one with no wrb.fr entry, then normally', async ({ browser }) => {
  const { context, page } = await signedInPage(browser, replica);
  await expect(page.locator('a[href^="./photo/"]').first()).toBeVisible();
  replica.faults.rpcThrottleKinds = ['empty'];
  replica.faults.rpcThrottleNext = 1;
  const empty = await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1]);
  expect(empty.status).toBe(200);
  expect(empty.text).toBe('');
  replica.faults.rpcThrottleKinds = ['no-wrb'];
  replica.faults.rpcThrottleNext = 1;
  const noWrb = await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1]);
  expect(noWrb.status).toBe(200);
  expect(envelopeEntries(noWrb.text).some((e) => e[0] === 'wrb.fr')).toBe(false);
  replica.faults.rpcThrottleKinds = ['http'];
  replica.faults.rpcThrottleNext = 1;
  expect((await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1])).status).toBe(429);
  const fine = await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1]);
  expect(envelopeEntries(fine.text).some((e) => e[0] === 'wrb.fr' && typeof e[2] === 'string')).toBe(true);
  // A rate throttles about that share of calls, reproducibly.
  replica.faults.rpcThrottleKinds = ['empty', 'no-wrb'];
  replica.faults.rpcThrottleRate = 0.5;
  const s = await nodeSession(replica);
  let throttled = 0;
  for (let i = 0; i < 40; i++) {
    const raw = await nodeRpc(replica, s, 'lcxiM', [null, null, 10, null, 1, 1]);
    if (raw.text === '' || !raw.text.includes('"wrb.fr"')) throttled++;
  }
  expect(throttled).toBeGreaterThan(5);
  expect(throttled).toBeLessThan(35);
  await context.close();
});

test('the grid page itself backs off and retries a throttled lcxiM', async ({ browser }) => {
  replica.faults.rpcThrottleNext = 2;
  const { context, page } = await signedInPage(browser, replica);
  await expect(page.locator('a[href^="./photo/"]').first()).toBeVisible({ timeout: 15_000 });
  expect(replica.counters.rpc['lcxiM']).toBeGreaterThanOrEqual(3);
  await context.close();
});

test('expireSessionAfterRequests: the session works for N more requests, then every page/RPC is signed out', async ({ browser }) => {
  const r = await startReplica();
  try {
    const { context, page } = await signedInPage(browser, r);
    await expect(page.locator('a[href^="./photo/"]').first()).toBeVisible();
    await page.waitForTimeout(300); // let the page's own requests settle
    r.faults.expireSessionAfterRequests = 2;
    expect((await pageRpc(page, 'lcxiM', [null, null, 5, null, 1, 1])).status).toBe(200);
    expect((await pageRpc(page, 'lcxiM', [null, null, 5, null, 1, 1])).status).toBe(200);
    expect((await pageRpc(page, 'lcxiM', [null, null, 5, null, 1, 1])).status).toBe(401);
    expect(r.faults.expireSessionAfterRequests).toBeNull();
    await page.goto(r.baseUrl + '/?hl=en');
    expect(new URL(page.url()).origin).toBe(r.signInOrigin);
    await context.close();
  } finally {
    await r.close();
  }
});

test('hostileNames: Content-Disposition "../../<name>", zip entries "../<name>" and an absolute path', async ({ browser }) => {
  replica.faults.hostileNames = true;
  const it = byName('DSCN0029.jpg');
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(await d.failure()).toBeNull();
  expect(d.suggestedFilename()).not.toContain('/');
  const res = await page.request.get(d.url());
  expect(res.headers()['content-disposition']).toContain('filename="../../DSCN0029.jpg"');
  expect(res.headers()['content-disposition']).toContain("filename*=UTF-8''..%2F..%2FDSCN0029.jpg");
  expect(sha256(await res.body())).toBe(replica.expectedFiles(it.mediaKey)[0].sha256);
  const live = byName('IMG_0042.HEIC');
  const zip = await page.request.get(replica.downloadUrl(live.mediaKey)!);
  const names = readZip(await zip.body()).map((e) => e.name);
  expect(names).toContain('../IMG_0042.HEIC');
  expect(names.some((n) => n.startsWith('/'))).toBe(true);
  await context.close();
});

test('latencyMs delays every response; bytesPerSecond throttles each download stream', async ({ browser }) => {
  const it = byName('DSCN0038.jpg');
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  replica.faults.latencyMs = 400;
  let t = Date.now();
  await pageRpc(page, 'fDcn4b', [it.mediaKey, 1, null, null, 1]);
  expect(Date.now() - t).toBeGreaterThanOrEqual(380);
  replica.faults.latencyMs = 0;
  replica.faults.bytesPerSecond = 100_000; // ~158 KB file → ~1.6 s
  t = Date.now();
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(await d.failure()).toBeNull();
  expect(Date.now() - t).toBeGreaterThanOrEqual(1200);
  await context.close();
});

test('counters: pages, rpc per id, download starts and completed bodies per key, total, body bytes by kind; resetCounters', async ({ browser }) => {
  const it = byName('DSCN0042.jpg');
  const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
  const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
  expect(await d.failure()).toBeNull();
  await pageRpc(page, 'fDcn4b', [it.mediaKey, 1, null, null, 1]);
  expect(replica.counters.pages).toBe(1);
  expect(replica.counters.rpc).toEqual({ VrseUb: 1, fDcn4b: 1 });
  expect(replica.counters.downloadStarts).toEqual({ [it.mediaKey]: 1 });
  expect(replica.counters.downloads).toEqual({ [it.mediaKey]: 1 });
  expect(replica.counters.total).toBeGreaterThanOrEqual(4);
  // Body bytes by what they carried: the item's own bytes, the viewer's preview, RPC answers, the page.
  expect(replica.counters.bytes.download).toBe(replica.expectedFiles(it.mediaKey)[0].bytes);
  await expect.poll(() => replica.counters.displayRequests).toBe(1);
  await expect.poll(() => replica.counters.bytes.display).toBeGreaterThan(100_000);
  expect(replica.counters.bytes.rpc).toBeGreaterThan(0);
  expect(replica.counters.bytes.page).toBeGreaterThan(0);
  replica.resetCounters();
  expect(replica.counters).toEqual({ rpc: {}, downloads: {}, downloadStarts: {}, pages: 0, total: 0, bytes: { download: 0, display: 0, rpc: 0, page: 0, fragment: 0 }, displayRequests: 0 });
  await context.close();
});

test('servesBytesOf: the download keeps the item\'s own name but carries the other item\'s bytes', async ({ browser }) => {
  const it = byName('DSCN0027.jpg');
  const other = byName('DSCN0029.jpg');
  replica.faults.servesBytesOf.set(it.mediaKey, other.mediaKey);
  try {
    const { context, page } = await signedInPage(browser, replica, `/photo/${it.mediaKey}?hl=en`);
    const [d] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Shift+D')]);
    expect(await d.failure()).toBeNull();
    expect(d.suggestedFilename()).toBe('DSCN0027.jpg');
    expect(sha256(await readFile((await d.path())!))).toBe(replica.expectedFiles(other.mediaKey)[0].sha256);
    await context.close();
  } finally {
    replica.faults.servesBytesOf.clear();
  }
});

test('listedSizeSkew: every RPC that lists a size lists the skewed one; the download is unchanged', async () => {
  const it = byName('DSCN0038.jpg');
  const bytes = replica.expectedFiles(it.mediaKey)[0].bytes;
  const s = await nodeSession(replica);
  const sizeOf = async (): Promise<unknown> => {
    const raw = await nodeRpc(replica, s, 'fDcn4b', [it.mediaKey, 1, null, null, 1]);
    const entry = envelopeEntries(raw.text).find((e) => e[0] === 'wrb.fr')!;
    return (JSON.parse(entry[2] as string) as unknown[][])[0][5];
  };
  expect(await sizeOf()).toBe(bytes);
  replica.faults.listedSizeSkew.set(it.mediaKey, 1000);
  try {
    expect(await sizeOf()).toBe(bytes + 1000);
  } finally {
    replica.faults.listedSizeSkew.clear();
  }
  expect(await sizeOf()).toBe(bytes);
});
