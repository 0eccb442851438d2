// Google's Favorites and Archive views, which the favorite and archived flags of the index
// follow. Read whole, each is a chain of pages (the Favorites view comes 100 to a page: 59 round
// trips at 6,000 favorites, the long pole of a nightly run that has nothing to do). So a run
// that is not a full rescan reads each view's first page only, and the rest only when that page
// tells of a change: it differs from the first page the last whole read saw, or it holds an
// item the index knows without the flag. Which order Google lists a view in is documented
// nowhere, so this relies on none: a favorite made or undone on the first page is followed the
// same night; one deeper in the view (an old photo, in a view not ordered by when it was
// favorited) is followed by the next full rescan, which reads both flags from every row
// (`--rescan-days`, weekly by default), or that night with `--whole-flag-views`.
import { createHash } from 'node:crypto';
import { listArchivePage, listFavoritesPage } from '../site/album-calls.js';
import type { RpcCallerLike } from '../site/retry.js';
import { applyFlagListing, countUnflagged, getFirstPageSeen, type ItemFlag, setFirstPageSeen } from '../store/albums.js';
import type { Db } from '../store/database.js';
import { guard, listAll, type PageOf, retryOf, type ViewReader } from './view-pages.js';

export interface FlagViewsParams extends ViewReader {
  db: Db;
  client: RpcCallerLike;
  baseUrl: string;
  /** Read both views whole whatever their first page shows. */
  whole?: boolean;
}

export interface FlagsOutcome {
  favoritesChanged: number;
  archiveChanged: number;
}

/** Both views side by side; needs no listing of the library first, so it runs beside it. */
export async function followFlagViews(params: FlagViewsParams): Promise<FlagsOutcome> {
  const outcome: FlagsOutcome = { favoritesChanged: 0, archiveChanged: 0 };
  await Promise.all([
    guard(params, 'favorites', async () => {
      outcome.favoritesChanged = await followView(params, 'favorite', 'the Favorites view', (pageId, retry) => listFavoritesPage(params.client, params.baseUrl, pageId, retry));
    }),
    guard(params, 'archive', async () => {
      outcome.archiveChanged = await followView(params, 'archived', 'the Archive view', (pageId, retry) => listArchivePage(params.client, pageId, retry));
    }),
  ]);
  return outcome;
}

/** How many items' flag changed. */
async function followView(params: FlagViewsParams, flag: ItemFlag, what: string, page: PageOf): Promise<number> {
  const { db } = params;
  const first = await page(null, retryOf(params, `listing ${what}`));
  const keys = first.items.map((item) => item.mediaKey);
  const digest = digestOf(keys);
  if (!params.whole && first.nextPageId && getFirstPageSeen(db, flag) === digest && countUnflagged(db, flag, keys) === 0) {
    params.logger.debug(`${what}: its first page is as the last whole read saw it; the rest is left to the next full rescan`);
    return 0;
  }
  const listed = await listAll(what, page, params, first);
  const changed = applyFlagListing(db, flag, listed.keys, listed.complete);
  if (listed.complete) setFirstPageSeen(db, flag, digest);
  return changed;
}

function digestOf(keys: string[]): string {
  return createHash('sha256').update(keys.join('\n')).digest('base64');
}
