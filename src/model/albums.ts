// Albums, sharing and the trash as plain data: what the site adapter reads from Google's
// answers, what the index keeps, what the link folders are built from. No Google shapes.
import type { RemoteItem } from './remote-item.js';

/** An album as the account's album list shows it (own, shared by the account, or shared with it). */
export interface AlbumSummary {
  albumKey: string;
  title: string;
  /** Actor id of its owner (compare with the account's own actor id). */
  ownerActor: string | null;
  /** Shared (a link exists): albums of others are always shared. */
  shared: boolean;
  itemCount: number | null;
  createdMs: number | null;
  /** Changes with every change of the album (items added or removed, renamed, shared). */
  modifiedMs: number | null;
  /** The share id (`/share/<shareId>`), when the list names it. */
  shareId: string | null;
  /** The album's short link, which leads to `/share/<shareId>?key=<authKey>`. */
  linkUrl: string | null;
}

export interface AlbumListPage {
  albums: AlbumSummary[];
  nextPageId: string | null;
}

/** Someone taking part in a share, as actor blocks name them. */
export interface Person {
  actor: string;
  gaiaId: string | null;
  name: string | null;
}

/** An item inside an album: its key is album-scoped (never its library key); the dedupKey maps it back. */
export interface AlbumItem extends RemoteItem {
  /** Actor id of whoever owns the item (row `[6][0]`), when given. */
  ownerActor: string | null;
}

/** What an album's own listing says about it. */
export interface AlbumMeta {
  albumKey: string;
  title: string | null;
  owner: Person | null;
  /** The account itself, as the album's page names it. */
  me: Person | null;
  members: Person[];
  /** The album's authKey (own shared albums carry it), or null. */
  authKey: string | null;
  itemCount: number | null;
  modifiedMs: number | null;
}

export interface AlbumItemsPage {
  items: AlbumItem[];
  nextPageId: string | null;
  meta: AlbumMeta | null;
}

export interface PartnerPage {
  items: AlbumItem[];
  nextPageId: string | null;
  /** The partner's actor id and the people the answer names. */
  partnerActor: string | null;
  gaiaId: string | null;
  members: Person[];
}

/** An item in Google's trash, with the time it was put there. */
export interface TrashedRemoteItem extends RemoteItem {
  trashedMs: number | null;
}

export interface TrashPage {
  items: TrashedRemoteItem[];
  nextPageId: string | null;
}

/** Where a shared album's link leads: its share id and authKey. */
export interface ShareTarget {
  shareId: string;
  authKey: string;
}

/**
 * Where the site shows an item the account can download: its library viewer, one of its own
 * albums, someone else's shared album (with the album's authKey), or the partner's items.
 * `key` is the key that place knows the item by.
 */
export type ItemPlace =
  | { kind: 'library'; key: string }
  | { kind: 'album'; key: string; albumKey: string }
  | { kind: 'share'; key: string; albumKey: string; shareId: string; authKey: string }
  | { kind: 'partner'; key: string; partnerActor: string };

/** How a link folder stands for the files of the date layout (`--album-links`); none: no link folders. */
export type LinkMode = 'symlink' | 'hardlink' | 'copy' | 'none';
export const LINK_MODES: readonly LinkMode[] = ['symlink', 'hardlink', 'copy', 'none'];
