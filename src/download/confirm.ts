// Marks kept files whose bytes are exactly what Google holds as the item's upload
// (`files.original_confirmed`), during a sync: files are queued as they are recorded and asked
// about in batches through the site's SHA-1 lookup, one call per batch. A Content-Disposition
// name or a zip entry says nothing certain about the bytes; Google's own SHA-1 index does.
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { HASH_BATCH } from '../site/rpcids.js';
import { markOriginalConfirmed } from '../store/adopt-queries.js';
import type { Db } from '../store/database.js';

/** sha1 (base64) → the mediaKey Google holds with exactly those bytes; hashes Google does not know are absent. */
export type HashHolders = (sha1Base64: string[], options: { batchSize: number; retries: number }) => Promise<Map<string, string>>;

export interface ConfirmableFile {
  mediaKey: string;
  role: string;
  sha1?: string | null;
}

export interface ConfirmerOptions {
  batchSize?: number;
  /**
   * Google holds a kept file's exact bytes as another item, so they are not this item's (a
   * download from the wrong item): the caller fails the item, loudly.
   */
  onContradicted?: (mediaKey: string, holder: string) => void;
}

/** A lookup that fails leaves the mark unset (never wrong) and never fails the run. */
export class OriginalConfirmer {
  private queue: { mediaKey: string; sha1: string }[] = [];
  private running: Promise<void> = Promise.resolve();
  confirmed = 0;

  constructor(
    private readonly db: Db,
    private readonly holdersOf: HashHolders,
    private readonly logger: Logger,
    private readonly options: ConfirmerOptions = {},
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
      answers = await this.holdersOf(
        batch.map((f) => f.sha1),
        { batchSize: this.batchSize, retries: 3 },
      );
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
