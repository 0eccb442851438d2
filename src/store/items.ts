// Typed queries on the items table: what Google lists, and where each item stands. This file
// is the only writer of items.state: every change is one of the named transitions below.
import type { Db } from './database.js';
import { KeepError } from '../errors.js';
import type { RemoteItem } from '../model/remote-item.js';
import type { TakenRange } from '../model/taken-range.js';

export type ItemState = 'pending' | 'done' | 'failed' | 'deferred' | 'gone' | 'trashed';
export const ITEM_STATES: ItemState[] = ['pending', 'done', 'failed', 'deferred', 'gone', 'trashed'];

/** How the account sees an item: its library, someone else's album shared with it, or partner sharing. */
export type ItemOrigin = 'library' | 'shared' | 'partner';

export interface ItemRow {
  media_key: string;
  dedup_key: string | null;
  kind: 'photo' | 'video' | 'live';
  taken_ms: number;
  tz_offset_ms: number;
  uploaded_ms: number | null;
  width: number | null;
  height: number | null;
  file_name: string | null;
  size_bytes: number | null;
  favorite: number;
  archived: number;
  edited: number;
  not_owned: number;
  state: ItemState;
  attempts: number;
  last_error: string | null;
  first_seen_ms: number;
  seen_ms: number;
  gone_ms: number | null;
  done_ms: number | null;
  google_lat: number | null;
  google_lng: number | null;
  google_description: string | null;
  location_google_only: number;
  remote_fingerprint: string | null;
  /** Runs that failed this item since it was last kept or retried with --retry-failed. */
  failed_runs: number;
  /** When it was parked: failed in --park-after runs, not tried again until --retry-failed. */
  parked_ms: number | null;
  origin: ItemOrigin;
  /** Whose it is when not the account's (a name, else an actor id). */
  owner: string | null;
  /** When Google's trash took it (state trashed). */
  trashed_ms: number | null;
  /** The xmp:Rating our sidecar carries (5 for a favorite); null: none. */
  rating: number | null;
}

/**
 * The allowed changes of an item's state, written down once. Each names the states an item may
 * be in (`from`; empty: the item is new, an INSERT), the state it ends in, and what else the
 * change writes (named parameters). Everything that moves an item goes through this table.
 */
interface TransitionRule {
  readonly from: readonly ItemState[];
  /** One state, or, where the row's own history decides, the states and the SQL choosing one. */
  readonly to: ItemState | { readonly states: readonly ItemState[]; readonly sql: string };
  readonly set: string;
}

export const ITEM_TRANSITIONS = {
  /** A newly listed (or adopted) item: to be downloaded. */
  queue: { from: [], to: 'pending', set: '' },
  /**
   * Fetch it again: its kept files became versions, verify found them missing, an adopted lossy
   * copy waits for its original, a comeback whose files are in the trash. Google no longer
   * lists a gone item, so it cannot be fetched: not from gone.
   */
  requeue: { from: ['pending', 'done', 'failed', 'deferred'], to: 'pending', set: 'done_ms = NULL, attempts = 0' },
  /**
   * Its files are verified and recorded; kept, it no longer counts failed runs. From done: an
   * adopted lossy copy kept again. From gone or trashed: a download that ends after the rescan
   * or the trash listing running beside it, an adopted file of an item Google no longer lists.
   * (The schema's trigger items_done_clears_failures, migration 4, clears the same counts on a
   * revival into done.) New files: the sidecar's rating is written again (rating = NULL).
   */
  done: { from: ['pending', 'failed', 'deferred', 'done', 'gone', 'trashed'], to: 'done', set: 'done_ms = @now, last_error = NULL, failed_runs = 0, parked_ms = NULL, rating = NULL' },
  /** A run gave up on it. From done: Google's SHA-1 says the kept bytes are another item's. From gone or trashed: as for done. */
  fail: {
    from: ['pending', 'failed', 'deferred', 'done', 'gone', 'trashed'],
    to: 'failed',
    set: 'attempts = attempts + 1, failed_runs = failed_runs + 1, last_error = @error, seen_ms = MAX(seen_ms, @now)',
  },
  /** Failed in --park-after runs: left alone until `sync --retry-failed`. */
  park: { from: ['failed'], to: 'failed', set: 'parked_ms = COALESCE(parked_ms, @now)' },
  /** `sync --retry-failed`: tried again with a fresh count. */
  unpark: { from: ['failed'], to: 'failed', set: 'failed_runs = 0, parked_ms = NULL' },
  /** Not a failure (a video still processing): waits for a later run. From gone or trashed: as for done. */
  defer: { from: ['pending', 'failed', 'deferred', 'gone', 'trashed'], to: 'deferred', set: 'last_error = @reason' },
  /** A full rescan did not list it: deleted in Google. Its files stay until --prune. */
  gone: { from: ['pending', 'done', 'failed', 'deferred'], to: 'gone', set: 'gone_ms = @now' },
  /** Listed again: done if its files were kept (done_ms), else pending. */
  revive: {
    from: ['gone'],
    to: { states: ['pending', 'done'], sql: `CASE WHEN done_ms IS NULL THEN 'pending' ELSE 'done' END` },
    set: 'gone_ms = NULL',
  },
  /**
   * In Google's trash: not gone (Google deletes it for good only later, and it may come back).
   * Its files stay, --prune leaves it alone, the mass-disappearance guard does not count it. From
   * gone: a rescan that ran before the trash was known.
   */
  trash: { from: ['pending', 'done', 'failed', 'deferred', 'gone'], to: 'trashed', set: 'trashed_ms = @trashedMs, gone_ms = NULL' },
  /** Restored from the trash: done if its files were kept (done_ms), else pending. */
  untrash: {
    from: ['trashed'],
    to: { states: ['pending', 'done'], sql: `CASE WHEN done_ms IS NULL THEN 'pending' ELSE 'done' END` },
    set: 'trashed_ms = NULL',
  },
  /** Left the trash without coming back: deleted for good (by hand or after Google's 60 days). */
  purge: { from: ['trashed'], to: 'gone', set: 'gone_ms = @now' },
} as const satisfies Record<string, TransitionRule>;

export type ItemTransition = keyof typeof ITEM_TRANSITIONS;

/** A transition the table does not allow from the item's state: a bug, never the item's fault. */
export class IllegalTransitionError extends KeepError {
  constructor(
    readonly mediaKey: string,
    readonly fromState: ItemState | null,
    readonly transition: ItemTransition,
  ) {
    super(
      fromState === null
        ? `Item ${mediaKey} is not in the index: cannot ${transition} it`
        : `Item ${mediaKey} cannot ${transition} from state ${fromState} (allowed from: ${ITEM_TRANSITIONS[transition].from.join(', ') || 'a new item only'})`,
    );
  }
}

/** The states a transition may end in. */
export function transitionTargets(name: ItemTransition): readonly ItemState[] {
  const to = ITEM_TRANSITIONS[name].to as TransitionRule['to'];
  return typeof to === 'string' ? [to] : to.states;
}

const quote = (state: ItemState): string => `'${state}'`;

/** The rule's from-states as a condition, in the shape that keeps the planner's choice (a scan for "not gone", the state index for "failed"). */
function fromCondition(name: ItemTransition): string {
  const from = ITEM_TRANSITIONS[name].from as readonly ItemState[];
  const others = ITEM_STATES.filter((s) => !from.includes(s));
  if (others.length === 0) return 'TRUE';
  return others.length < from.length ? `state NOT IN (${others.map(quote).join(', ')})` : `state IN (${from.map(quote).join(', ')})`;
}

function toSql(name: ItemTransition): string {
  const to = ITEM_TRANSITIONS[name].to as TransitionRule['to'];
  return typeof to === 'string' ? quote(to) : to.sql;
}

/** The new state of a row under a transition inside a wider UPDATE: rows it does not allow keep theirs. */
function stateUnder(name: ItemTransition): string {
  return `CASE WHEN ${fromCondition(name)} THEN ${toSql(name)} ELSE state END`;
}

function updateSql(name: ItemTransition, where: string): string {
  const rule = ITEM_TRANSITIONS[name] as TransitionRule;
  if (rule.from.length === 0) throw new Error(`The ${name} transition creates items: it is an INSERT, not an UPDATE`);
  return `UPDATE items SET state = ${toSql(name)}${rule.set ? `, ${rule.set}` : ''} WHERE (${where}) AND ${fromCondition(name)}`;
}

type Statement = ReturnType<Db['prepare']>;
/** Statements of the transitions, prepared once per connection. */
const statements = new WeakMap<Db, Map<string, Statement>>();

function prepared(db: Db, sql: string): Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, (stmt = db.prepare(sql)));
  return stmt;
}

/**
 * Applies one transition to one item and returns its row after. Throws IllegalTransitionError,
 * changing nothing, when the table does not allow it from the item's state.
 */
export function applyTransition(db: Db, name: ItemTransition, mediaKey: string, params: Record<string, unknown> = {}): ItemRow {
  const row = prepared(db, `${updateSql(name, 'media_key = @mediaKey')} RETURNING *`).get({ ...params, mediaKey }) as ItemRow | undefined;
  if (row) return row;
  const from = db.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(mediaKey) as ItemState | undefined;
  throw new IllegalTransitionError(mediaKey, from ?? null, name);
}

/**
 * Applies one transition to every item matching `where` (SQL over items, named parameters) in
 * one statement; items whose state the table does not allow it from are left as they are.
 * Returns how many items changed.
 */
export function applyTransitionWhere(db: Db, name: ItemTransition, where: string, params: Record<string, unknown> = {}): number {
  return prepared(db, updateSql(name, where)).run(params).changes;
}

export interface UpsertResult {
  inserted: number;
  /** Keys in this batch that the index did not know before. */
  newKeys: string[];
}

/**
 * Records a batch of listed items in one transaction. New items are queued; known ones get
 * their flags refreshed; an item that was `gone` and is listed again is revived, one that was
 * in the trash is restored.
 */
export function upsertItems(db: Db, items: RemoteItem[], nowMs = Date.now()): UpsertResult {
  const insert = db.prepare(`INSERT OR IGNORE INTO items
    (media_key, dedup_key, kind, taken_ms, tz_offset_ms, uploaded_ms, width, height, favorite, archived, not_owned, google_description, size_bytes, first_seen_ms, seen_ms, state)
    VALUES (@mediaKey, @dedupKey, @kind, @takenMs, @tzOffsetMs, @uploadedMs, @width, @height, @favorite, @archived, @notOwned, @caption, @sizeBytes, @now, @now, ${toSql('queue')})`);
  const refresh = db.prepare(`UPDATE items SET
      seen_ms = @now, favorite = @favorite, archived = @archived, not_owned = @notOwned, dedup_key = COALESCE(@dedupKey, dedup_key),
      taken_ms = @takenMs, tz_offset_ms = @tzOffsetMs, uploaded_ms = COALESCE(@uploadedMs, uploaded_ms),
      kind = @kind, width = COALESCE(@width, width), height = COALESCE(@height, height),
      google_description = COALESCE(@caption, google_description),
      size_bytes = CASE WHEN state = 'done' THEN size_bytes ELSE COALESCE(@sizeBytes, size_bytes) END,
      state = CASE WHEN ${fromCondition('untrash')} THEN ${toSql('untrash')} ELSE ${stateUnder('revive')} END,
      gone_ms = NULL,
      trashed_ms = NULL
    WHERE media_key = @mediaKey`);
  const newKeys: string[] = [];
  db.transaction(() => {
    for (const item of items) {
      const params = {
        mediaKey: item.mediaKey,
        dedupKey: item.dedupKey,
        kind: item.kind,
        takenMs: item.takenMs,
        tzOffsetMs: item.tzOffsetMs,
        uploadedMs: item.uploadedMs,
        width: item.width,
        height: item.height,
        favorite: item.favorite ? 1 : 0,
        archived: item.archived ? 1 : 0,
        notOwned: item.notOwned ? 1 : 0,
        caption: item.caption,
        sizeBytes: item.sizeBytes ?? null,
        now: nowMs,
      };
      if (insert.run(params).changes === 1) newKeys.push(item.mediaKey);
      else refresh.run(params);
    }
  })();
  return { inserted: newKeys.length, newKeys };
}

export function knownKeys(db: Db, keys: string[]): Set<string> {
  const known = new Set<string>();
  const stmt = db.prepare('SELECT 1 FROM items WHERE media_key = ?').pluck();
  for (const key of keys) if (stmt.get(key) !== undefined) known.add(key);
  return known;
}

export function getItem(db: Db, mediaKey: string): ItemRow | undefined {
  return db.prepare('SELECT * FROM items WHERE media_key = ?').get(mediaKey) as ItemRow | undefined;
}

/** A parked item: failed, and left alone until `sync --retry-failed`. */
export const PARKED = `state = 'failed' AND parked_ms IS NOT NULL`;

/** SQL for "taken inside the range" (local date taken, as the folder layout files it), with its two named parameters. */
export const IN_TAKEN_RANGE = `(@fromMs IS NULL OR taken_ms + tz_offset_ms >= @fromMs) AND (@toMs IS NULL OR taken_ms + tz_offset_ms < @toMs)`;

export function rangeParams(range: TakenRange | null | undefined): { fromMs: number | null; toMs: number | null } {
  return { fromMs: range?.fromMs ?? null, toMs: range?.toMs ?? null };
}

/** Items to download next, newest first, skipping the ones already handed out and the parked ones (and, with a range, those taken outside it). */
export function nextPending(db: Db, limit: number, exclude: ReadonlySet<string>, maxAttempts: number, range: TakenRange | null = null): ItemRow[] {
  const rows = db
    .prepare(`SELECT * FROM items WHERE state IN ('pending', 'deferred', 'failed') AND attempts < @maxAttempts AND NOT (${PARKED}) AND ${IN_TAKEN_RANGE} ORDER BY taken_ms DESC LIMIT @limit`)
    .all({ maxAttempts, limit: limit + exclude.size, ...rangeParams(range) }) as ItemRow[];
  return rows.filter((row) => !exclude.has(row.media_key)).slice(0, limit);
}

/**
 * Items by state. The states every index has are always there (0 or more); `trashed` appears
 * once an item is in Google's trash.
 */
export function countByState(db: Db): Record<ItemState, number> {
  const counts = Object.fromEntries(ITEM_STATES.filter((s) => s !== 'trashed').map((s) => [s, 0])) as Record<ItemState, number>;
  for (const row of db.prepare('SELECT state, COUNT(*) AS n FROM items GROUP BY state').all() as { state: ItemState; n: number }[]) {
    counts[row.state] = row.n;
  }
  return counts;
}

export interface FailedRun {
  /** Runs that failed the item since it was last kept or retried, this one included. */
  failedRuns: number;
  /** This failure parked it: later runs leave it alone until --retry-failed. */
  parked: boolean;
}

/**
 * One run gave up on an item (called once per item per run): fail, and with `parkAfter`, the
 * run that makes it fail that many runs parks it. Becoming done clears the count (the done transition).
 */
export function markFailed(db: Db, mediaKey: string, error: string, nowMs = Date.now(), parkAfter: number | null = null): FailedRun {
  return db.transaction(() => {
    let row = applyTransition(db, 'fail', mediaKey, { error, now: nowMs });
    if (parkAfter !== null && row.failed_runs >= parkAfter) row = applyTransition(db, 'park', mediaKey, { now: nowMs });
    return { failedRuns: row.failed_runs, parked: row.parked_ms != null };
  })();
}

/** The name learnt from Google for an item not downloaded yet, so a failing item can be named. */
export function noteFileName(db: Db, mediaKey: string, fileName: string): void {
  db.prepare('UPDATE items SET file_name = ? WHERE media_key = ? AND file_name IS NULL').run(fileName, mediaKey);
}

/** `sync --retry-failed`: every failed item, parked or not, is tried again with a fresh count. */
export function unparkFailed(db: Db): number {
  const parked = db.prepare(`SELECT COUNT(*) FROM items WHERE ${PARKED}`).pluck().get() as number;
  applyTransitionWhere(db, 'unpark', 'TRUE');
  return parked;
}

/** --recheck: the parked items taken in a period are tried again; how many. */
export function unparkTakenIn(db: Db, range: TakenRange): number {
  return applyTransitionWhere(db, 'unpark', `${PARKED} AND ${IN_TAKEN_RANGE}`, rangeParams(range));
}

/** Not a failure (a video still processing): the item waits for a later run. */
export function markDeferred(db: Db, mediaKey: string, reason: string): void {
  applyTransition(db, 'defer', mediaKey, { reason });
}

/** Its files are verified and recorded (the caller records them in the same transaction). */
export function markDone(db: Db, mediaKey: string, nowMs = Date.now()): void {
  applyTransition(db, 'done', mediaKey, { now: nowMs });
}

/** Queues an item to be downloaded again; throws for an item Google no longer lists (gone). */
export function requeue(db: Db, mediaKey: string): void {
  applyTransition(db, 'requeue', mediaKey);
}

/** Queues an item to be downloaded again unless it is gone (it cannot be fetched); false when it was left as it is. */
export function requeueUnlessGone(db: Db, mediaKey: string): boolean {
  return applyTransitionWhere(db, 'requeue', 'media_key = @mediaKey', { mediaKey }) > 0;
}

/** In Google's trash since `trashedMs` (null: unknown); true when it changed (a trashed item stays as it is). */
export function markTrashed(db: Db, mediaKey: string, trashedMs: number | null): boolean {
  return applyTransitionWhere(db, 'trash', 'media_key = @mediaKey', { mediaKey, trashedMs }) > 0;
}

/** Back from the trash: done if its files are kept, else pending. */
export function markRestored(db: Db, mediaKey: string): ItemRow {
  return applyTransition(db, 'untrash', mediaKey);
}

/** Left the trash for good: gone (its files stay until --prune). */
export function markPurged(db: Db, mediaKey: string, nowMs = Date.now()): ItemRow {
  return applyTransition(db, 'purge', mediaKey, { now: nowMs });
}

/** Marks every item matching `where` (SQL over items, named parameters) gone, in one statement; returns how many. */
export function markGoneWhere(db: Db, where: string, params: Record<string, unknown>, nowMs = Date.now()): number {
  return applyTransitionWhere(db, 'gone', where, { ...params, now: nowMs });
}

/** An item first met through an adopted file: queued if new; a known one only gets the name if it had none. */
export function queueAdoptedItem(
  db: Db,
  item: { mediaKey: string; kind: 'photo' | 'video' | 'live'; takenMs: number; tzOffsetMs?: number; fileName: string | null },
  nowMs = Date.now(),
): void {
  prepared(
    db,
    `INSERT INTO items (media_key, kind, taken_ms, tz_offset_ms, file_name, state, first_seen_ms, seen_ms)
      VALUES (@mediaKey, @kind, @takenMs, @tz, @fileName, ${toSql('queue')}, @now, @now)
      ON CONFLICT(media_key) DO UPDATE SET file_name = COALESCE(items.file_name, excluded.file_name)`,
  ).run({ mediaKey: item.mediaKey, kind: item.kind, takenMs: item.takenMs, tz: item.tzOffsetMs ?? 0, fileName: item.fileName, now: nowMs });
}

export function getMeta(db: Db, key: string): string | undefined {
  return db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** How many of these keys are already done (a listing's "skipped" count). */
export function countDone(db: Db, keys: string[]): number {
  const stmt = db.prepare(`SELECT 1 FROM items WHERE media_key = ? AND state = 'done'`).pluck();
  let n = 0;
  for (const key of keys) if (stmt.get(key) !== undefined) n++;
  return n;
}
