// Actions on the item viewer (`/photo/<key>`): open it, tell whether a video is still
// processing, and start the site's own Download (Shift+D, or More options → Download), and
// Download original for items edited in Google. Selectors and labels come from labels.ts.
import type { Download, Frame, Locator, Page } from 'playwright-core';
import { DeferredError, DownloadFailedError, SignedOutError, SiteChangedError, TransientError } from '../errors.js';
import { keys, labels, selectors } from './labels.js';
import { assertSignedIn, gotoChecked } from './session.js';
import type { ItemPlace } from '../model/albums.js';
import { isSignedOutUrl, placeUrl, viewerScope } from './urls.js';

export interface ViewerTimeouts {
  /** For the page and its visible c-wiz. */
  openMs: number;
  /** For a download to start after Shift+D, before trying the menu. */
  downloadStartMs: number;
  /** For the app's own (in-document) navigation to show the next item, before a full page load. */
  inDocumentMs?: number;
}

export const DEFAULT_VIEWER_TIMEOUTS: ViewerTimeouts = { openMs: 45_000, downloadStartMs: 8_000, inDocumentMs: 4_000 };

export interface OpenedViewer {
  viewer: Locator;
  /** The visible viewer's text, read when it appeared (for the "still processing" notice). */
  text: string;
}

/**
 * Per page: does the app show an item when the history moves to `/photo/<key>` (as on
 * Back/Forward)? null until tried; false after it failed, and every item is a page load.
 */
const inDocument = new WeakMap<Page, { works: boolean | null; misses: number }>();

/**
 * Shows `/photo/<key>` (or the item in the album, shared album or partner view `place` names)
 * and returns its visible viewer. The web app routes in the document (arrows and
 * Back/Forward change the URL without a page load), so once a page shows a viewer, the next
 * item of the same view is opened the same way: a history entry for its URL and the popstate
 * the app listens to. A full page load stays the fallback, the first step, and the way into
 * another view.
 */
export async function openViewer(page: Page, baseUrl: string, mediaKey: string, timeouts: ViewerTimeouts = DEFAULT_VIEWER_TIMEOUTS, place?: ItemPlace): Promise<OpenedViewer> {
  const target = placeUrl(baseUrl, place ?? { kind: 'library', key: mediaKey });
  if (place) mediaKey = place.key;
  const state = inDocument.get(page) ?? { works: null, misses: 0 };
  inDocument.set(page, state);
  if (state.works !== false && isViewerUrl(page.url(), baseUrl) && viewerScope(page.url()) === viewerScope(target)) {
    const shown = await openInDocument(page, baseUrl, target, mediaKey, timeouts.inDocumentMs ?? 4_000);
    if (shown !== null) {
      state.works = true;
      state.misses = 0;
      return { viewer: visibleViewer(page, mediaKey), text: shown };
    }
    state.misses++;
    if (state.works === null || state.misses >= 3) state.works = false;
  }
  const response = await gotoChecked(page, target, baseUrl, timeouts.openMs);
  const status = response?.status() ?? 200;
  if (status === 404) throw new DownloadFailedError(`the item page ${new URL(target).pathname} answered 404 (deleted in Google Photos?)`);
  let text: string | null;
  try {
    text = await waitVisibleText(page, selectors.viewerFor(mediaKey), timeouts.openMs);
  } catch (cause) {
    assertSignedIn(page, baseUrl);
    throw new TransientError(`the viewer of ${mediaKey} did not load: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  if (text === null) {
    assertSignedIn(page, baseUrl);
    const any = await page.locator('c-wiz[data-media-key]').count();
    if (any === 0) throw new SiteChangedError('the viewer shows the item as c-wiz[data-media-key=<key>]', `none on ${new URL(target).pathname}`);
    throw new TransientError(`the viewer of ${mediaKey} did not become visible`);
  }
  return { viewer: visibleViewer(page, mediaKey), text };
}

function isViewerUrl(url: string, baseUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(baseUrl).origin && /\/photo\//.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

/** The app's own navigation to the item; null when it did not show it in time. */
async function openInDocument(page: Page, baseUrl: string, target: string, mediaKey: string, timeoutMs: number): Promise<string | null> {
  const url = new URL(target);
  try {
    // One round trip into the page: the history entry, the popstate, the wait for the item.
    return await waitVisibleText(page, selectors.viewerFor(mediaKey), timeoutMs, url.pathname + url.search);
  } catch {
    // The page reloaded or navigated away (a session that ended sends it to sign-in).
    assertSignedIn(page, baseUrl);
    return null;
  }
}

/**
 * Waits inside the page (a MutationObserver, no polling) for a visible element matching
 * `selector`; returns its text, or null after timeoutMs. With `go`, first moves the app to that
 * path the way Back/Forward would (a history entry and the popstate it listens to).
 */
async function waitVisibleText(page: Page, selector: string, timeoutMs: number, go: string | null = null): Promise<string | null> {
  return await page.evaluate(
    async ({ selector, timeoutMs, go }) => {
      if (go !== null) {
        history.pushState(null, '', go);
        window.dispatchEvent(new PopStateEvent('popstate', { state: null }));
      }
      const find = (): HTMLElement | undefined =>
        Array.from(document.querySelectorAll<HTMLElement>(selector)).find((el) => (typeof el.checkVisibility === 'function' ? el.checkVisibility() : el.getClientRects().length > 0));
      const found = find();
      if (found) return found.innerText;
      return await new Promise<string | null>((resolve) => {
        const finish = (value: string | null): void => {
          observer.disconnect();
          clearTimeout(timer);
          resolve(value);
        };
        const observer = new MutationObserver(() => {
          const el = find();
          if (el) finish(el.innerText);
        });
        observer.observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ['style', 'class', 'hidden', 'aria-hidden'] });
        const timer = setTimeout(() => finish(null), timeoutMs);
      });
    },
    { selector, timeoutMs, go },
  );
}

export function visibleViewer(page: Page, mediaKey: string): Locator {
  return page.locator(selectors.viewerFor(mediaKey)).filter({ visible: true }).first();
}

/** "Video is still processing…": Download cannot start yet; a later run tries again. */
export function assertNotProcessing(opened: OpenedViewer, mediaKey: string): void {
  const hit = labels.processing.find((phrase) => opened.text.includes(phrase));
  if (hit) throw new DeferredError(`video ${mediaKey} is still processing in Google Photos ("${hit}")`);
}

/**
 * Starts the item's Download with Shift+D; when no download starts in time, through
 * More options → Download. Resolves when the browser has the download's response.
 */
export async function startDownload(page: Page, baseUrl: string, viewer: Locator, timeouts: ViewerTimeouts = DEFAULT_VIEWER_TIMEOUTS): Promise<Download> {
  const viaKey = downloadOrSignOut(page, baseUrl, timeouts.downloadStartMs);
  await page.keyboard.press(keys.download);
  try {
    return await viaKey;
  } catch (error) {
    if (error instanceof SignedOutError) throw error;
    // No download from the shortcut: the same action from the menu.
  }
  assertSignedIn(page, baseUrl);
  return await fromMenu(page, baseUrl, viewer, selectors.downloadItem, labels.download, timeouts);
}

/**
 * The next download of this page, or SignedOutError as soon as the page is sent to a
 * sign-in page (a session that ended mid-run), instead of waiting out the timeout.
 */
function downloadOrSignOut(page: Page, baseUrl: string, timeoutMs: number): Promise<Download> {
  const download = page.waitForEvent('download', { timeout: timeoutMs });
  // A plain listener, gone as soon as the download settles: a waiter of its own would live on
  // for the whole timeout after every download (and end in a timeout error nobody reads).
  let onNavigated: (frame: Frame) => void = () => undefined;
  const signedOut = new Promise<never>((_, reject) => {
    onNavigated = (frame) => {
      if (frame === page.mainFrame() && isSignedOutUrl(frame.url(), baseUrl)) reject(new SignedOutError());
    };
    page.on('framenavigated', onNavigated);
  });
  download.catch(() => undefined);
  signedOut.catch(() => undefined);
  // The caller awaits this after pressing a key or clicking; when that step throws first, the
  // wait is abandoned and must not surface later as an unhandled rejection (it would end the run).
  const first = Promise.race([download, signedOut]).finally(() => page.off('framenavigated', onNavigated));
  first.catch(() => undefined);
  return first;
}

/** Opens More options and tells whether it offers Download original (items edited in Google). */
export async function offersOriginal(page: Page, baseUrl: string, viewer: Locator, timeouts: ViewerTimeouts = DEFAULT_VIEWER_TIMEOUTS): Promise<boolean> {
  await openMenu(page, baseUrl, viewer, timeouts);
  const offered = (await page.locator(selectors.downloadOriginalItem).filter({ visible: true }).count()) > 0;
  await closeMenu(page, viewer);
  return offered;
}

/** More options → Download original. */
export async function startOriginalDownload(page: Page, baseUrl: string, viewer: Locator, timeouts: ViewerTimeouts = DEFAULT_VIEWER_TIMEOUTS): Promise<Download> {
  return await fromMenu(page, baseUrl, viewer, selectors.downloadOriginalItem, labels.downloadOriginal, timeouts);
}

async function fromMenu(page: Page, baseUrl: string, viewer: Locator, itemSelector: string, label: string, timeouts: ViewerTimeouts): Promise<Download> {
  await openMenu(page, baseUrl, viewer, timeouts);
  const entry = page.locator(itemSelector).filter({ visible: true }).first();
  if ((await entry.count()) === 0) {
    await closeMenu(page, viewer);
    throw new SiteChangedError(`the More options menu holds "${label}"`, 'entry not found');
  }
  if ((await entry.getAttribute('aria-disabled')) === 'true') {
    await closeMenu(page, viewer);
    throw new DownloadFailedError(`"${label}" is disabled for this item`);
  }
  const started = downloadOrSignOut(page, baseUrl, timeouts.downloadStartMs * 2);
  await entry.click();
  try {
    return await started;
  } catch (cause) {
    if (cause instanceof SignedOutError) throw cause;
    assertSignedIn(page, baseUrl);
    throw new DownloadFailedError(`no download started from "${label}"`, { cause });
  }
}

async function openMenu(page: Page, baseUrl: string, viewer: Locator, timeouts: ViewerTimeouts): Promise<void> {
  assertSignedIn(page, baseUrl);
  const button = viewer.locator(selectors.moreOptions).first();
  if ((await button.count()) === 0) {
    assertSignedIn(page, baseUrl);
    throw new SiteChangedError(`the viewer has a "${labels.moreOptions}" button`, 'not found');
  }
  if ((await page.locator(selectors.downloadItem).filter({ visible: true }).count()) > 0) return;
  await button.click({ timeout: timeouts.openMs });
  try {
    await page.locator(selectors.downloadItem).filter({ visible: true }).first().waitFor({ state: 'visible', timeout: timeouts.downloadStartMs });
  } catch (cause) {
    assertSignedIn(page, baseUrl);
    throw new SiteChangedError(`More options lists "${labels.download}"`, 'the menu did not show it', { cause });
  }
}

/** Closes the menu by its own toggle: Escape on a closed menu would leave the viewer. */
async function closeMenu(page: Page, viewer: Locator): Promise<void> {
  if ((await page.locator(selectors.downloadItem).filter({ visible: true }).count()) === 0) return;
  await viewer.locator(selectors.moreOptions).first().click().catch(() => undefined);
}
