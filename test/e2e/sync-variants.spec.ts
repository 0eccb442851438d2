// The facts page's "What nobody has documented", end to end: the same sync, run under every
// variant the replica can serve (test/replica/unknowns.ts), must keep every item byte for byte.
// No unknown may decide whether a photo is kept.
import { test, expect } from '../helpers/fixtures.js';
import { VARIANT_MATRIX, type ReplicaItemSpec } from '../replica/index.js';
import { expectCompleteBackup, readIndex, sync } from './sync-helpers.js';

const H = 3_600_000;
const up = (y: number, mo: number, d: number, h = 12): number => Date.UTC(y, mo - 1, d, h, 0, 0);

/** The samples each unknown touches: GPS photos, a Live Photo, an item edited in Google, videos (one still processing). */
const LIBRARY: ReplicaItemSpec[] = [
  { sample: 'gps__DSCN0010.jpg', uploadedMs: up(2008, 10, 25) },
  { sample: 'gps__DSCN0025.jpg', uploadedMs: up(2008, 10, 25, 15), description: 'Tuscan hills at dusk — Cortona' },
  { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0042.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV', uploadedMs: up(2022, 2, 17, 13) },
  { sample: 'Canon_40D.jpg', edited: true, uploadedMs: up(2008, 6, 2) },
  { sample: 'video__PXL_20210612_091530.mp4', uploadedMs: up(2021, 6, 12, 20) },
  { sample: 'video__PXL_20210612_091530.mp4', fileName: 'PXL_20240301_101500.mp4', takenMs: Date.UTC(2024, 2, 1, 10, 15, 0), tzOffsetMs: 1 * H, uploadedMs: up(2024, 3, 1, 11), processing: true },
  { sample: 'mobile__HMD_Nokia_8.3_5G.jpg', fileName: 'IMG_20220814_141231.jpg', uploadedMs: up(2022, 8, 14, 18) },
  // The oldest: still pending after a first run with --limit 1.
  { sample: 'Nikon_D70.jpg', fileName: 'IMG_0001.JPG', takenMs: Date.UTC(2001, 0, 1, 12), uploadedMs: up(2008, 3, 20) },
];

for (const variant of VARIANT_MATRIX) {
  test.describe(`unknown facts: ${variant.name}`, () => {
    test.use({ replicaOptions: { library: LIBRARY, unknowns: variant.unknowns } });

    test('every item is kept byte-identical; a listed size never refuses bytes; an unknown key stops nothing', async ({ replica, profileDir, outDir }) => {
      const processing = new Set(replica.items.filter((i) => i.processing).map((i) => i.mediaKey));
      // An item Google stops knowing between the listing and its download: the key is unknown
      // when the download asks about it (answered as the variant says).
      const vanishing = replica.items.find((i) => i.fileName === 'IMG_0001.JPG')!.mediaKey;

      const first = await sync(replica, outDir, profileDir, ['--limit', '1']);
      expect(first.code, first.stderr).toBe(0);
      replica.deleteItem(vanishing);

      const second = await sync(replica, outDir, profileDir, ['--max-attempts', '1']);
      // The unknown key costs that item at most (exit 3, partial); never a stopped run.
      expect([0, 3], second.stderr).toContain(second.code);
      expect(second.summary, second.stderr).toMatchObject({ deferred: processing.size });
      expectCompleteBackup(replica, outDir, processing);
      readIndex(outDir, (index) => {
        expect(index.item(vanishing)?.state).not.toBe('done');
        for (const key of processing) expect(index.item(key)?.state).toBe('deferred');
      });

      // Once Google has processed the video, it arrives too, and the backup is whole.
      for (const key of processing) replica.setProcessing(key, false);
      const third = await sync(replica, outDir, profileDir, ['--max-attempts', '1']);
      expect([0, 3], third.stderr).toContain(third.code);
      expectCompleteBackup(replica, outDir);
    });
  });
}
