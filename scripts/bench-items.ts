// `npm run bench -- items --before <commit|dir>`: what one item costs. A real `gphotos-keep
// sync` (a child process, like cron) backs up two libraries from the replica, 50 ms latency
// per response and 2 MB/s per download stream, at concurrency 1, 3 and 6:
//   tiny:  items of a few KB (the small camera samples), where the per-item work dominates;
//   phone: 2.2 MB phone photos (the Nokia JPEG and the iPhone HEIC samples).
// Each run is measured four ways: items/min (whole run, and download phase: the replica's
// first download request to its last completed one), CPU seconds of the whole process tree
// per item (Node + Chromium + exiftool, from /proc, by process), the bytes the replica sent
// beyond the items' own (viewer previews, thumbnails, RPC answers, pages; from its counters),
// and the peak PSS of the tree. The limit beside it: the same downloads fetched directly over
// plain HTTP at the same concurrency.
// The same runs go against an earlier build of the product (`--before`: a commit, built in a
// git worktree, or a folder holding one), interleaved in the same invocation: on a shared
// machine absolute times mean little, ratios within one run do. Every run's files are checked
// byte for byte against the replica's.
// Options: --before REV|DIR, --rounds N (3), --latency MS (50), --bps BYTES (2000000),
// --concurrency 1,3,6, --tiny N (240), --phone N (90), --library tiny,phone
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROCESS_KINDS, type ProcessKind, TreeCpu } from './proc-cpu.js';
import { treeMemory } from './proc-memory.js';
import { DownloadPhase, directHttp, downloadedOf, perMinute } from './download-phase.js';
import { signInProfile } from '../test/helpers/profile.js';
import { startReplica, type Replica, type ReplicaItemSpec } from '../test/replica/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

type LibraryName = 'tiny' | 'phone';

interface Options {
  before: string | null;
  rounds: number;
  latencyMs: number;
  bytesPerSecond: number;
  concurrency: number[];
  sizes: Record<LibraryName, number>;
  libraries: LibraryName[];
}

function parseArgs(args: string[]): Options {
  const o: Options = { before: null, rounds: 3, latencyMs: 50, bytesPerSecond: 2_000_000, concurrency: [1, 3, 6], sizes: { tiny: 240, phone: 90 }, libraries: ['tiny', 'phone'] };
  for (let i = 0; i < args.length; i++) {
    const value = args[++i];
    if (value === undefined) throw new Error(`bench items: ${args[i - 1]} needs a value`);
    switch (args[i - 1]) {
      case '--before':
        o.before = value;
        break;
      case '--rounds':
        o.rounds = Number(value);
        break;
      case '--latency':
        o.latencyMs = Number(value);
        break;
      case '--bps':
        o.bytesPerSecond = Number(value);
        break;
      case '--concurrency':
        o.concurrency = value.split(',').map(Number);
        break;
      case '--tiny':
        o.sizes.tiny = Number(value);
        break;
      case '--phone':
        o.sizes.phone = Number(value);
        break;
      case '--library':
        o.libraries = value.split(',').map((l) => {
          if (l !== 'tiny' && l !== 'phone') throw new Error('bench items: --library takes tiny, phone or both');
          return l;
        });
        break;
      default:
        throw new Error(`bench items: unknown argument ${args[i - 1]}`);
    }
  }
  return o;
}

// ---- the libraries ---------------------------------------------------------------------------

function library(name: LibraryName, n: number): ReplicaItemSpec[] {
  // tiny: 3.5-14 KB camera JPEGs; phone: 2.2 MB, the phone JPEG and HEIC.
  const samples = name === 'tiny' ? ['Canon_40D.jpg', 'Nikon_D70.jpg', 'Sony_HDR-HC3.jpg', 'long_description.jpg'] : ['mobile__HMD_Nokia_8.3_5G.jpg', 'mobile__iphone_13_pro_max.HEIC'];
  return Array.from({ length: n }, (_, i) => {
    const sample = samples[i % samples.length];
    const ext = sample.endsWith('.HEIC') ? 'HEIC' : 'jpg';
    return { sample, fileName: `IMG_${String(i).padStart(5, '0')}.${ext}`, takenMs: Date.UTC(2025, 0, 1) - i * 37 * 60_000, tzOffsetMs: 3_600_000 };
  });
}

// ---- the builds compared -----------------------------------------------------------------------

interface Build {
  label: string;
  cli: string;
}

function git(args: string[], cwd = root): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
}

/** A folder holding a built tree, or a commit: checked out in a worktree beside the temp files and built once. */
function prepareBefore(before: string): Build {
  if (existsSync(path.join(before, 'dist', 'src', 'cli', 'main.js'))) {
    const label = existsSync(path.join(before, '.git')) ? git(['rev-parse', '--short', 'HEAD'], before) : path.basename(before);
    return { label, cli: path.join(before, 'dist', 'src', 'cli', 'main.js') };
  }
  const hash = git(['rev-parse', '--verify', `${before}^{commit}`]);
  const dir = path.join(os.tmpdir(), `gphotos-keep-bench-${hash.slice(0, 12)}`);
  const cli = path.join(dir, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(cli)) {
    process.stderr.write(`bench items: building ${hash.slice(0, 12)} in ${dir}…\n`);
    if (!existsSync(dir)) git(['worktree', 'add', '--detach', dir, hash]);
    const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
    execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: dir, env, stdio: 'inherit' });
  }
  return { label: hash.slice(0, 7), cli };
}

// ---- one run -------------------------------------------------------------------------------------

interface Run {
  build: string;
  code: number | null;
  downloaded: number;
  wallMs: number;
  phaseMs: number;
  cpu: Record<ProcessKind | 'total', number>;
  ownBytes: number;
  extraBytes: number;
  extraByKind: Record<string, number>;
  peakPssKb: number;
  identical: boolean;
  /** Requests the replica answered, and RPC calls by id: what a run asks per item. */
  requests: number;
  rpcCalls: Record<string, number>;
}

/** Every file the replica expects for each item is in the backup, byte for byte (sha256). */
function checkFiles(replica: Replica, outDir: string): boolean {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === '.gphotos-keep') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !entry.name.endsWith('.xmp')) found.add(createHash('sha256').update(readFileSync(full)).digest('hex'));
    }
  };
  walk(outDir);
  return replica.items.every((item) => replica.expectedFiles(item.mediaKey).every((f) => found.has(f.sha256)));
}

async function runSync(replica: Replica, build: Build, signedIn: string, concurrency: number, items: number): Promise<Run> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-bench-items-'));
  // A fresh copy of the signed-in profile each run: an HTTP cache filled by an earlier run
  // would serve the viewer's previews without fetching them, as no first backup can.
  const profileDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-bench-profile-'));
  cpSync(signedIn, profileDir, { recursive: true });
  replica.resetCounters();
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GPHOTOS_KEEP_')) env[k] = v;
  env.XDG_CONFIG_HOME = path.join(outDir, '.no-config');
  const started = performance.now();
  const child = spawn(process.execPath, [build.cli, 'sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--concurrency', String(concurrency), '--json', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const cpu = new TreeCpu(child.pid!);
  let peakPssKb = 0;
  const phase = new DownloadPhase(started);
  let tick = 0;
  // CPU every 200 ms (cheap: one stat file per process), PSS every 600 ms (smaps_rollup is not).
  const sampler = setInterval(() => {
    tick++;
    cpu.sample();
    if (tick % 3 === 0) peakPssKb = Math.max(peakPssKb, treeMemory(child.pid!).pssKb);
    phase.sample(replica);
  }, 200);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(sampler);
  const wallMs = performance.now() - started;
  const downloaded = downloadedOf(stdout);
  if (code !== 0 || downloaded !== items) process.stderr.write(`bench items: ${build.label} at concurrency ${concurrency} exited ${code} with ${downloaded}/${items} downloaded\n${stderr.slice(-2000)}\n`);
  const bytes = { ...replica.counters.bytes };
  const requests = replica.counters.total;
  const rpcCalls = { ...replica.counters.rpc };
  const identical = checkFiles(replica, outDir);
  rmSync(outDir, { recursive: true, force: true });
  rmSync(profileDir, { recursive: true, force: true });
  const extraByKind = Object.fromEntries(Object.entries(bytes).filter(([k]) => k !== 'download'));
  return {
    build: build.label,
    code,
    downloaded,
    wallMs,
    phaseMs: phase.ms,
    cpu: cpu.seconds(),
    ownBytes: bytes.download,
    extraBytes: Object.values(extraByKind).reduce((a, b) => a + b, 0),
    extraByKind,
    peakPssKb,
    identical,
    requests,
    rpcCalls,
  };
}


// ---- the table -------------------------------------------------------------------------------------


function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function spread(values: number[], format: (v: number) => string): string {
  if (values.length === 1) return format(values[0]);
  return `${format(median(values))} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
}

interface Cell {
  library: LibraryName;
  concurrency: number;
  direct: number[];
  runs: Record<string, Run[]>;
}

const whole = (r: Run): number => perMinute(r.downloaded, r.wallMs);
const phase = (r: Run): number => perMinute(r.downloaded, r.phaseMs);
const cpuMs = (r: Run, kind: ProcessKind | 'total' = 'total'): number => (r.cpu[kind] / Math.max(1, r.downloaded)) * 1000;
const extraShare = (r: Run): number => r.extraBytes / Math.max(1, r.ownBytes);

function printTable(cells: Cell[], builds: Build[]): void {
  const header = ['library', 'c', 'build', 'items/min, whole run', 'items/min, download phase', 'plain HTTP items/min', 'ratio to HTTP (whole / phase)', 'speed-up vs before', 'tree CPU ms/item', 'node / browser / renderer / other / exiftool ms', 'extra KB/item (% of own)', 'peak tree PSS MB', 'identical'];
  const rows: string[][] = [header];
  const n0 = (v: number): string => v.toFixed(0);
  const n2 = (v: number): string => v.toFixed(2);
  for (const cell of cells) {
    const limit = median(cell.direct);
    for (const build of builds) {
      const runs = cell.runs[build.label] ?? [];
      if (runs.length === 0) continue;
      const first = builds[0].label !== build.label ? cell.runs[builds[0].label] : null;
      const speedUp = first && first.length ? `${n2(median(runs.map(whole)) / median(first.map(whole)))}×` : '';
      const perKind = ['node', 'browser', 'renderer', 'chromium-other', 'exiftool'].map((k) => n0(median(runs.map((r) => cpuMs(r, k as ProcessKind))))).join(' / ');
      const extraKb = median(runs.map((r) => r.extraBytes / Math.max(1, r.downloaded) / 1024));
      rows.push([
        cell.library,
        String(cell.concurrency),
        build.label,
        spread(runs.map(whole), n0),
        spread(runs.map(phase), n0),
        n0(limit),
        `${n2(median(runs.map(whole)) / limit)} / ${n2(median(runs.map(phase)) / limit)}`,
        speedUp,
        spread(runs.map((r) => cpuMs(r)), n0),
        perKind,
        `${extraKb.toFixed(1)} (${(median(runs.map(extraShare)) * 100).toFixed(1)}%)`,
        spread(runs.map((r) => r.peakPssKb / 1024), n0),
        runs.every((r) => r.identical && r.code === 0) ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r: string[]): string => `| ${r.map((v, c) => v.padEnd(widths[c])).join(' | ')} |`;
  process.stdout.write(`${line(rows[0])}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n${rows.slice(1).map(line).join('\n')}\n`);
}

function verdicts(cells: Cell[], builds: Build[]): boolean {
  const after = builds[builds.length - 1].label;
  const before = builds.length > 1 ? builds[0].label : null;
  const find = (library: LibraryName, c: number): Cell | undefined => cells.find((x) => x.library === library && x.concurrency === c);
  const checks: [string, boolean][] = [];
  const tiny3 = find('tiny', 3);
  if (tiny3) {
    const runs = tiny3.runs[after];
    if (before) {
      const speedUp = median(runs.map(whole)) / median(tiny3.runs[before].map(whole));
      checks.push([`tiny, c3: items/min ${speedUp.toFixed(2)}× the previous build (target ≥ 4×)`, speedUp >= 4]);
    }
    const cpu = median(runs.map((r) => cpuMs(r)));
    checks.push([`tiny, c3: tree CPU ${cpu.toFixed(0)} ms per item (target ≤ 60 ms)`, cpu <= 60]);
  }
  const phone6 = find('phone', 6);
  if (phone6) {
    const runs = phone6.runs[after];
    const ratio = median(runs.map(phase)) / median(phone6.direct);
    checks.push([`phone, c6: download phase at ${ratio.toFixed(2)} of plain HTTP (target ≥ 0.9; whole run ${(median(runs.map(whole)) / median(phone6.direct)).toFixed(2)})`, ratio >= 0.9]);
  }
  for (const cell of cells.filter((c) => c.library === 'phone')) {
    const share = median(cell.runs[after].map(extraShare));
    checks.push([`phone, c${cell.concurrency}: extra bytes ${(share * 100).toFixed(2)}% of the items' own (target ≤ 2%)`, share <= 0.02]);
  }
  for (const cell of cells.filter((c) => c.concurrency === 6)) {
    const pss = median(cell.runs[after].map((r) => r.peakPssKb)) / 1024;
    checks.push([`${cell.library}, c6: peak tree PSS ${pss.toFixed(0)} MB (target ≤ 700 MB)`, pss <= 700]);
  }
  const identical = cells.every((c) => Object.values(c.runs).every((runs) => runs.every((r) => r.identical && r.code === 0)));
  checks.push(['every run exited 0 with every item byte-identical', identical]);
  process.stdout.write('\n');
  for (const [what, ok] of checks) process.stdout.write(`${ok ? 'met   ' : 'MISSED'}  ${what}\n`);
  return checks.every(([, ok]) => ok);
}

export async function benchItems(args: string[] = []): Promise<boolean> {
  const o = parseArgs(args);
  const builds: Build[] = [];
  if (o.before) builds.push(prepareBefore(o.before));
  let head = 'this tree';
  try {
    head = `this tree (${git(['rev-parse', '--short', 'HEAD'])}+)`;
  } catch {
    // Not a git checkout (a copy of the tree): the label says so.
  }
  builds.push({ label: head, cli: path.join(root, 'dist', 'src', 'cli', 'main.js') });
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  process.stderr.write(`bench items: ${o.libraries.map((l) => `${l} ${o.sizes[l]} items`).join(', ')}, ${o.latencyMs} ms latency, ${(o.bytesPerSecond / 1e6).toFixed(1)} MB/s per stream, concurrency ${o.concurrency.join(',')}, ${o.rounds} round(s); load average ${load} on ${os.cpus().length} CPUs\n`);

  const cells: Cell[] = [];
  for (const name of o.libraries) {
    const replica = await startReplica({ library: library(name, o.sizes[name]), latencyMs: o.latencyMs, bytesPerSecond: o.bytesPerSecond });
    const workDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-bench-items-'));
    try {
      // One signed-in profile, copied afresh for every run of either build.
      const signedIn = path.join(workDir, 'profile');
      await signInProfile(signedIn, replica.sessionCookie);
      const own = replica.items.reduce((sum, item) => sum + replica.expectedFiles(item.mediaKey).reduce((s, f) => s + f.bytes, 0), 0);
      process.stderr.write(`bench items: ${name}: ${replica.items.length} items, ${(own / replica.items.length / 1024).toFixed(1)} KB each on average\n`);
      const mine = o.concurrency.map((concurrency) => ({ library: name, concurrency, direct: [] as number[], runs: Object.fromEntries(builds.map((b) => [b.label, [] as Run[]])) }));
      cells.push(...mine);
      for (let round = 0; round < o.rounds; round++) {
        for (const cell of mine) {
          cell.direct.push(await directHttp(replica, cell.concurrency).then((d) => perMinute(d.items, d.ms)));
          // Interleaved, the order alternating by round: a slow spell of the machine hits both builds alike.
          const order = round % 2 === 0 ? builds : [...builds].reverse();
          for (const build of order) {
            const run = await runSync(replica, build, signedIn, cell.concurrency, replica.items.length);
            cell.runs[build.label].push(run);
            process.stderr.write(
              `  ${name} c${cell.concurrency} ${build.label}: ${whole(run).toFixed(0)} items/min (phase ${phase(run).toFixed(0)}, HTTP ${cell.direct[cell.direct.length - 1].toFixed(0)}), ${cpuMs(run).toFixed(0)} ms CPU/item [${PROCESS_KINDS.map((k) => `${k} ${cpuMs(run, k).toFixed(0)}`).join(', ')}], extra ${(run.extraBytes / Math.max(1, run.downloaded) / 1024).toFixed(1)} KB/item ${JSON.stringify(run.extraByKind)}, ${(run.requests / Math.max(1, run.downloaded)).toFixed(1)} requests/item incl. the download (RPC calls ${JSON.stringify(run.rpcCalls)}), PSS ${(run.peakPssKb / 1024).toFixed(0)} MB, load ${os.loadavg()[0].toFixed(1)}\n`,
            );
          }
        }
      }
    } finally {
      await replica.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`\nitems bench: ${o.latencyMs} ms latency per response, ${(o.bytesPerSecond / 1e6).toFixed(1)} MB/s per stream, ${o.rounds} round(s), median (min–max); load average at start ${load}, at end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n`);
  printTable(cells, builds);
  return verdicts(cells, builds);
}

// Standalone: `node dist/scripts/bench-items.js [options]`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit((await benchItems(process.argv.slice(2))) ? 0 : 1);
}
