// `gphotos-keep report`: one self-contained HTML page about a backup, written into it as
// report.html. Items per month (Google's count beside what is kept, as a bar chart), the items
// that fail or wait with their reasons, the last runs, the space used, and a strip of the latest
// items as thumbnails made here from the kept files (their embedded previews via exiftool, or
// Chromium). The index is only read; the page needs no network and no other file.
import { statfsSync } from 'node:fs';
import path from 'node:path';
import { type ThumbnailSource, renderThumbnails } from '../browser/thumbnails.js';
import { atomicWriteFile } from '../folder/atomic-write.js';
import { resolveInside } from '../folder/layout.js';
import type { Logger } from '../log.js';
import { PreviewReader } from '../media/previews.js';
import { countByState } from '../store/items.js';
import { recentRuns, recordedOutcome } from '../store/runs.js';
import { type KeptItem, type MonthCount, failingItems, itemsByMonth, latestKept, recordedTotals, waitingItems } from '../store/stats.js';
import { formatBytes, formatDuration } from './progress.js';
import { outcomeOf, parkedList } from './report.js';
import { openStatusIndex } from './status.js';

export const REPORT_FILE = 'report.html';

export interface ReportProblem {
  mediaKey: string;
  fileName: string | null;
  reason: string | null;
  /** failing: tried again next run; parked: not until --retry-failed; deferred: still processing in Google. */
  kind: 'failing' | 'parked' | 'deferred';
}

export interface ReportRun {
  command: string;
  startedMs: number;
  seconds: number | null;
  exitCode: number | null;
  outcome: string;
  downloaded: number;
  failed: number;
  bytes: number;
}

export interface ReportThumb {
  mediaKey: string;
  fileName: string | null;
  relPath: string;
  /** Local date and time taken, `2019-06-02 14:03`. */
  takenAt: string;
  /** A data: URL, or null when no picture could be made (the name is shown instead). */
  src: string | null;
}

export interface BackupReport {
  out: string;
  generatedMs: number;
  items: Record<string, number> & { total: number };
  /** Items Google lists (not deleted, not in its trash), and how many of them are kept here. */
  inGoogle: number;
  kept: number;
  months: MonthCount[];
  problems: { total: Record<ReportProblem['kind'], number>; items: ReportProblem[] };
  runs: ReportRun[];
  space: { files: number; bytes: number; freeBytes: number | null };
  latest: ReportThumb[];
}

/** Everything the page shows except the thumbnails' pictures, read from the index (read-only). */
export function readBackupReport(outDir: string, options: { latest?: number; now?: number } = {}): { report: BackupReport; latest: KeptItem[] } {
  const out = path.resolve(outDir);
  const db = openStatusIndex(out);
  try {
    const byState = countByState(db);
    const months = itemsByMonth(db);
    const failing = failingItems(db, 50);
    const waiting = waitingItems(db, 50);
    const parked = parkedList(db, 50);
    const totals = recordedTotals(db);
    const latest = latestKept(db, options.latest ?? 12);
    const problems: ReportProblem[] = [
      ...failing.items.map((r) => ({ mediaKey: r.media_key, fileName: r.file_name, reason: r.last_error, kind: 'failing' as const })),
      ...parked.items.map((p) => ({ mediaKey: p.mediaKey, fileName: p.fileName, reason: p.reason, kind: 'parked' as const })),
      ...waiting.items.map((r) => ({ mediaKey: r.media_key, fileName: r.file_name, reason: r.last_error, kind: 'deferred' as const })),
    ];
    let freeBytes: number | null = null;
    try {
      const fs = statfsSync(out);
      freeBytes = fs.bavail * fs.bsize;
    } catch {
      // not every file system tells
    }
    const report: BackupReport = {
      out,
      generatedMs: options.now ?? Date.now(),
      items: { ...byState, total: Object.values(byState).reduce((a, b) => a + b, 0) },
      inGoogle: months.reduce((n, m) => n + m.google, 0),
      kept: months.reduce((n, m) => n + m.kept, 0),
      months,
      problems: { total: { failing: failing.total, parked: parked.total, deferred: waiting.total }, items: problems },
      runs: recentRuns(db, 10).map((r) => ({
        command: r.command,
        startedMs: r.started_ms,
        seconds: r.ended_ms === null ? null : (r.ended_ms - r.started_ms) / 1000,
        exitCode: r.exit_code,
        outcome: r.exit_code === null ? 'did not finish' : (recordedOutcome(r) ?? outcomeOf(r.exit_code)),
        downloaded: r.downloaded,
        failed: r.failed,
        bytes: r.bytes,
      })),
      space: { files: totals.files, bytes: totals.bytes, freeBytes },
      latest: [],
    };
    return { report, latest };
  } finally {
    db.close();
  }
}

const IMAGE_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp', '.gif': 'image/gif', '.bmp': 'image/bmp', '.avif': 'image/avif' };
const VIDEO_TYPES: Record<string, string> = { '.mp4': 'video/mp4', '.m4v': 'video/mp4', '.mov': 'video/mp4', '.webm': 'video/webm' };

/**
 * Thumbnails of kept files, made here: a file's embedded preview when it has one (exiftool),
 * else the file itself; Chromium shrinks either to a small JPEG. A file nothing can decode
 * (HEIC without a preview, a codec Chromium lacks) gets no picture, only its name.
 */
export async function makeThumbnails(outDir: string, items: KeptItem[], logger?: Logger): Promise<ReportThumb[]> {
  const out = path.resolve(outDir);
  const reader = new PreviewReader();
  const sources: (ThumbnailSource | null)[] = [];
  try {
    for (const item of items) {
      let file: string;
      try {
        file = resolveInside(out, item.rel_path, 'recorded');
      } catch {
        sources.push(null);
        continue;
      }
      const ext = path.extname(item.rel_path).toLowerCase();
      const preview = await reader.embedded(file).catch(() => null);
      if (preview) sources.push({ bytes: preview, type: 'image/jpeg' });
      else if (IMAGE_TYPES[ext]) sources.push({ file, type: IMAGE_TYPES[ext] });
      else if (VIDEO_TYPES[ext]) sources.push({ file, type: VIDEO_TYPES[ext] });
      else sources.push(null);
    }
  } finally {
    await reader.end();
  }
  const wanted = sources.flatMap((s, i) => (s ? [{ s, i }] : []));
  let pictures: (string | null)[] = [];
  try {
    pictures = await renderThumbnails(wanted.map((w) => w.s));
  } catch (error) {
    logger?.warn({ reason: (error as Error).message }, 'no thumbnails: Chromium could not make them');
  }
  const byIndex = new Map(wanted.map((w, n) => [w.i, pictures[n] ?? null]));
  return items.map((item, i) => ({
    mediaKey: item.media_key,
    fileName: item.file_name,
    relPath: item.rel_path,
    takenAt: new Date(item.taken_ms + item.tz_offset_ms).toISOString().slice(0, 16).replace('T', ' '),
    src: byIndex.get(i) ?? null,
  }));
}

/** `report --out DIR`: reads the index, makes the thumbnails, writes DIR/report.html; its path. */
export async function writeBackupReport(outDir: string, options: { stamp: (ms: number) => string; zone: string; latest?: number; logger?: Logger }): Promise<{ file: string; report: BackupReport }> {
  const { report, latest } = readBackupReport(outDir, { latest: options.latest });
  report.latest = await makeThumbnails(outDir, latest, options.logger);
  const file = path.join(report.out, REPORT_FILE);
  atomicWriteFile(file, renderReportHtml(report, options), 0o644);
  return { file, report };
}

// ---- the page

const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Items per month as an SVG bar chart: Google's count (grey) with what is kept (green) over it. */
export function monthChart(months: MonthCount[]): string {
  if (months.length === 0) return '<p class="empty">No items in the index yet.</p>';
  // Every month from the first to the last, empty ones too, so the time axis is true.
  const all: MonthCount[] = [];
  const byMonth = new Map(months.map((m) => [m.month, m]));
  let [y, m] = months[0].month.split('-').map(Number);
  const [ly, lm] = months[months.length - 1].month.split('-').map(Number);
  while (y < ly || (y === ly && m <= lm)) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    all.push(byMonth.get(key) ?? { month: key, google: 0, kept: 0 });
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  const max = Math.max(1, ...all.map((x) => x.google));
  // Fits a page (about 860 px of bars) down to 2 px a month; longer spans scroll sideways.
  const per = Math.max(2, Math.min(20, Math.floor(860 / all.length)));
  const gap = Math.max(1, Math.round(per / 4));
  const bar = per - gap;
  // A year label needs about 34 px: every year, or every 2nd, 5th or 10th when months are thin.
  const everyYears = [1, 2, 5, 10].find((n) => n * 12 * per >= 34) ?? 10;
  const h = 160;
  const width = all.length * per + 70;
  const parts: string[] = [];
  all.forEach((x, i) => {
    const left = 36 + i * per;
    const gh = Math.round((x.google / max) * h);
    const kh = Math.round((x.kept / max) * h);
    const missing = x.google - x.kept;
    parts.push(
      `<g class="month" data-month="${x.month}" data-google="${x.google}" data-kept="${x.kept}"><title>${x.month}: ${x.google} in Google, ${x.kept} kept${missing > 0 ? `, ${missing} not yet` : ''}</title>` +
        `<rect class="google" x="${left}" y="${10 + h - gh}" width="${bar}" height="${gh}"/>` +
        `<rect class="kept" x="${left}" y="${10 + h - kh}" width="${bar}" height="${kh}"/></g>`,
    );
    // The year under its January, and under the first month when its January is not close.
    const firstMonth = Number(x.month.slice(5));
    const year = Number(x.month.slice(0, 4));
    if ((x.month.endsWith('-01') && year % everyYears === 0) || (i === 0 && (13 - firstMonth) * per >= 34)) parts.push(`<text class="year" x="${left}" y="${h + 26}">${year}</text>`);
  });
  return (
    `<div class="chart"><svg role="img" aria-label="Items per month: in Google and kept" width="${width}" height="${h + 32}" viewBox="0 0 ${width} ${h + 32}">` +
    `<text class="axis" x="0" y="16">${max}</text><text class="axis" x="0" y="${h + 10}">0</text><line class="axis" x1="32" y1="${h + 10}" x2="${width}" y2="${h + 10}"/>` +
    `${parts.join('')}</svg></div>`
  );
}

const CSS = `
:root{--ink:#1f2328;--muted:#656d76;--line:#d0d7de;--google:#c8ced6;--kept:#2da44e;--bad:#cf222e;--wait:#9a6700}
*{box-sizing:border-box}body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);margin:0;padding:24px 28px;max-width:1100px}
h1{font-size:20px;margin:0 0 2px}h2{font-size:15px;margin:26px 0 8px}.sub{color:var(--muted);margin:0 0 18px;word-break:break-all}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{border:1px solid var(--line);border-radius:8px;padding:7px 12px;min-width:104px}
.card b{display:block;font-size:20px}.card span{color:var(--muted);font-size:12px}.card.bad b{color:var(--bad)}.card.wait b{color:var(--wait)}
.chart{overflow-x:auto;border:1px solid var(--line);border-radius:8px;padding:8px}rect.google{fill:var(--google)}rect.kept{fill:var(--kept)}
text.axis,text.year{font-size:11px;fill:var(--muted)}line.axis{stroke:var(--line)}.legend{color:var(--muted);font-size:12px;margin-top:4px}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:-1px}
.strip{display:flex;gap:8px;overflow-x:auto;padding-bottom:4px}figure{margin:0;flex:0 0 auto;width:132px}
figure img,figure .none{width:132px;height:100px;object-fit:cover;border-radius:6px;background:#eef1f4;display:block}
figure .none{display:flex;align-items:center;justify-content:center;color:var(--muted);font-size:11px;text-align:center;padding:6px}
figcaption{font-size:11px;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{font-weight:600;color:var(--muted);font-size:12px}
td.n{text-align:right;font-variant-numeric:tabular-nums}.kind-failing,.kind-parked{color:var(--bad)}.kind-deferred{color:var(--wait)}.empty{color:var(--muted)}
`;

export function renderReportHtml(r: BackupReport, options: { stamp: (ms: number) => string; zone: string }): string {
  const missing = Math.max(0, r.inGoogle - r.kept);
  const card = (value: string, label: string, name: string, cls = '') => `<div class="card ${cls}" data-card="${name}"><b>${esc(value)}</b><span>${esc(label)}</span></div>`;
  const cards = [
    card(String(r.inGoogle), 'items in Google', 'google'),
    card(String(r.kept), 'kept here', 'kept'),
    card(String(missing), 'not kept yet', 'missing', missing > 0 ? 'wait' : ''),
    card(String(r.problems.total.failing + r.problems.total.parked), 'failing', 'failing', r.problems.total.failing + r.problems.total.parked > 0 ? 'bad' : ''),
    card(String(r.problems.total.deferred), 'waiting for Google', 'deferred', r.problems.total.deferred > 0 ? 'wait' : ''),
    card(formatBytes(r.space.bytes), `in ${r.space.files} files${r.space.freeBytes === null ? '' : `, ${formatBytes(r.space.freeBytes)} free`}`, 'space'),
  ].join('');
  const kindText = { failing: 'failing (tried again next run)', parked: 'parked (until sync --retry-failed)', deferred: 'still processing in Google' };
  const problems =
    r.problems.items.length === 0
      ? '<p class="empty">Nothing is failing or waiting.</p>'
      : `<table class="problems"><thead><tr><th>item</th><th>state</th><th>reason</th></tr></thead><tbody>${r.problems.items
          .map((p) => `<tr data-kind="${p.kind}"><td>${esc(p.fileName ?? p.mediaKey)}</td><td class="kind-${p.kind}">${kindText[p.kind]}</td><td>${esc((p.reason ?? 'no reason recorded').replace(/\s+/g, ' '))}</td></tr>`)
          .join('')}</tbody></table>`;
  const runs =
    r.runs.length === 0
      ? '<p class="empty">No runs recorded yet.</p>'
      : `<table class="runs"><thead><tr><th>started (${esc(options.zone)})</th><th>command</th><th>took</th><th>outcome</th><th class="n">downloaded</th><th class="n">failed</th><th class="n">bytes</th></tr></thead><tbody>${r.runs
          .map(
            (x) =>
              `<tr><td>${esc(options.stamp(x.startedMs))}</td><td>${esc(x.command)}</td><td>${x.seconds === null ? '-' : formatDuration(x.seconds)}</td><td>${esc(x.outcome)}${x.exitCode === null ? '' : ` (exit ${x.exitCode})`}</td><td class="n">${x.downloaded}</td><td class="n">${x.failed}</td><td class="n">${formatBytes(x.bytes)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const strip =
    r.latest.length === 0
      ? '<p class="empty">Nothing kept yet.</p>'
      : `<div class="strip">${r.latest
          .map(
            (t) =>
              `<figure data-key="${esc(t.mediaKey)}">${t.src ? `<img alt="${esc(t.fileName ?? t.relPath)}" src="${t.src}">` : `<div class="none">${esc(t.fileName ?? path.basename(t.relPath))}</div>`}<figcaption title="${esc(t.relPath)}">${esc(t.takenAt)} · ${esc(t.fileName ?? path.basename(t.relPath))}</figcaption></figure>`,
          )
          .join('')}</div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<title>gphotos-keep backup report</title><style>${CSS}</style></head><body>
<h1>gphotos-keep backup</h1>
<p class="sub">${esc(r.out)} · made ${esc(options.stamp(r.generatedMs))} ${esc(options.zone)}</p>
<div class="cards">${cards}</div>
<h2>Items per month taken</h2>
${monthChart(r.months)}
<div class="legend"><i style="background:var(--google)"></i>in Google<i style="background:var(--kept)"></i>kept here</div>
<h2>Latest items</h2>
${strip}
<h2>Failing and waiting</h2>
${problems}
<h2>Last runs</h2>
${runs}
</body></html>
`;
}
