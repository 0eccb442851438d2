// The healthcheck client against a real local HTTP server: URL shapes, order, rid, body,
// retries, time-outs, and that the URL never reaches a log line.
import { test, expect } from '@playwright/test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Healthcheck, MAX_BODY_BYTES, pingUrl, truncateUtf8 } from '../../src/run/healthcheck.js';
import { closedPort, startPingServer } from '../helpers/ping-server.js';

function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

test('ping URLs: hc-ping UUID, ping-key/slug, self-hosted with a path prefix and a query', () => {
  const rid = '0f2b5b36-3c1e-4a53-9b9c-2f1d8c3e6a10';
  expect(pingUrl('https://hc-ping.com/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278', 'start', rid).href).toBe(`https://hc-ping.com/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278/start?rid=${rid}`);
  expect(pingUrl('https://hc-ping.com/fqOOd6-F4MMNuCEnzTU01w/nightly-photos', '3', rid).href).toBe(`https://hc-ping.com/fqOOd6-F4MMNuCEnzTU01w/nightly-photos/3?rid=${rid}`);
  expect(pingUrl('https://hc.example.org/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278/', '0', rid).href).toBe(`https://hc.example.org/ping/5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278/0?rid=${rid}`);
  expect(pingUrl('https://hc-ping.com/key/photos?create=1', 'start', rid).href).toBe(`https://hc-ping.com/key/photos/start?create=1&rid=${rid}`);
});

test('start then the exit code, same rid, plain-text body', async () => {
  const server = await startPingServer();
  try {
    const hc = new Healthcheck(`${server.origin}/ping/fqOOd6-F4MMNuCEnzTU01w/nightly`, { minDelayMs: 10 });
    const start = hc.start();
    const end = hc.finish(3, 'found 5, failed 2\nAF1Qip: HTTP 500\n');
    expect((await start).ok).toBe(true);
    expect((await end).ok).toBe(true);
    expect(server.pings.map((p) => p.path)).toEqual(['/ping/fqOOd6-F4MMNuCEnzTU01w/nightly/start', '/ping/fqOOd6-F4MMNuCEnzTU01w/nightly/3']);
    expect(server.pings.map((p) => p.query.get('rid'))).toEqual([hc.rid, hc.rid]);
    expect(hc.rid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(server.pings[1].method).toBe('POST');
    expect(server.pings[1].contentType).toContain('text/plain');
    expect(server.pings[1].body).toBe('found 5, failed 2\nAF1Qip: HTTP 500\n');
  } finally {
    await server.close();
  }
});

test('the end ping waits for a slow start ping: order holds', async () => {
  const server = await startPingServer();
  server.respond = (_p, i) => (i === 0 ? 'hang' : { status: 200 });
  try {
    const hc = new Healthcheck(`${server.origin}/uuid-0000-1111`, { timeoutMs: 300, tries: 2, minDelayMs: 10 });
    const start = hc.start();
    const end = hc.finish(0, 'ok');
    expect((await start).ok).toBe(true); // the second try was answered
    expect((await end).ok).toBe(true);
    expect(server.pings.map((p) => p.path)).toEqual(['/uuid-0000-1111/start', '/uuid-0000-1111/start', '/uuid-0000-1111/0']);
  } finally {
    await server.close();
  }
});

test('5xx is retried up to 3 tries; a 404 is not retried', async () => {
  const server = await startPingServer();
  try {
    server.respond = (_p, i) => ({ status: i < 2 ? 503 : 200 });
    const hc = new Healthcheck(`${server.origin}/abc-uuid`, { minDelayMs: 10 });
    const result = await hc.start();
    expect(result).toMatchObject({ ok: true, tries: 3, status: 200 });

    server.pings.length = 0;
    server.respond = () => ({ status: 404 });
    const missing = await new Healthcheck(`${server.origin}/no-such-check`, { minDelayMs: 10 }).finish(0, '');
    expect(missing).toMatchObject({ ok: false, tries: 1, status: 404 });
    expect(server.pings).toHaveLength(1);
  } finally {
    await server.close();
  }
});

test('a server that never answers: 3 tries of the time-out each, then given up without throwing', async () => {
  const server = await startPingServer(() => 'hang');
  try {
    const hc = new Healthcheck(`${server.origin}/hanging-check`, { timeoutMs: 200, minDelayMs: 10 });
    const started = Date.now();
    const result = await hc.finish(0, 'body');
    expect(result.ok).toBe(false);
    expect(result.tries).toBe(3);
    expect(result.error).toContain('no answer');
    expect(server.pings).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 200);
  } finally {
    await server.close();
  }
});

test('an unreachable server: the failure is logged without the URL, path or key', async () => {
  const port = await closedPort();
  const secretPath = 'fqOOd6-F4MMNuCEnzTU01w/secret-slug';
  const { logger, lines } = capturingLogger();
  const hc = new Healthcheck(`http://127.0.0.1:${port}/${secretPath}`, { minDelayMs: 10, logger });
  const result = await hc.start();
  expect(result.ok).toBe(false);
  expect(result.tries).toBe(3);
  expect(result.error).toMatch(/ECONNREFUSED/);
  expect(lines.length).toBeGreaterThan(0);
  const all = lines.join('');
  expect(all).not.toContain('fqOOd6-F4MMNuCEnzTU01w');
  expect(all).not.toContain('secret-slug');
  expect(all).toContain('healthcheck ping failed');
});

test('bodies are cut to 10 kB without splitting a character', async () => {
  const long = 'é'.repeat(20_000);
  const cut = truncateUtf8(long);
  expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  expect(cut).toContain('[truncated]');
  expect(cut.replace('\n[truncated]\n', '')).toMatch(/^é+$/);

  const server = await startPingServer();
  try {
    await new Healthcheck(`${server.origin}/x-uuid`).finish(0, 'x'.repeat(50_000));
    expect(Buffer.byteLength(server.pings[0].body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
  } finally {
    await server.close();
  }
});

test('a URL that is not http(s) is refused without echoing it', () => {
  expect(() => new Healthcheck('ftp://hc-ping.com/secret-uuid')).toThrow(/not an http\(s\) URL/);
  let message = '';
  try {
    new Healthcheck('not a url secret-uuid');
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/not an http\(s\) URL/);
  expect(message).not.toContain('secret-uuid');
});
