// Chooses the listing: the `lcxiM` RPC when the page's RPC is recognised, else the grid.
// When neither works the run ends with exit 5, naming the facts that failed.
import type { Page } from 'playwright-core';
import { SiteChangedError, describeError } from '../errors.js';
import type { RpcClient } from '../site/rpc-client.js';
import type { RpcRetryOptions } from '../site/retry.js';
import type { RemotePage } from '../model/remote-item.js';
import { listFromGrid } from './by-grid.js';
import { listByTaken } from './by-taken.js';

export type ListingStrategy = 'rpc' | 'grid';

export interface ListedPage extends RemotePage {
  strategy: ListingStrategy;
}

export interface EnumerateOptions extends RpcRetryOptions {
  page: Page;
  baseUrl: string;
  /** null when the page carried no RPC tokens: only the grid is left. */
  client: RpcClient | null;
  onFallback?: (reason: string) => void;
  gridSettleMs?: number;
}

export async function* enumerateLibrary(options: EnumerateOptions): AsyncGenerator<ListedPage> {
  let rpcFailure: SiteChangedError | null = null;
  if (options.client) {
    try {
      for await (const page of listByTaken(options.client, options)) yield { ...page, strategy: 'rpc' };
      return;
    } catch (error) {
      if (!(error instanceof SiteChangedError)) throw error;
      rpcFailure = error;
      options.onFallback?.(describeError(error));
    }
  } else {
    options.onFallback?.('the page carries no RPC tokens');
  }
  try {
    for await (const page of listFromGrid(options.page, options.baseUrl, { signal: options.signal, settleMs: options.gridSettleMs })) yield { ...page, strategy: 'grid' };
  } catch (error) {
    if (!(error instanceof SiteChangedError)) throw error;
    const rpcFact = rpcFailure ? rpcFailure.fact : 'signed-in pages carry the RPC tokens';
    throw new SiteChangedError(`neither listing works: ${rpcFact}; ${error.fact}`, undefined, { cause: error });
  }
}
