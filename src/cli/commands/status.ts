// `status`: what the backup folder holds, read-only. Human text on stdout, or one JSON object
// with --json. A folder without an index is exit 2. Times are local (TZ), or UTC with --utc;
// JSON keeps ISO 8601 in UTC.
import { ExitCode } from '../../errors.js';
import { formatBytes, formatDuration } from '../../run/progress.js';
import { PARKED_HEADING, type ParkedList } from '../../run/report.js';
import { type BackupStatus, type StatusProblem, readStatus } from '../../run/status.js';
import { type CommandContext, outDir } from '../context.js';

export async function runStatus(ctx: CommandContext): Promise<number> {
  const status = readStatus(outDir(ctx, false));
  ctx.stdout.write(ctx.options.json ? `${JSON.stringify(status)}\n` : renderStatus(status, Date.now(), clock(ctx.options.utc === true)));
  return ExitCode.Complete;
}

/** How times are written: the machine's zone (TZ), or UTC. */
export interface Clock {
  /** `2026-01-12 04:00:00` */
  stamp(ms: number): string;
  /** `2026-01-12` */
  day(ms: number): string;
  /** The zone's short name at that moment: `UTC`, `EST`, `GMT+1`. */
  zone(ms: number): string;
  /** The zone's name for a heading: `UTC`, `Europe/Berlin`. */
  name: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function clock(utc: boolean): Clock {
  if (utc) {
    return {
      stamp: (ms) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ''),
      day: (ms) => new Date(ms).toISOString().slice(0, 10),
      zone: () => 'UTC',
      name: 'UTC',
    };
  }
  const short = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' });
  const zone = (ms: number): string => {
    // A machine without a zone (no TZ, no /etc/localtime) runs on UTC: say so.
    if (new Date(ms).getTimezoneOffset() === 0) return 'UTC';
    return short.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'local time';
  };
  const named = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return {
    stamp: (ms) => {
      const d = new Date(ms);
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    },
    day: (ms) => {
      const d = new Date(ms);
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
    },
    zone,
    name: !named || named === 'Etc/Unknown' ? zone(Date.now()) : named,
  };
}

function when(iso: string | null, now: number, c: Clock): string {
  if (!iso) return 'never';
  const ms = Date.parse(iso);
  const ago = (now - ms) / 1000;
  const text = `${c.stamp(ms)} ${c.zone(ms)}`;
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

function parked(list: ParkedList, now: number, c: Clock): string[] {
  if (list.total === 0) return [];
  const lines = [`Parked, ${PARKED_HEADING} (${list.total}${list.items.length < list.total ? `, showing ${list.items.length}` : ''}):`];
  for (const p of list.items) {
    lines.push(`  ${p.mediaKey}  ${p.fileName ?? '(name not known yet)'}  failed in ${p.failedRuns} ${p.failedRuns === 1 ? 'run' : 'runs'}, parked since ${when(p.parkedAt, now, c)}  ${(p.reason ?? 'no reason recorded').replace(/\s+/g, ' ')}`);
  }
  return lines;
}

/** Items in Google's trash: kept here, not gone, and the date Google deletes each for good. */
function trashed(list: BackupStatus['trashed'], c: Clock): string[] {
  const day = (iso: string | null): string => (iso ? c.day(Date.parse(iso)) : 'an unknown date');
  const lines: string[] = [];
  if (list.total > 0) {
    lines.push(
      '',
      `In Google's trash (${list.total}${list.items.length < list.total ? `, showing ${list.items.length}` : ''}): kept here; restored in Google they simply come back, --prune never touches them:`,
      ...list.items.map((t) => `  ${t.mediaKey}  ${t.fileName ?? '(name not known yet)'}  trashed ${day(t.trashedAt)}, Google deletes it for good on ${day(t.deletedBy)}`),
    );
  }
  const never = list.neverBackedUp;
  if (never.count > 0) {
    lines.push('', `Google's trash also holds ${never.count} item(s) trashed before any run saw them: not backed up. Restore them in Google Photos to have them backed up; the first goes for good on ${day(never.firstDeletedBy)}.`);
  }
  return lines;
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

export function renderStatus(s: BackupStatus, now = Date.now(), c: Clock = clock(false)): string {
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
  lines.push(`Last complete sync: ${when(s.lastSuccessAt, now, c)}`);
  if (s.activeRun) {
    const alive = s.activeRun.alive === false ? ' — that process is gone; the next run takes the lock over' : '';
    lines.push(`A run holds the folder: pid ${s.activeRun.pid} on ${s.activeRun.host}, since ${when(s.activeRun.startedAt, now, c)}${alive}`);
  }
  lines.push('');
  if (s.runs.length === 0) {
    lines.push('No runs recorded yet.');
  } else {
    lines.push(`Last ${s.runs.length} ${s.runs.length === 1 ? 'run' : 'runs'}:`);
    const rows = [[`started (${c.name})`, 'command', 'took', 'exit', 'found', 'new', 'downloaded', 'skipped', 'deferred', 'failed', 'bytes', 'outcome']];
    for (const r of s.runs) {
      rows.push([
        c.stamp(Date.parse(r.startedAt)),
        r.command,
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
  const stuck = parked(s.parked, now, c);
  const failing = problems('Failing items', s.failing);
  const waiting = problems('Waiting (Google is still processing these)', s.waiting);
  if (stuck.length > 0) lines.push('', ...stuck);
  if (failing.length > 0) lines.push('', ...failing);
  if (waiting.length > 0) lines.push('', ...waiting);
  lines.push(...sizeNotes(s.listedSizeNotes));
  lines.push(...trashed(s.trashed, c));
  return `${lines.join('\n')}\n`;
}
