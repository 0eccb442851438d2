// The account's albums (own, shared by it, shared with it by others), partner sharing and the
// trash, as state the RPCs read (album-rows.ts) and tests change (the Replica methods). Keys of
// items inside an album are album-scoped: one per (album, item), never the library key; the
// dedupKey is the item's own, so album items map back to library items by it.
import type { Library, ReplicaItem, ReplicaItemSpec } from './library.js';
import type { Actor } from './rows.js';
import { prng, randomB64url, seedOf } from './util.js';

export type Person = Actor;

export interface AlbumEntry {
  /** The album-scoped key (never the item's library key). */
  key: string;
  item: ReplicaItem;
  addedMs: number;
}

export interface ReplicaAlbum {
  albumKey: string;
  title: string;
  owner: Person;
  /** true: the account's own album; false: someone else's album shared with the account. */
  own: boolean;
  /** Shared by its owner (a link with an authKey exists). Albums of others are always shared. */
  shared: boolean;
  /** `/share/<shareId>?key=<authKey>`; null while not shared. */
  shareId: string | null;
  authKey: string | null;
  /** The album's short link (Z5xsfc `72930366[10]`), `<signInOrigin>/app/<linkId>`, which redirects to the share URL. */
  linkId: string | null;
  /** People who joined (snAcKc meta [9] lists the owner, then them). */
  members: Person[];
  createdMs: number;
  /** Changes on every mutation of the album (Z5xsfc `72930366[2][9]`, snAcKc meta `[2][9]`). */
  modifiedMs: number;
  /** In the order added; entries of trashed items stay but are hidden until restored. */
  entries: AlbumEntry[];
}

/** A library item by its index in the `library` specs (= creation order), or by mediaKey or unique file name. */
export type ItemRef = number | string;

/** An item owned by someone else; `ownedBy` defaults to the album's owner (own shared albums: its first member). */
export interface ForeignItemSpec extends ReplicaItemSpec {
  ownedBy?: string;
}

export interface AlbumSpec {
  title: string;
  /** Items of the account's library. */
  items?: ItemRef[];
  /** Items in no library of the account (someone else's). */
  foreignItems?: ForeignItemSpec[];
  /** Shared by the account (a link and an authKey). Implied by `ownedBy` and `sharedWith`. */
  shared?: boolean;
  /** Names of people who joined. */
  sharedWith?: string[];
  /** Another person's name: the album is theirs, shared with the account (it needs its authKey). */
  ownedBy?: string;
  createdMs?: number;
}

export interface PartnerSpec {
  name: string;
  /** The partner's items shared with the account (in no library of the account). */
  items: ReplicaItemSpec[];
}

/** What a test can put in the trash at start. */
export type TrashSpec = ItemRef[];

const H = 3_600_000;
const DAY = 24 * H;
/** Start times of albums and trash when a spec gives none (deterministic, so ids and rows are). */
const ALBUM_EPOCH = Date.UTC(2025, 0, 15, 12, 0, 0);
const TRASH_EPOCH = Date.UTC(2026, 0, 10, 12, 0, 0);

/** Album order inside snAcKc: oldest taken first (as snAcKc.json), then by when added, then key. */
function compareEntries(a: AlbumEntry, b: AlbumEntry): number {
  if (a.item.takenMs !== b.item.takenMs) return a.item.takenMs - b.item.takenMs;
  if (a.addedMs !== b.addedMs) return a.addedMs - b.addedMs;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Z5xsfc order: most recently modified first. */
function compareAlbums(a: ReplicaAlbum, b: ReplicaAlbum): number {
  if (a.modifiedMs !== b.modifiedMs) return b.modifiedMs - a.modifiedMs;
  return a.albumKey < b.albumKey ? -1 : a.albumKey > b.albumKey ? 1 : 0;
}

const alnum = (s: string): string => s.replace(/-/g, 'x').replace(/_/g, 'Q');

export interface Resolved {
  item: ReplicaItem;
  /** The key asked for. */
  key: string;
  album: ReplicaAlbum | null;
  /** Partner-shared (not in any album). */
  partner: boolean;
}

export class Albums {
  private readonly all: ReplicaAlbum[] = [];
  private readonly byKey = new Map<string, ReplicaAlbum>();
  private readonly byShareId = new Map<string, ReplicaAlbum>();
  private readonly byLinkId = new Map<string, ReplicaAlbum>();
  private readonly entries = new Map<string, { album: ReplicaAlbum; entry: AlbumEntry }>();
  private readonly people = new Map<string, Person>();
  private readonly entrySerial = new Map<string, number>();
  private serial = 0;
  private lastMs = 0;
  /** The account's partner (one at most, as Google allows); null: no partner sharing. */
  partner: Person | null = null;
  /** The partner's items shared with the account, newest taken first. */
  readonly partnerItems: ReplicaItem[] = [];

  constructor(
    private readonly lib: Library,
    private readonly seed: number,
    readonly me: Person,
  ) {
    this.people.set(me.name, me);
  }

  /** A time for a mutation: now, and never the same twice (so every mutation is visible in the rows). */
  now(): number {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return this.lastMs;
  }

  /** Someone by name; ids reproducible from the seed and the name. */
  person(name: string): Person {
    let p = this.people.get(name);
    if (!p) {
      const rand = prng(seedOf(this.seed, 'person', name));
      p = { name, actorKey: 'AF1Qip' + randomB64url(rand, 38), gaiaId: String(100000000000 + Math.floor(rand() * 1e9)) };
      this.people.set(name, p);
    }
    return p;
  }

  // ---- set-up from ReplicaOptions --------------------------------------------------------

  setUp(albums: AlbumSpec[] = [], partner: PartnerSpec | undefined, trash: TrashSpec = []): void {
    albums.forEach((spec, i) => {
      const created = spec.createdMs ?? ALBUM_EPOCH + i * DAY;
      const album = this.make(spec.title, spec.ownedBy ? this.person(spec.ownedBy) : this.me, {
        shared: spec.shared ?? (spec.ownedBy !== undefined || (spec.sharedWith?.length ?? 0) > 0),
        members: spec.sharedWith ?? [],
        createdMs: created,
      });
      for (const ref of spec.items ?? []) this.addEntry(album, this.libraryItem(ref), created);
      for (const f of spec.foreignItems ?? []) this.addEntry(album, this.foreignItem(album, f), created);
    });
    if (partner) {
      this.setPartner(partner.name);
      for (const spec of partner.items) this.addPartnerItem(spec);
    }
    trash.forEach((ref, i) => {
      const item = this.libraryItem(ref);
      this.lib.moveToTrash(item.mediaKey, TRASH_EPOCH + i * H);
    });
  }

  private make(title: string, owner: Person, o: { shared: boolean; members: string[]; createdMs: number }): ReplicaAlbum {
    const n = this.serial++;
    const rand = prng(seedOf(this.seed, 'album', n));
    const album: ReplicaAlbum = {
      albumKey: 'AF1Qip' + randomB64url(rand, 38),
      title,
      owner,
      own: owner === this.me,
      shared: false,
      shareId: null,
      authKey: null,
      linkId: null,
      members: o.members.map((m) => this.person(m)),
      createdMs: o.createdMs,
      modifiedMs: o.createdMs,
      entries: [],
    };
    if (album.members.some((m) => m === this.me || m === owner)) throw new Error('replica: members are people other than the owner and the account');
    this.all.push(album);
    this.byKey.set(album.albumKey, album);
    if (o.shared || !album.own) this.share(album);
    return album;
  }

  /** Gives an album its share id, authKey and short link (reproducible from the seed and the album key). */
  private share(album: ReplicaAlbum): void {
    if (album.shared) return;
    const rand = prng(seedOf(this.seed, 'share', album.albumKey));
    album.shared = true;
    album.shareId = 'AF1Qip' + randomB64url(rand, 38);
    album.authKey = randomB64url(rand, 40);
    album.linkId = alnum(randomB64url(rand, 17));
    this.byShareId.set(album.shareId, album);
    this.byLinkId.set(album.linkId, album);
  }

  private addEntry(album: ReplicaAlbum, item: ReplicaItem, addedMs: number): AlbumEntry {
    const existing = album.entries.find((e) => e.item === item);
    if (existing) return existing; // Google keeps one copy of an item per album
    const n = this.entrySerial.get(album.albumKey) ?? 0;
    this.entrySerial.set(album.albumKey, n + 1);
    const key = 'AF1Qip' + randomB64url(prng(seedOf(this.seed, 'album-entry', album.albumKey, n)), 38);
    const entry: AlbumEntry = { key, item, addedMs };
    album.entries.push(entry);
    this.entries.set(key, { album, entry });
    return entry;
  }

  private libraryItem(ref: ItemRef): ReplicaItem {
    if (typeof ref === 'number') {
      const found = [...this.lib.items, ...this.lib.trash].find((i) => i.ordinal === ref && i.owner === null);
      if (!found) throw new Error(`replica: no library item #${ref}`);
      return found;
    }
    const byKey = this.lib.find(ref);
    if (byKey) return byKey;
    const named = [...this.lib.items, ...this.lib.trash].filter((i) => i.fileName === ref);
    if (named.length !== 1) throw new Error(`replica: ${named.length} library items named ${ref} (use an index or a mediaKey)`);
    return named[0];
  }

  private foreignItem(album: ReplicaAlbum, spec: ForeignItemSpec): ReplicaItem {
    const { ownedBy, ...item } = spec;
    const owner = ownedBy ?? (album.own ? album.members[0]?.name : album.owner.name);
    if (!owner || owner === this.me.name) throw new Error(`replica: a foreign item of "${album.title}" needs ownedBy (someone other than the account)`);
    this.person(owner);
    return this.lib.addForeign(item, owner);
  }

  // ---- reading ---------------------------------------------------------------------------

  get albums(): ReplicaAlbum[] {
    return this.all;
  }

  /** Z5xsfc's list: every album the account sees, most recently modified first. */
  listed(): ReplicaAlbum[] {
    return [...this.all].sort(compareAlbums);
  }

  album(albumKey: string): ReplicaAlbum | undefined {
    return this.byKey.get(albumKey);
  }

  get(albumKey: string): ReplicaAlbum {
    const a = this.byKey.get(albumKey);
    if (!a) throw new Error(`replica: no album ${albumKey}`);
    return a;
  }

  byShare(shareId: string): ReplicaAlbum | undefined {
    return this.byShareId.get(shareId);
  }

  byLink(linkId: string): ReplicaAlbum | undefined {
    return this.byLinkId.get(linkId);
  }

  /** The album's items as snAcKc lists them: trashed ones hidden, oldest taken first. */
  visible(album: ReplicaAlbum): AlbumEntry[] {
    return album.entries.filter((e) => e.item.trashedMs === null).sort(compareEntries);
  }

  /** Albums (own and shared) that show this item now. */
  holding(item: ReplicaItem): ReplicaAlbum[] {
    if (item.trashedMs !== null) return [];
    return this.listed().filter((a) => a.entries.some((e) => e.item === item));
  }

  /** The album-scoped key of an item in an album (for tests). */
  entryKey(albumKey: string, itemKey: string): string {
    const album = this.get(albumKey);
    const entry = album.entries.find((e) => e.item.mediaKey === itemKey || e.key === itemKey);
    if (!entry) throw new Error(`replica: ${itemKey} is not in album "${album.title}"`);
    return entry.key;
  }

  entry(key: string): { album: ReplicaAlbum; entry: AlbumEntry } | undefined {
    return this.entries.get(key);
  }

  /**
   * Whether a call carrying `authKey` may read the album. Own albums need none (facts page:
   * "authKey null for own albums"); someone else's album needs its authKey. A non-null authKey
   * that is not the album's never reads it.
   */
  canRead(album: ReplicaAlbum, authKey: string | null): boolean {
    if (authKey !== null && authKey !== album.authKey) return false;
    return album.own || authKey !== null;
  }

  /**
   * The item behind a key as VrseUb (`albumKey` given or null) and fDcn4b (`albumKey`
   * undefined: no such field) see it: a library or trash key; a partner item's key; or an
   * album-scoped key, readable with the album's authKey when the album is someone else's (and,
   * for VrseUb, that album's key: facts page, "nulls outside shared albums").
   */
  resolve(key: string, authKey: string | null, albumKey: string | null | undefined): Resolved | null {
    const own = this.lib.find(key);
    if (own) return { item: own, key, album: null, partner: false };
    const partnerItem = this.partnerItems.find((i) => i.mediaKey === key);
    if (partnerItem) return { item: partnerItem, key, album: null, partner: true };
    const hit = this.entries.get(key);
    if (!hit || hit.entry.item.trashedMs !== null) return null;
    const { album, entry } = hit;
    if (!this.canRead(album, authKey)) return null;
    if (albumKey !== undefined) {
      if (albumKey !== null && albumKey !== album.albumKey) return null;
      if (albumKey === null && !album.own) return null;
    }
    return { item: entry.item, key, album, partner: false };
  }

  /** Neighbours in album order (newer = the one before, older = the one after, as the arrows move). */
  neighbours(album: ReplicaAlbum, key: string): { newer: string | null; older: string | null } {
    const list = this.visible(album);
    const at = list.findIndex((e) => e.key === key);
    return { newer: at > 0 ? list[at - 1].key : null, older: at >= 0 && at + 1 < list.length ? list[at + 1].key : null };
  }

  partnerNeighbours(key: string): { newer: string | null; older: string | null } {
    const at = this.partnerItems.findIndex((i) => i.mediaKey === key);
    return { newer: at > 0 ? this.partnerItems[at - 1].mediaKey : null, older: at >= 0 && at + 1 < this.partnerItems.length ? this.partnerItems[at + 1].mediaKey : null };
  }

  // ---- mutations (each bumps the modified time of every album it changes) ----------------

  private touch(album: ReplicaAlbum): void {
    album.modifiedMs = Math.max(this.now(), album.modifiedMs + 1);
  }

  create(title: string, opts: { shared?: boolean; sharedWith?: string[]; ownedBy?: string } = {}): ReplicaAlbum {
    const t = this.now();
    const owner = opts.ownedBy ? this.person(opts.ownedBy) : this.me;
    return this.make(title, owner, { shared: opts.shared ?? (opts.ownedBy !== undefined || (opts.sharedWith?.length ?? 0) > 0), members: opts.sharedWith ?? [], createdMs: t });
  }

  rename(albumKey: string, title: string): void {
    const album = this.get(albumKey);
    album.title = title;
    this.touch(album);
  }

  remove(albumKey: string): void {
    const album = this.get(albumKey);
    this.all.splice(this.all.indexOf(album), 1);
    this.byKey.delete(albumKey);
    if (album.shareId) this.byShareId.delete(album.shareId);
    if (album.linkId) this.byLinkId.delete(album.linkId);
    for (const e of album.entries) this.entries.delete(e.key);
    const dropped = album.entries.map((e) => e.item);
    album.entries = [];
    this.forgetUnreferenced(dropped);
  }

  add(albumKey: string, refs: ItemRef[]): AlbumEntry[] {
    const album = this.get(albumKey);
    const t = this.now();
    const out = refs.map((ref) => {
      const item = this.libraryItem(ref);
      if (item.trashedMs !== null) throw new Error(`replica: ${item.mediaKey} is in the trash`);
      return this.addEntry(album, item, t);
    });
    this.touch(album);
    return out;
  }

  addForeign(albumKey: string, spec: ForeignItemSpec): AlbumEntry {
    const album = this.get(albumKey);
    const entry = this.addEntry(album, this.foreignItem(album, spec), this.now());
    this.touch(album);
    return entry;
  }

  /** `key`: the album-scoped key, or the item's own key. */
  removeFrom(albumKey: string, key: string): void {
    const album = this.get(albumKey);
    const at = album.entries.findIndex((e) => e.key === key || e.item.mediaKey === key);
    if (at < 0) throw new Error(`replica: ${key} is not in album "${album.title}"`);
    const [entry] = album.entries.splice(at, 1);
    this.entries.delete(entry.key);
    this.forgetUnreferenced([entry.item]);
    this.touch(album);
  }

  shareAlbum(albumKey: string, sharedWith: string[] = []): void {
    const album = this.get(albumKey);
    this.share(album);
    for (const name of sharedWith) {
      const p = this.person(name);
      if (p !== this.me && !album.members.includes(p)) album.members.push(p);
    }
    this.touch(album);
  }

  /** An item left the trash or went into it: the albums showing it changed. */
  itemChanged(item: ReplicaItem): void {
    for (const album of this.all) if (album.entries.some((e) => e.item === item)) this.touch(album);
  }

  /** An item was deleted for good: out of every album. */
  forget(item: ReplicaItem): void {
    for (const album of this.all) {
      const before = album.entries.length;
      album.entries = album.entries.filter((e) => {
        if (e.item !== item) return true;
        this.entries.delete(e.key);
        return false;
      });
      if (album.entries.length !== before) this.touch(album);
    }
  }

  /** Someone else's items that no album and no partner shows any more are gone for the account. */
  private forgetUnreferenced(items: ReplicaItem[]): void {
    for (const item of items) {
      if (item.owner === null) continue;
      const used = this.all.some((a) => a.entries.some((e) => e.item === item)) || this.partnerItems.includes(item);
      if (!used) this.lib.dropForeign(item.mediaKey);
    }
  }

  setPartner(name: string | null): void {
    if (name === null) {
      const items = this.partnerItems.splice(0);
      this.partner = null;
      this.forgetUnreferenced(items);
      return;
    }
    if (name === this.me.name) throw new Error('replica: the account cannot be its own partner');
    if (this.partner && this.partner.name !== name) this.setPartner(null);
    this.partner = this.person(name);
  }

  addPartnerItem(spec: ReplicaItemSpec): ReplicaItem {
    if (!this.partner) throw new Error('replica: no partner (ReplicaOptions.partner or setPartner(name) first)');
    const item = this.lib.addForeign(spec, this.partner.name);
    let at = 0;
    while (at < this.partnerItems.length && (this.partnerItems[at].takenMs > item.takenMs || (this.partnerItems[at].takenMs === item.takenMs && this.partnerItems[at].mediaKey < item.mediaKey))) at++;
    this.partnerItems.splice(at, 0, item);
    return item;
  }

  removePartnerItem(key: string): void {
    const at = this.partnerItems.findIndex((i) => i.mediaKey === key);
    if (at < 0) throw new Error(`replica: ${key} is not a partner item`);
    const [item] = this.partnerItems.splice(at, 1);
    this.forgetUnreferenced([item]);
  }
}

/**
 * Albums, partner sharing and trash over `sampleLibrary()` (indexes are its items): two own
 * albums both titled "Trip", one album the account shares with Alex, one album Robin shares
 * with the account holding two photos that are in no library of the account (and one that is),
 * one partner-shared item from Sam, one trashed item (DSCN0038.jpg, which "Trip" #2 then hides).
 * Spread into startReplica: `startReplica({ ...sampleAlbums() })`.
 */
export function sampleAlbums(): { albums: AlbumSpec[]; partner: PartnerSpec; trash: TrashSpec } {
  return {
    albums: [
      { title: 'Trip', items: [0, 2, 4, 12] },
      { title: 'Trip', items: [5, 6, 11] },
      { title: 'Family', items: [9, 14, 0], shared: true, sharedWith: ['Alex'] },
      {
        title: 'Ski weekend',
        ownedBy: 'Robin',
        items: [8],
        foreignItems: [
          { sample: 'Nikon_D70.jpg', fileName: 'DSC_0042.JPG', uploadedMs: Date.UTC(2024, 1, 3, 20) },
          { sample: 'mobile__HMD_Nokia_8.3_5G.jpg', fileName: 'IMG_20240203_101010.jpg', takenMs: Date.UTC(2024, 1, 3, 10, 10, 10), uploadedMs: Date.UTC(2024, 1, 3, 21) },
        ],
      },
    ],
    partner: { name: 'Sam', items: [{ sample: 'Sony_HDR-HC3.jpg', fileName: 'IMG_20250704_180000.jpg', takenMs: Date.UTC(2025, 6, 4, 18), uploadedMs: Date.UTC(2025, 6, 4, 19) }] },
    trash: [6],
  };
}
