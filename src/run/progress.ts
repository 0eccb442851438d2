// What a run is doing right now. On a terminal (stdout and stderr both TTYs): a live display of
// two lines on stderr, listing and downloads, fitted to the terminal's width, redrawn in place;
// log lines print above it. Anywhere else (cron, systemd, a pipe): a human log line when the
// listing ends and every so often, never a control character. Fed by the run's progress
// events; keeps the tally the report and pings use.
import { writeSync } from 'node:fs';
import { type Logger, setConsoleWriter } from '../log.js';

export type ProgressEvent =
  /** Listing so far: items found in Google (cumulative), of which new to the index. */
  | { type: 'listing'; found: number; new?: number; done?: boolean }
  /** Items this run means to download, as known so far (grows while listing goes on). */
  | { type: 'queue'; total: number }
  /** An item's download began (it is in flight until downloaded, deferred or failed). */
  | { type: 'started'; mediaKey?: string }
  | { type: 'downloaded'; mediaKey?: string; bytes: number }
  | { type: 'skipped'; mediaKey?: string }
  | { type: 'deferred'; mediaKey?: string; reason?: string }
  | { type: 'failed'; mediaKey?: string; error: string }
  /** Bytes received by downloads still in flight (a delta), for a smoother rate. */
  | { type: 'bytes'; bytes: number };

export interface ProgressTally {
  found: number;
  new: number;
  listingDone: boolean;
  queued: number;
  started: number;
  downloaded: number;
  skipped: number;
  deferred: number;
  failed: number;
  /** Bytes of finished downloads. */
  bytes: number;
  /** The first errors, for the report and the healthcheck body. */
  errors: { mediaKey: string | null; error: string }[];
}

export const MAX_TALLIED_ERRORS = 50;

export function emptyTally(): ProgressTally {
  return { found: 0, new: 0, listingDone: false, queued: 0, started: 0, downloaded: 0, skipped: 0, deferred: 0, failed: 0, bytes: 0, errors: [] };
}

export function applyEvent(t: ProgressTally, e: ProgressEvent): void {
  switch (e.type) {
    case 'listing':
      t.found = Math.max(t.found, e.found);
      if (e.new !== undefined) t.new = Math.max(t.new, e.new);
      if (e.done) t.listingDone = true;
      break;
    case 'queue':
      t.queued = Math.max(t.queued, e.total);
      break;
    case 'started':
      t.started += 1;
      break;
    case 'downloaded':
      t.downloaded += 1;
      t.bytes += e.bytes;
      break;
    case 'skipped':
      t.skipped += 1;
      break;
    case 'deferred':
      t.deferred += 1;
      break;
    case 'failed':
      t.failed += 1;
      if (t.errors.length < MAX_TALLIED_ERRORS) t.errors.push({ mediaKey: e.mediaKey ?? null, error: e.error });
      break;
    case 'bytes':
      break;
  }
}

/** Items whose download began and has not ended yet. */
export function inFlight(t: ProgressTally): number {
  return Math.max(0, t.started - t.downloaded - t.deferred - t.failed);
}

/** What the first Ctrl-C (or SIGTERM) is answered with: the run finishes what is in flight, a second one stops it now. */
export function stoppingNote(reason: unknown, inFlightItems: number): string {
  const terminated = /SIGTERM/.test(reason instanceof Error ? reason.message : String(reason));
  const what = inFlightItems > 0 ? `finishing ${inFlightItems} download${inFlightItems === 1 ? '' : 's'} in flight` : 'finishing the work in flight';
  return terminated ? `stopping (SIGTERM): ${what}; a second SIGTERM stops now` : `${what}; Ctrl-C again to stop now`;
}

/** The one byte formatter of every human line: decimal units (1 kB = 1000 B), as disks and Google count. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

export interface ProgressOptions {
  stderr: NodeJS.WritableStream;
  logger: Logger;
  /** Live display; defaults to stdout and stderr both being terminals. */
  interactive?: boolean;
  /** -q: no display and no progress lines. */
  quiet?: boolean;
  /** Seconds between progress log lines when not interactive. */
  logEverySeconds?: number;
  /** Terminal width; defaults to the stream's columns (80 when unknown). */
  columns?: () => number;
  now?: () => number;
}

export interface Progress {
  readonly tally: ProgressTally;
  event(e: ProgressEvent): void;
  /** A line for the person at the terminal (above the display when there is one). */
  note(text: string): void;
  /** Ends the display (leaving its last state on screen) or logs a last line. Idempotent. */
  stop(): void;
}

const SHOW_CURSOR = '\u001b[?25h';
const HIDE_CURSOR = '\u001b[?25l';
const CLEAR_LINE = '\u001b[2K';
const CLEAR_BELOW = '\u001b[J';

function showCursor(): void {
  try {
    writeSync(2, SHOW_CURSOR);
  } catch {
    // the terminal is gone
  }
}

export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY && process.stderr.isTTY);
}

/** Cuts a line to `width` characters (the display never wraps, or redrawing in place would garble it). */
function fit(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export interface DisplayState {
  found: number;
  fresh: number;
  listingDone: boolean;
  done: number;
  total: number;
  bytes: number;
  rate: number;
  eta: string;
  failed: number;
  deferred: number;
}

/**
 * The display's two lines at a width: the listing, then the downloads with a bar (10 to 30
 * characters, by the width). Figures that do not fit are left out, least useful first (rate,
 * then ETA, then bytes), so a line is never wrapped (redrawing in place would garble it).
 */
export function displayLines(s: DisplayState, columns: number): [string, string] {
  const width = Math.max(20, columns - 1);
  const listing = fit(`listing    ${s.found} found, ${s.fresh} new${s.listingDone ? ' · done' : ' · listing…'}`, width);
  const head = 'downloads  ';
  const count = `${s.done}/${s.total}`;
  const optional: [string, string][] = [
    ['bytes', formatBytes(s.bytes)],
    ['eta', `ETA ${s.eta}`],
    ['rate', `${formatBytes(s.rate)}/s`],
  ];
  const tail: string[] = [];
  if (s.failed > 0) tail.push(`${s.failed} failed`);
  if (s.deferred > 0) tail.push(`${s.deferred} waiting`);
  const dropOrder = ['rate', 'eta', 'bytes'];
  const kept = new Set(optional.map(([k]) => k));
  const compose = (bar: number): string => {
    const parts = [count, ...optional.filter(([k]) => kept.has(k)).map(([, v]) => v), ...tail];
    return `${head}${bar > 0 ? `[${'#'.repeat(Math.round((bar * s.done) / Math.max(1, s.total)))}${'-'.repeat(bar - Math.round((bar * s.done) / Math.max(1, s.total)))}] ` : ''}${parts.join(' · ')}`;
  };
  // A bar of steady width (it does not jump as figures grow): what an 80-column line can spare.
  const bar = Math.max(10, Math.min(30, width - 59));
  for (const drop of [null, ...dropOrder]) {
    if (drop) kept.delete(drop);
    if (compose(bar).length <= width) return [listing, compose(bar)];
  }
  return [listing, fit(compose(0), width)];
}

export function createProgress(options: ProgressOptions): Progress {
  const tally = emptyTally();
  const now = options.now ?? Date.now;
  const started = now();
  let inFlightBytes = 0;
  let stopped = false;
  const interactive = !options.quiet && (options.interactive ?? isInteractive());
  const stream = options.stderr as NodeJS.WriteStream;
  const columns = options.columns ?? (() => (stream.columns && stream.columns > 0 ? stream.columns : 80));

  const finished = (): number => tally.downloaded + tally.skipped + tally.deferred + tally.failed;
  const rate = (): number => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? (tally.bytes + inFlightBytes) / seconds : 0;
  };
  const eta = (): string => {
    const remaining = Math.max(0, tally.queued - finished());
    if (remaining === 0) return tally.listingDone ? '0s' : '?';
    if (finished() === 0) return '?';
    const perItem = (now() - started) / 1000 / finished();
    return formatDuration(perItem * remaining) + (tally.listingDone ? '' : '+');
  };
  const state = (): DisplayState => ({
    found: tally.found,
    fresh: tally.new,
    listingDone: tally.listingDone,
    done: finished(),
    total: Math.max(tally.queued, finished()),
    bytes: tally.bytes + inFlightBytes,
    rate: rate(),
    eta: eta(),
    failed: tally.failed,
    deferred: tally.deferred,
  });

  // ---- the live display: drawn lines are erased and drawn again in place; a log line first
  // erases them, prints, and the display is drawn again below it.
  let drawn = 0;
  let lastDraw = 0;
  let timer: NodeJS.Timeout | null = null;
  const write = (text: string): void => {
    try {
      stream.write(text);
    } catch {
      // the terminal is gone
    }
  };
  const erase = (): string => (drawn > 0 ? `\r${drawn > 1 ? `\u001b[${drawn - 1}A` : ''}${CLEAR_BELOW}` : '');
  const draw = (): void => {
    if (stopped && drawn > 0) return;
    const lines = displayLines(state(), columns());
    write(`${erase()}${lines.map((l) => `${CLEAR_LINE}${l}`).join('\n')}`);
    drawn = lines.length;
    lastDraw = now();
  };
  const redraw = (): void => {
    if (!interactive) return;
    // At most five frames a second; a timer catches the last change.
    if (now() - lastDraw >= 200) draw();
    else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        if (!stopped) draw();
      }, 200);
      timer.unref();
    }
  };
  const above = (text: string): void => {
    write(`${erase()}${text.endsWith('\n') ? text : `${text}\n`}`);
    drawn = 0;
    if (!stopped) draw();
  };

  if (interactive) {
    write(HIDE_CURSOR);
    // A second Ctrl-C exits at once: give the terminal its cursor back even then.
    process.once('exit', showCursor);
    setConsoleWriter(above);
    draw();
  }

  const logEvery = (options.logEverySeconds ?? 30) * 1000;
  let lastLog = started;
  const logLine = (msg: string) => {
    if (options.quiet) return;
    // The figures go to the log file; a person reads the message.
    options.logger.info(
      { progress: { found: tally.found, new: tally.new, queued: tally.queued, downloaded: tally.downloaded, skipped: tally.skipped, deferred: tally.deferred, failed: tally.failed, bytes: tally.bytes, bytesPerSecond: Math.round(rate()), eta: eta() } },
      msg,
    );
  };

  return {
    tally,
    event(e) {
      if (stopped) return;
      if (e.type === 'bytes') inFlightBytes += e.bytes;
      if (e.type === 'downloaded') inFlightBytes = Math.max(0, inFlightBytes - e.bytes);
      const wasDone = tally.listingDone;
      applyEvent(tally, e);
      if (interactive) {
        redraw();
        return;
      }
      if (e.type === 'downloaded' || e.type === 'skipped' || e.type === 'deferred' || e.type === 'failed') {
        options.logger.debug({ event: e.type, mediaKey: e.mediaKey }, 'item');
      }
      if (!wasDone && tally.listingDone) {
        logLine(`listing done: ${tally.found} items, ${tally.new} new`);
        lastLog = now();
      } else if (now() - lastLog >= logEvery) {
        logLine(`progress: ${finished()}/${Math.max(tally.queued, finished())} items, ${formatBytes(tally.bytes)}`);
        lastLog = now();
      }
    },
    note(text) {
      if (interactive && !stopped) above(text);
      else write(text.endsWith('\n') ? text : `${text}\n`);
    },
    stop() {
      if (stopped) return;
      if (interactive) {
        if (timer) clearTimeout(timer);
        timer = null;
        // The last frame stays on screen, the cursor below it.
        draw();
        write(`\n${SHOW_CURSOR}`);
        setConsoleWriter(null);
        process.off('exit', showCursor);
      }
      stopped = true;
    },
  };
}
