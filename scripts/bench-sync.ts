// `npm run bench -- sync`: how fast a real `gphotos-keep sync` (a child process, like cron)
// backs up 200 items from the replica with 100 ms latency per response and 2 MB/s per
// download stream, at concurrency 1 and 4, against the limit: the same downloads fetched
// directly over HTTP (the replica's download URLs with the session cookie) at the same
// concurrency. Also the peak RSS of the whole process tree (Node, Chromium, exiftool),
// sampled from /proc.
// Targets: at concurrency 4, ≥ 0.6 of the direct-HTTP limit and ≥ 3× the concurrency-1
// rate; peak RSS of the tree ≤ 1 GB.
// The library: by default phone-sized photos (the real sample files: 2.1 MB phone JPEGs
// and HEICs, 0.8 MB and 150 KB camera JPEGs; ~1.2 MB on average), so that 2 MB/s per stream
// means what it would on a real library. `--library small` uses the replica's synthetic
// library of tiny files (~70 KB), where the three round trips the site's own Download needs
// (viewer page, VrseUb, the download) dominate and the limit is much harder to approach.
// Options: --items N, --latency MS, --bps BYTES, --concurrency 1,4, --library phone|small
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { treeMemory } from './proc-memory.js';
import { DownloadPhase, directHttp, downloadedOf, perMinute } from './download-phase.js';
import { signInProfile } from '../test/helpers/profile.js';
import { startReplica, type Replica, type ReplicaItemSpec } from '../test/replica/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');

interface Options {
  library: 'phone' | 'small';
  items: number;
  latencyMs: number;
  bytesPerSecond: number;
  concurrency: number[];
}

function parseArgs(args: string[]): Options {
  const options: Options = { library: 'phone', items: 200, latencyMs: 100, bytesPerSecond: 2_000_000, concurrency: [1, 4] };
  for (let i = 0; i < args.length; i++) {
    const value = args[i + 1];
    switch (args[i]) {
      case '--items':
        options.items = Number(value);
        i++;
        break;
      case '--latency':
        options.latencyMs = Number(value);
        i++;
        break;
      case '--bps':
        options.bytesPerSecond = Number(value);
        i++;
        break;
      case '--library':
        if (value !== 'phone' && value !== 'small') throw new Error('bench sync: --library is phone or small');
        options.library = value;
        i++;
        break;
      case '--concurrency':
        options.concurrency = value.split(',').map(Number);
        i++;
        break;
      default:
        throw new Error(`bench sync: unknown argument ${args[i]}`);
    }
  }
  return options;
}

// ---- one browser run ------------------------------------------------------------------------

interface BrowserRun {
  concurrency: number;
  code: number | null;
  wallMs: number;
  /** From the first download request the replica saw to the last completed one. */
  downloadPhaseMs: number;
  downloaded: number;
  peakTreeKb: number;
  peakTreePssKb: number;
  peakProcesses: number;
}

async function runSync(replica: Replica, profileDir: string, concurrency: number, total: number): Promise<BrowserRun> {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-bench-out-'));
  replica.resetCounters();
  const started = performance.now();
  const phase = new DownloadPhase(started);
  const child = spawn(process.execPath, [cli, 'sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--concurrency', String(concurrency), '--json', '--quiet'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_CONFIG_HOME: path.join(outDir, 'no-config') },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  let peakTreeKb = 0;
  let peakTreePssKb = 0;
  let peakProcesses = 0;
  let sampledAt = 0;
  const sampler = setInterval(() => {
    // The tree every 250 ms (reading smaps_rollup is not free), the counters every 50 ms.
    if (child.pid && performance.now() - sampledAt >= 250) {
      sampledAt = performance.now();
      const tree = treeMemory(child.pid);
      if (tree.rssKb > peakTreeKb) peakTreeKb = tree.rssKb;
      if (tree.pssKb > peakTreePssKb) peakTreePssKb = tree.pssKb;
      if (tree.processes > peakProcesses) peakProcesses = tree.processes;
    }
    phase.sample(replica);
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearInterval(sampler);
  const wallMs = performance.now() - started;
  const downloaded = downloadedOf(stdout);
  if (code !== 0 || downloaded !== total) process.stderr.write(`bench sync: concurrency ${concurrency} exited ${code} with ${downloaded}/${total} downloaded\n${stderr.slice(-2000)}\n`);
  rmSync(outDir, { recursive: true, force: true });
  return { concurrency, code, wallMs, downloadPhaseMs: phase.ms, downloaded, peakTreeKb, peakTreePssKb, peakProcesses };
}

// ---- the limit: the same downloads over plain HTTP ----------------------------------------



/** n photos from the real phone and camera samples, one every 37 minutes back from 2025. */
function phoneLibrary(n: number): ReplicaItemSpec[] {
  const samples = ['mobile__HMD_Nokia_8.3_5G.jpg', 'mobile__iphone_13_pro_max.HEIC', 'mobile__jolla.jpg', 'gps__DSCN0010.jpg', 'mobile__HMD_Nokia_8.3_5G.jpg', 'mobile__iphone_13_pro_max.HEIC', 'gps__DSCN0021.jpg'];
  return Array.from({ length: n }, (_, i) => {
    const sample = samples[i % samples.length];
    const ext = sample.endsWith('.HEIC') ? 'HEIC' : 'jpg';
    return { sample, fileName: `IMG_${String(i).padStart(5, '0')}.${ext}`, takenMs: Date.UTC(2025, 0, 1) - i * 37 * 60_000, tzOffsetMs: 3_600_000 };
  });
}

export async function benchSync(args: string[] = []): Promise<boolean> {
  const options = parseArgs(args);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-bench-'));
  const replica = await startReplica({ library: options.library === 'small' ? { synthetic: options.items } : phoneLibrary(options.items), latencyMs: options.latencyMs, bytesPerSecond: options.bytesPerSecond });
  const downloadable = replica.items.filter((i) => !i.processing).length;
  try {
    const profileDir = path.join(workDir, 'profile');
    await signInProfile(profileDir, replica.sessionCookie);
    const totalBytes = replica.items.reduce((sum, item) => sum + replica.expectedFiles(item.mediaKey).reduce((s, f) => s + f.bytes, 0), 0);
    process.stderr.write(
      `bench sync: ${options.library} library, ${options.items} items (${(totalBytes / 1024 / 1024).toFixed(1)} MB), ${options.latencyMs} ms latency per response, ${(options.bytesPerSecond / 1e6).toFixed(1)} MB/s per stream; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs\n`,
    );

    const rows: { concurrency: number; browser: BrowserRun; direct: { ms: number; items: number } }[] = [];
    for (const concurrency of options.concurrency) {
      const direct = await directHttp(replica, concurrency);
      const browser = await runSync(replica, profileDir, concurrency, downloadable);
      rows.push({ concurrency, browser, direct });
    }

    const table: string[][] = [['concurrency', 'sync items/min (whole run)', 'sync items/min (download phase)', 'direct HTTP items/min', 'ratio (whole run)', 'ratio (download phase)', 'peak RSS, tree (MB)', 'peak PSS, tree (MB)', 'processes']];
    for (const { concurrency, browser, direct } of rows) {
      const whole = perMinute(browser.downloaded, browser.wallMs);
      const phase = perMinute(browser.downloaded, browser.downloadPhaseMs);
      const limit = perMinute(direct.items, direct.ms);
      table.push([
        String(concurrency),
        whole.toFixed(0),
        phase.toFixed(0),
        limit.toFixed(0),
        (whole / limit).toFixed(2),
        (phase / limit).toFixed(2),
        (browser.peakTreeKb / 1024).toFixed(0),
        (browser.peakTreePssKb / 1024).toFixed(0),
        String(browser.peakProcesses),
      ]);
    }
    const widths = table[0].map((_, col) => Math.max(...table.map((row) => row[col].length)));
    const line = (row: string[]): string => `| ${row.map((cell, col) => cell.padEnd(widths[col])).join(' | ')} |`;
    const out = [line(table[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.slice(1).map(line)];
    process.stdout.write(`${out.join('\n')}\n`);

    const c1 = rows.find((r) => r.concurrency === 1);
    const c4 = rows.find((r) => r.concurrency === 4);
    let ok = rows.every((r) => r.browser.code === 0 && r.browser.downloaded === downloadable);
    const verdicts: string[] = [];
    if (c4) {
      const c4Rate = perMinute(c4.browser.downloaded, c4.browser.wallMs);
      const c4Limit = perMinute(c4.direct.items, c4.direct.ms);
      const vsLimit = c4Rate / c4Limit;
      verdicts.push(`c4 / direct-HTTP limit = ${vsLimit.toFixed(2)} (target ≥ 0.60): ${vsLimit >= 0.6 ? 'met' : 'MISSED'}`);
      ok &&= vsLimit >= 0.6;
      if (c1) {
        const speedup = c4Rate / perMinute(c1.browser.downloaded, c1.browser.wallMs);
        verdicts.push(`c4 / c1 = ${speedup.toFixed(2)} (target ≥ 3.0): ${speedup >= 3 ? 'met' : 'MISSED'}`);
        ok &&= speedup >= 3;
      }
    }
    const peakMb = Math.max(...rows.map((r) => r.browser.peakTreeKb)) / 1024;
    verdicts.push(`peak RSS of the tree = ${peakMb.toFixed(0)} MB (target ≤ 1024 MB): ${peakMb <= 1024 ? 'met' : 'MISSED'}`);
    ok &&= peakMb <= 1024;
    process.stdout.write(`${verdicts.join('\n')}\n`);
    return ok;
  } finally {
    await replica.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}
