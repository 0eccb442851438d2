// Finds the media files under a folder (a Takeout export, an old backup), streaming: the
// walk holds one directory listing at a time. Symbolic links are not followed, and the
// backup folder itself (when it lies inside) is skipped — recognised as a folder (device and
// inode), so a bind mount or another spelling of it is skipped too.
import { opendir } from 'node:fs/promises';
import path from 'node:path';
import { identityKey } from '../folder/identity.js';
import { TRASH_DIR } from '../folder/trash.js';
import { STATE_DIR } from '../store/database.js';

const MEDIA_EXTENSIONS = new Set([
  // photos
  'jpg', 'jpeg', 'jpe', 'jfif', 'heic', 'heif', 'avif', 'png', 'gif', 'webp', 'bmp', 'tif', 'tiff', 'ico',
  // raw
  'dng', 'cr2', 'cr3', 'crw', 'nef', 'nrw', 'arw', 'srf', 'sr2', 'orf', 'rw2', 'raf', 'pef', 'srw', 'x3f', 'raw',
  // video
  'mp4', 'm4v', 'mov', 'qt', '3gp', '3g2', 'avi', 'mkv', 'webm', 'wmv', 'mpg', 'mpeg', 'mts', 'm2ts', 'ts', 'flv', 'mod', 'tod',
]);

export function isMediaFile(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot <= 0) return false;
  return MEDIA_EXTENSIONS.has(name.slice(dot + 1).toLowerCase());
}

export interface FoundFile {
  /** Absolute path. */
  path: string;
  dir: string;
  name: string;
  /** JSON files beside it (Takeout sidecars), shared by the files of one folder. */
  jsonSiblings: readonly string[];
}

/** Every media file under `root`, depth first, in name order within a folder (stable across runs). */
export async function* walkMedia(root: string, skip: string[] = []): AsyncGenerator<FoundFile> {
  const skipped = new Set(skip.map((p) => path.resolve(p)));
  const skippedIds = new Set(skip.map(identityKey).filter((k): k is string => k !== null));
  const stack: string[] = [path.resolve(root)];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    const files: string[] = [];
    const dirs: string[] = [];
    const json: string[] = [];
    const handle = await opendir(dir);
    for await (const entry of handle) {
      if (entry.isDirectory()) {
        const full = path.join(dir, entry.name);
        if (entry.name === STATE_DIR || entry.name === TRASH_DIR || skipped.has(full) || skippedIds.has(identityKey(full) ?? '')) continue;
        dirs.push(full);
      } else if (entry.isFile() && isMediaFile(entry.name) && !entry.name.endsWith('.part')) {
        files.push(entry.name);
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
        json.push(entry.name);
      }
    }
    files.sort();
    for (const name of files) yield { path: path.join(dir, name), dir, name, jsonSiblings: json };
    dirs.sort().reverse();
    stack.push(...dirs);
  }
}
