// What a person sees: on a terminal a live display (listing and downloads on their own lines,
// items done/total, bytes, rate, ETA); -q keeps it quiet; without a terminal only log lines.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { CLI_ENTRY, cleanEnv, runCli } from '../helpers/cli.js';
import { sampleLibrary } from '../replica/index.js';

test.use({ replicaOptions: { library: sampleLibrary().filter((s) => s.sample.startsWith('gps__')).slice(0, 4) } });

const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs the CLI on a pseudo-terminal (util-linux `script`), returning everything the terminal received. */
function runOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, CLI_ENTRY, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], { env: { ...env, TERM: 'xterm-256color', COLUMNS: '200', LINES: '40' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d));
    child.stderr.on('data', (d) => (screen += d));
    child.on('close', (code) => resolve({ code, screen }));
  });
}

test('on a terminal: a live display with listing and downloads on separate lines', async ({ replica, profileDir, outDir }) => {
  test.skip(!hasScript, 'util-linux script is not installed');
  replica.faults.bytesPerSecond = 150_000;
  const { code, screen } = await runOnTerminal(['sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--concurrency', '2'], cleanEnv());
  expect(code, screen).toBe(0);
  const plain = screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  expect(plain).toMatch(/listing\s+4 items found, 4 new \(done\)/);
  expect(plain).toMatch(/downloads\s+\[#+\] 4\/4 items \| \d+(\.\d+)? kB \| \d+(\.\d+)? (B|kB|MB)\/s \| ETA \S+ \| 0 failed, 0 waiting/);
  // Partial progress was drawn on the way (the display redraws in place with cursor moves).
  expect(plain).toMatch(/downloads\s+\[[#-]+\] [0-3]\/4 items/);
  expect(screen).toMatch(/\u001b\[/);
  // Log lines still arrive (above the display), pretty-printed for a person.
  expect(plain).toMatch(/INFO.*signed in/);
});

test('-q on a terminal: no display and no info lines, only the summary', async ({ replica, profileDir, outDir }) => {
  test.skip(!hasScript, 'util-linux script is not installed');
  const { code, screen } = await runOnTerminal(['sync', '-q', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], cleanEnv());
  expect(code, screen).toBe(0);
  expect(screen).not.toContain('downloads  [');
  expect(screen).not.toContain('INFO');
  expect(screen).toContain('Listed 4 items (4 new)');
});

test('no terminal: JSON log lines only, a progress line when the listing ends; -v adds per-item debug lines; --log-file gets them too', async ({ replica, profileDir, outDir, workDir }) => {
  const logFile = path.join(workDir, 'sync.log');
  const result = await runCli(['sync', '-v', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--log-file', logFile], { env: cleanEnv() });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stderr).not.toMatch(/\u001b\[/);
  const lines = result.stderr.split('\n').filter((l) => l.startsWith('{'));
  const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string; event?: string });
  expect(records.some((r) => r.msg === 'listing done: 4 items, 4 new')).toBe(true);
  expect(records.filter((r) => r.level === 20 && r.msg === 'item' && r.event === 'downloaded')).toHaveLength(4);
  const fileRecords = readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { msg: string });
  expect(fileRecords.some((r) => r.msg === 'listing done: 4 items, 4 new')).toBe(true);

  const quiet = await runCli(['sync', '-q', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl], { env: cleanEnv() });
  expect(quiet.code).toBe(0);
  expect(quiet.stderr.split('\n').filter((l) => l.startsWith('{'))).toEqual([]);
});
