// `adopt`: count an existing backup without downloading it again.
//   adopt --from-gphotos-sync DB_OR_FOLDER [--out DIR] (--keep | --upgrade) [--copy|--move|--link]
//   adopt --from-folder DIR --out DIR [--copy|--move|--link] [--accept-probable]
// Both take --dry-run (print what would be done, change nothing) and --json. Adopting writes
// to the backup, so it runs in the run frame (src/run/frame.ts) like sync: the run lock, the run
// record and report, and the same answer when another run holds the folder.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { adoptFolder, type FolderReport, type ListedFile } from '../../adopt/folder.js';
import { adoptGphotosSync, type GphotosSyncReport, resolveGphotosSyncSource } from '../../adopt/gphotos-sync.js';
import type { Placement } from '../../adopt/place.js';
import { resolveProfileDir } from '../../browser/profile.js';
import { type Outcome, UsageError } from '../../errors.js';
import { printable } from '../../log.js';
import { type FrameResult, runInFrame } from '../../run/frame.js';
import type { RunSummaryLike } from '../../run/report.js';
import { type Db, openIndex, openIndexSnapshot } from '../../store/database.js';
import { isWithinSync, sameEntrySync } from '../../folder/identity.js';
import { type CommandContext, siteBaseUrl } from '../context.js';
import { frameContext, unfinishedJson } from '../frame-context.js';

/** How many files of each list the human report shows (--json lists them all). */
const SHOWN = 20;

export async function runAdopt(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  const fromSync = typeof o.fromGphotosSync === 'string' ? o.fromGphotosSync : null;
  const fromFolder = typeof o.fromFolder === 'string' ? o.fromFolder : null;
  if ((fromSync === null) === (fromFolder === null)) {
    throw new UsageError('Say what to adopt: --from-gphotos-sync DB_OR_FOLDER (a gphotos-sync backup) or --from-folder DIR (Takeout or any folder), one of them.');
  }
  const placements = (['copy', 'move', 'link'] as const).filter((p) => o[p] === true);
  if (placements.length > 1) throw new UsageError(`--${placements.join(', --')} exclude each other: choose how matched files get into the backup (the default is --copy).`);
  const placement: Placement = placements[0] ?? 'copy';
  if (o.keep === true && o.upgrade === true) throw new UsageError('--keep and --upgrade exclude each other: --keep counts the gphotos-sync files as done, --upgrade downloads the originals and keeps each old file until its original is verified.');
  const dryRun = o.dryRun === true;
  const profileDir = resolveProfileDir(String(o.profile ?? 'default'), ctx.env);
  const baseUrl = siteBaseUrl(ctx);
  const concurrency = Number(o.concurrency ?? 3);

  if (fromSync !== null) {
    if (o.acceptProbable === true) throw new UsageError('--accept-probable is for --from-folder: gphotos-sync ids are mapped exactly, there is nothing probable to accept.');
    if (o.keep !== true && o.upgrade !== true && !dryRun) {
      throw new UsageError(
        'Choose what the gphotos-sync files become: --keep counts them as done (no download, but they stay without GPS and recompressed), --upgrade downloads the originals on the next sync and keeps each old file until its original is verified.',
      );
    }
    const source = resolveGphotosSyncSource(fromSync);
    const out = path.resolve(typeof o.out === 'string' && o.out !== '' ? o.out : source.root);
    const adopted = await inFrame(ctx, out, (db) =>
      adoptGphotosSync({
        db,
        source,
        outDir: out,
        mode: o.upgrade === true ? 'upgrade' : 'keep',
        placement,
        concurrency,
        dryRun,
        baseUrl,
        profileDir,
        logger: ctx.logger,
        signal: ctx.signal,
        onProgress: throttled(ctx, 'mapped'),
      }).then((r) => ({ report: r, outcome: r.failed > 0 || (!dryRun && r.pending > 0) ? 'Partial' : 'Complete', summary: syncReportSummary(r) })),
    );
    return finish(ctx, adopted, (report) => describeSyncReport(report, o.keep === true || o.upgrade === true));
  }

  if (o.keep === true || o.upgrade === true) throw new UsageError('--keep and --upgrade are for --from-gphotos-sync. A folder\'s files are matched by their bytes: exact copies of originals count as done, nothing else does.');
  const folder = path.resolve(fromFolder!);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new UsageError(`--from-folder ${fromFolder}: no such folder.`);
  if (typeof o.out !== 'string' || o.out === '') throw new UsageError('--from-folder needs --out DIR: the backup folder the matched files go into (it may be an existing gphotos-keep backup).');
  const out = path.resolve(o.out);
  refuseOverlap(folder, out, placement);
  const adopted = await inFrame(ctx, out, (db) =>
    adoptFolder({
      db,
      folder,
      outDir: out,
      placement,
      acceptProbable: o.acceptProbable === true,
      dryRun,
      baseUrl,
      profileDir,
      logger: ctx.logger,
      signal: ctx.signal,
      onProgress: throttled(ctx, 'files'),
    }).then((r) => ({ report: r, outcome: r.failed.length > 0 ? 'Partial' : 'Complete', summary: folderReportSummary(r) })),
  );
  return finish(ctx, adopted, describeFolderReport);
}

/**
 * The folder to adopt from and the backup folder, compared as folders (device and inode, so a
 * symbolic link, a bind mount or another spelling of one path is seen through): never the
 * same folder, and with --move never one inside the other — a file found there would be
 * "moved" onto itself and its only copy removed.
 */
function refuseOverlap(folder: string, out: string, placement: Placement): void {
  if (folder === out || sameEntrySync(folder, out)) {
    throw new UsageError(`--from-folder ${folder} and --out ${out} are the same folder: give the backup folder with --out, and the folder to adopt from with --from-folder.`);
  }
  if (placement !== 'move') return;
  if (isWithinSync(folder, out)) {
    throw new UsageError(`--from-folder ${folder} lies inside the backup folder --out ${out}: --move would move files within the backup onto themselves. Adopt from a folder outside it, or use --copy.`);
  }
  if (isWithinSync(out, folder)) {
    throw new UsageError(`--out ${out} lies inside --from-folder ${folder}: with --move the backup's own files would be adopted again. Give a backup folder outside the one to adopt from, or use --copy.`);
  }
}

type AdoptSummary = RunSummaryLike & Record<string, unknown>;

interface Adopted<R> {
  report: R;
  outcome: Outcome;
  /** The counts and first failures for the run's row, report and ping (the full report goes to stdout). */
  summary: AdoptSummary;
}

/**
 * Runs an adoption in the run frame, on the real index, or for a dry run on an in-memory copy
 * (nothing on disk changes). The report is null when the adoption did not run or did not end:
 * another run holds the folder, or it stopped (the frame said why on stderr).
 */
async function inFrame<R>(ctx: CommandContext, out: string, body: (db: Db) => Promise<Adopted<R>>): Promise<{ report: R | null; framed: FrameResult }> {
  const dryRun = ctx.options.dryRun === true;
  let report: R | null = null;
  const framed = await runInFrame(frameContext(ctx, out, 'adopt', { display: false }), async () => {
    const db = dryRun ? openIndexSnapshot(out) : openIndex(out);
    try {
      const adopted = await body(db);
      report = adopted.report;
      return { outcome: adopted.outcome, summary: adopted.summary };
    } finally {
      db.close();
    }
  });
  return { report, framed };
}

/** The report on stdout (or, with --json and no report, why not); the frame's exit code. */
function finish<R extends object>(ctx: CommandContext, adopted: { report: R | null; framed: FrameResult }, describe: (report: R) => string): number {
  const { report, framed } = adopted;
  if (report) ctx.stdout.write(ctx.options.json ? `${JSON.stringify(report)}\n` : describe(report));
  else if (ctx.options.json) ctx.stdout.write(unfinishedJson(framed));
  return framed.exitCode;
}

function syncReportSummary(r: GphotosSyncReport): AdoptSummary {
  const errors = r.failures.map((f) => ({ mediaKey: null, error: `${f.remoteId}${f.file ? ` (${f.file})` : ''}: ${f.error}` }));
  return { found: r.listed, failed: r.failed, seconds: r.seconds, mode: r.mode, missing: r.missing, mapped: r.mapped, mappedThisRun: r.mappedThisRun, adopted: r.adopted, already: r.already, unknown: r.unknown, pending: r.pending, placedThisRun: r.placedThisRun, errors };
}

function folderReportSummary(r: FolderReport): AdoptSummary {
  const errors = r.failed.slice(0, 100).map((f) => ({ mediaKey: f.mediaKey ?? null, error: `${f.path}: ${f.error ?? ''}` }));
  return { found: r.found, failed: r.failed.length, seconds: r.seconds, placement: r.placement, exact: r.exact, placed: r.placed, placedThisRun: r.placedThisRun, already: r.already, duplicates: r.duplicates, probable: r.probable.length, unmatched: r.unmatched.length, errors };
}

function throttled(ctx: CommandContext, unit: string): (p: { done: number; total: number; phase?: string }) => void {
  let last = 0;
  return (p) => {
    const now = Date.now();
    if (now - last < 10_000 && p.done !== p.total) return;
    last = now;
    ctx.logger.info({ ...p }, `${p.phase ? `${p.phase}: ` : ''}${p.done}/${p.total} ${unit}`);
  };
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function describeSyncReport(r: GphotosSyncReport, modeGiven: boolean): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'Dry run, nothing changed. ' : '';
  lines.push(`${verb}gphotos-sync index ${r.index}: ${r.listed} items listed, ${r.missing} without a file on disk.`);
  if (r.dryRun) {
    lines.push(`Would map ${plural(r.pending + r.failed, 'Library API id')} to Google Photos items through the signed-in browser (${r.mapped} already mapped, ${r.unknown} unknown to Google).`);
    const keep = 'with --keep they would count as done, without GPS and recompressed';
    const upgrade = 'with --upgrade the next sync would download their originals, keeping each old file until its original is verified';
    lines.push(modeGiven ? `Their files: ${r.mode === 'upgrade' ? upgrade : keep}.` : `Their files: ${keep}; ${upgrade}.`);
    lines.push(`The backup folder would be ${r.out}; files outside it are copied in (--copy, --move or --link).`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`Mapped ${plural(r.mapped, 'id')} to Google Photos items (${r.mappedThisRun} this run), ${r.unknown} unknown to Google, ${r.failed} failed${r.pending > 0 ? `, ${r.pending} not tried yet (stopped)` : ''}.`);
  lines.push(`Adopted ${plural(r.adopted, 'file')} as lossy copies (no GPS, recompressed)${r.already > 0 ? `; ${plural(r.already, 'item was', 'items were')} already backed up with the original` : ''}${r.placedThisRun > 0 ? `; ${plural(r.placedThisRun, 'file')} placed into ${r.out}` : ''}.`);
  lines.push(
    r.mode === 'upgrade'
      ? `--upgrade: their originals are queued; the next \`gphotos-keep sync --out ${r.out}\` downloads them and keeps each old file until its original is verified.`
      : `--keep: they count as done; \`gphotos-keep sync --out ${r.out}\` downloads only what they do not cover.`,
  );
  if (r.unknownIds.length > 0) lines.push(`Unknown to Google (deleted since, or another account's): ${r.unknownIds.slice(0, SHOWN).join(', ')}${r.unknown > SHOWN ? ` … and ${r.unknown - SHOWN} more` : ''}`);
  for (const f of r.failures.slice(0, SHOWN)) lines.push(`  failed ${f.remoteId}${f.file ? ` (${f.file})` : ''}: ${f.error}`);
  if (r.failed > 0) lines.push('Run the same command again to retry the failed ones.');
  return `${lines.join('\n')}\n`;
}

function describeFolderReport(r: FolderReport): string {
  const lines: string[] = [];
  const how = { copy: 'copied', move: 'moved', link: 'hard-linked' }[r.placement];
  lines.push(`${r.dryRun ? 'Dry run, nothing changed. ' : ''}${r.folder}: ${plural(r.found, 'media file')} (${r.hashedThisRun} hashed this run).`);
  lines.push(`Exact copies of originals Google holds: ${r.exact}.`);
  if (r.dryRun) lines.push(`Would place ${r.wouldPlace} of them into ${r.out} (${how}) and count them as done.`);
  else lines.push(`Placed into ${r.out} (${how}) and counted as done: ${r.placed} (${r.placedThisRun} this run).`);
  if (r.already > 0) lines.push(`Already in the backup, left alone: ${r.already}.`);
  if (r.duplicates > 0) lines.push(`Duplicates of a file already adopted (e.g. one per album), left alone: ${r.duplicates}.`);
  lines.push(`Probable matches (same name and taken time, different bytes), not counted: ${r.probable.length}.`);
  lines.push(...listed(r.probable, (f) => `${f.path} → ${f.fileName ?? ''} ${f.mediaKey ?? ''}`.trimEnd()));
  if (r.acceptCommand) lines.push(`To accept them as the backup's copies (they are not the originals' bytes): \`${r.acceptCommand}\``);
  lines.push(`Matching nothing, left alone: ${r.unmatched.length}.`);
  lines.push(...listed(r.unmatched, (f) => f.path));
  if (r.failed.length > 0) {
    lines.push(`Failed: ${r.failed.length} (run the same command again to retry).`);
    lines.push(...listed(r.failed, (f) => `${f.path}: ${f.error ?? ''}`));
  }
  return `${lines.join('\n')}\n`;
}

function listed(files: ListedFile[], line: (f: ListedFile) => string): string[] {
  // Names come from Google and from other people's folders: printed with their controls escaped.
  const out = files.slice(0, SHOWN).map((f) => `  ${printable(line(f))}`);
  if (files.length > SHOWN) out.push(`  … and ${files.length - SHOWN} more (--json lists them all)`);
  return out;
}
