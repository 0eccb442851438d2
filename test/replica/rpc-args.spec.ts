// Facts: the RPC table's args, decoded as JSPB. Per rpcid the documented shape (with trailing
// nulls added or left off) is answered, and a value of the wrong type or at the wrong nesting
// depth gets Google's error entry — HTTP 200, `["wrb.fr", id, null, null, null, [3], …]` — not
// an HTTP error. Calls are made from inside a signed-in Chromium page.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { bulkInfoArgs, startReplica, type Replica } from './index.js';
import { envelopeEntries, loadCapture, pageRpc, payloadOf, signedInPage, skeleton } from './helpers.js';

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
const byName = (name: string) => replica.items.find((i) => i.fileName === name)!;

/** The call decoded: HTTP 200 and a wrb.fr entry carrying a payload string. */
async function answered(rpcid: string, args: unknown): Promise<unknown> {
  const raw = await pageRpc(page, rpcid, args);
  expect(raw.status, `${rpcid} ${JSON.stringify(args)}`).toBe(200);
  return payloadOf(raw.text, rpcid);
}

/** The call did not decode: HTTP 200, a wrb.fr entry for the rpcid with no payload and the error code [3]. */
async function expectRefused(rpcid: string, args: unknown): Promise<void> {
  const raw = await pageRpc(page, rpcid, args);
  const what = `${rpcid} ${JSON.stringify(args)}`;
  expect(raw.status, what).toBe(200);
  const entries = envelopeEntries(raw.text).filter((e) => e[0] === 'wrb.fr');
  expect(entries.length, what).toBe(1);
  expect(entries[0][1], what).toBe(rpcid);
  expect(entries[0][2], what).toBeNull();
  expect(entries[0][5], what).toEqual([3]);
}

test('lcxiM [pageId, timestamp, 500, null, 1, source]: page size unset or other numbers decode; strings for numbers, arrays for the page id, values in null slots or past the end do not', async () => {
  const ts = replica.items[3].takenMs;
  const all = replica.items.filter((i) => !i.archived).map((i) => i.mediaKey);
  // Documented, and let-my-photos-go's form (page size not set, a trailing null added).
  expect(((await answered('lcxiM', [null, null, 500, null, 1, 1])) as [Row[]])[0].map((r) => r[0])).toEqual(all);
  const lmpg = (await answered('lcxiM', [null, ts, null, null, 1, 1, null])) as [Row[]];
  expect(lmpg[0][0][0]).toBe(replica.items[3].mediaKey);
  expect(((await answered('lcxiM', [null, null, 3, null, 1, 1])) as [Row[]])[0].length).toBe(3);
  expect(((await answered('lcxiM', [])) as [Row[]])[0].map((r) => r[0])).toEqual(all);
  await expectRefused('lcxiM', [null, String(ts), 500, null, 1, 1]);
  await expectRefused('lcxiM', [null, null, '500', null, 1, 1]);
  await expectRefused('lcxiM', [[replica.items[0].mediaKey], null, 500, null, 1, 1]);
  await expectRefused('lcxiM', [null, null, 500, null, 1, true]);
  await expectRefused('lcxiM', [null, null, 500, 7, 1, 1]);
  await expectRefused('lcxiM', [null, null, 500, null, 1, 1, 'extra']);
  await expectRefused('lcxiM', [[null, null, 500, null, 1, 1]]);
  await expectRefused('lcxiM', { pageId: null });
  await expectRefused('lcxiM', 'lcxiM');
});

test('EzkLib in its three forms (recent uploads, Favorites, text search) decodes; a filter one level too shallow or too deep, or a number as page id, does not', async () => {
  const uploads = (await answered('EzkLib', ['', [[4, 'ra', 0, 0]], null])) as [Row[]];
  expect(uploads[0].map((r) => r[0])).toEqual([...replica.items].sort((a, b) => b.uploadedMs - a.uploadedMs).map((i) => i.mediaKey));
  const favorites = (await answered('EzkLib', ['Favorites', [[5, '8', 0, 9]], null])) as [Row[]];
  expect(favorites[0].map((r) => r[0])).toEqual(replica.items.filter((i) => i.favorite).map((i) => i.mediaKey));
  const search = (await answered('EzkLib', ['tuscan', null, null])) as [Row[]];
  expect(search[0].map((r) => r[0])).toEqual([byName('DSCN0025.jpg').mediaKey]);
  const byFileName = (await answered('EzkLib', ['DSCN00', null, null])) as [Row[]];
  expect(byFileName[0].length).toBe(replica.items.filter((i) => i.fileName.startsWith('DSCN00')).length);
  expect(await answered('EzkLib', ['no such thing anywhere', null, null])).toEqual([]);
  await expectRefused('EzkLib', ['', [4, 'ra', 0, 0], null]);
  await expectRefused('EzkLib', ['', [[[4, 'ra', 0, 0]]], null]);
  await expectRefused('EzkLib', ['', [['4', 'ra', 0, 0]], null]);
  await expectRefused('EzkLib', [['Favorites'], [[5, '8', 0, 9]], null]);
  await expectRefused('EzkLib', ['', [[4, 'ra', 0, 0]], 100]);
});

test('VrseUb [mediaKey, null, authKey, null, albumKey]: key as a string (trailing nulls optional) decodes; a key in an array, a number as authKey, a value in a null slot or no key does not', async () => {
  const it = byName('DSCN0010.jpg');
  expect(((await answered('VrseUb', [it.mediaKey, null, null, null, null])) as Row)[1]).toBe(replica.downloadUrl(it.mediaKey));
  expect(((await answered('VrseUb', [it.mediaKey])) as Row)[1]).toBe(replica.downloadUrl(it.mediaKey));
  await expectRefused('VrseUb', [[it.mediaKey], null, null, null, null]);
  await expectRefused('VrseUb', [it.mediaKey, null, 5, null, null]);
  await expectRefused('VrseUb', [it.mediaKey, 1, null, null, null]);
  await expectRefused('VrseUb', [null, null, null, null, null]);
  await expectRefused('VrseUb', [[[it.mediaKey]]]);
});

test('fDcn4b [mediaKey, 1, authKey, null, 1]: decodes with or without the trailing fields; a key in an array or a string for the 1 does not', async () => {
  const it = byName('DSCN0010.jpg');
  expect(((await answered('fDcn4b', [it.mediaKey, 1, null, null, 1])) as Row[])[0][0]).toBe(it.mediaKey);
  expect(((await answered('fDcn4b', [it.mediaKey, 1])) as Row[])[0][0]).toBe(it.mediaKey);
  await expectRefused('fDcn4b', [[it.mediaKey], 1, null, null, 1]);
  await expectRefused('fDcn4b', [it.mediaKey, '1', null, null, 1]);
  await expectRefused('fDcn4b', [it.mediaKey, 1, [null], null, 1]);
});

test('EWgK9e [[[ [[key],…] ], [MASK]]]: answered as [[null, rows]]; the keys one level too shallow, a missing MASK or a MASK with [] in the wrong place is refused', async () => {
  const capture = loadCapture('EWgK9e.json') as Row[];
  const keys = replica.items.slice(0, 3).map((i) => i.mediaKey);
  const answer = (await answered('EWgK9e', bulkInfoArgs(keys))) as [[null, Row[]]];
  expect(answer[0][0]).toBeNull();
  expect(answer[0][1].map((r) => r[0])).toEqual(keys);
  expect(skeleton(answer[0][1].find((r) => (r[1] as unknown[])[2] === '')!)).toEqual(skeleton(capture[0]));
  // Trailing nulls added to the mask still decode; unknown keys are left out.
  const args = bulkInfoArgs([...keys, 'AF1QipUNKNOWNUNKNOWNUNKNOWNUNKNOWNUNKNOWN00']) as [[unknown[], [unknown[]]]];
  args[0][1][0].push(null, null);
  expect(((await answered('EWgK9e', args)) as [[null, Row[]]])[0][1].map((r) => r[0])).toEqual(keys);
  const mask: unknown[] = Array.from({ length: 36 }, (_, i) => (i === 24 || i === 35 ? [] : null));
  const keyList = keys.map((k) => [k]);
  await expectRefused('EWgK9e', [keyList]); // the client's guess: [[ [k1],[k2] ]]
  await expectRefused('EWgK9e', [[keyList], [1]]); // the replica test's old guess
  await expectRefused('EWgK9e', [[[keyList]]]); // documented keys, no MASK
  await expectRefused('EWgK9e', [[[keyList], []]]); // MASK slot empty
  await expectRefused('EWgK9e', [[[keys], [mask]]]); // keys not wrapped one by one
  const shifted = Array.from({ length: 36 }, (_, i) => (i === 23 || i === 35 ? [] : null));
  await expectRefused('EWgK9e', [[[keyList], [shifted]]]);
  await expectRefused('EWgK9e', [[[keyList], [mask.slice(0, 30)]]]);
  await expectRefused('EWgK9e', [[[keyList], mask]]); // MASK one level too shallow
});

test('swbisb [[hash,…], null, 3, 0]: a flat list of hashes decodes; hashes one level too deep, a bare hash or a string for the 3 does not', async () => {
  const it = byName('DSCN0010.jpg');
  const hash = replica.sha1(it.mediaKey);
  const got = (await answered('swbisb', [[hash], null, 3, 0])) as Row[][];
  expect(((got[0][0] as unknown[])[1] as unknown[])[0]).toBe(it.mediaKey);
  expect(await answered('swbisb', [[], null, 3, 0])).toEqual([]);
  await expectRefused('swbisb', [[[hash]], null, 3, 0]);
  await expectRefused('swbisb', [hash, null, 3, 0]);
  await expectRefused('swbisb', [[hash], null, '3', 0]);
  await expectRefused('swbisb', [[hash, 42], null, 3, 0]);
});

test('Z5xsfc [pageId, null, null, null, 1, null, null, 100, [2], 5]: decodes with or without trailing fields and with other page sizes; a string for the 100, [2] unwrapped or too deep, a value in a null slot or past the end does not', async () => {
  const album = replica.createAlbum('Args');
  try {
    const rows = (a: unknown[]) => answered('Z5xsfc', a).then((p) => ((p as [Row[]])[0] ?? []).map((r) => r[0]));
    expect(await rows([null, null, null, null, 1, null, null, 100, [2], 5])).toEqual([album.albumKey]);
    expect(await rows([null, null, null, null, 1, null, null, 100, [2], 5, null])).toEqual([album.albumKey]);
    expect(await rows([null, null, null, null, 1, null, null, 20])).toEqual([album.albumKey]);
    expect(await rows([])).toEqual([album.albumKey]);
    await expectRefused('Z5xsfc', [null, null, null, null, 1, null, null, '100', [2], 5]);
    await expectRefused('Z5xsfc', [null, null, null, null, 1, null, null, 100, 2, 5]);
    await expectRefused('Z5xsfc', [null, null, null, null, 1, null, null, 100, [[2]], 5]);
    await expectRefused('Z5xsfc', [null, 'x', null, null, 1, null, null, 100, [2], 5]);
    await expectRefused('Z5xsfc', [null, null, null, null, 1, null, null, 100, [2], 5, 7]);
    await expectRefused('Z5xsfc', [[null], null, null, null, 1, null, null, 100, [2], 5]);
  } finally {
    replica.deleteAlbum(album.albumKey);
  }
});

test('snAcKc [albumKey, pageId, null, authKey]: decodes with or without trailing nulls; no album key, a key in an array, a number as authKey or a value in the null slot does not; someone else\'s album without its authKey is the error entry too', async () => {
  const album = replica.createAlbum('Args');
  const theirs = replica.createAlbum('Theirs', { ownedBy: 'Robin' });
  try {
    replica.addToAlbum(album.albumKey, [byName('DSCN0010.jpg').mediaKey]);
    const items = (a: unknown[]) => answered('snAcKc', a).then((p) => ((p as [null, Row[]])[1] ?? []).map((r) => r[3]));
    expect(await items([album.albumKey, null, null, null])).toEqual([byName('DSCN0010.jpg').dedupKey]);
    expect(await items([album.albumKey])).toEqual([byName('DSCN0010.jpg').dedupKey]);
    expect(await items([theirs.albumKey, null, null, theirs.authKey])).toEqual([]);
    await expectRefused('snAcKc', [null, null, null, null]);
    await expectRefused('snAcKc', [[album.albumKey], null, null, null]);
    await expectRefused('snAcKc', [album.albumKey, null, null, 42]);
    await expectRefused('snAcKc', [album.albumKey, null, 1, null]);
    await expectRefused('snAcKc', [album.albumKey, 5, null, null]);
    await expectRefused('snAcKc', [theirs.albumKey, null, null, null]);
  } finally {
    replica.deleteAlbum(album.albumKey);
    replica.deleteAlbum(theirs.albumKey);
  }
});

test('e9T5je [pageId, null, [null, [[[2,1]]], [partnerActorId], [null, gaiaId], 1]]: decodes as documented, also without the trailing 1; the filter missing, [[2,1]] one level too shallow, the actor id unwrapped or the gaia id in the wrong slot does not', async () => {
  replica.setPartner('Sam');
  const item = replica.addPartnerItem({ sample: 'Canon_40D.jpg', fileName: 'SAM.jpg' });
  try {
    const p = replica.partner!;
    const doc = [null, null, [null, [[[2, 1]]], [p.actorKey], [null, replica.me.gaiaId], 1]];
    expect(((await answered('e9T5je', doc)) as [null, Row[]])[1].map((r) => r[0])).toEqual([item.mediaKey]);
    expect(((await answered('e9T5je', [null, null, [null, [[[2, 1]]], [p.actorKey], [null, replica.me.gaiaId]]])) as [null, Row[]])[1].length).toBe(1);
    await expectRefused('e9T5je', [null, null]);
    await expectRefused('e9T5je', [null, null, [null, [[2, 1]], [p.actorKey], [null, replica.me.gaiaId], 1]]);
    await expectRefused('e9T5je', [null, null, [null, [[[2, 1]]], p.actorKey, [null, replica.me.gaiaId], 1]]);
    await expectRefused('e9T5je', [null, null, [null, [[[2, 1]]], [p.actorKey], [replica.me.gaiaId], 1]]);
    await expectRefused('e9T5je', [null, null, [null, [[['2', 1]]], [p.actorKey], [null, replica.me.gaiaId], 1]]);
    await expectRefused('e9T5je', [7, null, [null, [[[2, 1]]], [p.actorKey], [null, replica.me.gaiaId], 1]]);
  } finally {
    replica.setPartner(null);
  }
});

test('zy0IHe [pageId]: [] and [null] decode; a number or an array as page id, or a second field, does not', async () => {
  const it = byName('DSCN0029.jpg');
  replica.trashItem(it.mediaKey);
  try {
    expect(((await answered('zy0IHe', [null])) as [Row[]])[0].map((r) => r[0])).toEqual([it.mediaKey]);
    expect(((await answered('zy0IHe', [])) as [Row[]])[0].map((r) => r[0])).toEqual([it.mediaKey]);
    await expectRefused('zy0IHe', [1]);
    await expectRefused('zy0IHe', [[null]]);
    await expectRefused('zy0IHe', [null, 1]);
    await expectRefused('zy0IHe', 'zy0IHe');
  } finally {
    replica.restoreItem(it.mediaKey);
  }
});

test('a refused call does not spoil the others in the same batchexecute request', async () => {
  const it = byName('DSCN0010.jpg');
  const raw = await page.evaluate(
    async ({ good, bad }) => {
      const w = (window as unknown as { WIZ_global_data: Record<string, string> }).WIZ_global_data;
      const body = new URLSearchParams({ 'f.req': JSON.stringify([[['fDcn4b', JSON.stringify(good), null, '1'], ['fDcn4b', JSON.stringify(bad), null, '2']]]), at: w.SNlM0e });
      const res = await fetch(`${w.eptZe}data/batchexecute?rpcids=fDcn4b,fDcn4b&rt=c`, { method: 'POST', credentials: 'include', body });
      return { status: res.status, text: await res.text() };
    },
    { good: [it.mediaKey, 1, null, null, 1], bad: [[it.mediaKey], 1, null, null, 1] },
  );
  expect(raw.status).toBe(200);
  const entries = envelopeEntries(raw.text).filter((e) => e[0] === 'wrb.fr');
  expect(entries.map((e) => [e[6], typeof e[2], e[5]])).toEqual([
    ['1', 'string', null],
    ['2', 'object', [3]],
  ]);
});
