// pino with two channels. stderr is for people: one short human line per record (coloured on a
// TTY), never JSON; -q keeps it to errors. --log-file is for programs: JSON lines, every
// record, including the ones marked FILE_ONLY that a person already sees some other way.
// Streams are synchronous so that nothing is lost when the CLI exits with a code.
// Secrets (cookies, the at token, healthcheck URLs) are redacted by key, and code must
// never put them into messages. Names from Google end up in messages, so no line reaches a
// terminal with a control character, a C1 control or a direction override in it (printable);
// the log file holds the account's e-mail, so it is the owner's alone (0600).
import pino, { type Logger } from 'pino';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type { Logger };

export interface LogOptions {
  quiet?: boolean;
  verbose?: boolean;
  logFile?: string;
  /** Console lines: 'terminal' (coloured), 'plain' (the same line without colour), 'json'. Defaults to terminal on a TTY, else plain. */
  console?: ConsoleFormat;
  /** Older switch: true is 'terminal', false is 'json'. */
  pretty?: boolean;
}

export type ConsoleFormat = 'terminal' | 'plain' | 'json';

/**
 * Bindings of a record meant for the log file only: what the console already says another way
 * (a summary, a report, a stop message printed once), so a person reads each problem once.
 */
export const FILE_ONLY = { to: 'file' } as const;

export const REDACT_PATHS = ['cookie', 'cookies', 'at', 'token', 'healthcheck', '*.cookie', '*.cookies', '*.at', '*.token', '*.healthcheck', 'headers.cookie'];

/**
 * What a terminal acts on or draws misleadingly: controls other than newline and tab (ESC
 * starts cursor moves and title changes, BEL, DEL), C1 controls (U+009B is a CSI of its own),
 * zero-width characters and bidirectional overrides (a name that displays as something else).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

function escapeCode(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** Text safe to print to a terminal: every unsafe character written out visibly as `\uXXXX`. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeCode);
}

/** A JSON line with the same meaning and nothing unsafe left raw (JSON.stringify leaves C1, DEL and bidi characters as they are). */
function jsonSafe(line: string): string {
  return line.replace(UNSAFE, escapeCode);
}

const LEVELS: Record<number, { name: string; colour: string }> = {
  10: { name: 'TRACE', colour: '2' },
  20: { name: 'DEBUG', colour: '2' },
  30: { name: 'INFO', colour: '32' },
  40: { name: 'WARN', colour: '33' },
  50: { name: 'ERROR', colour: '31' },
  60: { name: 'FATAL', colour: '31' },
};
/** Bindings every record carries, or that only a program wants. */
const NOT_SHOWN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'command', 'to', 'v']);

function shortValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.length > 200 ? `${value.slice(0, 199)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) {
    return value.length > 5 ? `${value.slice(0, 5).join(', ')}, … (${value.length})` : value.join(', ');
  }
  // An error: its message (the stack is in the log file).
  if (typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return shortValue((value as { message: string }).message);
  return null;
}

/** One record as one short line for a person: `03:12:45 WARN  message (key: value, …)`. */
export function humanLine(record: Record<string, unknown>, colour: boolean): string {
  const level = LEVELS[Number(record.level)] ?? { name: 'LOG', colour: '0' };
  const time = typeof record.time === 'number' ? new Date(record.time) : new Date();
  const stamp = [time.getHours(), time.getMinutes(), time.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
  const fields: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (NOT_SHOWN.has(key)) continue;
    const text = shortValue(value);
    if (text !== null && text !== '') fields.push(`${key}: ${text}`);
  }
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const text = printable(`${msg}${fields.length > 0 ? ` (${fields.join(', ')})` : ''}`.replace(/\s*\n\s*/g, ' '));
  const name = level.name.padEnd(5);
  return colour ? `\u001b[2m${stamp}\u001b[0m \u001b[${level.colour}m${name}\u001b[0m ${text}\n` : `${stamp} ${name} ${text}\n`;
}

/** A console line for a pino JSON line; null when the record is for the log file only. */
function consoleLine(format: ConsoleFormat, line: string): string | null {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return printable(line);
  }
  if (record.to === FILE_ONLY.to) return null;
  if (format === 'json') return jsonSafe(line);
  return humanLine(record, format === 'terminal');
}

type ConsoleWriter = (text: string) => void;
// SonicBoom in sync mode: writeSync with retries when the pipe is momentarily full.
let stderrDestination: ReturnType<typeof pino.destination> | null = null;
const writeStderr: ConsoleWriter = (text) => {
  stderrDestination ??= pino.destination({ fd: 2, sync: true });
  stderrDestination.write(text);
};
let consoleWriter: ConsoleWriter = writeStderr;

/**
 * Console log lines go through this writer. A live progress display takes it while it runs so
 * that log lines print above the display instead of through it; null gives stderr back.
 */
export function setConsoleWriter(writer: ConsoleWriter | null): void {
  consoleWriter = writer ?? writeStderr;
}

export function createLogger(options: LogOptions = {}): Logger {
  // -q: a run that completes prints nothing; what went wrong is said once, by the command (its summary) or as an error.
  const level = options.quiet ? 'error' : options.verbose ? 'debug' : 'info';
  const format: ConsoleFormat = options.console ?? (options.pretty === undefined ? (process.stderr.isTTY ? 'terminal' : 'plain') : options.pretty ? 'terminal' : 'json');
  // Formatted synchronously and written synchronously: nothing is lost when the CLI exits.
  const consoleStream = {
    write: (line: string) => {
      const text = consoleLine(format, line);
      if (text !== null) consoleWriter(text);
    },
  };
  const streams: pino.StreamEntry[] = [{ level, stream: consoleStream }];
  if (options.logFile) {
    mkdirSync(path.dirname(path.resolve(options.logFile)), { recursive: true, mode: 0o700 });
    const file = pino.destination({ dest: options.logFile, sync: true, append: true, mode: 0o600 });
    // A file made by an older version (or by hand) becomes the owner's alone too.
    try {
      chmodSync(options.logFile, 0o600);
    } catch {
      // not ours to change: left as it is
    }
    streams.push({ level: options.verbose ? 'debug' : 'info', stream: { write: (line: string) => file.write(jsonSafe(line)) } });
  }
  return pino({ level: options.verbose ? 'debug' : 'info', redact: { paths: REDACT_PATHS, censor: '[secret]' } }, pino.multistream(streams));
}
