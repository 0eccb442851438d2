// `npm run demo` shows what a user sees on a terminal: the live progress display and the human
// summary of a real sync, then the tree of files with their sizes, exiftool reading the GPS
// back from a kept photo, and the backup's report.html. Run on a pseudo-terminal (util-linux
// `script`), twice: the second run downloads nothing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test, expect } from '@playwright/test';

const DEMO = fileURLToPath(new URL('../../dist/scripts/demo.js', import.meta.url));
const hasScript = spawnSync('script', ['--version']).status === 0;

function demoOnTerminal(outDir: string): Promise<{ code: number | null; screen: string }> {
  const command = `stty cols 100 rows 40; exec '${process.execPath}' '${DEMO}' '${outDir}'`;
  return new Promise((resolve) => {
    const child = spawn('script', ['-q', '-f', '-e', '-c', command, '/dev/null'], { env: { ...process.env, TERM: 'xterm-256color', XDG_CONFIG_HOME: '/nonexistent-gphotos-keep-config' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d));
    child.stderr.on('data', (d) => (screen += d));
    child.on('close', (code) => resolve({ code, screen }));
  });
}

test('the demo on a terminal: the bar, the summary, the tree, GPS read back by exiftool, the report; nothing twice', async () => {
  test.skip(!hasScript, 'util-linux script is not installed');
  test.setTimeout(240_000);
  const work = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-demo-'));
  const outDir = path.join(work, 'demo-backup');
  try {
    const first = await demoOnTerminal(outDir);
    const plain = first.screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
    expect(first.code, plain).toBe(0);
    // What gphotos-keep itself drew: the live display, then the summary a person reads.
    expect(plain).toMatch(/downloads {2}\[#+\] 22\/22 · /);
    expect(plain).toMatch(/^found 22 \(22 new\) · downloaded 21 \(11\.\d MB\) · already had 0 · deferred 1 \(still processing in Google; retried next run\) · failed 0 · in \d+s$/m);
    // No JSON, no log objects spread over lines.
    expect(plain).not.toMatch(/^\s*[{"]/m);
    // The tree, with sizes in the one unit system (kB and MB of 1000).
    expect(plain).toMatch(/^├── 2008\/$/m);
    expect(plain).toMatch(/^│ {3}└── 10\/$/m);
    expect(plain).toMatch(/DSCN0010\.jpg {2}161\.8 kB$/m);
    expect(plain).not.toMatch(/MiB|KiB/);
    // The point of it all: the original's GPS, read back from the kept file by exiftool.
    expect(plain).toMatch(/^GPS Position +: 43 deg 28' 2\.81" N, 11 deg 53' 6\.46" E$/m);
    expect(existsSync(path.join(outDir, 'report.html'))).toBe(true);

    const second = await demoOnTerminal(outDir);
    const again = second.screen.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
    expect(second.code, again).toBe(0);
    expect(again).toMatch(/^found 22 \(0 new\) · downloaded 0 · already had 21 · deferred 1 /m);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
