// Integrity comes from the bytes, not from a listed number: a size Google lists that none of the
// plausible readings explains annotates the kept file (status, verify) and never refuses it;
// Google's own SHA-1 index confirming the bytes as another item is a real failure.
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import type { ReplicaItemSpec } from '../replica/index.js';
import { expectCompleteBackup, readIndex, sha256, sync } from './sync-helpers.js';
import path from 'node:path';

const up = (y: number, mo: number, d: number, h = 12): number => Date.UTC(y, mo - 1, d, h, 0, 0);
const LIBRARY: ReplicaItemSpec[] = [
  { sample: 'gps__DSCN0010.jpg', uploadedMs: up(2008, 10, 25) },
  { sample: 'gps__DSCN0021.jpg', uploadedMs: up(2008, 10, 25, 14) },
  { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0042.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV', uploadedMs: up(2022, 2, 17, 13) },
];

test.use({ replicaOptions: { library: LIBRARY } });

test('a listed size that matches none of the readings is recorded on the file, shown by status and verify, and the bytes are kept', async ({ replica, profileDir, outDir }) => {
  const photo = replica.items.find((i) => i.fileName === 'DSCN0010.jpg')!;
  const live = replica.items.find((i) => i.kind === 'live')!;
  replica.faults.listedSizeSkew.set(photo.mediaKey, 4321);
  replica.faults.listedSizeSkew.set(live.mediaKey, -777);

  const run = await sync(replica, outDir, profileDir);
  expect(run.code, run.stderr).toBe(0);
  expect(run.summary).toMatchObject({ downloaded: 3, failed: 0 });
  expectCompleteBackup(replica, outDir);

  const notes = readIndex(outDir, (index) =>
    [photo, live].map((item) => {
      const main = index.files(item.mediaKey).find((f) => f.role === 'main')!;
      return { relPath: main.rel_path, bytes: main.bytes, listed: main.listed_bytes };
    }),
  );
  expect(notes[0]).toEqual({ relPath: '2008/10/DSCN0010.jpg', bytes: notes[0].bytes, listed: notes[0].bytes + 4321 });
  expect(notes[1].listed).toBe(notes[1].bytes - 777);
  // The untouched item carries no note.
  readIndex(outDir, (index) => {
    const other = replica.items.find((i) => i.fileName === 'DSCN0021.jpg')!;
    expect(index.files(other.mediaKey).every((f) => f.listed_bytes === null)).toBe(true);
  });

  const status = await runCli(['status', '--out', outDir], { env: cleanEnv() });
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toContain('Kept on their own evidence, though Google lists another size (2)');
  expect(status.stdout).toContain(`2008/10/DSCN0010.jpg  ${notes[0].bytes} bytes kept, Google lists ${notes[0].bytes + 4321}`);
  const statusJson = JSON.parse((await runCli(['status', '--out', outDir, '--json'], { env: cleanEnv() })).stdout);
  expect(statusJson.listedSizeNotes.total).toBe(2);

  const verify = await runCli(['verify', '--out', outDir, '--full'], { env: cleanEnv() });
  expect(verify.code, verify.stderr).toBe(0);
  expect(verify.stdout).toContain('All recorded files are present and intact.');
  expect(verify.stdout).toContain('Google lists another size (2)');
});

test('bytes that Google holds as another item fail the item (exit 3), stay on disk, and are not confirmed', async ({ replica, profileDir, outDir }) => {
  const victim = replica.items.find((i) => i.fileName === 'DSCN0010.jpg')!;
  const holder = replica.items.find((i) => i.fileName === 'DSCN0021.jpg')!;
  // The download of one item serves the other's bytes, under the first one's name.
  replica.faults.servesBytesOf.set(victim.mediaKey, holder.mediaKey);

  const run = await sync(replica, outDir, profileDir);
  expect(run.code, run.stderr).toBe(3);
  expect(run.summary).toMatchObject({ downloaded: 2, failed: 1 });
  readIndex(outDir, (index) => {
    const row = index.item(victim.mediaKey)!;
    expect(row.state).toBe('failed');
    expect(row.last_error).toContain(holder.mediaKey);
    const kept = index.files(victim.mediaKey).find((f) => f.role === 'main')!;
    expect(kept.original_confirmed).toBe(0);
    // Nothing deleted: the bytes that arrived are still where they were placed.
    expect(sha256(path.join(outDir, kept.rel_path))).toBe(kept.sha256);
    const holderMain = index.files(holder.mediaKey).find((f) => f.role === 'main')!;
    expect(holderMain.original_confirmed).toBe(1);
  });

  // Once the downloads are right again, the next run keeps the right bytes and the item is done.
  replica.faults.servesBytesOf.clear();
  const again = await sync(replica, outDir, profileDir);
  expect(again.code, again.stderr).toBe(0);
  readIndex(outDir, (index) => {
    expect(index.item(victim.mediaKey)?.state).toBe('done');
    // The wrong bytes were not written over: they went to the backup's trash, recorded there.
    const aside = index.files(victim.mediaKey).filter((f) => f.trashed_ms !== null);
    expect(aside.map((f) => f.sha256)).toEqual([replica.expectedFiles(holder.mediaKey)[0].sha256]);
    expect(sha256(path.join(outDir, aside[0].rel_path))).toBe(aside[0].sha256);
  });
  expectCompleteBackup(replica, outDir);
});
