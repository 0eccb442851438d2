// Two audiences, two channels (issue 16): stderr is for people (short human lines, no JSON,
// each problem once), --json and --log-file are for programs, and -q from cron prints nothing
// at all on a clean run. History tells the truth: each run record carries its command and an
// outcome label derived from what happened, and `status` shows both. Summaries add up.
// The real CLI as a child process (no TTY, no stdin, like cron) against the replica.
import { readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli, spawnCli } from '../helpers/cli.js';
import { readIndex, sync, syncArgs } from './sync-helpers.js';

test.use({ replicaOptions: { library: { synthetic: 8 }, latencyMs: 5 } });

/** A person's line: `03:12:45 INFO  …` from the logger, or the command's own text; never a JSON record. */
function expectHumanOnly(stderr: string): void {
  for (const line of stderr.split('\n').filter(Boolean)) {
    expect(line, 'no JSON on stderr').not.toMatch(/^\s*\{/);
    expect(line).not.toMatch(/\u001b\[/);
  }
}

/** `found N (M new) + E waiting from earlier runs · downloaded D … · already had A · deferred P … · failed F · left for the next run L`, as numbers. */
function countsOf(line: string): Record<string, number> {
  const n = (re: RegExp): number => Number(re.exec(line)?.[1] ?? 0);
  return {
    found: n(/found (\d+)/),
    fresh: n(/found \d+ \((\d+) new\)/),
    earlier: n(/\+ (\d+) waiting from earlier runs/),
    downloaded: n(/downloaded (\d+)/),
    had: n(/already had (\d+)/),
    deferred: n(/deferred (\d+)/),
    failed: n(/failed (\d+)/),
    left: n(/left for the next run (\d+)/),
    notFetched: n(/not fetched (\d+)/),
  };
}

function expectAddsUp(line: string): Record<string, number> {
  const c = countsOf(line);
  expect(c.found + c.earlier, line).toBe(c.downloaded + c.had + c.deferred + c.failed + c.left + c.notFetched);
  return c;
}

test('-q from a cron-like environment (no TTY, no stdin): a clean run prints nothing at all; the log file (0600) ends with the outcome', async ({ replica, outDir, profileDir, workDir }) => {
  const logFile = path.join(workDir, 'logs', 'sync.log');
  const args = ['sync', '-q', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--log-file', logFile];
  for (const run of [1, 2]) {
    const result = await runCli(args, { env: cleanEnv() });
    expect(result.code, `run ${run}: ${result.stderr}`).toBe(0);
    expect(result.stdout, `run ${run}`).toBe('');
    expect(result.stderr, `run ${run}`).toBe('');
  }
  expect(statSync(logFile).mode & 0o777).toBe(0o600);
  const records = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  // The machine channel has what the person was spared, and each run's last record is how it ended.
  expect(records.some((r) => r.msg === 'signed in')).toBe(true);
  const ends = records.filter((r) => typeof r.msg === 'string' && (r.msg as string).startsWith('sync ended:'));
  expect(ends).toHaveLength(2);
  expect(records[records.length - 1]).toBe(ends[1]);
  expect(ends[0]).toMatchObject({ command: 'sync', outcome: 'completed', exitCode: 0, counts: { found: 8, downloaded: 8, failed: 0 } });
  expect(ends[1]).toMatchObject({ outcome: 'completed', exitCode: 0, counts: { downloaded: 0, skipped: 8 } });
  expect(typeof ends[0].seconds).toBe('number');
});

test('off a terminal stderr holds human lines only; --json is one JSON object on stdout; the counts add up without internal words', async ({ replica, outDir, profileDir }) => {
  const video = replica.items.find((i) => i.kind === 'video')!;
  replica.setProcessing(video.mediaKey, true);
  // First a few, then the rest: the second run downloads items found by the first.
  const first = await sync(replica, outDir, profileDir, ['--limit', '3']);
  expect(first.code, first.stderr).toBe(0);
  expectHumanOnly(first.stderr);
  expect(first.stderr).toMatch(/^\d\d:\d\d:\d\d INFO {2}signed in/m);
  const line1 = first.stderr.split('\n').find((l) => l.startsWith('found '))!;
  expect(line1).toBeTruthy();
  // --limit 3: three downloaded, the rest left for the next run (the bar and the ETA count the same).
  expect(expectAddsUp(line1)).toMatchObject({ found: 8, fresh: 8, downloaded: 3, had: 0, deferred: 0, failed: 0, left: 5 });
  // No internal words: how the listing was made, or a "skipped" nobody chose.
  expect(first.stderr).not.toMatch(/\bby rpc\b|\bby grid\b|by nothing|skipped|run sync again/);
  expect(first.summary).toMatchObject({ found: 8, downloaded: 3, deferred: 0, left: 5 });

  const second = await sync(replica, outDir, profileDir);
  expect(second.code, second.stderr).toBe(0);
  const line2 = second.stderr.split('\n').find((l) => l.startsWith('found '))!;
  const c = expectAddsUp(line2);
  expect(c).toMatchObject({ downloaded: 4, deferred: 1, failed: 0, left: 0, had: 3 });
  expect(line2).toContain('deferred 1 (still processing in Google; retried next run)');
});

test('-q on a run with problems prints only the problems, each once, in words; the stop reason comes first', async ({ replica, outDir, profileDir }) => {
  const victim = replica.items[2];
  replica.faults.failDownloadsOf.add(victim.mediaKey);
  const failing = await runCli(['sync', '-q', '--max-attempts', '1', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(failing.code).toBe(3);
  expectHumanOnly(failing.stderr);
  expect(failing.stderr).not.toContain('INFO');
  expect(failing.stderr.split(victim.mediaKey).length - 1, failing.stderr).toBe(1);
  expect(failing.stderr).toMatch(/^Failed:$/m);
  expectAddsUp(failing.stderr.split('\n').find((l) => l.startsWith('found '))!);

  // Without -q the failure is a WARN line as it happens, and the summary does not repeat it.
  replica.faults.failDownloadsOf.clear();
  replica.faults.failDownloadsOf.add(replica.items[3].mediaKey);
  rmSync(outDir, { recursive: true, force: true });
  const loud = await runCli(['sync', '--max-attempts', '1', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(loud.code).toBe(3);
  expect(loud.stderr.split(replica.items[3].mediaKey).length - 1, loud.stderr).toBe(1);
  expect(loud.stderr).toMatch(new RegExp(`WARN {2}${replica.items[3].mediaKey} failed: `));

  // Signed out: the reason first, then how far the run got.
  replica.faults.expireSessionAfterRequests = 0;
  const out = await runCli(['sync', '-q', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(out.code).toBe(4);
  const lines = out.stderr.split('\n').filter(Boolean);
  expect(lines[0]).toMatch(/^Stopped: Not signed in to Google Photos: run `gphotos-keep login/);
  expect(out.stderr.match(/Not signed in/g)).toHaveLength(1);
});

test('verify says each problem once (its report), and -q says nothing about a clean backup', async ({ replica, outDir, profileDir }) => {
  expect((await sync(replica, outDir, profileDir)).code).toBe(0);
  const clean = await runCli(['verify', '-q', '--out', outDir], { env: cleanEnv() });
  expect(clean.code).toBe(0);
  expect(clean.stdout + clean.stderr).toBe('');

  const rel = readIndex(outDir, (index) => index.files(replica.items[1].mediaKey)[0].rel_path);
  rmSync(path.join(outDir, rel));
  for (const quiet of [false, true]) {
    const result = await runCli(['verify', '--out', outDir, ...(quiet ? ['-q'] : [])], { env: cleanEnv() });
    expect(result.code).toBe(3);
    const all = result.stdout + result.stderr;
    expect(all.split(rel).length - 1, all).toBe(1);
    expectHumanOnly(result.stderr);
  }
});

test('history tells the truth: each run has its command and an outcome label from what happened; status shows both', async ({ replica, outDir, profileDir }) => {
  replica.faults.bytesPerSecond = 60_000;
  // 1. Interrupted by Ctrl-C with no failure: "interrupted", not "some items failed".
  const child = spawnCli(syncArgs(replica, outDir, profileDir, ['--concurrency', '1']), { env: cleanEnv() });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  await expect.poll(() => Object.keys(replica.counters.downloads).length, { timeout: 60_000 }).toBeGreaterThan(0);
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(3);
  // The first Ctrl-C was answered at once, and the summary starts with why the run ended.
  expect(stderr).toMatch(/finishing \d+ downloads? in flight; Ctrl-C again to stop now|finishing the work in flight; Ctrl-C again to stop now/);
  expect(stderr).toMatch(/^Interrupted: /m);
  replica.faults.bytesPerSecond = 0;

  // 2. One item fails: "partial: 1 failed". It must be one the interrupted run did not finish
  // (which ones it finished depends on how fast the machine answered the Ctrl-C).
  const notYet = replica.items.find((item) => readIndex(outDir, (index) => index.item(item.mediaKey)?.state) !== 'done');
  expect(notYet, 'the interrupted run left an item to fetch').toBeDefined();
  replica.faults.failDownloadsOf.add(notYet!.mediaKey);
  expect((await sync(replica, outDir, profileDir, ['--max-attempts', '1'])).code).toBe(3);
  replica.faults.failDownloadsOf.clear();

  // 3. The profile is held by a browser (here, one on another computer): "locked" (exit 1), not "unexpected error".
  const lock = path.join(profileDir, 'SingletonLock');
  symlinkSync(`another-host.example-4242`, lock);
  const locked = await sync(replica, outDir, profileDir);
  expect(locked.code).toBe(1);
  rmSync(lock);

  // 4. Complete, then verify finds a problem, then the session is gone.
  expect((await sync(replica, outDir, profileDir)).code).toBe(0);
  const rel = readIndex(outDir, (index) => index.files(replica.items[0].mediaKey)[0].rel_path);
  rmSync(path.join(outDir, rel));
  expect((await runCli(['verify', '--out', outDir], { env: cleanEnv() })).code).toBe(3);
  replica.faults.expireSessionAfterRequests = 0;
  expect((await sync(replica, outDir, profileDir)).code).toBe(4);

  const status = await runCli(['status', '--out', outDir, '--json'], { env: cleanEnv() });
  const runs = (JSON.parse(status.stdout).runs as { command: string; outcome: string; exitCode: number }[]).reverse();
  expect(runs.map((r) => [r.command, r.outcome, r.exitCode])).toEqual([
    ['sync', 'interrupted', 3],
    ['sync', 'partial: 1 failed', 3],
    ['sync', 'locked', 1],
    ['sync', 'completed', 0],
    ['verify', 'partial: 1 problem', 3],
    ['sync', 'signed out', 4],
  ]);
  const text = await runCli(['status', '--out', outDir], { env: cleanEnv() });
  expect(text.stdout).toMatch(/started \(.+\)\s+command\s+took\s+exit/);
  expect(text.stdout).toMatch(/\s+verify\s+\S+\s+3\s+.*partial: 1 problem/);
  expect(text.stdout).toMatch(/\s+sync\s+\S+\s+1\s+.*locked/);
  // The run reports say the same.
  const reports = JSON.parse(status.stdout).runs.length;
  expect(reports).toBe(6);
});
