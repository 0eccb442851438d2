// Index integrity, like restic's `check`: a damaged <out>/.gphotos-keep/index.db (a zeroed page,
// a garbage file) is noticed at the start of every run and by verify, with a clear message that
// names the fix and nothing written; every successful run leaves a consistent copy beside it
// (VACUUM INTO, the last few kept); `repair --index` rebuilds the index from the files on disk
// and the saved copy without moving or deleting a file. Real CLI, real Chromium, the replica.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, writeSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, expect } from '../helpers/fixtures.js';
import { cleanEnv, runCli, type CliResult } from '../helpers/cli.js';
import { sampleLibrary } from '../replica/index.js';
import { sync, walk } from './sync-helpers.js';

const THREE = sampleLibrary().filter((s) => s.sample.startsWith('gps__')).slice(0, 3);
test.use({ replicaOptions: { library: THREE } });

function indexFile(outDir: string): string {
  return path.join(outDir, '.gphotos-keep', 'index.db');
}

function digest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Zeroes the first page of the files table, as a bad sector or a torn write would. */
function zeroFilesPage(outDir: string): void {
  const file = indexFile(outDir);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const root = db.prepare(`SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'files'`).pluck().get() as number;
  db.close();
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize), 0, pageSize, (root - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

function runsOf(outDir: string): string[] {
  const dir = path.join(outDir, '.gphotos-keep', 'runs');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

function expectClearDamage(result: CliResult): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toContain('is damaged');
  expect(result.stderr).toContain('gphotos-keep repair --index');
  // A message, not a stack trace.
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toContain('unexpected error');
}

test('a zeroed page: sync, verify, verify --fix and status stop with exit 1 naming `repair --index`, and write nothing', async ({ replica, profileDir, outDir }) => {
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);
  zeroFilesPage(outDir);
  const before = { index: digest(indexFile(outDir)), runs: runsOf(outDir), folder: walk(outDir) };

  expectClearDamage(await sync(replica, outDir, profileDir));
  const verify = await runCli(['verify', '--out', outDir], { env: cleanEnv() });
  expectClearDamage(verify);
  // Not a report of fewer files checked: verify never got as far as counting them.
  expect(verify.stdout).not.toContain('Verified');
  expectClearDamage(await runCli(['verify', '--out', outDir, '--fix'], { env: cleanEnv() }));
  // status reads without the run frame's check: the damaged page surfaces in a query, and is said the same way.
  expectClearDamage(await runCli(['status', '--out', outDir], { env: cleanEnv() }));

  expect(digest(indexFile(outDir))).toBe(before.index);
  expect(runsOf(outDir)).toEqual(before.runs);
  expect(walk(outDir)).toEqual(before.folder);
  expect(Object.keys(replica.counters.downloadStarts).length).toBe(3);
});

test('a garbage file in place of the index: a clear error naming `repair --index` from sync, verify and status, never a stack trace', async ({ replica, profileDir, outDir }) => {
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);
  writeFileSync(indexFile(outDir), Buffer.from('this is not an SQLite database, just some bytes a bad copy left here\n'.repeat(200)));
  const garbage = digest(indexFile(outDir));

  expectClearDamage(await sync(replica, outDir, profileDir));
  expectClearDamage(await runCli(['verify', '--out', outDir], { env: cleanEnv() }));
  expectClearDamage(await runCli(['status', '--out', outDir], { env: cleanEnv() }));
  expect(digest(indexFile(outDir))).toBe(garbage);
});

test('every successful run leaves a consistent copy of the index beside it, and only the last 3 are kept', async ({ replica, profileDir, outDir }) => {
  const copies = path.join(outDir, '.gphotos-keep', 'index-copies');
  for (let run = 1; run <= 4; run++) {
    const result = await sync(replica, outDir, profileDir);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(copies).filter((f) => f.endsWith('.db'))).toHaveLength(Math.min(run, 3));
  }
  const newest = readdirSync(copies).filter((f) => f.endsWith('.db')).sort().pop()!;
  const copy = new Database(path.join(copies, newest), { readonly: true, fileMustExist: true });
  const live = new Database(indexFile(outDir), { readonly: true, fileMustExist: true });
  try {
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    const rows = (db: Database.Database) => db.prepare('SELECT media_key, role, rel_path, sha256 FROM files ORDER BY rel_path').all();
    expect(rows(copy)).toEqual(rows(live));
    expect(rows(copy).filter((r) => (r as { role: string }).role === 'main')).toHaveLength(3);
    // The copy holds the run that made it, finished.
    expect(copy.prepare('SELECT COUNT(*) FROM runs WHERE exit_code = 0').pluck().get()).toBe(4);
  } finally {
    copy.close();
    live.close();
  }
  // Nothing but the copies: no temporary files left.
  expect(readdirSync(copies).every((f) => f.endsWith('.db'))).toBe(true);
});

test('repair --index: a damaged index is set aside (not deleted), rebuilt from the saved copy and the files on disk, newer files matched back to their Google items by SHA-1; nothing moved or deleted, and the next sync downloads nothing', async ({ replica, profileDir, outDir }) => {
  // The copy knows two items; the third is downloaded after it, so only the disk and Google know it.
  const first = await sync(replica, outDir, profileDir, ['--limit', '2']);
  expect(first.code, first.stderr).toBe(0);
  const copies = path.join(outDir, '.gphotos-keep', 'index-copies');
  const saved = readdirSync(copies).filter((f) => f.endsWith('.db'));
  expect(saved).toHaveLength(1);
  // Keep only the copy of the first run.
  const keep = readFileSync(path.join(copies, saved[0]));
  const second = await sync(replica, outDir, profileDir);
  expect(second.code, second.stderr).toBe(0);
  for (const f of readdirSync(copies)) rmSync(path.join(copies, f));
  writeFileSync(path.join(copies, saved[0]), keep);
  zeroFilesPage(outDir);
  const damaged = digest(indexFile(outDir));
  const folder = walk(outDir);
  const bytes = Object.fromEntries(folder.map((f) => [f, digest(path.join(outDir, f))]));

  const repair = await runCli(['repair', '--index', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--json'], { env: cleanEnv() });
  expect(repair.code, repair.stderr).toBe(0);
  const report = JSON.parse(repair.stdout.trim().split('\n').pop()!);
  expect(report).toMatchObject({ restoredFrom: saved[0], fromCopy: 2, bySha1: 1, unmatched: [] });
  // The damaged index is kept aside, byte for byte.
  expect(digest(path.join(outDir, '.gphotos-keep', report.damagedKeptAs))).toBe(damaged);
  // Not a file moved, changed or deleted.
  expect(walk(outDir)).toEqual(folder);
  for (const f of folder) expect(digest(path.join(outDir, f)), f).toBe(bytes[f]);

  const db = new Database(indexFile(outDir), { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('quick_check', { simple: true })).toBe('ok');
    expect(db.prepare(`SELECT COUNT(*) FROM items WHERE state = 'done'`).pluck().get()).toBe(3);
    // Every file on disk is on record again, sidecars included.
    expect((db.prepare('SELECT rel_path FROM files ORDER BY rel_path').pluck().all() as string[]).sort()).toEqual(folder);
  } finally {
    db.close();
  }

  replica.resetCounters();
  const after = await sync(replica, outDir, profileDir);
  expect(after.code, after.stderr).toBe(0);
  expect(after.summary).toMatchObject({ downloaded: 0, failed: 0 });
  expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
  expect(walk(outDir)).toEqual(folder);
});

test('repair --index with no saved copy: signed out it lists every photo as unmatched (exit 3) and touches none; signed in, every file is matched by SHA-1, verify passes and the next sync downloads nothing', async ({ replica, profileDir, outDir, workDir }) => {
  const first = await sync(replica, outDir, profileDir);
  expect(first.code, first.stderr).toBe(0);
  rmSync(path.join(outDir, '.gphotos-keep', 'index-copies'), { recursive: true });
  writeFileSync(indexFile(outDir), 'garbage');
  const folder = walk(outDir);
  const photos = folder.filter((f) => !f.endsWith('.xmp'));

  // No profile to ask Google with: nothing can be matched, nothing is moved.
  const blind = await runCli(['repair', '--index', '--out', outDir, '--profile', path.join(workDir, 'no-such-profile'), '--base-url', replica.baseUrl, '--json'], { env: cleanEnv() });
  expect(blind.code, blind.stderr).toBe(3);
  const blindReport = JSON.parse(blind.stdout.trim().split('\n').pop()!);
  expect(blindReport).toMatchObject({ rebuilt: true, restoredFrom: null, bySha1: 0 });
  expect(blindReport.unmatched).toEqual(folder);
  expect(walk(outDir)).toEqual(folder);

  // Signed in: the intact (empty) index is kept and every file is matched back.
  const signed = await runCli(['repair', '--index', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--json'], { env: cleanEnv() });
  expect(signed.code, signed.stderr).toBe(0);
  expect(JSON.parse(signed.stdout.trim().split('\n').pop()!)).toMatchObject({ rebuilt: false, bySha1: photos.length, sidecars: folder.length - photos.length, unmatched: [], missing: [] });
  expect(walk(outDir)).toEqual(folder);

  const verify = await runCli(['verify', '--out', outDir], { env: cleanEnv() });
  expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  replica.resetCounters();
  const after = await sync(replica, outDir, profileDir);
  expect(after.code, after.stderr).toBe(0);
  expect(Object.keys(replica.counters.downloadStarts)).toEqual([]);
  expect(walk(outDir)).toEqual(folder);
});
