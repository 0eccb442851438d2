// The file side of incremental sync on a real index and real files: moves never overwrite and
// recognise a move a killed run half-made; --prune moves gone items' files once, into the
// dated trash, keeping relative paths; an item changed in Google keeps its files as dated
// versions, choosing another name rather than touching a file already there.
import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { moveNoClobber } from '../../src/folder/moves.js';
import { TRASH_DIR, localDate } from '../../src/folder/trash.js';
import { pruneGone } from '../../src/run/prune.js';
import { keepChangedVersions } from '../../src/run/versions.js';
import { type Db, openIndex } from '../../src/store/database.js';
import { filesOf, recordDownloaded } from '../../src/store/files.js';
import { getItem } from '../../src/store/items.js';
import { markUnlistedGone, recordListedPage } from '../../src/store/scan.js';
import type { RemoteItem } from '../../src/model/remote-item.js';

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-incr-files-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

function item(n: number, sizeBytes: number): RemoteItem {
  return {
    mediaKey: `AF1Qip${String(n).padStart(38, 'x')}`,
    dedupKey: null,
    takenMs: Date.UTC(2020, 0, n),
    tzOffsetMs: 0,
    uploadedMs: Date.UTC(2021, 0, n),
    width: 10,
    height: 10,
    kind: 'photo',
    videoDurationMs: null,
    favorite: false,
    archived: false,
    notOwned: false,
    hasGeo: false,
    caption: null,
    sizeBytes,
  };
}

/** Lists the items, then "downloads" each: writes its bytes and records the file. */
function backup(db: Db, out: string, items: RemoteItem[]): string[] {
  recordListedPage(db, items, { scanId: 1 });
  return items.map((it, i) => {
    const rel = `2020/01/IMG_${i}.jpg`;
    const body = `bytes of ${it.mediaKey}`;
    mkdirSync(path.join(out, '2020/01'), { recursive: true });
    writeFileSync(path.join(out, rel), body);
    recordDownloaded(db, it.mediaKey, [{ mediaKey: it.mediaKey, role: 'main', relPath: rel, bytes: body.length, sha256: sha(body) }]);
    return rel;
  });
}

test('moveNoClobber moves, refuses an existing target, and finishes a move a killed run left half-done', async () => {
  const a = path.join(dir, 'a.jpg');
  const b = path.join(dir, 'sub', 'b.jpg');
  writeFileSync(a, 'AAA');
  expect(await moveNoClobber(a, b, 3)).toBe('moved');
  expect(existsSync(a)).toBe(false);
  expect(readFileSync(b, 'utf8')).toBe('AAA');

  writeFileSync(a, 'other');
  expect(await moveNoClobber(a, b, 5)).toBe('target-exists');
  expect(readFileSync(a, 'utf8')).toBe('other');
  expect(readFileSync(b, 'utf8')).toBe('AAA');

  // Killed between link and unlink: both names on one inode.
  const c = path.join(dir, 'c.jpg');
  linkSync(a, c);
  expect(await moveNoClobber(a, c, 5)).toBe('moved');
  expect(existsSync(a)).toBe(false);
  expect(readFileSync(c, 'utf8')).toBe('other');

  // Killed after the move, before the index heard of it.
  expect(await moveNoClobber(a, c, 5)).toBe('already-moved');
  expect(await moveNoClobber(path.join(dir, 'nothing.jpg'), path.join(dir, 'nowhere.jpg'), 1)).toBe('source-missing');
});

test('prune moves the files of gone items into the dated trash once, and reports a file already missing', async () => {
  const out = path.join(dir, 'out');
  const db = openIndex(out);
  try {
    const items = [item(1, 100), item(2, 100), item(3, 100)];
    const paths = backup(db, out, items);
    // A rescan that listed only the first item: the other two are gone. One of their files vanished by hand.
    recordListedPage(db, [items[0]], { scanId: 2 });
    expect(markUnlistedGone(db, 2)).toBe(2);
    rmSync(path.join(out, paths[2]));

    const now = Date.now();
    const report = await pruneGone({ db, outDir: out, nowMs: now });
    const trash = `${TRASH_DIR}/${localDate(now)}`;
    expect(report.trashDir).toBe(trash);
    expect(report.moved).toEqual([{ mediaKey: items[1].mediaKey, from: paths[1], to: `${trash}/${paths[1]}`, bytes: `bytes of ${items[1].mediaKey}`.length }]);
    expect(report.missing).toEqual([{ mediaKey: items[2].mediaKey, relPath: paths[2] }]);
    expect(readFileSync(path.join(out, trash, paths[1]), 'utf8')).toBe(`bytes of ${items[1].mediaKey}`);
    expect(existsSync(path.join(out, paths[0]))).toBe(true);
    expect(filesOf(db, items[1].mediaKey)[0]).toMatchObject({ rel_path: `${trash}/${paths[1]}` });

    const again = await pruneGone({ db, outDir: out, nowMs: now });
    expect(again.moved).toEqual([]);

    // Listed again (restored from Google's trash): fetched anew, the trashed copy stays where it is.
    recordListedPage(db, [items[1]], { scanId: 3 });
    expect(getItem(db, items[1].mediaKey)?.state).toBe('pending');
    expect(existsSync(path.join(out, trash, paths[1]))).toBe(true);
  } finally {
    db.close();
  }
});

test('an item whose Google-side size changed keeps its file as a dated version and is queued; a name already on disk is never reused', async () => {
  const out = path.join(dir, 'out');
  const db = openIndex(out);
  try {
    const [first, second] = [item(1, 100), item(2, 100)];
    const paths = backup(db, out, [first, second]);
    // Same size listed again: nothing changes.
    expect(recordListedPage(db, [first, second], { scanId: 2 }).changedKeys).toEqual([]);
    // Edited in Google: a new size.
    const now = Date.now();
    expect(recordListedPage(db, [item(1, 120), item(2, 130)], { scanId: 3, nowMs: now }).changedKeys).toEqual([first.mediaKey, second.mediaKey]);
    // Someone's file already sits where the second item's version would go.
    const day = new Date(now).toISOString().slice(0, 10);
    const squatter = paths[1].replace('.jpg', `~v${day}.jpg`);
    writeFileSync(path.join(out, squatter), 'not ours');

    const report = await keepChangedVersions({ db, outDir: out, nowMs: now });
    expect(report.items).toBe(2);
    const [v1, v2] = report.kept;
    expect(v1).toEqual({ mediaKey: first.mediaKey, from: paths[0], to: paths[0].replace('.jpg', `~v${day}.jpg`) });
    expect(v2.to).not.toBe(squatter);
    expect(v2.to).toMatch(new RegExp(`~v${day}T\\d{6}Z\\.jpg$`));
    expect(readFileSync(path.join(out, squatter), 'utf8')).toBe('not ours');
    for (const [it, v] of [[first, v1], [second, v2]] as const) {
      expect(readFileSync(path.join(out, v.to), 'utf8')).toBe(`bytes of ${it.mediaKey}`);
      expect(existsSync(path.join(out, v.from))).toBe(false);
      expect(filesOf(db, it.mediaKey)).toMatchObject([{ role: 'version', rel_path: v.to }]);
      expect(getItem(db, it.mediaKey)).toMatchObject({ state: 'pending', changed_ms: null });
    }
    expect((await keepChangedVersions({ db, outDir: out, nowMs: now })).items).toBe(0);
  } finally {
    db.close();
  }
});
