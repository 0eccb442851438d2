// The library grid as a listing of last resort: scroll `[role="main"]` to the end and
// collect the `./photo/<key>` tiles. The grid is virtualized (only tiles near the viewport
// exist), so tiles are collected after every scroll step. Each tile's aria-label gives the
// kind and the local date and time taken ("Photo - Landscape - Oct 3, 2024, 4:39:33 PM").
import type { Page } from 'playwright-core';
import { SiteChangedError } from '../errors.js';
import { labels, selectors } from './labels.js';
import { assertSignedIn, gotoChecked } from './session.js';
import { libraryUrl, mediaKeyFromTileHref } from './urls.js';

export interface GridTile {
  mediaKey: string;
  kind: 'photo' | 'video';
  /** Wall-clock time where it was taken, as if it were UTC (the grid shows no offset). */
  localTakenMs: number | null;
}

export interface GridScrollOptions {
  /** How long the grid may show nothing new at its end before the listing counts as complete. */
  settleMs?: number;
  signal?: AbortSignal;
  timeoutMs?: number;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Photo - Landscape - Oct 3, 2024, 4:39:33 PM" → kind and local wall-clock ms. */
export function parseTileLabel(label: string): { kind: 'photo' | 'video'; localTakenMs: number | null } {
  const kind = label.startsWith(`${labels.tileKinds[1]} `) ? 'video' : 'photo';
  // Chromium's ICU may put a narrow no-break space before AM/PM.
  const match = /([A-Z][a-z]{2}) (\d{1,2}), (\d{4}), (\d{1,2}):(\d{2})(?::(\d{2}))?[\s\u202f\u00a0]*([AP]M)/.exec(label);
  if (!match) return { kind, localTakenMs: null };
  const month = MONTHS.indexOf(match[1]);
  if (month < 0) return { kind, localTakenMs: null };
  let hour = Number(match[4]) % 12;
  if (match[7] === 'PM') hour += 12;
  return { kind, localTakenMs: Date.UTC(Number(match[3]), month, Number(match[2]), hour, Number(match[5]), Number(match[6] ?? 0)) };
}

/**
 * Opens the library grid and scrolls it to the end, handing each batch of newly seen tiles
 * to `onTiles` as it goes.
 */
export async function scrollGrid(page: Page, baseUrl: string, onTiles: (tiles: GridTile[]) => Promise<void>, options: GridScrollOptions = {}): Promise<number> {
  const settleMs = options.settleMs ?? 4_000;
  await gotoChecked(page, libraryUrl(baseUrl), baseUrl, options.timeoutMs);
  const scroller = page.locator(selectors.gridScroller).first();
  try {
    // Part of the page's shell: present soon after the document loads, or not at all.
    await scroller.waitFor({ state: 'attached', timeout: options.timeoutMs ?? 15_000 });
  } catch (cause) {
    assertSignedIn(page, baseUrl);
    throw new SiteChangedError(`the library grid scrolls in ${selectors.gridScroller}`, 'not found', { cause });
  }
  const seen = new Set<string>();
  let quietSince = Date.now();
  let sawAnyTile = false;
  for (;;) {
    if (options.signal?.aborted) break;
    assertSignedIn(page, baseUrl);
    const snapshot = await page.evaluate(
      ({ scrollerSel, tileSel }) => {
        const main = document.querySelector(scrollerSel) as HTMLElement | null;
        const tiles = Array.from(document.querySelectorAll(tileSel)).map((a) => ({ href: a.getAttribute('href') ?? '', label: a.getAttribute('aria-label') ?? '' }));
        if (!main) return { tiles, atEnd: true, missing: true };
        return { tiles, atEnd: main.scrollTop + main.clientHeight >= main.scrollHeight - 2, missing: false };
      },
      { scrollerSel: selectors.gridScroller, tileSel: selectors.tile },
    );
    if (snapshot.missing) throw new SiteChangedError(`the library grid scrolls in ${selectors.gridScroller}`, 'it went away');
    const fresh: GridTile[] = [];
    for (const tile of snapshot.tiles) {
      const mediaKey = mediaKeyFromTileHref(tile.href);
      if (!mediaKey || seen.has(mediaKey)) continue;
      seen.add(mediaKey);
      fresh.push({ mediaKey, ...parseTileLabel(tile.label) });
    }
    if (fresh.length > 0) {
      sawAnyTile = true;
      quietSince = Date.now();
      await onTiles(fresh);
    }
    if (snapshot.atEnd && Date.now() - quietSince >= settleMs) break;
    // Scroll one screen and wait for the grid to change (new tiles, or a taller canvas).
    await page.evaluate(
      async ({ scrollerSel, waitMs }) => {
        const main = document.querySelector(scrollerSel) as HTMLElement | null;
        if (!main) return;
        const changed = new Promise<void>((resolve) => {
          const observer = new MutationObserver(() => {
            observer.disconnect();
            resolve();
          });
          observer.observe(main, { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] });
          setTimeout(() => {
            observer.disconnect();
            resolve();
          }, waitMs);
        });
        main.scrollTop += Math.max(200, main.clientHeight * 0.8);
        main.dispatchEvent(new Event('scroll'));
        await changed;
      },
      { scrollerSel: selectors.gridScroller, waitMs: 500 },
    );
  }
  if (!sawAnyTile) {
    const empty = await page.locator(selectors.tile).count();
    if (empty === 0 && seen.size === 0) {
      // An empty library and a changed grid look alike; say which fact did not hold.
      throw new SiteChangedError(`the library grid holds ${selectors.tile} tiles`, 'none found after scrolling to the end');
    }
  }
  return seen.size;
}
