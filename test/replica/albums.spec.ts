// Facts: albums (Z5xsfc, snAcKc, fDcn4b [0][19]), album-scoped keys that map back by dedupKey,
// shared albums and their authKey (VrseUb [mediaKey, null, authKey, null, albumKey]), partner
// sharing (e9T5je), the trash (zy0IHe, VrseUb's trashed time), the album / share / partner
// viewers, and every album and trash mutation seen through the RPCs. Answers are compared
// element by element (types) with Z5xsfc.json, snAcKc.json and fDcn4b.json.
import { test, expect, type BrowserContext, type Download, type Page } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { sampleAlbums, startReplica, type Replica, type ReplicaAlbum } from './index.js';
import { envelopeEntries, loadCapture, pageRpc, rpcPayload, sha256, signedInPage, skeleton } from './helpers.js';

type Row = unknown[];
type Info = unknown[];
const ext = (row: Row): Record<string, unknown> => row[row.length - 1] as Record<string, unknown>;
const info = (row: Row): Info => ext(row)['72930366'] as Info;
const LIST_ALBUMS = (pageId: string | null = null, size = 100): unknown[] => [pageId, null, null, null, 1, null, null, size, [2], 5];

let replica: Replica;
let context: BrowserContext;
let page: Page;
test.beforeAll(async ({ browser }) => {
  replica = await startReplica({ ...sampleAlbums() });
  ({ context, page } = await signedInPage(browser, replica));
});
test.afterAll(async () => {
  await context.close();
  await replica.close();
});

const byName = (name: string) => replica.items.find((i) => i.fileName === name)!;
const albumsTitled = (title: string): ReplicaAlbum[] => replica.albums.filter((a) => a.title === title);
const robins = (): ReplicaAlbum => replica.albums.find((a) => !a.own)!;
const family = (): ReplicaAlbum => albumsTitled('Family')[0];

async function listAlbums(p: Page = page): Promise<Row[]> {
  const rows: Row[] = [];
  let next: string | null = null;
  do {
    const got = (await rpcPayload(p, 'Z5xsfc', LIST_ALBUMS(next))) as [Row[] | null, string | null];
    rows.push(...(got[0] ?? []));
    next = got[1];
  } while (next);
  return rows;
}

async function albumItems(album: ReplicaAlbum, authKey: string | null = album.own ? null : album.authKey, p: Page = page): Promise<{ items: Row[]; meta: unknown[]; pages: number }> {
  const items: Row[] = [];
  let next: string | null = null;
  let meta: unknown[] = [];
  let pages = 0;
  do {
    const got = (await rpcPayload(p, 'snAcKc', [album.albumKey, next, null, authKey])) as [null, Row[] | null, string, unknown[]];
    items.push(...(got[1] ?? []));
    meta = got[3];
    next = got[2] || null;
    pages++;
  } while (next);
  return { items, meta, pages };
}

/** HTTP 200, one wrb.fr entry for the rpcid, no payload, error code [3]. */
async function expectErrorEntry(rpcid: string, args: unknown, p: Page = page): Promise<void> {
  const raw = await pageRpc(p, rpcid, args);
  const what = `${rpcid} ${JSON.stringify(args)}`;
  expect(raw.status, what).toBe(200);
  const entries = envelopeEntries(raw.text).filter((e) => e[0] === 'wrb.fr');
  expect(entries.length, what).toBe(1);
  expect(entries[0][2], what).toBeNull();
  expect(entries[0][5], what).toEqual([3]);
}

async function libraryKeys(p: Page = page): Promise<string[]> {
  const got = (await rpcPayload(p, 'lcxiM', [null, null, 500, null, 1, 3])) as [Row[]] | [];
  return (got[0] ?? []).map((r) => r[0] as string);
}

async function downloadBody(download: Download): Promise<Buffer> {
  expect(await download.failure()).toBeNull();
  return readFile((await download.path())!);
}

test('Z5xsfc [pageId, null, null, null, 1, null, null, 100, [2], 5]: own albums (9 elements), shared ones (12) shaped like Z5xsfc.json; owner, title, count, isShared, times', async () => {
  const capture = loadCapture('Z5xsfc.json') as [Row[], string, unknown, unknown];
  const answer = (await rpcPayload(page, 'Z5xsfc', LIST_ALBUMS())) as [Row[], string | null, unknown, unknown];
  expect(answer.length).toBe(4);
  expect(answer.slice(2)).toEqual(capture.slice(2));
  expect(answer[1]).toBeNull(); // all four fit one page
  const rows = answer[0];
  expect(rows.map((r) => r[0]).sort()).toEqual(replica.albums.map((a) => a.albumKey).sort());
  // Most recently modified first.
  const modified = rows.map((r) => (info(r)[2] as number[])[9]);
  expect([...modified].sort((a, b) => b - a)).toEqual(modified);

  const capOwn = capture[0].find((r) => r.length === 9 && (r[1] as unknown[]).length === 10 && (r[7] as unknown[]).length === 15)!;
  const capShared = capture[0].find((r) => r.length === 12 && info(r)[0] === 4 && typeof info(r)[5] === 'string' && ((info(r)[7] as unknown[])[2] as unknown[]).length === 5)!;
  const trips = albumsTitled('Trip');
  expect(trips.length).toBe(2);
  for (const trip of trips) {
    const row = rows.find((r) => r[0] === trip.albumKey)!;
    expect(skeleton(row)).toEqual(skeleton(capOwn));
    expect(row[7]).toEqual(capOwn[7]);
    expect(info(row)[1]).toBe('Trip');
    expect((row[6] as string[])[0]).toBe(replica.me.actorKey);
    expect(info(row)[4]).toBeNull(); // not shared
  }
  expect(trips[0].albumKey).not.toBe(trips[1].albumKey);
  const own = rows.find((r) => r[0] === trips[0].albumKey)!;
  const shown = trips[0].entries.map((e) => e.item).sort((a, b) => a.takenMs - b.takenMs);
  expect(info(own)[3]).toBe(4);
  expect(info(own)[6]).toEqual([20000 - 4]);
  const t = info(own)[2] as unknown[];
  expect(t[4]).toBe(trips[0].createdMs);
  expect(t[5]).toEqual([shown[0].takenMs, shown[0].tzOffsetMs]);
  expect(t[6]).toEqual([shown.at(-1)!.takenMs, shown.at(-1)!.tzOffsetMs]);
  expect(t[9]).toBe(trips[0].modifiedMs);
  // Trip #2 holds DSCN0038.jpg, which is in the trash: it is not counted.
  const trip2 = rows.find((r) => r[0] === trips[1].albumKey)!;
  expect(info(trip2)[3]).toBe(2);

  for (const album of [family(), robins()]) {
    const row = rows.find((r) => r[0] === album.albumKey)!;
    expect(skeleton(row)).toEqual(skeleton(capShared));
    expect(row[7]).toEqual(capShared[7]);
    expect(info(row)[4]).toBe(true);
    expect(info(row)[8]).toBe(album.shareId);
    expect(info(row)[10]).toBe(`${replica.signInOrigin}/app/${album.linkId}`);
  }
  expect((rows.find((r) => r[0] === family().albumKey)![6] as string[])[0]).toBe(replica.me.actorKey);
  expect((rows.find((r) => r[0] === robins().albumKey)![6] as string[])[0]).toBe(replica.person('Robin').actorKey);
  expect(info(rows.find((r) => r[0] === robins().albumKey)!)[3]).toBe(3);
});

test('Z5xsfc paging: the page size at [7] cuts the list, nextPageId leads on, the last page has none; a page id that is not one is refused', async () => {
  const seen: string[] = [];
  let next: string | null = null;
  let pages = 0;
  do {
    const got = (await rpcPayload(page, 'Z5xsfc', LIST_ALBUMS(next, 1))) as [Row[], string | null];
    expect(got[0].length).toBe(1);
    seen.push(got[0][0][0] as string);
    next = got[1];
    pages++;
  } while (next);
  expect(pages).toBe(4);
  expect(seen).toEqual((await listAlbums()).map((r) => r[0]));
  await expectErrorEntry('Z5xsfc', LIST_ALBUMS('AH_uQ4notacursor'));
});

test('snAcKc [albumKey, pageId, null, authKey]: [_, items, nextPageId, meta] like snAcKc.json; album-scoped keys differ from library keys and map back by dedupKey', async () => {
  const capture = loadCapture('snAcKc.json') as [null, Row[], string, unknown[], null, number];
  const trip = albumsTitled('Trip')[0];
  const answer = (await rpcPayload(page, 'snAcKc', [trip.albumKey, null, null, null])) as [null, Row[], string, unknown[], null, number];
  expect(skeleton([answer[0], answer[2], answer[4], answer[5]])).toEqual(skeleton([capture[0], capture[2], capture[4], capture[5]]));
  expect(answer[2]).toBe(''); // one page: the capture's last page id
  // Meta: an own album that is not shared, like the capture's. Its flags [6] are the 15 of most
  // own albums in Z5xsfc.json (the capture's album "ny" is the one row there with 13).
  const meta = answer[3];
  const capMeta = [...capture[3]];
  capMeta[6] = (loadCapture('Z5xsfc.json') as [Row[]])[0][0][7];
  expect(skeleton(meta)).toEqual(skeleton(capMeta));
  expect(meta[6]).toEqual(capMeta[6]);
  expect([meta[0], meta[1], meta[12], meta[19], meta[21]]).toEqual([trip.albumKey, 'Trip', trip.albumKey, null, 4]);
  expect((meta[5] as unknown[])[0]).toBe(replica.me.actorKey);
  expect((meta[9] as unknown[][]).map((m) => m[0])).toEqual([replica.me.actorKey]);
  expect((meta[2] as unknown[])[9]).toBe(trip.modifiedMs);
  // Rows: the capture's photo and video rows, element for element.
  const items = answer[1];
  const capVideo = capture[1][0];
  const capPhoto = capture[1][1];
  const video = byName('PXL_20210612_091530.mp4');
  const photo = byName('DSCN0010.jpg');
  const dedup = new Map(replica.items.map((i) => [i.dedupKey, i]));
  const videoRow = items.find((r) => r[3] === video.dedupKey)!;
  const photoRow = items.find((r) => r[3] === photo.dedupKey)!;
  expect(skeleton(videoRow)).toEqual(skeleton(capVideo));
  expect(videoRow[7]).toEqual(capVideo[7]);
  expect(skeleton(photoRow)).toEqual(skeleton(capPhoto));
  expect(photoRow[7]).toEqual(capPhoto[7]);
  expect(ext(photoRow)['525000002']).toEqual([[trip.albumKey]]);
  // Oldest taken first; keys album-scoped, dedupKeys the library's.
  const taken = items.map((r) => r[2] as number);
  expect([...taken].sort((a, b) => a - b)).toEqual(taken);
  const library = new Set(await libraryKeys());
  for (const row of items) {
    expect(row[0]).toMatch(/^AF1Qip[A-Za-z0-9_-]{38}$/);
    expect(library.has(row[0] as string)).toBe(false);
    const it = dedup.get(row[3] as string)!;
    expect(it).toBeTruthy();
    expect(row[0]).not.toBe(it.mediaKey);
    expect(row[0]).toBe(replica.albumItemKey(trip.albumKey, it.mediaKey));
    expect([row[2], row[4], row[5]]).toEqual([it.takenMs, it.tzOffsetMs, it.uploadedMs]);
  }
  // The same item in two albums has two album keys, one dedupKey.
  const inFamily = (await albumItems(family())).items.find((r) => r[3] === photo.dedupKey)!;
  expect(inFamily[0]).not.toBe(photoRow[0]);
  // An album that does not exist: the error entry.
  await expectErrorEntry('snAcKc', ['AF1QipNOALBUMNOALBUMNOALBUMNOALBUMNOALBUM00', null, null, null]);
});

test('snAcKc on someone else\'s album: refused (error entry) without its authKey or with a wrong one; with it, Robin\'s photos that are in no library listing of the account', async () => {
  const album = robins();
  await expectErrorEntry('snAcKc', [album.albumKey, null, null, null]);
  await expectErrorEntry('snAcKc', [album.albumKey, null, null, 'WRONGwrongWRONGwrongWRONGwrongWRONGwrong']);
  await expectErrorEntry('snAcKc', [album.albumKey, null, null, family().authKey]);
  const { items, meta } = await albumItems(album, album.authKey);
  expect(items.length).toBe(3);
  expect(meta[19]).toBe(album.authKey);
  expect((meta[5] as unknown[])[0]).toBe(replica.person('Robin').actorKey);
  expect((meta[9] as unknown[][]).map((m) => m[0])).toEqual([replica.person('Robin').actorKey, replica.me.actorKey]);
  const libraryDedup = new Set(replica.items.map((i) => i.dedupKey));
  const foreign = items.filter((r) => !libraryDedup.has(r[3] as string));
  expect(foreign.length).toBe(2);
  for (const row of foreign) expect((row[6] as string[])[0]).toBe(replica.person('Robin').actorKey);
  const mine = items.find((r) => libraryDedup.has(r[3] as string))!;
  expect(mine[3]).toBe(byName('DSCN0042.jpg').dedupKey);
  const library = new Set(await libraryKeys());
  for (const row of items) expect(library.has(row[0] as string)).toBe(false);
  expect(replica.foreignItems.map((i) => i.dedupKey).sort()).toEqual(expect.arrayContaining(foreign.map((r) => r[3] as string).sort()));
  // The account's own shared album: no authKey needed, [19] names it; its own authKey works, another does not.
  const fam = family();
  expect((await albumItems(fam, null)).meta[19]).toBe(fam.authKey);
  expect((await albumItems(fam, fam.authKey)).items.length).toBe(3);
  await expectErrorEntry('snAcKc', [fam.albumKey, null, null, album.authKey]);
});

test('snAcKc paging: 250 items come in pages of 100, oldest taken first; the last page id is ""', async ({ browser }) => {
  const r = await startReplica({ library: { synthetic: 250, seed: 3 } });
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    const album = r.createAlbum('Everything');
    r.addToAlbum(album.albumKey, r.items.map((i) => i.mediaKey));
    const first = (await rpcPayload(p, 'snAcKc', [album.albumKey, null, null, null])) as [null, Row[], string];
    expect(first[1].length).toBe(100);
    expect(first[2]).toMatch(/^AH_uQ4/);
    const all = await albumItems(album, null, p);
    expect(all.pages).toBe(3);
    expect(all.items.map((row) => row[3])).toEqual([...r.items].reverse().map((i) => i.dedupKey));
    expect(new Set(all.items.map((row) => row[0])).size).toBe(250);
    await expectErrorEntry('snAcKc', [album.albumKey, 'AH_uQ4bogus', null, null], p);
  } finally {
    await c.close();
    await r.close();
  }
});

test('VrseUb [mediaKey, null, authKey, null, albumKey]: a shared album\'s item in no library of the account gets its download URL with both; without them it is an unknown key', async () => {
  const album = robins();
  const foreign = album.entries.find((e) => e.item.owner === 'Robin')!;
  const args = [foreign.key, null, album.authKey, null, album.albumKey];
  const v = (await rpcPayload(page, 'VrseUb', args)) as Row;
  const libraryPhoto = (await rpcPayload(page, 'VrseUb', [byName('DSCN0010.jpg').mediaKey, null, null, null, null])) as Row;
  expect(skeleton(v)).toEqual(skeleton(libraryPhoto)); // shaped like any item's answer (rpc.spec compares that with VrseUb.json)
  expect((v[0] as Row)[0]).toBe(foreign.key);
  expect((v[0] as Row)[3]).toBe(foreign.item.dedupKey);
  expect(v[1]).toBe(replica.downloadUrl(foreign.key));
  expect((v[3] as unknown[])[0]).toBe(replica.person('Robin').actorKey);
  for (const bad of [
    [foreign.key, null, null, null, null],
    [foreign.key, null, album.authKey, null, null],
    [foreign.key, null, null, null, album.albumKey],
    [foreign.key, null, family().authKey, null, album.albumKey],
    [foreign.key, null, album.authKey, null, family().albumKey],
    [foreign.item.mediaKey, null, album.authKey, null, album.albumKey], // Robin's own key is not the account's to use
  ]) {
    await expectErrorEntry('VrseUb', bad);
  }
  // An own album's item: nulls are fine (not shared); the URL is the library item's.
  const trip = albumsTitled('Trip')[0];
  const entry = trip.entries[0];
  const own = (await rpcPayload(page, 'VrseUb', [entry.key, null, null, null, null])) as Row;
  expect((own[0] as Row)[0]).toBe(entry.key);
  expect(own[1]).toBe(replica.downloadUrl(entry.item.mediaKey));
  expect(((await rpcPayload(page, 'VrseUb', [entry.key, null, null, null, trip.albumKey])) as Row)[1]).toBe(own[1]);
  // The partner's item: its key with nulls.
  const sam = replica.partnerItems[0];
  const pv = (await rpcPayload(page, 'VrseUb', [sam.mediaKey, null, null, null, null])) as Row;
  expect(pv[1]).toBe(replica.downloadUrl(sam.mediaKey));
  expect((pv[3] as unknown[])[0]).toBe(replica.partner!.actorKey);
});

test('fDcn4b [0][19]: the albums holding an item, entries as fDcn4b.json with Z5xsfc\'s album info; an album-scoped key answers under its own key with the same dedupKey', async () => {
  const capture = loadCapture('fDcn4b.json') as Row[];
  const capEntry = (capture[0][19] as Row[])[0];
  const photo = byName('DSCN0010.jpg');
  const got = (await rpcPayload(page, 'fDcn4b', [photo.mediaKey, 1, null, null, 1])) as Row[];
  const entries = got[0][19] as Row[];
  const trip = albumsTitled('Trip')[0];
  expect(entries.map((e) => e[0]).sort()).toEqual([trip.albumKey, family().albumKey].sort());
  const tripEntry = entries.find((e) => e[0] === trip.albumKey)!;
  expect(skeleton(tripEntry)).toEqual(skeleton(capEntry));
  const z = (await listAlbums()).find((r) => r[0] === trip.albumKey)!;
  expect((tripEntry[2] as Record<string, unknown>)['72930366']).toEqual(info(z));
  expect((tripEntry[2] as Record<string, unknown>)['7']).toEqual([]);
  // In no album: [].
  expect(((await rpcPayload(page, 'fDcn4b', [byName('IMG_20140921_160056.jpg').mediaKey, 1, null, null, 1])) as Row[])[0][19]).toEqual([]);
  // Under an album key: same item, its key echoed.
  const key = replica.albumItemKey(trip.albumKey, photo.mediaKey);
  const scoped = (await rpcPayload(page, 'fDcn4b', [key, 1, null, null, 1])) as Row[];
  expect(scoped[0][0]).toBe(key);
  expect(scoped[0][11]).toBe(photo.dedupKey);
  expect(scoped[0][2]).toBe(photo.fileName);
  // Robin's photo: with the album's authKey (owner at [28], source 3 = shared); without it, unknown.
  const album = robins();
  const foreign = album.entries.find((e) => e.item.owner === 'Robin')!;
  const f = (await rpcPayload(page, 'fDcn4b', [foreign.key, 1, album.authKey, null, 1])) as Row[];
  expect([f[0][0], f[0][2], f[0][11]]).toEqual([foreign.key, foreign.item.fileName, foreign.item.dedupKey]);
  expect((f[0][28] as unknown[])[0]).toBe(replica.person('Robin').actorKey);
  expect((f[0][27] as unknown[])[0]).toBe(3);
  expect((f[0][19] as Row[]).map((e) => e[0])).toEqual([album.albumKey]);
  await expectErrorEntry('fDcn4b', [foreign.key, 1, null, null, 1]);
  // The partner's item: source 4.
  const sam = replica.partnerItems[0];
  expect(((((await rpcPayload(page, 'fDcn4b', [sam.mediaKey, 1, null, null, 1])) as Row[])[0][27]) as unknown[])[0]).toBe(4);
});

test('e9T5je [pageId, null, [null, [[[2,1]]], [partnerActorId], [null, gaiaId], 1]]: [nextPageId, items, members, _, partnerActorId, gaiaId]; the partner\'s item is in no library listing', async () => {
  const lcxiM = loadCapture('lcxiM.json') as [Row[]];
  const p = replica.partner!;
  const answer = (await rpcPayload(page, 'e9T5je', [null, null, [null, [[[2, 1]]], [p.actorKey], [null, replica.me.gaiaId], 1]])) as [string | null, Row[], unknown[][], null, string, string];
  expect(answer.length).toBe(6);
  expect(answer[0]).toBeNull();
  expect([answer[4], answer[5]]).toEqual([p.actorKey, replica.me.gaiaId]);
  expect(answer[2].map((m) => m[0])).toEqual([replica.me.actorKey, p.actorKey]);
  expect(answer[1].map((r) => r[0])).toEqual(replica.partnerItems.map((i) => i.mediaKey));
  const row = answer[1][0];
  const capPhoto = lcxiM[0].find((r) => (r[1] as unknown[]).length === 10 && !ext(r)['76647426'] && !ext(r)['396644657'] && ((ext(r)['129168200'] as unknown[][])[0]).length === 0)!;
  expect(skeleton([...row.slice(0, 6), ...row.slice(8)])).toEqual(skeleton([...capPhoto.slice(0, 6), ...capPhoto.slice(8)]));
  expect((row[6] as string[])[0]).toBe(p.actorKey);
  expect((row[7] as unknown[][])[3]).toEqual([20]); // not saved to the account's library
  expect((row[7] as unknown[][]).some((f) => f[0] === 27)).toBe(true); // not owned
  expect(await libraryKeys()).not.toContain(row[0]);
  // Ids not set: the account's one partner; the partner's gaia id works too; someone else's actor id is refused.
  expect(((await rpcPayload(page, 'e9T5je', [null, null, [null, [[[2, 1]]], [null], [null, null], 1]])) as Row)[4]).toBe(p.actorKey);
  expect(((await rpcPayload(page, 'e9T5je', [null, null, [null, [[[2, 1]]], [p.actorKey], [null, p.gaiaId], 1]])) as Row)[4]).toBe(p.actorKey);
  await expectErrorEntry('e9T5je', [null, null, [null, [[[2, 1]]], [replica.person('Robin').actorKey], [null, replica.me.gaiaId], 1]]);
});

test('zy0IHe [pageId]: the trash as [items, nextPageId]; VrseUb of a trashed item has [0][15]["225032867"][0] = trashed time; trashed items leave lcxiM, EzkLib and their albums', async () => {
  const trashed = byNameAnywhere('DSCN0038.jpg');
  expect(replica.trashed.map((i) => i.mediaKey)).toEqual([trashed.mediaKey]);
  const answer = (await rpcPayload(page, 'zy0IHe', [null])) as [Row[], string | null];
  expect(answer.length).toBe(2);
  expect(answer[1]).toBeNull();
  expect(answer[0].map((r) => r[0])).toEqual([trashed.mediaKey]);
  expect(answer[0][0][3]).toBe(trashed.dedupKey);
  expect(ext(answer[0][0])['225032867']).toEqual([trashed.trashedMs]);
  const v = (await rpcPayload(page, 'VrseUb', [trashed.mediaKey, null, null, null, null])) as Row;
  expect(((v[0] as Row)[15] as Record<string, unknown[]>)['225032867'][0]).toBe(trashed.trashedMs);
  expect(v[1]).toBe(replica.downloadUrl(trashed.mediaKey));
  const live = (await rpcPayload(page, 'VrseUb', [byName('DSCN0010.jpg').mediaKey, null, null, null, null])) as Row;
  expect(((live[0] as Row)[15] as Record<string, unknown>)['225032867']).toBeUndefined();
  expect(await libraryKeys()).not.toContain(trashed.mediaKey);
  const uploads = (await rpcPayload(page, 'EzkLib', ['', [[4, 'ra', 0, 0]], null])) as [Row[]];
  expect(uploads[0].map((r) => r[0])).not.toContain(trashed.mediaKey);
  expect(await rpcPayload(page, 'EzkLib', ['DSCN0038', null, null])).toEqual([]);
  const trip2 = albumsTitled('Trip')[1];
  expect((await albumItems(trip2)).items.map((r) => r[3])).not.toContain(trashed.dedupKey);
  expect(((await rpcPayload(page, 'fDcn4b', [trashed.mediaKey, 1, null, null, 1])) as Row[])[0][19]).toEqual([]);
});

function byNameAnywhere(name: string) {
  return [...replica.items, ...replica.trashed].find((i) => i.fileName === name)!;
}

test('e9T5je and zy0IHe paging: 150 partner items and 150 trashed items come in pages of 100; an empty trash is [], no partner is []', async ({ browser }) => {
  const r = await startReplica({ library: { synthetic: 200, seed: 5 } });
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    expect(await rpcPayload(p, 'zy0IHe', [null])).toEqual([]);
    expect(await rpcPayload(p, 'e9T5je', [null, null, [null, [[[2, 1]]], [null], [null, null], 1]])).toEqual([]);
    expect(await rpcPayload(p, 'Z5xsfc', LIST_ALBUMS())).toEqual([null, null, [1], [1]]);
    for (const it of r.items.slice(0, 150).map((i) => i.mediaKey)) r.trashItem(it);
    r.setPartner('Sam');
    for (let i = 0; i < 150; i++) r.addPartnerItem({ sample: 'Canon_40D.jpg', fileName: `P_${i}.jpg`, takenMs: Date.UTC(2020, 0, 1) + i * 60_000 });
    const trash: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const got = (await rpcPayload(p, 'zy0IHe', [next])) as [Row[], string | null];
      trash.push(...got[0].map((row) => row[0] as string));
      next = got[1];
      pages++;
    } while (next);
    expect(pages).toBe(2);
    expect(trash).toEqual(r.trashed.map((i) => i.mediaKey));
    expect(new Set(trash).size).toBe(150);
    const partner: string[] = [];
    next = null;
    pages = 0;
    do {
      const got = (await rpcPayload(p, 'e9T5je', [next, null, [null, [[[2, 1]]], [r.partner!.actorKey], [null, r.me.gaiaId], 1]])) as [string | null, Row[]];
      partner.push(...got[1].map((row) => row[0] as string));
      next = got[0];
      pages++;
    } while (next);
    expect(pages).toBe(2);
    expect(partner).toEqual(r.partnerItems.map((i) => i.mediaKey));
    expect(new Set(partner).size).toBe(150);
    await expectErrorEntry('zy0IHe', ['AH_uQ4bogus'], p);
  } finally {
    await c.close();
    await r.close();
  }
});

test('/album/<albumKey>/photo/<albumScopedKey> renders like /photo/<key>; Shift+D and More options → Download give the library file\'s bytes; arrows move along the album', async ({ browser }) => {
  const trip = albumsTitled('Trip')[0];
  const photo = byName('DSCN0010.jpg');
  const key = replica.albumItemKey(trip.albumKey, photo.mediaKey);
  const path = replica.albumPhotoPath(trip.albumKey, key);
  expect(path).toBe(`/album/${trip.albumKey}/photo/${key}`);
  const { context: c, page: p } = await signedInPage(browser, replica, `${path}?hl=en`);
  try {
    const visible = p.locator('c-wiz[data-media-key]:visible');
    await expect(visible).toHaveCount(1);
    await expect(visible).toHaveAttribute('data-media-key', key);
    await expect(p.locator(`[data-p*="${key}"]`)).toBeVisible();
    const want = replica.expectedFiles(photo.mediaKey)[0];
    const [d1] = await Promise.all([p.waitForEvent('download'), p.keyboard.press('Shift+D')]);
    expect(d1.suggestedFilename()).toBe(photo.fileName);
    expect(sha256(await downloadBody(d1))).toBe(want.sha256);
    await visible.locator('[aria-label="More options"]').click();
    const [d2] = await Promise.all([p.waitForEvent('download'), p.locator('[aria-label="Download - Shift+D"]').click()]);
    expect(sha256(await downloadBody(d2))).toBe(want.sha256);
    // Info panel as in the library viewer.
    await visible.locator('[aria-label="Open info"]').click();
    await expect(visible.locator(`[aria-label="Filename: ${photo.fileName}"]`)).toBeVisible();
    // ArrowRight: the next item in album order, under its album key.
    const order = replica.album(trip.albumKey).entries.filter((e) => e.item.trashedMs === null).sort((a, b) => a.item.takenMs - b.item.takenMs);
    const at = order.findIndex((e) => e.key === key);
    await p.keyboard.press('ArrowRight');
    await p.waitForURL(`${replica.baseUrl}/album/${trip.albumKey}/photo/${order[at + 1].key}?hl=en`);
    await expect(visible).toHaveAttribute('data-media-key', order[at + 1].key);
    // A library key is not an album key; a trashed item's album key is gone.
    expect((await p.goto(`${replica.baseUrl}/album/${trip.albumKey}/photo/${photo.mediaKey}?hl=en`))!.status()).toBe(404);
    const trip2 = albumsTitled('Trip')[1];
    const trashedKey = replica.albumItemKey(trip2.albumKey, byNameAnywhere('DSCN0038.jpg').mediaKey);
    expect((await p.goto(`${replica.baseUrl}/album/${trip2.albumKey}/photo/${trashedKey}?hl=en`))!.status()).toBe(404);
  } finally {
    await c.close();
  }
});

test('/share/<shareId>/photo/<key>?key=<authKey>: Robin\'s photo, in no library of the account, downloads byte-identical to expectedFiles(); no key or a wrong one: 404; the short link leads to the share URL', async ({ browser }) => {
  const album = robins();
  const foreign = album.entries.filter((e) => e.item.owner === 'Robin');
  expect(foreign.length).toBe(2);
  const { context: c, page: p } = await signedInPage(browser, replica);
  try {
    for (const e of foreign) {
      const path = replica.albumPhotoPath(album.albumKey, e.key);
      expect(path).toBe(`/share/${album.shareId}/photo/${e.key}?key=${album.authKey}`);
      await p.goto(`${replica.baseUrl}${path}&hl=en`);
      await expect(p.locator('c-wiz[data-media-key]:visible')).toHaveAttribute('data-media-key', e.key);
      const want = replica.expectedFiles(e.key);
      expect(want.map((f) => f.role)).toEqual(['main']);
      const [d] = await Promise.all([p.waitForEvent('download'), p.keyboard.press('Shift+D')]);
      expect(d.suggestedFilename()).toBe(e.item.fileName);
      const body = await downloadBody(d);
      expect(sha256(body)).toBe(want[0].sha256);
      expect(body.length).toBe(want[0].bytes);
    }
    expect((await p.goto(`${replica.baseUrl}/share/${album.shareId}/photo/${foreign[0].key}?hl=en`))!.status()).toBe(404);
    expect((await p.goto(`${replica.baseUrl}/share/${album.shareId}/photo/${foreign[0].key}?key=${family().authKey}&hl=en`))!.status()).toBe(404);
    expect((await p.goto(`${replica.baseUrl}/album/${album.albumKey}/photo/${foreign[0].key}?hl=en`))!.status()).toBe(404);
    // The row's short link → /share/<shareId>?key=<authKey>, a page whose tiles open the viewer.
    await p.goto(`${replica.baseUrl}/?hl=en`);
    const row = (await listAlbums(p)).find((r) => r[0] === album.albumKey)!;
    const res = await fetch(info(row)[10] as string, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${replica.baseUrl}/share/${album.shareId}?key=${album.authKey}`);
    await p.goto(info(row)[10] as string);
    expect(new URL(p.url()).searchParams.get('key')).toBe(album.authKey);
    await expect(p.locator('a.tile')).toHaveCount(3);
    await p.locator('a.tile').first().click();
    await expect(p.locator('c-wiz[data-media-key]:visible')).toHaveCount(1);
    expect(p.url()).toContain(`/share/${album.shareId}/photo/`);
  } finally {
    await c.close();
  }
});

test('/partner/<partnerActorKey>/photo/<key> (the replica\'s choice): the partner\'s item downloads byte-identical through Shift+D', async ({ browser }) => {
  const sam = replica.partnerItems[0];
  const path = replica.partnerPhotoPath(sam.mediaKey);
  expect(path).toBe(`/partner/${replica.partner!.actorKey}/photo/${sam.mediaKey}`);
  const { context: c, page: p } = await signedInPage(browser, replica, `${path}?hl=en`);
  try {
    await expect(p.locator('c-wiz[data-media-key]:visible')).toHaveAttribute('data-media-key', sam.mediaKey);
    const [d] = await Promise.all([p.waitForEvent('download'), p.keyboard.press('Shift+D')]);
    expect(d.suggestedFilename()).toBe(sam.fileName);
    expect(sha256(await downloadBody(d))).toBe(replica.expectedFiles(sam.mediaKey)[0].sha256);
    expect((await p.goto(`${replica.baseUrl}/photo/${sam.mediaKey}?hl=en`))!.status()).toBe(404);
    expect((await p.goto(`${replica.baseUrl}/partner/${replica.me.actorKey}/photo/${sam.mediaKey}?hl=en`))!.status()).toBe(404);
  } finally {
    await c.close();
  }
});

test('album mutations: create, rename, add, add someone else\'s item, share, remove, delete — each seen by Z5xsfc and snAcKc, each moving the album\'s modified time', async ({ browser }) => {
  const r = await startReplica();
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    const row = async (albumKey: string): Promise<Row | undefined> => (await listAlbums(p)).find((x) => x[0] === albumKey);
    const modifiedOf = async (albumKey: string): Promise<number> => (info((await row(albumKey))!)[2] as number[])[9];
    const album = r.createAlbum('Trip');
    expect(info((await row(album.albumKey))!)).toEqual(expect.arrayContaining([1, 'Trip', 0]));
    expect((await albumItems(album, null, p)).items).toEqual([]);
    let last = await modifiedOf(album.albumKey);

    r.renameAlbum(album.albumKey, 'Trip 2024');
    expect(info((await row(album.albumKey))!)[1]).toBe('Trip 2024');
    expect(await modifiedOf(album.albumKey)).toBeGreaterThan(last);
    last = await modifiedOf(album.albumKey);

    const [a, b] = r.items.slice(0, 2);
    r.addToAlbum(album.albumKey, [a.mediaKey, b.mediaKey]);
    let got = await albumItems(album, null, p);
    expect(got.items.map((x) => x[3]).sort()).toEqual([a.dedupKey, b.dedupKey].sort());
    expect(got.meta[21]).toBe(2);
    expect(await modifiedOf(album.albumKey)).toBeGreaterThan(last);
    last = await modifiedOf(album.albumKey);

    const entry = r.addForeignToAlbum(album.albumKey, { sample: 'Nikon_D70.jpg', fileName: 'FROM_ALEX.JPG', ownedBy: 'Alex' });
    got = await albumItems(album, null, p);
    expect(got.items.map((x) => x[0])).toContain(entry.key);
    expect((got.items.find((x) => x[0] === entry.key)![6] as string[])[0]).toBe(r.person('Alex').actorKey);
    expect(await libraryKeys(p)).not.toContain(entry.item.mediaKey);
    expect(await modifiedOf(album.albumKey)).toBeGreaterThan(last);
    last = await modifiedOf(album.albumKey);

    r.shareAlbum(album.albumKey, ['Alex']);
    const shared = (await row(album.albumKey))!;
    expect(shared.length).toBe(12);
    expect(info(shared)[4]).toBe(true);
    expect((await albumItems(album, null, p)).meta[19]).toBe(r.album(album.albumKey).authKey);
    expect(await modifiedOf(album.albumKey)).toBeGreaterThan(last);
    last = await modifiedOf(album.albumKey);

    const aKey = r.albumItemKey(album.albumKey, a.mediaKey);
    r.removeFromAlbum(album.albumKey, aKey);
    got = await albumItems(album, null, p);
    expect(got.items.map((x) => x[0])).not.toContain(aKey);
    expect(got.items.length).toBe(2);
    expect(await modifiedOf(album.albumKey)).toBeGreaterThan(last);
    expect(await libraryKeys(p)).toContain(a.mediaKey); // removing from an album keeps the item
    r.removeFromAlbum(album.albumKey, entry.key);
    expect(r.foreignItems).toEqual([]); // someone else's item in no album any more is gone for the account

    r.deleteAlbum(album.albumKey);
    expect(await row(album.albumKey)).toBeUndefined();
    await expectErrorEntry('snAcKc', [album.albumKey, null, null, null], p);
    expect(await libraryKeys(p)).toContain(b.mediaKey);
  } finally {
    await c.close();
    await r.close();
  }
});

test('trash mutations: trashItem, restoreItem, deleteForGood — seen by lcxiM, zy0IHe, VrseUb, snAcKc and the album\'s modified time', async ({ browser }) => {
  const r = await startReplica();
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    const [it, other] = [r.items[2], r.items[3]];
    const album = r.createAlbum('Keep');
    r.addToAlbum(album.albumKey, [it.mediaKey, other.mediaKey]);
    const modified = async (): Promise<number> => (info((await listAlbums(p)).find((x) => x[0] === album.albumKey)!)[2] as number[])[9];
    let last = await modified();

    r.trashItem(it.mediaKey);
    expect(await libraryKeys(p)).not.toContain(it.mediaKey);
    const trash = (await rpcPayload(p, 'zy0IHe', [null])) as [Row[]];
    expect(trash[0].map((x) => x[0])).toEqual([it.mediaKey]);
    const v = (await rpcPayload(p, 'VrseUb', [it.mediaKey, null, null, null, null])) as Row;
    expect(((v[0] as Row)[15] as Record<string, unknown[]>)['225032867'][0]).toBe(r.item(it.mediaKey).trashedMs);
    expect((await albumItems(album, null, p)).items.map((x) => x[3])).not.toContain(it.dedupKey);
    expect(await modified()).toBeGreaterThan(last);
    last = await modified();

    r.restoreItem(it.mediaKey);
    expect(await libraryKeys(p)).toContain(it.mediaKey);
    expect(await rpcPayload(p, 'zy0IHe', [null])).toEqual([]);
    expect(((await rpcPayload(p, 'VrseUb', [it.mediaKey, null, null, null, null])) as Row[])[0][15]).not.toHaveProperty('225032867');
    expect((await albumItems(album, null, p)).items.map((x) => x[3])).toContain(it.dedupKey);
    expect(await modified()).toBeGreaterThan(last);
    last = await modified();

    expect(() => r.deleteForGood(it.mediaKey)).toThrow(/not in the trash/);
    r.trashItem(it.mediaKey);
    r.deleteForGood(it.mediaKey);
    expect(await libraryKeys(p)).not.toContain(it.mediaKey);
    expect(await rpcPayload(p, 'zy0IHe', [null])).toEqual([]);
    await expectErrorEntry('VrseUb', [it.mediaKey, null, null, null, null], p);
    expect(() => r.restoreItem(it.mediaKey)).toThrow();
    const left = await albumItems(album, null, p);
    expect(left.items.map((x) => x[3])).toEqual([other.dedupKey]);
    expect(await modified()).toBeGreaterThan(last);
  } finally {
    await c.close();
    await r.close();
  }
});

test('default replica: no albums, no partner, an empty trash (existing libraries unchanged)', async ({ browser }) => {
  const r = await startReplica();
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    expect(r.albums).toEqual([]);
    expect(r.partner).toBeNull();
    expect(r.trashed).toEqual([]);
    expect(await rpcPayload(p, 'Z5xsfc', LIST_ALBUMS())).toEqual([null, null, [1], [1]]);
    expect(await rpcPayload(p, 'zy0IHe', [null])).toEqual([]);
    expect(await rpcPayload(p, 'e9T5je', [null, null, [null, [[[2, 1]]], [null], [null, null], 1]])).toEqual([]);
    await expectErrorEntry('e9T5je', [null, null, [null, [[[2, 1]]], ['AF1QipNOPARTNERNOPARTNERNOPARTNERNOPARTNE'], [null, null], 1]], p);
    // Same ids as a replica with albums: albums come after the library.
    const withAlbums = await startReplica({ ...sampleAlbums() });
    try {
      expect(withAlbums.items.concat(withAlbums.trashed).map((i) => i.mediaKey).sort()).toEqual(r.items.map((i) => i.mediaKey).sort());
    } finally {
      await withAlbums.close();
    }
  } finally {
    await c.close();
    await r.close();
  }
});
