// One RPC call with back-off: throttling (empty body, no wrb.fr entry, 429, 5xx) and a stale
// at token are retried; signed-out and site-changed errors end the listing at once.
import pRetry from 'p-retry';
import { isRetryable } from '../errors.js';

/** What a listing needs of the RPC client (src/site/rpc-client.ts's RpcClient fits). */
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

export async function callWithRetry(client: RpcCallerLike, rpcid: string, args: unknown, sourcePath = '/', options: RpcRetryOptions = {}): Promise<unknown> {
  return pRetry(
    async (attempt) => {
      if (attempt > 2 && client.refreshTokens) await client.refreshTokens();
      return client.call(rpcid, args, sourcePath);
    },
    {
      retries: options.retries ?? 6,
      minTimeout: options.minTimeoutMs ?? 400,
      maxTimeout: options.maxTimeoutMs ?? 15_000,
      factor: 2,
      randomize: true,
      signal: options.signal,
      shouldRetry: ({ error }) => isRetryable(error),
      onFailedAttempt: ({ error, attemptNumber }) => {
        if (isRetryable(error)) options.onRetry?.(error, attemptNumber);
      },
    },
  );
}
