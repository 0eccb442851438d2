// An item that cannot be kept is loud and is not retried blindly for ever: the real CLI against
// the replica, run after run. After --park-after failed runs it is parked (state failed, with
// its reason), later runs do not fetch it, every run still exits 3 and names it in the summary,
// the run report, the healthcheck ping and `status`; `sync --retry-failed` tries it again.
// A video still processing (deferred) is not a failure and is never parked.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { startPingServer, type PingServer } from '../helpers/ping-server.js';
import { expectCompleteBackup, readIndex, sync } from './sync-helpers.js';

// 8 synthetic items: the eighth (index 7) is a video.
test.use({ replicaOptions: { library: { synthetic: 8 }, latencyMs: 5 } });

let pings: PingServer;
test.beforeEach(async () => {
  pings = await startPingServer();
});
test.afterEach(async () => {
  await pings.close();
});

interface Parked {
  total: number;
  items: { mediaKey: string; fileName: string | null; reason: string | null; failedRuns: number; parkedAt: string }[];
}

function latestReport(outDir: string): { exitCode: number; summary: { parked?: Parked } } {
  const dir = path.join(outDir, '.gphotos-keep', 'runs');
  const files = existsSync(dir) ? readdirSync(dir).sort() : [];
  return JSON.parse(readFileSync(path.join(dir, files[files.length - 1]), 'utf8'));
}

function lastPingBody(): string {
  const end = pings.pings[pings.pings.length - 1];
  expect(end.path).toMatch(/\/\d+$/);
  return end.body;
}

test('an item failing in every run is parked after --park-after runs, not fetched again, named everywhere with exit 3; --retry-failed fetches it', async ({ replica, outDir, profileDir }) => {
  const victim = replica.items[2];
  const video = replica.items.find((i) => i.kind === 'video')!;
  expect(video, 'the synthetic library has a video').toBeTruthy();
  replica.faults.failDownloadsOf.add(victim.mediaKey);
  replica.setProcessing(video.mediaKey, true);
  const hc = `${pings.origin}/ping/parking-test-check`;
  const args = ['--max-attempts', '1', '--park-after', '2', '--healthcheck', hc];

  // Run 1: fails once, not parked yet; the video waits.
  const first = await sync(replica, outDir, profileDir, args);
  expect(first.code, first.stderr).toBe(3);
  expect(first.summary).toMatchObject({ failed: 1, deferred: 1, downloaded: replica.items.length - 2 });
  expect((first.summary?.parked as unknown as Parked).total).toBe(0);
  expect(replica.counters.downloadStarts[victim.mediaKey]).toBeGreaterThanOrEqual(1);
  readIndex(outDir, (index) => {
    expect(index.item(victim.mediaKey)).toMatchObject({ state: 'failed', failed_runs: 1, parked_ms: null });
  });

  // Run 2: fails again, so it is parked, and named already.
  replica.resetCounters();
  const second = await sync(replica, outDir, profileDir, args);
  expect(second.code, second.stderr).toBe(3);
  expect(second.summary).toMatchObject({ failed: 1, deferred: 1 });
  expect(replica.counters.downloadStarts[victim.mediaKey]).toBeGreaterThanOrEqual(1);
  const parkedNow = second.summary?.parked as unknown as Parked;
  expect(parkedNow.total).toBe(1);
  expect(parkedNow.items[0]).toMatchObject({ mediaKey: victim.mediaKey, fileName: victim.fileName, failedRuns: 2 });
  expect(parkedNow.items[0].reason).toBeTruthy();
  expect(second.stderr).toContain('--retry-failed');
  const parkedAt = readIndex(outDir, (index) => {
    const row = index.item(victim.mediaKey)!;
    expect(row.state).toBe('failed');
    expect(row.last_error).toBeTruthy();
    expect(row.parked_ms).not.toBeNull();
    // The video was deferred in both runs: not a failure, never parked.
    expect(index.item(video.mediaKey)).toMatchObject({ state: 'deferred', failed_runs: 0, parked_ms: null });
    return row.parked_ms!;
  });

  // Run 3: the parked item is not fetched at all, yet the run exits 3 and names it everywhere.
  replica.resetCounters();
  const third = await sync(replica, outDir, profileDir, args);
  expect(third.code, third.stderr).toBe(3);
  expect(replica.counters.downloadStarts[victim.mediaKey], 'a parked item is not fetched').toBeUndefined();
  expect(third.summary).toMatchObject({ failed: 0, deferred: 1, downloaded: 0, remaining: 1 });
  expect(third.summary?.parked).toMatchObject({ total: 1, items: [{ mediaKey: victim.mediaKey, fileName: victim.fileName, failedRuns: 2, parkedAt: new Date(parkedAt).toISOString() }] });
  // The human summary on stderr.
  // The command to run carries this run's folder, profile and site (src/cli/suggest.ts).
  expect(third.stderr).toContain(`Parked: 1 item(s) failed run after run, not tried again until \`gphotos-keep sync --retry-failed --out ${outDir} --profile ${profileDir} --base-url ${replica.baseUrl}\`:`);
  expect(third.stderr).toContain(`  ${victim.fileName} (${victim.mediaKey}): `);
  // The run report.
  const report = latestReport(outDir);
  expect(report.exitCode).toBe(3);
  expect(report.summary.parked).toMatchObject({ total: 1, items: [{ mediaKey: victim.mediaKey, fileName: victim.fileName }] });
  // The healthcheck end ping: /3, naming the item by file name and key, with its reason.
  expect(pings.pings[pings.pings.length - 1].path).toMatch(/\/3$/);
  const body = lastPingBody();
  // The ping is read far from this shell: its command carries the run's folder, profile and site too.
  expect(body).toContain(`parked: 1 item(s) failed run after run, not tried again until \`gphotos-keep sync --retry-failed --out ${outDir} --profile ${profileDir} --base-url ${replica.baseUrl}\`:`);
  expect(body).toContain(`  ${victim.fileName} (${victim.mediaKey}): ${parkedNow.items[0].reason!.replace(/\s+/g, ' ').slice(0, 40)}`);
  expect(body).toContain('after 2 failed runs');
  // status: JSON and text.
  const statusJson = await runCli(['status', '--out', outDir, '--json'], { env: cleanEnv() });
  expect(statusJson.code, statusJson.stderr).toBe(0);
  const status = JSON.parse(statusJson.stdout);
  expect(status.failing.total).toBe(0);
  expect(status.parked).toMatchObject({ total: 1, items: [{ mediaKey: victim.mediaKey, fileName: victim.fileName, failedRuns: 2, parkedAt: new Date(parkedAt).toISOString() }] });
  expect(status.parked.items[0].reason).toBeTruthy();
  const statusText = await runCli(['status', '--out', outDir], { env: cleanEnv() });
  expect(statusText.stdout).toContain(`Parked, not tried again until \`gphotos-keep sync --retry-failed --out ${outDir}\` (1):`);
  expect(statusText.stdout).toMatch(new RegExp(`  ${victim.mediaKey}  ${victim.fileName.replace('.', '\\.')}  failed in 2 runs, parked since \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(.+ ago\\)  \\S`));

  // Run 4: the download works again and --retry-failed tries the parked item: kept, counters cleared, exit 0.
  replica.faults.failDownloadsOf.clear();
  replica.setProcessing(video.mediaKey, false);
  replica.resetCounters();
  const fourth = await sync(replica, outDir, profileDir, [...args, '--retry-failed']);
  expect(fourth.code, fourth.stderr).toBe(0);
  expect(replica.counters.downloadStarts[victim.mediaKey]).toBeGreaterThanOrEqual(1);
  expect(fourth.summary).toMatchObject({ failed: 0, downloaded: 2, remaining: 0 });
  expect((fourth.summary?.parked as unknown as Parked).total).toBe(0);
  readIndex(outDir, (index) => {
    expect(index.item(victim.mediaKey)).toMatchObject({ state: 'done', failed_runs: 0, parked_ms: null });
  });
  expectCompleteBackup(replica, outDir);
  expect(lastPingBody()).not.toContain('parked');
  expect(pings.pings[pings.pings.length - 1].path).toMatch(/\/0$/);
});

test('--retry-failed on an item that still fails: it is tried again with a fresh count (not parked at once), and parked again only after --park-after more runs', async ({ replica, outDir, profileDir }) => {
  const victim = replica.items[1];
  replica.faults.failDownloadsOf.add(victim.mediaKey);
  const args = ['--max-attempts', '1', '--park-after', '2'];
  for (let run = 1; run <= 2; run++) expect((await sync(replica, outDir, profileDir, args)).code).toBe(3);
  readIndex(outDir, (index) => expect(index.item(victim.mediaKey)?.parked_ms).not.toBeNull());

  replica.resetCounters();
  const retried = await sync(replica, outDir, profileDir, [...args, '--retry-failed']);
  expect(retried.code, retried.stderr).toBe(3);
  expect(replica.counters.downloadStarts[victim.mediaKey]).toBeGreaterThanOrEqual(1);
  expect(retried.summary).toMatchObject({ failed: 1 });
  expect((retried.summary?.parked as unknown as Parked).total).toBe(0);
  readIndex(outDir, (index) => expect(index.item(victim.mediaKey)).toMatchObject({ state: 'failed', failed_runs: 1, parked_ms: null }));

  // Without the flag the next run still tries it (one failed run so far), and that failure parks it again.
  replica.resetCounters();
  const next = await sync(replica, outDir, profileDir, args);
  expect(next.code).toBe(3);
  expect(replica.counters.downloadStarts[victim.mediaKey]).toBeGreaterThanOrEqual(1);
  expect((next.summary?.parked as unknown as Parked).items.map((p) => p.mediaKey)).toEqual([victim.mediaKey]);
});
