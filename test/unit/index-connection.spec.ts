// Every connection to the index, read-write or read-only, is opened the same way: WAL for the
// writer, and a small page cache (better-sqlite3's build defaults to 16 MB per connection,
// which a rescan of a large index filled, so the process grew with the library).
import { test, expect } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PAGE_CACHE_KIB, openIndex } from '../../src/store/database.js';

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-index-conn-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('the writer and a read-only reader both use a small page cache; the writer uses WAL', () => {
  const writer = openIndex(dir);
  const reader = openIndex(dir, { readonly: true });
  try {
    expect(writer.pragma('journal_mode', { simple: true })).toBe('wal');
    for (const db of [writer, reader]) {
      expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB);
      expect(PAGE_CACHE_KIB).toBeLessThanOrEqual(4096);
    }
  } finally {
    reader.close();
    writer.close();
  }
});
