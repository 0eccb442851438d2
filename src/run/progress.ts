// What a run is doing right now. On a terminal (stdout and stderr both TTYs): a live display on
// stderr, listing and downloads on separate lines, with items done / total, bytes, rate and
// ETA. Anywhere else (cron, systemd, a pipe): plain log lines every so often, never control
// characters. Fed by the run's progress events; keeps the tally the report and pings use.
import { MultiBar, type SingleBar } from 'cli-progress';
import { writeSync } from 'node:fs';
import { type Logger, setConsoleWriter } from '../log.js';

export type ProgressEvent =
  /** Listing so far: items found in Google (cumulative), of which new to the index. */
  | { type: 'listing'; found: number; new?: number; done?: boolean }
  /** Items this run means to download, as known so far (grows while listing goes on). */
  | { type: 'queue'; total: number }
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
  return { found: 0, new: 0, listingDone: false, queued: 0, downloaded: 0, skipped: 0, deferred: 0, failed: 0, bytes: 0, errors: [] };
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
  now?: () => number;
}

export interface Progress {
  readonly tally: ProgressTally;
  event(e: ProgressEvent): void;
  /** Ends the display (leaving its last state on screen) or logs a last line. Idempotent. */
  stop(): void;
}

function showCursor(): void {
  try {
    writeSync(2, '\u001b[?25h');
  } catch {
    // the terminal is gone
  }
}

export function isInteractive(): boolean {
  return Boolean(process.stdout.isTTY && process.stderr.isTTY);
}

export function createProgress(options: ProgressOptions): Progress {
  const tally = emptyTally();
  const now = options.now ?? Date.now;
  const started = now();
  let inFlightBytes = 0;
  let stopped = false;
  const interactive = !options.quiet && (options.interactive ?? isInteractive());

  const rate = (): number => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? (tally.bytes + inFlightBytes) / seconds : 0;
  };
  const eta = (): string => {
    const finished = tally.downloaded + tally.skipped + tally.deferred + tally.failed;
    const remaining = Math.max(0, tally.queued - finished);
    if (remaining === 0) return tally.listingDone ? '0s' : '?';
    if (finished === 0) return '?';
    const perItem = (now() - started) / 1000 / finished;
    return formatDuration(perItem * remaining) + (tally.listingDone ? '' : '+');
  };

  let multibar: MultiBar | null = null;
  let listingBar: SingleBar | null = null;
  let downloadBar: SingleBar | null = null;
  const payload = () => ({
    found: tally.found,
    fresh: tally.new,
    phase: tally.listingDone ? 'done' : 'listing…',
    size: formatBytes(tally.bytes + inFlightBytes),
    speed: `${formatBytes(rate())}/s`,
    left: eta(),
    failed: tally.failed,
    deferred: tally.deferred,
  });

  if (interactive) {
    multibar = new MultiBar({
      stream: options.stderr as NodeJS.WriteStream,
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      fps: 5,
      barsize: 24,
      barCompleteChar: '#',
      barIncompleteChar: '-',
      format: '{bar}',
      emptyOnZero: true,
    });
    listingBar = multibar.create(1, 0, payload(), { format: 'listing    {found} items found, {fresh} new ({phase})' });
    downloadBar = multibar.create(0, 0, payload(), {
      format: 'downloads  [{bar}] {value}/{total} items | {size} | {speed} | ETA {left} | {failed} failed, {deferred} waiting',
    });
    // A second Ctrl-C exits at once: give the terminal its cursor back even then.
    process.once('exit', showCursor);
    // Log lines print above the display (on its next frame) instead of through it.
    const bars = multibar;
    // Each line erases what the display drew there before (a multi-line record spans bar lines).
    setConsoleWriter((text) => bars.log(`${text.replace(/\n$/, '').split('\n').map((line) => `\u001b[2K${line}`).join('\n')}\n`));
  }

  const redraw = () => {
    if (!multibar || !listingBar || !downloadBar) return;
    const finished = tally.downloaded + tally.skipped + tally.deferred + tally.failed;
    listingBar.update(tally.listingDone ? 1 : 0, payload());
    downloadBar.setTotal(Math.max(tally.queued, finished));
    downloadBar.update(finished, payload());
  };

  const logEvery = (options.logEverySeconds ?? 30) * 1000;
  let lastLog = started;
  const logLine = (msg: string) => {
    if (options.quiet) return;
    options.logger.info(
      { found: tally.found, new: tally.new, queued: tally.queued, downloaded: tally.downloaded, skipped: tally.skipped, deferred: tally.deferred, failed: tally.failed, bytes: tally.bytes, bytesPerSecond: Math.round(rate()), eta: eta() },
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
        logLine(`progress: ${tally.downloaded + tally.skipped + tally.deferred + tally.failed}/${tally.queued} items, ${formatBytes(tally.bytes)}`);
        lastLog = now();
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      if (multibar) {
        redraw();
        // One last frame flushes log lines still buffered, then the display stays as it ended.
        multibar.update();
        multibar.stop();
        setConsoleWriter(null);
        process.off('exit', showCursor);
      }
    },
  };
}
