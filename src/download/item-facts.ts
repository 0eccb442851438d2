// What a download needs to know about an item beyond its bytes (file name, date and offset,
// listed size, location, caption), from the answers that cover many items at once: the
// listing's own rows (location and caption, in the row's extension object) and Google's bulk
// info (`EWgK9e`: file name and size for up to BULK_BATCH keys per call, asked for the next
// items the queue will claim). The per-item extended info (`fDcn4b`) stays the answer only
// where neither tells: a row that carried no location verdict (the upload view's rows carry
// none), a key the bulk call did not answer, an item seen through an album or a partner.
import { SignedOutError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ItemPlace } from '../model/albums.js';
import type { BulkInfo, ExtendedInfo, RemoteItem } from '../model/remote-item.js';
import type { Db } from '../store/database.js';
import { type ItemRow, nextPending } from '../store/items.js';

/** The site calls this needs (the queue's SiteLookups has them). Each may throw. */
export interface FactsLookups {
  itemInfo(mediaKey: string, place?: ItemPlace): Promise<ExtendedInfo>;
  bulkInfo(mediaKeys: string[]): Promise<Map<string, BulkInfo>>;
}

/** Keys per bulk call: the facts page advises small batches (GPTK's users saw null answers at large ones). */
export const BULK_BATCH = 100;
/** Listed rows remembered for the queue: a full rescan lists every item, and most are long backed up. */
const LISTED_LIMIT = 20_000;

interface Listed {
  location: { latitude: number; longitude: number } | null;
  caption: string | null;
}

export class ItemFacts {
  private readonly listed = new Map<string, Listed>();
  private readonly bulk = new Map<string, Promise<BulkInfo | null>>();
  /** Calls made, for tests and the log: bulk calls and per-item fallbacks. */
  readonly calls = { bulk: 0, perItem: 0 };

  constructor(
    private readonly db: Db,
    private readonly site: FactsLookups | null,
    private readonly log: Logger,
    /** The keys the queue would claim next, after these (its own order): what a bulk call asks for besides. */
    private readonly upcoming: (exclude: ReadonlySet<string>, limit: number) => string[] = (exclude, limit) => nextPending(db, limit, exclude, Number.MAX_SAFE_INTEGER).map((r) => r.media_key),
  ) {}

  /** Rows the listing has just recorded: each one that tells the item's location is remembered until its item is done. */
  noteListed(items: readonly RemoteItem[]): void {
    for (const item of items) {
      if (item.location === undefined) continue;
      this.listed.delete(item.mediaKey);
      this.listed.set(item.mediaKey, { location: item.location, caption: item.caption });
      if (this.listed.size > LISTED_LIMIT) this.listed.delete(this.listed.keys().next().value!);
    }
  }

  /** The item has left the queue (done, failed or deferred). */
  forget(mediaKey: string): void {
    this.listed.delete(mediaKey);
    this.bulk.delete(mediaKey);
  }

  /**
   * The item's facts, from the listing's row and the bulk call where they tell, else from the
   * per-item call; null when nothing answers (no site session, or the calls failed). Only a
   * signed-out session throws.
   */
  async info(row: ItemRow, place?: ItemPlace): Promise<ExtendedInfo | null> {
    if (!this.site) return null;
    const key = row.media_key;
    const listed = this.listed.get(key);
    if ((!place || place.kind === 'library') && listed) {
      const bulk = await this.bulkOf(key);
      if (bulk) return combine(row, listed, bulk);
    }
    this.calls.perItem++;
    try {
      return await this.site.itemInfo(key, place);
    } catch (error) {
      if (error instanceof SignedOutError) throw error;
      this.log.debug({ mediaKey: key, err: describeError(error) }, 'item info unavailable');
      return null;
    }
  }

  /** The bulk row of `key`, asked together with the next items the queue will claim. */
  private bulkOf(key: string): Promise<BulkInfo | null> {
    const known = this.bulk.get(key);
    if (known) return known;
    const keys = [key, ...this.upcoming(new Set([...this.bulk.keys(), key]), BULK_BATCH - 1)];
    this.calls.bulk++;
    const answer = this.site!.bulkInfo(keys).then(
      (rows) => rows,
      (error: unknown) => {
        if (error instanceof SignedOutError) throw error;
        this.log.debug({ keys: keys.length, err: describeError(error) }, 'bulk info unavailable; asking per item');
        return new Map<string, BulkInfo>();
      },
    );
    for (const k of keys) {
      const one = answer.then((rows) => rows.get(k) ?? null);
      one.catch(() => undefined);
      this.bulk.set(k, one);
    }
    return this.bulk.get(key)!;
  }
}

/** Extended info as the per-item call would give it, from the listing's row and the bulk row. */
function combine(row: ItemRow, listed: Listed, bulk: BulkInfo): ExtendedInfo {
  return {
    mediaKey: row.media_key,
    description: listed.caption || null,
    fileName: bulk.fileName,
    takenMs: bulk.takenMs ?? row.taken_ms,
    tzOffsetMs: bulk.tzOffsetMs ?? row.tz_offset_ms,
    sizeBytes: bulk.sizeBytes,
    width: row.width,
    height: row.height,
    latitude: listed.location?.latitude ?? null,
    longitude: listed.location?.longitude ?? null,
  };
}
