// `verify [--out DIR] [--full] [--fix] [--json]`: every recorded file present, same size,
// sha256 when asked or when it looks touched, still parses with exiftool; Live Photo pairs
// whole; every link of the link folders still the link gphotos-keep made. Exit 0 when clean, 3
// when it found problems (or was interrupted). It runs in the run frame; --fix changes the
// backup, so it takes the run lock like every writer.
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { LocalIoError, suggest } from '../../errors.js';
import { runInFrame } from '../../run/frame.js';
import { indexPath, stateDir } from '../../store/database.js';
import { formatBytes } from '../../run/progress.js';
import { type VerifyReport, requireIndex, verifyBackup, verifyCounts, verifyOutcome, verifySummary } from '../../run/verify.js';
import { sizeNotes } from './status.js';
import { type CommandContext, outDir } from '../context.js';
import { frameContext, unfinishedJson } from '../frame-context.js';

export async function runVerify(ctx: CommandContext): Promise<number> {
  const out = outDir(ctx, false);
  const fix = ctx.options.fix === true;
  // Before the frame, which would set the folder up: a folder without an index gets nothing.
  requireIndex(out);
  // A read-only backup (a read-only mount, a copy made a-w) is checked without recording
  // anything: no run row, report or verified marks. Repairing it needs writes, so --fix says why not.
  const readOnly = notWritable(path.resolve(out));
  if (readOnly && fix) {
    throw new LocalIoError(`verify --fix cannot repair ${path.resolve(out)}: ${readOnly}, and fixing moves files aside and re-queues items in the index. ${suggest('verify')} checks it without writing; make the folder writable to fix it.`);
  }
  let report: VerifyReport | null = null;
  const framed = await runInFrame(frameContext(ctx, out, fix ? 'verify --fix' : 'verify', { exclusive: fix, display: false, dryRun: readOnly !== null }), async () => {
    const done = await verifyBackup({ outDir: out, full: ctx.options.full === true, fix, logger: ctx.logger, signal: ctx.signal, readonly: readOnly !== null });
    report = done;
    const problems = done.problems.length + done.brokenPairs.length + done.linkProblems.length;
    return { outcome: verifyOutcome(done), summary: verifySummary(done), counts: verifyCounts(done), partialLabel: problems > 0 ? `${problems} problem${problems === 1 ? '' : 's'}` : undefined };
  });
  const done = report as VerifyReport | null;
  if (done && ctx.options.json) ctx.stdout.write(`${JSON.stringify(done)}\n`);
  // -q (cron): a clean backup prints nothing; otherwise only the problems.
  else if (done && !(ctx.options.quiet === true && done.clean)) ctx.stdout.write(renderVerify(done, { problemsOnly: ctx.options.quiet === true }));
  else if (!done && ctx.options.json) ctx.stdout.write(unfinishedJson(framed));
  return framed.exitCode;
}

/** Why the backup's index cannot be written (a read-only mount, no permission), or null. */
function notWritable(out: string): string | null {
  for (const target of [stateDir(out), indexPath(out)]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EROFS') return 'the backup is on a read-only file system';
      if (code === 'EACCES' || code === 'EPERM') return `${target} is not writable by this user`;
    }
  }
  return null;
}

const LIST_LIMIT = 50;

function list<T>(title: string, items: T[], line: (item: T) => string): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, LIST_LIMIT);
  const more = items.length > shown.length ? ` (showing ${shown.length})` : '';
  return [`${title} (${items.length})${more}:`, ...shown.map((item) => `  ${line(item)}`)];
}

export function renderVerify(r: VerifyReport, options: { problemsOnly?: boolean } = {}): string {
  const lines: string[] = [];
  const f = r.files;
  const how = r.full ? 'every file hashed' : 'hashed where size or mtime changed (--full hashes all)';
  lines.push(`Verified ${f.checked} recorded files in ${r.out}${r.interrupted ? ' before being interrupted' : ''}: ${f.ok} ok (${formatBytes(f.bytes)}), ${how}.`);
  lines.push(`  ${f.hashed} hashed, ${f.parsed} parsed with exiftool; ${r.counts.missing} missing, ${r.counts.changed} changed, ${r.counts.corrupt} corrupt, ${r.counts.brokenPairs} Live Photo ${r.counts.brokenPairs === 1 ? 'pair' : 'pairs'} missing a half.`);
  if (f.originalConfirmed > 0 && !options.problemsOnly) lines.push(`  ${f.originalConfirmed} files are confirmed by Google as the original upload.`);
  const kinds: [string, string][] = [
    ['missing', 'Missing'],
    ['changed', 'Changed'],
    ['corrupt', 'Corrupt (exiftool cannot read them as what they claim)'],
  ];
  for (const [kind, title] of kinds) {
    lines.push(...list(title, r.problems.filter((p) => p.kind === kind), (p) => `${p.relPath}  ${p.role}  ${p.detail}${p.originalConfirmed ? '  [original confirmed]' : ''}${p.restorable ? '' : '  (cannot be fetched again)'}`));
  }
  lines.push(...list('Live Photo pairs that lost a half', r.brokenPairs, (p) => `${p.still ?? '(no still)'} + ${p.video ?? '(no video)'}: ${p.detail}`));
  if (r.links.checked > 0) lines.push(`Checked ${r.links.checked} links in albums/, favorites/, archive/, partner/: ${r.links.ok} ok, ${r.links.broken} broken.`);
  lines.push(...list('Broken links', r.linkProblems, (p) => `${p.path}  ${p.issue}  ${p.detail}`));
  if (!options.problemsOnly) lines.push(...sizeNotes(r.listedSizeNotes));
  if (r.fixed) {
    const x = r.fixed;
    lines.push(`Fixed: ${x.requeued.length} items re-queued; the next \`gphotos-keep sync\` downloads them again.`);
    lines.push(...list('Moved aside (kept, not deleted)', x.movedAside, (m) => `${m.from} → ${m.to}`));
    lines.push(...list('Cannot be restored', x.notRestorable, (n) => `${n.relPath || n.mediaKey}: ${n.reason}`));
    lines.push(...list('Links made again', x.links.remade, (p) => p));
    lines.push(...list('Left as they are (not links gphotos-keep made; forgotten)', x.links.left, (l) => `${l.path}: ${l.reason}`));
    lines.push(...list('Links not repaired', x.links.failed, (l) => `${l.path}: ${l.reason}`));
  } else if (!r.clean && !r.interrupted) {
    if (r.problems.length + r.brokenPairs.length > 0) lines.push('Run `gphotos-keep verify --fix` to re-queue them; the next `gphotos-keep sync` restores them.');
    if (r.linkProblems.length > 0) lines.push('Run `gphotos-keep verify --fix` to make the broken links again (a file in a link\'s place that gphotos-keep did not make is left as it is).');
  }
  if (r.clean) lines.push(`All recorded files are present and intact.${r.links.checked > 0 ? ' Every link of the link folders is in place.' : ''}`);
  return `${lines.join('\n')}\n`;
}
