// The run lock against real `gphotos-keep sync` runs (built CLI, real Chromium, the replica):
// a lock another host left behind no longer wedges the folder, and a run refused by the same
// live lock for longer than --stuck-lock-hours fails loudly (exit 1, a failing ping, the metrics)
// instead of exiting 0 in silence every night.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { startPingServer, type PingServer } from '../helpers/ping-server.js';
import { sampleLibrary } from '../replica/index.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/src/run/lock.js', import.meta.url));
const TWO = sampleLibrary().filter((s) => s.sample.startsWith('gps__')).slice(0, 2);

test.use({ replicaOptions: { library: TWO } });

let pings: PingServer;
test.beforeEach(async () => {
  pings = await startPingServer();
});
test.afterEach(async () => {
  await pings.close();
});

function syncArgs(baseUrl: string, outDir: string, profileDir: string, extra: string[] = []): string[] {
  return ['sync', '--out', outDir, '--profile', profileDir, '--base-url', baseUrl, '--json', ...extra];
}

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
}

function metric(file: string, name: string): number {
  const family = parsePrometheusTextFormat(readFileSync(file, 'utf8')).find((f) => f.name === name);
  if (!family?.metrics[0]) throw new Error(`no ${name} in ${file}`);
  return Number(family.metrics[0].value);
}

/** Another live process on this host holding the folder's lock (it keeps it fresh). */
async function holdLock(outDir: string): Promise<ChildProcess> {
  const stateDir = path.join(outDir, '.gphotos-keep');
  mkdirSync(stateDir, { recursive: true });
  const holder = spawn(process.execPath, ['--input-type=module', '-e', `
    import { acquireRunLock } from ${JSON.stringify(LOCK_JS)};
    const a = acquireRunLock(${JSON.stringify(stateDir)}, 'sync');
    process.stdout.write(a.acquired ? 'locked\\n' : 'refused\\n');
    setInterval(() => {}, 60000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const answer = await new Promise<string>((resolve) => holder.stdout!.once('data', (d) => resolve(String(d).trim())));
  expect(answer).toBe('locked');
  return holder;
}

test("a lock another host left behind (a container's old hostname) and nobody refreshed is taken over: the run completes and pings", async ({ replica, profileDir, outDir }) => {
  const lockFile = path.join(outDir, '.gphotos-keep', 'lock');
  mkdirSync(path.dirname(lockFile), { recursive: true });
  writeFileSync(lockFile, JSON.stringify({ pid: 1, host: 'gphotos-keep-7c9d2e41a0b3', startedAt: '2026-01-01T03:00:00.000Z', command: 'sync' }));
  const lastRefresh = new Date(Date.now() - 3 * 3_600_000);
  utimesSync(lockFile, lastRefresh, lastRefresh);

  const result = await runCli(syncArgs(replica.baseUrl, outDir, profileDir, ['--healthcheck', `${pings.origin}/ping/nightly`]), { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(0);
  expect(lastJson(result.stdout)).toMatchObject({ downloaded: 2, exitCode: 0 });
  expect(result.stderr).toContain('gphotos-keep-7c9d2e41a0b3');
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '0']);
  expect(existsSync(lockFile)).toBe(false);
});

test('a run refused by the same live lock for longer than --stuck-lock-hours exits 1, pings /1 and writes metrics; the next run that gets the lock starts over', async ({ replica, profileDir, outDir, workDir }) => {
  const metricsFile = path.join(workDir, 'metrics', 'gphotos_keep.prom');
  const args = syncArgs(replica.baseUrl, outDir, profileDir, ['--healthcheck', `${pings.origin}/ping/nightly`, '--metrics-file', metricsFile, '--stuck-lock-hours', '0']);
  const holder = await holdLock(outDir);
  try {
    // The first refusal: the other run may simply be busy. Exit 0 and no ping, as always.
    const first = await runCli(args, { env: cleanEnv() });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`another run is in progress (pid ${holder.pid}`);
    expect(pings.pings).toEqual([]);

    // Refused again by that same run, longer than the limit (0 h): it is stuck, and monitoring must hear it.
    const second = await runCli(args, { env: cleanEnv() });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).toContain(`pid ${holder.pid}`);
    expect(second.stderr).toContain('--stuck-lock-hours');
    expect(lastJson(second.stdout)).toMatchObject({ exitCode: 1, anotherRun: { pid: holder.pid } });
    expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '1']);
    expect(pings.pings[1].body).toContain(`pid ${holder.pid}`);
    expect(metric(metricsFile, 'gphotos_keep_last_run_exit_code')).toBe(1);
  } finally {
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
  }
  pings.pings.length = 0;

  // The stuck run is gone: the next run takes its lock, backs up, and the count starts over.
  const third = await runCli(args, { env: cleanEnv() });
  expect(third.code, third.stderr).toBe(0);
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '0']);
  expect(existsSync(path.join(outDir, '.gphotos-keep', 'lock-refused.json'))).toBe(false);
  expect(metric(metricsFile, 'gphotos_keep_last_run_exit_code')).toBe(0);
});
