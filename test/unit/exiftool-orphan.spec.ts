// kill -9 of a run must not leave its exiftool behind: exiftool's stay-open loop would poll
// stdin forever, one orphaned perl process per crash.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const inspectModule = new URL('../../dist/src/media/inspect.js', import.meta.url).href;
const sample = fileURLToPath(new URL('../fixtures/media/gps__DSCN0010.jpg', import.meta.url));

function childrenOf(pid: number): number[] {
  const path = `/proc/${pid}/task/${pid}/children`;
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}
function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== 'Z';
  } catch {
    return false;
  }
}

test('exiftool ends when the run that started it is killed with SIGKILL', async () => {
  const script = `const { MediaInspector } = await import(${JSON.stringify(inspectModule)});
    const inspector = new MediaInspector();
    await inspector.inspect(${JSON.stringify(sample)});
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  const descendants: number[] = [];
  const walk = (pid: number) => childrenOf(pid).forEach((c) => (descendants.push(c), walk(c)));
  walk(child.pid!);
  const perl = descendants.filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('perl'));
  expect(perl.length).toBeGreaterThanOrEqual(1);
  child.kill('SIGKILL');
  await expect.poll(() => perl.filter(alive), { timeout: 10_000 }).toEqual([]);
});
