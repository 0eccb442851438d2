// The primary listing: the page's own `lcxiM` RPC, library and archive together, newest
// taken first, in pages of 500, called from inside the signed-in page.
import type { RemotePage } from '../model/remote-item.js';
import { listLibraryPage } from '../site/calls.js';
import type { RpcCallerLike, RpcRetryOptions } from '../site/retry.js';

export async function* listByTaken(client: RpcCallerLike, options: RpcRetryOptions = {}): AsyncGenerator<RemotePage> {
  let pageId: string | null = null;
  const seenPageIds = new Set<string>();
  for (;;) {
    if (options.signal?.aborted) return;
    const page = await listLibraryPage(client, { pageId, source: 'both' }, options);
    yield page;
    if (!page.nextPageId) return;
    // A page id seen twice would loop for ever: the listing is over as far as we can tell.
    if (seenPageIds.has(page.nextPageId)) return;
    seenPageIds.add(page.nextPageId);
    pageId = page.nextPageId;
  }
}
