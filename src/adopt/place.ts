// Puts an adopted file into the backup layout (the same `YYYY/MM/<name>` paths and collision
// rule as downloads) by copy, move or hard link. A copy is written to `.part`, fsynced,
// checked against the hash taken when the file was found, then renamed; a move or link is
// one rename or link of the checked file. The caller records the file afterwards, and only
// then is a moved file's source removed when the move had to cross file systems — the one
// place gphotos-keep ever deletes a user's file, and only once the bytes at the target hash
// to what was found, and the target is not the source itself under another path.
import { constants } from 'node:fs';
import { chmod, copyFile, link, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { HostileNameError, LocalIoError, TransientError } from '../errors.js';
import { fsyncDir, ioError, moveInto, removeQuietly } from '../folder/durable.js';
import { hashFile } from '../folder/hash.js';
import { sameEntry } from '../folder/identity.js';
import { ensureFolderInside } from '../folder/inside.js';
import { relativeInside, resolveInside } from '../folder/layout.js';
import { fileMode } from '../folder/modes.js';
import { partName, sealPart } from '../folder/part-files.js';
import type { PathPlanner } from '../folder/planner.js';
import type { FileRole } from '../store/files.js';
import { dropIntents, intentAt, noteIntents } from '../store/intents.js';

export type Placement = 'copy' | 'move' | 'link';

export interface PlaceRequest {
  outDir: string;
  planner: PathPlanner;
  mediaKey: string;
  role: FileRole;
  /** `YYYY/MM` (datedFolder). */
  folder: string;
  /** Sanitised final name. */
  baseName: string;
  source: string;
  /** What the source held when it was hashed. */
  sha256: string;
  bytes: number;
  mtimeMs: number | null;
  mode: Placement;
  /** Called with the chosen path before anything moves, so a killed run can find the file. */
  onPlanned?: (relPath: string) => void;
}

export interface PlaceResult {
  relPath: string;
  /** What actually happened: a link or move across file systems falls back to a copy. */
  method: Placement | 'already-there';
  /** Removes a moved file's source once the caller has recorded the copy (cross-device moves only). */
  afterRecord: () => Promise<void>;
}

const nothing = async (): Promise<void> => undefined;

export async function placeFile(req: PlaceRequest): Promise<PlaceResult> {
  const [planned] = await req.planner.plan(req.mediaKey, req.folder, [{ role: req.role, baseName: req.baseName, sha256: req.sha256 }]);
  try {
    req.onPlanned?.(planned.relPath);
    const final = resolveInside(req.outDir, planned.relPath);
    if (planned.alreadyThere) {
      // A run that died after placing and before recording: the bytes are already in place.
      return { relPath: planned.relPath, method: 'already-there', afterRecord: req.mode === 'move' ? () => removeSource(req, final) : nothing };
    }
    await ensureFolderInside(req.outDir, path.dirname(final));
    if (req.mode !== 'copy') {
      await assertUnchanged(req);
      const done = req.mode === 'link' ? await tryLink(req.source, final) : await tryRename(req.source, final);
      if (done) return { relPath: planned.relPath, method: req.mode, afterRecord: nothing };
    }
    await copyChecked(req, final);
    return { relPath: planned.relPath, method: 'copy', afterRecord: req.mode === 'move' ? () => removeSource(req, final) : nothing };
  } finally {
    req.planner.release(req.mediaKey);
  }
}

async function copyChecked(req: PlaceRequest, final: string): Promise<void> {
  const { db } = req.planner;
  const part = path.join(path.dirname(final), partName(path.basename(final), req.mediaKey));
  const partRel = relativeInside(req.outDir, part)!;
  // A `.part` of this item from a killed run is ours to replace; anything else there is not.
  if (intentAt(db, partRel)?.media_key === req.mediaKey) await removeQuietly(part);
  noteIntents(db, [{ kind: 'part', mediaKey: req.mediaKey, relPath: partRel, sha256: req.sha256 }]);
  const dropPart = async (): Promise<void> => {
    await removeQuietly(part);
    dropIntents(db, [partRel]);
  };
  try {
    // FICLONE asks for a reflink where the file system offers one, else a plain copy; EXCL
    // never writes into (or through) something already at the name.
    await copyFile(req.source, part, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
      dropIntents(db, [partRel]);
      throw new HostileNameError(`${part} is in the way and was not made by gphotos-keep: left as it is`);
    }
    await dropPart();
    throw ioError(`cannot copy ${req.source} into the backup`, cause);
  }
  await chmod(part, fileMode());
  const digest = await sealPart(part);
  if (digest.sha256 !== req.sha256 || digest.bytes !== req.bytes) {
    await dropPart();
    throw new TransientError(`${req.source} changed while it was being adopted (its bytes are not the ones hashed): run adopt again`);
  }
  await moveInto(part, final);
  dropIntents(db, [partRel]);
}

/** A move or link takes the file as it is now: it must still be the one that was hashed. */
async function assertUnchanged(req: PlaceRequest): Promise<void> {
  let now;
  try {
    now = await stat(req.source);
  } catch (cause) {
    throw new LocalIoError(`${req.source} is gone: it was found earlier in this run`, { cause });
  }
  if (now.size !== req.bytes || (req.mtimeMs !== null && Math.floor(now.mtimeMs) !== req.mtimeMs)) {
    throw new TransientError(`${req.source} changed since it was hashed: run adopt again`);
  }
}

async function tryLink(source: string, final: string): Promise<boolean> {
  try {
    await link(source, final);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    // Another file system, or one without hard links: copy instead.
    if (code === 'EXDEV' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EMLINK') return false;
    throw ioError(`cannot hard-link ${source} into the backup`, cause);
  }
  await fsyncDir(path.dirname(final));
  return true;
}

async function tryRename(source: string, final: string): Promise<boolean> {
  try {
    await rename(source, final);
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'EXDEV') return false;
    throw ioError(`cannot move ${source} into the backup`, cause);
  }
  await fsyncDir(path.dirname(final));
  await fsyncDir(path.dirname(source)).catch(() => undefined);
  return true;
}

/**
 * The end of a move that had to copy: the source goes only when the file in the backup is not
 * the source itself (one folder under two paths: a link, a bind mount) and its bytes hash to
 * what was found. Otherwise the source stays, and the adoption is still recorded.
 */
async function removeSource(req: PlaceRequest, final: string): Promise<void> {
  if (path.resolve(req.source) === path.resolve(final) || (await sameEntry(req.source, final))) return;
  const there = await hashFile(final).catch(() => null);
  if (there?.sha256 !== req.sha256) throw new LocalIoError(`adopted ${req.source}, but ${final} does not hold its bytes: the source is kept`);
  await unlink(req.source).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw ioError(`adopted ${req.source}, but cannot remove it after the move`, error);
  });
}
