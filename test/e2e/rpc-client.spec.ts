// The RPC client in real Chromium against the replica: a call that gets no answer is given up
// after the client's timeout as throttling (which the listings retry), so a stalled
// connection can never hang an unattended run; the next call goes through.
import { launchProfile } from '../../src/browser/launch.js';
import { RpcThrottledError } from '../../src/errors.js';
import { listByTaken } from '../../src/library/by-taken.js';
import { RpcClient } from '../../src/site/rpc-client.js';
import { args, LibrarySource, rpc } from '../../src/site/rpcids.js';
import { checkSession } from '../../src/site/session.js';
import { expect, test } from '../helpers/fixtures.js';

test('an RPC with no answer within the timeout fails as throttling, and a listing retries it to the end', async ({ replica, profileDir }) => {
  const context = await launchProfile({ profileDir, headless: true });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const client = new RpcClient(page, replica.baseUrl, await checkSession(page, replica.baseUrl), 400);

    replica.faults.latencyMs = 5_000;
    const started = Date.now();
    const stalled = await client.call(rpc.libraryByTaken, args.libraryByTaken(null, LibrarySource.both)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(stalled).toBeInstanceOf(RpcThrottledError);
    expect((stalled as Error).message).toMatch(/no answer within/);
    expect(Date.now() - started).toBeLessThan(4_000);

    // Still stalled when the listing starts, recovered a second later: its retries carry it through.
    const retried: unknown[] = [];
    const recovery = setTimeout(() => (replica.faults.latencyMs = 0), 1_000);
    const keys: string[] = [];
    try {
      for await (const listed of listByTaken(client, { minTimeoutMs: 50, maxTimeoutMs: 200, onRetry: (error) => retried.push(error) })) keys.push(...listed.items.map((item) => item.mediaKey));
    } finally {
      clearTimeout(recovery);
    }
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((error) => error instanceof RpcThrottledError)).toBe(true);
    expect(keys.sort()).toEqual(replica.items.map((item) => item.mediaKey).sort());
  } finally {
    await context.close();
  }
});
