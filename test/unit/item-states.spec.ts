// Item states have one writer: src/store/items.ts and its table of named transitions. On a real
// SQLite index: every transition the table allows works from each of its from-states, every other
// one throws and changes nothing (one item) or skips the row (a set); and no other file of src/
// holds SQL that writes items.state, so a new writer elsewhere fails here.
import { test, expect } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Db, openIndex } from '../../src/store/database.js';
import {
  applyTransition,
  applyTransitionWhere,
  getItem,
  IllegalTransitionError,
  ITEM_STATES,
  ITEM_TRANSITIONS,
  type ItemState,
  type ItemTransition,
  markDeferred,
  markDone,
  markFailed,
  markGoneWhere,
  queueAdoptedItem,
  requeue,
  requeueUnlessGone,
  transitionTargets,
  upsertItems,
} from '../../src/store/items.js';
import type { RemoteItem } from '../../src/model/remote-item.js';

let dir: string;
let db: Db;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-states-'));
  db = openIndex(dir);
});
test.afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function item(n: number): RemoteItem {
  return { mediaKey: `AF1QipState${String(n).padStart(34, '0')}`, dedupKey: null, takenMs: Date.UTC(2023, 0, 1 + n), tzOffsetMs: 0, uploadedMs: null, width: 4, height: 3, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null };
}

const TRANSITIONS = Object.keys(ITEM_TRANSITIONS) as ItemTransition[];
const UPDATES = TRANSITIONS.filter((t) => ITEM_TRANSITIONS[t].from.length > 0);
const allowed = (t: ItemTransition, s: ItemState): boolean => (ITEM_TRANSITIONS[t].from as readonly ItemState[]).includes(s);

/** Values for the named parameters a transition's SQL takes: times (now, …Ms) are numbers, the rest text. */
function paramsFor(t: ItemTransition): Record<string, unknown> {
  const names = [...ITEM_TRANSITIONS[t].set.matchAll(/@(\w+)/g)].map((m) => m[1]);
  return Object.fromEntries(names.map((name) => [name, name === 'now' || name.endsWith('Ms') ? 5_000 : `${t}: HTTP 500`]));
}

/** Transitions, one target each, that lead from a new (pending) item to every state: found in the table itself. */
function pathsFromPending(): Map<ItemState, ItemTransition[]> {
  const paths = new Map<ItemState, ItemTransition[]>([['pending', []]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const t of UPDATES) {
      const targets = transitionTargets(t);
      if (targets.length !== 1 || paths.has(targets[0])) continue;
      const from = [...paths.keys()].find((s) => allowed(t, s));
      if (from === undefined) continue;
      paths.set(targets[0], [...paths.get(from)!, t]);
      grew = true;
    }
  }
  return paths;
}
const PATHS = pathsFromPending();

/** A new item brought to `state` by the named transitions themselves. */
function itemIn(n: number, state: ItemState): string {
  const key = item(n).mediaKey;
  upsertItems(db, [item(n)], 1_000);
  for (const t of PATHS.get(state) ?? []) applyTransition(db, t, key, paramsFor(t));
  expect(getItem(db, key)?.state).toBe(state);
  return key;
}

test('the table: every state is reachable, every transition ends in a known state, and the ones that move an item between states name where from', () => {
  expect(TRANSITIONS).toEqual(expect.arrayContaining(['queue', 'requeue', 'done', 'fail', 'defer', 'park', 'unpark', 'gone', 'revive']));
  const reachable = new Set(TRANSITIONS.flatMap((t) => transitionTargets(t)));
  expect([...reachable].sort()).toEqual([...ITEM_STATES].sort());
  expect([...PATHS.keys()].sort()).toEqual([...ITEM_STATES].sort());
  for (const t of TRANSITIONS) for (const s of ITEM_TRANSITIONS[t].from) expect(ITEM_STATES).toContain(s);
  // A gone item cannot be fetched; only a listing brings it back.
  expect(allowed('requeue', 'gone')).toBe(false);
  expect(ITEM_TRANSITIONS.revive.from).toEqual(['gone']);
  expect(allowed('gone', 'gone')).toBe(false);
});

test('every allowed transition works from each of its from-states, on one item', () => {
  let n = 0;
  for (const t of UPDATES) {
    for (const from of ITEM_STATES.filter((s) => allowed(t, s))) {
      const key = itemIn(++n, from);
      const row = applyTransition(db, t, key, paramsFor(t));
      expect(transitionTargets(t), `${t} from ${from}`).toContain(row.state);
      expect(getItem(db, key)).toEqual(row);
    }
  }
  expect(n).toBeGreaterThan(UPDATES.length);
});

test('every transition the table does not allow throws, naming the item, its state and the transition, and changes nothing', () => {
  let n = 0;
  let illegal = 0;
  for (const t of UPDATES) {
    for (const from of ITEM_STATES.filter((s) => !allowed(t, s))) {
      const key = itemIn(++n, from);
      const before = getItem(db, key);
      let thrown: unknown;
      try {
        applyTransition(db, t, key, paramsFor(t));
      } catch (error) {
        thrown = error;
      }
      expect(thrown, `${t} from ${from}`).toBeInstanceOf(IllegalTransitionError);
      const error = thrown as IllegalTransitionError;
      expect(error).toMatchObject({ mediaKey: key, fromState: from, transition: t });
      expect(error.message).toContain(key);
      expect(error.message).toContain(from);
      expect(error.message).toContain(t);
      expect(getItem(db, key)).toEqual(before);
      illegal++;
    }
  }
  // requeue/gone/defer from gone, revive/park/unpark from four states each, at least.
  expect(illegal).toBeGreaterThanOrEqual(10);
  expect(() => requeue(db, itemIn(++n, 'gone'))).toThrow(IllegalTransitionError);
  expect(() => markDeferred(db, itemIn(++n, 'done'), 'x')).toThrow(/cannot defer from state done/);
  expect(() => markDone(db, 'AF1QipNotInTheIndex', 1)).toThrow(/not in the index/);
});

test('a transition applied to a set changes the rows it allows and leaves every other row as it was', () => {
  for (const t of UPDATES) {
    const keys = ITEM_STATES.map((s, i) => itemIn(1000 * (UPDATES.indexOf(t) + 1) + i, s));
    const before = keys.map((k) => getItem(db, k));
    const marks = keys.map((_, i) => `@k${i}`).join(', ');
    const changed = applyTransitionWhere(db, t, `media_key IN (${marks})`, { ...paramsFor(t), ...Object.fromEntries(keys.map((k, i) => [`k${i}`, k])) });
    expect(changed, t).toBe(ITEM_STATES.filter((s) => allowed(t, s)).length);
    ITEM_STATES.forEach((s, i) => {
      const after = getItem(db, keys[i]);
      if (allowed(t, s)) expect(transitionTargets(t)).toContain(after?.state);
      else expect(after, `${t} skips ${s}`).toEqual(before[i]);
    });
  }
});

test('what the transitions write besides the state: queue, requeue, done, fail and park, gone and revive', () => {
  // queue: a listed item, and an adopted one, are new and pending; listing a kept item again does not queue it.
  const listed = itemIn(1, 'pending');
  queueAdoptedItem(db, { mediaKey: 'AF1QipAdoptedOnly', kind: 'video', takenMs: 7, fileName: 'clip.mp4' }, 1_000);
  expect(getItem(db, 'AF1QipAdoptedOnly')).toMatchObject({ state: 'pending', kind: 'video', file_name: 'clip.mp4' });
  markDone(db, listed, 3_000);
  upsertItems(db, [item(1)], 4_000);
  expect(getItem(db, listed)).toMatchObject({ state: 'done', done_ms: 3_000 });

  // fail counts; park marks; done clears both (the schema's trigger) and the error.
  const failing = itemIn(2, 'pending');
  expect(markFailed(db, failing, 'HTTP 500', 1_000, 2)).toEqual({ failedRuns: 1, parked: false });
  expect(markFailed(db, failing, 'HTTP 502', 2_000, 2)).toEqual({ failedRuns: 2, parked: true });
  expect(getItem(db, failing)).toMatchObject({ state: 'failed', attempts: 2, failed_runs: 2, parked_ms: 2_000, last_error: 'HTTP 502' });
  markDone(db, failing, 3_000);
  expect(getItem(db, failing)).toMatchObject({ state: 'done', done_ms: 3_000, failed_runs: 0, parked_ms: null, last_error: null });

  // requeue: pending again, not counted as kept, a fresh count; unless gone, where it is left alone.
  requeue(db, failing);
  expect(getItem(db, failing)).toMatchObject({ state: 'pending', done_ms: null, attempts: 0 });
  const gone = itemIn(3, 'gone');
  const before = getItem(db, gone);
  expect(requeueUnlessGone(db, gone)).toBe(false);
  expect(getItem(db, gone)).toEqual(before);
  expect(requeueUnlessGone(db, listed)).toBe(true);

  // gone, then revive: back to pending when never kept, to done when its files were kept.
  const kept = itemIn(4, 'done');
  expect(markGoneWhere(db, 'media_key IN (@a, @b)', { a: kept, b: listed }, 6_000)).toBe(2);
  expect(getItem(db, kept)).toMatchObject({ state: 'gone', gone_ms: 6_000 });
  upsertItems(db, [item(4), item(1), item(3)], 7_000);
  expect(getItem(db, kept)).toMatchObject({ state: 'done', gone_ms: null });
  expect(getItem(db, listed)).toMatchObject({ state: 'pending', gone_ms: null });
  expect(getItem(db, gone)).toMatchObject({ state: 'pending', gone_ms: null });
});

// ---- one writer: no SQL outside src/store/items.ts writes items.state -----------------------

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const WRITER = path.join(SRC, 'store', 'items.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(full) : /\.[cm]?[jt]s$/.test(e.name) ? [full] : [];
  });
}

/** SQL in this text that writes items.state: a new items row (its state is the queue transition's), or an UPDATE of items that assigns state. */
function stateWrites(text: string): string[] {
  const hits: string[] = [];
  for (const m of text.matchAll(/\b(?:INSERT|REPLACE)\s+(?:OR\s+\w+\s+)?INTO\s+items\b/gi)) hits.push(m[0]);
  // The SET list runs to its WHERE or RETURNING, or the end of the string or statement.
  for (const m of text.matchAll(/\bUPDATE\s+(?:OR\s+\w+\s+)?items\b([\s\S]*?)(?:\bWHERE\b|\bRETURNING\b|`|;|$)/gi)) {
    if (/(?:\bSET|,)\s*(?:\w+\.)?state\s*=/i.test(m[1])) hits.push(m[0].replace(/\s+/g, ' ').slice(0, 120));
  }
  return hits;
}

test('the scan for state writers finds every shape such SQL has had, and nothing that only reads the state', () => {
  const writers = [
    "db.prepare(`UPDATE items SET state = 'done', done_ms = @now, last_error = NULL,\n  file_name = COALESCE(@fileName, file_name) WHERE media_key = @mediaKey`)",
    "`UPDATE items SET changed_ms = NULL, attempts = 0, last_error = NULL,\n      state = CASE WHEN state = 'gone' THEN 'gone' ELSE 'pending' END, done_ms = NULL\n    WHERE media_key = ?`",
    "`UPDATE items SET file_name = COALESCE(file_name, ?), state = CASE WHEN state = 'gone' THEN state ELSE 'pending' END WHERE media_key = ?`",
    "`UPDATE items SET\n  size_bytes = CASE WHEN state = 'done' THEN size_bytes ELSE COALESCE(@sizeBytes, size_bytes) END,\n  state = CASE WHEN state = 'gone' THEN 'pending' ELSE state END\n WHERE media_key = @mediaKey`",
    "db.prepare('update items set attempts = 0, state=? where media_key = ?')",
    "db.prepare('UPDATE items SET state = ?').run('gone');",
    "`INSERT INTO items (media_key, kind, state) VALUES (?, ?, 'pending') ON CONFLICT(media_key) DO NOTHING`",
    "`INSERT OR IGNORE INTO items (media_key, taken_ms) VALUES (?, ?)`",
  ];
  for (const w of writers) expect(stateWrites(w), w).not.toEqual([]);
  const readers = [
    "`SELECT media_key, state FROM items WHERE state = 'done'`",
    "`UPDATE items SET failed_runs = 0, parked_ms = NULL WHERE state = 'failed'`",
    "`UPDATE items SET changed_ms = CASE WHEN state = 'done' THEN @now ELSE changed_ms END, seen_ms = @now WHERE media_key = @key`",
    "`UPDATE items SET file_name = ? WHERE media_key = ? AND file_name IS NULL`",
    "`UPDATE adoptions SET status = 'exact', state = 1 WHERE id = ?`",
    "`CREATE TRIGGER t AFTER UPDATE OF state ON items WHEN NEW.state = 'done' BEGIN UPDATE items SET failed_runs = 0 WHERE media_key = NEW.media_key; END;`",
  ];
  for (const r of readers) expect(stateWrites(r), r).toEqual([]);
});

test('no file in src/ other than src/store/items.ts writes items.state', () => {
  const files = sourceFiles(SRC);
  expect(files).toContain(WRITER);
  // The writer itself is found by the same scan: the scan is not blind.
  expect(stateWrites(readFileSync(WRITER, 'utf8')).length).toBeGreaterThan(0);
  const offenders = files.filter((f) => f !== WRITER).flatMap((f) => stateWrites(readFileSync(f, 'utf8')).map((hit) => `${path.relative(SRC, f)}: ${hit}`));
  expect(offenders).toEqual([]);
});
