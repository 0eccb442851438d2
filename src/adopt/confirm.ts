// Asks Google which of these SHA-1s it holds as an uploaded original (`swbisb`), in batches,
// with back-off on throttling. An exact answer means the bytes are the original upload.
import pRetry from 'p-retry';
import { isRetryable } from '../errors.js';
import { parseHashLookup } from '../site/payloads.js';
import type { RpcClient } from '../site/rpc-client.js';
import { args, rpc } from '../site/rpcids.js';
import type { RemoteItem } from '../site/types.js';

/** Hashes per swbisb call: small enough for one request body, large enough to be cheap. */
export const HASH_BATCH = 100;

export interface LookupOptions {
  batchSize?: number;
  retries?: number;
  signal?: AbortSignal;
  /** Called after each batch, for progress. */
  onBatch?: (done: number, total: number) => void;
}

/** sha1 (base64) → the item Google holds with exactly those bytes; absent hashes are unknown to Google. */
export async function lookupHashes(client: RpcClient, sha1Base64: string[], options: LookupOptions = {}): Promise<Map<string, RemoteItem>> {
  const unique = [...new Set(sha1Base64)];
  const found = new Map<string, RemoteItem>();
  const size = options.batchSize ?? HASH_BATCH;
  for (let start = 0; start < unique.length; start += size) {
    if (options.signal?.aborted) break;
    const batch = unique.slice(start, start + size);
    const payload = await pRetry(() => client.call(rpc.hashLookup, args.hashLookup(batch)), {
      retries: options.retries ?? 5,
      minTimeout: 500,
      factor: 2,
      shouldRetry: ({ error }) => isRetryable(error),
      signal: options.signal,
    });
    const wanted = new Set(batch);
    for (const [hash, item] of parseHashLookup(payload)) if (wanted.has(hash)) found.set(hash, item);
    options.onBatch?.(Math.min(start + size, unique.length), unique.length);
  }
  return found;
}

/** sha1 (base64) → mediaKey, for the hashes Google holds as an original upload. */
export async function confirmOriginals(client: RpcClient, sha1Base64: string[], options: LookupOptions = {}): Promise<Map<string, string>> {
  const items = await lookupHashes(client, sha1Base64, options);
  return new Map([...items].map(([hash, item]) => [hash, item.mediaKey]));
}
