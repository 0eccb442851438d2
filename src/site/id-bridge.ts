// The one known bridge between the Library API's id space and the web app's mediaKeys:
// `/lr/photo/<apiId>` redirects a signed-in browser to `/photo/<mediaKey>`.
//
// The cheap way asks from inside the signed-in page (fetch, following the redirect, body
// dropped after the headers): the browser's own cookies go with it and no page renders.
// When that answer is not conclusive (no redirect, a network error, a script redirect), the
// page itself navigates there, as a person clicking the productUrl would. mapApiId adds the
// bridge's retry policy: a few tries with back-off on what is worth another try.
import type { Page } from 'playwright-core';
import { SignedOutError, TransientError } from '../errors.js';
import { withBackoff } from './retry.js';
import { assertSignedIn } from './session.js';
import { apiIdUrl, isSignedOutUrl, mediaKeyFromPhotoUrl } from './urls.js';

export type ApiIdResolution = { found: true; mediaKey: string } | { found: false; reason: string };

export type BridgeStrategy = 'fetch-then-navigate' | 'navigate';

export interface BridgeOptions {
  strategy?: BridgeStrategy;
  /** How long a navigation may take, and how long to wait for a script redirect after it. */
  timeoutMs?: number;
  /** Told why the in-page fetch was not conclusive, before the page navigates instead. */
  onFallback?: (reason: string) => void;
}

/** What Google answers for an id it does not know (deleted, or another account's). */
const NOT_FOUND_STATUSES = new Set([404, 410]);

interface FetchOutcome {
  ok: boolean;
  status: number;
  url: string;
  redirected: boolean;
  error: string | null;
}

/**
 * Maps one Library API id to its mediaKey. Throws SignedOutError when the session is gone,
 * TransientError for anything worth another try (5xx, 429, timeouts).
 */
export async function resolveApiId(page: Page, baseUrl: string, apiId: string, options: BridgeOptions = {}): Promise<ApiIdResolution> {
  const url = apiIdUrl(baseUrl, apiId);
  if ((options.strategy ?? 'fetch-then-navigate') === 'fetch-then-navigate') {
    const outcome = await fetchInPage(page, url, options.timeoutMs ?? 45_000);
    const conclusive = interpret(outcome, baseUrl);
    if (conclusive) return conclusive;
    options.onFallback?.(outcome.ok ? `HTTP ${outcome.status} at ${new URL(outcome.url).pathname}` : outcome.error ?? 'fetch failed');
  }
  return navigate(page, baseUrl, url, options.timeoutMs ?? 45_000);
}

export interface MapApiIdOptions extends BridgeOptions {
  /** Tries after the first, with back-off from 0.5 s to 15 s (default 4). */
  retries?: number;
  signal?: AbortSignal;
  /** Every failed try, retried or not. */
  onFailedAttempt?: (error: unknown, attempt: number) => void;
}

/** resolveApiId with back-off: SignedOutError and other stopping errors end it at once. */
export function mapApiId(page: Page, baseUrl: string, apiId: string, options: MapApiIdOptions = {}): Promise<ApiIdResolution> {
  const { retries, signal, onFailedAttempt, ...bridge } = options;
  return withBackoff(() => resolveApiId(page, baseUrl, apiId, bridge), { retries: retries ?? 4, minTimeoutMs: 500, maxTimeoutMs: 15_000, signal, onFailedAttempt });
}

async function fetchInPage(page: Page, url: string, timeoutMs: number): Promise<FetchOutcome> {
  try {
    return await page.evaluate(async ({ target, timeoutMs }) => {
      try {
        // A stalled answer gives up (then the navigation, with its own timeout, decides).
        const response = await fetch(target, { credentials: 'include', redirect: 'follow', headers: { accept: 'text/html' }, signal: AbortSignal.timeout(timeoutMs) });
        // Only the final URL and status matter: drop the body unread.
        await response.body?.cancel().catch(() => undefined);
        return { ok: true, status: response.status, url: response.url, redirected: response.redirected, error: null };
      } catch (error) {
        return { ok: false, status: 0, url: '', redirected: false, error: String(error) };
      }
    }, { target: url, timeoutMs });
  } catch (cause) {
    // The page itself went away (closed, crashed, navigated): let the navigation decide.
    return { ok: false, status: 0, url: '', redirected: false, error: (cause as Error).message.split('\n')[0] };
  }
}

function interpret(outcome: FetchOutcome, baseUrl: string): ApiIdResolution | null {
  if (!outcome.ok) return null; // a cross-origin redirect (signed out) or a network error: navigate to see which
  if (isSignedOutUrl(outcome.url, baseUrl)) throw new SignedOutError();
  if (outcome.status === 401) throw new SignedOutError();
  if (outcome.status === 429 || outcome.status >= 500) throw new TransientError(`/lr/photo/ answered HTTP ${outcome.status}`);
  const key = keyOf(outcome.url);
  if (key && outcome.status < 400) return { found: true, mediaKey: key };
  if (NOT_FOUND_STATUSES.has(outcome.status)) return { found: false, reason: `HTTP ${outcome.status}` };
  return null;
}

async function navigate(page: Page, baseUrl: string, url: string, timeoutMs: number): Promise<ApiIdResolution> {
  let status = 200;
  try {
    const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
    status = response?.status() ?? 200;
  } catch (cause) {
    if (isSignedOutUrl(page.url(), baseUrl)) throw new SignedOutError(undefined, { cause });
    // A script redirect may interrupt the first navigation; what counts is where the page is now.
    const key = keyOf(page.url());
    if (key) return { found: true, mediaKey: key };
    throw new TransientError(`opening /lr/photo/ failed: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  assertSignedIn(page, baseUrl);
  const direct = keyOf(page.url());
  if (direct && status < 400) return { found: true, mediaKey: direct };
  if (status === 429 || status >= 500) throw new TransientError(`/lr/photo/ answered HTTP ${status}`);
  if (NOT_FOUND_STATUSES.has(status)) return { found: false, reason: `HTTP ${status}` };
  // A 200 page that has not moved yet may still redirect by script.
  try {
    await page.waitForURL((current) => keyOf(current.toString()) !== null || isSignedOutUrl(current.toString(), baseUrl), { timeout: Math.min(timeoutMs, 10_000) });
  } catch {
    return { found: false, reason: 'no redirect to a photo' };
  }
  assertSignedIn(page, baseUrl);
  const key = keyOf(page.url());
  return key ? { found: true, mediaKey: key } : { found: false, reason: 'no redirect to a photo' };
}

function keyOf(url: string): string | null {
  try {
    if (new URL(url).pathname.includes('/lr/photo/')) return null;
    return mediaKeyFromPhotoUrl(url);
  } catch {
    return null;
  }
}
