// `status`: what the backup folder holds, read-only. Human text on stdout, or one JSON object
// with --json. A folder without an index is exit 2.
import { ExitCode } from '../../errors.js';
import { formatBytes, formatDuration } from '../../run/progress.js';
import { PARKED_HEADING, type ParkedList } from '../../run/report.js';
import { type BackupStatus, type StatusProblem, readStatus } from '../../run/status.js';
import { type CommandContext, outDir } from '../context.js';

export async function runStatus(ctx: CommandContext): Promise<number> {
  const status = readStatus(outDir(ctx, false));
  ctx.stdout.write(ctx.options.json ? `${JSON.stringify(status)}\n` : renderStatus(status));
  return ExitCode.Complete;
}

function when(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const ms = Date.parse(iso);
  const ago = (now - ms) / 1000;
  const text = iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
  return ago >= 0 ? `${text} (${formatDuration(ago)} ago)` : text;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `  ${r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd()).join('\n');
}

function problems(title: string, list: { total: number; items: StatusProblem[] }): string[] {
  if (list.total === 0) return [];
  const lines = [`${title} (${list.total}${list.items.length < list.total ? `, showing ${list.items.length}` : ''}):`];
  for (const p of list.items) {
    lines.push(`  ${p.mediaKey}  ${p.fileName ?? '(name not known yet)'}  ${p.attempts} ${p.attempts === 1 ? 'try' : 'tries'}  ${(p.reason ?? 'no reason recorded').replace(/\s+/g, ' ')}`);
  }
  return lines;
}

function parked(list: ParkedList, now: number): string[] {
  if (list.total === 0) return [];
  const lines = [`Parked, ${PARKED_HEADING} (${list.total}${list.items.length < list.total ? `, showing ${list.items.length}` : ''}):`];
  for (const p of list.items) {
    lines.push(`  ${p.mediaKey}  ${p.fileName ?? '(name not known yet)'}  failed in ${p.failedRuns} ${p.failedRuns === 1 ? 'run' : 'runs'}, parked since ${when(p.parkedAt, now)}  ${(p.reason ?? 'no reason recorded').replace(/\s+/g, ' ')}`);
  }
  return lines;
}

/** Items in Google's trash: kept here, not gone, and the date Google deletes each for good. */
function trashed(list: BackupStatus['trashed']): string[] {
  if (list.total === 0) return [];
  const day = (iso: string | null): string => (iso ? iso.slice(0, 10) : 'an unknown date');
  return [
    '',
    `In Google's trash (${list.total}${list.items.length < list.total ? `, showing ${list.items.length}` : ''}): kept here; restored in Google they simply come back, --prune never touches them:`,
    ...list.items.map((t) => `  ${t.mediaKey}  ${t.fileName ?? '(name not known yet)'}  trashed ${day(t.trashedAt)}, Google deletes it for good on ${day(t.deletedBy)}`),
  ];
}

/** Files kept although Google lists another size for them: what each side says. */
export function sizeNotes(notes: BackupStatus['listedSizeNotes']): string[] {
  if (notes.total === 0) return [];
  const shown = notes.items.length < notes.total ? `, showing ${notes.items.length}` : '';
  return [
    '',
    `Kept on their own evidence, though Google lists another size (${notes.total}${shown}):`,
    ...notes.items.map((n) => `  ${n.relPath}  ${n.bytes} bytes kept, Google lists ${n.listedBytes}`),
  ];
}

export function renderStatus(s: BackupStatus, now = Date.now()): string {
  const states = ['done', 'pending', 'failed', 'deferred', 'gone', 'trashed'].filter((k) => k in s.items);
  const lines: string[] = [];
  lines.push(`Backup ${s.out}`);
  lines.push(`Items      ${s.items.total} in the index: ${states.map((k) => `${k} ${s.items[k]}`).join(', ')}`);
  const missing = s.size.missingFiles > 0 ? `, ${s.size.missingFiles} MISSING (run \`gphotos-keep verify --fix\`)` : '';
  lines.push(`Size       ${s.size.recordedFiles} files, ${formatBytes(s.size.recordedBytes)} recorded; ${s.size.presentFiles} files, ${formatBytes(s.size.presentBytes)} on disk${missing}`);
  if (s.oldest && s.newest) {
    lines.push(`Oldest     ${s.oldest.takenAt}  ${s.oldest.fileName ?? s.oldest.mediaKey}`);
    lines.push(`Newest     ${s.newest.takenAt}  ${s.newest.fileName ?? s.newest.mediaKey}`);
  }
  lines.push(`Last complete sync: ${when(s.lastSuccessAt, now)}`);
  if (s.activeRun) {
    const alive = s.activeRun.alive === false ? ' — that process is gone; the next run takes the lock over' : '';
    lines.push(`A run holds the folder: pid ${s.activeRun.pid} on ${s.activeRun.host}, since ${s.activeRun.startedAt}${alive}`);
  }
  lines.push('');
  if (s.runs.length === 0) {
    lines.push('No runs recorded yet.');
  } else {
    lines.push(`Last ${s.runs.length} ${s.runs.length === 1 ? 'run' : 'runs'}:`);
    const rows = [['started (UTC)', 'took', 'exit', 'found', 'new', 'downloaded', 'skipped', 'deferred', 'failed', 'bytes', 'outcome']];
    for (const r of s.runs) {
      rows.push([
        r.startedAt.replace('T', ' ').replace(/\.\d{3}Z$/, ''),
        r.seconds === null ? '-' : formatDuration(r.seconds),
        r.exitCode === null ? '-' : String(r.exitCode),
        String(r.found),
        String(r.new),
        String(r.downloaded),
        String(r.skipped),
        String(r.deferred),
        String(r.failed),
        formatBytes(r.bytes),
        r.outcome,
      ]);
    }
    lines.push(table(rows));
  }
  const stuck = parked(s.parked, now);
  const failing = problems('Failing items', s.failing);
  const waiting = problems('Waiting (Google is still processing these)', s.waiting);
  if (stuck.length > 0) lines.push('', ...stuck);
  if (failing.length > 0) lines.push('', ...failing);
  if (waiting.length > 0) lines.push('', ...waiting);
  lines.push(...sizeNotes(s.listedSizeNotes));
  lines.push(...trashed(s.trashed));
  return `${lines.join('\n')}\n`;
}
