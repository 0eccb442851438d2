// Placing an item's files on a real index and real files (issue 14 points 2 and 9), through
// the download's own placement step (placeTransferred: `.part` → hash → plan → rename →
// record) with a file standing in for what the browser downloaded:
// - a path the index gives the item is replaced only when it holds what gphotos-keep wrote
//   there (or the lossy copy --upgrade promised to replace); anything else goes to the trash
//   first, recorded there;
// - two items whose names differ only in case never get one name (case-insensitive disks);
// - the stale-part cleanup removes only the `.part` files the index knows it started.
import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { type DownloadEnv, placeTransferred } from '../../src/download/item.js';
import { keyTag } from '../../src/folder/layout.js';
import { partName, removeStartedParts } from '../../src/folder/part-files.js';
import { PathPlanner } from '../../src/folder/planner.js';
import { TRASH_DIR } from '../../src/folder/trash.js';
import type { RemoteItem } from '../../src/model/remote-item.js';
import { type Db, openIndex } from '../../src/store/database.js';
import { type FileRecord, filesOf, insertFileRecord, recordDownloaded } from '../../src/store/files.js';
import { noteIntents } from '../../src/store/intents.js';
import { getItem, requeueUnlessGone, upsertItems } from '../../src/store/items.js';

let dir: string;
let out: string;
let db: Db;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-placement-'));
  out = path.join(dir, 'backup');
  mkdirSync(path.join(out, '.gphotos-keep', 'tmp'), { recursive: true });
  db = openIndex(out);
});
test.afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function item(n: number): RemoteItem {
  return { mediaKey: `AF1Qip${String(n).padStart(38, 'k')}`, dedupKey: null, takenMs: Date.UTC(2020, 0, 15), tzOffsetMs: 0, uploadedMs: Date.UTC(2021, 0, 1), width: 10, height: 10, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null };
}

function env(planner = new PathPlanner(out, db)): DownloadEnv {
  return {
    outDir: out,
    tmpDir: path.join(out, '.gphotos-keep', 'tmp'),
    baseUrl: 'http://127.0.0.1:9',
    db,
    planner,
    logger: pino({ level: 'silent' }),
    timeouts: { transferFloorMs: 1000, slowBytesPerSecond: 1000 } as DownloadEnv['timeouts'],
    inspector: null,
    extractLive: null,
    itemInfo: null,
  };
}

/** What the browser left in the download folder for one item. */
function downloaded(name: string, body: string): { path: string; suggested: string } {
  const file = path.join(out, '.gphotos-keep', 'tmp', `${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, body);
  return { path: file, suggested: name };
}

function place(it: RemoteItem, name: string, body: string, e = env()) {
  return placeTransferred(e, getItem(db, it.mediaKey)!, { main: downloaded(name, body), original: null, info: null });
}

function recordAt(it: RemoteItem, relPath: string, body: string, extra: Partial<FileRecord> = {}): void {
  mkdirSync(path.dirname(path.join(out, relPath)), { recursive: true });
  writeFileSync(path.join(out, relPath), body);
  insertFileRecord(db, it.mediaKey, { mediaKey: it.mediaKey, role: 'main', relPath, bytes: Buffer.byteLength(body), sha256: sha(body), ...extra }, Date.now(), 'adopted');
}

/** Every file below the backup folder (state included) whose bytes are `body`. */
function holding(body: string): string[] {
  return readdirSync(out, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && readFileSync(path.join(e.parentPath, e.name), 'utf8') === body)
    .map((e) => path.relative(out, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

test('the user\'s own file recorded for the item (an accepted probable match) goes to the trash, recorded, before Google\'s bytes take its path', async () => {
  const it = item(1);
  upsertItems(db, [it]);
  recordAt(it, '2020/01/IMG_1.jpg', 'my own edit');
  await place(it, 'IMG_1.jpg', 'google bytes');

  expect(readFileSync(path.join(out, '2020/01/IMG_1.jpg'), 'utf8')).toBe('google bytes');
  const kept = holding('my own edit');
  expect(kept).toHaveLength(1);
  expect(kept[0]).toMatch(new RegExp(`^${TRASH_DIR.replace(/\./g, '\\.')}/\\d{4}-\\d{2}-\\d{2}/replaced/2020/01/IMG_1\\.jpg$`));
  const rows = filesOf(db, it.mediaKey).map((f) => ({ rel: f.rel_path, from: f.trashed_from, trashed: f.trashed_ms !== null, sha: f.sha256 }));
  expect(rows).toEqual([
    { rel: kept[0], from: '2020/01/IMG_1.jpg', trashed: true, sha: sha('my own edit') },
    { rel: '2020/01/IMG_1.jpg', from: null, trashed: false, sha: sha('google bytes') },
  ]);
});

test('a downloaded file whose bytes no longer match its record (verify could not move it aside) goes to the trash first, with the bytes it really holds', async () => {
  const it = item(2);
  upsertItems(db, [it]);
  mkdirSync(path.join(out, '2020/01'), { recursive: true });
  writeFileSync(path.join(out, '2020/01/IMG_2.jpg'), 'google v1');
  recordDownloaded(db, it.mediaKey, [{ mediaKey: it.mediaKey, role: 'main', relPath: '2020/01/IMG_2.jpg', bytes: 9, sha256: sha('google v1') }]);
  writeFileSync(path.join(out, '2020/01/IMG_2.jpg'), 'changed by hand');
  requeueUnlessGone(db, it.mediaKey);

  await place(it, 'IMG_2.jpg', 'google v1');
  expect(readFileSync(path.join(out, '2020/01/IMG_2.jpg'), 'utf8')).toBe('google v1');
  const kept = holding('changed by hand');
  expect(kept).toHaveLength(1);
  expect(filesOf(db, it.mediaKey).find((f) => f.rel_path === kept[0])).toMatchObject({ trashed_from: '2020/01/IMG_2.jpg', sha256: sha('changed by hand') });
});

test('the lossy copy --upgrade recorded is replaced in place once the original is verified (the promise), when it still holds the recorded bytes', async () => {
  const it = item(3);
  upsertItems(db, [it]);
  recordAt(it, 'photos/2020/01/IMG_3.jpg', 'lossy', { lossy: true });
  await place(it, 'IMG_3.jpg', 'original bytes');
  expect(readFileSync(path.join(out, 'photos/2020/01/IMG_3.jpg'), 'utf8')).toBe('original bytes');
  expect(holding('lossy')).toEqual([]);
  expect(filesOf(db, it.mediaKey).map((f) => [f.rel_path, f.lossy, f.sha256])).toEqual([['photos/2020/01/IMG_3.jpg', 0, sha('original bytes')]]);
});

test('two items whose names differ only in case never get one name, in flight together or one recorded', async () => {
  const [a, b, c] = [item(4), item(5), item(6)];
  upsertItems(db, [a, b, c]);
  const planner = new PathPlanner(out, db);
  const e = env(planner);
  // In flight together: both planned before either is recorded.
  const [pa, pb] = await Promise.all([place(a, 'IMG_7.JPG', 'bytes a', e), place(b, 'img_7.jpg', 'bytes b', e)]);
  const names = [pa.files[0].relPath, pb.files[0].relPath];
  expect(new Set(names.map((n) => n.toLowerCase())).size, names.join(' ')).toBe(2);
  // One already recorded: the other takes its suffix.
  const pc = await place(c, 'Img_7.Jpg', 'bytes c', e);
  expect(pc.files[0].relPath).toBe(`2020/01/Img_7~${keyTag(c.mediaKey)}.Jpg`);
  for (const p of [pa, pb, pc]) expect(readFileSync(path.join(out, p.files[0].relPath), 'utf8')).toMatch(/^bytes /);
});

test('stale-part cleanup removes the .part files the index started and leaves a look-alike it never started', async () => {
  const it = item(7);
  upsertItems(db, [it]);
  mkdirSync(path.join(out, '2020/01'), { recursive: true });
  const ours = `2020/01/${partName('IMG_8.jpg', it.mediaKey)}`;
  writeFileSync(path.join(out, ours), 'half a download');
  noteIntents(db, [{ kind: 'part', mediaKey: it.mediaKey, relPath: ours }]);
  const lookalike = '2020/01/notes~0123abcd.part';
  writeFileSync(path.join(out, lookalike), 'not ours');

  const result = await removeStartedParts(db, out);
  expect(result).toEqual({ removed: [ours], unknown: [lookalike] });
  expect(existsSync(path.join(out, ours))).toBe(false);
  expect(readFileSync(path.join(out, lookalike), 'utf8')).toBe('not ours');
  // Known once: a second cleanup has nothing left to remove.
  expect((await removeStartedParts(db, out)).removed).toEqual([]);
});
