// The argument shape of every rpcid the replica answers, as the facts page's RPC table gives it,
// checked the way a JSPB decoder would: each array index is one field; null (or a missing
// trailing field) means "not set"; a value of the wrong type or at the wrong nesting depth does
// not decode, and Google answers it with an error entry (the caller turns a refusal into
// `["wrb.fr", id, null, null, null, [3], "generic"]`).
//
// Faithful, not stricter: numbers the page writes as constants (500, 1, 3, 0) are checked as
// numbers only. Two things the page does not say, decided here: a slot the page shows as
// `null` has an unknown type, so only null is accepted there (a value shifted into it is the
// likeliest client mistake); and a non-null value past the last listed field is refused (the
// page lists the args exactly). Trailing nulls past it are fine.

/** A field checker: null when the value decodes, else why not. Every checker accepts null ("not set") unless wrapped in req(). */
export type Shape = (value: unknown, path: string) => string | null;

const unset = (v: unknown): boolean => v === null || v === undefined;
const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

export const str: Shape = (v, p) => (unset(v) || typeof v === 'string' ? null : `${p}: string expected, got ${typeName(v)}`);
export const num: Shape = (v, p) => (unset(v) || (typeof v === 'number' && Number.isFinite(v)) ? null : `${p}: number expected, got ${typeName(v)}`);
/** A slot the page shows as null: its type is unknown, so nothing but null decodes as documented. */
export const nul: Shape = (v, p) => (unset(v) ? null : `${p}: null expected (undocumented field), got ${typeName(v)}`);

/** Set, not null. Used where the call means nothing without the field (a mediaKey, the EWgK9e keys and mask). */
export function req(shape: Shape): Shape {
  return (v, p) => (unset(v) ? `${p}: required` : shape(v, p));
}

/** A repeated field: an array of set elements. */
export function list(of: Shape): Shape {
  return (v, p) => {
    if (unset(v)) return null;
    if (!Array.isArray(v)) return `${p}: list expected, got ${typeName(v)}`;
    for (let i = 0; i < v.length; i++) {
      const why = req(of)(v[i], `${p}[${i}]`);
      if (why) return why;
    }
    return null;
  };
}

/** A JSPB message: field i at index i; trailing nulls may be added or left off. */
export function msg(fields: Shape[]): Shape {
  return (v, p) => {
    if (unset(v)) return null;
    if (!Array.isArray(v)) return `${p}: message (array) expected, got ${typeName(v)}`;
    for (let i = 0; i < Math.max(fields.length, v.length); i++) {
      const at = `${p}[${i}]`;
      const why = i < fields.length ? fields[i](v[i], at) : unset(v[i]) ? null : `${at}: no such field (the page lists ${fields.length})`;
      if (why) return why;
    }
    return null;
  };
}

/** EWgK9e's field mask: 36 fields, all null but `[]` (an empty message) at 24 and 35. */
const MASK = msg(Array.from({ length: 36 }, (_, i) => (i === 24 || i === 35 ? req(msg([])) : nul)));

/** One shape per rpcid; each line names the facts-page row it encodes. */
export const ARG_SHAPES: Readonly<Record<string, Shape>> = {
  // lcxiM: [pageId, timestamp, 500, null, 1, source]
  lcxiM: msg([str, num, num, nul, num, num]),
  // EzkLib: ["", [[4,"ra",0,0]], pageId] | ["Favorites", [[5,"8",0,9]], pageId] | [query, null, pageId] — one message, three fillings
  EzkLib: msg([str, list(msg([num, str, num, num])), str]),
  // VrseUb: [mediaKey, null, authKey, null, albumKey]
  VrseUb: msg([req(str), nul, str, nul, str]),
  // fDcn4b: [mediaKey, 1, authKey, null, 1]
  fDcn4b: msg([req(str), num, str, nul, num]),
  // EWgK9e: [[[ [[key1],[key2],…] ], [MASK]]]
  EWgK9e: msg([req(msg([req(msg([list(msg([req(str)]))])), req(msg([req(MASK)]))]))]),
  // swbisb: [[hash,…], null, 3, 0]
  swbisb: msg([list(str), nul, num, num]),
  // Z5xsfc: [pageId, null, null, null, 1, null, null, 100, [2], 5]
  Z5xsfc: msg([str, nul, nul, nul, num, nul, nul, num, list(num), num]),
  // snAcKc: [albumKey, pageId, null, authKey]
  snAcKc: msg([req(str), str, nul, str]),
  // e9T5je: [pageId, null, [null, [[[2,1]]], [partnerActorId], [null, gaiaId], 1]] — the filter is what the call is about
  e9T5je: msg([str, nul, req(msg([nul, list(msg([msg([num, num])])), msg([str]), msg([nul, str]), num]))]),
  // zy0IHe: [pageId]
  zy0IHe: msg([str]),
};

/** Why Google would refuse these args (null: they decode). Unknown rpcids are refused too. */
export function argsRefusal(rpcid: string, args: unknown): string | null {
  const shape = ARG_SHAPES[rpcid];
  if (!shape) return `unknown rpcid ${rpcid}`;
  if (!Array.isArray(args)) return `${rpcid}: args must be a message (array), got ${typeName(args)}`;
  return shape(args, rpcid);
}

/** The documented EWgK9e args for some keys (what the page says the web app sends). */
export function bulkInfoArgs(keys: string[]): unknown[] {
  const mask: unknown[] = Array.from({ length: 36 }, (_, i) => (i === 24 || i === 35 ? [] : null));
  return [[[keys.map((k) => [k])], [mask]]];
}
