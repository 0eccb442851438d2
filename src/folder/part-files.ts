// A file arrives as `<final name>~<tag>.part` beside its final place and is renamed only
// once its bytes are hashed and on disk, so a final name never holds half a file. A killed
// run leaves `.part` files that the next run finds by their pattern and removes.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fsyncFile } from './durable.js';
import { type FileDigest, hashFile } from './hash.js';
import { keyTag } from './layout.js';

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
