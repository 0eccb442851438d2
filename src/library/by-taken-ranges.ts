// A full listing by date taken in K ranges at once: lcxiM pages are chained by their
// nextPageId, so one listing can never go faster than one round trip per 500 items. When the
// index already knows roughly how the library is spread over time, K listings start at
// K dates taken (lcxiM's timestamp argument) and run side by side.
//
// Nothing can fall between two ranges, whatever the server makes of the timestamp: range i
// keeps going until it has listed an item taken strictly before the first item range i+1
// returned, so every item from range i's start down to range i+1's first item is listed by
// one of them (ties on that date taken included). A range whose first item is newer than the
// date it asked for (the timestamp was not honoured) is dropped, and the range before it
// then simply runs on to the end: slower, never incomplete.
import type { RemotePage } from '../model/remote-item.js';
import { listLibraryPage } from '../site/calls.js';
import type { RpcCallerLike, RpcRetryOptions } from '../site/retry.js';

export interface RangeListingOptions extends RpcRetryOptions {
  client: RpcCallerLike;
  /** Dates taken (ms) where ranges 2..K start, newest first; range 1 starts at the newest item. */
  boundaries: number[];
  /** A range was dropped because the server did not start it at its date. */
  onRangeDropped?: (why: string) => void;
}

export type RangePage = RemotePage & { strategy: 'rpc'; range: number };

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  let settle!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (settle = resolve));
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (value: T) => {
      if (d.settled) return;
      d.settled = true;
      settle(value);
    },
  };
  return d;
}

export async function* listByTakenRanges(options: RangeListingOptions): AsyncGenerator<RangePage> {
  const starts: (number | null)[] = [null, ...options.boundaries];
  const k = starts.length;
  // The date taken of each range's first item (null: the range is empty or was dropped).
  const firstTaken = starts.map(() => deferred<number | null>());
  firstTaken[0].resolve(null);
  const queue: RangePage[] = [];
  // Pages fetched but not yet written: bounded, so memory does not grow with the library.
  const maxQueued = k;
  let failure: unknown = null;
  let closed = false;
  let running = k;
  let wakeConsumer: (() => void) | null = null;
  const spaceWaiters: (() => void)[] = [];
  const wake = (): void => {
    wakeConsumer?.();
    wakeConsumer = null;
  };
  const stopped = (): boolean => closed || failure !== null || options.signal?.aborted === true;

  const push = async (page: RangePage): Promise<void> => {
    while (queue.length >= maxQueued && !stopped()) await new Promise<void>((resolve) => spaceWaiters.push(resolve));
    queue.push(page);
    wake();
  };

  const range = async (i: number): Promise<void> => {
    let pageId: string | null = null;
    const seen = new Set<string>();
    let first = true;
    try {
      while (!stopped()) {
        const page = await listLibraryPage(options.client, { pageId, source: 'both', fromMs: first ? starts[i] : null }, options);
        if (first) {
          first = false;
          const start = starts[i];
          const head = page.items[0];
          if (i > 0 && head && start !== null && head.takenMs > start) {
            options.onRangeDropped?.(`a listing asked to start at ${new Date(start).toISOString()} began at ${new Date(head.takenMs).toISOString()}`);
            return;
          }
          firstTaken[i].resolve(head ? head.takenMs : null);
        }
        // Reached the next range's first item: keep this page down to it (the next range lists
        // the rest), and stop. Items taken at that very moment may come twice; recording is idempotent.
        const next = i < k - 1 ? await firstTaken[i + 1].promise : null;
        const reached = next !== null && page.items.some((item) => item.takenMs < next);
        if (stopped()) return;
        await push({ items: reached ? page.items.filter((item) => item.takenMs >= next!) : page.items, nextPageId: page.nextPageId, strategy: 'rpc', range: i });
        if (reached || !page.nextPageId || seen.has(page.nextPageId)) return;
        seen.add(page.nextPageId);
        pageId = page.nextPageId;
      }
    } catch (error) {
      if (failure === null) failure = error;
    } finally {
      firstTaken[i].resolve(null);
      running--;
      wake();
    }
  };

  const ranges = starts.map((_, i) => range(i));
  try {
    for (;;) {
      const page = queue.shift();
      if (page) {
        spaceWaiters.splice(0).forEach((resolve) => resolve());
        yield page;
        continue;
      }
      if (failure !== null) throw failure;
      if (running === 0 || options.signal?.aborted) break;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
    if (failure !== null) throw failure;
  } finally {
    closed = true;
    spaceWaiters.splice(0).forEach((resolve) => resolve());
    await Promise.allSettled(ranges);
  }
}
