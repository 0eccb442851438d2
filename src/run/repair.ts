// `repair --index`: rebuilds a damaged (or lost) index from what is left, moving and deleting
// nothing in the backup:
//
//   1. the damaged index.db (with its -wal and -shm) is renamed aside, never deleted;
//   2. the newest saved copy that passes quick_check (src/store/snapshots.ts) becomes the index,
//      or a new empty one when there is none;
//   3. the files on disk are matched back to Google items: a file the copy records at its path
//      is kept on record; a file whose bytes (sha256) the copy records at a path that is now
//      empty is re-pointed there; the rest (downloaded after the copy) are looked up by SHA-1
//      through Google's own hash lookup when the profile is signed in; a sidecar follows its photo;
//   4. what cannot be matched is listed, left where it is.
// An intact index is not replaced: steps 3 and 4 still run on it.
import { copyFileSync, existsSync, lstatSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { launchProfile } from '../browser/launch.js';
import { SignedOutError, describeError } from '../errors.js';
import { hashFile } from '../folder/hash.js';
import { LINK_ROOTS } from '../folder/links.js';
import { TRASH_DIR } from '../folder/trash.js';
import type { Logger } from '../log.js';
import type { RemoteItem } from '../model/remote-item.js';
import { lookupHashes } from '../site/calls.js';
import { RpcClient } from '../site/rpc-client.js';
import { checkSession } from '../site/session.js';
import { STATE_DIR, type Db, indexPath, openDatabase, stateDir } from '../store/database.js';
import { type FileRecord, insertFileRecord, recordDownloaded } from '../store/files.js';
import { IndexDamagedError, quickCheck } from '../store/integrity.js';
import { getItem, requeueUnlessGone, upsertItems } from '../store/items.js';
import { newestSoundCopy, saveIndexCopy } from '../store/snapshots.js';
import { tieToAccount } from './account-tie.js';

export interface RepairParams {
  outDir: string;
  profileDir: string;
  baseUrl: string;
  logger: Logger;
  signal: AbortSignal;
  now?: () => Date;
}

export interface RepairReport {
  out: string;
  /** The index was damaged or missing, and was rebuilt. */
  rebuilt: boolean;
  /** Where the damaged index went, relative to .gphotos-keep (null: nothing was set aside). */
  damagedKeptAs: string | null;
  /** The saved copy the rebuilt index started from (null: none, or the index was intact). */
  restoredFrom: string | null;
  /** Files on disk the index records at their path. */
  recorded: number;
  /** Items the saved copy (or the intact index) already had, with their files on disk. */
  fromCopy: number;
  /** Files found at another path than recorded (same sha256): the record follows them. */
  repointed: number;
  /** Items matched back by their file's SHA-1 through Google's hash lookup. */
  bySha1: number;
  /** Sidecars recorded with the photo they belong to. */
  sidecars: number;
  /** Files left unmatched, where they are (relative paths). */
  unmatched: string[];
  /** Recorded files not on disk: `verify --fix` re-queues them. */
  missing: string[];
  /** Whether Google's hash lookup was used: 'used', 'not needed', or why not. */
  lookup: string;
  email: string | null;
}

const SIDECAR = '.xmp';

export async function repairIndex(params: RepairParams): Promise<RepairReport> {
  const out = path.resolve(params.outDir);
  const state = stateDir(out);
  const file = indexPath(out);
  const log = params.logger;
  const now = params.now ?? (() => new Date());
  const report: RepairReport = { out, rebuilt: false, damagedKeptAs: null, restoredFrom: null, recorded: 0, fromCopy: 0, repointed: 0, bySha1: 0, sidecars: 0, unmatched: [], missing: [], lookup: 'not needed', email: null };

  // 1-2. The index to start from.
  if (!indexIsSound(file)) {
    report.rebuilt = true;
    if (existsSync(file)) report.damagedKeptAs = setAside(file, now());
    const copy = newestSoundCopy(state);
    if (copy) {
      copyFileSync(copy.file, file);
      report.restoredFrom = copy.name;
      log.info({ copy: copy.name }, `rebuilding the index from the saved copy ${copy.name}`);
    } else {
      log.warn('no sound saved copy of the index: rebuilding it from the files on disk alone');
    }
  }
  const db = openDatabase(file);
  try {
    await matchFiles(db, out, params, report);
    if (report.unmatched.length === 0 && report.missing.length === 0) saveIndexCopy(db, state, now());
  } finally {
    db.close();
  }
  return report;
}

function indexIsSound(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const db = openDatabase(file);
    try {
      return quickCheck(db).length === 0;
    } finally {
      db.close();
    }
  } catch (error) {
    // Damaged beyond opening (not a database, a bad page in the schema): rebuilt like any damage.
    // Anything else (a newer schema, no permission) is not damage: say so, touch nothing.
    if (error instanceof IndexDamagedError) return false;
    throw error;
  }
}

/** Renames index.db (and its -wal, -shm) to index.db.damaged-<time>…; returns the new name, relative to the state folder. */
function setAside(file: string, at: Date): string {
  const suffix = `.damaged-${at.toISOString().replace(/[-:.]/g, '')}`;
  const base = `${file}${suffix}`;
  for (const extra of ['-wal', '-shm']) if (existsSync(`${file}${extra}`)) renameSync(`${file}${extra}`, `${base}${extra}`);
  renameSync(file, base);
  return path.basename(base);
}

interface RecordedRow {
  id: number;
  media_key: string;
  role: string;
  rel_path: string;
  sha256: string;
}

async function matchFiles(db: Db, out: string, params: RepairParams, report: RepairReport): Promise<void> {
  const onDisk = listFiles(out);
  const present = new Set(onDisk);
  const rows = db.prepare(`SELECT id, media_key, role, rel_path, sha256 FROM files`).all() as RecordedRow[];
  const recordedPaths = new Set(rows.map((r) => r.rel_path));
  // Recorded files gone from their path, by their bytes: a file found elsewhere takes their record.
  const missingBySha = new Map<string, RecordedRow[]>();
  for (const row of rows) {
    if (present.has(row.rel_path) || row.rel_path.startsWith(`${TRASH_DIR}/`) || row.rel_path.startsWith(`${STATE_DIR}/`)) continue;
    missingBySha.set(row.sha256, [...(missingBySha.get(row.sha256) ?? []), row]);
  }

  const itemsOnDisk = new Set<string>();
  const unrecorded: string[] = [];
  for (const rel of onDisk) {
    if (recordedPaths.has(rel)) {
      report.recorded++;
      continue;
    }
    unrecorded.push(rel);
  }
  for (const row of rows) if (present.has(row.rel_path) && row.role === 'main') itemsOnDisk.add(row.media_key);
  report.fromCopy = itemsOnDisk.size;

  // By the saved copy: same bytes, another path.
  const media: { rel: string; sha1: string; sha256: string; bytes: number; mtimeMs: number }[] = [];
  const sidecars: string[] = [];
  for (const rel of unrecorded) {
    if (params.signal.aborted) return;
    if (rel.endsWith(SIDECAR)) {
      sidecars.push(rel);
      continue;
    }
    const full = path.join(out, rel);
    const digest = await hashFile(full);
    const moved = missingBySha.get(digest.sha256)?.shift();
    if (moved) {
      db.prepare('UPDATE files SET rel_path = ? WHERE id = ?').run(rel, moved.id);
      recordedPaths.add(rel);
      report.repointed++;
      continue;
    }
    media.push({ rel, sha1: digest.sha1, sha256: digest.sha256, bytes: digest.bytes, mtimeMs: Math.floor(lstatSync(full).mtimeMs) });
  }

  // By SHA-1, through Google: the files downloaded after the saved copy was made.
  if (media.length > 0) {
    const hits = await lookupSignedIn(db, media.map((m) => m.sha1), params, report);
    const claimed = new Set<string>();
    for (const m of media) {
      const item = hits?.get(m.sha1);
      if (!item || claimed.has(item.mediaKey) || keptFileOf(db, item.mediaKey)) {
        report.unmatched.push(m.rel);
        continue;
      }
      claimed.add(item.mediaKey);
      recordMatched(db, item, { mediaKey: item.mediaKey, role: 'main', relPath: m.rel, bytes: m.bytes, sha256: m.sha256, sha1: m.sha1, mtimeMs: m.mtimeMs, originalConfirmed: true });
      recordedPaths.add(m.rel);
      report.bySha1++;
    }
  }

  // A sidecar belongs to the photo beside it (`<photo>.xmp`).
  for (const rel of sidecars) {
    const photo = rel.slice(0, -SIDECAR.length);
    const owner = recordedPaths.has(photo) ? (db.prepare('SELECT media_key FROM files WHERE rel_path = ?').pluck().get(photo) as string | undefined) : undefined;
    if (!owner) {
      report.unmatched.push(rel);
      continue;
    }
    const digest = await hashFile(path.join(out, rel));
    insertFileRecord(db, owner, { mediaKey: owner, role: 'sidecar', relPath: rel, bytes: digest.bytes, sha256: digest.sha256, sha1: digest.sha1 }, Date.now());
    recordedPaths.add(rel);
    report.sidecars++;
  }

  for (const list of missingBySha.values()) for (const row of list) report.missing.push(row.rel_path);
  report.unmatched.sort();
  report.missing.sort();
}

/** A photo or video Google holds with exactly these bytes is that item, done; a Live Photo's other half is fetched by the next sync. */
function recordMatched(db: Db, item: RemoteItem, file: FileRecord): void {
  db.transaction(() => {
    if (!getItem(db, item.mediaKey)) upsertItems(db, [item]);
    if (item.kind === 'live') {
      insertFileRecord(db, item.mediaKey, file, Date.now());
      requeueUnlessGone(db, item.mediaKey);
    } else {
      recordDownloaded(db, item.mediaKey, [file]);
    }
  })();
}

function keptFileOf(db: Db, mediaKey: string): boolean {
  return db.prepare(`SELECT 1 FROM files WHERE media_key = ? AND role IN ('main', 'original') AND superseded_ms IS NULL AND trashed_ms IS NULL`).pluck().get(mediaKey) !== undefined;
}

/** sha1 → item, from the signed-in profile; null (and why, in the report) when it cannot be asked. */
async function lookupSignedIn(db: Db, sha1: string[], params: RepairParams, report: RepairReport): Promise<Map<string, RemoteItem> | null> {
  if (!existsSync(params.profileDir)) {
    report.lookup = `not signed in (no profile at ${params.profileDir})`;
    return null;
  }
  let context: BrowserContext | null = null;
  try {
    context = await launchProfile({ profileDir: params.profileDir, headless: true, logger: params.logger });
    const page = context.pages()[0] ?? (await context.newPage());
    const tokens = await checkSession(page, params.baseUrl);
    report.email = tokens.email;
    // Google's lookup answers for the signed-in account: it must be this folder's.
    tieToAccount(db, tokens.email, params.baseUrl, { record: true, profileDir: params.profileDir });
    const hits = await lookupHashes(new RpcClient(page, params.baseUrl, tokens), sha1, { signal: params.signal });
    report.lookup = 'used';
    return hits;
  } catch (error) {
    if (!(error instanceof SignedOutError)) throw error;
    report.lookup = `not signed in (${describeError(error)})`;
    return null;
  } finally {
    await context?.close().catch(() => undefined);
  }
}

/** Every regular file of the backup, relative: not the state folder, the trash, the link folders or `.part` files. */
function listFiles(out: string): string[] {
  const found: string[] = [];
  const visit = (dir: string, rel: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (rel === '' && (entry.name === STATE_DIR || entry.name === TRASH_DIR || (LINK_ROOTS as readonly string[]).includes(entry.name))) continue;
      if (entry.isDirectory()) visit(path.join(dir, entry.name), child);
      else if (entry.isFile() && !entry.name.endsWith('.part')) found.push(child);
    }
  };
  if (existsSync(out)) visit(out, '');
  return found.sort();
}
