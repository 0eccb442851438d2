// Facts: the internal RPC (batchexecute) — request, tokens, envelope, every rpcid the replica
// answers, payload shapes against the real captures. All calls are made from inside Chromium.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { bulkInfoArgs, startReplica, type Replica } from './index.js';
import { envelopeEntries, loadCapture, pageRpc, payloadOf, rpcPayload, signedInPage, skeleton } from './helpers.js';

let replica: Replica;
let context: BrowserContext;
let page: Page;
test.beforeAll(async ({ browser }) => {
  replica = await startReplica();
  ({ context, page } = await signedInPage(browser, replica));
});
test.afterAll(async () => {
  await context.close();
  await replica.close();
});

type Row = unknown[];
const ext = (row: Row): Record<string, unknown> => row[row.length - 1] as Record<string, unknown>;
const byName = (name: string) => replica.items.find((i) => i.fileName === name)!;

test('batchexecute refuses a bad at token with HTTP 400', async () => {
  const bad = await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1], { at: 'AJbdzWRONG:1700000000000' });
  expect(bad.status).toBe(400);
  expect(bad.text.startsWith(")]}'")).toBe(true);
  expect(envelopeEntries(bad.text).some((e) => e[0] === 'wrb.fr')).toBe(false);
  const missing = await page.evaluate(async () => (await fetch('/_/PhotosUi/data/batchexecute?rpcids=lcxiM&rt=c', { method: 'POST', body: new URLSearchParams({ 'f.req': JSON.stringify([[['lcxiM', '[]', null, 'generic']]]) }) })).status);
  expect(missing).toBe(400);
});

test('response envelope: )]}\', length-prefixed chunks, wrb.fr entry with the payload as a JSON string, di/af.httprm, e', async () => {
  const raw = await pageRpc(page, 'lcxiM', [null, null, 500, null, 1, 1]);
  expect(raw.status).toBe(200);
  expect(raw.text.startsWith(")]}'\n\n")).toBe(true);
  const entries = envelopeEntries(raw.text); // also checks every length prefix
  const wrb = entries.find((e) => e[0] === 'wrb.fr')!;
  expect(wrb[1]).toBe('lcxiM');
  expect(typeof wrb[2]).toBe('string');
  expect(wrb[6]).toBe('generic');
  expect(entries.some((e) => e[0] === 'di')).toBe(true);
  expect(entries.some((e) => e[0] === 'af.httprm')).toBe(true);
  expect(entries.some((e) => e[0] === 'e')).toBe(true);
  expect(replica.counters.rpc['lcxiM']).toBeGreaterThan(0);
});

test('unknown rpcid: an envelope with no wrb.fr payload (Google\'s error entry)', async () => {
  const raw = await pageRpc(page, 'zzNope', []);
  expect(raw.status).toBe(200);
  const entry = envelopeEntries(raw.text).find((e) => e[0] === 'wrb.fr')!;
  expect(entry[2]).toBeNull();
  expect(() => payloadOf(raw.text, 'zzNope')).toThrow();
});

test('lcxiM rows have the shape of the lcxiM capture (16 elements, same types, flags, extension keys)', async () => {
  const capture = loadCapture('lcxiM.json') as [Row[], string, string];
  const mine = (await rpcPayload(page, 'lcxiM', [null, null, 500, null, 1, 1])) as [Row[], string | null, string];
  expect(mine.length).toBe(3);
  expect(typeof mine[2]).toBe(typeof capture[2]);
  const capPhoto = capture[0].find((r) => (r[1] as unknown[]).length === 10 && !ext(r)['76647426'] && !ext(r)['396644657'] && (ext(r)['129168200'] as unknown[])[0] instanceof Array && ((ext(r)['129168200'] as unknown[][])[0]).length === 0)!;
  const capVideo = capture[0].find((r) => (r[1] as unknown[]).length === 10 && ext(r)['76647426'] && (ext(r)['76647426'] as unknown[]).length === 14)!;
  const capGeo = capture[0].find((r) => ((ext(r)['129168200'] as unknown[][])[0]).length > 0)!;
  const capCaption = capture[0].find((r) => ext(r)['396644657'])!;
  const myPhoto = mine[0].find((r) => r[0] === byName('DSCN0010.jpg').mediaKey)!;
  const myNoGeo = mine[0].find((r) => r[0] === byName('Canon_40D.jpg').mediaKey)!;
  const myVideo = mine[0].find((r) => r[0] === byName('PXL_20210612_091530.mp4').mediaKey)!;
  const myCaption = mine[0].find((r) => r[0] === byName('DSCN0025.jpg').mediaKey)!;
  for (const row of mine[0]) expect(row.length).toBe(16);
  // Everything but the extension object has the capture's skeleton.
  expect(skeleton(myNoGeo.slice(0, 15))).toEqual(skeleton(capPhoto.slice(0, 15)));
  expect(myNoGeo[7]).toEqual(capPhoto[7]);
  expect(skeleton(ext(myNoGeo))).toEqual(skeleton(ext(capPhoto)));
  expect(skeleton(myVideo.slice(0, 15))).toEqual(skeleton(capVideo.slice(0, 15)));
  expect(myVideo[7]).toEqual(capVideo[7]);
  expect(Object.keys(ext(myVideo))).toEqual(Object.keys(ext(capVideo)));
  expect(skeleton(ext(myVideo)['76647426'])).toEqual(skeleton(ext(capVideo)['76647426']));
  // The capture's geo row names two places, the replica one: compare with the first only.
  const capGeoExt = structuredClone(ext(capGeo)['129168200']) as unknown[][];
  (capGeoExt[1] as unknown[])[4] = ((capGeoExt[1] as unknown[])[4] as unknown[]).slice(0, 1);
  expect(skeleton(ext(myPhoto)['129168200'])).toEqual(skeleton(capGeoExt));
  expect(skeleton(ext(myCaption)['396644657'])).toEqual(skeleton(ext(capCaption)['396644657']));
  // Values: key, size, dates, geo in 1e-7 degrees.
  const it = byName('DSCN0010.jpg');
  expect(myPhoto[2]).toBe(it.takenMs);
  expect(myPhoto[4]).toBe(it.tzOffsetMs);
  expect(myPhoto[5]).toBe(it.uploadedMs);
  expect(myPhoto[3]).toBe(it.dedupKey);
  expect((myPhoto[1] as unknown[])[9]).toEqual([replica.expectedFiles(it.mediaKey)[0].bytes]);
  expect(((ext(myPhoto)['129168200'] as unknown[][])[1] as unknown[])[0]).toEqual([434674483, 118851267]);
  expect(ext(myPhoto)['163238866']).toEqual([false]);
  expect(ext(myVideo)['76647426']).toEqual(expect.arrayContaining([2000]));
  expect(ext(myCaption)['396644657']).toEqual([byName('DSCN0025.jpg').description]);
});

test('lcxiM: newest taken first, archived items only with source 2 or 3, favorite flag, live photo extension', async () => {
  const lib = (await rpcPayload(page, 'lcxiM', [null, null, 500, null, 1, 1])) as [Row[], string | null, string];
  const expected = replica.items.filter((i) => !i.archived).map((i) => i.mediaKey);
  expect(lib[0].map((r) => r[0])).toEqual(expected);
  expect(lib[1]).toBeNull();
  expect(lib[2]).toBe(String(replica.items.filter((i) => !i.archived).at(-1)!.takenMs));
  const archive = (await rpcPayload(page, 'lcxiM', [null, null, 500, null, 1, 2])) as [Row[]];
  expect(archive[0].map((r) => r[0])).toEqual(replica.items.filter((i) => i.archived).map((i) => i.mediaKey));
  expect(archive[0].every((r) => r[13] === true)).toBe(true);
  const both = (await rpcPayload(page, 'lcxiM', [null, null, 500, null, 1, 3])) as [Row[]];
  expect(both[0].length).toBe(replica.items.length);
  const fav = lib[0].find((r) => r[0] === byName('DSCN0012.jpg').mediaKey)!;
  expect(ext(fav)['163238866']).toEqual([true]);
  const live = lib[0].find((r) => r[0] === byName('IMG_0042.HEIC').mediaKey)!;
  expect(ext(live)['146008172']).toBeTruthy();
  // A timestamp starts the listing at items taken at or before it.
  const ts = replica.items[5].takenMs;
  const from = (await rpcPayload(page, 'lcxiM', [null, ts, 500, null, 1, 3])) as [Row[]];
  expect(from[0][0][0]).toBe(replica.items[5].mediaKey);
});

test('lcxiM paging: 1,200 synthetic items come in pages of 500 (3 pages) by date taken, for library and archive', async ({ browser }) => {
  const r = await startReplica({ library: { synthetic: 1200, seed: 7 } });
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    const all = r.items.filter((i) => !i.archived);
    const pages: Row[][] = [];
    let next: string | null = null;
    let calls = 0;
    do {
      const got = (await rpcPayload(p, 'lcxiM', [next, null, 500, null, 1, 3])) as [Row[], string | null, string];
      pages.push(got[0]);
      next = got[1];
      calls++;
      if (next) expect(next).toMatch(/^AH_uQ4/);
    } while (next && calls < 10);
    expect(pages.map((x) => x.length)).toEqual([500, 500, 200]);
    expect(pages.flat().map((x) => x[0])).toEqual(r.items.map((i) => i.mediaKey));
    const taken = pages.flat().map((x) => x[2] as number);
    for (let i = 1; i < taken.length; i++) expect(taken[i]).toBeLessThanOrEqual(taken[i - 1]);
    // Source 1 skips archived items across page boundaries.
    let lib: Row[] = [];
    next = null;
    do {
      const got = (await rpcPayload(p, 'lcxiM', [next, null, 500, null, 1, 1])) as [Row[], string | null];
      lib = lib.concat(got[0]);
      next = got[1];
    } while (next);
    expect(lib.map((x) => x[0])).toEqual(all.map((i) => i.mediaKey));
    const archived = (await rpcPayload(p, 'lcxiM', [null, null, 500, null, 1, 2])) as [Row[]];
    expect(archived[0].length).toBe(r.items.filter((i) => i.archived).length);
    // An item taken back in time and uploaded now lands in its date place, not on page 1.
    const added = r.addItem({ sample: 'Canon_40D.jpg', takenMs: r.items[700].takenMs - 1 });
    const second = (await rpcPayload(p, 'lcxiM', [null, r.items[600].takenMs, 500, null, 1, 3])) as [Row[]];
    expect(second[0].map((x) => x[0])).toContain(added.mediaKey);
  } finally {
    await c.close();
    await r.close();
  }
});

test('EzkLib ["", [[4,"ra",0,0]], pageId]: recently uploaded first, pages of 100, rows shaped like the capture', async ({ browser }) => {
  const capture = loadCapture('EzkLib.json') as [Row[], string];
  const r = await startReplica({ library: { synthetic: 250, seed: 3 } });
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    const back = r.addItem({ sample: 'Nikon_D70.jpg', takenMs: Date.UTC(2001, 0, 1) });
    let next: string | null = null;
    const keys: string[] = [];
    const sizes: number[] = [];
    do {
      const got = (await rpcPayload(p, 'EzkLib', ['', [[4, 'ra', 0, 0]], next])) as [Row[], string | null];
      keys.push(...got[0].map((x) => x[0] as string));
      sizes.push(got[0].length);
      next = got[1];
    } while (next);
    expect(sizes).toEqual([100, 100, 51]);
    expect(keys[0]).toBe(back.mediaKey);
    const uploads = keys.map((k) => r.item(k).uploadedMs);
    for (let i = 1; i < uploads.length; i++) expect(uploads[i]).toBeLessThanOrEqual(uploads[i - 1]);
    const first = (await rpcPayload(p, 'EzkLib', ['', [[4, 'ra', 0, 0]], null])) as Row;
    expect(first.length).toBe(capture.length);
    const capPhoto = capture[0].find((x) => !ext(x)['76647426'] && (x[1] as unknown[]).length === 10)!;
    const mine = (first[0] as Row[]).find((x) => !ext(x)['76647426'])!;
    expect(skeleton(mine.slice(0, 15))).toEqual(skeleton(capPhoto.slice(0, 15)));
    expect(skeleton(ext(mine))).toEqual(skeleton(ext(capPhoto)));
    // Favorites variant.
    const fav = (await rpcPayload(p, 'EzkLib', ['Favorites', [[5, '8', 0, 9]], null])) as [Row[]];
    expect(fav[0].length).toBe(Math.min(100, r.items.filter((i) => i.favorite).length));
    expect(fav[0].every((x) => (ext(x)['163238866'] as boolean[])[0] === true)).toBe(true);
  } finally {
    await c.close();
    await r.close();
  }
});

test('VrseUb [key, null, authKey, null, albumKey]: item + download URL, [7] = original for edited items, shaped like the capture', async () => {
  const capture = loadCapture('VrseUb.json') as Row;
  const video = byName('PXL_20210612_091530.mp4');
  const v = (await rpcPayload(page, 'VrseUb', [video.mediaKey, null, null, null, null])) as Row;
  expect(skeleton(v)).toEqual(skeleton(capture));
  expect(v[1]).toBe(replica.downloadUrl(video.mediaKey));
  expect(v[1]).toMatch(/\/video-download\//);
  const photo = byName('DSCN0010.jpg');
  const ph = (await rpcPayload(page, 'VrseUb', [photo.mediaKey, null, null, null, null])) as Row;
  expect(ph[1]).toMatch(/\/pw\/[A-Za-z0-9_-]+=s0-d-ip$/);
  expect(ph.length).toBe(5);
  const edited = byName('Canon_40D.jpg');
  const ed = (await rpcPayload(page, 'VrseUb', [edited.mediaKey, null, null, null, null])) as Row;
  expect(typeof ed[7]).toBe('string');
  expect(ed[7]).not.toBe(ed[1]);
  expect(ed[7]).toBe(replica.downloadUrl(edited.mediaKey, 'original'));
  // Description: field 11 (index 10) lives in the trailing object, as in the capture.
  const described = byName('DSCN0025.jpg');
  const d = (await rpcPayload(page, 'VrseUb', [described.mediaKey, null, null, null, null])) as Row;
  expect((d[d.length - 1] as Record<string, unknown>)['11']).toBe(described.description);
  // Processing video: no download URL yet.
  const processing = replica.items.find((i) => i.processing)!;
  const pr = (await rpcPayload(page, 'VrseUb', [processing.mediaKey, null, null, null, null])) as Row;
  expect(pr[1]).toBeNull();
  // Unknown key: error entry.
  const unknown = await pageRpc(page, 'VrseUb', ['AF1QipUNKNOWNUNKNOWNUNKNOWNUNKNOWNUNKNOWN00', null, null, null, null]);
  expect(() => payloadOf(unknown.text, 'VrseUb')).toThrow();
});

test('fDcn4b [key, 1, authKey, null, 1]: [[key, description, fileName, takenMs, tz, size, w, h, null, geo e7, …]] like the capture', async () => {
  const capture = loadCapture('fDcn4b.json') as Row[];
  const it = byName('DSCN0010.jpg');
  const got = (await rpcPayload(page, 'fDcn4b', [it.mediaKey, 1, null, null, 1])) as Row[];
  expect(got.length).toBe(1);
  expect(got[0].length).toBe(capture[0].length);
  for (let i = 0; i < capture[0].length; i++) {
    const want = capture[0][i];
    if (Array.isArray(want)) expect(Array.isArray(got[0][i]), `index ${i}`).toBe(true);
    else expect(typeof got[0][i], `index ${i}`).toBe(typeof want);
  }
  expect(skeleton(got[0][9])).toEqual(skeleton(capture[0][9]));
  expect(got[0].slice(0, 8)).toEqual([it.mediaKey, '', 'DSCN0010.jpg', it.takenMs, 2 * 3600000, replica.expectedFiles(it.mediaKey)[0].bytes, 640, 480]);
  expect((got[0][9] as unknown[])[0]).toEqual([434674483, 118851267]);
  // Google-side location the file lacks; no location at all → null.
  const jolla = byName('IMG_20140921_160056.jpg');
  const j = (await rpcPayload(page, 'fDcn4b', [jolla.mediaKey, 1, null, null, 1])) as Row[];
  expect((j[0][9] as unknown[])[0]).toEqual([614977524, 237609535]);
  const canon = byName('Canon_40D.jpg');
  const c = (await rpcPayload(page, 'fDcn4b', [canon.mediaKey, 1, null, null, 1])) as Row[];
  expect(c[0][9]).toBeNull();
  expect(c[0][5]).toBe(replica.expectedFiles(canon.mediaKey).find((f) => f.role === 'main')!.bytes);
});

test('EWgK9e bulk info [[[ [[key],…] ], [MASK]]]: rows at answer[0][1], file name and size for many keys, entries shaped like the capture', async () => {
  const capture = loadCapture('EWgK9e.json') as Row[];
  const keys = replica.items.slice(0, 5).map((i) => i.mediaKey);
  const answer = (await rpcPayload(page, 'EWgK9e', bulkInfoArgs(keys))) as [[null, Row[]]];
  expect(answer.length).toBe(1);
  const got = answer[0][1];
  expect(got.map((e) => e[0])).toEqual(keys);
  expect(skeleton(got.find((e) => !(e[1] as unknown[])[2])!)).toEqual(skeleton(capture[0]));
  for (const e of got) {
    const it = replica.item(e[0] as string);
    expect((e[1] as unknown[])[3]).toBe(it.fileName);
    expect((e[1] as unknown[])[9]).toBe(replica.expectedFiles(it.mediaKey).find((f) => f.role !== 'original' && f.role !== 'live-video')!.bytes);
  }
});

test('swbisb [[sha1 base64…], null, 3, 0]: answers only hashes of original bytes it knows, shaped like the capture', async () => {
  const capture = loadCapture('swbisb.json') as Row[][];
  const it = byName('DSCN0010.jpg');
  const hash = replica.sha1(it.mediaKey);
  const got = (await rpcPayload(page, 'swbisb', [[hash, 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='], null, 3, 0])) as Row[][];
  expect(got[0].length).toBe(1);
  expect(got[0][0][0]).toBe(hash);
  expect(((got[0][0] as unknown[])[1] as unknown[])[0]).toBe(it.mediaKey);
  expect(skeleton(got[0][0])).toEqual(skeleton(capture[0][0]));
  // Edited item: the original's hash still finds it.
  const edited = byName('Canon_40D.jpg');
  const e = (await rpcPayload(page, 'swbisb', [[replica.sha1(edited.mediaKey)], null, 3, 0])) as Row[][];
  expect(((e[0][0] as unknown[])[1] as unknown[])[0]).toBe(edited.mediaKey);
  const none = (await rpcPayload(page, 'swbisb', [['AAAAAAAAAAAAAAAAAAAAAAAAAAA='], null, 3, 0])) as Row[][];
  expect(none).toEqual([]);
});
