// Cron-grade operation of a real `gphotos-keep sync` (built CLI, real Chromium, the replica):
// healthcheck pings received by a local server, the run lock, every exit code's trigger, the
// run report, the metrics file, status after real runs, and that the URL stays secret.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { test, expect } from '../helpers/fixtures.js';
import { CLI_ENTRY, cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { closedPort, startPingServer, type PingServer } from '../helpers/ping-server.js';
import { sampleLibrary } from '../replica/index.js';

const SECRET = 'fqOOd6-F4MMNuCEnzTU01w/nightly-photos';
// No favorite among them: a favorite's rating sidecar is written by the link-folder step after the
// downloads, so it is recorded (status, metrics) without being a downloaded byte of the summary.
const THREE = sampleLibrary().filter((s) => s.sample.startsWith('gps__')).slice(0, 3).map((s) => ({ ...s, favorite: false }));

test.use({ replicaOptions: { library: THREE } });

let pings: PingServer;
test.beforeEach(async () => {
  pings = await startPingServer();
});
test.afterEach(async () => {
  await pings.close();
});

function hcUrl(): string {
  return `${pings.origin}/ping/${SECRET}`;
}

function syncArgs(baseUrl: string, outDir: string, profileDir: string, extra: string[] = []): string[] {
  return ['sync', '--out', outDir, '--profile', profileDir, '--base-url', baseUrl, ...extra];
}

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').pop() ?? 'null');
}

function reports(outDir: string): Record<string, unknown>[] {
  const dir = path.join(outDir, '.gphotos-keep', 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
}

function metric(file: string, name: string, labels: Record<string, string> = {}): number {
  const family = parsePrometheusTextFormat(readFileSync(file, 'utf8')).find((f) => f.name === name);
  const sample = family?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!sample) throw new Error(`no ${name} ${JSON.stringify(labels)} in ${file}`);
  return Number(sample.value);
}

function expectNoSecret(...texts: string[]): void {
  for (const text of texts) {
    expect(text).not.toContain('fqOOd6');
    expect(text).not.toContain('nightly-photos');
  }
}

test('a complete run: pings /start then /0 with one rid and the counts; report, metrics and status agree', async ({ replica, profileDir, outDir, workDir }) => {
  const metricsFile = path.join(workDir, 'textfile', 'gphotos_keep.prom');
  const logFile = path.join(workDir, 'logs', 'sync.log');
  const result = await runCli(syncArgs(replica.baseUrl, outDir, profileDir, ['--json', '--metrics-file', metricsFile, '--log-file', logFile]), { env: cleanEnv({ GPHOTOS_KEEP_HEALTHCHECK: hcUrl() }) });
  expect(result.code, result.stderr).toBe(0);
  const summary = lastJson(result.stdout);
  expect(summary).toMatchObject({ found: 3, downloaded: 3, failed: 0, exitCode: 0 });

  expect(pings.pings.map((p) => p.path)).toEqual([`/ping/${SECRET}/start`, `/ping/${SECRET}/0`]);
  const [start, end] = pings.pings;
  expect(start.query.get('rid')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(end.query.get('rid')).toBe(start.query.get('rid'));
  expect(end.at).toBeGreaterThanOrEqual(start.at);
  expect(end.contentType).toContain('text/plain');
  expect(end.body).toContain('gphotos-keep sync: completed (exit 0)');
  expect(end.body).toContain(`found 3, new 3, downloaded 3 (${formatKb(summary.bytes as number)}), skipped 0, deferred 0, failed 0`);
  expect(end.body).toMatch(/took \d+(m\d\ds|s)/);
  expect(Buffer.byteLength(end.body)).toBeLessThanOrEqual(10_000);

  const [report] = reports(outDir);
  expect(report).toMatchObject({ command: 'sync', exitCode: 0, outcome: 'completed', counts: { found: 3, downloaded: 3, bytes: summary.bytes }, index: { items: { done: 3 } } });
  expect((report.options as Record<string, unknown>).healthcheck).toBe('[set]');

  expect(metric(metricsFile, 'gphotos_keep_last_run_exit_code')).toBe(0);
  expect(metric(metricsFile, 'gphotos_keep_items', { state: 'done' })).toBe(3);
  expect(metric(metricsFile, 'gphotos_keep_bytes')).toBe(summary.bytes);
  expect(metric(metricsFile, 'gphotos_keep_last_success_timestamp_seconds')).toBeCloseTo(Date.parse(report.endedAt as string) / 1000, 0);

  const status = await runCli(['status', '--out', outDir, '--json'], { env: cleanEnv() });
  expect(status.code).toBe(0);
  const s = JSON.parse(status.stdout);
  expect(s.items).toMatchObject({ done: 3, total: 3 });
  expect(s.size.presentBytes).toBe(summary.bytes);
  expect(s.runs[0]).toMatchObject({ exitCode: 0, found: 3, downloaded: 3 });

  // Not a TTY: plain log lines, no progress display control characters.
  expect(result.stderr).not.toMatch(/\u001b\[/);
  expectNoSecret(result.stdout, result.stderr, readFileSync(logFile, 'utf8'), JSON.stringify(reports(outDir)), readFileSync(metricsFile, 'utf8'), status.stdout);
});

function formatKb(bytes: number): string {
  return `${(bytes / 1000).toFixed(bytes < 10_000 ? 2 : 1)} kB`;
}

test('partial (exit 3): a download that keeps failing is pinged as /3 with its error, and status lists it', async ({ replica, profileDir, outDir, workDir }) => {
  const bad = replica.items[1].mediaKey;
  replica.faults.failDownloadsOf.add(bad);
  const metricsFile = path.join(workDir, 'gphotos_keep.prom');
  const result = await runCli(syncArgs(replica.baseUrl, outDir, profileDir, ['--json', '--healthcheck', hcUrl(), '--metrics-file', metricsFile, '--max-attempts', '2']), { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(3);
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '3']);
  const body = pings.pings[1].body;
  expect(body).toContain('gphotos-keep sync: partial: 1 failed (exit 3)');
  expect(body).toContain('downloaded 2');
  expect(body).toContain('failed 1');
  expect(body).toContain('first errors (1 of 1):');
  expect(body).toContain(`  ${bad}: `);
  expect(metric(metricsFile, 'gphotos_keep_last_run_exit_code')).toBe(3);
  expect(metric(metricsFile, 'gphotos_keep_last_success_timestamp_seconds')).toBe(0);
  const status = JSON.parse((await runCli(['status', '--out', outDir, '--json'], { env: cleanEnv() })).stdout);
  expect(status.failing.total).toBe(1);
  expect(status.failing.items[0].mediaKey).toBe(bad);
  expect(status.failing.items[0].reason).toBeTruthy();
  expectNoSecret(result.stdout, result.stderr);
});

test('signed out (exit 4): an expired session is pinged as /4 and says to log in', async ({ replica, profileDir, outDir }) => {
  replica.expireSession();
  const result = await runCli(syncArgs(replica.baseUrl, outDir, profileDir, ['--healthcheck', hcUrl()]), { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(4);
  expect(result.stderr).toContain('gphotos-keep login');
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '4']);
  expect(pings.pings[1].body).toContain('gphotos-keep sync: signed out (exit 4)');
  expect(pings.pings[1].body).toContain('stopped: ');
  // The ping is read far from this shell: the login it suggests names this run's profile and site.
  expect(pings.pings[1].body).toContain(`gphotos-keep login --profile ${profileDir}`);
  expect(pings.pings[1].body).toContain(`--base-url ${replica.baseUrl}`);
  expect(reports(outDir)[0]).toMatchObject({ exitCode: 4 });
});

test('site not recognised (exit 5): a signed-in origin whose pages carry neither the RPC tokens nor the grid', async ({ profileDir, outDir }) => {
  // The replica has no switch for "Google changed the page", so this test serves such a page itself.
  const changed = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>Google Photos</title></head><body><div>A new Photos app</div></body></html>');
  });
  await new Promise<void>((resolve) => changed.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(changed.address() as AddressInfo).port}`;
    const result = await runCli(syncArgs(base, outDir, profileDir, ['--healthcheck', hcUrl()]), { env: cleanEnv() });
    expect(result.code, result.stderr).toBe(5);
    expect(result.stderr).toMatch(/Site not recognised/);
    expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '5']);
    expect(pings.pings[1].body).toContain('gphotos-keep sync: site changed (exit 5)');
  } finally {
    changed.closeAllConnections();
    await new Promise((resolve) => changed.close(resolve));
  }
});

test('usage (exit 2): a bad flag value changes nothing and sends no ping (the URL is not trusted yet)', async ({ outDir }) => {
  const result = await runCli(['sync', '--out', outDir, '--concurrency', 'lots', '--healthcheck', hcUrl()], { env: cleanEnv() });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('--concurrency: "lots" is not a whole number');
  expect(pings.pings).toEqual([]);
  expect(existsSync(outDir)).toBe(false);
});

/** Runs the CLI in a private mount namespace where `mountPoint` is a fresh tmpfs; null if not allowed here. */
function cliInMount(mountPoint: string, tmpfsOptions: string, args: string[], env: NodeJS.ProcessEnv, after = ''): Promise<CliResult> | null {
  const probe = spawnSync('unshare', ['--mount', 'true']);
  if (probe.status !== 0) return null;
  mkdirSync(mountPoint, { recursive: true });
  const quoted = [process.execPath, CLI_ENTRY, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const script = `mount -t tmpfs -o ${tmpfsOptions} tmpfs '${mountPoint}' || exit 99; ${quoted}; code=$?; ${after} exit $code`;
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

test('unexpected (exit 1): a read-only output folder is a clear error, pinged as /1', async ({ replica, profileDir, workDir }) => {
  const mount = path.join(workDir, 'ro');
  const run = cliInMount(mount, 'ro,size=1m', syncArgs(replica.baseUrl, path.join(mount, 'backup'), profileDir, ['--healthcheck', hcUrl()]), cleanEnv());
  test.skip(run === null, 'mount namespaces are not available here');
  const result = await run!;
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/Cannot write .*backup.* \(EROFS\): the backup folder must be writable/);
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '1']);
  expect(pings.pings[1].body).toContain('gphotos-keep sync: error (exit 1)');
  expect(replica.counters.downloads).toEqual({});
});

test('unexpected (exit 1): the disk filling up mid-run is a clear error, and no partial file is recorded', async ({ replica, profileDir, workDir }) => {
  // A 2 MB photo cannot fit on a 1 MB disk that also holds the index.
  replica.addItem({ sample: 'mobile__HMD_Nokia_8.3_5G.jpg', fileName: 'IMG_big.jpg', takenMs: Date.UTC(2030, 0, 1) });
  const mount = path.join(workDir, 'small');
  const copy = path.join(workDir, 'after');
  const run = cliInMount(mount, 'size=1m', syncArgs(replica.baseUrl, path.join(mount, 'backup'), profileDir, ['--healthcheck', hcUrl(), '--concurrency', '1']), cleanEnv(), `cp -a '${mount}/backup' '${copy}';`);
  test.skip(run === null, 'mount namespaces are not available here');
  const result = await run!;
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(/disk is full|Out of disk space/);
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '1']);
  // Every file the index records is on disk whole; nothing partial is recorded or left as final.
  const { openIndex } = await import('../../src/store/database.js');
  const db = openIndex(copy, { readonly: true });
  const rows = db.prepare('SELECT rel_path, bytes FROM files').all() as { rel_path: string; bytes: number }[];
  const big = db.prepare(`SELECT state FROM items WHERE file_name = 'IMG_big.jpg' OR media_key = ?`).pluck().get(replica.items[replica.items.length - 1].mediaKey);
  db.close();
  for (const row of rows) expect(readFileSync(path.join(copy, row.rel_path)).length).toBe(row.bytes);
  expect(big).not.toBe('done');
  const finals = listFiles(copy).filter((f) => !f.startsWith('.gphotos-keep/'));
  expect(finals.filter((f) => f.endsWith('.part'))).toEqual([]);
  expect(finals.sort()).toEqual(rows.map((r) => r.rel_path).filter((p) => !p.startsWith('.gphotos-keep/')).sort());
});

function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

test('an unreachable healthcheck server leaves the run and its exit code unchanged', async ({ replica, profileDir, outDir }) => {
  const port = await closedPort();
  const result = await runCli(syncArgs(replica.baseUrl, outDir, profileDir, ['--json', '--healthcheck', `http://127.0.0.1:${port}/ping/${SECRET}`]), { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(0);
  expect(lastJson(result.stdout)).toMatchObject({ found: 3, downloaded: 3, exitCode: 0 });
  expect(result.stderr).toContain('healthcheck ping failed; the run goes on');
  expect(reports(outDir)[0]).toMatchObject({ exitCode: 0 });
  expectNoSecret(result.stdout, result.stderr);
});

test('lock contention: a second sync on the same folder exits 0 naming the first one\'s pid and sends no pings', async ({ replica, profileDir, outDir }) => {
  // Slow downloads keep the first run busy while the second starts.
  replica.faults.bytesPerSecond = 40_000;
  const first = spawn(process.execPath, [CLI_ENTRY, ...syncArgs(replica.baseUrl, outDir, profileDir, ['--concurrency', '1', '--healthcheck', hcUrl()])], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let firstErr = '';
  first.stderr!.on('data', (d) => (firstErr += d));
  const firstDone = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
  const lockFile = path.join(outDir, '.gphotos-keep', 'lock');
  await expect.poll(() => replica.counters.downloadStarts && Object.keys(replica.counters.downloadStarts).length, { timeout: 60_000 }).toBeGreaterThan(0);
  expect(existsSync(lockFile)).toBe(true);

  const second = await runCli(syncArgs(replica.baseUrl, outDir, profileDir, ['--json', '--healthcheck', `${pings.origin}/ping/second-check`]), { env: cleanEnv() });
  expect(second.code).toBe(0);
  expect(second.stderr).toContain(`another run is in progress (pid ${first.pid}`);
  expect(lastJson(second.stdout)).toMatchObject({ exitCode: 0, anotherRun: { pid: first.pid, host: os.hostname() } });
  expect(pings.pings.filter((p) => p.path.includes('second-check'))).toEqual([]);

  expect(await firstDone, firstErr).toBe(0);
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '0']);
  expect(existsSync(lockFile)).toBe(false);
  expect(reports(outDir)).toHaveLength(1);
});

test('a stale lock (its process is gone) is taken over with a warning, and the run completes', async ({ replica, profileDir, outDir }) => {
  mkdirSync(path.join(outDir, '.gphotos-keep'), { recursive: true });
  // A pid above Linux's pid_max: certainly not running.
  writeFileSync(path.join(outDir, '.gphotos-keep', 'lock'), JSON.stringify({ pid: 4_194_400, host: os.hostname(), startedAt: '2026-01-01T03:00:00.000Z', command: 'sync' }));
  const result = await runCli(syncArgs(replica.baseUrl, outDir, profileDir, ['--json', '--healthcheck', hcUrl()]), { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).toContain('took over the lock of a run that is no longer running');
  expect(result.stderr).toContain('4194400');
  expect(pings.pings.map((p) => p.path.split('/').pop())).toEqual(['start', '0']);
  expect(existsSync(path.join(outDir, '.gphotos-keep', 'lock'))).toBe(false);
});
