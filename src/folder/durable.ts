// Durable steps on the backup folder: fsync a file and its folder, rename into place, create
// and empty folders. A file is never visible under its final name before its bytes are on disk,
// and a failure of the disk (full, read-only, no permission) stops the run; a name the file
// system refuses fails only the item it belongs to.
import { chmod, lstat, mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { HostileNameError, type KeepError, LocalIoError } from '../errors.js';
import { fileMode, folderMode } from './modes.js';

export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Whether anything (a file, a folder, a link, even a dangling one) stands at `file`. */
export async function pathExists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}

/** A finished temporary file into its place: private, on disk, renamed, the rename on disk too. */
export async function sealInto(part: string, target: string): Promise<void> {
  await chmod(part, fileMode());
  await fsyncFile(part);
  await rename(part, target);
  await fsyncDir(path.dirname(target));
}

/** Makes a rename or a new entry in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some file systems (and platforms) refuse fsync on a folder; the rename still happened.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EBADF'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/** mkdir -p with the backup's folder mode; below --out, use ensureFolderInside (src/folder/inside.ts), which also refuses links. */
export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: folderMode() });
  } catch (cause) {
    throw ioError(`cannot create the folder ${dir}`, cause);
  }
}

/** Renames within one file system and makes it durable. */
export async function moveInto(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (cause) {
    throw ioError(`cannot move ${path.basename(from)} to ${to}`, cause);
  }
  await fsyncDir(path.dirname(to));
}

export async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

export async function emptyDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/**
 * What a file system says about a name it will not take: too long (ENAMETOOLONG), not in its
 * encoding (EILSEQ), or a character or form it forbids (EINVAL, e.g. on vfat and SMB shares).
 */
const REFUSED_NAME = new Set(['ENAMETOOLONG', 'EILSEQ', 'EINVAL']);

/**
 * Disk full, read-only, permissions: the user must act, so the run stops (LocalIoError). A
 * name the file system refuses is the item's trouble, not the run's: that item fails with
 * the reason (HostileNameError) and the run goes on.
 */
export function ioError(what: string, cause: unknown): KeepError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  if (code && REFUSED_NAME.has(code)) return new HostileNameError(`${what}: the file system refuses the name (${code}): ${(cause as Error)?.message ?? String(cause)}`, { cause });
  const hint = code === 'ENOSPC' ? ' (the disk is full)' : code === 'EACCES' || code === 'EPERM' ? ' (permission denied)' : code === 'EROFS' ? ' (read-only file system)' : '';
  return new LocalIoError(`${what}${hint}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
