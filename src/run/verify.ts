// `verify`: proves, file by file, that the backup still holds what was recorded. Every
// recorded file must be present with its recorded size; its sha256 is recomputed with
// --full, or when its size or mtime changed; a hashed file must still parse with exiftool.
// Live Photo pairs that lost a half are reported, and every recorded link of the link folders
// is checked (src/run/verify-links.ts). With --fix, changed or corrupt files are
// moved aside (never deleted) into .gphotos-keep-trash/<date>/verify/, and their items are
// re-queued, so the next sync downloads them again into the same places; broken links are made
// again, and whatever sits in a link's place that is not ours is left and forgotten. The command runs it
// inside the run frame (src/run/frame.ts); --fix writes, so it holds the run lock.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { KeepError, type Outcome, describeError } from '../errors.js';
import { FILE_ONLY, type Logger } from '../log.js';
import { MediaInspector } from '../media/inspect.js';
import { type Db, openIndex } from '../store/database.js';
import type { RunCounts } from '../store/runs.js';
import { countConfirmedOriginals, filesToVerify, type ListedSizeNote, listedSizeNotes, livePairs, markVerified, requeueForRestore, type VerifyFileRow } from '../store/verify-queries.js';
import { hashFile } from '../folder/hash.js';
import { resolveInside } from '../folder/layout.js';
import { moveToFreeName } from '../folder/moves.js';
import { localDate, TRASH_DIR, trashCandidates } from '../folder/trash.js';
import { openStatusIndex } from './status.js';
import { checkLinks, fixLinks, type LinkFix, type LinkProblem } from './verify-links.js';

export type ProblemKind = 'missing' | 'changed' | 'corrupt';

export interface VerifyProblem {
  kind: ProblemKind;
  mediaKey: string;
  role: string;
  relPath: string;
  detail: string;
  /** Google's own hash lookup found this exact file (set by adopt / original confirmation). */
  originalConfirmed: boolean;
  /** The next sync can fetch it again (Google still lists the item and it is its current file). */
  restorable: boolean;
}

export interface BrokenPair {
  mediaKey: string;
  still: string | null;
  video: string | null;
  /** Which half is gone. */
  lost: 'still' | 'video';
  detail: string;
}

export interface VerifyReport {
  out: string;
  full: boolean;
  fix: boolean;
  /** Stopped by a signal before every file was checked. */
  interrupted: boolean;
  files: {
    checked: number;
    ok: number;
    bytes: number;
    hashed: number;
    parsed: number;
    originalConfirmed: number;
  };
  counts: Record<ProblemKind, number> & { brokenPairs: number };
  problems: VerifyProblem[];
  brokenPairs: BrokenPair[];
  /** The links of albums/, favorites/, archive/, partner/ whose files are in place. */
  links: { checked: number; ok: number; broken: number };
  linkProblems: LinkProblem[];
  /** Kept files whose size Google lists otherwise: notes, not problems (the bytes vouched for themselves). */
  listedSizeNotes: { total: number; items: ListedSizeNote[] };
  fixed: {
    requeued: string[];
    movedAside: { from: string; to: string }[];
    notRestorable: { mediaKey: string; relPath: string; reason: string }[];
    links: Omit<LinkFix, 'movedAside'>;
  } | null;
  clean: boolean;
}

export interface VerifyOptions {
  outDir: string;
  full?: boolean;
  fix?: boolean;
  logger?: Logger;
  signal?: AbortSignal;
  now?: () => number;
  /** A read-only backup: check everything, record nothing (no verified marks; --fix is refused before). */
  readonly?: boolean;
}

/** Files a signal may interrupt between; also how often progress is logged. */
const BATCH = 200;

async function statOf(file: string): Promise<{ size: number; mtimeMs: number; isFile: boolean } | { error: NodeJS.ErrnoException }> {
  try {
    const s = await lstat(file);
    return { size: s.size, mtimeMs: s.mtimeMs, isFile: s.isFile() };
  } catch (error) {
    return { error: error as NodeJS.ErrnoException };
  }
}

interface Checked {
  problem: Omit<VerifyProblem, 'originalConfirmed' | 'restorable' | 'mediaKey' | 'role' | 'relPath'> | null;
  hashed: boolean;
  parsed: boolean;
  mtimeMs: number | null;
}

async function checkFile(row: VerifyFileRow, full: string, options: { full: boolean; inspector: () => MediaInspector }): Promise<Checked> {
  const stat = await statOf(full);
  if ('error' in stat) {
    const code = stat.error.code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { problem: { kind: 'missing', detail: 'not on disk' }, hashed: false, parsed: false, mtimeMs: null };
    return { problem: { kind: 'corrupt', detail: `cannot be read (${code ?? stat.error.message})` }, hashed: false, parsed: false, mtimeMs: null };
  }
  if (!stat.isFile) return { problem: { kind: 'changed', detail: 'is no longer a regular file' }, hashed: false, parsed: false, mtimeMs: null };

  const sizeChanged = stat.size !== row.bytes;
  const mtimeChanged = row.mtime_ms !== null && Math.abs(stat.mtimeMs - row.mtime_ms) >= 1;
  if (!sizeChanged && !mtimeChanged && !options.full) return { problem: null, hashed: false, parsed: false, mtimeMs: null };

  let detail: string | null = null;
  let hashed = false;
  if (sizeChanged) {
    detail = `${stat.size} bytes, recorded ${row.bytes}`;
  } else {
    const { sha256 } = await hashFile(full);
    hashed = true;
    if (sha256 !== row.sha256) detail = `sha256 ${sha256.slice(0, 12)}…, recorded ${row.sha256.slice(0, 12)}…`;
  }
  // The bytes changed, or --full asked: does exiftool still read it as what it claims? (An
  // extra Live Photo zip member, such as an .AAE file, claims no media type: the hash decides.)
  let parseError: string | null = null;
  try {
    if (row.role !== 'live-extra') await options.inspector().inspect(full);
  } catch (error) {
    if (!(error instanceof KeepError) || error.stopsRun) throw error;
    parseError = describeError(error);
  }
  if (parseError) return { problem: { kind: 'corrupt', detail: detail ? `${detail}; ${parseError}` : parseError }, hashed, parsed: true, mtimeMs: null };
  if (detail) return { problem: { kind: 'changed', detail }, hashed, parsed: true, mtimeMs: null };
  return { problem: null, hashed, parsed: true, mtimeMs: stat.mtimeMs };
}

function brokenPairsOf(db: Db, missing: Set<string>): BrokenPair[] {
  const out: BrokenPair[] = [];
  for (const pair of livePairs(db)) {
    const stillGone = pair.main === null || missing.has(pair.main);
    const videoGone = pair.video === null || missing.has(pair.video);
    if (stillGone === videoGone) continue;
    const lost = stillGone ? 'still' : 'video';
    const recorded = lost === 'still' ? pair.main : pair.video;
    out.push({
      mediaKey: pair.media_key,
      still: pair.main,
      video: pair.video,
      lost,
      detail: recorded === null ? `the ${lost} was never recorded` : `${recorded} is missing`,
    });
  }
  return out;
}

/** Moves a changed or corrupt file aside, never over anything; returns where it went. */
async function moveAside(outDir: string, relPath: string, bytes: number, nowMs: number): Promise<string | null> {
  const from = resolveInside(outDir, relPath, 'recorded');
  return moveToFreeName(outDir, from, trashCandidates(`${TRASH_DIR}/${localDate(nowMs)}/verify`, relPath), bytes);
}

export async function verifyBackup(options: VerifyOptions): Promise<VerifyReport> {
  const now = options.now ?? Date.now;
  const out = path.resolve(options.outDir);
  const full = options.full === true;
  const fix = options.fix === true;
  const log = options.logger?.child({ command: 'verify' });
  requireIndex(out);
  const readonly = options.readonly === true && !fix;
  const db = openIndex(out, { readonly });
  let inspector: MediaInspector | null = null;
  const getInspector = (): MediaInspector => (inspector ??= new MediaInspector());
  const report: VerifyReport = {
    out,
    full,
    fix,
    interrupted: false,
    files: { checked: 0, ok: 0, bytes: 0, hashed: 0, parsed: 0, originalConfirmed: countConfirmedOriginals(db).confirmed },
    counts: { missing: 0, changed: 0, corrupt: 0, brokenPairs: 0 },
    problems: [],
    brokenPairs: [],
    links: { checked: 0, ok: 0, broken: 0 },
    linkProblems: [],
    listedSizeNotes: listedSizeNotes(db),
    fixed: null,
    clean: false,
  };
  const fileIds = new Map<string, number>();
  try {
    let passed: { id: number; mtimeMs: number | null }[] = [];
    for (const row of filesToVerify(db)) {
      if (options.signal?.aborted) {
        report.interrupted = true;
        break;
      }
      const checked = await checkFile(row, resolveInside(out, row.rel_path, 'recorded'), { full, inspector: getInspector });
      report.files.checked++;
      if (checked.hashed) report.files.hashed++;
      if (checked.parsed) report.files.parsed++;
      if (checked.problem) {
        fileIds.set(row.rel_path, row.id);
        report.problems.push({
          ...checked.problem,
          mediaKey: row.media_key,
          role: row.role,
          relPath: row.rel_path,
          originalConfirmed: row.original_confirmed === 1,
          restorable: row.item_state !== 'gone' && row.superseded_ms === null && row.role !== 'version',
        });
        report.counts[checked.problem.kind]++;
        // The report lists every problem for the person; the log file keeps each as it is found.
        log?.warn({ ...FILE_ONLY, relPath: row.rel_path, kind: checked.problem.kind }, `${checked.problem.kind}: ${row.rel_path} (${checked.problem.detail})`);
      } else {
        report.files.ok++;
        report.files.bytes += row.bytes;
        if (checked.parsed) passed.push({ id: row.id, mtimeMs: checked.mtimeMs });
      }
      if (passed.length >= BATCH) {
        if (!readonly) markVerified(db, passed, now());
        passed = [];
      }
      if (report.files.checked % (BATCH * 50) === 0) log?.info({ checked: report.files.checked }, `checked ${report.files.checked} files`);
    }
    if (!readonly) markVerified(db, passed, now());

    const missing = new Set(report.problems.filter((p) => p.kind === 'missing').map((p) => p.relPath));
    report.brokenPairs = report.interrupted ? [] : brokenPairsOf(db, missing);
    report.counts.brokenPairs = report.brokenPairs.length;

    if (!report.interrupted) {
      // A link of a file with a problem of its own waits for that file's repair.
      const links = await checkLinks(db, out, {
        full,
        skip: new Set(report.problems.map((p) => p.relPath)),
        signal: options.signal,
        onProblem: (p) => log?.warn({ ...FILE_ONLY, relPath: p.path, kind: 'link' }, `link ${p.issue}: ${p.path} (${p.detail})`),
      });
      report.interrupted = links.interrupted;
      report.links = { checked: links.checked, ok: links.ok, broken: links.broken };
      report.linkProblems = links.problems;
    }

    if (fix && !report.interrupted) {
      const fixed = await applyFix(db, out, report, fileIds, now());
      const { movedAside, ...links } = await fixLinks(db, out, report.linkProblems, now());
      report.fixed = { ...fixed, movedAside: [...fixed.movedAside, ...movedAside], links };
    }
    report.clean = !report.interrupted && report.problems.length === 0 && report.brokenPairs.length === 0 && report.linkProblems.length === 0;
    return report;
  } finally {
    db.close();
    await (inspector as MediaInspector | null)?.end();
  }
}

/** A folder without an index is a usage error (exit 2), found before anything is created in it. */
export function requireIndex(out: string): void {
  openStatusIndex(path.resolve(out)).close();
}

/** Clean, or problems found (or interrupted): the next `verify --fix` and sync deal with them. */
export function verifyOutcome(report: VerifyReport): Outcome {
  return report.clean ? 'Complete' : 'Partial';
}

/** What the run's row and report count: files checked, and the problems among them. */
export function verifyCounts(report: VerifyReport): Partial<RunCounts> {
  return { found: report.files.checked, failed: report.problems.length + report.linkProblems.length };
}

/** The run's summary for its row, report and ping: the counts, and the first problems as errors. */
export function verifySummary(report: VerifyReport): {
  counts: VerifyReport['counts'] & { links: number };
  files: VerifyReport['files'];
  errors: { mediaKey: string; error: string }[];
} {
  const errors = [
    ...report.problems.map((p) => ({ mediaKey: p.mediaKey, error: `${p.relPath}: ${p.kind} (${p.detail})` })),
    ...report.linkProblems.map((p) => ({ mediaKey: p.mediaKey, error: `${p.path}: link ${p.issue} (${p.detail})` })),
  ].slice(0, 100);
  return { counts: { ...report.counts, links: report.links.broken }, files: report.files, errors };
}

async function applyFix(db: Db, out: string, report: VerifyReport, fileIds: Map<string, number>, nowMs: number): Promise<Omit<NonNullable<VerifyReport['fixed']>, 'links'>> {
  const fixed: Omit<NonNullable<VerifyReport['fixed']>, 'links'> = { requeued: [], movedAside: [], notRestorable: [] };
  const byItem = new Map<string, { reasons: string[]; fileIds: number[] }>();
  const blocked = new Set<string>();
  const want = (mediaKey: string, reason: string, id?: number): void => {
    const entry = byItem.get(mediaKey) ?? { reasons: [], fileIds: [] };
    entry.reasons.push(reason);
    if (id !== undefined) entry.fileIds.push(id);
    byItem.set(mediaKey, entry);
  };
  for (const problem of report.problems) {
    if (!problem.restorable) {
      fixed.notRestorable.push({
        mediaKey: problem.mediaKey,
        relPath: problem.relPath,
        reason: problem.role === 'version' ? 'an older version Google no longer serves' : 'Google no longer lists this item',
      });
      continue;
    }
    if (problem.kind !== 'missing') {
      // Nothing lost: whatever is there now is kept aside, the sync puts Google's bytes back.
      const current = await statOf(resolveInside(out, problem.relPath, 'recorded'));
      try {
        const to = await moveAside(out, problem.relPath, 'size' in current ? current.size : -1, nowMs);
        if (to) fixed.movedAside.push({ from: problem.relPath, to });
      } catch (error) {
        // Never overwrite what could not be moved: the item stays as it is.
        fixed.notRestorable.push({ mediaKey: problem.mediaKey, relPath: problem.relPath, reason: `cannot move it aside: ${describeError(error)}` });
        blocked.add(problem.mediaKey);
        continue;
      }
    }
    want(problem.mediaKey, `verify: ${problem.relPath} ${problem.kind} (${problem.detail})`, fileIds.get(problem.relPath));
  }
  for (const pair of report.brokenPairs) {
    if (!byItem.has(pair.mediaKey)) want(pair.mediaKey, `verify: Live Photo ${pair.detail}`);
  }
  const requested = [...byItem].filter(([mediaKey]) => !blocked.has(mediaKey)).map(([mediaKey, entry]) => ({ mediaKey, reason: entry.reasons.join('; ').slice(0, 1000), fileIds: entry.fileIds }));
  fixed.requeued = requeueForRestore(db, requested);
  for (const item of requested) {
    if (!fixed.requeued.includes(item.mediaKey) && !fixed.notRestorable.some((n) => n.mediaKey === item.mediaKey)) {
      fixed.notRestorable.push({ mediaKey: item.mediaKey, relPath: '', reason: 'Google no longer lists this item' });
    }
  }
  return fixed;
}
