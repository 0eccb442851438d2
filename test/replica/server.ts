// The replica's two HTTP servers: the Photos origin (pages, batchexecute, downloads) and a
// different origin standing for www.google.com / accounts.google.com (signed-out pages).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Library, compareItems, sampleLibrary, type ExpectedFile, type ReplicaItem, type ReplicaItemSpec, type Variant } from './library.js';
import { displayImage } from './previews.js';
import { aboutPage, albumGridPage, gridPage, identifierPage, itemFragment, notFoundPage, passwordPage, rejectedPage, viewerPage, type ViewerContext, type ViewerNeighbours, type WizData } from './html.js';
import { bulkInfoEntry, fDcn4b, hashHit, libraryRow, vrseUb, type ItemView, type RowContext } from './rows.js';
import { Albums, type AlbumEntry, type AlbumSpec, type ForeignItemSpec, type ItemRef, type PartnerSpec, type Person, type ReplicaAlbum, type Resolved, type TrashSpec } from './albums.js';
import { albumPage, albumsPage, itemAlbumEntry, ownerOf, partnerPage, trashPage, type AlbumContext } from './album-rows.js';
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
  /** Albums: own, shared by the account (`shared`, `sharedWith`), shared with it by someone else (`ownedBy`). None by default. */
  albums?: AlbumSpec[];
  /** Partner sharing: the partner's name and the items they share with the account. None by default. */
  partner?: PartnerSpec;
  /** Library items in the trash at start (by index in `library`, mediaKey or unique file name). */
  trash?: TrashSpec;
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
  /** Response body bytes the Photos origin sent, by what they were (headers not counted). */
  bytes: Record<ByteCategory, number>;
  /** Requests for display images (previews and thumbnails: an item's image URL, with or without a size). */
  displayRequests: number;
}

/**
 * What a response carried: an item's own bytes (Download, Download original), a display image
 * (preview or thumbnail), an RPC answer, an HTML page, a viewer fragment.
 */
export type ByteCategory = 'download' | 'display' | 'rpc' | 'page' | 'fragment';

const noBytes = (): Record<ByteCategory, number> => ({ download: 0, display: 0, rpc: 0, page: 0, fragment: 0 });

export interface Replica {
  baseUrl: string;
  signInOrigin: string;
  email: string;
  sessionCookie: SessionCookie;
  items: ReplicaItem[];
  item(mediaKey: string): ReplicaItem;
  expectedFiles(mediaKey: string): ExpectedFile[];
  counters: Counters;
  /**
   * Pages and RPCs by the account prefix they carried (`/u/<n>`, or `/` for none), since the
   * last resetCounters(): which signed-in account a client addressed (`/u/<n>/` serves the one
   * account, so this is how a test sees the prefix was used).
   */
  readonly accountRequests: Record<string, number>;
  /**
   * Calls of lcxiM and EzkLib by the view they asked for (`lcxiM:library`, `lcxiM:archive`,
   * `lcxiM:both`, `EzkLib:uploads`, `EzkLib:favorites`, `EzkLib:search`), since the last
   * resetCounters(): one rpcid serves several views, and a test may need to tell them apart.
   */
  readonly viewRequests: Record<string, number>;
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

  // ---- albums, partner sharing, trash (README: "Albums, sharing, trash") ----
  /** Every album the account sees (Z5xsfc), in creation order. */
  readonly albums: ReplicaAlbum[];
  album(albumKey: string): ReplicaAlbum;
  /** The account as actor blocks show it (actor key, gaia id). */
  readonly me: Person;
  /** Someone by name (ids reproducible from the seed). */
  person(name: string): Person;
  createAlbum(title: string, opts?: { shared?: boolean; sharedWith?: string[]; ownedBy?: string }): ReplicaAlbum;
  renameAlbum(albumKey: string, title: string): void;
  deleteAlbum(albumKey: string): void;
  /** Library items into an album; returns their entries (album-scoped keys). */
  addToAlbum(albumKey: string, items: ItemRef[]): AlbumEntry[];
  /** An item owned by someone else (in no library of the account) into an album. */
  addForeignToAlbum(albumKey: string, spec: ForeignItemSpec): AlbumEntry;
  /** `key`: the album-scoped key or the item's own key. */
  removeFromAlbum(albumKey: string, key: string): void;
  /** The album gets a share id, authKey and link (and members). */
  shareAlbum(albumKey: string, sharedWith?: string[]): void;
  /** The album-scoped key of an item (its library key or own key) in an album. */
  albumItemKey(albumKey: string, itemKey: string): string;
  /** Viewer path of an album item: `/album/<albumKey>/photo/<key>` (own albums) or `/share/<shareId>/photo/<key>?key=<authKey>` (shared ones). */
  albumPhotoPath(albumKey: string, key: string, form?: 'album' | 'share'): string;
  /** The account's trash, most recently trashed first. */
  readonly trashed: ReplicaItem[];
  trashItem(mediaKey: string): void;
  restoreItem(mediaKey: string): void;
  /** Only from the trash, as in the app. */
  deleteForGood(mediaKey: string): void;
  readonly partner: Person | null;
  /** The partner's items shared with the account, newest taken first. */
  readonly partnerItems: ReplicaItem[];
  /** Start (name) or stop (null) partner sharing; stopping drops the partner's items. */
  setPartner(name: string | null): void;
  addPartnerItem(spec: ReplicaItemSpec): ReplicaItem;
  removePartnerItem(mediaKey: string): void;
  /** Viewer path of a partner item: `/partner/<partnerActorKey>/photo/<key>`. */
  partnerPhotoPath(mediaKey: string): string;
  /** Items the account sees that are in none of its libraries: someone else's album items and partner items. */
  readonly foreignItems: ReplicaItem[];
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
  readonly counters: Counters = { rpc: {}, downloads: {}, downloadStarts: {}, pages: 0, total: 0, bytes: noBytes(), displayRequests: 0 };
  readonly accountRequests: Record<string, number> = {};
  readonly viewRequests: Record<string, number> = {};
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
  readonly albumState: Albums;
  private readonly sockets = new Set<import('node:net').Socket>();
  /** When each favorite was made, in favoriting order (the start's favorites in library order, oldest taken lowest). */
  private readonly favoritedAt = new Map<string, number>();
  private favoriteClock = 0;

  constructor(private readonly options: ReplicaOptions) {
    const lib = options.library;
    const seed = (lib && !Array.isArray(lib) ? lib.seed : undefined) ?? options.seed ?? 1;
    this.lib = lib && !Array.isArray(lib) ? Library.synthetic(lib.synthetic, seed) : Library.fromSpecs(lib ?? sampleLibrary(), seed);
    for (let i = this.lib.items.length - 1; i >= 0; i--) if (this.lib.items[i].favorite) this.favoritedAt.set(this.lib.items[i].mediaKey, ++this.favoriteClock);
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
    this.albumState = new Albums(this.lib, seed, { name: 'Keeper', actorKey: this.ownerKey, gaiaId: this.ownerId });
    this.albumState.setUp(options.albums, options.partner, options.trash);
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

  /** Any key the account can meet: library, trash, album-scoped, partner, or a foreign item's own. */
  private anyItem(key: string): ReplicaItem {
    const item = this.lib.findAny(key) ?? this.albumState.entry(key)?.entry.item;
    if (!item) throw new Error(`replica: no item ${key}`);
    return item;
  }

  item(mediaKey: string): ReplicaItem {
    return this.anyItem(mediaKey);
  }

  expectedFiles(mediaKey: string): ExpectedFile[] {
    return this.lib.expectedFiles(this.anyItem(mediaKey));
  }

  sha1(mediaKey: string): string {
    return this.lib.sha1Of(this.anyItem(mediaKey));
  }

  get albums(): ReplicaAlbum[] {
    return this.albumState.albums;
  }

  album(albumKey: string): ReplicaAlbum {
    return this.albumState.get(albumKey);
  }

  get me(): Person {
    return this.albumState.me;
  }

  person(name: string): Person {
    return this.albumState.person(name);
  }

  createAlbum(title: string, opts: { shared?: boolean; sharedWith?: string[]; ownedBy?: string } = {}): ReplicaAlbum {
    return this.albumState.create(title, opts);
  }

  renameAlbum(albumKey: string, title: string): void {
    this.albumState.rename(albumKey, title);
  }

  deleteAlbum(albumKey: string): void {
    this.albumState.remove(albumKey);
  }

  addToAlbum(albumKey: string, items: ItemRef[]): AlbumEntry[] {
    return this.albumState.add(albumKey, items);
  }

  addForeignToAlbum(albumKey: string, spec: ForeignItemSpec): AlbumEntry {
    return this.albumState.addForeign(albumKey, spec);
  }

  removeFromAlbum(albumKey: string, key: string): void {
    this.albumState.removeFrom(albumKey, key);
  }

  shareAlbum(albumKey: string, sharedWith: string[] = []): void {
    this.albumState.shareAlbum(albumKey, sharedWith);
  }

  albumItemKey(albumKey: string, itemKey: string): string {
    return this.albumState.entryKey(albumKey, itemKey);
  }

  albumPhotoPath(albumKey: string, key: string, form?: 'album' | 'share'): string {
    const album = this.albumState.get(albumKey);
    const use = form ?? (album.own ? 'album' : 'share');
    if (use === 'album') return `/album/${album.albumKey}/photo/${key}`;
    if (!album.shareId || !album.authKey) throw new Error(`replica: album "${album.title}" is not shared`);
    return `/share/${album.shareId}/photo/${key}?key=${album.authKey}`;
  }

  get trashed(): ReplicaItem[] {
    return this.lib.trash;
  }

  trashItem(mediaKey: string): void {
    const item = this.lib.moveToTrash(mediaKey, this.albumState.now());
    this.albumState.itemChanged(item);
  }

  restoreItem(mediaKey: string): void {
    const item = this.lib.restoreFromTrash(mediaKey);
    this.albumState.itemChanged(item);
  }

  deleteForGood(mediaKey: string): void {
    const item = this.lib.get(mediaKey);
    if (item.trashedMs === null) throw new Error(`replica: ${mediaKey} is not in the trash (only trashed items are deleted for good)`);
    this.albumState.forget(item);
    this.lib.remove(mediaKey);
  }

  get partner(): Person | null {
    return this.albumState.partner;
  }

  get partnerItems(): ReplicaItem[] {
    return this.albumState.partnerItems;
  }

  setPartner(name: string | null): void {
    this.albumState.setPartner(name);
  }

  addPartnerItem(spec: ReplicaItemSpec): ReplicaItem {
    return this.albumState.addPartnerItem({ uploadedMs: Date.now(), ...spec });
  }

  removePartnerItem(mediaKey: string): void {
    this.albumState.removePartnerItem(mediaKey);
  }

  partnerPhotoPath(mediaKey: string): string {
    const p = this.albumState.partner;
    if (!p || !this.albumState.partnerItems.some((i) => i.mediaKey === mediaKey)) throw new Error(`replica: ${mediaKey} is not a partner item`);
    return `/partner/${p.actorKey}/photo/${mediaKey}`;
  }

  get foreignItems(): ReplicaItem[] {
    const seen = new Set<ReplicaItem>();
    for (const album of this.albumState.albums) for (const e of album.entries) if (e.item.owner !== null) seen.add(e.item);
    for (const i of this.albumState.partnerItems) seen.add(i);
    return [...seen];
  }

  addItem(spec: Partial<ReplicaItemSpec> & { sample: string }): ReplicaItem {
    const item = this.lib.add({ uploadedMs: Date.now(), ...spec });
    if (item.favorite) this.favoritedAt.set(item.mediaKey, ++this.favoriteClock);
    return item;
  }

  deleteItem(mediaKey: string): void {
    this.albumState.forget(this.lib.get(mediaKey));
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
    const item = this.lib.get(mediaKey);
    if (favorite && !item.favorite) this.favoritedAt.set(mediaKey, ++this.favoriteClock);
    item.favorite = favorite;
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
    this.counters.bytes = noBytes();
    this.counters.displayRequests = 0;
    for (const prefix of Object.keys(this.accountRequests)) delete this.accountRequests[prefix];
    for (const view of Object.keys(this.viewRequests)) delete this.viewRequests[view];
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all([this.photos, this.signIn].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  downloadUrl(mediaKey: string, variant: Variant = 'main'): string | null {
    return this.urlFor(this.anyItem(mediaKey), variant);
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

  private albumContext(): AlbumContext {
    return {
      ...this.rowContext(),
      albums: this.albumState,
      linkUrl: (album) => `${this.signInOrigin}/app/${album.linkId}`,
      albumUrl: (album) => (album.shared && album.shareId ? `${this.baseUrl}/share/${album.shareId}?key=${album.authKey}` : `${this.baseUrl}/album/${album.albumKey}`),
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
    if (isRpc || (!dl && !isInternal)) this.accountRequests[prefix || '/'] = (this.accountRequests[prefix || '/'] ?? 0) + 1;
    this.countBytes(res, isRpc ? 'rpc' : isInternal ? 'fragment' : dl ? (this.tokens.get(dl[1])?.variant === 'thumb' ? 'display' : 'download') : 'page');
    if (isRpc) {
      if (method !== 'POST') return send(res, 405, '');
      await this.handleRpc(req, res, session);
      return;
    }
    if (dl) {
      await this.handleDownload(res, dl[1], dl[2]);
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
      // A trashed item is not in the library's viewer (the replica has no trash viewer).
      if (!item || item.trashedMs !== null) return html(res, 404, notFoundPage());
      const n = this.neighbours(item);
      const staleKey = n.older ?? n.newer;
      html(res, 200, viewerPage(this.wiz(session), this.lib, item, staleKey ? this.lib.get(staleKey) : null, n, this.faults.siteChanged, undefined, (it) => this.thumbUrl(it)));
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
    if (method === 'GET' && this.albumRoutes(res, session, path, url)) return;
    const frag = /^\/_\/replica\/viewer\/([A-Za-z0-9_-]+)$/.exec(path);
    if (frag && method === 'GET' && url.searchParams.has('ctx')) {
      const shown = this.viewerTarget(frag[1], url.searchParams);
      if (!shown) return send(res, 404, '{}', { 'Content-Type': 'application/json' });
      const body = JSON.stringify({ html: itemFragment(this.lib, shown.item, false, this.faults.siteChanged, frag[1], this.thumbUrl(shown.item)), ...shown.neighbours });
      send(res, 200, body, { 'Content-Type': 'application/json; charset=utf-8' });
      return;
    }
    if (frag && method === 'GET') {
      const item = this.lib.find(frag[1]);
      if (!item) return send(res, 404, '{}', { 'Content-Type': 'application/json' });
      const body = JSON.stringify({ html: itemFragment(this.lib, item, false, this.faults.siteChanged, item.mediaKey, this.thumbUrl(item)), ...this.neighbours(item) });
      send(res, 200, body, { 'Content-Type': 'application/json; charset=utf-8' });
      return;
    }
    this.counters.pages++;
    html(res, 404, notFoundPage());
  }

  /**
   * The album, shared-album and partner pages and viewers (facts page, URLs): `/album/<albumKey>`
   * and its `/photo/<albumScopedKey>`, `/share/<shareId>?key=<authKey>` and its `/photo/<key>`,
   * `/partner/<partnerActorKey>/photo/<key>` (the replica's choice of "/partner/..."). True when
   * the path was one of them (answered, 404 included).
   */
  private albumRoutes(res: ServerResponse, session: Session, path: string, url: URL): boolean {
    const albumPage = /^\/album\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    const sharePage = /^\/share\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    const albumPhoto = /^\/album\/([A-Za-z0-9_-]+)\/photo\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    const sharePhoto = /^\/share\/([A-Za-z0-9_-]+)\/photo\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    const partnerPhoto = /^\/partner\/([A-Za-z0-9_-]+)\/photo\/([A-Za-z0-9_-]+)\/?$/.exec(path);
    if (!albumPage && !sharePage && !albumPhoto && !sharePhoto && !partnerPhoto) return false;
    this.counters.pages++;
    const authKey = url.searchParams.get('key');
    // /album/… is the account's own albums; someone else's album opens through its share link.
    const album = albumPage || albumPhoto ? this.albumState.album((albumPage ?? albumPhoto)![1]) : sharePage || sharePhoto ? this.albumState.byShare((sharePage ?? sharePhoto)![1]) : undefined;
    const readable = album && (albumPage || albumPhoto ? album.own : authKey !== null && this.albumState.canRead(album, authKey));
    if ((albumPage || sharePage) && album && readable) {
      const base = albumPage ? `/album/${album.albumKey}` : `/share/${album.shareId}`;
      const tiles = this.albumState.visible(album).map((e) => ({ href: `${base}/photo/${e.key}${url.search}`, label: `${e.item.kind === 'video' ? 'Video' : 'Photo'} - ${e.item.fileName}` }));
      html(res, 200, albumGridPage(this.wiz(session), album.title, tiles, this.faults.siteChanged));
      return true;
    }
    const key = (albumPhoto ?? sharePhoto ?? partnerPhoto)?.[2];
    const params = new URLSearchParams();
    if (album && readable && key) {
      params.set('ctx', 'album');
      params.set('album', album.albumKey);
      if (sharePhoto) params.set('key', authKey!);
    } else if (partnerPhoto && key && this.albumState.partner?.actorKey === partnerPhoto[1]) {
      params.set('ctx', 'partner');
    }
    const shown = key && params.has('ctx') ? this.viewerTarget(key, params) : null;
    if (!shown) {
      html(res, 404, notFoundPage());
      return true;
    }
    const staleKey = shown.neighbours.older ?? shown.neighbours.newer;
    const stale = staleKey ? this.viewerTarget(staleKey, params)?.item ?? null : null;
    const view: ViewerContext = {
      base: albumPhoto ? `/album/${album!.albumKey}` : sharePhoto ? `/share/${album!.shareId}` : `/partner/${partnerPhoto![1]}`,
      authKey: sharePhoto ? authKey : null,
      albumKey: album ? album.albumKey : null,
      fragmentQuery: '?' + params.toString(),
      key: key!,
      staleKey,
    };
    html(res, 200, viewerPage(this.wiz(session), this.lib, shown.item, stale, shown.neighbours, this.faults.siteChanged, view, (it) => this.thumbUrl(it)));
    return true;
  }

  /** An item shown in an album or partner viewer (params as the fragment request carries them), with its neighbours there. */
  private viewerTarget(key: string, params: URLSearchParams): { item: ReplicaItem; neighbours: ViewerNeighbours } | null {
    if (params.get('ctx') === 'partner') {
      const item = this.albumState.partnerItems.find((i) => i.mediaKey === key);
      return item ? { item, neighbours: this.albumState.partnerNeighbours(key) } : null;
    }
    const album = this.albumState.album(params.get('album') ?? '');
    const hit = this.albumState.entry(key);
    if (!album || !hit || hit.album !== album || hit.entry.item.trashedMs !== null) return null;
    const authKey = params.get('key');
    if (!(authKey === null ? album.own : this.albumState.canRead(album, authKey))) return null;
    return { item: hit.entry.item, neighbours: this.albumState.neighbours(album, key) };
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
        const payload = changedAnswer(this.faults.siteChanged, id, this.answer(id, args), args);
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
    const ctx = this.albumContext();
    const authKey = (a[2] ?? null) as string | null;
    switch (rpcid) {
      case 'lcxiM':
        return this.lcxiM(ctx, a);
      case 'EzkLib':
        return this.ezkLib(ctx, a);
      case 'VrseUb': {
        // [mediaKey, null, authKey, null, albumKey]
        const r = this.resolve(a[0], authKey, (a[4] ?? null) as string | null);
        return vrseUb(ctx, r.item, this.itemView(ctx, r));
      }
      case 'fDcn4b': {
        // [mediaKey, 1, authKey, null, 1]: [0][19] = the albums holding the item, as Z5xsfc rows show them.
        const r = this.resolve(a[0], authKey, undefined);
        return fDcn4b(ctx, r.item, { ...this.itemView(ctx, r), albums: this.albumState.holding(r.item).map((al) => itemAlbumEntry(ctx, al)) });
      }
      case 'Z5xsfc':
        return this.z5xsfc(ctx, a);
      case 'snAcKc':
        return this.snAcKc(ctx, a);
      case 'e9T5je':
        return this.e9T5je(ctx, a);
      case 'zy0IHe':
        return this.zy0IHe(ctx, a);
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

  /** The item behind a VrseUb/fDcn4b key, or UnknownKeyError (answered as unknowns.unknownKey says). */
  private resolve(key: unknown, authKey: string | null, albumKey: string | null | undefined): Resolved {
    const r = typeof key === 'string' ? this.albumState.resolve(key, authKey, albumKey) : null;
    if (!r) throw new UnknownKeyError(`no item ${String(key)} for this caller`);
    return r;
  }

  private itemView(ctx: AlbumContext, r: Resolved): ItemView {
    if (r.item.owner === null) return { key: r.key };
    return { key: r.key, owner: ownerOf(ctx, r.item), source: r.partner ? 4 : 3 };
  }

  /** Where a page of `list` starts after a cursor: just past its last item, else past where that item would sort now. */
  private static resumeAt<T>(list: T[], isLast: (t: T) => boolean, sortsAfter: (t: T) => boolean): number {
    const at = list.findIndex(isLast);
    if (at >= 0) return at + 1;
    const next = list.findIndex(sortsAfter);
    return next < 0 ? list.length : next;
  }

  /** Z5xsfc [pageId, null, null, null, 1, null, null, 100, [2], 5]: every album the account sees, most recently modified first; [7] = page size. */
  private z5xsfc(ctx: AlbumContext, a: unknown[]): unknown[] {
    const pageSize = typeof a[7] === 'number' && a[7] > 0 ? Math.min(100, Math.floor(a[7])) : 100;
    const list = this.albumState.listed();
    let start = 0;
    if (typeof a[0] === 'string' && a[0]) {
      const c = decodeCursor(a[0]);
      if (!c || c[0] !== 'Z5xsfc') throw new RpcError('bad page id');
      const [key, modified] = [String(c[1]), Number(c[2])];
      start = ReplicaServer.resumeAt(list, (al) => al.albumKey === key, (al) => al.modifiedMs < modified || (al.modifiedMs === modified && al.albumKey > key));
    }
    const page = list.slice(start, start + pageSize);
    const last = page[page.length - 1];
    const next = last && start + pageSize < list.length ? encodeCursor(['Z5xsfc', last.albumKey, last.modifiedMs]) : null;
    return albumsPage(ctx, page, next);
  }

  /**
   * snAcKc [albumKey, pageId, null, authKey]: one album's items in pages of 100, album-scoped
   * keys. Someone else's album needs its authKey; a missing or wrong one, or an album the
   * account does not see, gets the error entry (the replica's choice of refusal).
   */
  private snAcKc(ctx: AlbumContext, a: unknown[]): unknown[] {
    const album = this.albumState.album(a[0] as string);
    if (!album) throw new RpcError('no such album');
    if (!this.albumState.canRead(album, (a[3] ?? null) as string | null)) throw new RpcError('authKey missing or wrong');
    const list = this.albumState.visible(album);
    let start = 0;
    if (typeof a[1] === 'string' && a[1]) {
      const c = decodeCursor(a[1]);
      if (!c || c[0] !== 'snAcKc' || c[1] !== album.albumKey) throw new RpcError('bad page id');
      const [key, taken, added] = [String(c[2]), Number(c[3]), Number(c[4])];
      start = ReplicaServer.resumeAt(list, (e) => e.key === key, (e) => e.item.takenMs > taken || (e.item.takenMs === taken && (e.addedMs > added || (e.addedMs === added && e.key > key))));
    }
    const page = list.slice(start, start + 100);
    const last = page[page.length - 1];
    const next = last && start + 100 < list.length ? encodeCursor(['snAcKc', album.albumKey, last.key, last.item.takenMs, last.addedMs]) : null;
    return albumPage(ctx, album, page, next);
  }

  /**
   * e9T5je [pageId, null, [null, [[[2,1]]], [partnerActorId], [null, gaiaId], 1]]: the partner's
   * items, newest taken first, pages of 100. Ids not set: the account's partner (Google allows
   * one). Set, the actor id must be the partner's and the gaia id the account's or the
   * partner's (sources disagree on whose); else the error entry. No partner: `[]`.
   */
  private e9T5je(ctx: AlbumContext, a: unknown[]): unknown[] {
    const filter = a[2] as unknown[];
    const actor = ((filter[2] as unknown[] | null | undefined)?.[0] ?? null) as string | null;
    const gaia = ((filter[3] as unknown[] | null | undefined)?.[1] ?? null) as string | null;
    const p = this.albumState.partner;
    if (!p) {
      if (actor !== null) throw new RpcError('no partner');
      return [];
    }
    if (actor !== null && actor !== p.actorKey) throw new RpcError('not the partner');
    if (gaia !== null && gaia !== this.ownerId && gaia !== p.gaiaId) throw new RpcError('unknown gaia id');
    const list = this.albumState.partnerItems;
    let start = 0;
    if (typeof a[0] === 'string' && a[0]) {
      const c = decodeCursor(a[0]);
      if (!c || c[0] !== 'e9T5je') throw new RpcError('bad page id');
      const [key, taken] = [String(c[1]), Number(c[2])];
      start = ReplicaServer.resumeAt(list, (i) => i.mediaKey === key, (i) => i.takenMs < taken || (i.takenMs === taken && i.mediaKey > key));
    }
    const page = list.slice(start, start + 100);
    const last = page[page.length - 1];
    const next = last && start + 100 < list.length ? encodeCursor(['e9T5je', last.mediaKey, last.takenMs]) : null;
    return partnerPage(ctx, p, page, next);
  }

  /** zy0IHe [pageId]: the trash, most recently trashed first, pages of 100. */
  private zy0IHe(ctx: AlbumContext, a: unknown[]): unknown[] {
    const list = this.lib.trash;
    let start = 0;
    if (typeof a[0] === 'string' && a[0]) {
      const c = decodeCursor(a[0]);
      if (!c || c[0] !== 'zy0IHe') throw new RpcError('bad page id');
      const [key, trashed] = [String(c[1]), Number(c[2])];
      start = ReplicaServer.resumeAt(list, (i) => i.mediaKey === key, (i) => (i.trashedMs ?? 0) < trashed);
    }
    const page = list.slice(start, start + 100);
    const last = page[page.length - 1];
    const next = last && start + 100 < list.length ? encodeCursor(['zy0IHe', last.mediaKey, last.trashedMs]) : null;
    return trashPage(ctx, page, next);
  }

  /** lcxiM [pageId, timestamp, pageSize, null, 1, source]: by date taken, newest first. */
  private countView(view: string): void {
    this.viewRequests[view] = (this.viewRequests[view] ?? 0) + 1;
  }

  private lcxiM(ctx: RowContext, a: unknown[]): unknown[] {
    const source = a[5] === 2 ? 2 : a[5] === 3 ? 3 : 1;
    this.countView(`lcxiM:${source === 2 ? 'archive' : source === 3 ? 'both' : 'library'}`);
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
    this.countView(`EzkLib:${mode}`);
    const needle = query.toLowerCase();
    const list =
      mode === 'favorites'
        ? this.favoritesInOrder()
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
        const f = Number(c[6]);
        start = list.findIndex((it) => (mode === 'uploads' ? it.uploadedMs < u : mode === 'favorites' && this.unknowns.favoritesOrder === 'favorited' ? this.favoritedOf(it) < f : it.takenMs < t));
        if (start < 0) start = list.length;
      }
    }
    const page = list.slice(start, start + 100);
    if (page.length === 0) return [];
    const last = page[page.length - 1];
    const next = start + 100 < list.length ? encodeCursor(['EzkLib', mode, last.mediaKey, last.uploadedMs, last.takenMs, mode === 'search' ? query : null, this.favoritedOf(last)]) : null;
    return [page.map((it) => libraryRow(ctx, it, 'EzkLib')), next, null, null, null, 2, [25, 47, 35, 63], [], 3, false];
  }

  /** The Favorites view in the order the variant serves (unknowns.favoritesOrder). */
  private favoritesInOrder(): ReplicaItem[] {
    const favorites = this.lib.items.filter((it) => it.favorite);
    return this.unknowns.favoritesOrder === 'favorited' ? favorites.sort((a, b) => this.favoritedOf(b) - this.favoritedOf(a)) : favorites;
  }

  private favoritedOf(item: ReplicaItem): number {
    return this.favoritedAt.get(item.mediaKey) ?? 0;
  }

  // ---- downloads ----------------------------------------------------------------------

  /** `options`: what follows `=` in the URL (`s0-d-ip` on a download, `w1200-h900-no` on a preview). */
  private async handleDownload(res: ServerResponse, token: string, options?: string): Promise<void> {
    const target = this.tokens.get(token);
    const item = target ? this.lib.findAny(target.key) : undefined;
    if (!target || !item) return send(res, 404, 'Not Found', { 'Content-Type': 'text/plain' });
    if (target.variant === 'thumb') {
      // The item's image URL: a preview or thumbnail for the size asked (previews.ts), never the original.
      this.counters.displayRequests++;
      const image = displayImage(options);
      return send(res, 200, image.body, { 'Content-Type': image.mime, 'Cache-Control': 'private, max-age=86400' });
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

  /** Adds the body bytes of this response to counters.bytes[category] as they are written. */
  private countBytes(res: ServerResponse, category: ByteCategory): void {
    const add = (chunk: unknown): void => {
      if (typeof chunk === 'string') this.counters.bytes[category] += Buffer.byteLength(chunk);
      else if (chunk instanceof Uint8Array) this.counters.bytes[category] += chunk.byteLength;
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      add(chunk);
      return write(chunk, ...rest);
    }) as ServerResponse['write'];
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') add(chunk);
      return end(chunk, ...rest);
    }) as ServerResponse['end'];
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
      default: {
        // An album's short link (Z5xsfc 72930366[10]; Google's photos.app.goo.gl/<id>): to its share URL with ?key=.
        const link = /^\/app\/([A-Za-z0-9]+)$/.exec(url.pathname);
        const album = link ? this.albumState.byLink(link[1]) : undefined;
        if (album?.shareId) return redirect(res, `${this.baseUrl}/share/${album.shareId}?key=${album.authKey}`);
        return html(res, 404, notFoundPage());
      }
    }
  }
}

export async function startReplica(options: ReplicaOptions = {}): Promise<Replica> {
  const server = new ReplicaServer(options);
  await server.listen();
  return server;
}
