// Marks kept files whose bytes Google holds as the item's original upload. The lookup itself
// (`swbisb`, batches, back-off) is the site's typed call, re-exported here for adopt/ callers.
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { confirmOriginals } from '../site/calls.js';
import type { RpcClient } from '../site/rpc-client.js';
import { HASH_BATCH } from '../site/rpcids.js';
import { markOriginalConfirmed } from '../store/adopt-queries.js';
import type { Db } from '../store/database.js';

export { confirmOriginals, lookupHashes, type LookupOptions } from '../site/calls.js';
export { HASH_BATCH } from '../site/rpcids.js';

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
