// The primary listing: the page's own `lcxiM` RPC, library and archive together, newest
// taken first, in pages of 500, called from inside the signed-in page.
import { parseLibraryPage } from '../site/payloads.js';
import type { RpcClient } from '../site/rpc-client.js';
import { args, LibrarySource, rpc } from '../site/rpcids.js';
import type { RemotePage } from '../model/remote-item.js';
import { callWithRetry, type RpcRetryOptions } from './rpc-retry.js';

export async function* listByTaken(client: RpcClient, options: RpcRetryOptions = {}): AsyncGenerator<RemotePage> {
  let pageId: string | null = null;
  const seenPageIds = new Set<string>();
  for (;;) {
    if (options.signal?.aborted) return;
    const payload = await callWithRetry(client, rpc.libraryByTaken, args.libraryByTaken(pageId, LibrarySource.both), '/', options);
    const page = parseLibraryPage(payload);
    yield page;
    if (!page.nextPageId) return;
    // A page id seen twice would loop for ever: the listing is over as far as we can tell.
    if (seenPageIds.has(page.nextPageId)) return;
    seenPageIds.add(page.nextPageId);
    pageId = page.nextPageId;
  }
}
