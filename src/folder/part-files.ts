// A file arrives as `<final name>~<tag>.part` beside its final place and is renamed only
// once its bytes are hashed and on disk, so a final name never holds half a file. Every
// `.part` is noted in the index before it is made (src/store/intents.ts); a killed run leaves
// `.part` files that the next run removes — only those the index noted, never a file that
// merely looks like one.
import { lstat, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../store/database.js';
import { dropIntents, partIntents } from '../store/intents.js';
import { fsyncFile } from './durable.js';
import { type FileDigest, hashFile } from './hash.js';
import { assertFileInside } from './inside.js';
import { keyTag, relativeInside, resolveInside } from './layout.js';

/** The `.part` file of one final name, unique per item, recognisable as ours (`~<tag>.part`). */
export function partName(finalName: string, mediaKey: string): string {
  return `${finalName}~${keyTag(mediaKey)}.part`;
}
export const PART_FILE = /~[0-9a-f]{8}\.part$/;

/** Hashes and fsyncs a finished `.part` file in one pass over its bytes. */
export async function sealPart(file: string): Promise<FileDigest> {
  const digest = await hashFile(file);
  await fsyncFile(file);
  return digest;
}

/** Every file below `dir` that matches `pattern` (what a killed run may have left, or a look-alike). */
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

export interface StaleParts {
  /** Relative paths of the `.part` files removed: noted by the index, left by a killed run. */
  removed: string[];
  /** Relative paths of files that look like `.part` files but the index never started: left alone. */
  unknown: string[];
}

/**
 * Removes the `.part` files the index noted and no run finished (the run that started them
 * was killed), and drops their notes. Files below `outDir` that only look like ours are
 * listed, never touched.
 */
export async function removeStartedParts(db: Db, outDir: string, skip: (name: string) => boolean = (name) => name === '.gphotos-keep'): Promise<StaleParts> {
  const removed: string[] = [];
  const known = partIntents(db);
  for (const intent of known) {
    const file = resolveInside(outDir, intent.rel_path, 'recorded');
    const stat = await lstat(file).catch(() => null);
    if (stat?.isFile()) {
      await assertFileInside(outDir, file);
      await unlink(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      removed.push(intent.rel_path);
    }
  }
  dropIntents(db, known.map((i) => i.rel_path));
  const noted = new Set(known.map((i) => i.rel_path));
  const unknown = (await findParts(outDir, PART_FILE, skip)).map((f) => relativeInside(outDir, f)!).filter((rel) => rel !== null && !noted.has(rel));
  return { removed, unknown: unknown.sort() };
}
