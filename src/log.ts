// pino: pretty lines on a TTY, plain JSON lines otherwise, and JSON into --log-file.
// Streams are synchronous so that nothing is lost when the CLI exits with a code.
// Secrets (cookies, the at token, healthcheck URLs) are redacted by key, and code must
// never put them into messages. Names from Google end up in messages, so no line reaches a
// terminal with a control character, a C1 control or a direction override in it (printable);
// the log file holds the account's e-mail, so it is the owner's alone (0600).
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type { Logger };

export interface LogOptions {
  quiet?: boolean;
  verbose?: boolean;
  logFile?: string;
  /** Defaults to whether stderr is a TTY. */
  pretty?: boolean;
}

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

/** Every string in a parsed log line made printable, for the pretty printer (which would print them raw). */
function printableDeep(value: unknown): unknown {
  if (typeof value === 'string') return printable(value);
  if (Array.isArray(value)) return value.map(printableDeep);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableDeep(v)]));
  return value;
}

function prettyLine(prettify: (line: string) => string, line: string): string {
  try {
    return prettify(JSON.stringify(printableDeep(JSON.parse(line))));
  } catch {
    return printable(line);
  }
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
  const level = options.quiet ? 'warn' : options.verbose ? 'debug' : 'info';
  const usePretty = options.pretty ?? Boolean(process.stderr.isTTY);
  // Formatted synchronously and written synchronously: nothing is lost when the CLI exits.
  const prettify = usePretty ? prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }) : null;
  const consoleStream = { write: (line: string) => consoleWriter(prettify ? prettyLine(prettify, line) : jsonSafe(line)) };
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
