// The remote-debugging sign-in exposes a browser that will hold a Google session: its port must
// answer on loopback only (reached from the desktop through `ssh -L`), and the listener the
// person is told to connect to must be the Chromium this command launched, not some other
// program that took the port first. Real Chromium, real sockets.
import { createServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, spawnCli } from '../helpers/cli.js';
import { launchProfile } from '../../src/browser/launch.js';
import { assertOwnDevtools, debuggingArgs } from '../../src/run/login.js';

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The machine's addresses that are not loopback (where a person on the network would connect). */
function outsideAddresses(): string[] {
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && !a.internal && a.family === 'IPv4')
    .map((a) => a.address);
}

function tryConnect(host: string, port: number): Promise<'connected' | string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** Local addresses listening on `port` (Linux /proc/net/tcp and tcp6), as hex `address:port` pairs decoded to IPv4/IPv6 text. */
function listeners(port: number): string[] {
  const found: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A: LISTEN
      const [addr, hexPort] = cols[1].split(':');
      if (parseInt(hexPort, 16) !== port) continue;
      if (addr.length === 8) found.push(addr.match(/../g)!.reverse().map((h) => parseInt(h, 16)).join('.'));
      else found.push(addr === '00000000000000000000000001000000' ? '::1' : addr === '0'.repeat(32) ? '::' : addr);
    }
  }
  return found;
}

test('remote debugging answers on loopback only: a connection to the machine\'s network address is refused', async ({ replica, workDir }) => {
  const outside = outsideAddresses();
  test.skip(outside.length === 0, 'this machine has no non-loopback IPv4 address to connect to');
  const port = await freePort();
  const env = cleanEnv();
  delete env.DISPLAY;
  const child = spawnCli(['login', '--base-url', replica.baseUrl, '--profile', path.join(workDir, 'profile'), '--remote-debugging-port', String(port)], { env });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  try {
    await expect.poll(() => stderr, { timeout: 60_000 }).toContain(`add localhost:${port}`);
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    for (const address of outside) expect(await tryConnect(address, port), address).toBe('ECONNREFUSED');
    expect(listeners(port)).toEqual(['127.0.0.1']);
  } finally {
    // Ctrl-C: the command closes its Chromium before it exits.
    const closed = new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('close', resolve)));
    child.kill('SIGINT');
    await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('the listener on the debugging port must be our own Chromium: another program answering DevTools there is refused', async ({ workDir }) => {
  const port = await freePort();
  const context = await launchProfile({ profileDir: path.join(workDir, 'profile'), headless: true, minimalAutomation: true, extraArgs: debuggingArgs(port), logger: pino({ level: 'silent' }) });
  let impostor: Server | null = null;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('about:blank');
    // Our own Chromium on its port passes.
    await assertOwnDevtools(context, page, port);

    // Another program on another port, answering DevTools the way Chromium does (its own answers, copied).
    const version = await (await fetch(`http://127.0.0.1:${port}/json/version`)).json();
    const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as { id: string }[];
    const fakeId = (id: string) => id.replace(/[0-9A-F]/g, (c) => ((parseInt(c, 16) + 7) % 16).toString(16).toUpperCase());
    const forged = list.map((t) => JSON.parse(JSON.stringify(t).split(t.id).join(fakeId(t.id))));
    const other = await freePort();
    impostor = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.startsWith('/json/version')) return res.end(JSON.stringify(version));
      if (req.url?.startsWith('/json')) return res.end(JSON.stringify(forged));
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => impostor!.listen(other, '127.0.0.1', resolve));
    await expect(assertOwnDevtools(context, page, other)).rejects.toThrow(/not the Chromium this command started/);
  } finally {
    await context.close().catch(() => undefined);
    await new Promise((resolve) => (impostor ? impostor.close(resolve) : resolve(null)));
  }
});
