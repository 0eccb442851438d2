// The retry policy of the site's calls, with back-off: throttling (empty body, no wrb.fr entry,
// 429, 5xx, a timeout) and a stale at token are retried; signed-out and site-changed errors
// end the caller's work at once (src/errors.ts decides which is which).
import pRetry from 'p-retry';
import { isRetryable } from '../errors.js';

/** What the calls need of the RPC client (src/site/rpc-client.ts's RpcClient fits). */
export interface RpcCallerLike {
  call(rpcid: string, args: unknown, sourcePath?: string): Promise<unknown>;
  /** Reloads the page for fresh tokens (after repeated failures the at token may be stale). */
  refreshTokens?(): Promise<void>;
}

export interface RpcRetryOptions {
  signal?: AbortSignal;
  retries?: number;
  minTimeoutMs?: number;
  maxTimeoutMs?: number;
  onRetry?: (error: unknown, attempt: number) => void;
}

interface Backoff {
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  signal?: AbortSignal;
  /** Every failed attempt, retried or not. */
  onFailedAttempt?: (error: unknown, attempt: number) => void;
}

/** Runs `attempt` until it succeeds, a non-retryable error comes, or the retries are spent. */
export function withBackoff<T>(attempt: (attemptNumber: number) => Promise<T>, backoff: Backoff): Promise<T> {
  return pRetry(attempt, {
    retries: backoff.retries,
    minTimeout: backoff.minTimeoutMs,
    maxTimeout: backoff.maxTimeoutMs,
    factor: 2,
    randomize: true,
    signal: backoff.signal,
    shouldRetry: ({ error }) => isRetryable(error),
    onFailedAttempt: ({ error, attemptNumber }) => backoff.onFailedAttempt?.(error, attemptNumber),
  });
}

/** One RPC call with back-off; from the third attempt on, the page's tokens are renewed first. */
export async function callWithRetry(client: RpcCallerLike, rpcid: string, args: unknown, sourcePath = '/', options: RpcRetryOptions = {}): Promise<unknown> {
  return withBackoff(
    async (attempt) => {
      if (attempt > 2 && client.refreshTokens) await client.refreshTokens();
      return client.call(rpcid, args, sourcePath);
    },
    {
      retries: options.retries ?? 6,
      minTimeoutMs: options.minTimeoutMs ?? 400,
      maxTimeoutMs: options.maxTimeoutMs ?? 15_000,
      signal: options.signal,
      onFailedAttempt: (error, attempt) => {
        if (isRetryable(error)) options.onRetry?.(error, attempt);
      },
    },
  );
}
