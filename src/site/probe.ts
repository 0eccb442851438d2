// `doctor --site`: checks, on a signed-in browser, each fact about photos.google.com the
// program relies on, with the program's own parsers, arg builders, selectors and labels, and
// says for each whether it holds and what the site showed instead. One small call of each RPC,
// one item opened in the viewer (a small photo of the account's own, downloaded twice and thrown
// away). What it reports never holds a token, cookie, URL token, media key, file name, album
// title or person's name.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { BrowserContext, Download, Locator, Page } from 'playwright-core';
import { RpcThrottledError, SignedOutError, SiteChangedError, describeError } from '../errors.js';
import { parseAlbumItems, parseAlbumList, parsePartnerPage, parseTrashPage } from './album-payloads.js';
import { parseTileLabel } from './grid.js';
import { keys, labels, selectors } from './labels.js';
import { parseBulkInfo, parseExtendedInfo, parseHashLookup, parseItemDownload, parseLibraryPage, parseUploadPage } from './payloads.js';
import { RpcClient } from './rpc-client.js';
import { LibrarySource, args, rpc } from './rpcids.js';
import { gotoChecked } from './session.js';
import { resolveShareLink } from './share-link.js';
import type { AlbumListPage, AlbumSummary } from '../model/albums.js';
import type { RemotePage } from '../model/remote-item.js';
import type { WizTokens } from './types.js';
import { albumUrl, libraryUrl, mediaKeyFromTileHref, photoUrl } from './urls.js';
import { openViewer } from './viewer.js';
import { WIZ_GLOBAL, tokensFrom, wizKeys } from './wiz.js';

/**
 * ok: the fact holds; changed: it is there in another form; not found: it is gone; not checked:
 * it depends on a fact that failed, or got no answer (try again later); nothing to check: the
 * account has nothing it applies to (no album, no partner, an empty library), which is no fault.
 */
export type FactStatus = 'ok' | 'changed' | 'not found' | 'not checked' | 'nothing to check';

export const FACT_IDS = ['tokens', 'lcxiM', 'EzkLib', 'favorites', 'VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb', 'Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe', 'grid', 'viewer', 'info', 'shiftD', 'menu'] as const;
export type FactId = (typeof FACT_IDS)[number];

export interface FactResult {
  id: FactId;
  fact: string;
  status: FactStatus;
  /** What the site showed instead (shapes and label names only); empty when the fact holds. */
  saw: string;
}

export interface ProbeTimeouts {
  /** A page load and its viewer. */
  pageMs: number;
  /** For the grid's first tiles. */
  gridMs: number;
  /** For a download to start after Shift+D or the menu entry. */
  downloadStartMs: number;
  /** For the menu's entry, the info panel's fields. */
  uiMs: number;
}

export const DEFAULT_PROBE_TIMEOUTS: ProbeTimeouts = { pageMs: 45_000, gridMs: 20_000, downloadStartMs: 10_000, uiMs: 5_000 };

export interface SiteProbe {
  facts: FactResult[];
}

/** What the facts page says a mediaKey looks like ("AF1Qip…", ~44 chars). */
const MEDIA_KEY_LIKE = /AF1Qip[A-Za-z0-9_-]{20,}/g;
/** The info panel's time-zone node: "GMT+02:00". */
const GMT_NODE = /GMT[+\-\u2212]\d{1,2}:\d{2}/;
/** Tries per RPC, 2 s × attempt apart (as the public client does under load). */
const RPC_TRIES = 3;

const INFO_FIELDS = [labels.infoFilename, labels.infoDateTaken, labels.infoTimeTaken, labels.infoFileSize] as const;

const FACTS: Record<FactId, string> = {
  tokens: `window.${WIZ_GLOBAL} holds ${wizKeys.at} (at token), ${wizKeys.fSid}, ${wizKeys.buildLabel}, ${wizKeys.pathPrefix}`,
  lcxiM: `${rpc.libraryByTaken} (library by date taken) answers [items, nextPageId, …] of rows [mediaKey, thumb, takenMs, …]`,
  EzkLib: `${rpc.libraryByUpload} (recently uploaded) answers [items, nextPageId, …] of rows [mediaKey, thumb, takenMs, …]`,
  favorites: `${rpc.libraryByUpload} with the Favorites filter answers [items, nextPageId, …] of rows [mediaKey, thumb, takenMs, …]`,
  VrseUb: `${rpc.itemDownload} (one item) answers [item row, downloadUrl, …]`,
  fDcn4b: `${rpc.itemInfo} (extended info) answers [[mediaKey, description, fileName, takenMs, tz, size, …]]`,
  EWgK9e: `${rpc.bulkInfo} (bulk info) answers rows [mediaKey, [.., fileName, .., takenMs, ..]] at [0][1]`,
  swbisb: `${rpc.hashLookup} (SHA-1 → item) answers [[[hash, [mediaKey, …]]]] for the downloaded file`,
  Z5xsfc: `${rpc.albums} (albums) answers [albums, nextPageId] of rows [albumKey, …, {"72930366": [_, title, times, count, shared, …]}]`,
  snAcKc: `${rpc.albumItems} (one album's first page) answers [_, items, nextPageId, meta] of rows [album-scoped key, thumb, takenMs, …] and meta [albumKey, …]`,
  e9T5je: `${rpc.partnerItems} (partner's items, ids unset) answers [nextPageId, items, members, _, partnerActorId, gaiaId] of rows [mediaKey, …]`,
  zy0IHe: `${rpc.trash} (trash) answers [items, nextPageId] of rows [mediaKey, thumb, takenMs, …]`,
  grid: `the library grid ${selectors.gridScroller} holds ${selectors.tile} tiles labelled "${labels.tileKinds[0]} - … - <date taken>"`,
  viewer: `/photo/<key> shows a visible c-wiz[data-media-key] with a ${selectors.moreOptions} button`,
  info: `${selectors.openInfo} shows ${INFO_FIELDS.join(' ')} and a GMT±hh:mm node`,
  shiftD: `${keys.download} in the viewer starts the download`,
  menu: `${labels.moreOptions} lists ${selectors.downloadItem}, which starts the download`,
};

class FactTable {
  private readonly results = new Map<FactId, FactResult>();

  constructor() {
    for (const id of FACT_IDS) this.results.set(id, { id, fact: FACTS[id], status: 'not checked', saw: 'not reached' });
  }

  set(id: FactId, status: FactStatus, saw = ''): void {
    this.results.set(id, { id, fact: FACTS[id], status, saw: redact(saw) });
  }

  ok(id: FactId): void {
    this.set(id, 'ok');
  }

  /** The fact could not be checked because `reason` (an earlier fact that failed, an empty library). */
  skip(ids: FactId[], reason: string): void {
    for (const id of ids) if (this.results.get(id)!.saw === 'not reached') this.set(id, 'not checked', reason);
  }

  /** The account has nothing the fact applies to. */
  none(ids: FactId[], reason: string): void {
    for (const id of ids) this.set(id, 'nothing to check', reason);
  }

  list(): FactResult[] {
    return FACT_IDS.map((id) => this.results.get(id)!);
  }
}

interface Downloaded {
  sha1: string;
  bytes: number;
}

interface Candidate {
  mediaKey: string;
  sizeBytes: number | null;
}

/**
 * Runs every check on `context` (a signed-in profile). Throws SignedOutError when the session
 * is not signed in (or ends on the way); every other failure is a row of the table.
 */
export async function probeSite(context: BrowserContext, baseUrl: string, timeouts: ProbeTimeouts = DEFAULT_PROBE_TIMEOUTS): Promise<SiteProbe> {
  const facts = new FactTable();
  const page = context.pages()[0] ?? (await context.newPage());
  await gotoChecked(page, libraryUrl(baseUrl), baseUrl, timeouts.pageMs);

  const tokens = await checkTokens(page, facts);
  const client = tokens ? new RpcClient(page, baseUrl, tokens) : null;
  const RPC_FACTS: FactId[] = ['lcxiM', 'EzkLib', 'favorites', 'VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb', 'Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe'];
  if (!client) facts.skip(RPC_FACTS, `needs the at token (${wizKeys.at})`);

  const byTaken = client ? await checkListing(client, facts, 'lcxiM', rpc.libraryByTaken, args.libraryByTaken(null, LibrarySource.both), parseLibraryPage) : null;
  const byUpload = client ? await checkListing(client, facts, 'EzkLib', rpc.libraryByUpload, args.libraryByUpload(null), parseUploadPage) : null;
  const listed = byTaken ?? byUpload;
  if (client) await checkSharing(client, context, baseUrl, facts);
  const tiles = await checkGrid(page, facts, listed ? listed.items.length > 0 : null, timeouts);

  // A small photo of the account's own, from the listing (else from the grid).
  const candidates: Candidate[] = listed
    ? listed.items
        .filter((item) => item.kind === 'photo' && !item.notOwned && !item.archived)
        .sort((a, b) => (a.sizeBytes ?? Infinity) - (b.sizeBytes ?? Infinity))
        .slice(0, 3)
        .map((item) => ({ mediaKey: item.mediaKey, sizeBytes: item.sizeBytes ?? null }))
    : tiles.slice(0, 3);
  const ITEM_FACTS: FactId[] = ['VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb', 'viewer', 'info', 'shiftD', 'menu'];
  if (candidates.length === 0) {
    facts.skip(ITEM_FACTS, listed || tiles.length > 0 ? 'no photo of your own on the first page of the library' : 'no item listed to open (the listing and the grid both failed, or the library is empty)');
    return { facts: facts.list() };
  }

  let chosen = candidates[0];
  if (client) chosen = await checkItemDownload(client, baseUrl, facts, candidates);
  let listedSize = chosen.sizeBytes;
  if (client) {
    const info = await checkExtendedInfo(client, baseUrl, facts, chosen.mediaKey);
    listedSize = info ?? listedSize;
    await checkBulkInfo(client, facts, chosen.mediaKey);
  }

  const downloaded = await checkViewer(context, baseUrl, facts, chosen.mediaKey, timeouts);
  if (client) {
    if (downloaded) await checkHashLookup(client, facts, chosen.mediaKey, downloaded, listedSize);
    else facts.skip(['swbisb'], 'needs a downloaded file (neither Shift+D nor the menu gave one)');
  }
  return { facts: facts.list() };
}

// ---------------------------------------------------------------- tokens

async function checkTokens(page: Page, facts: FactTable): Promise<WizTokens | null> {
  // The object stays in this process; only its key names are ever reported.
  const raw: unknown = await page.evaluate((name) => (window as unknown as Record<string, unknown>)[name] ?? null, WIZ_GLOBAL);
  if (typeof raw !== 'object' || raw === null) {
    facts.set('tokens', 'not found', `window.${WIZ_GLOBAL} is not set on the library page`);
    return null;
  }
  const data = raw as Record<string, unknown>;
  const needed = [wizKeys.at, wizKeys.fSid, wizKeys.buildLabel, wizKeys.pathPrefix];
  const missing = needed.filter((key) => typeof data[key] !== 'string' || data[key] === '');
  const tokens = tokensFrom(raw);
  if (missing.length > 0) {
    const names = Object.keys(data);
    facts.set('tokens', 'not found', `${missing.join(', ')} missing; it has ${names.length} keys: ${names.slice(0, 24).join(', ')}${names.length > 24 ? ', …' : ''}`);
  } else if (!tokens!.pathPrefix.startsWith('/')) {
    facts.set('tokens', 'changed', `${wizKeys.pathPrefix} is not a path`);
  } else {
    facts.ok('tokens');
  }
  return tokens;
}

// ---------------------------------------------------------------- RPC answers

type Answer = { ok: true; payload: unknown } | { ok: false };

/** One RPC call, retried on throttling; a failure is written to `id`'s row. */
async function ask(client: RpcClient, facts: FactTable, id: FactId, rpcid: string, rpcArgs: unknown, sourcePath = '/'): Promise<Answer> {
  let last: unknown = null;
  for (let attempt = 1; attempt <= RPC_TRIES; attempt++) {
    try {
      return { ok: true, payload: await client.call(rpcid, rpcArgs, sourcePath) };
    } catch (error) {
      if (error instanceof SignedOutError) throw error;
      last = error;
      if (error instanceof SiteChangedError) break;
      if (attempt < RPC_TRIES) await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
    }
  }
  if (last instanceof SiteChangedError) facts.set(id, 'changed', factOf(last));
  else if (last instanceof RpcThrottledError && /without payload/.test(last.message)) {
    // Args that no longer decode get a wrb.fr entry with an error code and no payload, every time.
    facts.set(id, 'changed', `${last.message} on each of ${RPC_TRIES} tries: the args may no longer decode`);
  } else facts.set(id, 'not checked', `no answer after ${RPC_TRIES} tries: ${describeError(last)}`);
  return { ok: false };
}

/** Parses with the program's own parser; a parser that fails makes a `changed` row showing the answer's shape. */
function parsed<T>(facts: FactTable, id: FactId, payload: unknown, parse: (payload: unknown) => T): T | null {
  try {
    return parse(payload);
  } catch (error) {
    // The parsers throw SiteChangedError for a fact that is gone; anything else they trip on is a changed shape too.
    const why = error instanceof SiteChangedError ? factOf(error) : `the parser failed: ${describeError(error)}`;
    facts.set(id, 'changed', `${why}; the answer is ${shapeOf(payload)}`);
    return null;
  }
}

/** A listing of items (library, a view, the trash): it parses, and an answer full of keys is not read as empty. */
async function checkListing<T extends { items: unknown[] }>(client: RpcClient, facts: FactTable, id: FactId, rpcid: string, rpcArgs: unknown, parse: (payload: unknown) => T, sourcePath = '/'): Promise<T | null> {
  const answer = await ask(client, facts, id, rpcid, rpcArgs, sourcePath);
  if (!answer.ok) return null;
  const page = parsed(facts, id, answer.payload, parse);
  if (!page) return null;
  if (page.items.length === 0 && emptyButKeyed(facts, id, answer.payload)) return null;
  facts.ok(id);
  return page;
}

/** The parsers are lenient (no rows = nothing there); an answer that nonetheless holds keys is a changed shape. */
function emptyButKeyed(facts: FactTable, id: FactId, payload: unknown): boolean {
  const keysInAnswer = (JSON.stringify(payload).match(MEDIA_KEY_LIKE) ?? []).length;
  if (keysInAnswer === 0) return false;
  facts.set(id, 'changed', `no items where the rows should be, though the answer holds ${keysInAnswer} media keys; the answer is ${shapeOf(payload)}`);
  return true;
}

// ---------------------------------------------------------------- views, albums, sharing, trash

/** The Favorites view, the albums and one album's first page, partner sharing, the trash: one call each. */
async function checkSharing(client: RpcClient, context: BrowserContext, baseUrl: string, facts: FactTable): Promise<void> {
  const sourcePath = new URL(libraryUrl(baseUrl)).pathname;
  await checkListing(client, facts, 'favorites', rpc.libraryByUpload, args.favorites(null), parseUploadPage, sourcePath);
  const albums = await checkAlbums(client, facts, sourcePath);
  if (!albums) facts.skip(['snAcKc'], `needs the album list (${rpc.albums})`);
  else if (albums.albums.length === 0) facts.none(['snAcKc'], 'the account has no album');
  else await checkAlbumItems(client, context, baseUrl, facts, albums.albums);
  await checkPartner(client, facts, sourcePath);
  await checkListing(client, facts, 'zy0IHe', rpc.trash, args.trash(null), parseTrashPage, sourcePath);
}

async function checkAlbums(client: RpcClient, facts: FactTable, sourcePath: string): Promise<AlbumListPage | null> {
  const answer = await ask(client, facts, 'Z5xsfc', rpc.albums, args.albums(null), sourcePath);
  if (!answer.ok) return null;
  const page = parsed(facts, 'Z5xsfc', answer.payload, parseAlbumList);
  if (!page) return null;
  if (page.albums.length === 0 && emptyButKeyed(facts, 'Z5xsfc', answer.payload)) return null;
  facts.ok('Z5xsfc');
  return page;
}

/**
 * snAcKc on the first album that is surely the account's own (not shared: no authKey needed),
 * else on the first album with the authKey its link leads to (as a sync run finds it).
 */
async function checkAlbumItems(client: RpcClient, context: BrowserContext, baseUrl: string, facts: FactTable, albums: AlbumSummary[]): Promise<void> {
  const album = albums.find((a) => !a.shared) ?? albums[0];
  let authKey: string | null = null;
  if (album.shared) {
    try {
      authKey = album.linkUrl ? ((await resolveShareLink(context.request, album.linkUrl, baseUrl))?.authKey ?? null) : null;
    } catch (error) {
      facts.set('snAcKc', 'not checked', `the first album is shared and its link did not answer: ${describeError(error)}`);
      return;
    }
    // Someone else's album is refused without it: a refusal would say nothing about the answer's shape.
    if (!authKey) {
      facts.set('snAcKc', 'not checked', 'every album is shared and the first one\'s link does not lead to it (turned off?)');
      return;
    }
  }
  const answer = await ask(client, facts, 'snAcKc', rpc.albumItems, args.albumItems(album.albumKey, null, authKey), new URL(albumUrl(baseUrl, album.albumKey)).pathname);
  if (!answer.ok) return;
  const page = parsed(facts, 'snAcKc', answer.payload, parseAlbumItems);
  if (!page) return;
  // Each item's key is the parser's own check (a row starts with it); an album counted non-empty must show some.
  if (page.items.length === 0 && (album.itemCount ?? 0) > 0) facts.set('snAcKc', 'changed', `no items, though ${rpc.albums} counts ${album.itemCount} in the album; the answer is ${shapeOf(answer.payload)}`);
  else if (page.meta?.albumKey !== album.albumKey) facts.set('snAcKc', 'changed', `the meta at [3] is not the album's; the answer is ${shapeOf(answer.payload)}`);
  else facts.ok('snAcKc');
}

/** e9T5je's first page, asked as a sync run asks it: "my partner", ids unset. */
async function checkPartner(client: RpcClient, facts: FactTable, sourcePath: string): Promise<void> {
  const answer = await ask(client, facts, 'e9T5je', rpc.partnerItems, args.partnerItems(null, null, null), sourcePath);
  if (!answer.ok) return;
  const page = parsed(facts, 'e9T5je', answer.payload, parsePartnerPage);
  if (!page) return;
  if (page.items.length === 0 && !page.partnerActor) {
    if (!emptyButKeyed(facts, 'e9T5je', answer.payload)) facts.none(['e9T5je'], 'the account has no partner (the answer is empty)');
  } else if (!page.partnerActor) facts.set('e9T5je', 'changed', `items but no partner actor id at [4] (later pages name it); the answer is ${shapeOf(answer.payload)}`);
  else facts.ok('e9T5je');
}

/** VrseUb on the candidates until one is not edited in Google (its download is the uploaded file); the row reports the first answer. */
async function checkItemDownload(client: RpcClient, baseUrl: string, facts: FactTable, candidates: Candidate[]): Promise<Candidate> {
  for (const [i, candidate] of candidates.entries()) {
    const answer = await ask(client, facts, 'VrseUb', rpc.itemDownload, args.itemDownload(candidate.mediaKey), sourcePathOf(baseUrl, candidate.mediaKey));
    if (!answer.ok) return candidates[0];
    const info = parsed(facts, 'VrseUb', answer.payload, parseItemDownload);
    if (!info) return candidates[0];
    if (i === 0) {
      if (info.item.mediaKey !== candidate.mediaKey) facts.set('VrseUb', 'changed', `[0] is a row of another item; the answer is ${shapeOf(answer.payload)}`);
      else if (!info.downloadUrl || !/^https?:\/\//.test(info.downloadUrl)) facts.set('VrseUb', 'changed', `no download URL at [1] for a photo; the answer is ${shapeOf(answer.payload)}`);
      else facts.ok('VrseUb');
    }
    if (info.originalUrl === null) return candidate;
  }
  return candidates[0];
}

/** fDcn4b; returns the listed size for the hash check. */
async function checkExtendedInfo(client: RpcClient, baseUrl: string, facts: FactTable, mediaKey: string): Promise<number | null> {
  const answer = await ask(client, facts, 'fDcn4b', rpc.itemInfo, args.itemInfo(mediaKey), sourcePathOf(baseUrl, mediaKey));
  if (!answer.ok) return null;
  const info = parsed(facts, 'fDcn4b', answer.payload, parseExtendedInfo);
  if (!info) return null;
  const wrong = [info.mediaKey !== mediaKey && '[0][0] is another item', info.fileName === null && 'no file name at [0][2]', info.takenMs === null && 'no taken time at [0][3]'].filter(Boolean);
  if (wrong.length > 0) facts.set('fDcn4b', 'changed', `${wrong.join(', ')}; the answer is ${shapeOf(answer.payload)}`);
  else facts.ok('fDcn4b');
  return info.sizeBytes;
}

async function checkBulkInfo(client: RpcClient, facts: FactTable, mediaKey: string): Promise<void> {
  const answer = await ask(client, facts, 'EWgK9e', rpc.bulkInfo, args.bulkInfo([mediaKey]));
  if (!answer.ok) return;
  const rows = parsed(facts, 'EWgK9e', answer.payload, parseBulkInfo);
  if (!rows) return;
  const row = rows.find((r) => r.mediaKey === mediaKey);
  if (!row) facts.set('EWgK9e', 'not found', `no row for the item asked about; the answer is ${shapeOf(answer.payload)}`);
  else if (row.fileName === null || row.takenMs === null) facts.set('EWgK9e', 'changed', `its row has no ${row.fileName === null ? 'file name' : 'taken time'}; the answer is ${shapeOf(answer.payload)}`);
  else facts.ok('EWgK9e');
}

async function checkHashLookup(client: RpcClient, facts: FactTable, mediaKey: string, file: Downloaded, listedSize: number | null): Promise<void> {
  const answer = await ask(client, facts, 'swbisb', rpc.hashLookup, args.hashLookup([file.sha1]));
  if (!answer.ok) return;
  const found = parsed(facts, 'swbisb', answer.payload, parseHashLookup);
  if (!found) return;
  const hit = found.get(file.sha1);
  if (hit && hit.mediaKey === mediaKey) facts.ok('swbisb');
  else if (hit) facts.set('swbisb', 'changed', `the hash maps to another item; the answer is ${shapeOf(answer.payload)}`);
  else if (listedSize !== null && listedSize !== file.bytes) {
    // Not the uploaded bytes (stored in Storage saver, or edited): Google need not know this hash.
    facts.set('swbisb', 'not checked', `the download (${file.bytes} bytes) is not the listed size (${listedSize}), so Google need not know its SHA-1; the answer is ${shapeOf(answer.payload)}`);
  } else facts.set('swbisb', 'not found', `no entry for the downloaded file's SHA-1; the answer is ${shapeOf(answer.payload)}`);
}

// ---------------------------------------------------------------- the grid

interface SeenLink {
  href: string;
  label: string;
}

/** The library page's tiles; `listedAny` is what the RPC listing said (null: unknown). Returns photos to open when no listing works. */
async function checkGrid(page: Page, facts: FactTable, listedAny: boolean | null, timeouts: ProbeTimeouts): Promise<Candidate[]> {
  const scroller = page.locator(selectors.gridScroller).first();
  try {
    await scroller.waitFor({ state: 'attached', timeout: timeouts.uiMs * 3 });
  } catch {
    facts.set('grid', 'not found', `no ${selectors.gridScroller} on the library page`);
    return [];
  }
  if (listedAny === false) {
    facts.none(['grid'], 'the library lists no items, so the grid shows no tiles');
    return [];
  }
  // The first tiles (or any link in the grid, to show what they look like now).
  await page
    .waitForFunction(({ scrollerSel, tileSel }) => document.querySelector(tileSel) !== null || document.querySelector(scrollerSel)?.querySelector('a[href]') != null, { scrollerSel: selectors.gridScroller, tileSel: selectors.tile }, { timeout: timeouts.gridMs })
    .catch(() => undefined);
  const seen = await page.evaluate(
    ({ scrollerSel, tileSel }) => {
      const pick = (a: Element) => ({ href: a.getAttribute('href') ?? '', label: a.getAttribute('aria-label') ?? '' });
      const main = document.querySelector(scrollerSel);
      return { tiles: Array.from(document.querySelectorAll(tileSel)).slice(0, 50).map(pick), links: main ? Array.from(main.querySelectorAll('a[href]')).slice(0, 3).map(pick) : [] };
    },
    { scrollerSel: selectors.gridScroller, tileSel: selectors.tile },
  );
  if (seen.tiles.length === 0) {
    if (seen.links.length > 0) facts.set('grid', 'changed', `no ${selectors.tile} tile; the grid's links look like ${seen.links.map(linkShape).join('; ')}`);
    else facts.set('grid', 'not found', `no tile and no link in ${selectors.gridScroller} after ${Math.round(timeouts.gridMs / 1000)} s`);
    return [];
  }
  const tiles = seen.tiles.map((t) => ({ ...t, mediaKey: mediaKeyFromTileHref(t.href), ...parseTileLabel(t.label) }));
  const badHref = tiles.find((t) => t.mediaKey === null);
  const badLabel = tiles.find((t) => t.localTakenMs === null);
  if (badHref) facts.set('grid', 'changed', `a tile links to ${linkShape(badHref)}`);
  else if (badLabel) facts.set('grid', 'changed', `a tile's label reads "${labelShape(badLabel.label)}"`);
  else facts.ok('grid');
  return tiles.filter((t) => t.mediaKey !== null && t.kind === 'photo').map((t) => ({ mediaKey: t.mediaKey!, sizeBytes: null }));
}

// ---------------------------------------------------------------- the viewer

/** Opens the item, checks the viewer, the info panel, Shift+D and the menu; returns a downloaded file's hash when either download worked. */
async function checkViewer(context: BrowserContext, baseUrl: string, facts: FactTable, mediaKey: string, timeouts: ProbeTimeouts): Promise<Downloaded | null> {
  const page = await context.newPage();
  try {
    let viewer: Locator;
    try {
      viewer = (await openViewer(page, baseUrl, mediaKey, { openMs: timeouts.pageMs, downloadStartMs: timeouts.downloadStartMs })).viewer;
    } catch (error) {
      if (error instanceof SignedOutError) throw error;
      facts.set('viewer', error instanceof SiteChangedError ? 'not found' : 'not checked', error instanceof SiteChangedError ? factOf(error) : describeError(error));
      facts.skip(['info', 'shiftD', 'menu'], 'needs the viewer');
      return null;
    }
    const moreOptions = viewer.locator(selectors.moreOptions).first();
    const hasMenu = (await moreOptions.count()) > 0;
    if (hasMenu) facts.ok('viewer');
    else facts.set('viewer', 'not found', `no ${selectors.moreOptions}; the viewer's buttons: ${(await buttonLabels(viewer)).join(', ') || 'none'}`);

    await checkInfo(viewer, facts, timeouts);

    let file: Downloaded | null = null;
    const viaKey = nextDownload(page, timeouts.downloadStartMs);
    await page.keyboard.press(keys.download);
    const keyDownload = await viaKey;
    if (keyDownload) {
      facts.ok('shiftD');
      file = await hashAndDelete(keyDownload);
    } else facts.set('shiftD', 'changed', `no download started within ${Math.round(timeouts.downloadStartMs / 1000)} s of ${keys.download}`);

    if (!hasMenu) facts.skip(['menu'], `needs the ${labels.moreOptions} button`);
    else {
      const menuFile = await checkMenu(page, moreOptions, facts, timeouts);
      file = file ?? menuFile;
    }
    return file;
  } finally {
    await page.close().catch(() => undefined);
  }
}

async function checkInfo(viewer: Locator, facts: FactTable, timeouts: ProbeTimeouts): Promise<void> {
  const button = viewer.locator(selectors.openInfo).first();
  if ((await button.count()) === 0) {
    facts.set('info', 'not found', `no ${selectors.openInfo}; the viewer's buttons: ${(await buttonLabels(viewer)).join(', ') || 'none'}`);
    return;
  }
  await button.click({ timeout: timeouts.uiMs });
  const field = (label: string) => viewer.locator(`[aria-label^="${label}"]`).filter({ visible: true });
  const anyField = viewer.locator(INFO_FIELDS.map((label) => `[aria-label^="${label}"]`).join(', ')).filter({ visible: true });
  await anyField.first().waitFor({ state: 'visible', timeout: timeouts.uiMs }).catch(() => undefined);
  const missing: string[] = [];
  for (const label of INFO_FIELDS) if ((await field(label).count()) === 0) missing.push(label);
  const text = await viewer.innerText().catch(() => '');
  if (!GMT_NODE.test(text)) missing.push('GMT±hh:mm');
  if (missing.length === 0) facts.ok('info');
  else facts.set('info', 'not found', `${missing.join(', ')} missing after ${labels.openInfo}; the labels shown: ${(await visibleLabels(viewer)).join(', ') || 'none'}`);
}

async function checkMenu(page: Page, moreOptions: Locator, facts: FactTable, timeouts: ProbeTimeouts): Promise<Downloaded | null> {
  await moreOptions.click({ timeout: timeouts.uiMs });
  const entry = page.locator(selectors.downloadItem).filter({ visible: true }).first();
  try {
    await entry.waitFor({ state: 'visible', timeout: timeouts.uiMs });
  } catch {
    const entries = await page.evaluate(() =>
      Array.from(document.querySelectorAll('[role="menuitem"], [role="menu"] [aria-label]'))
        .filter((el) => (el as HTMLElement).getClientRects().length > 0)
        .map((el) => el.getAttribute('aria-label') || (el.textContent ?? '').trim())
        .slice(0, 12),
    );
    facts.set('menu', 'not found', `the menu lists ${entries.length ? entries.map((e) => `"${labelShape(e)}"`).join(', ') : 'nothing (no menu opened)'}`);
    return null;
  }
  const started = nextDownload(page, timeouts.downloadStartMs);
  await entry.click({ timeout: timeouts.uiMs });
  const download = await started;
  if (!download) {
    facts.set('menu', 'changed', `${selectors.downloadItem} started no download within ${Math.round(timeouts.downloadStartMs / 1000)} s`);
    return null;
  }
  facts.ok('menu');
  return await hashAndDelete(download);
}

/** The page's next download, or null after timeoutMs. */
function nextDownload(page: Page, timeoutMs: number): Promise<Download | null> {
  return page.waitForEvent('download', { timeout: timeoutMs }).catch(() => null);
}

/** SHA-1 (base64, as swbisb takes it) and size of a finished download, which is then deleted. */
async function hashAndDelete(download: Download): Promise<Downloaded | null> {
  try {
    const file = await download.path();
    const body = await readFile(file);
    return { sha1: createHash('sha1').update(body).digest('base64'), bytes: body.length };
  } catch {
    return null; // started but failed: the shortcut still works, there is just no file to hash
  } finally {
    await download.delete().catch(() => undefined);
  }
}

async function buttonLabels(scope: Locator): Promise<string[]> {
  const all = await scope.locator('button, [role="button"]').evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') || (el.textContent ?? '').trim()));
  return all.filter(Boolean).slice(0, 12).map((l) => `"${labelShape(l)}"`);
}

async function visibleLabels(scope: Locator): Promise<string[]> {
  const all = await scope.locator('[aria-label]').evaluateAll((els) => els.filter((el) => (el as HTMLElement).getClientRects().length > 0).map((el) => el.getAttribute('aria-label') ?? ''));
  return [...new Set(all.filter(Boolean).map(labelShape))].slice(0, 16).map((l) => `"${l}"`);
}

// ---------------------------------------------------------------- reporting without secrets

function sourcePathOf(baseUrl: string, mediaKey: string): string {
  return new URL(photoUrl(baseUrl, mediaKey)).pathname;
}

/**
 * A SiteChangedError's fact, with its detail only when that is plain words (a status code, a
 * path): a parser's detail may quote part of a row, which can hold a caption or a file name.
 */
function factOf(error: SiteChangedError): string {
  const detail = /\((.*)\)\. Google may have changed/s.exec(error.message.slice(error.message.indexOf(error.fact) + error.fact.length))?.[1];
  return detail && /^[\w\s.,:/#=+-]*$/.test(detail) ? `${error.fact} (${detail})` : error.fact;
}

/** The structure of an answer, types only: `[[[str, [str, num, num, …+7], num, …], …+2], str, str]`. */
export function shapeOf(value: unknown, depth = 0): string {
  const text = shape(value, depth);
  return text.length > 240 ? `${text.slice(0, 239)}…` : text;
}

function shape(value: unknown, depth: number): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return 'num';
  if (typeof value === 'boolean') return 'bool';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (depth >= 3) return `[…${value.length}]`;
    const shown = value.slice(0, 4).map((v) => shape(v, depth + 1));
    return `[${shown.join(', ')}${value.length > 4 ? `, …+${value.length - 4}` : ''}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (depth >= 3) return `{…${entries.length}}`;
    return `{${entries
      .slice(0, 3)
      .map(([k, v]) => `${/^\d+$/.test(k) ? k : 'key'}: ${shape(v, depth + 1)}`)
      .join(', ')}${entries.length > 3 ? ', …' : ''}}`;
  }
  return typeof value;
}

/** A link as a pattern: `./photo/<key>`, `/photo/<key>?authuser=#`. */
function linkShape(link: SeenLink): string {
  return redact(link.href).replace(/\d/g, '#');
}

/** A label without its value: "Filename: IMG_1.jpg" → "Filename:"; others with digits masked ("Photo - Oct #, ####, …"). */
export function labelShape(label: string): string {
  const name = /^[^:\d]{1,31}:/.exec(label);
  const head = name ? name[0] : label;
  const masked = redact(head).replace(/\d/g, '#');
  return masked.length > 48 ? `${masked.slice(0, 47)}…` : masked;
}

/** Last line of defence: media keys, long tokens and e-mail addresses never reach the table. */
export function redact(text: string): string {
  return text
    .replace(MEDIA_KEY_LIKE, '<key>')
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '<e-mail>')
    .replace(/[A-Za-z0-9_\-:.]{28,}/g, '<token>');
}
