// `gphotos-keep verify` end to end: a real sync into a real folder, then real damage. One
// flipped byte and one deleted file (the video half of a Live Photo) are found, exit 3;
// --fix keeps the damaged file aside and re-queues both items; the next sync restores them
// byte for byte and verify is clean again.
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import type { ReplicaItemSpec } from '../replica/index.js';
import { TRASH_DIR } from '../../src/folder/trash.js';
import { expectCompleteBackup, readIndex, sha256, sync, walk } from './sync-helpers.js';

const LIBRARY: ReplicaItemSpec[] = [
  { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0042.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV', uploadedMs: Date.UTC(2022, 1, 17) },
  { sample: 'gps__DSCN0010.jpg', uploadedMs: Date.UTC(2008, 9, 25) },
  { sample: 'gps__DSCN0012.jpg', uploadedMs: Date.UTC(2008, 9, 25, 1) },
];

async function verify(outDir: string, extra: string[] = []): Promise<{ code: number | null; report: Record<string, any>; stderr: string }> {
  const result = await runCli(['verify', '--out', outDir, '--json', ...extra], { env: cleanEnv() });
  return { code: result.code, report: JSON.parse(result.stdout.trim() || 'null'), stderr: result.stderr };
}

/** Flips one byte in the middle of a file, keeping its size. */
function flipByte(file: string): void {
  const bytes = readFileSync(file);
  bytes[Math.floor(bytes.length / 2)] ^= 0x01;
  writeFileSync(file, bytes);
}

test.describe('verify', () => {
  test.use({ replicaOptions: { library: LIBRARY, latencyMs: 5 } });

  test('catches a flipped byte and a deleted file; --fix re-queues them and the next sync restores both', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(0);
    expectCompleteBackup(replica, outDir);
    const recorded = walk(outDir);
    expect(recorded).toEqual(['2008/10/DSCN0010.jpg', '2008/10/DSCN0012.jpg', '2022/02/IMG_0042.HEIC', '2022/02/IMG_0042.MOV']);

    const clean = await verify(outDir, ['--full']);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.report).toMatchObject({ clean: true, files: { checked: 4, ok: 4, hashed: 4, parsed: 4 }, problems: [], brokenPairs: [] });

    const photo = path.join(outDir, '2008/10/DSCN0010.jpg');
    const video = path.join(outDir, '2022/02/IMG_0042.MOV');
    const before = sha256(photo);
    flipByte(photo);
    rmSync(video);

    const found = await verify(outDir);
    expect(found.code).toBe(3);
    expect(found.report.clean).toBe(false);
    expect(found.report.counts).toEqual({ missing: 1, changed: 1, corrupt: 0, brokenPairs: 1 });
    expect(found.report.problems.map((p: { kind: string; relPath: string; role: string }) => `${p.kind} ${p.role} ${p.relPath}`).sort()).toEqual([
      'changed main 2008/10/DSCN0010.jpg',
      'missing live-video 2022/02/IMG_0042.MOV',
    ]);
    expect(found.report.brokenPairs).toEqual([
      expect.objectContaining({ still: '2022/02/IMG_0042.HEIC', video: '2022/02/IMG_0042.MOV', lost: 'video' }),
    ]);
    // Without --fix nothing on disk changed and nothing was re-queued.
    expect(existsSync(photo)).toBe(true);
    readIndex(outDir, (index) => {
      for (const item of replica.items) expect(index.item(item.mediaKey)?.state).toBe('done');
    });

    // The human report says what is wrong and what to do.
    const human = await runCli(['verify', '--out', outDir], { env: cleanEnv() });
    expect(human.code).toBe(3);
    expect(human.stdout).toContain('Missing (1):');
    expect(human.stdout).toContain('2022/02/IMG_0042.MOV');
    expect(human.stdout).toContain('Live Photo pairs that lost a half (1):');
    expect(human.stdout).toContain('gphotos-keep verify --fix');

    const fixed = await verify(outDir, ['--fix']);
    expect(fixed.code).toBe(3);
    const live = replica.items.find((i) => i.kind === 'live')!.mediaKey;
    const dscn = replica.items.find((i) => i.fileName === 'DSCN0010.jpg')!.mediaKey;
    expect([...fixed.report.fixed.requeued].sort()).toEqual([live, dscn].sort());
    // The damaged file is kept aside, not deleted.
    expect(fixed.report.fixed.movedAside).toHaveLength(1);
    const aside = path.join(outDir, fixed.report.fixed.movedAside[0].to);
    // The backup's trash lives beside the state folder (issue 14), so resetting the state never deletes it.
    expect(fixed.report.fixed.movedAside[0].to).toMatch(new RegExp(`^${TRASH_DIR.replace('.', '\\.')}/\\d{4}-\\d{2}-\\d{2}/verify/2008/10/DSCN0010\\.jpg$`));
    expect(sha256(aside)).not.toBe(before);
    readIndex(outDir, (index) => {
      expect(index.item(live)?.state).toBe('pending');
      expect(index.item(dscn)?.state).toBe('pending');
      expect(index.item(dscn)?.last_error).toMatch(/verify: 2008\/10\/DSCN0010\.jpg changed/);
      // The rows stay (the new download replaces them) but are no longer verified.
      expect(index.files(dscn).find((f) => f.role === 'main')?.verified_ms).toBeNull();
    });

    const restore = await sync(replica, outDir, profileDir);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.summary).toMatchObject({ downloaded: 2, failed: 0 });
    expectCompleteBackup(replica, outDir);
    expect(sha256(photo)).toBe(before);
    expect(existsSync(video)).toBe(true);
    expect(walk(outDir)).toEqual(recorded);

    const after = await verify(outDir, ['--full']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.report).toMatchObject({ clean: true, files: { checked: 4, ok: 4 } });
  });

  test('a flip that keeps size and mtime is found by --full only; bit rot that breaks the file is corrupt', async ({ replica, profileDir, outDir }) => {
    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(0);
    const photo = path.join(outDir, '2008/10/DSCN0012.jpg');
    const { mtime, atime } = statSync(photo);
    flipByte(photo);
    utimesSync(photo, atime, mtime);

    const quick = await verify(outDir);
    expect(quick.code).toBe(0);
    expect(quick.report.files.hashed).toBe(0);

    const full = await verify(outDir, ['--full']);
    expect(full.code).toBe(3);
    expect(full.report.problems).toEqual([expect.objectContaining({ kind: 'changed', relPath: '2008/10/DSCN0012.jpg', restorable: true })]);

    // Truncated in place (same mtime restored): exiftool no longer reads it as a JPEG.
    const still = path.join(outDir, '2022/02/IMG_0042.HEIC');
    const s = statSync(still);
    writeFileSync(still, readFileSync(still).subarray(0, 100_000));
    utimesSync(still, s.atime, s.mtime);
    const broken = await verify(outDir);
    expect(broken.code).toBe(3);
    expect(broken.report.problems).toEqual([expect.objectContaining({ kind: 'corrupt', relPath: '2022/02/IMG_0042.HEIC' })]);
    expect(broken.report.problems[0].detail).toMatch(/100000 bytes, recorded \d+; .*Truncated 'mdat'/);
  });
});

test('verify on a folder without an index is a usage error and creates nothing', async ({ workDir }) => {
  const empty = path.join(workDir, 'not-a-backup');
  mkdirSync(empty);
  const result = await runCli(['verify', '--out', empty], { env: cleanEnv() });
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/has no backup index/);
  expect(walk(empty, { includeState: true })).toEqual([]);
});
