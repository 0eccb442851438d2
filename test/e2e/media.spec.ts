// Media fidelity end to end (issue 6): the built CLI against the replica serving the real
// samples. Live Photo pairs arrive whole, an edited item arrives with its original, a
// processing video waits for a later run, Google-only metadata lands in XMP sidecars (read
// back with exiftool), every file's mtime is its taken time, and a zip-slip entry is refused.
import { ExifTool } from 'exiftool-vendored';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import type { ReplicaItemSpec } from '../replica/index.js';
import { expectCompleteBackup, readIndex, sync, walk } from './sync-helpers.js';

const H = 3_600_000;
const up = (y: number, mo: number, d: number): number => Date.UTC(y, mo - 1, d, 12);
const LIBRARY: ReplicaItemSpec[] = [
  { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0042.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV', uploadedMs: up(2022, 2, 17) },
  { sample: 'Canon_40D.jpg', edited: true, uploadedMs: up(2008, 6, 2) },
  { sample: 'video__PXL_20210612_091530.mp4', fileName: 'PXL_20240301_101500.mp4', takenMs: Date.UTC(2024, 2, 1, 10, 15), tzOffsetMs: H, uploadedMs: up(2024, 3, 1), processing: true },
  { sample: 'mobile__jolla.jpg', fileName: 'IMG_20140921_160056.jpg', googleLocation: { lat: 61.4977524, lng: 23.7609535 }, uploadedMs: up(2014, 9, 22) },
  { sample: 'gps__DSCN0025.jpg', description: 'Tuscan hills at dusk — Cortona', uploadedMs: up(2008, 10, 25) },
  { sample: 'gps__DSCN0010.jpg', uploadedMs: up(2008, 10, 25) },
];

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

test.describe('media fidelity', () => {
  test.use({ replicaOptions: { library: LIBRARY, latencyMs: 5 } });

  test('Live Photo pair, edited item with its original, deferred video, sidecars, taken-time mtimes', async ({ replica, profileDir, outDir }) => {
    const byName = (name: string) => replica.items.find((i) => i.fileName === name)!;
    const live = byName('IMG_0042.HEIC');
    const edited = byName('Canon_40D.jpg');
    const video = byName('PXL_20240301_101500.mp4');
    const jolla = byName('IMG_20140921_160056.jpg');
    const captioned = byName('DSCN0025.jpg');
    const plain = byName('DSCN0010.jpg');

    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary).toMatchObject({ downloaded: LIBRARY.length - 1, deferred: 1, failed: 0 });
    expectCompleteBackup(replica, outDir, new Set([video.mediaKey]));

    const files = walk(outDir);
    const index = readIndex(outDir, (view) => ({
      live: view.files(live.mediaKey),
      edited: view.files(edited.mediaKey),
      video: { item: view.item(video.mediaKey), files: view.files(video.mediaKey) },
      jolla: { item: view.item(jolla.mediaKey), files: view.files(jolla.mediaKey) },
      captioned: { item: view.item(captioned.mediaKey), files: view.files(captioned.mediaKey) },
      plain: { item: view.item(plain.mediaKey), files: view.files(plain.mediaKey) },
    }));

    // Live Photo: still and .MOV side by side under one base name, both tied to the item.
    expect(index.live.map((f) => [f.role, f.rel_path]).sort()).toEqual([
      ['live-video', '2022/02/IMG_0042.MOV'],
      ['main', '2022/02/IMG_0042.HEIC'],
    ]);
    const still = index.live.find((f) => f.role === 'main')!;
    const mov = index.live.find((f) => f.role === 'live-video')!;
    expect([still.mime, still.make, still.model, still.img_width, still.img_height]).toEqual(['image/heic', 'Apple', 'iPhone 13 Pro Max', 3024, 4032]);
    expect(still.taken_at).toBe('2022-02-16T12:55:41.762+01:00');
    expect([mov.mime, mov.img_width, mov.img_height]).toEqual(['video/quicktime', 240, 320]);

    // Edited in Google: what Google shows and the unedited original, different bytes.
    const shown = index.edited.find((f) => f.role === 'main')!;
    const original = index.edited.find((f) => f.role === 'original')!;
    expect([shown.rel_path, original.rel_path]).toEqual(['2008/05/Canon_40D.jpg', '2008/05/Canon_40D.original.jpg']);
    expect(shown.sha256).not.toBe(original.sha256);
    expect(sha(path.join(outDir, shown.rel_path))).toBe(replica.expectedFiles(edited.mediaKey).find((e) => e.role === 'main')!.sha256);
    expect(sha(path.join(outDir, original.rel_path))).toBe(replica.expectedFiles(edited.mediaKey).find((e) => e.role === 'original')!.sha256);
    expect([original.make, original.model]).toEqual(['Canon', 'Canon EOS 40D']);

    // Still processing: deferred (not failed), nothing on disk for it yet.
    expect(index.video.item?.state).toBe('deferred');
    expect(index.video.files).toEqual([]);
    expect(files.some((f) => f.includes('PXL_20240301'))).toBe(false);

    // The file's own GPS is recorded; it needs no sidecar.
    const plainMain = index.plain.files.find((f) => f.role === 'main')!;
    expect(plainMain.gps_lat).toBeCloseTo(43.4674483, 5);
    expect(plainMain.gps_lng).toBeCloseTo(11.8851267, 5);
    expect([plainMain.make, plainMain.model, plainMain.taken_at]).toEqual(['NIKON', 'COOLPIX P6000', '2008-10-22T16:28:39+02:00']);
    expect(index.plain.files.map((f) => f.role)).toEqual(['main']);
    expect(index.plain.item?.location_google_only).toBe(0);

    // Google-only location: a sidecar, and the item says so; the photo keeps its bytes.
    const jollaMain = index.jolla.files.find((f) => f.role === 'main')!;
    const jollaSidecar = index.jolla.files.find((f) => f.role === 'sidecar')!;
    expect(jollaMain.gps_lat).toBeNull();
    expect(jollaSidecar.rel_path).toBe(`${jollaMain.rel_path}.xmp`);
    expect(index.jolla.item?.location_google_only).toBe(1);
    // Caption typed in Google: a sidecar with the caption, the file's own GPS is not repeated.
    const captionedMain = index.captioned.files.find((f) => f.role === 'main')!;
    const captionedSidecar = index.captioned.files.find((f) => f.role === 'sidecar')!;
    expect(captionedSidecar.rel_path).toBe(`${captionedMain.rel_path}.xmp`);
    expect(index.captioned.item?.location_google_only).toBe(0);

    const exiftool = new ExifTool({ maxProcs: 1 });
    try {
      const jollaXmp = (await exiftool.readRaw(path.join(outDir, jollaSidecar.rel_path), ['-G1', '-n'])) as Record<string, unknown>;
      expect(jollaXmp['XMP-exif:GPSLatitude']).toBeCloseTo(61.4977524, 6);
      expect(jollaXmp['XMP-exif:GPSLongitude']).toBeCloseTo(23.7609535, 6);
      expect(jollaXmp['XMP-dc:Description']).toBeUndefined();
      const jollaPhoto = await exiftool.read(path.join(outDir, jollaMain.rel_path));
      expect(jollaPhoto.GPSLatitude).toBeUndefined();

      const captionXmp = (await exiftool.readRaw(path.join(outDir, captionedSidecar.rel_path), ['-G1', '-n'])) as Record<string, unknown>;
      expect(captionXmp['XMP-dc:Description']).toBe('Tuscan hills at dusk — Cortona');
      expect(captionXmp['XMP-exif:GPSLatitude']).toBeUndefined();
    } finally {
      await exiftool.end();
    }

    // mtime = the taken time Google has, for every kept file; recorded in the index too.
    const all = readIndex(outDir, (view) => replica.items.flatMap((i) => view.files(i.mediaKey).map((f) => ({ f, takenMs: i.takenMs }))));
    for (const { f, takenMs } of all) {
      expect(statSync(path.join(outDir, f.rel_path)).mtimeMs, f.rel_path).toBe(takenMs);
      expect(f.mtime_ms, f.rel_path).toBe(takenMs);
    }

    // Google finishes processing: the next run fetches the video.
    replica.setProcessing(video.mediaKey, false);
    const second = await sync(replica, outDir, profileDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ downloaded: 1, deferred: 0, failed: 0 });
    expectCompleteBackup(replica, outDir);
    const mp4 = readIndex(outDir, (view) => view.files(video.mediaKey).find((f) => f.role === 'main')!);
    expect(mp4.rel_path).toBe('2024/03/PXL_20240301_101500.mp4');
    expect([mp4.mime, mp4.img_width, mp4.img_height]).toEqual(['video/mp4', 320, 240]);
    expect(mp4.gps_lat).toBeCloseTo(48.8584, 4);
  });
});

test.describe('hostile Live Photo zip', () => {
  test.use({ replicaOptions: { library: [LIBRARY[0], LIBRARY[5]], latencyMs: 5 } });

  test('a zip-slip entry is refused: the item is not recorded and nothing lands outside the folder', async ({ replica, profileDir, workDir, outDir }) => {
    replica.faults.hostileNames = true;
    const result = await sync(replica, outDir, profileDir);
    expect(result.code).toBe(3);
    const live = replica.items.find((i) => i.kind === 'live')!;
    readIndex(outDir, (view) => {
      expect(view.item(live.mediaKey)?.state).toBe('failed');
      expect(view.item(live.mediaKey)?.last_error).toMatch(/refused: a `\.\.` path segment|absolute path/);
      expect(view.files(live.mediaKey)).toEqual([]);
    });
    // Only the profile and the backup folder exist in the scratch folder; no HEIC or MOV anywhere.
    expect(walk(workDir, { includeState: true }).filter((f) => /\.(heic|mov)$/i.test(f))).toEqual([]);
    // The ordinary photo still arrived, inside the folder (its `../../` name made harmless).
    const kept = walk(outDir);
    expect(kept).toHaveLength(1);
    expect(kept[0]).toMatch(/^2008\/10\/[^/]*DSCN0010\.jpg$/);
  });
});
