// `verify` for the link folders (albums/<title>/, favorites/, archive/, partner/): each link the
// index records must still be the link gphotos-keep made. A symlink keeps the relative target it
// was given and reaches its file; a hard link is its file (same dev+ino, compared by identity,
// never by path); a copy has its file's size (and sha256, with --full).
// With --fix a link that is gone, or a symlink pointing elsewhere, is made again in place (a
// symlink holds no bytes, so replacing it loses nothing); a changed copy is moved aside into the
// verify trash and copied again. Anything else at a link's name is not ours: it is left as it
// is, reported, and its row forgotten (the next sync links the item under a tagged name).
// A file of the date layout is never touched.
import type { BigIntStats } from 'node:fs';
import { lstat, readlink, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../errors.js';
import { hashFile } from '../folder/hash.js';
import { ensureFolderInside } from '../folder/inside.js';
import { resolveInside } from '../folder/layout.js';
import { makeLink, relativeTarget } from '../folder/links.js';
import { moveToFreeName } from '../folder/moves.js';
import { localDate, TRASH_DIR, trashCandidates } from '../folder/trash.js';
import type { LinkMode } from '../model/albums.js';
import { forgetLink } from '../store/albums.js';
import type { Db } from '../store/database.js';
import { linksToVerify, type VerifyLinkRow } from '../store/verify-queries.js';

/**
 * missing: nothing at the link's name; elsewhere: a symlink reaching another file; dangling: a
 * symlink reaching nothing; not-same-file: a hard link that no longer shares its file's inode;
 * changed: a copy whose bytes differ from its file's; not-ours: something else sits there.
 */
export type LinkIssue = 'missing' | 'elsewhere' | 'dangling' | 'not-same-file' | 'changed' | 'not-ours';

export interface LinkProblem {
  kind: 'link';
  issue: LinkIssue;
  /** `dir/name`, relative to the backup folder. */
  path: string;
  dir: string;
  name: string;
  mediaKey: string;
  /** The recorded file the link stands for. */
  target: string;
  mode: string;
  detail: string;
}

export interface LinkCheck {
  checked: number;
  ok: number;
  broken: number;
  problems: LinkProblem[];
  interrupted: boolean;
}

export interface LinkFix {
  remade: string[];
  /** Not ours (or its file is gone): left as it is, its row forgotten. */
  left: { path: string; reason: string }[];
  /** Could not be repaired now (an I/O error): the row stays, the next verify finds it again. */
  failed: { path: string; reason: string }[];
  movedAside: { from: string; to: string }[];
}

async function statOrNull(file: string, follow: boolean): Promise<BigIntStats | null> {
  try {
    return follow ? await stat(file, { bigint: true }) : await lstat(file, { bigint: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return null;
    throw error;
  }
}

const sameFile = (a: BigIntStats, b: BigIntStats): boolean => a.dev === b.dev && a.ino === b.ino;

function kindOf(s: BigIntStats): string {
  if (s.isDirectory()) return 'folder';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isFile()) return 'regular file';
  return 'special file';
}

async function checkLink(out: string, row: VerifyLinkRow, full: boolean): Promise<{ issue: LinkIssue; detail: string } | null> {
  const linkPath = resolveInside(out, `${row.dir}/${row.name}`, 'recorded');
  const targetPath = resolveInside(out, row.target, 'recorded');
  const entry = await statOrNull(linkPath, false);
  if (!entry) return { issue: 'missing', detail: 'not on disk' };
  const file = await statOrNull(targetPath, false);
  // The caller checks links of files found in place only; one gone since is not the link's fault.
  if (!file?.isFile()) return null;
  const mine = `the ${row.mode} gphotos-keep made`;
  if (row.mode === 'symlink') {
    if (!entry.isSymbolicLink()) return { issue: 'not-ours', detail: `a ${kindOf(entry)}, not ${mine}` };
    const text = await readlink(linkPath);
    const expected = relativeTarget(linkPath, targetPath);
    const reached = await statOrNull(linkPath, true);
    if (!reached) return { issue: 'dangling', detail: `points to ${text}, where nothing is` };
    if (text !== expected || !sameFile(reached, file)) return { issue: 'elsewhere', detail: `points to ${text}, not ${expected}` };
    return null;
  }
  if (!entry.isFile()) return { issue: 'not-ours', detail: `a ${kindOf(entry)}, not ${mine}` };
  if (row.mode === 'hardlink') {
    if (!sameFile(entry, file)) return { issue: 'not-same-file', detail: `another file than ${row.target} (inode ${entry.ino}, not ${file.ino})` };
    return null;
  }
  if (sameFile(entry, file)) return null;
  if (Number(entry.size) !== row.bytes) return { issue: 'changed', detail: `${entry.size} bytes, ${row.target} has ${row.bytes}` };
  if (full) {
    const { sha256 } = await hashFile(linkPath);
    if (sha256 !== row.sha256) return { issue: 'changed', detail: `sha256 ${sha256.slice(0, 12)}…, ${row.target} has ${row.sha256.slice(0, 12)}…` };
  }
  return null;
}

/** Checks every recorded link whose file is in place; `skip`: files with a problem of their own (their repair comes first). */
export async function checkLinks(
  db: Db,
  out: string,
  options: { full: boolean; skip: ReadonlySet<string>; signal?: AbortSignal; onProblem?: (problem: LinkProblem) => void },
): Promise<LinkCheck> {
  const result: LinkCheck = { checked: 0, ok: 0, broken: 0, problems: [], interrupted: false };
  for (const row of linksToVerify(db)) {
    if (options.signal?.aborted) {
      result.interrupted = true;
      break;
    }
    if (options.skip.has(row.target)) continue;
    result.checked++;
    const found = await checkLink(out, row, options.full);
    if (!found) {
      result.ok++;
      continue;
    }
    const problem: LinkProblem = { kind: 'link', ...found, path: `${row.dir}/${row.name}`, dir: row.dir, name: row.name, mediaKey: row.media_key, target: row.target, mode: row.mode };
    result.broken++;
    result.problems.push(problem);
    options.onProblem?.(problem);
  }
  return result;
}

/** Repairs the broken links (see the top of this file). */
export async function fixLinks(db: Db, out: string, problems: readonly LinkProblem[], nowMs: number): Promise<LinkFix> {
  const fix: LinkFix = { remade: [], left: [], failed: [], movedAside: [] };
  const leave = (p: LinkProblem, reason: string): void => {
    forgetLink(db, p.dir, p.name);
    fix.left.push({ path: p.path, reason });
  };
  for (const p of problems) {
    const linkPath = resolveInside(out, p.path, 'recorded');
    const mode = p.mode as Exclude<LinkMode, 'none'>;
    try {
      // Looked at again now: only a name that is empty, or still holds what verify saw, is acted on.
      const entry = await statOrNull(linkPath, false);
      if (p.issue === 'missing' && entry) {
        leave(p, `not the link gphotos-keep made (a ${kindOf(entry)} appeared there since): left as it is`);
        continue;
      }
      if (p.issue === 'elsewhere' || p.issue === 'dangling') {
        if (!entry?.isSymbolicLink()) {
          if (entry) leave(p, `not the link gphotos-keep made (a ${kindOf(entry)}): left as it is`);
          else fix.failed.push({ path: p.path, reason: 'gone since it was checked; the next verify --fix makes it again' });
          continue;
        }
        await unlink(linkPath);
      } else if (p.issue === 'changed') {
        if (!entry?.isFile()) {
          fix.failed.push({ path: p.path, reason: 'changed again since it was checked; left as it is' });
          continue;
        }
        const to = await moveToFreeName(out, linkPath, trashCandidates(`${TRASH_DIR}/${localDate(nowMs)}/verify`, p.path), Number(entry.size));
        if (!to) {
          fix.failed.push({ path: p.path, reason: 'cannot be moved aside (no free name in the trash)' });
          continue;
        }
        fix.movedAside.push({ from: p.path, to });
      } else if (p.issue !== 'missing') {
        leave(p, `not the link gphotos-keep made (${p.detail}): left as it is; the next sync links the item under another name`);
        continue;
      }
      await ensureFolderInside(out, path.dirname(linkPath));
      if (await makeLink(out, mode, p.mediaKey, p.target, linkPath)) fix.remade.push(p.path);
      else leave(p, `${p.target} is not on disk: the link is forgotten, the next sync makes it again once its file is back`);
    } catch (error) {
      fix.failed.push({ path: p.path, reason: describeError(error) });
    }
  }
  return fix;
}
