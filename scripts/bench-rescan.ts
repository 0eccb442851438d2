// `npm run bench -- rescan`: incremental sync at library scale, against the replica with
// 100 ms latency per response. For 10,000 and 100,000 items it pre-fills the index as if
// every item were backed up, then runs the real CLI (a child process, like cron):
//   1. `sync --rescan`: the full-rescan enumeration rate (items/s, from the run's own log line)
//      and the peak RSS of the gphotos-keep process and of its whole tree (with Chromium);
//   2. `sync`: a no-op incremental run, wall time from spawn to exit, browser start included.
// Targets: no-op ≤ 10 s at 100k; rescan ≥ 2,500 items/s; peak RSS at 100k within 10% of 10k.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openIndex } from '../src/store/database.js';
import { recordDownloaded } from '../src/store/files.js';
import { upsertItems } from '../src/store/items.js';
import type { RemoteItem } from '../src/site/types.js';
import { signInProfile } from '../test/helpers/profile.js';
import { startReplica, type ReplicaItem } from '../test/replica/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
const LATENCY_MS = 100;

interface RunMeasure {
  code: number | null;
  wallMs: number;
  /** Peak resident set of the gphotos-keep (Node) process, from the kernel's high-water mark. */
  nodePeakKb: number;
  /** Peak of the summed PSS of the process and all its descendants (Chromium), sampled every 250 ms. */
  treePeakKb: number;
  summary: Record<string, unknown> | null;
  logLines: string[];
}

// ---- /proc sampling ------------------------------------------------------------------------

function readStatus(pid: number): { rssKb: number; hwmKb: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(text);
    const hwm = /VmHWM:\s+(\d+)/.exec(text);
    return { rssKb: rss ? Number(rss[1]) : 0, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return null;
  }
}

function childrenMap(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(name));
      map.set(ppid, list);
    } catch {
      // The process ended between readdir and read.
    }
  }
  return map;
}

/** Proportional set size: shared pages (Chromium's processes share most of theirs) counted once overall. */
function pssKb(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return readStatus(pid)?.rssKb ?? 0;
  }
}

function treePssKb(pid: number): number {
  const children = childrenMap();
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const current = stack.pop()!;
    total += pssKb(current);
    stack.push(...(children.get(current) ?? []));
  }
  return total;
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
    const sample = (): void => {
      const status = readStatus(pid);
      if (status) nodePeakKb = Math.max(nodePeakKb, status.hwmKb);
      if (process.env.BENCH_VERBOSE && status && Date.now() - lastPrinted >= 1000) {
        lastPrinted = Date.now();
        process.stderr.write(`  +${((Date.now() - wallStart) / 1000).toFixed(1)}s rss ${mb(status.rssKb)} (peak ${mb(status.hwmKb)})\n`);
      }
      treePeakKb = Math.max(treePeakKb, treePssKb(pid));
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
      resolve({ code, wallMs: performance.now() - started, nodePeakKb, treePeakKb, summary, logLines });
    });
  });
}

// ---- the index as if every item were backed up ---------------------------------------------

function asRemoteItem(item: ReplicaItem): RemoteItem {
  return {
    mediaKey: item.mediaKey,
    dedupKey: item.dedupKey,
    takenMs: item.takenMs,
    tzOffsetMs: item.tzOffsetMs,
    uploadedMs: item.uploadedMs,
    width: item.width,
    height: item.height,
    kind: item.kind,
    videoDurationMs: item.durationMs || null,
    favorite: item.favorite,
    archived: item.archived,
    notOwned: false,
    hasGeo: item.location !== null,
    caption: item.description || null,
    sizeBytes: null,
  };
}

function prefillIndex(outDir: string, items: ReplicaItem[]): void {
  const db = openIndex(outDir);
  try {
    const now = Date.now();
    for (let i = 0; i < items.length; i += 1000) {
      const batch = items.slice(i, i + 1000);
      db.transaction(() => {
        upsertItems(db, batch.map(asRemoteItem), now);
        // Done with no file on record: the bench measures listing, not downloads.
        for (const item of batch) recordDownloaded(db, item.mediaKey, [], {}, now);
      })();
    }
  } finally {
    db.close();
  }
}

// ---- the bench -----------------------------------------------------------------------------

interface SizeResult {
  items: number;
  rescan: RunMeasure;
  rate: number | null;
  noop: RunMeasure;
}

async function benchSize(items: number): Promise<SizeResult> {
  const replica = await startReplica({ library: { synthetic: items }, latencyMs: LATENCY_MS });
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-bench-rescan-'));
  try {
    const profileDir = path.join(workDir, 'profile');
    const outDir = path.join(workDir, 'backup');
    await signInProfile(profileDir, replica.sessionCookie);
    process.stderr.write(`bench rescan: ${items} items: pre-filling the index…\n`);
    prefillIndex(outDir, replica.items);
    const base = ['--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl];
    process.stderr.write(`bench rescan: ${items} items: sync --rescan…\n`);
    const rescan = await runSync([...base, '--rescan']);
    if (rescan.code !== 0) throw new Error(`sync --rescan exited ${rescan.code}:\n${rescan.logLines.slice(-20).join('\n')}`);
    const line = rescan.logLines.find((l) => /^full rescan: \d+ listed/.test(l));
    const rate = line ? Number(/\((\d+) items\/s/.exec(line)?.[1] ?? NaN) : null;
    process.stderr.write(`bench rescan: ${items} items: ${line ?? 'no rescan line in the log'}\n`);
    process.stderr.write(`bench rescan: ${items} items: no-op sync…\n`);
    const noop = await runSync(base);
    if (noop.code !== 0) throw new Error(`sync exited ${noop.code}:\n${noop.logLines.slice(-20).join('\n')}`);
    if (noop.summary?.fullRescan !== false || noop.summary?.downloaded !== 0) throw new Error(`the no-op run was not a no-op: ${JSON.stringify(noop.summary)}`);
    return { items, rescan, rate, noop };
  } finally {
    await replica.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

const mb = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;

export async function benchRescan(sizes: number[] = [10_000, 100_000]): Promise<boolean> {
  const results: SizeResult[] = [];
  for (const size of sizes) results.push(await benchSize(size));
  const small = results[0];
  const large = results[results.length - 1];
  const rows: [string, ...string[]][] = [
    ['measure', ...results.map((r) => `${r.items.toLocaleString('en-US')} items`), 'target'],
    ['no-op incremental run, wall (incl. browser start)', ...results.map((r) => `${(r.noop.wallMs / 1000).toFixed(1)} s`), '≤ 10 s at 100k'],
    ['full rescan: enumeration rate', ...results.map((r) => (r.rate === null ? '?' : `${r.rate.toLocaleString('en-US')} items/s`)), '≥ 2,500 items/s'],
    ['full rescan: wall (incl. browser start)', ...results.map((r) => `${(r.rescan.wallMs / 1000).toFixed(1)} s`), ''],
    ['peak RSS, gphotos-keep process (rescan)', ...results.map((r) => mb(r.rescan.nodePeakKb)), '100k within 10% of 10k'],
    ['peak PSS, process tree incl. Chromium (rescan)', ...results.map((r) => mb(r.rescan.treePeakKb)), ''],
    ['peak RSS, gphotos-keep process (no-op)', ...results.map((r) => mb(r.noop.nodePeakKb)), ''],
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row: string[]): string => `| ${row.map((cell, c) => cell.padEnd(widths[c])).join(' | ')} |`;
  process.stdout.write(`\nrescan bench: replica with ${LATENCY_MS} ms latency per response\n\n`);
  process.stdout.write(`${line(rows[0])}\n| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n`);
  for (const row of rows.slice(1)) process.stdout.write(`${line(row)}\n`);

  const checks: [string, boolean][] = [];
  if (large.items >= 100_000) checks.push([`no-op run at ${large.items} items ≤ 10 s`, large.noop.wallMs <= 10_000]);
  checks.push(['rescan ≥ 2,500 items/s', results.every((r) => r.rate !== null && r.rate >= 2500)]);
  if (results.length > 1) {
    const growth = large.rescan.nodePeakKb / small.rescan.nodePeakKb - 1;
    checks.push([`peak RSS at ${large.items} within 10% of ${small.items} (${(growth * 100).toFixed(1)}%)`, growth <= 0.1]);
  }
  process.stdout.write('\n');
  for (const [what, ok] of checks) process.stdout.write(`${ok ? 'met   ' : 'MISSED'}  ${what}\n`);
  return checks.every(([, ok]) => ok);
}

// Standalone: `node dist/scripts/bench-rescan.js [sizes…]`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
  const ok = await benchRescan(sizes.length ? sizes : undefined);
  process.exit(ok ? 0 : 1);
}
