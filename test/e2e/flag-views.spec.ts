// The Favorites and Archive views on a nightly run: a run that is not a full rescan reads each
// view's first page and the rest only when that page tells of a change (src/run/flag-views.ts).
// The order of the Favorites view is stated nowhere, so each test runs under both orders the
// replica can serve (unknowns.favoritesOrder). The index is pre-filled as backed up (no
// downloads): the library is large enough for a Favorites view of two pages.
import { UNKNOWN_DEFAULTS, type Replica } from '../replica/index.js';
import { prefillIndex } from '../helpers/prefill-index.js';
import { test, expect } from '../helpers/fixtures.js';
import { readIndex, sync } from './sync-helpers.js';

/** 2,100 synthetic items: 124 favorites (two pages of the view), a few archived. */
test.use({ replicaOptions: { library: { synthetic: 2_100 } } });

const favoriteOf = (outDir: string, key: string): number => readIndex(outDir, (index) => index.item(key)!.favorite as number);

/** A default (not rescan) run; returns how many pages of the Favorites view it read. */
async function nightly(replica: Replica, outDir: string, profileDir: string, extra: string[] = []): Promise<number> {
  replica.resetCounters();
  const run = await sync(replica, outDir, profileDir, extra);
  expect(run.code, run.stderr).toBe(0);
  expect(run.summary).toMatchObject({ downloaded: 0, failed: 0 });
  return replica.viewRequests['EzkLib:favorites'] ?? 0;
}

for (const order of ['taken', 'favorited'] as const) {
  test(`favoritesOrder=${order}: an unchanged Favorites view costs one page a night; a change on its first page is followed that night, anywhere else by the next rescan`, async ({ replica, outDir, profileDir }) => {
    replica.unknowns.favoritesOrder = order;
    const favorites = replica.items.filter((i) => i.favorite);
    expect(favorites.length).toBeGreaterThan(100);
    prefillIndex(outDir, replica.items);
    // The first run (a full rescan) reads the view whole: nothing seen of it yet.
    expect(await nightly(replica, outDir, profileDir)).toBe(2);
    // Nothing changed: its first page only.
    expect(await nightly(replica, outDir, profileDir)).toBe(1);

    // Unfavorited on the first page (in either order): followed that night.
    const firstPage = favorites[0];
    replica.setFavorite(firstPage.mediaKey, false);
    expect(await nightly(replica, outDir, profileDir)).toBe(2);
    expect(favoriteOf(outDir, firstPage.mediaKey)).toBe(0);

    // An old photo favorited: first in a view ordered by favoriting (followed that night); deep in
    // one ordered by date taken (first page unchanged), then followed by the next full rescan.
    const old = replica.items.filter((i) => !i.favorite).at(-1)!;
    replica.setFavorite(old.mediaKey, true);
    if (order === 'favorited') {
      expect(await nightly(replica, outDir, profileDir)).toBe(2);
      expect(favoriteOf(outDir, old.mediaKey)).toBe(1);
    } else {
      expect(await nightly(replica, outDir, profileDir)).toBe(1);
      expect(favoriteOf(outDir, old.mediaKey)).toBe(0);
      // --whole-flag-views reads the whole view that night.
      expect(await nightly(replica, outDir, profileDir, ['--whole-flag-views'])).toBe(2);
      expect(favoriteOf(outDir, old.mediaKey)).toBe(1);
      // Undone, deep in the view: the next full rescan follows it.
      replica.setFavorite(old.mediaKey, false);
      expect(await nightly(replica, outDir, profileDir)).toBe(1);
      expect(favoriteOf(outDir, old.mediaKey)).toBe(1);
      replica.resetCounters();
      const rescan = await sync(replica, outDir, profileDir, ['--rescan']);
      expect(rescan.code, rescan.stderr).toBe(0);
      expect(rescan.summary).toMatchObject({ fullRescan: true, downloaded: 0 });
      expect(favoriteOf(outDir, old.mediaKey)).toBe(0);
    }
    // And quiet again.
    expect(await nightly(replica, outDir, profileDir)).toBe(1);
    Object.assign(replica.unknowns, UNKNOWN_DEFAULTS);
  });
}
