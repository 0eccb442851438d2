// The fallback listing: scroll the library grid and collect its tiles. The grid knows no
// time zone, so an item's time is its local wall-clock time with offset 0 (the right
// YYYY/MM folder); a later RPC listing or the item's info corrects it. Archived items are
// not in the grid: the RPC listing is the only way to reach them.
import type { Page } from 'playwright-core';
import { scrollGrid, type GridTile } from '../site/grid.js';
import type { RemoteItem, RemotePage } from '../model/remote-item.js';

export function tileToItem(tile: GridTile): RemoteItem {
  return {
    mediaKey: tile.mediaKey,
    dedupKey: null,
    takenMs: tile.localTakenMs ?? 0,
    tzOffsetMs: 0,
    uploadedMs: null,
    width: null,
    height: null,
    kind: tile.kind,
    videoDurationMs: null,
    favorite: false,
    archived: false,
    notOwned: false,
    hasGeo: false,
    caption: null,
    sizeBytes: null,
  };
}

/** Yields the grid's tiles in batches as the page scrolls. */
export async function* listFromGrid(page: Page, baseUrl: string, options: { signal?: AbortSignal; settleMs?: number } = {}): AsyncGenerator<RemotePage> {
  const queue: RemotePage[] = [];
  let wake: (() => void) | null = null;
  let finished = false;
  let failure: unknown = null;
  const scrolling = scrollGrid(
    page,
    baseUrl,
    async (tiles) => {
      queue.push({ items: tiles.map(tileToItem), nextPageId: null });
      wake?.();
    },
    options,
  ).then(
    () => {
      finished = true;
      wake?.();
    },
    (error: unknown) => {
      failure = error;
      finished = true;
      wake?.();
    },
  );
  while (true) {
    const next = queue.shift();
    if (next) {
      yield next;
      continue;
    }
    if (finished) break;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
  }
  await scrolling;
  if (failure) throw failure;
}
