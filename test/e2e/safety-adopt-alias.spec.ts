// `adopt --move` never deletes the only copy (issue 14 point 1): the folder to adopt from and
// --out may be one folder under two paths (a symbolic link, a bind mount). Every guard asks
// the file system which folder a path is (device and inode after realpath), not its spelling,
// and --move refuses a source and a backup folder that overlap.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import type { Replica } from '../replica/index.js';
import { localYearMonth, replicaBytes, sha256 } from './adopt-fixtures.js';

test.use({ replicaOptions: { library: [{ sample: 'gps__DSCN0010.jpg' }, { sample: 'gps__DSCN0012.jpg' }, { sample: 'gps__DSCN0021.jpg' }] } });

function common(replica: Replica, profileDir: string): string[] {
  return ['--profile', profileDir, '--base-url', replica.baseUrl, '--json'];
}

/** A folder of exact copies laid out as a backup would be (`YYYY/MM/<name>`), without an index: the user's only copies. */
async function photos(replica: Replica, root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const item of replica.items) {
    const dir = path.join(root, localYearMonth(item));
    mkdirSync(dir, { recursive: true });
    const bytes = await replicaBytes(replica, item.mediaKey);
    writeFileSync(path.join(dir, item.fileName), bytes);
    files.set(path.join(dir, item.fileName), sha256(bytes));
  }
  return files;
}

function expectAllThere(files: Map<string, string>): void {
  for (const [file, hash] of files) {
    expect(existsSync(file), `${file} still there`).toBe(true);
    expect(sha256(readFileSync(file)), file).toBe(hash);
  }
}

test('--move refuses a source that is --out through a symbolic link or a bind mount, or lies inside it, and nothing is deleted', async ({ replica, workDir, profileDir }) => {
  const root = path.join(workDir, 'photos');
  const files = await photos(replica, root);
  const alias = path.join(workDir, 'photos-link');
  symlinkSync(root, alias);

  // The same folder through a symbolic link, both ways round.
  for (const [from, out] of [[alias, root], [root, alias]]) {
    const result = await runCli(['adopt', '--from-folder', from, '--out', out, '--move', ...common(replica, profileDir)]);
    expectAllThere(files);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/same folder/);
  }
  // A part of the backup folder, reached through the link.
  const inside = await runCli(['adopt', '--from-folder', path.join(alias, '2008'), '--out', root, '--move', ...common(replica, profileDir)]);
  expectAllThere(files);
  expect(inside.code, inside.stderr).toBe(2);
  expect(inside.stderr).toMatch(/inside/);

  // A bind mount: no link to resolve, the same device and inode.
  const bound = path.join(workDir, 'photos-bound');
  mkdirSync(bound);
  try {
    execFileSync('mount', ['--bind', root, bound]);
  } catch (error) {
    test.skip(true, `needs root for a bind mount: ${(error as Error).message}`);
  }
  try {
    const result = await runCli(['adopt', '--from-folder', bound, '--out', root, '--move', ...common(replica, profileDir)]);
    expectAllThere(files);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/same folder/);
  } finally {
    execFileSync('umount', [bound]);
  }
});
