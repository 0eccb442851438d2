// Moving a user's file inside the backup folder without ever overwriting anything: a hard
// link to the new name (which fails if the name exists), then the old name goes. A kill
// between the two steps leaves both names on the same bytes, which the next try recognises.
import { copyFile, constants, link, lstat, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError } from '../errors.js';

export type MoveOutcome = 'moved' | 'already-moved' | 'target-exists' | 'source-missing';

async function statOrNull(file: string) {
  try {
    return await lstat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a folder; the link/rename still happened.
  } finally {
    await handle?.close();
  }
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function ioError(what: string, cause: unknown): LocalIoError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const hint = code === 'ENOSPC' ? ' (the disk is full)' : code === 'EACCES' || code === 'EPERM' ? ' (permission denied)' : code === 'EROFS' ? ' (read-only file system)' : '';
  return new LocalIoError(`${what}${hint}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
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
  try {
    await mkdir(path.dirname(to), { recursive: true });
  } catch (cause) {
    throw ioError(`cannot create the folder ${path.dirname(to)}`, cause);
  }
  try {
    await link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return 'target-exists';
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw ioError(`cannot move ${from} to ${to}`, error);
    // No hard links here (another file system, or one without links): copy, make it durable, then remove.
    try {
      await copyFile(from, to, constants.COPYFILE_EXCL);
      await fsyncFile(to);
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'EEXIST') return 'target-exists';
      throw ioError(`cannot copy ${from} to ${to}`, cause);
    }
    const copied = await lstat(to);
    if (copied.size !== source.size) throw new LocalIoError(`copying ${from} to ${to} gave ${copied.size} bytes instead of ${source.size}; the original is kept`);
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

/** `name.ext` → `name<tag>.ext` (the extension is what follows the last dot, if any). */
export function withTag(fileName: string, tag: string): string {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return fileName + tag;
  return fileName.slice(0, dot) + tag + fileName.slice(dot);
}
