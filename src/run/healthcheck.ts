// healthchecks.io pings: <url>/start?rid=<uuid> when a run begins, <url>/<exit code>?rid=<uuid>
// with a short plain-text summary when it ends. The URL may be an hc-ping.com UUID URL, a
// ping-key/slug URL or a self-hosted instance's: the pings are always "<the URL's path>/<suffix>",
// with its query kept. The URL is a secret (the UUID or ping key lets anyone ping): it never
// goes into a log line or an error message. A ping that fails never changes the run's outcome.
import { randomUUID } from 'node:crypto';
import pRetry, { AbortError } from 'p-retry';
import type { Logger } from '../log.js';

export const PING_TIMEOUT_MS = 10_000;
export const PING_TRIES = 3;
/** healthchecks.io keeps the first 100 kB of a body; the brief for ours is at most 10 kB. */
export const MAX_BODY_BYTES = 10_000;

export interface HealthcheckOptions {
  timeoutMs?: number;
  tries?: number;
  /** Back-off before the 2nd, 3rd, ... try. */
  minDelayMs?: number;
  logger?: Logger;
  userAgent?: string;
}

export type PingKind = 'start' | 'exit';

export interface PingResult {
  ok: boolean;
  tries: number;
  /** HTTP status of the last answer, if any. */
  status: number | null;
  /** What went wrong, without the URL. */
  error: string | null;
}

/** `base` + `/start` or `/<code>`, the base's query kept, `rid` set. */
export function pingUrl(base: string, suffix: string, rid: string): URL {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${suffix}`;
  url.searchParams.set('rid', rid);
  url.hash = '';
  return url;
}

/** Cuts text to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes = MAX_BODY_BYTES): string {
  const buffer = Buffer.from(text, 'utf8');
  if (buffer.length <= maxBytes) return text;
  const marker = '\n[truncated]\n';
  let end = maxBytes - Buffer.byteLength(marker);
  // Step back to the first byte of a UTF-8 sequence.
  while (end > 0 && (buffer[end] & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString('utf8') + marker;
}

export class Healthcheck {
  readonly rid: string;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly tries: number;
  private readonly minDelayMs: number;
  private readonly logger: Logger | undefined;
  private readonly userAgent: string;
  /** Every ping in the order sent; the end ping waits for the start ping. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(url: string, options: HealthcheckOptions = {}) {
    // Validate once, without ever echoing the value.
    try {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    } catch {
      throw new TypeError('the healthcheck URL is not an http(s) URL');
    }
    this.base = url;
    this.rid = randomUUID();
    this.timeoutMs = options.timeoutMs ?? PING_TIMEOUT_MS;
    this.tries = Math.max(1, options.tries ?? PING_TRIES);
    this.minDelayMs = options.minDelayMs ?? 1_000;
    this.logger = options.logger;
    this.userAgent = options.userAgent ?? 'gphotos-keep';
  }

  /** `/start`: the run began. Resolves when sent or given up; never rejects. */
  start(body = ''): Promise<PingResult> {
    return this.enqueue('start', body);
  }

  /** `/<exitCode>` with the run's summary. Sent after the start ping settled; never rejects. */
  finish(exitCode: number, body: string): Promise<PingResult> {
    const code = Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255 ? exitCode : 1;
    return this.enqueue(String(code), body);
  }

  private enqueue(suffix: string, body: string): Promise<PingResult> {
    const next = this.last.then(() => this.send(suffix, body));
    this.last = next;
    return next;
  }

  private async send(suffix: string, body: string): Promise<PingResult> {
    const url = pingUrl(this.base, suffix, this.rid);
    const payload = truncateUtf8(body);
    let tries = 0;
    let status: number | null = null;
    try {
      await pRetry(
        async () => {
          tries += 1;
          let response: Response;
          try {
            response = await fetch(url, {
              method: 'POST',
              body: payload,
              headers: { 'content-type': 'text/plain; charset=utf-8', 'user-agent': this.userAgent },
              signal: AbortSignal.timeout(this.timeoutMs),
              redirect: 'follow',
            });
          } catch (error) {
            throw new Error(this.redact(describeFetchError(error, this.timeoutMs)));
          }
          status = response.status;
          // Drain the body so the connection is released.
          await response.arrayBuffer().catch(() => undefined);
          if (response.ok) return;
          // A wrong URL (404, 400) will not heal within seconds; a busy server might.
          const permanent = response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429;
          if (permanent) throw new AbortError(`HTTP ${response.status}`);
          throw new Error(`HTTP ${response.status}`);
        },
        {
          retries: this.tries - 1,
          minTimeout: this.minDelayMs,
          factor: 2,
          randomize: false,
          onFailedAttempt: ({ error, attemptNumber, retriesLeft }) => {
            this.logger?.debug({ ping: suffix, attempt: attemptNumber, retriesLeft, reason: this.redact(error.message) }, 'healthcheck ping failed');
          },
        },
      );
      this.logger?.debug({ ping: suffix, tries }, 'healthcheck ping sent');
      return { ok: true, tries, status, error: null };
    } catch (error) {
      const reason = this.redact((error as Error).message);
      this.logger?.warn({ ping: suffix, tries, reason }, 'healthcheck ping failed; the run goes on');
      return { ok: false, tries, status, error: reason };
    }
  }

  /** Removes the URL, its path and any part of it from a message. */
  redact(message: string): string {
    let out = message;
    const url = new URL(this.base);
    const secrets = [this.base, url.href, url.pathname, ...url.pathname.split('/'), url.search].filter((s) => s.length >= 6);
    for (const secret of secrets.sort((a, b) => b.length - a.length)) out = out.split(secret).join('[healthcheck]');
    return out;
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause = e?.cause;
  if (cause?.code) return `${cause.code}`;
  return e?.message ?? String(error);
}
