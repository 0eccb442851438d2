// Names that always fit (issue 14 point 8): a name is sized from the file system's NAME_MAX
// for its folder, minus the room our own derived names need (`.part`, `.xmp`, dated versions,
// trash names), and every fallback (`~<64 hex>` with `.original`) stays within it. The backup
// lives on a small tmpfs of its own, whose NAME_MAX the test reads with `stat -f`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { keyTag } from '../../src/folder/layout.js';
import { expect, test } from '../helpers/fixtures.js';
import type { ReplicaItemSpec } from '../replica/index.js';
import { readIndex, sync, walk } from './sync-helpers.js';

const MONTH = Date.UTC(2019, 4, 10, 12);
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
/** A name of exactly n bytes of UTF-8 ending in `.jpg`, from `unit` (1, 2 or 3 bytes) repeated, then ASCII to make up. */
function nameOf(n: number, unit: string, tail = '.jpg'): string {
  let stem = '';
  while (bytes(stem + unit) + bytes(tail) <= n) stem += unit;
  while (bytes(stem) + bytes(tail) < n) stem += 'x';
  return stem + tail;
}

/** What every name must fit: NAME_MAX of the backup's file system, less the room derived names take. */
const RESERVE = 32;

// NAME_MAX is 255 on tmpfs (and ext4, xfs, btrfs); the names straddle the budget and NAME_MAX itself.
const BUDGET = 255 - RESERVE;
const NAMES = {
  underBudget: nameOf(BUDGET - 1, 'a'),
  atBudget: nameOf(BUDGET, 'b'),
  overBudget: nameOf(BUDGET + 1, 'c'),
  nameMaxLess1: nameOf(254, 'd'),
  nameMax: nameOf(255, 'é'),
  nameMaxPlus1: nameOf(256, '写'),
};
const FALLBACK = nameOf(200, 'f');

const LIBRARY: ReplicaItemSpec[] = [
  ...Object.values(NAMES).map((fileName, i) => ({ sample: 'gps__DSCN0010.jpg', fileName, takenMs: MONTH + i * 60_000 })),
  // Its three shorter names are held by files that are not ours: only `~<64 hex>` is left, and it
  // is edited in Google, so its original needs `.original` too.
  { sample: 'Canon_40D.jpg', fileName: FALLBACK, edited: true, takenMs: MONTH + 3_600_000 },
  // A location only Google knows: a sidecar `<name>.xmp` beside a name at the budget.
  { sample: 'mobile__jolla.jpg', fileName: nameOf(BUDGET, 'g'), googleLocation: { lat: 61.4977524, lng: 23.7609535 }, takenMs: MONTH + 7_200_000 },
];
test.use({ replicaOptions: { library: LIBRARY } });

let mounted: string | null = null;
test.afterEach(() => {
  if (mounted) execFileSync('umount', [mounted]);
  mounted = null;
});

test('names sized from the file system: under, at and over the budget, at NAME_MAX ± 1, and the longest fallback all land whole or cut to fit, extension kept', async ({ replica, outDir, profileDir }) => {
  mkdirSync(outDir, { recursive: true });
  // A tmpfs gives a file system whose NAME_MAX the test knows; mounting needs root, which this
  // project's machines and CI run tests as (there it runs). Elsewhere it is skipped, saying why.
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', outDir]);
    mounted = outDir;
  } catch (error) {
    test.skip(true, `needs root to mount a tmpfs: ${(error as Error).message}`);
  }
  const nameMax = Number(execFileSync('stat', ['-f', '-c', '%l', outDir], { encoding: 'utf8' }).trim());
  expect(nameMax, 'this test assumes the NAME_MAX of tmpfs').toBe(255);

  const fallback = replica.items.find((i) => i.fileName === FALLBACK)!;
  const folder = path.join(outDir, '2019', '05');
  mkdirSync(folder, { recursive: true });
  const stem = FALLBACK.slice(0, -4);
  for (const taken of [FALLBACK, `${stem}~${keyTag(fallback.mediaKey, 8)}.jpg`, `${stem}~${keyTag(fallback.mediaKey, 16)}.jpg`]) writeFileSync(path.join(folder, taken), 'not gphotos-keep\'s');

  const result = await sync(replica, outDir, profileDir);
  expect(result.code, result.stderr).toBe(0);
  expect(result.summary).toMatchObject({ downloaded: LIBRARY.length, failed: 0 });

  const names = readIndex(outDir, (index) => new Map(replica.items.map((item) => [item.fileName, index.files(item.mediaKey).map((f) => ({ role: f.role, name: path.posix.basename(f.rel_path) }))])));
  const mainName = (fileName: string): string => names.get(fileName)!.find((f) => f.role === 'main')!.name;
  // Within the budget: kept whole.
  expect(mainName(NAMES.underBudget)).toBe(NAMES.underBudget);
  expect(mainName(NAMES.atBudget)).toBe(NAMES.atBudget);
  // Over it: cut at a character boundary to the budget, the extension kept.
  for (const long of [NAMES.overBudget, NAMES.nameMaxLess1, NAMES.nameMax, NAMES.nameMaxPlus1]) {
    const kept = mainName(long);
    expect(bytes(kept), kept).toBeLessThanOrEqual(BUDGET);
    expect(bytes(kept), kept).toBeGreaterThan(BUDGET - 3);
    expect(kept.endsWith('.jpg')).toBe(true);
    expect(long.startsWith(kept.slice(0, -4)), `${kept} is a cut of ${long}`).toBe(true);
  }
  // The fallback: `~<64 hex>` for both files, `.original` on the original, all within the budget.
  const tag = keyTag(fallback.mediaKey, 64);
  const fallbackFiles = names.get(FALLBACK)!;
  expect(fallbackFiles.map((f) => f.role).sort()).toEqual(['main', 'original']);
  for (const f of fallbackFiles) {
    expect(bytes(f.name), f.name).toBeLessThanOrEqual(BUDGET);
    expect(f.name).toContain(`~${tag}`);
    expect(f.name.endsWith(f.role === 'original' ? `~${tag}.original.jpg` : `~${tag}.jpg`)).toBe(true);
  }
  // Every name on disk (sidecars included) fits NAME_MAX, and the sidecar is there.
  const onDisk = walk(outDir);
  expect(onDisk.some((f) => f.endsWith('.jpg.xmp'))).toBe(true);
  for (const f of onDisk) expect(bytes(path.posix.basename(f)), f).toBeLessThanOrEqual(nameMax);
});
