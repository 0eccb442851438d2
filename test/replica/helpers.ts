// Shared bits of the replica's own tests.
import { test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startReplica, type Replica, type ReplicaOptions } from './index.js';

export const CAPTURES_DIR = fileURLToPath(new URL('../fixtures/real-captures/', import.meta.url));
export const loadCapture = (name: string): unknown => JSON.parse(readFileSync(CAPTURES_DIR + name, 'utf8'));

export async function signedInContext(browser: Browser, replica: Replica): Promise<BrowserContext> {
  const context = await browser.newContext({ acceptDownloads: true, locale: 'en-US', viewport: { width: 1000, height: 700 } });
  await context.addCookies([replica.sessionCookie]);
  return context;
}

export async function signedInPage(browser: Browser, replica: Replica, path = '/?hl=en'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await signedInContext(browser, replica);
  const page = await context.newPage();
  await page.goto(replica.baseUrl + path);
  return { context, page };
}

/** One replica and one signed-in page for a whole spec file: started before its first test, closed after its last. */
export function replicaPageForFile(options: ReplicaOptions = {}): { readonly replica: Replica; readonly page: Page } {
  const held = {} as { replica: Replica; context: BrowserContext; page: Page };
  test.beforeAll(async ({ browser }) => {
    held.replica = await startReplica(options);
    Object.assign(held, await signedInPage(browser, held.replica));
  });
  test.afterAll(async () => {
    await held.context?.close();
    await held.replica?.close();
  });
  return held;
}

export interface RawRpc {
  status: number;
  text: string;
}

/** batchexecute from inside the page, the way the product calls it (tokens from WIZ_global_data). */
export async function pageRpc(page: Page, rpcid: string, args: unknown, opts: { at?: string; prefix?: string } = {}): Promise<RawRpc> {
  return page.evaluate(
    async ({ rpcid, args, at, prefix }) => {
      const w = (window as unknown as { WIZ_global_data: Record<string, string> }).WIZ_global_data;
      const q = new URLSearchParams({ rpcids: rpcid, 'source-path': location.pathname, 'f.sid': w.FdrFJe, bl: w.cfb2h, hl: 'en', _reqid: '12345', pageId: 'none', rt: 'c' });
      const body = new URLSearchParams({ 'f.req': JSON.stringify([[[rpcid, JSON.stringify(args), null, 'generic']]]), at: at ?? w.SNlM0e });
      const res = await fetch(`${prefix}${w.eptZe}data/batchexecute?${q}`, { method: 'POST', credentials: 'include', headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body });
      return { status: res.status, text: await res.text() };
    },
    { rpcid, args, at: opts.at ?? null, prefix: opts.prefix ?? '' },
  );
}

/** Our own reading of the envelope: `)]}'`, then `<len>\n<json>` chunks; returns every entry of every chunk. */
export function envelopeEntries(text: string): unknown[][] {
  if (!text.startsWith(")]}'")) throw new Error('no )]}\' prefix: ' + text.slice(0, 40));
  const lines = text.slice(4).split('\n').filter((l) => l.length > 0);
  const entries: unknown[][] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const len = Number(lines[i]);
    const chunk = lines[i + 1];
    if (!Number.isInteger(len) || chunk === undefined || chunk.length !== len) throw new Error(`bad chunk at line ${i}: ${lines[i]}`);
    entries.push(...(JSON.parse(chunk) as unknown[][]));
  }
  return entries;
}

export function payloadOf(text: string, rpcid: string): unknown {
  const entry = envelopeEntries(text).find((e) => e[0] === 'wrb.fr' && e[1] === rpcid);
  if (!entry || typeof entry[2] !== 'string') throw new Error(`no payload for ${rpcid}: ${text.slice(0, 200)}`);
  return JSON.parse(entry[2]);
}

export async function rpcPayload(page: Page, rpcid: string, args: unknown): Promise<unknown> {
  const raw = await pageRpc(page, rpcid, args);
  if (raw.status !== 200) throw new Error(`${rpcid}: HTTP ${raw.status}`);
  return payloadOf(raw.text, rpcid);
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A type skeleton of a JSON value: arrays keep their element skeletons, objects their keys. */
export function skeleton(v: unknown): unknown {
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.map(skeleton);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, skeleton(x)]));
  return typeof v;
}

export const LAUNCH_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Entries of a zip (stored or deflated), read from the central directory without any name checks. */
export function readZip(buf: Buffer): { name: string; data: Buffer }[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error('not a zip');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: { name: string; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory');
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + csize);
    out.push({ name, data: method === 0 ? raw : inflateRawSync(raw) });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** Node-side session: the cookie header and the at token read from a signed-in page's WIZ_global_data. */
export async function nodeSession(replica: Replica): Promise<{ cookie: string; at: string }> {
  const cookie = `${replica.sessionCookie.name}=${replica.sessionCookie.value}`;
  const html = await (await fetch(replica.baseUrl + '/?hl=en', { headers: { cookie } })).text();
  const wiz = JSON.parse(/window\.WIZ_global_data = (\{.*?\});<\/script>/.exec(html)![1]) as Record<string, string>;
  return { cookie, at: wiz.SNlM0e };
}

export async function nodeRpc(replica: Replica, s: { cookie: string; at: string }, rpcid: string, args: unknown): Promise<RawRpc> {
  const body = new URLSearchParams({ 'f.req': JSON.stringify([[[rpcid, JSON.stringify(args), null, 'generic']]]), at: s.at });
  const res = await fetch(`${replica.baseUrl}/_/PhotosUi/data/batchexecute?rpcids=${rpcid}&source-path=%2F&rt=c`, { method: 'POST', headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body });
  return { status: res.status, text: await res.text() };
}
