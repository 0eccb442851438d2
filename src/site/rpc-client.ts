// Calls batchexecute from inside the signed-in page, as the web app itself does, so the
// browser's own cookies and headers go with it and nothing secret passes through us.
import type { Page } from 'playwright-core';
import { RpcThrottledError, SignedOutError, SiteChangedError } from '../errors.js';
import { decodeResponse, encodeRequestBody } from './batchexecute.js';
import { readTokens } from './session.js';
import type { WizTokens } from './types.js';
import { batchexecuteUrl, isSignedOutUrl } from './urls.js';

interface FetchResult {
  status: number;
  type: string;
  url: string;
  body: string;
}

/** An RPC with no answer by then is given up (and retried by the caller): a stalled connection must not hang a cron run. */
export const RPC_TIMEOUT_MS = 60_000;

export class RpcClient {
  private reqId = Math.floor(Math.random() * 900_000) + 100_000;

  constructor(
    private readonly page: Page,
    private readonly baseUrl: string,
    private tokens: WizTokens,
    private readonly timeoutMs = RPC_TIMEOUT_MS,
  ) {}

  get email(): string | null {
    return this.tokens.email;
  }

  /** One RPC call; throttling and server errors throw RpcThrottledError for the caller's retry. */
  async call(rpcid: string, args: unknown, sourcePath = '/'): Promise<unknown> {
    this.reqId += 100_000;
    const url = batchexecuteUrl(this.baseUrl, rpcid, this.tokens, sourcePath, this.reqId);
    const body = encodeRequestBody(rpcid, args, this.tokens.at);
    let result: FetchResult;
    try {
      result = await this.page.evaluate(
        async ({ url, body, timeoutMs }) => {
          try {
            const response = await fetch(url, {
              method: 'POST',
              credentials: 'include',
              redirect: 'manual',
              headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', 'x-same-domain': '1' },
              body,
              // Covers reading the body too: an answer that stalls half-way is given up as well.
              signal: AbortSignal.timeout(timeoutMs),
            });
            return { status: response.status, type: response.type, url: response.url, body: response.type === 'opaqueredirect' ? '' : await response.text() };
          } catch (error) {
            if ((error as Error).name === 'TimeoutError') return { status: 0, type: 'timeout', url: '', body: '' };
            throw error;
          }
        },
        { url, body, timeoutMs: this.timeoutMs },
      );
    } catch (cause) {
      if (isSignedOutUrl(this.page.url(), this.baseUrl)) throw new SignedOutError(undefined, { cause });
      throw new RpcThrottledError(`${rpcid}: request failed: ${(cause as Error).message.split('\n')[0]}`, { cause });
    }
    if (result.type === 'timeout') throw new RpcThrottledError(`${rpcid}: no answer within ${Math.round(this.timeoutMs / 1000)} s`);
    // A session that ended answers with a redirect to the sign-in host (or 401).
    if (result.type === 'opaqueredirect' || result.status === 401 || (result.url && isSignedOutUrl(result.url, this.baseUrl))) {
      throw new SignedOutError();
    }
    if (result.status === 400) {
      // Usually a stale at token: the page's tokens are renewed by the caller via refreshTokens().
      throw new RpcThrottledError(`${rpcid}: HTTP 400 (the at token may be stale)`);
    }
    if (result.status === 429 || result.status >= 500) throw new RpcThrottledError(`${rpcid}: HTTP ${result.status}`);
    if (result.status !== 200) throw new SiteChangedError(`batchexecute answers HTTP 200`, `${rpcid} got HTTP ${result.status}`);
    return decodeResponse(result.body, rpcid);
  }

  /** Reloads the page to pick up fresh tokens (after a 400 or a long run). */
  async refreshTokens(): Promise<void> {
    await this.page.reload({ waitUntil: 'domcontentloaded' });
    if (isSignedOutUrl(this.page.url(), this.baseUrl)) throw new SignedOutError();
    const tokens = await readTokens(this.page);
    if (!tokens) throw new SiteChangedError('signed-in pages embed WIZ_global_data with the at token');
    this.tokens = tokens;
  }
}
