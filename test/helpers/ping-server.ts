// A local stand-in for a healthchecks.io instance: records every ping (method, path, query,
// body) and answers like hc-ping.com ("OK"). `respond` can make it fail or hang on purpose.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPing {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  contentType: string | undefined;
  at: number;
}

export type Responder = (ping: ReceivedPing, index: number) => { status: number } | 'hang';

export interface PingServer {
  /** http://127.0.0.1:<port> */
  origin: string;
  pings: ReceivedPing[];
  respond: Responder;
  close(): Promise<void>;
}

export async function startPingServer(respond: Responder = () => ({ status: 200 })): Promise<PingServer> {
  const pings: ReceivedPing[] = [];
  const hanging: ServerResponse[] = [];
  const state: PingServer = {
    origin: '',
    pings,
    respond,
    close: () =>
      new Promise((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const ping: ReceivedPing = { method: req.method ?? '', path: url.pathname, query: url.searchParams, body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'], at: Date.now() };
      pings.push(ping);
      const answer = state.respond(ping, pings.length - 1);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain' });
      res.end(answer.status === 200 ? 'OK' : 'not OK');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** A port on 127.0.0.1 with nothing listening (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
