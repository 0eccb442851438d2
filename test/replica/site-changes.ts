// `faults.siteChanged`: the replica as it would look the morning after Google changed one
// thing. Each part changes one fact of the facts page and nothing else; the replica's own page
// JS follows the change (Google ships its app and its server together), so the site still works
// for a person while a client that relies on the old fact breaks.

/** Every part, in the order `doctor --site` reports the facts they break. */
export const SITE_CHANGE_PARTS = [
  /** WIZ_global_data names the at token differently (no `SNlM0e`). */
  'tokens',
  /** Each RPC's answer: in every row the mediaKey no longer comes first (fields moved). */
  'lcxiM',
  /** EzkLib's recently-uploaded form (not its Favorites form, which is `favorites`). */
  'EzkLib',
  /** EzkLib's Favorites form (`["Favorites", …]`) only. */
  'favorites',
  'VrseUb',
  'fDcn4b',
  'EWgK9e',
  'swbisb',
  /** Albums (the albumKey no longer first in album rows), one album's items, partner items, the trash. */
  'Z5xsfc',
  'snAcKc',
  'e9T5je',
  'zy0IHe',
  /** Grid tiles link to `/photo/<key>`, not `./photo/<key>`. */
  'gridLinks',
  /** The viewer's "More options" button is labelled "More actions". */
  'viewerLabels',
  /** Shift+D does nothing; only the menu downloads. */
  'shiftD',
  /** The menu entry is labelled "Download", not "Download - Shift+D". */
  'downloadMenu',
  /** The info panel's "Filename:" field reads "File name:". */
  'infoPanel',
] as const;

export type SiteChangePart = (typeof SITE_CHANGE_PARTS)[number];

export type SiteChanges = ReadonlySet<SiteChangePart>;

const RPC_PARTS: readonly string[] = ['lcxiM', 'EzkLib', 'favorites', 'VrseUb', 'fDcn4b', 'EWgK9e', 'swbisb', 'Z5xsfc', 'snAcKc', 'e9T5je', 'zy0IHe'];

/** The part an RPC call's answer belongs to: its rpcid, but EzkLib's Favorites form is a part of its own. */
function rpcPartOf(rpcid: string, args: unknown): string {
  return rpcid === 'EzkLib' && Array.isArray(args) && args[0] === 'Favorites' ? 'favorites' : rpcid;
}

/** The at token's key when `tokens` is on. */
export const RENAMED_AT_KEY = 'SNlM0f';

/** What the changed page uses; the defaults are the facts page's. */
export interface PageTexts {
  atKey: string;
  moreOptions: string;
  downloadEntry: string;
  infoFilename: string;
  /** Tile href prefix: `./photo/` as documented. */
  tileHref: string;
  shiftD: boolean;
  /** rpcids whose answers the page reads through `swapKeyFields(…, 1)` (their shape changed). */
  changedRpcs: string[];
}

export function pageTexts(changes: SiteChanges = new Set()): PageTexts {
  return {
    atKey: changes.has('tokens') ? RENAMED_AT_KEY : 'SNlM0e',
    moreOptions: changes.has('viewerLabels') ? 'More actions' : 'More options',
    downloadEntry: changes.has('downloadMenu') ? 'Download' : 'Download - Shift+D',
    infoFilename: changes.has('infoPanel') ? 'File name:' : 'Filename:',
    tileHref: changes.has('gridLinks') ? '/photo/' : './photo/',
    shiftD: !changes.has('shiftD'),
    // The page reads a changed form's rpcid through the inverse swap, harmless on its unchanged forms.
    changedRpcs: [...new Set(RPC_PARTS.filter((part) => changes.has(part as SiteChangePart)).map((part) => (part === 'favorites' ? 'EzkLib' : part)))],
  };
}

/**
 * Swaps the first two fields of every list that starts with a mediaKey (rows, info entries,
 * owner blocks), at any depth: the key moves to [1].
 */
export function moveKeyFields(value: unknown): unknown {
  return swapKeyFields(value, 0);
}

/**
 * keyAt 0: moveKeyFields. keyAt 1: its inverse, how the page JS reads a changed answer (no
 * answer of the replica has a key at [1] otherwise). Self-contained: the page gets its source
 * through toString().
 */
export function swapKeyFields(value: unknown, keyAt: 0 | 1): unknown {
  const isKey = (v: unknown): boolean => typeof v === 'string' && /^AF1Qip[A-Za-z0-9_-]{20,}$/.test(v);
  if (Array.isArray(value)) {
    const out = value.map((v) => swapKeyFields(v, keyAt));
    if (out.length >= 2 && isKey(out[keyAt]) && !isKey(out[1 - keyAt])) {
      const first = out[0];
      out[0] = out[1];
      out[1] = first;
    }
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = swapKeyFields(v, keyAt);
    return out;
  }
  return value;
}

/** The RPC answer as served: changed when the part of its rpcid (and form, from `args`) is on. */
export function changedAnswer(changes: SiteChanges, rpcid: string, payload: unknown, args: unknown = null): unknown {
  const part = rpcPartOf(rpcid, args);
  return RPC_PARTS.includes(part) && changes.has(part as SiteChangePart) ? moveKeyFields(payload) : payload;
}

/** WIZ_global_data as served: with `tokens` on, the at token sits under another key. */
export function changedWiz<T extends Record<string, unknown>>(changes: SiteChanges, wiz: T): Record<string, unknown> {
  if (!changes.has('tokens')) return wiz;
  const { SNlM0e, ...rest } = wiz;
  return { ...rest, [RENAMED_AT_KEY]: SNlM0e };
}
