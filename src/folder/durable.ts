// Durable steps on the backup folder: fsync a file and its folder, rename into place, create
// and empty folders. A file is never visible under its final name before its bytes are on disk,
// and a failure of the disk (full, read-only, no permission) stops the run.
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError } from '../errors.js';

export async function fsyncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
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

export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
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

/** Disk full, read-only, permissions: the user must act, so the run stops. */
export function ioError(what: string, cause: unknown): LocalIoError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const hint = code === 'ENOSPC' ? ' (the disk is full)' : code === 'EACCES' || code === 'EPERM' ? ' (permission denied)' : code === 'EROFS' ? ' (read-only file system)' : '';
  return new LocalIoError(`${what}${hint}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
