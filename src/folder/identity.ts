// "Is this the same file or folder?" asked of the file system, never of the path's spelling:
// one folder has many paths (a symbolic link, a bind mount, `..`, a case or Unicode
// normalisation difference on a disk that ignores them), but one device and inode.
import { type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';

function statOrNull(file: string): Stats | null {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}

function same(a: Stats | null, b: Stats | null): boolean {
  return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;
}

/** Both paths name one existing file or folder (links followed). */
export function sameEntrySync(a: string, b: string): boolean {
  return same(statOrNull(a), statOrNull(b));
}

export async function sameEntry(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  return same(sa, sb);
}

/**
 * `inner` is the folder `outer` or lies below it, by identity: from inner's nearest existing
 * folder up to the root, is any folder the very folder `outer` is? Links, bind mounts and
 * other spellings are all seen through.
 */
export function isWithinSync(inner: string, outer: string): boolean {
  const target = statOrNull(outer);
  if (!target) return false;
  let current = path.resolve(inner);
  for (;;) {
    if (same(statOrNull(current), target)) return true;
    const parent = path.dirname(current);
    if (parent === current) return false;
    current = parent;
  }
}

/** The (device, inode) key of an existing folder, for skipping it while walking another. */
export function identityKey(file: string): string | null {
  const s = statOrNull(file);
  return s ? `${s.dev}:${s.ino}` : null;
}
