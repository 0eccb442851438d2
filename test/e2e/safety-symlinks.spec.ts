// Never outside --out (issue 14 point 3): a symbolic link planted inside the backup folder
// (`out/2008 → ../elsewhere`, the trash → elsewhere) must not carry a download or a file moved
// aside out of the backup. Every write, move and mkdir checks each folder from --out down and
// refuses a link, naming it.
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { TRASH_DIR } from '../../src/folder/trash.js';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import { readIndex, sha256, sync } from './sync-helpers.js';

test.use({
  replicaOptions: {
    library: [
      { sample: 'gps__DSCN0010.jpg' },
      { sample: 'gps__DSCN0012.jpg' },
      { sample: 'mobile__HMD_Nokia_8.3_5G.jpg', fileName: 'IMG_20220814_141231.jpg' },
    ],
  },
});

function everything(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir, { recursive: true }).map(String).sort() : [];
}

test('a year folder that is a symbolic link to elsewhere: nothing lands outside the backup, the run stops naming the link', async ({ replica, workDir, outDir, profileDir }) => {
  const elsewhere = path.join(workDir, 'elsewhere');
  mkdirSync(elsewhere);
  mkdirSync(outDir);
  symlinkSync('../elsewhere', path.join(outDir, '2008'));

  const result = await sync(replica, outDir, profileDir);
  expect(everything(elsewhere), 'files written through the link').toEqual([]);
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain(`${path.join(outDir, '2008')} is a symbolic link`);
  // Nothing of 2008 is recorded as kept.
  readIndex(outDir, (index) => {
    for (const item of replica.items.filter((i) => i.sample.startsWith('gps__'))) expect(index.files(item.mediaKey)).toEqual([]);
  });
});

test('a trash that is a symbolic link to elsewhere: verify --fix moves nothing out of the backup and the changed file stays where it is', async ({ replica, workDir, outDir, profileDir }) => {
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);
  const item = replica.items.find((i) => i.sample === 'gps__DSCN0010.jpg')!;
  const rel = readIndex(outDir, (index) => index.files(item.mediaKey).find((f) => f.role === 'main')!.rel_path);
  const file = path.join(outDir, rel);
  appendFileSync(file, 'edited by hand');
  const changed = sha256(file);

  const elsewhere = path.join(workDir, 'elsewhere-trash');
  mkdirSync(elsewhere);
  symlinkSync(elsewhere, path.join(outDir, TRASH_DIR));

  const fix = await runCli(['verify', '--out', outDir, '--fix', '--json'], { env: cleanEnv() });
  expect(everything(elsewhere), 'files moved through the link').toEqual([]);
  expect(fix.stderr + fix.stdout).toContain(`${path.join(outDir, TRASH_DIR)} is a symbolic link`);
  // Not moved, not lost, and not re-queued over it.
  expect(sha256(file)).toBe(changed);
  expect(readFileSync(file).subarray(-14).toString()).toBe('edited by hand');
  readIndex(outDir, (index) => expect(index.item(item.mediaKey)?.state).toBe('done'));
});
