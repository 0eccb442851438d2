// A period of dates taken (--since, --until, --recheck FROM..TO). Dates are the calendar of the
// place each photo was taken, as the folder layout files them (YYYY/MM by local date taken):
// `--since 2019-06` takes a photo shot at 00:30 on 1 June in Tokyo, whatever UTC said.
import { UsageError } from '../errors.js';

export interface TakenRange {
  /** The first local date taken included, as ms of that wall-clock time read as UTC; null: no lower bound. */
  fromMs: number | null;
  /** The first local date taken no longer included (exclusive); null: no upper bound. */
  toMs: number | null;
}

/** How far a place's clock can be from UTC (UTC-12 to UTC+14): the slack when only UTC is known. */
export const MAX_OFFSET_MS = 14 * 3_600_000;

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** `2019`, `2019-06` or `2019-06-30` → the start of that year, month or day, and the start of the next one. */
export function parsePeriod(text: string, flag: string): { startMs: number; endMs: number } {
  const match = DATE.exec(text.trim());
  const year = match ? Number(match[1]) : NaN;
  const month = match?.[2] ? Number(match[2]) : null;
  const day = match?.[3] ? Number(match[3]) : null;
  const valid = match && year >= 1800 && year <= 2999 && (month === null || (month >= 1 && month <= 12)) && (day === null || (day >= 1 && day <= 31));
  const startMs = valid ? Date.UTC(year, (month ?? 1) - 1, day ?? 1) : NaN;
  // 2019-02-30 rolls over into March: not a date.
  if (!valid || (day !== null && new Date(startMs).getUTCDate() !== day)) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a date: give YYYY-MM-DD, YYYY-MM or YYYY (the local date the photos were taken).`);
  }
  const endMs = day !== null ? Date.UTC(year, month! - 1, day + 1) : month !== null ? Date.UTC(year, month, 1) : Date.UTC(year + 1, 0, 1);
  return { startMs, endMs };
}

/** --since and --until (each optional; --until includes the whole day, month or year it names). */
export function rangeOf(since: string | null | undefined, until: string | null | undefined): TakenRange | null {
  if (!since && !until) return null;
  const range: TakenRange = { fromMs: since ? parsePeriod(since, '--since').startMs : null, toMs: until ? parsePeriod(until, '--until').endMs : null };
  if (range.fromMs !== null && range.toMs !== null && range.fromMs >= range.toMs) {
    throw new UsageError(`--since ${since} is after --until ${until}: nothing was taken in between.`);
  }
  return range;
}

/** `FROM..TO` (either side may be left open: `2019..`, `..2020-06`). */
export function parseRecheck(text: string): TakenRange {
  const parts = text.split('..');
  if (parts.length !== 2 || (parts[0].trim() === '' && parts[1].trim() === '')) {
    throw new UsageError(`--recheck ${JSON.stringify(text)} is not a period: give FROM..TO, e.g. 2019-06..2019-08 or 2020-01-01..2020-01-31.`);
  }
  const from = parts[0].trim() === '' ? null : parsePeriod(parts[0], '--recheck').startMs;
  const to = parts[1].trim() === '' ? null : parsePeriod(parts[1], '--recheck').endMs;
  if (from !== null && to !== null && from >= to) throw new UsageError(`--recheck ${text}: FROM is after TO.`);
  return { fromMs: from, toMs: to };
}

/** Is an item (its UTC time taken and its place's offset) inside the range? */
export function inTakenRange(range: TakenRange | null, takenMs: number, tzOffsetMs: number): boolean {
  if (!range) return true;
  const local = takenMs + tzOffsetMs;
  return (range.fromMs === null || local >= range.fromMs) && (range.toMs === null || local < range.toMs);
}

/** `2019-06-01 – 2019-08-31`, for messages. */
export function describeRange(range: TakenRange): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const from = range.fromMs === null ? 'the first photo' : day(range.fromMs);
  const to = range.toMs === null ? 'today' : day(range.toMs - 86_400_000);
  return `${from} – ${to}`;
}
