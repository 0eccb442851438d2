// Kill at every step (issue 14 point 9): a run killed after a file was renamed into place and
// its sidecar written, but before the index recorded them, must leave the next run able to
// finish the item — both files recorded, nothing left that the index does not know. The kill
// is made deterministic by holding the index's write lock from the test once the file is in
// place: the run's commit waits on it, and then the run is killed with SIGKILL.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import { readIndex, sha256, sync, syncArgs, walk } from './sync-helpers.js';

const NAME = 'IMG_20140921_160056.jpg';
test.use({
  replicaOptions: {
    // A location only Google knows, so a sidecar is written between the rename and the commit.
    library: [{ sample: 'mobile__jolla.jpg', fileName: NAME, googleLocation: { lat: 61.4977524, lng: 23.7609535 } }],
  },
});

async function until(what: string, check: () => boolean, timeoutMs: number, everyMs = 1): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

test('kill -9 between the rename and the index commit: the rerun records the file and its sidecar; a .part the index never started is left alone', async ({ replica, outDir, profileDir }) => {
  const item = replica.items[0];
  const folder = path.join(outDir, '2014', '09');
  const media = path.join(folder, NAME);
  const sidecar = `${media}.xmp`;
  // Someone's own file that merely looks like one of our unfinished downloads.
  mkdirSync(folder, { recursive: true });
  const lookalike = path.join(folder, 'holiday~0123abcd.part');
  writeFileSync(lookalike, 'my notes, not a download');

  const child = spawnCli([...syncArgs(replica, outDir, profileDir), '--concurrency', '1']);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let lock: Database.Database | null = null;
  try {
    // 1. The file is in place: from now on the run's commit must wait for the test.
    await until('the file in place', () => existsSync(media), 90_000);
    lock = new Database(path.join(outDir, '.gphotos-keep', 'index.db'), { timeout: 5_000 });
    lock.exec('BEGIN IMMEDIATE');
    const recordedAtLock = lock.prepare('SELECT COUNT(*) FROM files WHERE media_key = ?').pluck().get(item.mediaKey);
    expect(recordedAtLock, 'the lock came before the commit').toBe(0);
    // 2. The run goes on to write the sidecar, then waits on the lock at its commit.
    await until('the sidecar', () => existsSync(sidecar), 20_000);
    await sleep(500);
    expect(lock.prepare('SELECT COUNT(*) FROM files WHERE media_key = ?').pluck().get(item.mediaKey)).toBe(0);
    child.kill('SIGKILL');
    await exited;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (lock) {
      lock.exec('ROLLBACK');
      lock.close();
    }
  }
  expect(child.signalCode, stderr).toBe('SIGKILL');
  expect(existsSync(media) && existsSync(sidecar)).toBe(true);

  // 3. The next run finishes the item: both files recorded, each once, bytes as on disk.
  const rerun = await sync(replica, outDir, profileDir);
  expect(rerun.code, rerun.stderr).toBe(0);
  expect(rerun.stderr).not.toMatch(/not made by gphotos-keep/);
  readIndex(outDir, (index) => {
    expect(index.item(item.mediaKey)?.state).toBe('done');
    const files = index.files(item.mediaKey);
    expect(files.map((f) => `${f.role}:${f.rel_path}`).sort()).toEqual([`main:2014/09/${NAME}`, `sidecar:2014/09/${NAME}.xmp`]);
    for (const f of files) expect(sha256(path.join(outDir, f.rel_path)), f.rel_path).toBe(f.sha256);
    expect(files.find((f) => f.role === 'main')!.sha256).toBe(replica.expectedFiles(item.mediaKey)[0].sha256);
  });
  // Nothing else on disk: no suffixed second copy, no sidecar the index does not know.
  expect(walk(outDir).sort()).toEqual([`2014/09/${NAME}`, `2014/09/${NAME}.xmp`, '2014/09/holiday~0123abcd.part'].sort());
  // The look-alike `.part` was never started by the index: both runs left it alone.
  expect(readFileSync(lookalike, 'utf8')).toBe('my notes, not a download');
  expect(walk(outDir, { includeState: true }).filter((f) => f.endsWith('.part'))).toEqual(['2014/09/holiday~0123abcd.part']);
});
