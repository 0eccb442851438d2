// When Google changes the listing RPC, sync falls back to scrolling the library grid; when
// the grid is gone too, it exits 5 naming what it expected. The replica has no switch for a
// changed RPC, so these tests put a small rewriting proxy in front of it (test-only).
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { datedFolder } from '../../src/folder/layout.js';
import { expectCompleteBackup, readIndex, sync } from './sync-helpers.js';

interface Rewrites {
  /** Answer `lcxiM` calls for library+archive (source 3, what sync asks) with a payload of another shape. */
  breakListingRpc: boolean;
  /** Serve the library page without its `[role="main"]` scroller. */
  breakGrid: boolean;
}

async function startProxy(target: string, rewrites: Rewrites): Promise<{ url: string; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', target);
      if (rewrites.breakListingRpc && url.pathname.endsWith('/data/batchexecute') && url.searchParams.get('rpcids') === 'lcxiM') {
        const fReq = JSON.parse(new URLSearchParams(body.toString('utf8')).get('f.req') ?? '[]') as unknown[][][];
        const args = JSON.parse(String(fReq[0][0][1])) as unknown[];
        if (args[5] === 3) {
          const envelope = `)]}'\n\n${JSON.stringify([['wrb.fr', 'lcxiM', JSON.stringify({ reshaped: true }), null, null, null, 'generic']])}\n`;
          res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
          res.end(envelope);
          return;
        }
      }
      const forward = request({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
        const isLibraryPage = url.pathname === '/' && (up.headers['content-type'] ?? '').includes('text/html');
        if (rewrites.breakGrid && isLibraryPage) {
          const parts: Buffer[] = [];
          up.on('data', (c: Buffer) => parts.push(c));
          up.on('end', () => {
            const html = Buffer.from(Buffer.concat(parts).toString('utf8').replace(/role="main"/g, 'role="region"'), 'utf8');
            const headers = { ...up.headers, 'content-length': String(html.length) };
            res.writeHead(up.statusCode ?? 200, headers);
            res.end(html);
          });
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

test.describe('listing fallback', () => {
  test.use({ replicaOptions: { library: { synthetic: 14 }, latencyMs: 5 } });

  test('an unrecognised lcxiM answer falls back to the grid; every item still arrives in its YYYY/MM', async ({ replica, outDir, profileDir }) => {
    const proxy = await startProxy(replica.baseUrl, { breakListingRpc: true, breakGrid: false });
    try {
      const result = await sync({ baseUrl: proxy.url }, outDir, profileDir);
      expect(result.code, result.stderr).toBe(0);
      // The grid shows the library, not the archive: archived items wait for a working RPC.
      const archived = replica.items.filter((i) => i.archived);
      const shown = replica.items.filter((i) => !i.archived);
      expect(archived.length).toBeGreaterThan(0);
      expect(result.summary).toMatchObject({ listing: 'grid', found: shown.length, downloaded: shown.length, failed: 0 });
      expect(result.stderr).toMatch(/grid/);
      expectCompleteBackup(replica, outDir, new Set(archived.map((i) => i.mediaKey)));
      readIndex(outDir, (index) => {
        for (const item of shown) {
          const main = index.files(item.mediaKey).find((f) => f.role === 'main')!;
          expect(path.posix.dirname(main.rel_path), item.fileName).toBe(datedFolder(item.takenMs, item.tzOffsetMs));
        }
      });
    } finally {
      await proxy.close();
    }
  });

  test('neither the RPC nor the grid recognised: exit 5 naming both facts, nothing downloaded', async ({ replica, outDir, profileDir }) => {
    const proxy = await startProxy(replica.baseUrl, { breakListingRpc: true, breakGrid: true });
    try {
      const result = await sync({ baseUrl: proxy.url }, outDir, profileDir);
      expect(result.code, result.stderr).toBe(5);
      expect(result.stderr).toMatch(/lcxiM payload is an array/);
      expect(result.stderr).toMatch(/role="main"/);
      expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});
