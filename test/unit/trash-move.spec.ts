// The backup's trash lives outside the state folder, so resetting the state (deleting
// .gphotos-keep) never deletes a trashed photo. A backup with the trash in its old place
// (.gphotos-keep/trash) gets it moved on its next writing run: moved, never deleted, the index's
// records of trashed files following them, a name already taken in the new trash kept apart.
import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { TRASH_DIR } from '../../src/folder/trash.js';
import { runInFrame } from '../../src/run/frame.js';
import { openIndex, STATE_DIR } from '../../src/store/database.js';
import { insertFileRecord } from '../../src/store/files.js';
import { upsertItems } from '../../src/store/items.js';
import type { RemoteItem } from '../../src/model/remote-item.js';

let out: string;
test.beforeEach(() => {
  out = path.join(mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-trashmove-')), 'backup');
});
test.afterEach(() => {
  rmSync(path.dirname(out), { recursive: true, force: true });
});

function item(n: number): RemoteItem {
  return { mediaKey: `AF1QipKey${n}`, dedupKey: `d${n}`, takenMs: Date.UTC(2024, 0, n + 1), tzOffsetMs: 0, uploadedMs: null, width: 10, height: 10, kind: 'photo', videoDurationMs: null, favorite: false, archived: false, notOwned: false, hasGeo: false, caption: null };
}

function put(rel: string, text: string): void {
  const file = path.join(out, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

async function writingRun(): Promise<number> {
  const stderr = new Writable({ write: (_c, _e, cb) => cb() });
  const result = await runInFrame({ outDir: out, command: 'sync', logger: pino({ level: 'silent' }), stderr, signal: new AbortController().signal, interactive: false }, async () => ({ outcome: 'Complete', summary: {} }));
  return result.exitCode;
}

test('the trash is not inside the state folder', () => {
  expect(TRASH_DIR.startsWith(`${STATE_DIR}/`)).toBe(false);
  expect(TRASH_DIR).not.toBe(STATE_DIR);
});

test('an old trash in .gphotos-keep/trash moves out on the next writing run, its records follow, and deleting the state folder then keeps every trashed photo', async () => {
  const db = openIndex(out);
  upsertItems(db, [item(1)]);
  const pruned = `${STATE_DIR}/trash/2026-01-01/2024/01/IMG_1.jpg`;
  put(pruned, 'pruned photo');
  insertFileRecord(db, item(1).mediaKey, { mediaKey: item(1).mediaKey, role: 'main', relPath: pruned, bytes: 12, sha256: sha('pruned photo') }, Date.now());
  db.close();
  put(`${STATE_DIR}/trash/2026-01-02/verify/2024/01/IMG_2.jpg`, 'moved aside by verify --fix');
  put(`${STATE_DIR}/trash/2026-01-03/albums/Ski weekend/album.json`, '{}');

  expect(await writingRun()).toBe(0);

  expect(files(path.join(out, TRASH_DIR))).toEqual(['2026-01-01/2024/01/IMG_1.jpg', '2026-01-02/verify/2024/01/IMG_2.jpg', '2026-01-03/albums/Ski weekend/album.json']);
  expect(existsSync(path.join(out, STATE_DIR, 'trash'))).toBe(false);
  const after = openIndex(out, { readonly: true });
  try {
    expect(after.prepare('SELECT rel_path FROM files').pluck().all()).toEqual([`${TRASH_DIR}/2026-01-01/2024/01/IMG_1.jpg`]);
  } finally {
    after.close();
  }
  expect(readFileSync(path.join(out, TRASH_DIR, '2026-01-01/2024/01/IMG_1.jpg'), 'utf8')).toBe('pruned photo');

  // "Start over": the state folder goes; the trash stays.
  rmSync(path.join(out, STATE_DIR), { recursive: true, force: true });
  expect(files(path.join(out, TRASH_DIR))).toHaveLength(3);
});

test('a name the new trash already holds is kept apart (name~2), never overwritten', async () => {
  mkdirSync(out, { recursive: true });
  put(`${TRASH_DIR}/2026-01-01/2024/01/IMG_1.jpg`, 'already in the new trash');
  put(`${STATE_DIR}/trash/2026-01-01/2024/01/IMG_1.jpg`, 'from the old trash');
  put(`${STATE_DIR}/trash/2026-01-01/2024/01/IMG_3.jpg`, 'only in the old trash');

  expect(await writingRun()).toBe(0);

  const trash = path.join(out, TRASH_DIR);
  expect(files(trash)).toEqual(['2026-01-01/2024/01/IMG_1.jpg', '2026-01-01/2024/01/IMG_1~2.jpg', '2026-01-01/2024/01/IMG_3.jpg']);
  expect(readFileSync(path.join(trash, '2026-01-01/2024/01/IMG_1.jpg'), 'utf8')).toBe('already in the new trash');
  expect(readFileSync(path.join(trash, '2026-01-01/2024/01/IMG_1~2.jpg'), 'utf8')).toBe('from the old trash');
  expect(existsSync(path.join(out, STATE_DIR, 'trash'))).toBe(false);
});
