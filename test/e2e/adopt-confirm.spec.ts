// Confirmation during sync: each kept file whose SHA-1 Google holds as the item's upload is
// marked "original confirmed"; an edited version and a Live Photo's video are not; verify
// reports the count.
import { runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import type { ReplicaItemSpec } from '../replica/index.js';
import { openIndexReadOnly } from './adopt-fixtures.js';

const LIBRARY: ReplicaItemSpec[] = [
  { sample: 'gps__DSCN0010.jpg' },
  { sample: 'Canon_40D.jpg', edited: true },
  { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0042.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV' },
];

test.use({ replicaOptions: { library: LIBRARY } });

test('sync marks the files Google confirms by SHA-1 as originals; verify reports them', async ({ replica, outDir, profileDir }) => {
  const common = ['--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--json'];
  const sync = await runCli(['sync', ...common]);
  expect(sync.code, sync.stderr).toBe(0);
  expect(replica.counters.rpc.swbisb).toBe(1);

  const db = openIndexReadOnly(outDir);
  let rows: { media_key: string; role: string; original_confirmed: number }[];
  try {
    rows = db.prepare(`SELECT media_key, role, original_confirmed FROM files WHERE role <> 'sidecar' ORDER BY media_key, role`).all() as typeof rows;
  } finally {
    db.close();
  }
  const kind = (key: string): string => replica.item(key).sample;
  const marks = rows.map((r) => [kind(r.media_key), r.role, r.original_confirmed]).sort();
  expect(marks).toEqual(
    [
      ['gps__DSCN0010.jpg', 'main', 1],
      // What Google shows of an edited item is not the upload; its Download original is.
      ['Canon_40D.jpg', 'main', 0],
      ['Canon_40D.jpg', 'original', 1],
      // A Live Photo's upload is its still; the video half has no SHA-1 of its own in Google.
      ['mobile__iphone_13_pro_max.HEIC', 'main', 1],
      ['mobile__iphone_13_pro_max.HEIC', 'live-video', 0],
    ].sort(),
  );

  const verify = await runCli(['verify', '--out', outDir, '--json']);
  expect(verify.code, verify.stderr).toBe(0);
  expect(JSON.parse(verify.stdout).files.originalConfirmed).toBe(3);
});
