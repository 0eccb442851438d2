// What a person sees: on a terminal a live display (listing and downloads on their own lines,
// items done/total, bytes, rate, ETA) that fits the terminal, with log lines printed above it;
// the first Ctrl-C is answered at once; -q keeps it quiet; without a terminal only human log
// lines on stderr (JSON goes to --log-file).
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { CLI_ENTRY, cleanEnv, runCli } from '../helpers/cli.js';
import { sampleLibrary } from '../replica/index.js';

test.use({ replicaOptions: { library: sampleLibrary().filter((s) => s.sample.startsWith('gps__')).slice(0, 4) } });

const hasScript = spawnSync('script', ['--version']).status === 0;

interface Terminal {
  /** Everything the terminal received so far. */
  screen: () => string;
  /** Types on the terminal's keyboard (\u0003 is Ctrl-C: the terminal signals the foreground processes). */
  type: (text: string) => void;
  done: Promise<number | null>;
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`) of the given width. */
function openTerminal(args: string[], env: NodeJS.ProcessEnv, columns = 200): Terminal {
  const command = `stty cols ${columns} rows 40; exec ${[process.execPath, CLI_ENTRY, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')}`;
  const child = spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], { env: { ...env, TERM: 'xterm-256color' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d) => (screen += d));
  child.stderr.on('data', (d) => (screen += d));
  return { screen: () => screen, type: (text) => child.stdin.write(text), done: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

async function runOnTerminal(args: string[], env: NodeJS.ProcessEnv, columns = 200): Promise<{ code: number | null; screen: string }> {
  const terminal = openTerminal(args, env, columns);
  const code = await terminal.done;
  return { code, screen: terminal.screen() };
}

const plainText = (screen: string) => screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

test('on a terminal: a live display with listing and downloads on separate lines', async ({ replica, profileDir, outDir }) => {
  test.skip(!hasScript, 'util-linux script is not installed');
  replica.faults.bytesPerSecond = 150_000;
  const { code, screen } = await runOnTerminal(['sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--concurrency', '2'], cleanEnv());
  expect(code, screen).toBe(0);
  const plain = plainText(screen);
  expect(plain).toMatch(/listing\s+4 found, 4 new · done/);
  expect(plain).toMatch(/downloads\s+\[#+\] 4\/4 · \d+(\.\d+)? kB · ETA \S+ · \d+(\.\d+)? (B|kB|MB)\/s/);
  // Partial progress was drawn on the way (the display redraws in place with cursor moves).
  expect(plain).toMatch(/downloads\s+\[[#-]+\] [0-3]\/4/);
  expect(screen).toMatch(/\u001b\[/);
  // Log lines still arrive (above the display), pretty-printed for a person.
  expect(plain).toMatch(/INFO.*signed in/);
});

test('-q on a terminal: no display, no info lines, and no summary when the run completes', async ({ replica, profileDir, outDir }) => {
  test.skip(!hasScript, 'util-linux script is not installed');
  const { code, screen } = await runOnTerminal(['sync', '-q', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], cleanEnv());
  expect(code, screen).toBe(0);
  // -q prints nothing at all on a run that completes (exit 0).
  expect(plainText(screen).trim()).toBe('');
});

test('no terminal: human log lines only (a line when the listing ends), -v adds per-item debug lines; --log-file gets them as JSON', async ({ replica, profileDir, outDir, workDir }) => {
  const logFile = path.join(workDir, 'sync.log');
  const result = await runCli(['sync', '-v', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--log-file', logFile], { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/\u001b\[/);
  const lines = result.stderr.split('\n').filter(Boolean);
  expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
  expect(lines).toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d INFO {2}listing done: 4 items, 4 new$/));
  expect(lines.filter((l) => /^\d\d:\d\d:\d\d DEBUG item \(event: downloaded, mediaKey: \S+\)$/.test(l))).toHaveLength(4);
  const fileRecords = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; event?: string });
  expect(fileRecords.some((r) => r.msg === 'listing done: 4 items, 4 new')).toBe(true);
  expect(fileRecords.filter((r) => r.level === 20 && r.msg === 'item' && r.event === 'downloaded')).toHaveLength(4);

  const quiet = await runCli(['sync', '-q', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(quiet.code).toBe(0);
  expect(quiet.stderr).toBe('');
});

test('80 columns: the display never wraps, log lines print above it cleanly, and --limit is what the bar and the ETA count', async ({ replica, profileDir, outDir }) => {
  test.skip(!hasScript, 'util-linux script is not installed');
  replica.faults.bytesPerSecond = 150_000;
  const { code, screen } = await runOnTerminal(['sync', '--limit', '2', '--concurrency', '1', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], cleanEnv(), 80);
  expect(code, screen).toBe(0);
  // Every frame: each display line fits in 79 columns (a wrapped line would garble the redraw).
  const frames = plainText(screen).split(/\r|\n/).filter((l) => /^(listing|downloads) {2}/.test(l));
  expect(frames.length).toBeGreaterThan(4);
  for (const line of frames) expect(line.length, line).toBeLessThanOrEqual(79);
  // This run downloads 2 of the 4: the bar counts 2, never 4.
  const totals = new Set(frames.filter((l) => l.startsWith('downloads')).map((l) => /\] \d+\/(\d+)/.exec(l)?.[1]));
  expect([...totals].filter((t) => t !== '0')).toEqual(['2']);
  // A log line is printed where the display was (erased first), and the display is drawn again below it.
  const logAt = [...screen.matchAll(/INFO/g)].map((m) => m.index!);
  expect(logAt.length).toBeGreaterThan(0);
  for (const at of logAt) {
    const before = screen.slice(Math.max(0, at - 40), at);
    expect(before, JSON.stringify(screen.slice(Math.max(0, at - 80), at + 40))).toMatch(/\u001b\[J(\u001b\[[0-9;]*m)?\d\d:\d\d:\d\d(\u001b\[[0-9;]*m)? (\u001b\[[0-9;]*m)?$/);
  }
  expect(plainText(screen)).toMatch(/found 4 \(4 new\) · downloaded 2 \([\d.]+ kB\) · already had 0 · deferred 0 · failed 0 · left for the next run 2/);
});

test('Ctrl-C: the first is answered at once with what is still in flight, the run finishes it (exit 3, interrupted); a second stops now with 130', async ({ replica, profileDir, outDir }) => {
  test.skip(!hasScript, 'util-linux script is not installed');
  replica.faults.bytesPerSecond = 40_000;
  // One page slot: two items in flight at most, so the stop leaves some for the next run.
  const args = ['sync', '--concurrency', '1', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl];
  const first = openTerminal(args, cleanEnv(), 80);
  await expect.poll(() => /downloads {2}\[[#-]+\] [0-3]\/4/.test(plainText(first.screen())), { timeout: 60_000 }).toBe(true);
  await expect.poll(() => Object.keys(replica.counters.downloadStarts).length, { timeout: 60_000 }).toBeGreaterThan(0);
  first.type('\u0003');
  // Answered while the downloads still run, not when the run ends.
  await expect.poll(() => plainText(first.screen()), { timeout: 10_000 }).toMatch(/finishing [12] downloads? in flight; Ctrl-C again to stop now/);
  const answeredAt = plainText(first.screen()).length;
  const code = await first.done;
  const after = plainText(first.screen()).slice(answeredAt);
  expect(code, first.screen()).toBe(3);
  expect(after).toMatch(/Interrupted: the downloads in flight were finished and recorded/);
  expect(after).toMatch(/downloaded [1-3] .* left for the next run [1-3]/);

  // Twice: out at once, with the shell's code for SIGINT.
  replica.faults.bytesPerSecond = 5_000;
  const second = openTerminal(args, cleanEnv(), 80);
  await expect.poll(() => Object.keys(replica.counters.downloadStarts).length, { timeout: 60_000 }).toBeGreaterThan(1);
  await expect.poll(() => /downloads {2}\[/.test(plainText(second.screen())), { timeout: 60_000 }).toBe(true);
  second.type('\u0003');
  await expect.poll(() => plainText(second.screen()), { timeout: 10_000 }).toMatch(/Ctrl-C again to stop now/);
  second.type('\u0003');
  expect(await second.done).toBe(130);
});
