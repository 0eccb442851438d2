// sync when things go wrong: kill -9 mid-run, Ctrl-C mid-run, failing downloads, a session that ends mid-run.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CLI_ENTRY, spawnCli, cleanEnv } from '../helpers/cli.js';
import { signInProfile } from '../helpers/profile.js';
import { test, expect } from '../helpers/fixtures.js';
import { expectCompleteBackup, readIndex, sha256, sync, syncArgs, walk } from './sync-helpers.js';
import { openIndex } from '../../src/store/database.js';
import { countByState } from '../../src/store/items.js';

function doneCount(outDir: string): number {
  if (!existsSync(path.join(outDir, '.gphotos-keep', 'index.db'))) return 0;
  try {
    const db = openIndex(outDir, { readonly: true });
    try {
      return countByState(db).done;
    } catch {
      return 0;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}

/** Every file the index holds is on disk with the recorded bytes (the index never lies). */
function expectIndexTruthful(outDir: string, keys: string[]): void {
  readIndex(outDir, (index) => {
    for (const key of keys) {
      for (const file of index.files(key)) {
        expect(existsSync(path.join(outDir, file.rel_path)), file.rel_path).toBe(true);
        expect(sha256(path.join(outDir, file.rel_path)), file.rel_path).toBe(file.sha256);
      }
    }
  });
}

test.describe('kill -9', () => {
  // Slow downloads and a throttled RPC, so the kills land mid-transfer and mid-listing.
  test.use({ replicaOptions: { library: { synthetic: 24 }, latencyMs: 30, bytesPerSecond: 150_000 } });

  test('kill -9 mid-run twice, then a rerun ends complete and consistent, nothing recorded is fetched again', async ({ replica, outDir, profileDir }) => {
    replica.faults.rpcThrottleRate = 0.3;
    for (const threshold of [3, 9]) {
      const child = spawnCli(syncArgs(replica, outDir, profileDir, ['--concurrency', '3']), { env: cleanEnv() });
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      await expect.poll(() => doneCount(outDir), { timeout: 90_000, intervals: [100] }).toBeGreaterThanOrEqual(threshold);
      child.kill('SIGKILL');
      await exited;
      expect(stderr).not.toMatch(/unexpected error/);
      // Whatever the index says is done is really on disk, byte for byte.
      expectIndexTruthful(outDir, replica.items.map((i) => i.mediaKey));
    }
    const doneBefore = readIndex(outDir, (index) => replica.items.filter((i) => index.item(i.mediaKey)?.state === 'done').map((i) => i.mediaKey));
    replica.resetCounters();
    replica.faults.rpcThrottleRate = 0;
    const final = await sync(replica, outDir, profileDir);
    expect(final.code, final.stderr).toBe(0);
    expectCompleteBackup(replica, outDir);
    // Nothing that was recorded before is downloaded again.
    for (const key of doneBefore) expect(replica.counters.downloadStarts[key], key).toBeUndefined();
    expect(final.summary?.downloaded).toBe(replica.items.length - doneBefore.length);
  });
});

test.describe('Ctrl-C', () => {
  // Slow transfers, so the signal lands while files are on their way.
  test.use({ replicaOptions: { library: { synthetic: 12 }, latencyMs: 20, bytesPerSecond: 120_000 } });

  test('Ctrl-C in a terminal (SIGINT to the whole process group): the transfers in flight finish and are recorded, nothing new starts, exit 3; a rerun completes', async ({ replica, outDir, profileDir }) => {
    // Its own process group, as a shell gives a foreground job: the signal goes to the group.
    const child = spawn(process.execPath, [CLI_ENTRY, ...syncArgs(replica, outDir, profileDir, ['--concurrency', '2'])], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const started = (): string[] => Object.keys(replica.counters.downloadStarts);
    const done = (): Set<string> => new Set(readIndex(outDir, (index) => replica.items.filter((i) => index.item(i.mediaKey)?.state === 'done').map((i) => i.mediaKey)));
    // Some items transferring (both slots busy, each pipelining a second item).
    await expect.poll(() => started().length, { timeout: 60_000, intervals: [20] }).toBeGreaterThanOrEqual(3);
    const doneAtSignal = done();
    const inFlight = started().filter((key) => !doneAtSignal.has(key));
    expect(inFlight.length).toBeGreaterThan(0);
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;

    expect(code, stderr).toBe(3);
    expect(stderr).not.toMatch(/unexpected error|media inspector was already ended/i);
    const doneAfter = done();
    for (const key of inFlight) expect(doneAfter.has(key), `${key} was transferring at the signal`).toBe(true);
    expect(doneAfter.size).toBeLessThan(replica.items.length);
    expectIndexTruthful(outDir, replica.items.map((i) => i.mediaKey));

    const rerun = await sync(replica, outDir, profileDir);
    expect(rerun.code, rerun.stderr).toBe(0);
    expectCompleteBackup(replica, outDir);
  });
});

test.describe('failing downloads', () => {
  test.use({ replicaOptions: { library: { synthetic: 20 }, latencyMs: 5 } });

  test('with 20% of downloads failing (5xx and truncated) everything is correct after at most two runs, and no truncated file is recorded', async ({ replica, outDir, profileDir }) => {
    replica.faults.downloadFailureRate = 0.2;
    replica.faults.downloadFailureKinds = ['5xx', 'truncate'];
    let runs = 0;
    let last;
    do {
      runs++;
      last = await sync(replica, outDir, profileDir, ['--max-attempts', '2']);
      expect([0, 3], last.stderr).toContain(last.code);
      // After every run: each recorded file is exactly what the replica served whole.
      readIndex(outDir, (index) => {
        for (const item of replica.items) {
          const expected = new Set(replica.expectedFiles(item.mediaKey).map((e) => e.sha256));
          for (const file of index.files(item.mediaKey).filter((f) => f.role !== 'sidecar')) expect(expected.has(file.sha256), `${file.rel_path} is whole`).toBe(true);
        }
      });
    } while (last.code !== 0 && runs < 2);
    expect(last.code, last.stderr).toBe(0);
    expectCompleteBackup(replica, outDir);
    // The faults really happened: some items needed more than one download start.
    const restarted = replica.items.filter((i) => (replica.counters.downloadStarts[i.mediaKey] ?? 0) > 1);
    expect(restarted.length).toBeGreaterThan(0);
  });

  test('an item that always fails is marked failed with its error, the rest completes, exit 3; the next run retries it', async ({ replica, outDir, profileDir }) => {
    const victim = replica.items[4];
    replica.faults.failDownloadsOf.add(victim.mediaKey);
    const first = await sync(replica, outDir, profileDir, ['--max-attempts', '2']);
    expect(first.code, first.stderr).toBe(3);
    expect(first.summary).toMatchObject({ failed: 1, downloaded: replica.items.length - 1 });
    readIndex(outDir, (index) => {
      expect(index.item(victim.mediaKey)?.state).toBe('failed');
      expect(index.item(victim.mediaKey)?.last_error).toBeTruthy();
      expect(index.files(victim.mediaKey)).toEqual([]);
    });
    // Two tries (Chromium itself may restart a cut-off transfer, so at least two starts).
    expect(replica.counters.downloadStarts[victim.mediaKey]).toBeGreaterThanOrEqual(2);
    replica.faults.failDownloadsOf.clear();
    const second = await sync(replica, outDir, profileDir);
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ downloaded: 1, failed: 0 });
    expectCompleteBackup(replica, outDir);
  });
});

test.describe('session expiry mid-run', () => {
  test.use({ replicaOptions: { library: { synthetic: 16 }, latencyMs: 10 } });

  test('the session ends mid-run: exit 4, no item failed, the index intact; a rerun with a new session completes', async ({ replica, outDir, profileDir }) => {
    // Enough requests for the session check, the listing and a few items, then the session ends.
    replica.faults.expireSessionAfterRequests = 30;
    const first = await sync(replica, outDir, profileDir);
    expect(first.code, first.stderr).toBe(4);
    expect(first.stderr).toMatch(/gphotos-keep login/);
    expect(first.summary?.failed).toBe(0);
    readIndex(outDir, (index) => {
      for (const item of replica.items) expect(index.item(item.mediaKey)?.state).not.toBe('failed');
    });
    expectIndexTruthful(outDir, replica.items.map((i) => i.mediaKey));
    expect(walk(outDir, { includeState: true }).filter((f) => f.endsWith('.part'))).toEqual([]);

    await signInProfile(profileDir, replica.issueSession());
    const second = await sync(replica, outDir, profileDir);
    expect(second.code, second.stderr).toBe(0);
    expectCompleteBackup(replica, outDir);
  });
});
