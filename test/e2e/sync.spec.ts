// `gphotos-keep sync` end to end: the built CLI as a child process, real Chromium, the
// replica standing in for photos.google.com, a real SQLite index and real files.
import { ExifTool } from 'exiftool-vendored';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { expectCompleteBackup, readIndex, sync, walk } from './sync-helpers.js';

test.describe('sync of the sample library', () => {
  test('every item arrives byte-identical with its GPS; a processing video is deferred; a rerun downloads nothing', async ({ replica, profileDir, outDir }) => {
    const processing = replica.items.filter((i) => i.processing).map((i) => i.mediaKey);
    expect(processing.length).toBeGreaterThan(0);

    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary).toMatchObject({ found: replica.items.length, new: replica.items.length, downloaded: replica.items.length - processing.length, deferred: processing.length, failed: 0 });
    expectCompleteBackup(replica, outDir, new Set(processing));

    // Deferred, not failed: it waits for a later run, with the reason kept.
    readIndex(outDir, (index) => {
      for (const key of processing) {
        expect(index.item(key)?.state).toBe('deferred');
        expect(index.item(key)?.last_error).toMatch(/processing/);
        expect(index.files(key)).toEqual([]);
      }
    });

    // Layout: YYYY/MM from the date taken where it was taken; same names get a stable suffix.
    const files = walk(outDir);
    expect(files).toContain('2008/10/DSCN0010.jpg');
    expect(files).toContain('2022/02/IMG_0042.HEIC');
    expect(files).toContain('2022/02/IMG_0042.MOV');
    expect(files).toContain('2008/05/Canon_40D.jpg');
    expect(files).toContain('2008/05/Canon_40D.original.jpg');

    // GPS survives: read back with exiftool from the kept files.
    const exiftool = new ExifTool({ maxProcs: 1 });
    try {
      for (const item of replica.items.filter((i) => i.sample.startsWith('gps__'))) {
        const rel = readIndex(outDir, (index) => index.files(item.mediaKey).find((f) => f.role === 'main')!.rel_path);
        const tags = await exiftool.read(path.join(outDir, rel));
        expect(tags.GPSLatitude, rel).toBeCloseTo(item.location!.lat, 5);
        expect(tags.GPSLongitude, rel).toBeCloseTo(item.location!.lng, 5);
      }
    } finally {
      await exiftool.end();
    }

    // Nothing new: the rerun lists, downloads nothing, and leaves every file as it was.
    replica.resetCounters();
    const second = await sync(replica, outDir, profileDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ downloaded: 0, new: 0, failed: 0, skipped: replica.items.length - processing.length });
    expect(Object.keys(replica.counters.downloads)).toEqual([]);
    expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
    expect(walk(outDir)).toEqual(files);

    // Once Google has finished processing, the next run fetches the video.
    for (const key of processing) replica.setProcessing(key, false);
    const third = await sync(replica, outDir, profileDir);
    expect(third.code, third.stderr).toBe(0);
    expect(third.summary).toMatchObject({ downloaded: processing.length, deferred: 0 });
    expectCompleteBackup(replica, outDir);
  });
});

test.describe('sync on a small synthetic library', () => {
  test.use({ replicaOptions: { library: { synthetic: 12 } } });

  test('a signed-out profile exits 4 and says to log in, changing nothing', async ({ replica, workDir, outDir }) => {
    const emptyProfile = path.join(workDir, 'signed-out-profile');
    mkdirSync(emptyProfile, { recursive: true, mode: 0o700 });
    const result = await sync(replica, outDir, emptyProfile);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/gphotos-keep login/);
    expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
    expect(walk(outDir)).toEqual([]);
  });

  test('a missing profile exits 4 without creating it', async ({ replica, workDir, outDir }) => {
    const missing = path.join(workDir, 'no-such-profile');
    const result = await sync(replica, outDir, missing);
    expect(result.code, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/gphotos-keep login/);
    expect(walk(workDir).filter((f) => f.startsWith('no-such-profile'))).toEqual([]);
  });

  test('hostile names from Content-Disposition and zips never write outside --out', async ({ replica, workDir, profileDir }) => {
    replica.faults.hostileNames = true;
    replica.addItem({ sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0777.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV' });
    const outDir = path.join(workDir, 'deep', 'er', 'backup');
    const before = walk(workDir, { includeState: true }).filter((f) => !f.startsWith('profile/'));
    const result = await sync(replica, outDir, profileDir);
    const outside = walk(workDir, { includeState: true }).filter((f) => !f.startsWith('profile/') && !f.startsWith('deep/er/backup/'));
    expect(outside).toEqual(before);
    // The zip's "../" and "/tmp/" entries are refused (the item fails), the plain files land inside.
    for (const file of walk(outDir)) expect(file).toMatch(/^\d{4}\/\d{2}\/[^/]+$/);
    expect(result.summary?.downloaded).toBe(replica.items.length - 1);
    readIndex(outDir, (index) => {
      const live = replica.items.find((i) => i.fileName === 'IMG_0777.HEIC')!;
      expect(index.item(live.mediaKey)?.state).toBe('failed');
      expect(index.item(live.mediaKey)?.last_error).toMatch(/refused|outside|escape|absolute/i);
    });
  });

  test('--dry-run lists and writes nothing', async ({ replica, outDir, profileDir }) => {
    const result = await sync(replica, outDir, profileDir, ['--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.summary).toMatchObject({ found: replica.items.length, new: replica.items.length, downloaded: 0, dryRun: true });
    expect(walk(outDir, { includeState: true })).toEqual([]);
    expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
  });

  test('--limit stops after N downloads; the next run completes', async ({ replica, outDir, profileDir }) => {
    const first = await sync(replica, outDir, profileDir, ['--limit', '5', '--concurrency', '2']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary).toMatchObject({ downloaded: 5, found: replica.items.length });
    const second = await sync(replica, outDir, profileDir);
    expect(second.summary).toMatchObject({ downloaded: replica.items.length - 5, skipped: 5 });
    expectCompleteBackup(replica, outDir);
  });
});
