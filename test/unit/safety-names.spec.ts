// Names that always fit (issue 14 point 8), on real file systems: NAME_MAX is read from the
// folder itself (a probe, compared with what `stat -f` reports), names are cut to it with their
// extension and suffixes kept, and a name the file system still refuses fails that item — an
// error that does not stop the run — with the file system's reason.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostileNameError } from '../../src/errors.js';
import { moveInto } from '../../src/folder/durable.js';
import { nameForRole } from '../../src/folder/layout.js';
import { NAME_RESERVE, nameBudget, nameMax } from '../../src/folder/name-limit.js';
import { fitName } from '../../src/folder/names.js';

let dir: string;
let mounted: string | null = null;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-names-'));
});
test.afterEach(() => {
  if (mounted) execFileSync('umount', [mounted]);
  mounted = null;
  rmSync(dir, { recursive: true, force: true });
});

const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const statfsNamelen = (folder: string): number => Number(execFileSync('stat', ['-f', '-c', '%l', folder], { encoding: 'utf8' }).trim());

test('NAME_MAX is what the folder\'s file system takes: the probe agrees with statfs on the temp folder and on a fresh tmpfs, and leaves nothing behind', async () => {
  expect(await nameMax(dir)).toBe(statfsNamelen(dir));
  const small = path.join(dir, 'tmpfs');
  mkdirSync(small);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', small]);
    mounted = small;
  } catch {
    // Not root: the temp folder's answer above still holds.
  }
  if (mounted) {
    expect(await nameMax(small)).toBe(statfsNamelen(small));
    expect(readdirSync(small)).toEqual([]);
  }
  // A folder not made yet answers for the nearest one that exists.
  expect(await nameMax(path.join(dir, 'not', 'yet'))).toBe(statfsNamelen(dir));
  expect(await nameBudget(dir)).toBe(statfsNamelen(dir) - NAME_RESERVE);
  expect(readdirSync(dir).filter((n) => n !== 'tmpfs')).toEqual([]);
});

test('names are cut to a budget at a character boundary, keeping the extension, the ~suffix and .original', () => {
  // 143 is NAME_MAX under eCryptfs; less the reserve, names get 111 bytes.
  const budget = 143 - NAME_RESERVE;
  const long = `${'写'.repeat(60)}.HEIC`;
  const cut = fitName(long, budget);
  expect(bytes(cut)).toBeLessThanOrEqual(budget);
  expect(bytes(cut)).toBeGreaterThan(budget - 3);
  expect(cut.endsWith('.HEIC')).toBe(true);
  expect(long.startsWith(cut.slice(0, -5))).toBe(true);
  // Short enough: untouched.
  expect(fitName('IMG_0001.JPG', budget)).toBe('IMG_0001.JPG');
  // The longest fallback of an original: the cut leaves room for `~<64 hex>.original.ext`.
  const suffix = 'a'.repeat(64);
  const original = nameForRole(long, 'original', suffix, budget);
  expect(bytes(original)).toBeLessThanOrEqual(budget);
  expect(original.endsWith(`~${suffix}.original.HEIC`)).toBe(true);
  // At the budget exactly it fits; one byte more and it is cut.
  const at = `${'x'.repeat(budget - 4)}.jpg`;
  expect(nameForRole(at, 'main', null, budget)).toBe(at);
  expect(bytes(nameForRole(`x${at}`, 'main', null, budget))).toBe(budget);
});

test('a name the file system refuses fails the item with its reason, never the run', async () => {
  const from = path.join(dir, 'download');
  writeFileSync(from, 'bytes');
  const tooLong = path.join(dir, `${'n'.repeat(statfsNamelen(dir) + 1)}.jpg`);
  const error = await moveInto(from, tooLong).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HostileNameError);
  expect((error as HostileNameError).stopsRun).toBe(false);
  expect((error as Error).message).toMatch(/ENAMETOOLONG/);
  expect(readdirSync(dir)).toEqual(['download']);
});
