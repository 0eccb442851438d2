// Checks shared by the sync specs: what the replica holds against what the backup folder
// and its index say, file by file, by sha256.
import { expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Replica } from '../replica/index.js';
import { LINK_ROOTS } from '../../src/folder/links.js';
import { TRASH_DIR } from '../../src/folder/trash.js';
import { openIndex } from '../../src/store/database.js';
import { type FileRow, filesOf } from '../../src/store/files.js';
import { type ItemRow, getItem } from '../../src/store/items.js';
import { cleanEnv, runCli, type CliResult } from '../helpers/cli.js';

export function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Every file below dir (relative, forward slashes), the state folder and the backup's trash included when asked.
 * The link folders (albums/, favorites/, archive/, partner/) hold links to files of the date
 * layout, not files of their own: they are left out unless asked for (test/e2e/albums.spec.ts
 * checks them link by link).
 */
export function walk(dir: string, options: { includeState?: boolean; includeLinks?: boolean } = {}): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  const visit = (current: string): void => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      if (!options.includeState && (entry.name === '.gphotos-keep' || (current === dir && entry.name === TRASH_DIR))) continue;
      if (!options.includeLinks && current === dir && (LINK_ROOTS as readonly string[]).includes(entry.name)) continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) visit(full);
      else out.push(path.relative(dir, full).split(path.sep).join('/'));
    }
  };
  visit(dir);
  return out.sort();
}

export function syncArgs(replica: Pick<Replica, 'baseUrl'>, outDir: string, profileDir: string, extra: string[] = []): string[] {
  return ['sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--json', ...extra];
}

export async function sync(replica: Pick<Replica, 'baseUrl'>, outDir: string, profileDir: string, extra: string[] = []): Promise<CliResult & { summary: Record<string, number | string | boolean | null> | null }> {
  const result = await runCli(syncArgs(replica, outDir, profileDir, extra), { env: cleanEnv() });
  let summary = null;
  try {
    summary = JSON.parse(result.stdout.trim().split('\n').pop() ?? '');
  } catch {
    summary = null;
  }
  return { ...result, summary };
}

/** Our roles for the replica's: a Live Photo's still is the item's main file; other zip members (an .AAE) are extras. */
function roleOf(role: string): string {
  return role === 'live-still' ? 'main' : role === 'live-aae' ? 'live-extra' : role;
}

export interface IndexView {
  item(key: string): ItemRow | undefined;
  files(key: string): FileRow[];
}

export function readIndex<T>(outDir: string, use: (view: IndexView) => T): T {
  const db = openIndex(outDir, { readonly: true });
  try {
    return use({ item: (key) => getItem(db, key), files: (key) => filesOf(db, key) });
  } finally {
    db.close();
  }
}

/**
 * The backup holds every item of the replica (except `except`) byte for byte, each file
 * recorded once under the role the replica gives it; the disk holds nothing else and no
 * `.part` file anywhere.
 */
export function expectCompleteBackup(replica: Replica, outDir: string, except: Set<string> = new Set()): void {
  const onDisk = new Set(walk(outDir));
  const recorded = new Set<string>();
  readIndex(outDir, (index) => {
    for (const item of replica.items) {
      if (except.has(item.mediaKey)) continue;
      const row = index.item(item.mediaKey);
      expect(row?.state, `state of ${item.fileName} (${item.mediaKey})`).toBe('done');
      const all = index.files(item.mediaKey);
      // XMP sidecars (Google-side metadata) are extra files of ours, not bytes from Google.
      // Files set aside into the backup's trash (bytes we may not write over) are kept, but are no longer the item's.
      const files = all.filter((f) => f.role !== 'sidecar' && f.trashed_ms === null);
      for (const f of all) if (f.role === 'sidecar') recorded.add(f.rel_path);
      const expected = replica.expectedFiles(item.mediaKey);
      expect(files.map((f) => `${f.role}:${f.sha256}`).sort(), `files of ${item.fileName}`).toEqual(expected.map((e) => `${roleOf(e.role)}:${e.sha256}`).sort());
      for (const file of files) {
        expect(onDisk.has(file.rel_path), `${file.rel_path} on disk`).toBe(true);
        expect(sha256(path.join(outDir, file.rel_path)), `bytes of ${file.rel_path}`).toBe(file.sha256);
        recorded.add(file.rel_path);
      }
    }
  });
  const stray = [...onDisk].filter((f) => !recorded.has(f));
  expect(stray, 'files on disk that the index does not know').toEqual([]);
  expect(walk(outDir, { includeState: true }).filter((f) => f.endsWith('.part')), '.part files left').toEqual([]);
}
