// Where the account finds the authKey of an album someone else shared with it: the album's
// short link (Z5xsfc `72930366[10]`, a photos.app.goo.gl link) redirects to
// `/share/<shareId>?key=<authKey>` on the Photos origin. The redirects are followed one by one
// with the browser's own cookies and nothing else is fetched.
import type { APIRequestContext } from 'playwright-core';
import { RpcThrottledError } from '../errors.js';
import type { ShareTarget } from '../model/albums.js';
import { shareTargetOf } from './urls.js';

/** Short links hop through a host or two before the share page. */
const MAX_HOPS = 5;
const TIMEOUT_MS = 30_000;

/** The share id and authKey a shared album's link leads to; null when it leads elsewhere (a link turned off). */
export async function resolveShareLink(request: Pick<APIRequestContext, 'get'>, linkUrl: string, baseUrl: string): Promise<ShareTarget | null> {
  let url = linkUrl;
  for (let hop = 0; hop <= MAX_HOPS; hop++) {
    const direct = shareTargetOf(url, baseUrl);
    if (direct) return direct;
    if (!/^https?:\/\//.test(url)) return null;
    let response;
    try {
      response = await request.get(url, { maxRedirects: 0, timeout: TIMEOUT_MS, failOnStatusCode: false });
    } catch (cause) {
      throw new RpcThrottledError(`the shared album's link did not answer: ${(cause as Error).message.split('\n')[0]}`, { cause });
    }
    const status = response.status();
    await response.dispose().catch(() => undefined);
    if (status === 429 || status >= 500) throw new RpcThrottledError(`the shared album's link answered HTTP ${status}`);
    const location = response.headers()['location'];
    if (status < 300 || status >= 400 || !location) return null;
    url = new URL(location, url).toString();
  }
  return null;
}
