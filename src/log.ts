// pino: pretty lines on a TTY, plain JSON lines otherwise, and JSON into --log-file.
// Streams are synchronous so that nothing is lost when the CLI exits with a code.
// Secrets (cookies, the at token, healthcheck URLs) are redacted by key, and code must
// never put them into messages.
import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { mkdirSync } from 'node:fs';
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
  const consoleStream = { write: (line: string) => consoleWriter(prettify ? prettify(line) : line) };
  const streams: pino.StreamEntry[] = [{ level, stream: consoleStream }];
  if (options.logFile) {
    mkdirSync(path.dirname(path.resolve(options.logFile)), { recursive: true });
    streams.push({ level: options.verbose ? 'debug' : 'info', stream: pino.destination({ dest: options.logFile, sync: true, append: true }) });
  }
  return pino({ level: options.verbose ? 'debug' : 'info', redact: { paths: REDACT_PATHS, censor: '[secret]' } }, pino.multistream(streams));
}
