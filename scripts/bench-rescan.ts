// `npm run bench -- rescan`: incremental sync at library scale, against the replica with
// 100 ms latency per response. For 10,000 and 100,000 items, and 100,000 items in 500 albums
// of 20, it pre-fills the index as if every item were backed up (the albums column: one real
// run lists the albums first, timed on its own row), then runs the real CLI (a child process,
// like cron):
//   1. `sync --rescan`: the full-rescan enumeration rate (items/s, from the run's own log line)
//      and the peak RSS of the gphotos-keep process and of its whole tree (with Chromium);
//   2. `sync`: a no-op incremental run, wall time from spawn to exit, browser start included
//      (with albums: the album list is read, no album listed again).
// Each column runs ROUNDS times (BENCH_ROUNDS overrides), interleaved; the table gives medians.
// Targets: no-op ≤ 10 s at 100k (albums too); rescan ≥ 2,500 items/s; peak RSS at 100k within 10% of 10k.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processStatus, treeMemory } from './proc-memory.js';
import { prefillIndex } from '../test/helpers/prefill-index.js';
import { signInProfile } from '../test/helpers/profile.js';
import { startReplica, type Replica, type ReplicaItem } from '../test/replica/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
const LATENCY_MS = 100;

interface RunMeasure {
  code: number | null;
  wallMs: number;
  /** Peak resident set of the gphotos-keep (Node) process, from the kernel's high-water mark. */
  nodePeakKb: number;
  /** The high-water mark as it rose: [ms since spawn, kB], one sample every 250 ms. */
  hwmTimeline: [number, number][];
  /** Peak of the summed PSS of the process and all its descendants (Chromium), sampled every 250 ms. */
  treePeakKb: number;
  summary: Record<string, unknown> | null;
  logLines: string[];
}

// ---- one CLI run ---------------------------------------------------------------------------

function runSync(args: string[]): Promise<RunMeasure> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const wallStart = Date.now();
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GPHOTOS_KEEP_')) env[k] = v;
    env.XDG_CONFIG_HOME = path.join(os.tmpdir(), 'gphotos-keep-bench-no-config');
    const child = spawn(process.execPath, [cli, 'sync', ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env });
    const pid = child.pid!;
    let stdout = '';
    let stderr = '';
    let nodePeakKb = 0;
    let treePeakKb = 0;
    let lastPrinted = 0;
    const hwmTimeline: [number, number][] = [];
    const sample = (): void => {
      const status = processStatus(pid);
      if (status) nodePeakKb = Math.max(nodePeakKb, status.hwmKb);
      if (status) hwmTimeline.push([performance.now() - started, status.hwmKb]);
      if (process.env.BENCH_VERBOSE && status && Date.now() - lastPrinted >= 1000) {
        lastPrinted = Date.now();
        process.stderr.write(`  +${((Date.now() - wallStart) / 1000).toFixed(1)}s rss ${mb(status.rssKb)} (peak ${mb(status.hwmKb)})\n`);
      }
      treePeakKb = Math.max(treePeakKb, treeMemory(pid).pssKb);
    };
    const timer = setInterval(sample, 250);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      sample();
    });
    child.on('error', reject);
    child.on('exit', () => clearInterval(timer));
    child.on('close', (code) => {
      clearInterval(timer);
      let summary: Record<string, unknown> | null = null;
      try {
        summary = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
      } catch {
        summary = null;
      }
      const logLines = stderr.split('\n').flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as { msg?: string; time?: number };
          if (process.env.BENCH_VERBOSE && parsed.msg) process.stderr.write(`  +${((parsed.time ?? 0) - wallStart) / 1000}s ${parsed.msg}\n`);
          return parsed.msg ? [parsed.msg] : [];
        } catch {
          return line.trim() ? [line] : [];
        }
      });
      resolve({ code, wallMs: performance.now() - started, nodePeakKb, hwmTimeline, treePeakKb, summary, logLines });
    });
  });
}

// ---- the bench -----------------------------------------------------------------------------

/** Runs per size: one run's peak RSS varies by 10-20 MB on this shared machine (start-up, JIT); with 5 runs the median moved by under 1 point between two benches, with 3 by 15. */
const ROUNDS = 5;

/** Albums of the albums column, and items in each. */
const ALBUMS = 500;
const ITEMS_PER_ALBUM = 20;

interface Column {
  items: number;
  albums: number;
}

interface SizeResult extends Column {
  /** The run that listed every album the first time (albums column only). */
  firstAlbumRun: RunMeasure | null;
  rescans: RunMeasure[];
  rates: number[];
  noops: RunMeasure[];
}

interface SizeSetup extends Column {
  base: string[];
  close: () => Promise<void>;
}

/** Albums of ITEMS_PER_ALBUM items each, spread over the whole library (deterministic). */
function makeAlbums(replica: Replica, count: number): void {
  const keys = replica.items.map((i) => i.mediaKey);
  for (let a = 0; a < count; a++) {
    const album = replica.createAlbum(`Album ${String(a).padStart(3, '0')}`);
    const members = Array.from({ length: ITEMS_PER_ALBUM }, (_, k) => keys[(a * 197 + k * 4_999) % keys.length]);
    replica.addToAlbum(album.albumKey, members);
  }
}

const label = (c: Column): string => `${c.items.toLocaleString('en-US')} items${c.albums ? ` + ${c.albums} albums` : ''}`;

async function setUpSize(column: Column, result: SizeResult): Promise<SizeSetup> {
  const { items, albums } = column;
  const replica = await startReplica({ library: { synthetic: items }, latencyMs: LATENCY_MS });
  if (albums > 0) makeAlbums(replica, albums);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-bench-rescan-'));
  const profileDir = path.join(workDir, 'profile');
  const outDir = path.join(workDir, 'backup');
  await signInProfile(profileDir, replica.sessionCookie);
  process.stderr.write(`bench rescan: ${label(column)}: pre-filling the index…\n`);
  prefillIndex(outDir, replica.items);
  const base = ['--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl];
  if (albums > 0) {
    process.stderr.write(`bench rescan: ${label(column)}: the first run lists every album…\n`);
    const first = await runSync(base);
    if (first.code !== 0) throw new Error(`the first run with albums exited ${first.code}:\n${first.logLines.slice(-20).join('\n')}`);
    const listed = (first.summary?.albums as { listed?: number } | null)?.listed;
    if (listed !== albums) throw new Error(`the first run listed ${listed} of ${albums} albums: ${JSON.stringify(first.summary)}`);
    result.firstAlbumRun = first;
  }
  return {
    items,
    albums,
    base,
    close: async () => {
      await replica.close();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

async function measureRescan(setup: SizeSetup, result: SizeResult): Promise<void> {
  process.stderr.write(`bench rescan: ${label(setup)}: sync --rescan…\n`);
  const rescan = await runSync([...setup.base, '--rescan']);
  if (rescan.code !== 0) throw new Error(`sync --rescan exited ${rescan.code}:\n${rescan.logLines.slice(-20).join('\n')}`);
  const line = rescan.logLines.find((l) => /\bfull rescan: \d+ listed/.test(l));
  const rate = line ? Number(/\((\d+) items\/s/.exec(line)?.[1] ?? NaN) : NaN;
  process.stderr.write(`bench rescan: ${label(setup)}: ${line ?? 'no rescan line in the log'}\n`);
  result.rescans.push(rescan);
  result.rates.push(rate);
}

async function measureNoop(setup: SizeSetup, result: SizeResult): Promise<void> {
  process.stderr.write(`bench rescan: ${label(setup)}: no-op sync…\n`);
  const noop = await runSync(setup.base);
  if (noop.code !== 0) throw new Error(`sync exited ${noop.code}:\n${noop.logLines.slice(-20).join('\n')}`);
  if (noop.summary?.fullRescan !== false || noop.summary?.downloaded !== 0) throw new Error(`the no-op run was not a no-op: ${JSON.stringify(noop.summary)}`);
  const albums = noop.summary?.albums as { albums: number; listed: number } | null;
  if (setup.albums > 0 && (albums?.albums !== setup.albums || albums.listed !== 0)) throw new Error(`the no-op run did not read ${setup.albums} unchanged albums: ${JSON.stringify(albums)}`);
  result.noops.push(noop);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

/**
 * The peak RSS of a run over its first `ms` (the high-water mark only rises, so it is the last
 * sample by then). A process reaches its memory plateau after some seconds whatever the library
 * size; comparing a long run's whole peak with a short run's compares time, not items.
 */
function peakWithin(run: RunMeasure, ms: number): number {
  let peak = 0;
  for (const [at, kb] of run.hwmTimeline) if (at <= ms) peak = Math.max(peak, kb);
  return peak;
}

export async function benchRescan(columns: Column[] = [{ items: 10_000, albums: 0 }, { items: 100_000, albums: 0 }, { items: 100_000, albums: ALBUMS }], rounds = ROUNDS): Promise<boolean> {
  const setups: SizeSetup[] = [];
  const results: SizeResult[] = columns.map((c) => ({ ...c, firstAlbumRun: null, rescans: [], rates: [], noops: [] }));
  try {
    for (let i = 0; i < columns.length; i++) setups.push(await setUpSize(columns[i], results[i]));
    // Interleaved, so that a slow spell of the shared machine hits every size alike.
    for (let round = 0; round < rounds; round++) for (let i = 0; i < setups.length; i++) await measureRescan(setups[i], results[i]);
    for (let round = 0; round < rounds; round++) for (let i = 0; i < setups.length; i++) await measureNoop(setups[i], results[i]);
  } finally {
    for (const setup of setups) await setup.close();
  }
  const plain = results.filter((r) => r.albums === 0);
  const small = plain[0] ?? results[0];
  const large = plain[plain.length - 1] ?? results[results.length - 1];
  // The wall time both sizes are compared over: the small rescan's (median).
  const sameWallMs = median(small.rescans.map((m) => m.wallMs));
  const spread = (values: number[], format: (v: number) => string): string =>
    values.length > 1 ? `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})` : format(values[0]);
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  const rate = (v: number): string => (Number.isNaN(v) ? '?' : `${Math.round(v).toLocaleString('en-US')}`);
  const rows: [string, ...string[]][] = [
    ['measure (median of runs, min–max)', ...results.map(label), 'target'],
    ['no-op incremental run, wall (incl. browser start)', ...results.map((r) => spread(r.noops.map((m) => m.wallMs), seconds)), '≤ 10 s at 100k (albums too)'],
    ['first run with albums: every album listed, wall', ...results.map((r) => (r.firstAlbumRun ? seconds(r.firstAlbumRun.wallMs) : '–')), ''],
    ['full rescan: enumeration rate, items/s', ...results.map((r) => spread(r.rates, rate)), '≥ 2,500 items/s'],
    ['full rescan: wall (incl. browser start)', ...results.map((r) => spread(r.rescans.map((m) => m.wallMs), seconds)), ''],
    ['peak RSS, gphotos-keep process (rescan)', ...results.map((r) => spread(r.rescans.map((m) => m.nodePeakKb), mb)), ''],
    [`peak RSS over the ${small.items.toLocaleString('en-US')}-item rescan's wall time (${seconds(sameWallMs)})`, ...results.map((r) => spread(r.rescans.map((m) => peakWithin(m, sameWallMs)), mb)), '100k within 10% of 10k'],
    ['peak PSS, process tree incl. Chromium (rescan)', ...results.map((r) => spread(r.rescans.map((m) => m.treePeakKb), mb)), ''],
    ['peak RSS, gphotos-keep process (no-op)', ...results.map((r) => spread(r.noops.map((m) => m.nodePeakKb), mb)), ''],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]): string => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  process.stdout.write(`\nrescan bench: replica with ${LATENCY_MS} ms latency per response, ${rounds} run(s) per column; albums of ${ITEMS_PER_ALBUM} items\n\n`);
  process.stdout.write(`${line(rows[0])}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const row of rows.slice(1)) process.stdout.write(`${line(row)}\n`);

  const checks: [string, boolean][] = [];
  for (const r of results) if (r.items >= 100_000) checks.push([`no-op run at ${label(r)} ≤ 10 s (median)`, median(r.noops.map((m) => m.wallMs)) <= 10_000]);
  checks.push(['rescan ≥ 2,500 items/s (every run)', results.every((r) => r.rates.every((v) => v >= 2500))]);
  if (results.length > 1) {
    const growth = median(large.rescans.map((m) => peakWithin(m, sameWallMs))) / median(small.rescans.map((m) => m.nodePeakKb)) - 1;
    checks.push([`median peak RSS at ${large.items} within 10% of ${small.items}, over the same wall time (${(growth * 100).toFixed(1)}%)`, growth <= 0.1]);
    const whole = median(large.rescans.map((m) => m.nodePeakKb)) / median(small.rescans.map((m) => m.nodePeakKb)) - 1;
    process.stdout.write(`\n(whole runs: the ${large.items} rescan's peak is ${(whole * 100).toFixed(1)}% above the ${small.items} one's; it runs ${(median(large.rescans.map((m) => m.wallMs)) / sameWallMs).toFixed(1)}× as long)\n`);
    // Where the large run's peak rose: a plateau stops rising early, growth with the library keeps on.
    const marks = [1, 2, 3, 4, 6, 8].map((k) => k * sameWallMs).filter((ms) => ms < median(large.rescans.map((m) => m.wallMs)));
    const at = (ms: number): string => `${seconds(ms)}: ${mb(median(large.rescans.map((m) => peakWithin(m, ms))))}`;
    process.stdout.write(`(the ${large.items} rescan's peak RSS so far, at ${[...marks.map(at), `the end, ${seconds(median(large.rescans.map((m) => m.wallMs)))}: ${mb(median(large.rescans.map((m) => m.nodePeakKb)))}`].join('; ')})\n`);
  }
  process.stdout.write('\n');
  for (const [what, ok] of checks) process.stdout.write(`${ok ? 'met   ' : 'MISSED'}  ${what}\n`);
  return checks.every(([, ok]) => ok);
}

// Standalone: `node dist/scripts/bench-rescan.js [items[+albums]…]`, e.g. `10000 100000+500`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const columns = process.argv
    .slice(2)
    .map((arg) => arg.split('+').map(Number))
    .filter(([items, albums = 0]) => Number.isInteger(items) && items > 0 && Number.isInteger(albums) && albums >= 0)
    .map(([items, albums = 0]) => ({ items, albums }));
  const rounds = Number(process.env.BENCH_ROUNDS) || undefined;
  const ok = await benchRescan(columns.length ? columns : undefined, rounds);
  process.exit(ok ? 0 : 1);
}
