// The replica's library: unique bytes per item with EXIF untouched, the sample library's
// coverage, synthetic libraries at scale, deterministic ids, and mutations seen through the page.
import { test, expect } from '@playwright/test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExifTool } from 'exiftool-vendored';
import { MEDIA_DIR, SAMPLES, sampleLibrary, startReplica } from './index.js';
import { readZip, rpcPayload, sha256, signedInPage } from './helpers.js';

async function fetchBody(url: string, cookie: string): Promise<Buffer> {
  const res = await fetch(url, { headers: { cookie } });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

test('every item has unique bytes with a known sha256: JPEG gets a COM segment after SOI, ISO-BMFF a trailing free box; the rest is the sample', async () => {
  const r = await startReplica();
  try {
    const cookie = `${r.sessionCookie.name}=${r.sessionCookie.value}`;
    const seen = new Set<string>();
    for (const it of r.items) {
      for (const f of r.expectedFiles(it.mediaKey)) {
        expect(seen.has(f.sha256), `${it.fileName} ${f.role}`).toBe(false);
        seen.add(f.sha256);
      }
      if (it.processing) continue;
      const body = await fetchBody(r.downloadUrl(it.mediaKey)!, cookie);
      const sample = await readFile(join(MEDIA_DIR, it.sample));
      if (it.kind === 'live') {
        const [still, mov] = readZip(body);
        expect(still.data.subarray(0, sample.length).equals(sample)).toBe(true);
        expect(still.data.subarray(sample.length + 4, sample.length + 8).toString('latin1')).toBe('free');
        expect(mov.data.subarray(0, 8).equals((await readFile(join(MEDIA_DIR, it.liveVideoSample!))).subarray(0, 8))).toBe(true);
        continue;
      }
      const main = r.expectedFiles(it.mediaKey)[0];
      expect(sha256(body)).toBe(main.sha256);
      expect(body.length).toBe(main.bytes);
      if (SAMPLES[it.sample].format === 'jpeg') {
        expect([...body.subarray(0, 4)]).toEqual([0xff, 0xd8, 0xff, 0xfe]);
        const segLen = body.readUInt16BE(4);
        expect(body.subarray(6, 4 + segLen).toString('utf8')).toContain(it.mediaKey);
        expect(body.subarray(4 + segLen).equals(sample.subarray(2))).toBe(true);
      } else {
        expect(body.subarray(0, sample.length).equals(sample)).toBe(true);
        expect(body.subarray(sample.length + 4, sample.length + 8).toString('latin1')).toBe('free');
        expect(body.readUInt32BE(sample.length)).toBe(body.length - sample.length);
      }
    }
    // Two items from the same sample, and two with the same original name, differ.
    const same = r.items.filter((i) => i.fileName === 'IMG_0001.JPG');
    expect(same.length).toBe(2);
    expect(r.expectedFiles(same[0].mediaKey)[0].sha256).not.toBe(r.expectedFiles(same[1].mediaKey)[0].sha256);
  } finally {
    await r.close();
  }
});

test('EXIF survives in served files: exiftool reads the same GPS, dates and orientation as in the samples', async () => {
  const r = await startReplica();
  const dir = await mkdtemp(join(tmpdir(), 'replica-exif-'));
  const et = new ExifTool({ maxProcs: 1 });
  try {
    const cookie = `${r.sessionCookie.name}=${r.sessionCookie.value}`;
    for (const name of ['DSCN0010.jpg', 'IMG_20220814_141231.jpg', 'IMG_0041.HEIC', 'PXL_20210612_091530.mp4']) {
      const it = r.items.find((i) => i.fileName === name)!;
      const file = join(dir, name);
      await writeFile(file, await fetchBody(r.downloadUrl(it.mediaKey)!, cookie));
      const served = await et.read(file);
      const original = await et.read(join(MEDIA_DIR, it.sample));
      expect(served.GPSLatitude, name).toEqual(original.GPSLatitude);
      expect(served.GPSLongitude, name).toEqual(original.GPSLongitude);
      expect(String(served.DateTimeOriginal ?? served.CreateDate), name).toBe(String(original.DateTimeOriginal ?? original.CreateDate));
      expect(served.Orientation, name).toEqual(original.Orientation);
      expect(served.Warning, name).toBeUndefined();
    }
    // The Google-side location is not in the file.
    const jolla = r.items.find((i) => i.fileName === 'IMG_20140921_160056.jpg')!;
    const jfile = join(dir, 'jolla.jpg');
    await writeFile(jfile, await fetchBody(r.downloadUrl(jolla.mediaKey)!, cookie));
    expect((await et.read(jfile)).GPSLatitude).toBeUndefined();
    expect(jolla.location).not.toBeNull();
  } finally {
    await et.end();
    await rm(dir, { recursive: true, force: true });
    await r.close();
  }
});

test('sampleLibrary(): ~20 items covering every sample file and every case', () => {
  const specs = sampleLibrary();
  expect(specs.length).toBeGreaterThanOrEqual(18);
  const used = new Set(specs.flatMap((s) => [s.sample, s.liveVideoSample].filter(Boolean)));
  expect([...used].sort()).toEqual(Object.keys(SAMPLES).sort());
  expect(specs.some((s) => s.kind === 'live')).toBe(true);
  expect(specs.some((s) => s.edited)).toBe(true);
  expect(specs.some((s) => s.processing)).toBe(true);
  expect(specs.some((s) => s.archived)).toBe(true);
  expect(specs.some((s) => s.favorite)).toBe(true);
  expect(specs.some((s) => s.description)).toBe(true);
  expect(specs.some((s) => s.googleLocation && !SAMPLES[s.sample].gps)).toBe(true);
  const names = specs.map((s) => s.fileName).filter(Boolean);
  expect(names.length - new Set(names).size).toBeGreaterThanOrEqual(1);
  expect(specs.some((s) => s.sample === 'mobile__iphone_13_pro_max.HEIC' && s.kind !== 'live')).toBe(true);
  expect(specs.some((s) => s.sample === 'corrupted.jpg')).toBe(true);
});

test('{synthetic: 100000} builds quickly, newest taken first, with deterministic ids of the right form and no bodies in memory', async () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const t = Date.now();
  const cpu = process.cpuUsage();
  const r = await startReplica({ library: { synthetic: 100_000, seed: 42 } });
  const used = process.cpuUsage(cpu);
  const elapsed = Date.now() - t;
  try {
    // CPU time, not wall time: the test machine is shared (2 cores) and wall time swings with its load.
    expect((used.user + used.system) / 1000).toBeLessThan(2500);
    expect(elapsed).toBeLessThan(20_000);
    expect(r.items.length).toBe(100_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(300 * 1024 * 1024);
    for (let i = 1; i < r.items.length; i++) if (r.items[i].takenMs > r.items[i - 1].takenMs) throw new Error(`order broken at ${i}`);
    const keys = new Set(r.items.map((i) => i.mediaKey));
    expect(keys.size).toBe(100_000);
    for (const it of r.items.slice(0, 1000)) {
      expect(it.mediaKey).toMatch(/^AF1Qip[A-Za-z0-9_-]{38}$/);
      expect(it.apiId).toMatch(/^[A-Za-z0-9_-]{98}$/);
    }
    const again = await startReplica({ library: { synthetic: 1000, seed: 42 } });
    const other = await startReplica({ library: { synthetic: 1000, seed: 43 } });
    expect(again.items.map((i) => i.mediaKey)).toEqual(r.items.slice(0, 1000).map((i) => i.mediaKey));
    expect(other.items[0].mediaKey).not.toBe(r.items[0].mediaKey);
    await again.close();
    await other.close();
  } finally {
    await r.close();
  }
});

test('mutations are seen by the page: addItem (back-dated upload), deleteItem, setArchived, setFavorite', async ({ browser }) => {
  const r = await startReplica();
  const { context, page } = await signedInPage(browser, r);
  try {
    type Row = unknown[];
    const listing = async (source = 1): Promise<string[]> => (((await rpcPayload(page, 'lcxiM', [null, null, 500, null, 1, source])) as [Row[]])[0] ?? []).map((x) => x[0] as string);
    const uploads = async (): Promise<string[]> => ((await rpcPayload(page, 'EzkLib', ['', [[4, 'ra', 0, 0]], null])) as [Row[]])[0].map((x) => x[0] as string);
    const added = r.addItem({ sample: 'Sony_HDR-HC3.jpg', fileName: 'OLD_SCAN.jpg', takenMs: Date.UTC(1999, 5, 1) });
    expect((await listing()).at(-1)).toBe(added.mediaKey);
    expect((await uploads())[0]).toBe(added.mediaKey);
    r.setArchived(added.mediaKey, true);
    expect(await listing()).not.toContain(added.mediaKey);
    expect(await listing(2)).toContain(added.mediaKey);
    r.setFavorite(added.mediaKey, true);
    const fav = ((await rpcPayload(page, 'EzkLib', ['Favorites', [[5, '8', 0, 9]], null])) as [Row[]])[0].map((x) => x[0]);
    expect(fav).toContain(added.mediaKey);
    const gone = r.items[0].mediaKey;
    r.deleteItem(gone);
    expect(await listing(3)).not.toContain(gone);
    expect((await page.goto(`${r.baseUrl}/photo/${gone}?hl=en`))!.status()).toBe(404);
    expect(() => r.item(gone)).toThrow();
  } finally {
    await context.close();
    await r.close();
  }
});
