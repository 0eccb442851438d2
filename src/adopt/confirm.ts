// Asks Google which of these SHA-1s it holds as an uploaded original (`swbisb`), in batches,
// with back-off on throttling. An exact answer means the bytes are the original upload.
import { describeError } from '../errors.js';
import { callWithRetry } from '../library/rpc-retry.js';
import type { Logger } from '../log.js';
import { parseHashLookup } from '../site/payloads.js';
import type { RpcClient } from '../site/rpc-client.js';
import { args, rpc } from '../site/rpcids.js';
import type { RemoteItem } from '../model/remote-item.js';
import { markOriginalConfirmed } from '../store/adopt-queries.js';
import type { Db } from '../store/database.js';

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
    const payload = await callWithRetry(client, rpc.hashLookup, args.hashLookup(batch), '/', { retries: options.retries ?? 5, signal: options.signal });
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

export interface ConfirmableFile {
  mediaKey: string;
  role: string;
  sha1?: string | null;
}

/**
 * Marks kept files whose bytes are exactly what Google holds as the item's upload
 * (`files.original_confirmed`), during a sync: files are queued as they are recorded and
 * asked about in batches, so it costs one RPC per HASH_BATCH files. A Content-Disposition name
 * or a zip entry says nothing certain about the bytes; Google's own SHA-1 index does. A lookup
 * that fails leaves the mark unset (never wrong) and never fails the run.
 */
export class OriginalConfirmer {
  private queue: { mediaKey: string; sha1: string }[] = [];
  private running: Promise<void> = Promise.resolve();
  confirmed = 0;

  /**
   * `onContradicted`: Google holds a kept file's exact bytes as another item, so they are not
   * this item's (a download from the wrong item): the caller fails the item, loudly.
   */
  constructor(
    private readonly db: Db,
    private readonly client: RpcClient,
    private readonly logger: Logger,
    private readonly options: { batchSize?: number; onContradicted?: (mediaKey: string, holder: string) => void } = {},
  ) {}

  private get batchSize(): number {
    return this.options.batchSize ?? HASH_BATCH;
  }

  /** Queues the files of one recorded item (sidecars have no Google-side original). */
  add(files: ConfirmableFile[]): void {
    for (const file of files) if (file.sha1 && file.role !== 'sidecar') this.queue.push({ mediaKey: file.mediaKey, sha1: file.sha1 });
    if (this.queue.length >= this.batchSize) void this.drain();
  }

  /** Asks about everything still queued; resolves when every batch has been answered or given up. */
  async flush(): Promise<number> {
    await this.drain();
    return this.confirmed;
  }

  private drain(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return this.running;
    this.running = this.running.then(() => this.confirm(batch));
    return this.running;
  }

  private async confirm(batch: { mediaKey: string; sha1: string }[]): Promise<void> {
    let answers: Map<string, string>;
    try {
      answers = await confirmOriginals(this.client, batch.map((f) => f.sha1), { batchSize: this.batchSize, retries: 3 });
    } catch (error) {
      this.logger.debug({ err: describeError(error), files: batch.length }, 'could not confirm originals by SHA-1 (the mark stays unset)');
      return;
    }
    const confirmations = batch.filter((f) => answers.get(f.sha1) === f.mediaKey);
    this.confirmed += markOriginalConfirmed(this.db, confirmations);
    const contradicted = new Map<string, string>();
    for (const f of batch) {
      const other = answers.get(f.sha1);
      if (other && other !== f.mediaKey) contradicted.set(f.mediaKey, other);
    }
    for (const [mediaKey, holder] of contradicted) {
      this.logger.warn({ mediaKey, holder }, `Google holds these bytes as another item (${holder}): they are not this item's`);
      this.options.onContradicted?.(mediaKey, holder);
    }
  }
}
