// The replica's two HTTP servers: the Photos origin (pages, batchexecute, downloads) and a
// different origin standing for www.google.com / accounts.google.com (signed-out pages).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Library, compareItems, sampleLibrary, type ExpectedFile, type ReplicaItem, type ReplicaItemSpec, type Variant } from './library.js';
import { aboutPage, gridPage, identifierPage, itemFragment, notFoundPage, passwordPage, rejectedPage, viewerPage, type ViewerNeighbours, type WizData } from './html.js';
import { bulkInfoEntry, fDcn4b, hashHit, libraryRow, vrseUb, type RowContext } from './rows.js';
import { changedAnswer, type SiteChangePart } from './site-changes.js';
import { chance, prng, randomB64url, seedOf, sleep } from './util.js';
import { argsRefusal } from './args.js';
import type { Unknowns } from './unknowns.js';

export interface ReplicaOptions {
  library?: ReplicaItemSpec[] | { synthetic: number; seed?: number };
  latencyMs?: number;
  bytesPerSecond?: number;
  email?: string;
  port?: number;
  /** Sign-in refuses browsers with navigator.webdriver set, as Google does (default true). */
  rejectAutomatedSignIn?: boolean;
  /** Seed of ids and fault decisions when the library is not synthetic (default 1). */
  seed?: number;
  /** Variants where the facts page is silent (default UNKNOWN_DEFAULTS); also mutable later through replica.unknowns. */
  unknowns?: Partial<Unknowns>;
}

export interface Faults {
  latencyMs: number;
  bytesPerSecond: number;
  downloadFailureRate: number;
  downloadFailureKinds: ('5xx' | 'truncate')[];
  failDownloadsOf: Set<string>;
  rpcThrottleRate: number;
  rpcThrottleNext: number;
  /** How throttling answers: 200 with an empty body, 200 with no wrb.fr entry, or HTTP 429. Default ['empty','no-wrb']. */
  rpcThrottleKinds: ('empty' | 'no-wrb' | 'http')[];
  expireSessionAfterRequests: number | null;
  hostileNames: boolean;
  /** key → another item's key: the download of the first serves the other's bytes under the first's name (a mixed-up download). */
  servesBytesOf: Map<string, string>;
  /** key → bytes added to every size listed for it: a listed number that none of the plausible readings explains. */
  listedSizeSkew: Map<string, number>;
  /** Parts of the site changed the way Google might change them (site-changes.ts); each part alone breaks one fact. */
  siteChanged: Set<SiteChangePart>;
  seed: number;
}

export interface SessionCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: 'Lax' | 'None' | 'Strict';
}

export interface Counters {
  rpc: Record<string, number>;
  downloads: Record<string, number>;
  downloadStarts: Record<string, number>;
  pages: number;
  total: number;
}

export interface Replica {
  baseUrl: string;
  signInOrigin: string;
  email: string;
  sessionCookie: SessionCookie;
  items: ReplicaItem[];
  item(mediaKey: string): ReplicaItem;
  expectedFiles(mediaKey: string): ExpectedFile[];
  counters: Counters;
  faults: Faults;
  /** The variant served for each undocumented fact; change its fields at any time (the object itself stays). */
  readonly unknowns: Unknowns;
  addItem(spec: Partial<ReplicaItemSpec> & { sample: string }): ReplicaItem;
  deleteItem(mediaKey: string): void;
  editItem(mediaKey: string): void;
  setProcessing(mediaKey: string, processing: boolean): void;
  setArchived(mediaKey: string, archived: boolean): void;
  setFavorite(mediaKey: string, favorite: boolean): void;
  expireSession(): void;
  issueSession(): SessionCookie;
  resetCounters(): void;
  close(): Promise<void>;
  /** The download URL the page would use (what VrseUb returns), for tests. */
  downloadUrl(mediaKey: string, variant?: Variant): string | null;
  /** base64 SHA-1 of the item's bytes as uploaded (what swbisb is asked with). */
  sha1(mediaKey: string): string;
}

const COOKIE_NAME = 'SID';
const BUILD_LABEL = 'boq_photosuiserver_20260115.03_p0';
const PATH_PREFIX = '/_/PhotosUi/';

interface Session {
  value: string;
  at: string;
  fSid: string;
}

interface TokenTarget {
  key: string;
  variant: Variant | 'thumb';
}

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string | number> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'Content-Length': buf.length, ...headers });
  res.end(buf);
}

function redirect(res: ServerResponse, location: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(302, { Location: location, 'Content-Length': 0, ...headers });
  res.end();
}

function html(res: ServerResponse, status: number, body: string): void {
  send(res, status, body, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache, no-store, max-age=0, must-revalidate' });
}

function readBody(req: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/**
 * The download's Content-Disposition in one of the forms the facts page leaves open:
 * 'both' = `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`;
 * 'filename*' = only the RFC 5987 parameter; 'filename' = only `filename="<name>"` with the
 * name's UTF-8 bytes as they are (`"` and `\` escaped), as many servers send it.
 */
export function contentDisposition(name: string, form: Unknowns['contentDisposition'] = 'both'): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
  if (form === 'filename*') return `attachment; filename*=UTF-8''${encoded}`;
  if (form === 'filename') {
    // Node writes header strings as latin1: this puts the raw UTF-8 bytes on the wire.
    const raw = Buffer.from(name.replace(/["\\]/g, (c) => '\\' + c), 'utf8').toString('latin1');
    return `attachment; filename="${raw}"`;
  }
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** The batchexecute response framing: `)]}'`, then `<length>\n<json line>` chunks. Lengths count UTF-16 code units of the line. */
export function envelope(entries: unknown[][]): string {
  const first = JSON.stringify([...entries, ['di', 87], ['af.httprm', 86, '-3318624651574829532', 14]]);
  const second = JSON.stringify([['e', 4, null, null, first.length + 40]]);
  return `)]}'\n\n${first.length}\n${first}\n${second.length}\n${second}\n`;
}

const PAGE_PREFIX = 'AH_uQ4';
function encodeCursor(parts: unknown[]): string {
  return PAGE_PREFIX + Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}
function decodeCursor(token: string): unknown[] | null {
  if (!token.startsWith(PAGE_PREFIX)) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(token.slice(PAGE_PREFIX.length), 'base64url').toString('utf8'));
    return Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/** Args Google would not decode, an unknown rpcid, a bad page id: always the error entry. */
class RpcError extends Error {}
/** A mediaKey Google does not know: answered as unknowns.unknownKey says. */
class UnknownKeyError extends RpcError {}

export class ReplicaServer implements Replica {
  baseUrl = '';
  signInOrigin = '';
  readonly email: string;
  sessionCookie!: SessionCookie;
  readonly counters: Counters = { rpc: {}, downloads: {}, downloadStarts: {}, pages: 0, total: 0 };
  readonly faults: Faults;
  readonly lib: Library;
  private readonly sessions = new Map<string, Session>();
  private readonly tokens = new Map<string, TokenTarget>();
  private readonly attempts = new Map<string, number>();
  private rpcCalls = 0;
  private sessionSerial = 0;
  private readonly photos: Server;
  private readonly signIn: Server;
  private readonly rejectAutomation: boolean;
  private readonly ownerKey: string;
  private readonly ownerId: string;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(private readonly options: ReplicaOptions) {
    const lib = options.library;
    const seed = (lib && !Array.isArray(lib) ? lib.seed : undefined) ?? options.seed ?? 1;
    this.lib = lib && !Array.isArray(lib) ? Library.synthetic(lib.synthetic, seed) : Library.fromSpecs(lib ?? sampleLibrary(), seed);
    this.email = options.email ?? 'keeper@example.com';
    this.rejectAutomation = options.rejectAutomatedSignIn ?? true;
    this.faults = {
      latencyMs: options.latencyMs ?? 0,
      bytesPerSecond: options.bytesPerSecond ?? 0,
      downloadFailureRate: 0,
      downloadFailureKinds: ['5xx', 'truncate'],
      failDownloadsOf: new Set(),
      rpcThrottleRate: 0,
      rpcThrottleNext: 0,
      rpcThrottleKinds: ['empty', 'no-wrb'],
      expireSessionAfterRequests: null,
      hostileNames: false,
      servesBytesOf: new Map(),
      listedSizeSkew: this.lib.listedSizeSkew,
      siteChanged: new Set(),
      seed,
    };
    Object.assign(this.lib.unknowns, options.unknowns);
    const rand = prng(seedOf(seed, 'owner'));
    this.ownerKey = 'AF1Qip' + randomB64url(rand, 38);
    this.ownerId = String(100000000000 + Math.floor(rand() * 1e9));
    this.photos = createServer((req, res) => void this.handlePhotos(req, res).catch((err) => this.fail(res, err)));
    this.signIn = createServer((req, res) => void this.handleSignIn(req, res).catch((err) => this.fail(res, err)));
    for (const s of [this.photos, this.signIn]) {
      s.on('connection', (socket) => {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
      });
    }
  }

  async listen(): Promise<void> {
    const listen = (s: Server, port: number): Promise<number> =>
      new Promise((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve((s.address() as AddressInfo).port));
      });
    const port = await listen(this.photos, this.options.port ?? 0);
    const signInPort = await listen(this.signIn, 0);
    this.baseUrl = `http://127.0.0.1:${port}`;
    // A different origin (host differs) standing for www.google.com and accounts.google.com.
    this.signInOrigin = `http://localhost:${signInPort}`;
    this.sessionCookie = this.issueSession();
  }

  private fail(res: ServerResponse, err: unknown): void {
    if (!res.headersSent) send(res, 500, `replica error: ${err instanceof Error ? err.stack : String(err)}`, { 'Content-Type': 'text/plain' });
    else res.destroy();
  }

  // ---- the Replica API ----------------------------------------------------------------

  get items(): ReplicaItem[] {
    return this.lib.items;
  }

  get unknowns(): Unknowns {
    return this.lib.unknowns;
  }

  item(mediaKey: string): ReplicaItem {
    return this.lib.get(mediaKey);
  }

  expectedFiles(mediaKey: string): ExpectedFile[] {
    return this.lib.expectedFiles(this.lib.get(mediaKey));
  }

  sha1(mediaKey: string): string {
    return this.lib.sha1Of(this.lib.get(mediaKey));
  }

  addItem(spec: Partial<ReplicaItemSpec> & { sample: string }): ReplicaItem {
    return this.lib.add({ uploadedMs: Date.now(), ...spec });
  }

  deleteItem(mediaKey: string): void {
    this.lib.remove(mediaKey);
  }

  editItem(mediaKey: string): void {
    const item = this.lib.get(mediaKey);
    item.edited = true;
    item.editVersion++;
    this.lib.touch();
  }

  setProcessing(mediaKey: string, processing: boolean): void {
    this.lib.get(mediaKey).processing = processing;
    this.lib.touch();
  }

  setArchived(mediaKey: string, archived: boolean): void {
    this.lib.get(mediaKey).archived = archived;
    this.lib.touch();
  }

  setFavorite(mediaKey: string, favorite: boolean): void {
    this.lib.get(mediaKey).favorite = favorite;
    this.lib.touch();
  }

  expireSession(): void {
    this.sessions.clear();
  }

  issueSession(): SessionCookie {
    const n = ++this.sessionSerial;
    const rand = prng(seedOf(this.faults.seed, 'session', n, Date.now()));
    const session: Session = {
      value: 'g.a000' + randomB64url(rand, 64),
      at: 'AJbdz' + randomB64url(rand, 28) + ':' + Date.now(),
      fSid: '-' + String(Math.floor(rand() * 9e17) + 1e17),
    };
    this.sessions.set(session.value, session);
    const cookie: SessionCookie = { name: COOKIE_NAME, value: session.value, domain: '127.0.0.1', path: '/', httpOnly: true, secure: false, sameSite: 'Lax' };
    this.sessionCookie = cookie;
    return cookie;
  }

  resetCounters(): void {
    this.counters.rpc = {};
    this.counters.downloads = {};
    this.counters.downloadStarts = {};
    this.counters.pages = 0;
    this.counters.total = 0;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.photos, this.signIn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  downloadUrl(mediaKey: string, variant: Variant = 'main'): string | null {
    return this.urlFor(this.lib.get(mediaKey), variant);
  }

  // ---- tokens and URLs ----------------------------------------------------------------

  private token(key: string, variant: TokenTarget['variant']): string {
    const token = 'AP1Gcz' + randomB64url(prng(seedOf(this.faults.seed, key, variant, 'token')), 58);
    if (!this.tokens.has(token)) this.tokens.set(token, { key, variant });
    return token;
  }

  private thumbUrl(item: ReplicaItem): string {
    return `${this.baseUrl}/pw/${this.token(item.mediaKey, 'thumb')}`;
  }

  /** Real hosts: photos.fife.usercontent.google.com/pw/<token>=s0-d-ip and video-downloads.googleusercontent.com; here both on the Photos origin. */
  private urlFor(item: ReplicaItem, variant: Variant): string | null {
    if (item.processing) return null;
    if (variant === 'original' && !item.edited) return null;
    const token = this.token(item.mediaKey, variant);
    return item.kind === 'video' ? `${this.baseUrl}/video-download/${token}` : `${this.baseUrl}/pw/${token}=s0-d-ip`;
  }

  private rowContext(): RowContext {
    return {
      lib: this.lib,
      ownerKey: this.ownerKey,
      ownerId: this.ownerId,
      thumbUrl: (item) => this.thumbUrl(item),
      downloadUrl: (item, variant) => this.urlFor(item, variant),
    };
  }

  // ---- sessions -----------------------------------------------------------------------

  private sessionOf(req: IncomingMessage): Session | null {
    const value = parseCookies(req.headers.cookie).get(COOKIE_NAME);
    return (value && this.sessions.get(value)) || null;
  }

  private wiz(session: Session): WizData {
    return {
      SNlM0e: session.at,
      FdrFJe: session.fSid,
      cfb2h: BUILD_LABEL,
      eptZe: PATH_PREFIX,
      oPEP7c: this.email,
      qwAQke: 'PhotosUi',
      S06Grb: this.ownerId,
      GWsdKe: 'en',
      TuX5cc: 'en',
      W3Yyqf: this.ownerId,
      Im6cmf: PATH_PREFIX.slice(0, -1),
    };
  }

  private signInUrl(continueUrl: string): string {
    const q = new URLSearchParams({ continue: continueUrl, followup: continueUrl, osid: '1', passive: '1209600', service: 'photos', flowName: 'GlifWebSignIn', flowEntry: 'ServiceLogin', hl: 'en' });
    return `${this.signInOrigin}/v3/signin/identifier?${q}`;
  }

  // ---- Photos origin ------------------------------------------------------------------

  private async handlePhotos(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.total++;
    if (this.faults.expireSessionAfterRequests !== null) {
      if (this.faults.expireSessionAfterRequests <= 0) {
        this.expireSession();
        this.faults.expireSessionAfterRequests = null;
      } else {
        this.faults.expireSessionAfterRequests--;
      }
    }
    await sleep(this.faults.latencyMs);
    const url = new URL(req.url ?? '/', this.baseUrl);
    let path = url.pathname;
    const userPrefix = /^\/u\/(\d+)(?=\/|$)/.exec(path);
    if (userPrefix) path = path.slice(userPrefix[0].length) || '/';
    const prefix = userPrefix ? userPrefix[0] : '';
    const method = req.method ?? 'GET';

    if (path === '/accounts/SetSID' && method === 'GET') {
      const session = this.issueSession();
      const target = url.searchParams.get('continue') ?? '/';
      let next = '/';
      try {
        const t = new URL(target, this.baseUrl);
        if (t.origin === this.baseUrl) next = t.pathname + t.search;
      } catch {
        /* stays / */
      }
      const c = this.sessionCookie;
      redirect(res, next, { 'Set-Cookie': [`${c.name}=${session.value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000`] });
      return;
    }
    if (path === '/login') {
      const s = this.sessionOf(req);
      if (s) redirect(res, prefix + '/');
      else redirect(res, this.signInUrl(`${this.baseUrl}/`));
      return;
    }
    if (path === '/favicon.ico') {
      send(res, 404, '');
      return;
    }

    const session = this.sessionOf(req);
    const isRpc = path === `${PATH_PREFIX}data/batchexecute`;
    const isInternal = path.startsWith('/_/replica/');
    const dl = /^\/pw\/([A-Za-z0-9_-]+)(?:=([A-Za-z0-9_-]*))?$/.exec(path) ?? /^\/video-download\/([A-Za-z0-9_-]+)$/.exec(path);
    if (!session) {
      if (isInternal) {
        send(res, 401, '{}', { 'Content-Type': 'application/json' });
      } else if (isRpc) {
        // Documented choice: a signed-out RPC answers 401 (a fetch can see it; a 302 to another origin would be an opaque CORS failure).
        send(res, 401, `)]}'\n[["er",null,null,null,null,401,null,null,null,16]]`, { 'Content-Type': 'application/json; charset=utf-8' });
      } else if (path === '/' || path === '') {
        redirect(res, `${this.signInOrigin}/photos/about/`);
      } else {
        redirect(res, this.signInUrl(this.baseUrl + req.url));
      }
      return;
    }
    if (isRpc) {
      if (method !== 'POST') return send(res, 405, '');
      await this.handleRpc(req, res, session);
      return;
    }
    if (dl) {
      await this.handleDownload(res, dl[1]);
      return;
    }
    if (path === '/' && method === 'GET') {
      this.counters.pages++;
      html(res, 200, gridPage(this.wiz(session), this.faults.siteChanged));
      return;
    }
    const photo = /^\/photo\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    if (photo && method === 'GET') {
      this.counters.pages++;
      const item = this.lib.find(photo[1]);
      if (!item) return html(res, 404, notFoundPage());
      const n = this.neighbours(item);
      const staleKey = n.older ?? n.newer;
      html(res, 200, viewerPage(this.wiz(session), this.lib, item, staleKey ? this.lib.get(staleKey) : null, n, this.faults.siteChanged));
      return;
    }
    const lr = /^\/lr\/photo\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    if (lr && method === 'GET') {
      const item = this.lib.findByApiId(lr[1]);
      if (!item) {
        this.counters.pages++;
        return html(res, 404, notFoundPage());
      }
      redirect(res, `${prefix}/photo/${item.mediaKey}${url.search}`);
      return;
    }
    const frag = /^\/_\/replica\/viewer\/([A-Za-z0-9_-]+)$/.exec(path);
    if (frag && method === 'GET') {
      const item = this.lib.find(frag[1]);
      if (!item) return send(res, 404, '{}', { 'Content-Type': 'application/json' });
      const body = JSON.stringify({ html: itemFragment(this.lib, item, false, this.faults.siteChanged), ...this.neighbours(item) });
      send(res, 200, body, { 'Content-Type': 'application/json; charset=utf-8' });
      return;
    }
    this.counters.pages++;
    html(res, 404, notFoundPage());
  }

  /** Newer/older item in the same view (library, or archive for an archived item). */
  private neighbours(item: ReplicaItem): ViewerNeighbours {
    const list = this.lib.items;
    const at = list.indexOf(item);
    let newer: string | null = null;
    let older: string | null = null;
    for (let i = at - 1; i >= 0; i--) {
      if (list[i].archived === item.archived) {
        newer = list[i].mediaKey;
        break;
      }
    }
    for (let i = at + 1; i < list.length; i++) {
      if (list[i].archived === item.archived) {
        older = list[i].mediaKey;
        break;
      }
    }
    return { newer, older };
  }

  // ---- batchexecute -------------------------------------------------------------------

  private async handleRpc(req: IncomingMessage, res: ServerResponse, session: Session): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    const json = { 'Content-Type': 'application/json; charset=utf-8' };
    let calls: unknown[][];
    try {
      const parsed: unknown = JSON.parse(form.get('f.req') ?? '');
      if (!Array.isArray(parsed) || !Array.isArray(parsed[0])) throw new Error('f.req');
      calls = (parsed[0] as unknown[]).filter((c): c is unknown[] => Array.isArray(c) && typeof c[0] === 'string');
      if (calls.length === 0) throw new Error('f.req');
    } catch {
      send(res, 400, envelope([['er', null, null, null, null, 400, null, null, null, 3]]), json);
      return;
    }
    if (form.get('at') !== session.at) {
      // Google answers a wrong/missing at token with HTTP 400 and an "er" entry.
      send(res, 400, envelope([['er', null, null, null, null, 400, null, null, null, 3]]), json);
      return;
    }
    for (const call of calls) {
      const id = call[0] as string;
      this.counters.rpc[id] = (this.counters.rpc[id] ?? 0) + 1;
    }
    const callNo = ++this.rpcCalls;
    let throttle = false;
    if (this.faults.rpcThrottleNext > 0) {
      this.faults.rpcThrottleNext--;
      throttle = true;
    } else if (this.faults.rpcThrottleRate > 0 && chance(this.faults.seed, 'rpc', callNo) < this.faults.rpcThrottleRate) {
      throttle = true;
    }
    if (throttle) {
      const kinds = this.faults.rpcThrottleKinds.length ? this.faults.rpcThrottleKinds : ['empty' as const];
      const kind = kinds[Math.floor(chance(this.faults.seed, 'rpc-kind', callNo) * kinds.length)];
      if (kind === 'http') send(res, 429, '', json);
      else if (kind === 'empty') send(res, 200, '', json);
      else send(res, 200, envelope([]), json);
      return;
    }
    const entries: unknown[][] = [];
    for (const call of calls) {
      const id = call[0] as string;
      const tag = typeof call[3] === 'string' ? call[3] : 'generic';
      try {
        const args: unknown = JSON.parse(typeof call[1] === 'string' ? call[1] : 'null');
        const payload = changedAnswer(this.faults.siteChanged, id, this.answer(id, args));
        entries.push(['wrb.fr', id, JSON.stringify(payload), null, null, null, tag]);
      } catch (err) {
        if (!(err instanceof RpcError) && !(err instanceof SyntaxError)) throw err;
        const kind = err instanceof UnknownKeyError ? this.unknowns.unknownKey : 'error-entry';
        if (kind === 'http-400' || kind === 'http-500') {
          const status = kind === 'http-400' ? 400 : 500;
          send(res, status, envelope([['er', null, null, null, null, status, null, null, null, 3]]), json);
          return;
        }
        // An empty JSPB message (every field unset), or Google's error entry: no payload and an error code.
        entries.push(kind === 'empty-payload' ? ['wrb.fr', id, '[]', null, null, null, tag] : ['wrb.fr', id, null, null, null, [3], tag]);
      }
    }
    send(res, 200, envelope(entries), json);
  }

  /** The payload for one call whose args decode (args.ts), else RpcError as Google refuses them. */
  private answer(rpcid: string, args: unknown): unknown {
    const refusal = argsRefusal(rpcid, args);
    if (refusal) throw new RpcError(refusal);
    const a = args as unknown[];
    const ctx = this.rowContext();
    const item = (key: unknown): ReplicaItem => {
      const found = typeof key === 'string' ? this.lib.find(key) : undefined;
      if (!found) throw new UnknownKeyError(`no item ${String(key)}`);
      return found;
    };
    switch (rpcid) {
      case 'lcxiM':
        return this.lcxiM(ctx, a);
      case 'EzkLib':
        return this.ezkLib(ctx, a);
      case 'VrseUb':
        return vrseUb(ctx, item(a[0]));
      case 'fDcn4b':
        return fDcn4b(ctx, item(a[0]));
      case 'EWgK9e': {
        // [[[ [[key],…] ], [MASK]]] → rows at answer[0][1] (what EWgK9e.json holds); unknown keys are left out.
        const keyList = ((((a[0] as unknown[])[0] as unknown[])[0] ?? []) as [string][]).map((k) => k[0]);
        const rows = [...new Set(keyList)].flatMap((k) => {
          const it = this.lib.find(k);
          return it ? [bulkInfoEntry(ctx, it)] : [];
        });
        return [[null, rows]];
      }
      case 'swbisb': {
        const hashes = (a[0] ?? []) as string[];
        const hits = hashes.flatMap((h) => {
          const it = this.lib.findBySha1(h);
          return it ? [hashHit(ctx, h, it)] : [];
        });
        return hits.length ? [hits] : [];
      }
      default:
        throw new RpcError(`unknown rpcid ${rpcid}`);
    }
  }

  /** lcxiM [pageId, timestamp, pageSize, null, 1, source]: by date taken, newest first. */
  private lcxiM(ctx: RowContext, a: unknown[]): unknown[] {
    const source = a[5] === 2 ? 2 : a[5] === 3 ? 3 : 1;
    const pageSize = typeof a[2] === 'number' && a[2] > 0 ? Math.min(500, Math.floor(a[2])) : 500;
    const list = this.lib.items;
    let start = 0;
    if (typeof a[0] === 'string' && a[0]) {
      const c = decodeCursor(a[0]);
      if (!c || c[0] !== 'lcxiM' || c[1] !== source) throw new RpcError('bad page id');
      const cursor = { takenMs: Number(c[2]), uploadedMs: Number(c[3]), mediaKey: String(c[4]) };
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (compareItems(list[mid], cursor) <= 0) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    } else if (typeof a[1] === 'number') {
      const ts = a[1];
      while (start < list.length && list[start].takenMs > ts) start++;
    }
    const wanted = (it: ReplicaItem): boolean => (source === 1 ? !it.archived : source === 2 ? it.archived : true);
    const rows: unknown[] = [];
    let last: ReplicaItem | null = null;
    let i = start;
    for (; i < list.length && rows.length < pageSize; i++) {
      if (!wanted(list[i])) continue;
      rows.push(libraryRow(ctx, list[i], 'lcxiM'));
      last = list[i];
    }
    let more = false;
    for (; i < list.length; i++) {
      if (wanted(list[i])) {
        more = true;
        break;
      }
    }
    if (!last) return [];
    const next = more ? encodeCursor(['lcxiM', source, last.takenMs, last.uploadedMs, last.mediaKey]) : null;
    return [rows, next, String(last.takenMs)];
  }

  /**
   * EzkLib, pages of 100 like the capture. The filter decides the view: ["", [[4,"ra",0,0]], pageId]
   * recently uploaded first; ["Favorites", [[5,"8",0,9]], pageId] favorites (code 5); [query, null,
   * pageId] a text search (replica: file name or description contains the query, newest taken first).
   */
  private ezkLib(ctx: RowContext, a: unknown[]): unknown[] {
    // An unset repeated field and an empty one are the same in JSPB.
    const filters = (a[1] ?? []) as unknown[][];
    const query = typeof a[0] === 'string' ? a[0] : '';
    const mode = filters.length === 0 ? 'search' : filters.some((f) => f[0] === 5) ? 'favorites' : 'uploads';
    const needle = query.toLowerCase();
    const list =
      mode === 'favorites'
        ? this.lib.items.filter((it) => it.favorite)
        : mode === 'search'
          ? needle
            ? this.lib.items.filter((it) => it.fileName.toLowerCase().includes(needle) || it.description.toLowerCase().includes(needle))
            : []
          : this.lib.byUpload();
    let start = 0;
    if (typeof a[2] === 'string' && a[2]) {
      const c = decodeCursor(a[2]);
      if (!c || c[0] !== 'EzkLib' || c[1] !== mode || c[5] !== (mode === 'search' ? query : null)) throw new RpcError('bad page id');
      const key = String(c[2]);
      const at = list.findIndex((it) => it.mediaKey === key);
      if (at >= 0) start = at + 1;
      else {
        // The item was deleted since: resume after its position in the current order.
        const u = Number(c[3]);
        const t = Number(c[4]);
        start = list.findIndex((it) => (mode === 'uploads' ? it.uploadedMs < u : it.takenMs < t));
        if (start < 0) start = list.length;
      }
    }
    const page = list.slice(start, start + 100);
    if (page.length === 0) return [];
    const last = page[page.length - 1];
    const next = start + 100 < list.length ? encodeCursor(['EzkLib', mode, last.mediaKey, last.uploadedMs, last.takenMs, mode === 'search' ? query : null]) : null;
    return [page.map((it) => libraryRow(ctx, it, 'EzkLib')), next, null, null, null, 2, [25, 47, 35, 63], [], 3, false];
  }

  // ---- downloads ----------------------------------------------------------------------

  private async handleDownload(res: ServerResponse, token: string): Promise<void> {
    const target = this.tokens.get(token);
    const item = target ? this.lib.find(target.key) : undefined;
    if (!target || !item) return send(res, 404, 'Not Found', { 'Content-Type': 'text/plain' });
    if (target.variant === 'thumb') {
      // Thumbnails (any size suffix): a tiny placeholder GIF, never the original.
      const gif = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
      return send(res, 200, gif, { 'Content-Type': 'image/gif', 'Cache-Control': 'private, max-age=86400' });
    }
    if (item.processing || (target.variant === 'original' && !item.edited)) return send(res, 404, 'Not Found', { 'Content-Type': 'text/plain' });
    const key = item.mediaKey;
    this.counters.downloadStarts[key] = (this.counters.downloadStarts[key] ?? 0) + 1;
    const attemptKey = `${key}\u0000${target.variant}`;
    const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
    this.attempts.set(attemptKey, attempt);
    const f = this.faults;
    const failing = f.failDownloadsOf.has(key) || (f.downloadFailureRate > 0 && chance(f.seed, key, target.variant, attempt) < f.downloadFailureRate);
    const kinds = f.downloadFailureKinds.length ? f.downloadFailureKinds : ['5xx' as const];
    const failure = failing ? kinds[Math.floor(chance(f.seed, key, target.variant, attempt, 'kind') * kinds.length)] : null;
    if (failure === '5xx') return send(res, 503, 'Service Unavailable', { 'Content-Type': 'text/html; charset=utf-8' });
    const other = f.servesBytesOf.get(key);
    const served = other ? this.lib.find(other) : undefined;
    const file = this.lib.download(item, target.variant, f.hostileNames);
    if (served) file.body = this.lib.download(served, target.variant, f.hostileNames).body;
    const name = f.hostileNames ? `../../${file.name}` : file.name;
    res.writeHead(200, {
      'Content-Type': file.mime,
      // Before Content-Length: Node 20 re-decodes a Content-Disposition that follows it as UTF-8 (nodejs/node#46528), which would mangle the raw UTF-8 of the 'filename' form.
      'Content-Disposition': contentDisposition(name, this.unknowns.contentDisposition),
      'Content-Length': file.body.length,
      'Cache-Control': 'private, max-age=0',
      'Accept-Ranges': 'none',
    });
    const body = failure === 'truncate' ? file.body.subarray(0, Math.floor(file.body.length / 2)) : file.body;
    await this.stream(res, body);
    if (failure === 'truncate') {
      // Content-Length promised more: cut the connection mid-body.
      res.socket?.destroy();
      return;
    }
    res.end(() => {
      this.counters.downloads[key] = (this.counters.downloads[key] ?? 0) + 1;
    });
  }

  /** Writes a body, throttled to faults.bytesPerSecond (read at every chunk, so it can change mid-stream). */
  private async stream(res: ServerResponse, body: Buffer): Promise<void> {
    let offset = 0;
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    while (offset < body.length && !closed) {
      const bps = this.faults.bytesPerSecond;
      const chunkSize = bps > 0 ? Math.max(1, Math.floor(bps / 20)) : 256 * 1024;
      const chunk = body.subarray(offset, offset + chunkSize);
      offset += chunk.length;
      const ok = res.write(chunk);
      if (!ok) await new Promise<void>((resolve) => res.once('drain', () => resolve()));
      if (bps > 0) await sleep((chunk.length / bps) * 1000);
    }
  }

  // ---- the sign-in origin -------------------------------------------------------------

  private async handleSignIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    await sleep(this.faults.latencyMs);
    const url = new URL(req.url ?? '/', this.signInOrigin);
    const cont = url.searchParams.get('continue') ?? `${this.baseUrl}/`;
    switch (url.pathname) {
      case '/photos/about/':
      case '/photos/about':
        return html(res, 200, aboutPage(this.signInUrl(`${this.baseUrl}/`)));
      case '/v3/signin/identifier':
      case '/signin':
      case '/ServiceLogin':
        return html(res, 200, identifierPage(this.email, `/v3/signin/challenge/pwd?${new URLSearchParams({ continue: cont })}`, this.rejectAutomation));
      case '/v3/signin/challenge/pwd':
        return html(res, 200, passwordPage(this.email, `${this.baseUrl}/accounts/SetSID?${new URLSearchParams({ continue: cont })}`));
      case '/v3/signin/rejected':
      case '/signin/rejected':
        return html(res, 200, rejectedPage());
      default:
        return html(res, 404, notFoundPage());
    }
  }
}

export async function startReplica(options: ReplicaOptions = {}): Promise<Replica> {
  const server = new ReplicaServer(options);
  await server.listen();
  return server;
}
