// Typed queries for albums, sharing and the trash: the albums the account sees and their
// members (by album key and by the dedupKey that maps each album item to an item of the
// index), the partner's items, the items seen only through sharing (their origin and owner),
// the favorite and archived flags as Google's own views list them, the sidecar rating, and
// the link folders' links, one row per link. Item states move only through items.ts.
import type { AlbumItem, AlbumSummary, ItemPlace } from '../model/albums.js';
import type { RemoteItem } from '../model/remote-item.js';
import type { Db } from './database.js';
import { type FileRecord, type FileRow, insertFileRecord } from './files.js';
import { applyTransitionWhere, getItem, getMeta, type ItemOrigin, type ItemRow, setMeta, upsertItems } from './items.js';

/** What the index remembers of the account and its shares between runs. */
export const ShareMeta = {
  /** The signed-in account's e-mail: a backup folder belongs to one account. */
  accountEmail: 'account_email',
  /** The account's own actor id (owner of its albums). */
  myActor: 'my_actor',
  partnerActor: 'partner_actor',
  partnerGaia: 'partner_gaia',
} as const;

export function getShareMeta(db: Db, key: (typeof ShareMeta)[keyof typeof ShareMeta]): string | null {
  return getMeta(db, key) ?? null;
}

export function setShareMeta(db: Db, key: (typeof ShareMeta)[keyof typeof ShareMeta], value: string): void {
  setMeta(db, key, value);
}

// ---- albums ---------------------------------------------------------------------------------

export interface AlbumRow {
  album_key: string;
  title: string;
  own: number;
  shared: number;
  owner_actor: string | null;
  owner_name: string | null;
  share_id: string | null;
  auth_key: string | null;
  link_url: string | null;
  created_ms: number | null;
  modified_ms: number | null;
  item_count: number | null;
  seen_ms: number;
  dir: string | null;
}

export function listAlbumRows(db: Db): AlbumRow[] {
  return db.prepare('SELECT * FROM albums ORDER BY COALESCE(created_ms, 0), album_key').all() as AlbumRow[];
}

export function getAlbumRow(db: Db, albumKey: string): AlbumRow | undefined {
  return db.prepare('SELECT * FROM albums WHERE album_key = ?').get(albumKey) as AlbumRow | undefined;
}

/** Records what the album list says of an album; its items and modified time are recorded by replaceAlbumItems. */
export function recordAlbumSummary(db: Db, album: AlbumSummary, own: boolean, nowMs = Date.now()): void {
  db.prepare(
    `INSERT INTO albums (album_key, title, own, shared, owner_actor, share_id, link_url, created_ms, item_count, seen_ms)
      VALUES (@albumKey, @title, @own, @shared, @ownerActor, @shareId, @linkUrl, @createdMs, @itemCount, @now)
      ON CONFLICT(album_key) DO UPDATE SET title = excluded.title, own = excluded.own, shared = excluded.shared,
        owner_actor = COALESCE(excluded.owner_actor, owner_actor), share_id = COALESCE(excluded.share_id, share_id),
        link_url = COALESCE(excluded.link_url, link_url), created_ms = COALESCE(excluded.created_ms, created_ms),
        item_count = excluded.item_count, seen_ms = excluded.seen_ms`,
  ).run({
    albumKey: album.albumKey,
    title: album.title,
    own: own ? 1 : 0,
    shared: album.shared ? 1 : 0,
    ownerActor: album.ownerActor,
    shareId: album.shareId,
    linkUrl: album.linkUrl,
    createdMs: album.createdMs,
    itemCount: album.itemCount,
    now: nowMs,
  });
}

/** How many items the index holds for an album (compared with the count Google lists). */
export function countAlbumItems(db: Db, albumKey: string): number {
  return db.prepare('SELECT COUNT(*) FROM album_items WHERE album_key = ?').pluck().get(albumKey) as number;
}

/** The album's own listing names the account as its owner. */
export function markAlbumOwn(db: Db, albumKey: string): void {
  db.prepare('UPDATE albums SET own = 1 WHERE album_key = ?').run(albumKey);
}

/** Where someone else's album opens: its share id and authKey (from its link). */
export function recordAlbumShare(db: Db, albumKey: string, shareId: string, authKey: string): void {
  db.prepare('UPDATE albums SET share_id = ?, auth_key = ? WHERE album_key = ?').run(shareId, authKey, albumKey);
}

export interface ListedAlbum {
  albumKey: string;
  items: AlbumItem[];
  /** Google's modified time of the album these items belong to. */
  modifiedMs: number | null;
  ownerName: string | null;
  title?: string | null;
}

/** An album's complete item listing replaces its members, in album order, in one transaction. */
export function replaceAlbumItems(db: Db, listed: ListedAlbum): void {
  const insert = db.prepare('INSERT OR IGNORE INTO album_items (album_key, item_key, position, dedup_key, owner_actor) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    db.prepare('DELETE FROM album_items WHERE album_key = ?').run(listed.albumKey);
    listed.items.forEach((item, position) => insert.run(listed.albumKey, item.mediaKey, position, item.dedupKey, item.ownerActor));
    db.prepare('UPDATE albums SET modified_ms = ?, owner_name = COALESCE(?, owner_name), title = COALESCE(?, title) WHERE album_key = ?').run(
      listed.modifiedMs,
      listed.ownerName,
      listed.title ?? null,
      listed.albumKey,
    );
  })();
}

/** An album Google no longer lists (deleted, or no longer shared with the account): its members go; its items stay. */
export function forgetAlbum(db: Db, albumKey: string): void {
  db.prepare('DELETE FROM albums WHERE album_key = ?').run(albumKey);
}

export function setAlbumDir(db: Db, albumKey: string, dir: string | null): void {
  db.prepare('UPDATE albums SET dir = ? WHERE album_key = ?').run(dir, albumKey);
}

export interface Member {
  mediaKey: string;
  /** The key the album knows it by. */
  itemKey: string;
}

/** The album's items that the index holds, in album order (an album item maps to an item by dedupKey; the account's own copy wins). */
export function albumMembers(db: Db, albumKey: string): Member[] {
  const rows = db
    .prepare(
      `SELECT ai.item_key AS itemKey, i.media_key AS mediaKey FROM album_items ai JOIN items i ON i.dedup_key = ai.dedup_key
        WHERE ai.album_key = ? AND i.state NOT IN ('gone', 'trashed')
        ORDER BY ai.position, CASE i.origin WHEN 'library' THEN 0 ELSE 1 END, i.media_key`,
    )
    .all(albumKey) as Member[];
  return firstPer(rows);
}

function firstPer(rows: Member[]): Member[] {
  const seenItems = new Set<string>();
  const seenMedia = new Set<string>();
  const out: Member[] = [];
  for (const row of rows) {
    if (seenItems.has(row.itemKey) || seenMedia.has(row.mediaKey)) continue;
    seenItems.add(row.itemKey);
    seenMedia.add(row.mediaKey);
    out.push(row);
  }
  return out;
}

/** Album keys and item keys in album order (album.json lists members that are not on disk yet too). */
export function albumItemKeys(db: Db, albumKey: string): { itemKey: string; dedupKey: string | null }[] {
  return db.prepare('SELECT item_key AS itemKey, dedup_key AS dedupKey FROM album_items WHERE album_key = ? ORDER BY position').all(albumKey) as { itemKey: string; dedupKey: string | null }[];
}

// ---- items seen through sharing ---------------------------------------------------------------

/** Which of these dedupKeys belong to an item of the account's library (not gone). */
export function libraryDedupKeys(db: Db, dedupKeys: Iterable<string>): Set<string> {
  const stmt = db.prepare(`SELECT 1 FROM items WHERE dedup_key = ? AND origin = 'library' AND state <> 'gone' LIMIT 1`).pluck();
  const out = new Set<string>();
  for (const key of dedupKeys) if (stmt.get(key) !== undefined) out.add(key);
  return out;
}

/**
 * Records items the account sees only through sharing (someone else's, in no library of the
 * account): new ones are queued, known ones (the same dedupKey, whatever key this listing
 * gives them) refreshed, and each carries its origin and owner. Returns the keys queued now.
 */
export function recordForeignItems(db: Db, items: { item: RemoteItem; owner: string | null }[], origin: Exclude<ItemOrigin, 'library'>, nowMs = Date.now()): string[] {
  const existing = db.prepare(`SELECT media_key FROM items WHERE dedup_key = ? AND origin <> 'library' ORDER BY media_key LIMIT 1`).pluck();
  const mark = db.prepare('UPDATE items SET origin = @origin, owner = COALESCE(@owner, owner), not_owned = 1 WHERE media_key = @key');
  return db.transaction(() => {
    const byKey = new Map<string, { item: RemoteItem; owner: string | null }>();
    for (const entry of items) {
      const known = entry.item.dedupKey ? (existing.get(entry.item.dedupKey) as string | undefined) : undefined;
      const item = known ? { ...entry.item, mediaKey: known } : entry.item;
      if (!byKey.has(item.mediaKey)) byKey.set(item.mediaKey, { item, owner: entry.owner });
    }
    const list = [...byKey.values()];
    const { newKeys } = upsertItems(db, list.map((e) => e.item), nowMs);
    for (const e of list) mark.run({ origin, owner: e.owner, key: e.item.mediaKey });
    return newKeys;
  })();
}

/**
 * Items of this origin that no album and no partner listing shows any more: gone for the
 * account (their files stay until --prune). Call only after complete listings. Returns how many.
 */
export function markUnsharedGone(db: Db, origin: Exclude<ItemOrigin, 'library'>, nowMs = Date.now()): number {
  return applyTransitionWhere(
    db,
    'gone',
    `origin = @origin AND (dedup_key IS NULL OR (dedup_key NOT IN (SELECT dedup_key FROM album_items WHERE dedup_key IS NOT NULL)
      AND dedup_key NOT IN (SELECT dedup_key FROM partner_items WHERE dedup_key IS NOT NULL)))`,
    { origin, now: nowMs },
  );
}

/** Items of someone else shown in an album with this owner actor get the owner's name. */
export function nameOwners(db: Db, names: Map<string, string>): void {
  const stmt = db.prepare(`UPDATE items SET owner = @name WHERE origin <> 'library' AND owner = @actor`);
  for (const [actor, name] of names) stmt.run({ actor, name });
}

/**
 * Where the account can open an item to download it: the library viewer for its own items; for
 * an item seen through sharing, one of its own albums holding it, else someone else's album it
 * can open (share id and authKey known), else the partner's items. null: nowhere known now.
 */
export function placeOf(db: Db, item: Pick<ItemRow, 'media_key' | 'origin' | 'dedup_key'>): ItemPlace | null {
  if (item.origin === 'library' || item.origin === undefined) return { kind: 'library', key: item.media_key };
  if (item.dedup_key) {
    const inAlbum = db
      .prepare(
        `SELECT ai.item_key, a.album_key, a.own, a.share_id, a.auth_key FROM album_items ai JOIN albums a ON a.album_key = ai.album_key
          WHERE ai.dedup_key = ? AND (a.own = 1 OR (a.share_id IS NOT NULL AND a.auth_key IS NOT NULL))
          ORDER BY a.own DESC, ai.item_key = ? DESC, a.album_key LIMIT 1`,
      )
      .get(item.dedup_key, item.media_key) as { item_key: string; album_key: string; own: number; share_id: string | null; auth_key: string | null } | undefined;
    if (inAlbum) {
      if (inAlbum.own) return { kind: 'album', key: inAlbum.item_key, albumKey: inAlbum.album_key };
      return { kind: 'share', key: inAlbum.item_key, albumKey: inAlbum.album_key, shareId: inAlbum.share_id!, authKey: inAlbum.auth_key! };
    }
  }
  const partnerActor = getShareMeta(db, ShareMeta.partnerActor);
  if (partnerActor) {
    const key = item.dedup_key
      ? (db.prepare('SELECT item_key FROM partner_items WHERE dedup_key = ? ORDER BY item_key = ? DESC LIMIT 1').pluck().get(item.dedup_key, item.media_key) as string | undefined)
      : (db.prepare('SELECT item_key FROM partner_items WHERE item_key = ?').pluck().get(item.media_key) as string | undefined);
    if (key) return { kind: 'partner', key, partnerActor };
  }
  return null;
}

// ---- partner sharing --------------------------------------------------------------------------

/** Records partner-shared items listed now; `complete`: the listing covered them all, so the ones not listed are no longer shared. */
export function recordPartnerItems(db: Db, items: AlbumItem[], complete: boolean, nowMs = Date.now()): void {
  const upsert = db.prepare(
    `INSERT INTO partner_items (item_key, dedup_key, taken_ms, seen_ms) VALUES (?, ?, ?, ?)
      ON CONFLICT(item_key) DO UPDATE SET dedup_key = excluded.dedup_key, taken_ms = excluded.taken_ms, seen_ms = excluded.seen_ms`,
  );
  db.transaction(() => {
    for (const item of items) upsert.run(item.mediaKey, item.dedupKey, item.takenMs, nowMs);
    if (complete) db.prepare('DELETE FROM partner_items WHERE seen_ms < ?').run(nowMs);
  })();
}

/** Every partner listing stopped: nothing is shared any more. */
export function clearPartnerItems(db: Db): void {
  db.prepare('DELETE FROM partner_items').run();
}

/** How many of these partner keys the index already holds. */
export function countKnownPartnerKeys(db: Db, keys: string[]): number {
  const stmt = db.prepare('SELECT 1 FROM partner_items WHERE item_key = ?').pluck();
  return keys.filter((k) => stmt.get(k) !== undefined).length;
}

/** Partner-shared items the index holds, newest taken first (the account's saved copy wins). */
export function partnerMembers(db: Db): Member[] {
  const rows = db
    .prepare(
      `SELECT p.item_key AS itemKey, i.media_key AS mediaKey FROM partner_items p JOIN items i ON i.dedup_key = p.dedup_key
        WHERE i.state NOT IN ('gone', 'trashed')
        ORDER BY p.taken_ms DESC, p.item_key, CASE i.origin WHEN 'library' THEN 0 ELSE 1 END, i.media_key`,
    )
    .all() as Member[];
  return firstPer(rows);
}

// ---- favorites and the archive ----------------------------------------------------------------

export type ItemFlag = 'favorite' | 'archived';

/**
 * Google's Favorites (or Archive) view listed exactly these keys: the flag is set on them and,
 * when the listing was complete, cleared on every other item of the library. Returns how many
 * items changed.
 */
export function applyFlagListing(db: Db, flag: ItemFlag, listed: Iterable<string>, complete: boolean): number {
  const column = flag === 'favorite' ? 'favorite' : 'archived';
  const set = db.prepare(`UPDATE items SET ${column} = 1 WHERE media_key = ? AND ${column} = 0`);
  return db.transaction(() => {
    let changed = 0;
    const keys = new Set(listed);
    for (const key of keys) changed += set.run(key).changes;
    if (complete) {
      const flagged = db.prepare(`SELECT media_key FROM items WHERE ${column} = 1 AND origin = 'library'`).pluck().all() as string[];
      const clear = db.prepare(`UPDATE items SET ${column} = 0 WHERE media_key = ?`);
      for (const key of flagged) if (!keys.has(key)) changed += clear.run(key).changes;
    }
    return changed;
  })();
}

/** How many of these keys are items of the index that do not carry the flag yet. */
export function countUnflagged(db: Db, flag: ItemFlag, keys: string[]): number {
  const column = flag === 'favorite' ? 'favorite' : 'archived';
  const stmt = db.prepare(`SELECT 1 FROM items WHERE media_key = ? AND ${column} = 0`).pluck();
  return keys.reduce((n, key) => n + (stmt.get(key) ? 1 : 0), 0);
}

/** The first page of a flag's view as the last whole read of it saw it (a digest of its keys in order). */
export function getFirstPageSeen(db: Db, flag: ItemFlag): string | null {
  return getMeta(db, `first_page_${flag}`) ?? null;
}

export function setFirstPageSeen(db: Db, flag: ItemFlag, digest: string): void {
  setMeta(db, `first_page_${flag}`, digest);
}

/** The account's items with the flag, newest taken first (favorites/ and archive/). */
export function flaggedMembers(db: Db, flag: ItemFlag): Member[] {
  const column = flag === 'favorite' ? 'favorite' : 'archived';
  return db
    .prepare(`SELECT media_key AS mediaKey, media_key AS itemKey FROM items WHERE ${column} = 1 AND origin = 'library' AND state NOT IN ('gone', 'trashed') ORDER BY taken_ms DESC, media_key`)
    .all() as Member[];
}

// ---- the sidecar rating -------------------------------------------------------------------------

export interface RatingWork {
  media_key: string;
  favorite: number;
  rating: number | null;
  main_path: string;
  taken_ms: number;
}

/** Kept items whose sidecar's rating does not follow Google's favorite flag yet. */
export function ratingWork(db: Db, limit = Number.MAX_SAFE_INTEGER): RatingWork[] {
  return db
    .prepare(
      `SELECT i.media_key, i.favorite, i.rating, f.rel_path AS main_path, i.taken_ms FROM items i
        JOIN files f ON f.media_key = i.media_key AND f.role = 'main' AND f.superseded_ms IS NULL AND f.trashed_ms IS NULL
        WHERE i.state = 'done' AND ((i.favorite = 1 AND (i.rating IS NULL OR i.rating <> 5)) OR (i.favorite = 0 AND i.rating IS NOT NULL))
        ORDER BY i.media_key LIMIT ?`,
    )
    .all(limit) as RatingWork[];
}

/** The sidecar now carries `rating` (null: none); `sidecar` is its file as written, or null when it was removed. */
export function recordRating(db: Db, mediaKey: string, rating: number | null, sidecarRelPath: string, sidecar: Omit<FileRecord, 'mediaKey' | 'role' | 'relPath'> | null, nowMs = Date.now()): void {
  db.transaction(() => {
    if (sidecar) insertFileRecord(db, mediaKey, { ...sidecar, mediaKey, role: 'sidecar', relPath: sidecarRelPath }, nowMs);
    else db.prepare(`DELETE FROM files WHERE rel_path = ? AND media_key = ? AND role = 'sidecar'`).run(sidecarRelPath, mediaKey);
    db.prepare('UPDATE items SET rating = ? WHERE media_key = ?').run(rating, mediaKey);
  })();
}

/** The recorded sidecar at this path, if it is this item's. */
export function sidecarRecord(db: Db, mediaKey: string, relPath: string): FileRow | undefined {
  return db.prepare(`SELECT * FROM files WHERE rel_path = ? AND media_key = ? AND role = 'sidecar'`).get(relPath, mediaKey) as FileRow | undefined;
}

// ---- link folders -----------------------------------------------------------------------------

export interface LinkRow {
  dir: string;
  name: string;
  media_key: string;
  target: string;
  mode: string;
}

export function linksIn(db: Db, dir: string): LinkRow[] {
  return db.prepare('SELECT * FROM links WHERE dir = ? ORDER BY name').all(dir) as LinkRow[];
}

/** Every folder that holds links of ours. */
export function linkDirs(db: Db): string[] {
  return db.prepare('SELECT DISTINCT dir FROM links ORDER BY dir').pluck().all() as string[];
}

export function recordLink(db: Db, link: LinkRow): void {
  db.prepare('INSERT INTO links (dir, name, media_key, target, mode) VALUES (@dir, @name, @media_key, @target, @mode) ON CONFLICT(dir, name) DO UPDATE SET media_key = excluded.media_key, target = excluded.target, mode = excluded.mode').run(link);
}

export function forgetLink(db: Db, dir: string, name: string): void {
  db.prepare('DELETE FROM links WHERE dir = ? AND name = ?').run(dir, name);
}

/** A link folder renamed (an album renamed in Google) or moved to the trash (null: its links are forgotten). */
export function moveLinkDir(db: Db, from: string, to: string | null): void {
  if (to === null) db.prepare('DELETE FROM links WHERE dir = ?').run(from);
  else db.prepare('UPDATE links SET dir = ? WHERE dir = ?').run(to, from);
}

export interface LinkableFile {
  media_key: string;
  role: string;
  rel_path: string;
  bytes: number;
  sha256: string;
}

/** The current files of these items a link folder shows (what Google shows, the original, a Live Photo's video, sidecars). */
export function linkableFiles(db: Db, mediaKeys: string[]): Map<string, LinkableFile[]> {
  const stmt = db.prepare(
    `SELECT media_key, role, rel_path, bytes, sha256 FROM files WHERE media_key = ? AND role IN ('main', 'original', 'live-video', 'live-extra', 'sidecar')
      AND superseded_ms IS NULL AND trashed_ms IS NULL ORDER BY id`,
  );
  const out = new Map<string, LinkableFile[]>();
  for (const key of mediaKeys) out.set(key, stmt.all(key) as LinkableFile[]);
  return out;
}

// ---- the trash ----------------------------------------------------------------------------------

export interface TrashedRow {
  media_key: string;
  file_name: string | null;
  taken_ms: number;
  trashed_ms: number | null;
}

/** Items in Google's trash, the most recently trashed first. */
export function trashedItems(db: Db, limit = Number.MAX_SAFE_INTEGER): { total: number; items: TrashedRow[] } {
  if (!knowsShares(db)) return { total: 0, items: [] };
  const total = db.prepare(`SELECT COUNT(*) FROM items WHERE state = 'trashed'`).pluck().get() as number;
  const items = db
    .prepare(`SELECT media_key, file_name, taken_ms, trashed_ms FROM items WHERE state = 'trashed' ORDER BY trashed_ms DESC, media_key LIMIT ?`)
    .all(limit) as TrashedRow[];
  return { total, items };
}

/** Items in Google's trash that the index never held (trashed before a run saw them), as the last whole listing of the trash counted them. */
export interface NeverBackedUp {
  count: number;
  /** The soonest time one of them went into the trash (null: not known). */
  firstTrashedMs: number | null;
}

const NEVER_BACKED_UP = 'trash_never_backed_up';

export function setNeverBackedUp(db: Db, value: NeverBackedUp): void {
  setMeta(db, NEVER_BACKED_UP, JSON.stringify(value));
}

export function getNeverBackedUp(db: Db): NeverBackedUp {
  const raw = getMeta(db, NEVER_BACKED_UP);
  if (!raw) return { count: 0, firstTrashedMs: null };
  const parsed = JSON.parse(raw) as Partial<NeverBackedUp>;
  return { count: Number(parsed.count) || 0, firstTrashedMs: typeof parsed.firstTrashedMs === 'number' ? parsed.firstTrashedMs : null };
}

/** Whether the index knows albums and the trash (migration 6): status opens older ones read-only. */
export function knowsShares(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM pragma_table_info('items') WHERE name = 'trashed_ms'`).get() !== undefined;
}

/** The item for a key, if the index holds it. */
export function itemRow(db: Db, mediaKey: string): ItemRow | undefined {
  return getItem(db, mediaKey);
}
