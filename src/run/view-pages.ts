// Reading one of Google's views (a chain of pages) for the sharing side of a run: the retry
// options that log each back-off, the guard that leaves a failed part to the next run, and
// a loop over the pages that stops with the run.
import { describeError, KeepError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RemotePage } from '../model/remote-item.js';
import type { RpcRetryOptions } from '../site/retry.js';

export interface ViewReader {
  logger: Logger;
  signal?: AbortSignal;
}

/** Runs one part; a changed answer or throttling past every retry leaves that part to the next run, signing out or a full disk stops the run. */
export async function guard(params: Pick<ViewReader, 'logger'>, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof KeepError && error.stopsRun && error.outcome !== 'SiteChanged') throw error;
    params.logger.warn(`${what}: ${describeError(error)}; the rest of the backup goes on, the next run tries again`);
  }
}

export function retryOf(params: ViewReader, what: string): RpcRetryOptions {
  return { signal: params.signal, onRetry: (error, attempt) => params.logger.warn(`${what}: ${describeError(error)} (try ${attempt}), backing off`) };
}

export type PageOf = (pageId: string | null, retry: RpcRetryOptions) => Promise<RemotePage>;

/** Every page of a view (after `first`, when the caller has read it already); `complete` false when the run stopped first. */
export async function listAll(what: string, page: PageOf, params: ViewReader, first: RemotePage | null = null): Promise<{ keys: Set<string>; complete: boolean }> {
  const keys = new Set<string>();
  const started = Date.now();
  let pages = 0;
  let answer = first;
  let pageId: string | null = null;
  do {
    if (!answer) {
      if (params.signal?.aborted) return { keys, complete: false };
      answer = await page(pageId, retryOf(params, `listing ${what}`));
    }
    pages++;
    for (const item of answer.items) keys.add(item.mediaKey);
    pageId = answer.nextPageId;
    answer = null;
  } while (pageId);
  params.logger.debug(`${what}: ${keys.size} item(s) in ${pages} page(s), ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { keys, complete: true };
}
