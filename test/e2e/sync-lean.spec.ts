// What one item costs a sync beyond its own bytes (issue 17): the viewer's preview images are
// never fetched, the per-item lookups that a listing row or a bulk call answers are read from
// those, and still every item is kept byte for byte with what only Google knows (a location,
// a caption) in its sidecar. The replica's counters prove it: bytes by kind, calls by rpcid.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { expectCompleteBackup, readIndex, sync } from './sync-helpers.js';

test('a first sync fetches no preview or thumbnail, asks one bulk call instead of an extended-info call per item, and keeps every item byte for byte', async ({ replica, profileDir, outDir }) => {
  // The sample library: photos with GPS, a Live Photo, an item edited in Google, videos (one
  // still processing), a location only Google has, captions typed in Google.
  const processing = new Set(replica.items.filter((i) => i.processing).map((i) => i.mediaKey));
  const downloadable = replica.items.length - processing.size;
  // A plain browser opening one item's viewer loads its screen-sized preview (the replica does as the site does)…
  replica.resetCounters();
  const result = await sync(replica, outDir, profileDir, ['--concurrency', '2']);
  expect(result.code, result.stderr).toBe(0);
  expect(result.summary).toMatchObject({ downloaded: downloadable, deferred: processing.size, failed: 0 });

  // …a sync run opens every item's viewer and fetches none of them.
  expect(replica.counters.displayRequests).toBe(0);
  expect(replica.counters.bytes.display).toBe(0);
  // The viewer's pages and fragments still came, and the downloads themselves were untouched.
  expect(replica.counters.bytes.fragment + replica.counters.bytes.page).toBeGreaterThan(0);
  const own = replica.items.filter((i) => !processing.has(i.mediaKey)).reduce((sum, i) => sum + replica.expectedFiles(i.mediaKey).reduce((s, f) => s + f.bytes, 0), 0);
  // Each Download once; an edited item's original is one more download of the original's size.
  expect(replica.counters.bytes.download).toBeGreaterThanOrEqual(own);
  expectCompleteBackup(replica, outDir, processing);

  // A full listing's rows tell location and caption; one bulk call tells names and sizes: no per-item extended info.
  expect(replica.counters.rpc.fDcn4b ?? 0).toBe(0);
  expect(replica.counters.rpc.EWgK9e).toBeGreaterThanOrEqual(1);
  expect(replica.counters.rpc.EWgK9e).toBeLessThanOrEqual(2);
  // The download URLs that tell edited items apart stay a per-item call.
  expect(replica.counters.rpc.VrseUb).toBeGreaterThanOrEqual(2 * downloadable);

  // What only Google knows still reached the sidecars: the location (from the row), the caption (from the row).
  const jolla = replica.items.find((i) => i.fileName === 'IMG_20140921_160056.jpg')!;
  const captioned = replica.items.find((i) => i.description.startsWith('Tuscan hills'))!;
  readIndex(outDir, (index) => {
    const sidecar = (key: string): string => {
      const file = index.files(key).find((f) => f.role === 'sidecar');
      expect(file, `sidecar of ${key}`).toBeTruthy();
      return readFileSync(path.join(outDir, file!.rel_path), 'utf8');
    };
    expect(index.item(jolla.mediaKey)?.location_google_only).toBe(1);
    expect(index.item(jolla.mediaKey)?.google_lat).toBeCloseTo(61.4977524, 6);
    expect(sidecar(jolla.mediaKey)).toMatch(/GPSLatitude[^>]*>\s*61,29\.86|GPSLatitude="61,29\.86|61\.4977/);
    expect(sidecar(captioned.mediaKey)).toContain('Tuscan hills at dusk');
    // File names and listed sizes came from the bulk call.
    for (const item of replica.items.filter((i) => !processing.has(i.mediaKey))) {
      expect(index.item(item.mediaKey)?.file_name, item.fileName).not.toBeNull();
    }
  });
});

test('items found through the upload view, whose rows tell no location, still get Google\'s location: the per-item call stays for them', async ({ replica, profileDir, outDir }) => {
  const first = await sync(replica, outDir, profileDir, ['--concurrency', '2']);
  expect(first.code, first.stderr).toBe(0);
  // Uploaded later: a photo with a location only Google has, and one without.
  const placed = replica.addItem({ sample: 'mobile__jolla.jpg', fileName: 'IMG_20300101_000001.jpg', uploadedMs: Date.now() - 60_000, googleLocation: { lat: 48.8583701, lng: 2.2944813 } });
  const plain = replica.addItem({ sample: 'Nikon_D70.jpg', fileName: 'IMG_20300101_000002.jpg', uploadedMs: Date.now() - 30_000 });
  replica.resetCounters();
  const second = await sync(replica, outDir, profileDir);
  expect(second.code, second.stderr).toBe(0);
  expect(second.summary).toMatchObject({ fullRescan: false, downloaded: 2 });
  expect(replica.counters.displayRequests).toBe(0);
  // The upload view's rows carry no geo extension: those two items are asked about one by one,
  // and so is the video still processing, tried again without being listed again.
  const processing = replica.items.filter((i) => i.processing).length;
  expect(replica.counters.rpc.fDcn4b).toBe(2 + processing);
  readIndex(outDir, (index) => {
    expect(index.item(placed.mediaKey)?.state).toBe('done');
    expect(index.item(placed.mediaKey)?.google_lat).toBeCloseTo(48.8583701, 6);
    expect(index.item(placed.mediaKey)?.location_google_only).toBe(1);
    expect(index.files(placed.mediaKey).some((f) => f.role === 'sidecar')).toBe(true);
    expect(index.item(plain.mediaKey)?.state).toBe('done');
  });
  expectCompleteBackup(replica, outDir, new Set(replica.items.filter((i) => i.processing).map((i) => i.mediaKey)));
});
