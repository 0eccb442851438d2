// Moving a user's file inside the backup folder without ever overwriting anything: a hard
// link to the new name (which fails if the name exists), then the old name goes. A kill
// between the two steps leaves both names on the same bytes, which the next try recognises.
// Where no hard link can be made, the bytes are copied and the old name goes only once the
// copy's hash is the original's.
import { copyFile, constants, link, lstat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError } from '../errors.js';
import { ensureDir, fsyncDir, fsyncFile, ioError } from './durable.js';
import { hashFile } from './hash.js';
import { assertFileInside, ensureFolderInside } from './inside.js';
import { resolveInside } from './layout.js';

export type MoveOutcome = 'moved' | 'already-moved' | 'target-exists' | 'source-missing';

async function statOrNull(file: string) {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Moves `from` to `to` unless `to` exists. `expectedBytes` recognises a move a killed run
 * already made (the source gone, the target there with that size).
 */
export async function moveNoClobber(from: string, to: string, expectedBytes: number): Promise<MoveOutcome> {
  const source = await statOrNull(from);
  const target = await statOrNull(to);
  if (!source) return target && target.isFile() && target.size === expectedBytes ? 'already-moved' : 'source-missing';
  if (target) {
    // Both names on one inode: a killed move between link and unlink.
    if (target.ino === source.ino && target.dev === source.dev) {
      await unlinkDurably(from);
      return 'moved';
    }
    return 'target-exists';
  }
  await ensureDir(path.dirname(to));
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'target-exists';
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw ioError(`cannot move ${from} to ${to}`, error);
    // No hard links here (another file system, or one without links): copy, make it durable, then remove.
    const before = await hashFile(from);
    try {
      await copyFile(from, to, constants.COPYFILE_EXCL);
      await fsyncFile(to);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return 'target-exists';
      throw ioError(`cannot copy ${from} to ${to}`, cause);
    }
    const copied = await hashFile(to);
    if (copied.sha256 !== before.sha256) throw new LocalIoError(`copying ${from} to ${to} gave other bytes (${copied.bytes} bytes, sha256 ${copied.sha256.slice(0, 12)}…); the original is kept`);
  }
  await fsyncDir(path.dirname(to));
  await unlinkDurably(from);
  return 'moved';
}

async function unlinkDurably(file: string): Promise<void> {
  try {
    await unlink(file);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') throw ioError(`cannot remove the old name ${file}`, cause);
  }
  await fsyncDir(path.dirname(file));
}

/**
 * Moves `from` (absolute, inside the backup folder) to the first of `candidates`
 * (recorded-style relative paths) that is free: not `taken` by the index and nothing on disk
 * there. Returns where it went, or null when the source is gone or every candidate is taken.
 * Both ends must lie in real folders of the backup (src/folder/inside.ts): a linked trash or
 * year folder is refused, naming the link.
 */
export async function moveToFreeName(
  outDir: string,
  from: string,
  candidates: Iterable<string>,
  expectedBytes: number,
  taken: (relPath: string) => boolean = () => false,
): Promise<string | null> {
  await assertFileInside(outDir, from);
  for (const relTarget of candidates) {
    if (taken(relTarget)) continue;
    const to = resolveInside(outDir, relTarget, 'recorded');
    await ensureFolderInside(outDir, path.dirname(to));
    const outcome = await moveNoClobber(from, to, expectedBytes);
    if (outcome === 'target-exists') continue;
    if (outcome === 'source-missing') return null;
    return relTarget;
  }
  return null;
}
