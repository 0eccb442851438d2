// The durable part of saving a file: hash while reading, fsync the file and its folder,
// rename into place. A file is never visible under its final name before its bytes are on disk.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError } from '../errors.js';

export interface FileDigest {
  bytes: number;
  sha256: string;
  /** Base64, as Google's swbisb hash lookup takes it. */
  sha1: string;
}

export async function hashFile(file: string): Promise<FileDigest> {
  const sha256 = createHash('sha256');
  const sha1 = createHash('sha1');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    const buffer = chunk as Buffer;
    sha256.update(buffer);
    sha1.update(buffer);
    bytes += buffer.length;
  }
  return { bytes, sha256: sha256.digest('hex'), sha1: sha1.digest('base64') };
}

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

/** Hashes and fsyncs a finished `.part` file in one pass over its bytes. */
export async function sealPart(file: string): Promise<FileDigest> {
  const digest = await hashFile(file);
  await fsyncFile(file);
  return digest;
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

/** Every `.part` file below `dir` that matches `pattern` (left by a run that was killed). */
export async function findParts(dir: string, pattern: RegExp, skip: (name: string) => boolean): Promise<string[]> {
  const found: string[] = [];
  async function walk(current: string, depth: number): Promise<void> {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && depth < 3 && !skip(entry.name)) await walk(path.join(current, entry.name), depth + 1);
      else if (entry.isFile() && pattern.test(entry.name)) found.push(path.join(current, entry.name));
    }
  }
  await walk(dir, 0);
  return found;
}

/** Disk full, read-only, permissions: the user must act, so the run stops. */
export function ioError(what: string, cause: unknown): LocalIoError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  const hint = code === 'ENOSPC' ? ' (the disk is full)' : code === 'EACCES' || code === 'EPERM' ? ' (permission denied)' : code === 'EROFS' ? ' (read-only file system)' : '';
  return new LocalIoError(`${what}${hint}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
}
