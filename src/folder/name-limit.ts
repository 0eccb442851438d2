// How long a file name the backup folder's file system takes (its NAME_MAX). Node has no
// pathconf() and its statfs() leaves out the name length, and a table of file-system types
// would guess wrong where it matters most (eCryptfs takes 143 bytes, NFS and FUSE whatever the
// server says, vfat and exFAT count UTF-16 units). So the folder is asked: a file with a name
// of the length in question is created and removed at once — one try when 255 fits (ext4, xfs,
// btrfs, tmpfs), a binary search otherwise — once per file system per run.
//
// The answer is in bytes of ASCII. A name within that many bytes of UTF-8 is within that many
// UTF-16 units too (no character takes more units than bytes), so the same byte budget holds
// on file systems that count units.
import { open, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Bytes kept free beyond a file's own name for the names we derive from it: `~<tag>.part`
 * (14), `.xmp` and its temporary `.rating.part.xmp` (17), a dated version
 * `~vYYYY-MM-DDTHHMMSSZ-N` (22) plus `.xmp` (4) plus a trash name's `~NN` (3).
 */
export const NAME_RESERVE = 32;

/** No name longer than this is ever made, whatever a file system would take. */
export const LONGEST_NAME = 255;

const byDevice = new Map<number, Promise<number>>();

/** NAME_MAX for `dir` (or, when it does not exist yet, for the nearest folder above it that does). */
export async function nameMax(dir: string): Promise<number> {
  const existing = await nearestFolder(path.resolve(dir));
  const device = (await stat(existing)).dev;
  let known = byDevice.get(device);
  if (!known) {
    known = probe(existing);
    byDevice.set(device, known);
  }
  return known;
}

/** The longest name, in bytes of UTF-8, a file of ours in `dir` may have: NAME_MAX less what derived names add. */
export async function nameBudget(dir: string): Promise<number> {
  return (await nameMax(dir)) - NAME_RESERVE;
}

async function nearestFolder(dir: string): Promise<string> {
  let current = dir;
  for (;;) {
    try {
      if ((await stat(current)).isDirectory()) return current;
    } catch {
      // missing: try its parent
    }
    const parent = path.dirname(current);
    if (parent === current) return current;
    current = parent;
  }
}

async function probe(dir: string): Promise<number> {
  // Anything but a plain "too long" (read-only, no permission) says nothing: the real write will tell.
  if ((await fits(dir, LONGEST_NAME)) !== false) return LONGEST_NAME;
  const prefix = probeName(0).length;
  let lo = prefix; // fits (a file system with shorter names than this is not one to back up to)
  let hi = LONGEST_NAME - 1; // the longest that may fit
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await fits(dir, mid)) === false) hi = mid - 1;
    else lo = mid;
  }
  return lo;
}

function probeName(length: number): string {
  return `.gphotos-keep-namemax-${process.pid}-`.padEnd(length, 'x');
}

/** Creates and removes a file whose name is `length` bytes: true, false when the name is too long, null when the folder would not say. */
async function fits(dir: string, length: number): Promise<boolean | null> {
  const file = path.join(dir, probeName(length));
  try {
    const handle = await open(file, 'wx', 0o600);
    await handle.close();
    await unlink(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENAMETOOLONG') return false;
    return null;
  }
}
