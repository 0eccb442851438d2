// Facts page, "What nobody has documented": each plausible answer is a variant the replica
// serves on demand (ReplicaOptions.unknowns at start, replica.unknowns.* at run time). These
// tests prove each variant is served as described: listed sizes, Content-Disposition forms,
// Live Photo zip member order and the .AAE member, and the answers for an unknown key.
import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { connect } from 'node:net';
import { UNKNOWN_DEFAULTS, UNKNOWN_VARIANTS, VARIANT_MATRIX, VARIANT_MATRIX_COMPACT, bulkInfoArgs, startReplica, type Replica, type ReplicaItem, type Unknowns } from './index.js';
import { envelopeEntries, nodeSession, pageRpc, payloadOf, readZip, rpcPayload, sha256, signedInPage } from './helpers.js';

let replica: Replica;
let context: BrowserContext;
let page: Page;
let editedLive: ReplicaItem;
test.beforeAll(async ({ browser }) => {
  replica = await startReplica();
  editedLive = replica.addItem({ sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0043.HEIC', kind: 'live', edited: true, takenMs: Date.UTC(2022, 1, 16, 12, 0, 0) });
  ({ context, page } = await signedInPage(browser, replica));
});
test.afterEach(() => {
  Object.assign(replica.unknowns, UNKNOWN_DEFAULTS);
});
test.afterAll(async () => {
  await context.close();
  await replica.close();
});

type Row = unknown[];
const byName = (name: string) => replica.items.find((i) => i.fileName === name)!;
const UNKNOWN_KEY = 'AF1QipUNKNOWNUNKNOWNUNKNOWNUNKNOWNUNKNOWN00';

/** The size each RPC lists for an item: lcxiM and EzkLib row [1][9][0], fDcn4b [0][5], EWgK9e row [1][9] (undefined/null: not listed). */
async function listedSizes(key: string): Promise<{ lcxiM: unknown; EzkLib: unknown; fDcn4b: unknown; EWgK9e: unknown }> {
  const lcxiM = ((await rpcPayload(page, 'lcxiM', [null, null, 500, null, 1, 3])) as [Row[]])[0].find((r) => r[0] === key)!;
  const ezk = ((await rpcPayload(page, 'EzkLib', ['', [[4, 'ra', 0, 0]], null])) as [Row[]])[0].find((r) => r[0] === key)!;
  const info = ((await rpcPayload(page, 'fDcn4b', [key, 1, null, null, 1])) as Row[])[0];
  const bulk = ((await rpcPayload(page, 'EWgK9e', bulkInfoArgs([key]))) as [[null, Row[]]])[0][1][0];
  const rowSize = (row: Row): unknown => ((row[1] as unknown[])[9] as unknown[] | undefined)?.[0];
  return { lcxiM: rowSize(lcxiM), EzkLib: rowSize(ezk), fDcn4b: info[5], EWgK9e: (bulk[1] as unknown[])[9] };
}
const everywhere = (n: number) => ({ lcxiM: n, EzkLib: n, fDcn4b: n, EWgK9e: n });
const bytesOf = (it: ReplicaItem, role: string): number => replica.expectedFiles(it.mediaKey).find((f) => f.role === role)!.bytes;

/** A response header's value as the bytes on the wire (HTTP clients decode non-ASCII header bytes each their own way). */
async function rawHeader(url: string, name: string): Promise<Buffer> {
  const { cookie } = await nodeSession(replica);
  const u = new URL(url);
  const head = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(u.port), u.hostname, () => socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nCookie: ${cookie}\r\nConnection: close\r\n\r\n`));
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end >= 0) {
        socket.destroy();
        resolve(all.subarray(0, end));
      }
    });
    socket.on('error', reject);
  });
  const prefix = Buffer.from(`\r\n${name}: `, 'latin1');
  const at = head.toString('latin1').toLowerCase().indexOf(prefix.toString('latin1').toLowerCase());
  expect(at, `${name} header`).toBeGreaterThanOrEqual(0);
  const from = at + prefix.length;
  const to = head.indexOf('\r\n', from);
  return head.subarray(from, to < 0 ? head.length : to);
}

async function download(url: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const { cookie } = await nodeSession(replica);
  const res = await fetch(url, { headers: { cookie } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

test('liveListedSize: a Live Photo lists the still, still + video, the zip Download serves, or no size at all — in every RPC that lists one', async () => {
  const live = byName('IMG_0042.HEIC');
  const still = bytesOf(live, 'live-still');
  const video = bytesOf(live, 'live-video');
  const zipBytes = (await download(replica.downloadUrl(live.mediaKey)!)).body.length;
  expect(zipBytes).toBeGreaterThan(still + video);
  expect(await listedSizes(live.mediaKey)).toEqual(everywhere(still)); // the default
  replica.unknowns.liveListedSize = 'still+video';
  expect(await listedSizes(live.mediaKey)).toEqual(everywhere(still + video));
  replica.unknowns.liveListedSize = 'zip';
  expect(await listedSizes(live.mediaKey)).toEqual(everywhere(zipBytes));
  replica.unknowns.liveListedSize = 'absent';
  expect(await listedSizes(live.mediaKey)).toEqual({ lcxiM: undefined, EzkLib: undefined, fDcn4b: null, EWgK9e: null });
  // Absent in a row means the 9-element thumb block of the capture's size-less rows.
  const row = ((await rpcPayload(page, 'lcxiM', [null, null, 500, null, 1, 1])) as [Row[]])[0].find((r) => r[0] === live.mediaKey)!;
  expect((row[1] as unknown[]).length).toBe(9);
  // Other items keep their size whatever the Live Photo switch says.
  const photo = byName('DSCN0010.jpg');
  expect(await listedSizes(photo.mediaKey)).toEqual(everywhere(bytesOf(photo, 'main')));
});

test('liveListedSize at start: ReplicaOptions.unknowns sets the variant before the first call', async ({ browser }) => {
  const r = await startReplica({ unknowns: { liveListedSize: 'zip', liveZipAae: true } });
  const { context: c, page: p } = await signedInPage(browser, r);
  try {
    expect(r.unknowns).toEqual({ ...UNKNOWN_DEFAULTS, liveListedSize: 'zip', liveZipAae: true });
    const live = r.items.find((i) => i.kind === 'live')!;
    const cookie = `${r.sessionCookie.name}=${r.sessionCookie.value}`;
    const zip = Buffer.from(await (await fetch(r.downloadUrl(live.mediaKey)!, { headers: { cookie } })).arrayBuffer());
    const info = ((await rpcPayload(p, 'fDcn4b', [live.mediaKey, 1, null, null, 1])) as Row[])[0];
    expect(info[5]).toBe(zip.length);
  } finally {
    await c.close();
    await r.close();
  }
});

test('editedListedSize: an item edited in Google lists the edited bytes or the original ones; a Live Photo\'s still follows the same switch', async () => {
  const edited = byName('Canon_40D.jpg');
  expect(bytesOf(edited, 'main')).not.toBe(bytesOf(edited, 'original'));
  expect(await listedSizes(edited.mediaKey)).toEqual(everywhere(bytesOf(edited, 'main')));
  expect(await listedSizes(editedLive.mediaKey)).toEqual(everywhere(bytesOf(editedLive, 'live-still')));
  replica.unknowns.editedListedSize = 'original';
  expect(await listedSizes(edited.mediaKey)).toEqual(everywhere(bytesOf(edited, 'original')));
  expect(await listedSizes(editedLive.mediaKey)).toEqual(everywhere(bytesOf(editedLive, 'original')));
  replica.unknowns.liveListedSize = 'still+video';
  expect(await listedSizes(editedLive.mediaKey)).toEqual(everywhere(bytesOf(editedLive, 'original') + bytesOf(editedLive, 'live-video')));
  // Unedited items are the same under both.
  const photo = byName('DSCN0010.jpg');
  expect(await listedSizes(photo.mediaKey)).toEqual(everywhere(bytesOf(photo, 'main')));
});

test('contentDisposition: filename= only (raw UTF-8), filename*= only, or both; Chromium saves the original name under each', async () => {
  const odd = replica.addItem({ sample: 'Canon_40D.jpg', fileName: 'Grüße aus Köln.jpg', takenMs: Date.UTC(2001, 0, 2) });
  const quoted = replica.addItem({ sample: 'Nikon_D70.jpg', fileName: 'say "cheese".jpg', takenMs: Date.UTC(2001, 0, 3) });
  const plain = byName('DSCN0010.jpg');
  const header = async (it: ReplicaItem): Promise<string> => {
    const res = await download(replica.downloadUrl(it.mediaKey)!);
    expect(res.status).toBe(200);
    expect(sha256(res.body)).toBe(replica.expectedFiles(it.mediaKey)[0].sha256);
    return (await rawHeader(replica.downloadUrl(it.mediaKey)!, 'content-disposition')).toString('utf8');
  };
  // What Chromium names the file, from a fresh page each time (no "multiple downloads" prompt).
  const saved = async (it: ReplicaItem): Promise<string> => {
    const p = await context.newPage();
    try {
      await p.goto(`${replica.baseUrl}/?hl=en`);
      const [d] = await Promise.all([
        p.waitForEvent('download'),
        p.evaluate((url) => {
          const a = document.createElement('a');
          a.href = url;
          a.download = '';
          document.body.append(a);
          a.click();
          a.remove();
        }, replica.downloadUrl(it.mediaKey)!),
      ]);
      expect(await d.failure()).toBeNull();
      return d.suggestedFilename();
    } finally {
      await p.close();
    }
  };
  expect(await header(plain)).toBe(`attachment; filename="DSCN0010.jpg"; filename*=UTF-8''DSCN0010.jpg`);
  expect(await header(odd)).toBe(`attachment; filename="Gr__e aus K_ln.jpg"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20aus%20K%C3%B6ln.jpg`);
  expect(await header(quoted)).toBe(`attachment; filename="say _cheese_.jpg"; filename*=UTF-8''say%20%22cheese%22.jpg`);
  expect(await saved(odd)).toBe(odd.fileName);
  replica.unknowns.contentDisposition = 'filename*';
  expect(await header(plain)).toBe(`attachment; filename*=UTF-8''DSCN0010.jpg`);
  expect(await header(odd)).toBe(`attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20aus%20K%C3%B6ln.jpg`);
  expect(await saved(plain)).toBe('DSCN0010.jpg');
  expect(await saved(odd)).toBe(odd.fileName);
  replica.unknowns.contentDisposition = 'filename';
  expect(await header(plain)).toBe(`attachment; filename="DSCN0010.jpg"`);
  expect(await header(odd)).toBe(`attachment; filename="Grüße aus Köln.jpg"`);
  expect(await header(quoted)).toBe(`attachment; filename="say \\"cheese\\".jpg"`);
  expect(await saved(plain)).toBe('DSCN0010.jpg');
  expect(await saved(odd)).toBe(odd.fileName);
  replica.deleteItem(odd.mediaKey);
  replica.deleteItem(quoted.mediaKey);
});

test('liveZipOrder and liveZipAae: the zip holds still then video, or video then still, optionally with <base>.AAE (an XML plist) that expectedFiles lists', async () => {
  const live = byName('IMG_0042.HEIC');
  const files = (): Map<string, string> => new Map(replica.expectedFiles(live.mediaKey).map((f) => [f.name, f.sha256]));
  const members = async (): Promise<{ name: string; sha: string; data: Buffer }[]> => {
    const res = await download(replica.downloadUrl(live.mediaKey)!);
    expect(res.headers.get('content-type')).toBe('application/zip');
    return readZip(res.body).map((e) => ({ name: e.name, sha: sha256(e.data), data: e.data }));
  };
  const still = await members();
  expect(still.map((m) => m.name)).toEqual(['IMG_0042.HEIC', 'IMG_0042.MOV']);
  expect(replica.expectedFiles(live.mediaKey).map((f) => f.role)).toEqual(['live-still', 'live-video']);
  replica.unknowns.liveZipOrder = 'video-first';
  const video = await members();
  expect(video.map((m) => m.name)).toEqual(['IMG_0042.MOV', 'IMG_0042.HEIC']);
  for (const m of video) expect(m.sha, m.name).toBe(files().get(m.name));
  replica.unknowns.liveZipAae = true;
  const withAae = await members();
  expect(withAae.map((m) => m.name)).toEqual(['IMG_0042.MOV', 'IMG_0042.HEIC', 'IMG_0042.AAE']);
  const aae = withAae[2];
  expect(aae.data.toString('utf8')).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE plist[^]*<key>adjustmentFormatIdentifier<\/key>[^]*<\/plist>\n$/);
  expect(replica.expectedFiles(live.mediaKey).find((f) => f.role === 'live-aae')).toEqual({ name: 'IMG_0042.AAE', sha256: aae.sha, bytes: aae.data.length, role: 'live-aae' });
  for (const m of withAae) expect(m.sha, m.name).toBe(files().get(m.name));
  replica.unknowns.liveZipOrder = 'still-first';
  expect((await members()).map((m) => m.name)).toEqual(['IMG_0042.HEIC', 'IMG_0042.MOV', 'IMG_0042.AAE']);
  // The edited Live Photo's "Download original" zip follows the same switches.
  const original = readZip((await download(replica.downloadUrl(editedLive.mediaKey, 'original')!)).body);
  expect(original.map((e) => e.name)).toEqual(['IMG_0043.HEIC', 'IMG_0043.MOV', 'IMG_0043.AAE']);
  expect(sha256(original[0].data)).toBe(replica.expectedFiles(editedLive.mediaKey).find((f) => f.role === 'original')!.sha256);
});

test('unknownKey: an unknown mediaKey gets an error entry, an empty payload, HTTP 400 or HTTP 500; args that do not decode keep the error entry', async () => {
  const known = byName('DSCN0010.jpg').mediaKey;
  const calls: [string, unknown[]][] = [
    ['VrseUb', [UNKNOWN_KEY, null, null, null, null]],
    ['fDcn4b', [UNKNOWN_KEY, 1, null, null, 1]],
  ];
  for (const [rpcid, args] of calls) {
    replica.unknowns.unknownKey = 'error-entry';
    let raw = await pageRpc(page, rpcid, args);
    expect(raw.status).toBe(200);
    let entry = envelopeEntries(raw.text).find((e) => e[0] === 'wrb.fr')!;
    expect([entry[1], entry[2], entry[5]]).toEqual([rpcid, null, [3]]);

    replica.unknowns.unknownKey = 'empty-payload';
    raw = await pageRpc(page, rpcid, args);
    expect(raw.status).toBe(200);
    entry = envelopeEntries(raw.text).find((e) => e[0] === 'wrb.fr')!;
    expect([entry[1], entry[2], entry[5]]).toEqual([rpcid, '[]', null]);
    expect(payloadOf(raw.text, rpcid)).toEqual([]);

    for (const [kind, status] of [['http-400', 400], ['http-500', 500]] as const) {
      replica.unknowns.unknownKey = kind;
      raw = await pageRpc(page, rpcid, args);
      expect(raw.status, `${rpcid} ${kind}`).toBe(status);
      const entries = envelopeEntries(raw.text);
      expect(entries.some((e) => e[0] === 'wrb.fr')).toBe(false);
      expect(entries.find((e) => e[0] === 'er')![5]).toBe(status);
      // A known key is still answered, and a shape Google cannot decode is still the error entry.
      expect(await rpcPayload(page, rpcid, [known, ...args.slice(1)])).toBeTruthy();
      const bad = await pageRpc(page, rpcid, [[UNKNOWN_KEY], ...args.slice(1)]);
      expect(bad.status).toBe(200);
      expect(envelopeEntries(bad.text).find((e) => e[0] === 'wrb.fr')![5]).toEqual([3]);
    }
  }
});

test('favoritesOrder: the Favorites view lists newest taken first, or the most recently favorited first; its pages chain in either order', async () => {
  const favorites = async (): Promise<string[]> => {
    const keys: string[] = [];
    let pageId: string | null = null;
    do {
      const answer = (await rpcPayload(page, 'EzkLib', ['Favorites', [[5, '8', 0, 9]], pageId])) as [Row[], string | null];
      keys.push(...answer[0].map((r) => r[0] as string));
      pageId = answer[1];
    } while (pageId);
    return keys;
  };
  const byTaken = replica.items.filter((i) => i.favorite).map((i) => i.mediaKey);
  expect(byTaken.length).toBeGreaterThan(0);
  const oldest = replica.items.filter((i) => !i.favorite).at(-1)!;
  replica.setFavorite(oldest.mediaKey, true);
  try {
    replica.unknowns.favoritesOrder = 'taken';
    const taken = await favorites();
    expect(taken.at(-1)).toBe(oldest.mediaKey);
    const takenMs = taken.map((k) => replica.items.find((i) => i.mediaKey === k)!.takenMs);
    expect([...takenMs].sort((a, b) => b - a)).toEqual(takenMs);
    replica.unknowns.favoritesOrder = 'favorited';
    const favorited = await favorites();
    expect(favorited[0]).toBe(oldest.mediaKey);
    expect(new Set(favorited)).toEqual(new Set(taken));
  } finally {
    replica.setFavorite(oldest.mediaKey, false);
  }
});

test('VARIANT_MATRIX and VARIANT_MATRIX_COMPACT cover every value of every switch; each case starts a replica serving exactly it', async () => {
  for (const matrix of [VARIANT_MATRIX, VARIANT_MATRIX_COMPACT]) {
    for (const v of UNKNOWN_VARIANTS) {
      const seen = new Set(matrix.map((c) => ({ ...UNKNOWN_DEFAULTS, ...c.unknowns })[v.switch]));
      expect([...seen].sort(), v.switch).toEqual([...v.values].sort());
    }
    expect(new Set(matrix.map((c) => c.name)).size).toBe(matrix.length);
  }
  // One switch per case in VARIANT_MATRIX, so a failure names its switch.
  for (const c of VARIANT_MATRIX) expect(Object.keys(c.unknowns).length).toBeLessThanOrEqual(1);
  expect(VARIANT_MATRIX_COMPACT.length).toBe(Math.max(...UNKNOWN_VARIANTS.map((v) => v.values.length)));
  expect(Object.keys(UNKNOWN_DEFAULTS).sort()).toEqual(UNKNOWN_VARIANTS.map((v) => v.switch).sort());
  for (const c of [...VARIANT_MATRIX, ...VARIANT_MATRIX_COMPACT]) {
    const r = await startReplica({ library: [], unknowns: c.unknowns });
    try {
      const want: Unknowns = { ...UNKNOWN_DEFAULTS, ...c.unknowns };
      expect(r.unknowns, c.name).toEqual(want);
    } finally {
      await r.close();
    }
  }
});
