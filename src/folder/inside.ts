// Never outside --out: every folder a file is written, moved or made in is checked from --out
// down — each one a real folder, not a symbolic link — and its real path must lie inside the
// real --out. A planted `out/2008 → ../elsewhere` (or a linked trash) would otherwise carry
// downloads and moved files out of the backup. --out itself may be a link (it is resolved
// once); links below it are refused, naming the link, and the run stops for the owner to act.
import { lstat, mkdir, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError } from '../errors.js';
import { ioError } from './durable.js';
import { folderMode } from './modes.js';

const realRoots = new Map<string, Promise<string>>();

function realOut(root: string): Promise<string> {
  let known = realRoots.get(root);
  if (!known) {
    known = realpath(root);
    realRoots.set(root, known);
    known.catch(() => realRoots.delete(root));
  }
  return known;
}

async function linkError(folder: string): Promise<LocalIoError> {
  const target = await readlink(folder).catch(() => '?');
  return new LocalIoError(
    `${folder} is a symbolic link (to ${target}): gphotos-keep writes only into real folders inside the backup folder, so that nothing lands outside it. Replace the link with a real folder (move what it points to in), then run again.`,
  );
}

/** The relative segments from --out to `dir`; anything not below --out is refused. */
function segmentsBelow(root: string, dir: string): string[] {
  const rel = path.relative(root, dir);
  if (rel === '') return [];
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) throw new LocalIoError(`refused to write outside the backup folder ${root}: ${dir}`);
  return rel.split(path.sep);
}

/** Checks one folder below --out, making it (private, src/folder/modes.ts) when `make` and it is missing; false when missing and not made. */
async function checkFolder(folder: string, make: boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    let stat;
    try {
      stat = await lstat(folder);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw ioError(`cannot read the folder ${folder}`, error);
      if (!make) return false;
      try {
        await mkdir(folder, { mode: folderMode() });
        return true;
      } catch (cause) {
        // Made meanwhile by someone else: look at what it is.
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw ioError(`cannot create the folder ${folder}`, cause);
      }
    }
    if (stat.isSymbolicLink()) throw await linkError(folder);
    if (!stat.isDirectory()) throw new LocalIoError(`${folder} is not a folder: the backup layout needs a folder there. Move that file away, then run again.`);
    return true;
  }
  throw new LocalIoError(`${folder} keeps changing while it is being created`);
}

async function assertRealInside(root: string, dir: string): Promise<void> {
  const [real, out] = await Promise.all([realpath(dir), realOut(root)]);
  if (real !== out && !real.startsWith(out + path.sep)) {
    throw new LocalIoError(`${dir} is really ${real}, outside the backup folder ${out} (a mount or link inside it?): refused to write there.`);
  }
}

/**
 * Makes every missing folder from --out down to `dir` and checks every one (see the top of
 * this file). Returns `dir`.
 */
export async function ensureFolderInside(outDir: string, dir: string): Promise<string> {
  const root = path.resolve(outDir);
  const target = path.resolve(dir);
  let current = root;
  for (const segment of segmentsBelow(root, target)) {
    current = path.join(current, segment);
    await checkFolder(current, true);
  }
  await assertRealInside(root, target);
  return target;
}

/**
 * Before a file below --out is moved, removed or replaced: the folders it lies in must pass the
 * same checks (nothing is created). A folder that does not exist holds nothing to act on.
 */
export async function assertFileInside(outDir: string, file: string): Promise<void> {
  const root = path.resolve(outDir);
  const parent = path.dirname(path.resolve(file));
  let current = root;
  for (const segment of segmentsBelow(root, parent)) {
    current = path.join(current, segment);
    if (!(await checkFolder(current, false))) return;
  }
  await assertRealInside(root, parent);
}
