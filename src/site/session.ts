// Is this browser signed in to Google Photos? And the page tokens the RPC needs.
import type { Page, Response } from 'playwright-core';
import { SignedOutError, SiteChangedError, TransientError } from '../errors.js';
import { isSignedOutUrl, libraryUrl } from './urls.js';
import { WIZ_GLOBAL, tokensFrom } from './wiz.js';
import type { WizTokens } from './types.js';

export async function readTokens(page: Page): Promise<WizTokens | null> {
  const raw = await page.evaluate((name) => (window as unknown as Record<string, unknown>)[name] ?? null, WIZ_GLOBAL);
  return tokensFrom(raw);
}

/** Throws SignedOutError when a navigation left the Photos origin or hit a sign-in page. */
export function assertSignedIn(page: Page, baseUrl: string): void {
  if (isSignedOutUrl(page.url(), baseUrl)) throw new SignedOutError();
}

export async function gotoChecked(page: Page, url: string, baseUrl: string, timeoutMs = 45_000): Promise<Response | null> {
  let response: Response | null;
  try {
    response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: timeoutMs });
  } catch (cause) {
    if (isSignedOutUrl(page.url(), baseUrl)) throw new SignedOutError(undefined, { cause });
    throw new TransientError(`navigation to ${new URL(url).pathname} failed: ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
  assertSignedIn(page, baseUrl);
  const status = response?.status() ?? 200;
  if (status >= 500 || status === 429) throw new TransientError(`${new URL(url).pathname} answered HTTP ${status}`);
  return response;
}

/** Opens the library page and returns the session's tokens (with the account e-mail). */
export async function checkSession(page: Page, baseUrl: string): Promise<WizTokens> {
  await gotoChecked(page, libraryUrl(baseUrl), baseUrl);
  const tokens = await readTokens(page);
  if (!tokens) throw new SiteChangedError(`signed-in pages embed window.${WIZ_GLOBAL} with the at token`, `not found on ${new URL(page.url()).pathname}`);
  return tokens;
}
