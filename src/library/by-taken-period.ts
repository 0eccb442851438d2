// One period of the library by date taken (--since/--until, --recheck FROM..TO): `lcxiM` asked
// to start at the period's end (its timestamp argument), newest first, until the pages are
// older than the period's start. Only the items taken inside the period are passed on.
//
// Whatever the server makes of the timestamp, nothing inside the period is missed: a listing
// that starts later than asked (the timestamp not honoured) only lists more to filter out, and
// the listing stops only once a page has gone past the period's start (with a day's slack
// either side, since Google keeps UTC and the period is in the place's own calendar).
import { SiteChangedError } from '../errors.js';
import type { RemotePage } from '../model/remote-item.js';
import { MAX_OFFSET_MS, type TakenRange, inTakenRange } from '../model/taken-range.js';
import { listLibraryPage } from '../site/calls.js';
import type { RpcCallerLike } from '../site/retry.js';
import { type EnumerateOptions, type ListedPage, enumerateLibrary } from './enumerate.js';

/** The RPC listing of one period; pages keep their order, each filtered to the period. */
export async function* listPeriodByRpc(client: RpcCallerLike, range: TakenRange, options: Pick<EnumerateOptions, 'signal' | 'onRetry'> = {}): AsyncGenerator<ListedPage> {
  let pageId: string | null = null;
  const seenPageIds = new Set<string>();
  const startAt = range.toMs === null ? null : range.toMs + MAX_OFFSET_MS;
  const stopBelow = range.fromMs === null ? null : range.fromMs - MAX_OFFSET_MS;
  for (;;) {
    if (options.signal?.aborted) return;
    const page = await listLibraryPage(client, { pageId, source: 'both', fromMs: pageId === null ? startAt : null }, options);
    yield { items: page.items.filter((item) => inTakenRange(range, item.takenMs, item.tzOffsetMs)), nextPageId: page.nextPageId, strategy: 'rpc' };
    // Newest first: once a page reaches below the period, nothing after it is inside.
    if (stopBelow !== null && page.items.some((item) => item.takenMs < stopBelow)) return;
    if (!page.nextPageId || seenPageIds.has(page.nextPageId)) return;
    seenPageIds.add(page.nextPageId);
    pageId = page.nextPageId;
  }
}

/** The period by RPC; when the RPC is not recognised (or there is no session), the whole grid, filtered. */
export async function* listPeriod(options: EnumerateOptions & { range: TakenRange }): AsyncGenerator<ListedPage> {
  if (options.client) {
    let yielded = false;
    try {
      for await (const page of listPeriodByRpc(options.client, options.range, options)) {
        yielded = true;
        yield page;
      }
      return;
    } catch (error) {
      // Half a period then the grid would list the first half twice: only a failure at the start falls back.
      if (!(error instanceof SiteChangedError) || yielded) throw error;
    }
  }
  for await (const page of enumerateLibrary({ ...options, client: null })) {
    yield { ...page, items: page.items.filter((item) => inTakenRange(options.range, item.takenMs, item.tzOffsetMs)) };
  }
}
