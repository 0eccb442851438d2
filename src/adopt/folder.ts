// Adopts a folder of files (a Takeout export, an old copy): every media file is hashed
// (SHA-1 and sha256, streaming), the SHA-1s are looked up in Google (`swbisb`), and a file
// whose bytes are exactly what Google holds is the original: it is placed into the backup
// layout and counted as done without downloading. Files that do not match exactly but carry
// the same name and taken time as an item are reported as probable, with the command that
// accepts them; files that match nothing are listed and left alone.
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hashFile } from '../folder/hash.js';
import { datedFolder, resolveInside } from '../folder/layout.js';
import { sanitiseFileName, splitExtension } from '../folder/names.js';
import { PathPlanner } from '../folder/planner.js';
import { KeepError, describeError } from '../errors.js';
import { enumerateLibrary } from '../library/enumerate.js';
import type { Logger } from '../log.js';
import { MediaInspector } from '../media/inspect.js';
import { fetchBulkInfo, lookupHashes } from '../site/calls.js';
import type { RpcClient } from '../site/rpc-client.js';
import type { BulkInfo } from '../model/remote-item.js';
import {
  type AdoptionRow,
  type AdoptionStatus,
  adoptionsWithStatus,
  type CandidateItem,
  countAdoptions,
  hasKeptFile,
  itemsTakenNear,
  recordFolderAdoption,
  recordLookup,
  registerFolderFiles,
  setAdoptionStatus,
  setHashes,
  setItemFileName,
  type SourceEntry,
} from '../store/adopt-queries.js';
import type { Db } from '../store/database.js';
import { type FileRole } from '../store/files.js';
import { getItem, upsertItems } from '../store/items.js';
import { type Placement, type PlaceResult, placeFile } from './place.js';
import { runPool } from './pool.js';
import { openSession } from './session.js';
import { findSidecar, readSidecar } from './takeout.js';
import { walkMedia } from './walk.js';

export interface FolderParams {
  db: Db;
  folder: string;
  outDir: string;
  placement: Placement;
  acceptProbable: boolean;
  dryRun: boolean;
  baseUrl: string;
  profileDir: string;
  logger: Logger;
  signal: AbortSignal;
  /** Files hashed at once (I/O bound; default: cores, at most 4). */
  hashWorkers?: number;
  onProgress?: (progress: { phase: 'scan' | 'hash' | 'lookup' | 'place'; done: number; total: number }) => void;
}

export interface ListedFile {
  path: string;
  mediaKey?: string | null;
  fileName?: string | null;
  error?: string | null;
}

export interface FolderReport {
  source: 'folder';
  folder: string;
  out: string;
  placement: Placement;
  acceptProbable: boolean;
  dryRun: boolean;
  /** Media files found under the folder. */
  found: number;
  hashedThisRun: number;
  /** Byte-identical to an original Google holds. */
  exact: number;
  /** Placed into the backup and counted as done (exact, and probable ones accepted), in total. */
  placed: number;
  placedThisRun: number;
  /** Would be placed (a dry run). */
  wouldPlace: number;
  /** The item is already in the backup: left alone. */
  already: number;
  /** Another file here already stands for the same item: left alone. */
  duplicates: number;
  probable: ListedFile[];
  unmatched: ListedFile[];
  failed: ListedFile[];
  /** Re-running with this accepts the probable matches (null when there are none). */
  acceptCommand: string | null;
  seconds: number;
}

/** Google's taken time has ms precision; sidecars have seconds; EXIF has seconds and no zone. */
const TIME_WINDOW_MS = 2_000;
const REGISTER_BATCH = 500;

export async function adoptFolder(params: FolderParams): Promise<FolderReport> {
  const started = Date.now();
  const { db, logger, signal } = params;
  const folder = path.resolve(params.folder);
  const outDir = path.resolve(params.outDir);

  // 1. Find the media files (and their Takeout sidecars' taken time).
  let found = 0;
  let batch: SourceEntry[] = [];
  for await (const file of walkMedia(folder, [outDir])) {
    if (signal.aborted) break;
    found++;
    let info;
    try {
      info = await stat(file.path);
    } catch {
      continue;
    }
    const sidecarName = findSidecar(file.name, file.jsonSiblings);
    const sidecar = sidecarName ? await readSidecar(path.join(file.dir, sidecarName)) : null;
    batch.push({
      sourceId: file.path,
      sourcePath: file.path,
      fileName: file.name,
      takenMs: sidecar?.takenMs ?? null,
      mime: null,
      bytes: info.size,
      mtimeMs: Math.floor(info.mtimeMs),
      status: 'pending',
    });
    if (batch.length >= REGISTER_BATCH) {
      registerFolderFiles(db, batch);
      batch = [];
      params.onProgress?.({ phase: 'scan', done: found, total: found });
    }
  }
  registerFolderFiles(db, batch);
  logger.info({ folder, found }, `found ${found} media files`);

  // 2. Hash what is new or changed, a few files at once, each streamed.
  const toHash = adoptionsWithStatus(db, 'folder', ['pending']);
  let hashedThisRun = 0;
  await runPool(
    toHash,
    params.hashWorkers ?? Math.max(1, Math.min(4, os.availableParallelism())),
    async (row) => {
      try {
        const before = await stat(row.source_path!);
        const digest = await hashFile(row.source_path!);
        setHashes(db, row.id, { sha1: digest.sha1, sha256: digest.sha256, bytes: digest.bytes, mtimeMs: Math.floor(before.mtimeMs) });
        hashedThisRun++;
      } catch (error) {
        setAdoptionStatus(db, row.id, 'pending', { error: `cannot read: ${describeError(error)}`, countAttempt: true });
      }
      params.onProgress?.({ phase: 'hash', done: hashedThisRun, total: toHash.length });
    },
    { signal },
  );

  // 3-6 need Google: the library listing, the SHA-1 lookup, names and sizes.
  const open = adoptionsWithStatus(db, 'folder', ['hashed', 'exact', 'probable', 'unmatched']);
  let placedThisRun = 0;
  let wouldPlace = 0;
  let failedThisRun = 0;
  if (open.length > 0 && !signal.aborted) {
    const session = await openSession({ profileDir: params.profileDir, baseUrl: params.baseUrl, pages: 1, logger, db, dryRun: params.dryRun });
    const inspector = new MediaInspector();
    try {
      const client = session.client;
      // 3. The library, so probable matches can be found by time and kinds are known.
      let listed = 0;
      for await (const page of enumerateLibrary({ page: session.pages[0], baseUrl: params.baseUrl, client, signal })) {
        upsertItems(db, page.items);
        listed += page.items.length;
      }
      logger.info({ listed }, `the library lists ${listed} items`);

      // 4. Exact matches by SHA-1.
      const lookup = adoptionsWithStatus(db, 'folder', ['hashed', 'unmatched', 'probable']);
      const hits = await lookupHashes(client, lookup.map((r) => r.sha1!).filter(Boolean), {
        signal,
        onBatch: (done, total) => params.onProgress?.({ phase: 'lookup', done, total }),
      });
      recordLookup(
        db,
        lookup.map((r) => ({ id: r.id, item: r.sha1 ? hits.get(r.sha1) ?? null : null })),
      );

      // 5. The rest: same name and taken time as an item → probable; else unmatched.
      const rest = adoptionsWithStatus(db, 'folder', ['hashed', 'unmatched', 'probable']);
      for (const [row, match] of await probableMatches(db, client, inspector, rest, signal)) {
        if (!match) setAdoptionStatus(db, row.id, 'unmatched', { mediaKey: null, error: null });
        else if (hasKeptFile(db, match.media_key)) setAdoptionStatus(db, row.id, 'already', { mediaKey: match.media_key, error: null });
        else setAdoptionStatus(db, row.id, 'probable', { mediaKey: match.media_key, error: null });
      }

      // 6. Place exact matches (and accepted probable ones), one file per item.
      const statuses: AdoptionStatus[] = params.acceptProbable ? ['exact', 'probable'] : ['exact'];
      const toPlace = adoptionsWithStatus(db, 'folder', statuses);
      const google = await fetchBulkInfo(client, [...new Set(toPlace.map((r) => r.media_key!))], { signal });
      const planner = new PathPlanner(outDir, db);
      const claimed = new Set<string>();
      let done = 0;
      for (const row of toPlace) {
        if (signal.aborted) break;
        const mediaKey = row.media_key!;
        params.onProgress?.({ phase: 'place', done: done++, total: toPlace.length });
        if (claimed.has(mediaKey) || hasKeptFile(db, mediaKey)) {
          setAdoptionStatus(db, row.id, claimed.has(mediaKey) ? 'duplicate' : 'already');
          continue;
        }
        claimed.add(mediaKey);
        if (params.dryRun) {
          wouldPlace++;
          continue;
        }
        try {
          await placeOne(params, outDir, planner, inspector, row, google.get(mediaKey) ?? null);
          placedThisRun++;
        } catch (error) {
          if (error instanceof KeepError && error.stopsRun) throw error;
          setAdoptionStatus(db, row.id, row.status, { error: describeError(error), countAttempt: true });
          failedThisRun++;
          logger.warn({ file: row.source_path, err: describeError(error) }, 'could not place an adopted file');
        }
      }
    } finally {
      await inspector.end();
      await session.close();
    }
  }
  return report(params, folder, outDir, { found, hashedThisRun, placedThisRun, wouldPlace, failedThisRun }, started);
}

/**
 * Places one file and records it. An exact copy of a photo or video is the item, done. A
 * Live Photo's still alone is not (the video half is missing) and an item edited in Google
 * has a newer version than its original: both are recorded and stay pending, so the next
 * sync fetches what is missing and keeps this file.
 */
async function placeOne(params: FolderParams, outDir: string, planner: PathPlanner, inspector: MediaInspector, row: AdoptionRow, google: BulkInfo | null): Promise<void> {
  const { db } = params;
  const mediaKey = row.media_key!;
  const item = getItem(db, mediaKey);
  if (!item) throw new KeepError(`item ${mediaKey} is not in the index`);
  const exact = row.status === 'exact';
  // Google's size is its current version's: another size than these original bytes means an edit in Google.
  const edited = exact && google?.sizeBytes != null && google.sizeBytes !== row.bytes && item.kind !== 'live';
  const role: FileRole = edited ? 'original' : 'main';
  const googleName = google?.fileName ?? item.file_name;
  const baseName = sanitiseFileName(googleName ?? row.file_name ?? path.basename(row.source_path!), row.file_name ?? 'item');
  const result = (await alreadyPlaced(outDir, row)) ??
    (await placeFile({
      outDir,
      planner,
      mediaKey,
      role,
      folder: datedFolder(item.taken_ms, item.tz_offset_ms),
      baseName,
      source: row.source_path!,
      sha256: row.sha256!,
      bytes: row.bytes!,
      mtimeMs: row.mtime_ms,
      mode: params.placement,
      onPlanned: (relPath) => setAdoptionStatus(db, row.id, row.status, { mediaKey, targetRelPath: relPath }),
    }));
  const full = path.join(outDir, result.relPath);
  let facts = null;
  try {
    facts = await inspector.inspect(full);
  } catch {
    // Adopted as found: a file exiftool cannot read is still the user's file.
  }
  const info = await stat(full);
  recordFolderAdoption(
    db,
    row.id,
    exact ? 'placed' : 'accepted',
    {
      mediaKey,
      role,
      relPath: result.relPath,
      bytes: row.bytes!,
      sha256: row.sha256!,
      sha1: row.sha1,
      mime: facts?.mime ?? null,
      takenAt: facts?.takenAt ?? null,
      gpsLat: facts?.gpsLat ?? null,
      gpsLng: facts?.gpsLng ?? null,
      make: facts?.make ?? null,
      model: facts?.model ?? null,
      imgWidth: facts?.width ?? null,
      imgHeight: facts?.height ?? null,
      mtimeMs: Math.floor(info.mtimeMs),
      originalConfirmed: exact,
    },
    { keepPending: edited || item.kind === 'live', fileName: googleName ?? null, sizeBytes: google?.sizeBytes ?? null },
  );
  await result.afterRecord();
}

/**
 * A run killed after moving a file and before recording it: the source is gone, and the bytes
 * are at the target it chose. Anything else goes through placeFile again.
 */
async function alreadyPlaced(outDir: string, row: AdoptionRow): Promise<PlaceResult | null> {
  if (!row.target_rel_path || existsSync(row.source_path!)) return null;
  const full = resolveInside(outDir, row.target_rel_path);
  if (!existsSync(full) || (await hashFile(full)).sha256 !== row.sha256) return null;
  return { relPath: row.target_rel_path, method: 'already-there', afterRecord: async () => undefined };
}

/**
 * Same (normalised) name and the same taken time, within seconds: the closest such item.
 * Taken times come from the Takeout sidecar, else from exiftool; the names of candidate items
 * the index does not know yet are asked from Google in batches.
 */
async function probableMatches(db: Db, client: RpcClient, inspector: MediaInspector, rows: AdoptionRow[], signal: AbortSignal): Promise<Map<AdoptionRow, CandidateItem | null>> {
  const found = new Map<AdoptionRow, { utcMs: number | null; localMs: number | null; candidates: CandidateItem[] }>();
  const unnamed = new Set<string>();
  for (const row of rows) {
    if (signal.aborted) break;
    let utcMs = row.taken_ms;
    let localMs: number | null = null;
    if (utcMs === null) {
      try {
        ({ utcMs, localMs } = parseTakenAt((await inspector.inspect(row.source_path!)).takenAt));
      } catch {
        // Unreadable: no time, so no probable match.
      }
    }
    const candidates = utcMs === null && localMs === null ? [] : itemsTakenNear(db, utcMs, localMs, TIME_WINDOW_MS);
    for (const c of candidates) if (c.file_name === null) unnamed.add(c.media_key);
    found.set(row, { utcMs, localMs, candidates });
  }
  if (unnamed.size > 0) {
    const names = await fetchBulkInfo(client, [...unnamed], { signal });
    setItemFileName(db, [...names.values()].flatMap((n) => (n.fileName ? [{ mediaKey: n.mediaKey, fileName: n.fileName }] : [])));
    for (const { candidates } of found.values()) for (const c of candidates) c.file_name ??= names.get(c.media_key)?.fileName ?? null;
  }
  const result = new Map<AdoptionRow, CandidateItem | null>();
  for (const [row, { utcMs, localMs, candidates }] of found) {
    const wanted = normaliseName(row.file_name ?? path.basename(row.source_path!));
    const named = candidates.filter((c) => c.file_name !== null && sameName(wanted, normaliseName(c.file_name)));
    const distance = (c: CandidateItem): number =>
      Math.min(utcMs !== null ? Math.abs(c.taken_ms - utcMs) : Infinity, localMs !== null ? Math.abs(c.taken_ms + c.tz_offset_ms - localMs) : Infinity);
    named.sort((a, b) => distance(a) - distance(b));
    result.set(row, named[0] ?? null);
  }
  return result;
}

/** ISO taken time from exiftool: with an offset it is an instant; without, a wall-clock time. */
export function parseTakenAt(takenAt: string | null): { utcMs: number | null; localMs: number | null } {
  if (!takenAt) return { utcMs: null, localMs: null };
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(takenAt);
  if (!m) return { utcMs: null, localMs: null };
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  if (!m[8]) return { utcMs: null, localMs: wall };
  if (m[8] === 'Z') return { utcMs: wall, localMs: null };
  const sign = m[8].startsWith('-') ? -1 : 1;
  const offset = sign * (Number(m[8].slice(1, 3)) * 3_600_000 + Number(m[8].slice(4, 6)) * 60_000);
  return { utcMs: wall - offset, localMs: wall };
}

/** Lower case, NFC, without a copy's ` (1)`/`(1)` and Takeout's `-edited`. */
export function normaliseName(name: string): string {
  const { stem, ext } = splitExtension(name.normalize('NFC').toLowerCase());
  const cleaned = stem.replace(/\s*\(\d+\)$/, '').replace(/-(edited|bearbeitet|modifié|modificato|editado|bewerkt)$/, '');
  return `${cleaned}${ext === '.jpeg' ? '.jpg' : ext}`;
}

/** Equal, or Takeout cut the local name short (it keeps about 47 characters). */
function sameName(local: string, google: string): boolean {
  if (local === google) return true;
  const a = splitExtension(local);
  const b = splitExtension(google);
  return a.ext === b.ext && a.stem.length >= 30 && b.stem.startsWith(a.stem);
}

function report(
  params: FolderParams,
  folder: string,
  outDir: string,
  run: { found: number; hashedThisRun: number; placedThisRun: number; wouldPlace: number; failedThisRun: number },
  started: number,
): FolderReport {
  const { db } = params;
  const counts = countAdoptions(db, 'folder');
  const n = (status: string): number => counts[status] ?? 0;
  const list = (rows: AdoptionRow[]): ListedFile[] => rows.map((r) => ({ path: r.source_path ?? r.source_id, mediaKey: r.media_key, fileName: r.file_name, error: r.error }));
  const probable = adoptionsWithStatus(db, 'folder', ['probable']);
  const failed = adoptionsWithStatus(db, 'folder', ['pending', 'exact', 'probable']).filter((r) => r.error !== null);
  return {
    source: 'folder',
    folder,
    out: outDir,
    placement: params.placement,
    acceptProbable: params.acceptProbable,
    dryRun: params.dryRun,
    found: run.found,
    hashedThisRun: run.hashedThisRun,
    exact: n('exact') + n('placed'),
    placed: n('placed') + n('accepted'),
    placedThisRun: run.placedThisRun,
    wouldPlace: run.wouldPlace,
    already: n('already'),
    duplicates: n('duplicate'),
    probable: list(probable),
    unmatched: list(adoptionsWithStatus(db, 'folder', ['unmatched'])),
    failed: list(failed),
    acceptCommand: probable.length > 0 && !params.acceptProbable ? acceptCommand(folder, outDir, params.placement) : null,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

export function acceptCommand(folder: string, outDir: string, placement: Placement): string {
  const mode = placement === 'copy' ? '' : ` --${placement}`;
  return `gphotos-keep adopt --from-folder ${shellQuote(folder)} --out ${shellQuote(outDir)}${mode} --accept-probable`;
}
