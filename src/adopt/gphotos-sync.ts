// Adopts a gphotos-sync backup: every SyncFiles row is a Library API id and a file on disk.
// Each id is mapped to its web mediaKey through the site's `/lr/photo/<id>` redirect in the
// signed-in browser (a few pages at once, retried with back-off), and the file is recorded as
// an adopted, lossy copy: the API stripped its location and recompressed it. Progress is kept
// per id in the index, so a killed adoption continues where it stopped.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { hashFile } from '../folder/hash.js';
import { datedFolder, relativeInside } from '../folder/layout.js';
import { sanitiseFileName } from '../folder/names.js';
import { PathPlanner } from '../folder/planner.js';
import { KeepError, UsageError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { mapApiId } from '../site/id-bridge.js';
import {
  type AdoptionRow,
  adoptionIdsWithStatus,
  adoptionsWithStatus,
  countAdoptions,
  getAdoption,
  hasKeptFile,
  recordApiAdoption,
  registerApiIds,
  type SourceEntry,
  setAdoptionStatus,
} from '../store/adopt-queries.js';
import type { Db } from '../store/database.js';
import { GphotosSyncIndex } from '../store/gphotos-sync-index.js';
import { type Placement, placeFile } from './place.js';
import { runPool } from './pool.js';
import { openSession } from './session.js';

export const GPHOTOS_SYNC_DB = 'gphotos.sqlite';

export interface GphotosSyncSource {
  /** gphotos.sqlite */
  indexFile: string;
  /** The folder its Path column is relative to. */
  root: string;
}

/** `DB_OR_FOLDER` → the index file and the backup root it describes. */
export function resolveGphotosSyncSource(given: string): GphotosSyncSource {
  const resolved = path.resolve(given);
  if (!existsSync(resolved)) throw new UsageError(`--from-gphotos-sync ${given}: no such file or folder. Give gphotos-sync's backup folder or its ${GPHOTOS_SYNC_DB}.`);
  if (statSync(resolved).isDirectory()) {
    const indexFile = path.join(resolved, GPHOTOS_SYNC_DB);
    if (!existsSync(indexFile)) throw new UsageError(`--from-gphotos-sync ${given}: the folder has no ${GPHOTOS_SYNC_DB}. Give the folder gphotos-sync backed up into, or the index file itself.`);
    return { indexFile, root: resolved };
  }
  return { indexFile: resolved, root: path.dirname(resolved) };
}

export interface GphotosSyncParams {
  db: Db;
  source: GphotosSyncSource;
  outDir: string;
  mode: 'keep' | 'upgrade';
  /** How a file outside the backup folder gets in (files inside are recorded where they are). */
  placement: Placement;
  concurrency: number;
  dryRun: boolean;
  baseUrl: string;
  profileDir: string;
  logger: Logger;
  signal: AbortSignal;
  retries?: number;
  onProgress?: (progress: { done: number; total: number }) => void;
}

export interface GphotosSyncReport {
  source: 'gphotos-sync';
  index: string;
  out: string;
  mode: 'keep' | 'upgrade';
  dryRun: boolean;
  /** Rows of SyncFiles with an API id. */
  listed: number;
  /** Their files are not on disk (never downloaded, or removed): nothing to adopt. */
  missing: number;
  /** Ids mapped to a mediaKey, in total (adopted + already). */
  mapped: number;
  /** Recorded from this backup. */
  adopted: number;
  /** Mapped, but the backup already holds a downloaded original: left alone. */
  already: number;
  /** Google does not know the id (deleted since, or another account's). */
  unknown: number;
  /** Could not be mapped this time; the next run tries again. */
  failed: number;
  /** Still to map (a dry run, or a run that was stopped). */
  pending: number;
  /** Mapped by this run. */
  mappedThisRun: number;
  /** Files copied, moved or linked into the backup folder by this run (the rest stay where they are). */
  placedThisRun: number;
  unknownIds: string[];
  failures: { remoteId: string; file: string | null; error: string }[];
  seconds: number;
}

const LIST_LIMIT = 100;
const REGISTER_BATCH = 500;

export async function adoptGphotosSync(params: GphotosSyncParams): Promise<GphotosSyncReport> {
  const started = Date.now();
  const { db, source, logger } = params;
  const outDir = path.resolve(params.outDir);
  const index = GphotosSyncIndex.open(source.indexFile);
  let listed = 0;
  try {
    let batch: SourceEntry[] = [];
    for (const row of index.rows()) {
      listed++;
      const file = localFile(source.root, row.path, row.fileName);
      const present = file !== null && isFile(file);
      batch.push({
        sourceId: row.remoteId,
        sourcePath: file,
        fileName: row.origFileName ?? row.fileName,
        takenMs: row.createMs,
        mime: row.mimeType,
        bytes: row.fileSize,
        mtimeMs: null,
        status: present ? 'pending' : 'missing',
      });
      if (batch.length >= REGISTER_BATCH) {
        registerApiIds(db, batch);
        batch = [];
      }
    }
    registerApiIds(db, batch);
  } finally {
    index.close();
  }
  logger.info({ index: source.indexFile, listed }, `gphotos-sync index lists ${listed} items`);

  const todo = adoptionIdsWithStatus(db, 'gphotos-sync', ['pending', 'failed']);
  let mappedThisRun = 0;
  let placedThisRun = 0;
  if (!params.dryRun && todo.length > 0) {
    const session = await openSession({ profileDir: params.profileDir, baseUrl: params.baseUrl, pages: Math.max(1, Math.min(params.concurrency, todo.length)), logger, db: params.db, dryRun: params.dryRun });
    const planner = new PathPlanner(outDir, db);
    let done = 0;
    try {
      await runPool(
        todo,
        session.pages.length,
        async (id, worker) => {
          const row = getAdoption(db, id);
          if (!row || (row.status !== 'pending' && row.status !== 'failed')) return;
          const outcome = await adoptOne(params, outDir, session.pages[worker], planner, row);
          if (outcome.mapped) mappedThisRun++;
          if (outcome.placed) placedThisRun++;
          params.onProgress?.({ done: ++done, total: todo.length });
        },
        { signal: params.signal },
      );
    } finally {
      await session.close();
    }
  }

  const counts = countAdoptions(db, 'gphotos-sync');
  const n = (status: string): number => counts[status] ?? 0;
  return {
    source: 'gphotos-sync',
    index: source.indexFile,
    out: outDir,
    mode: params.mode,
    dryRun: params.dryRun,
    listed,
    missing: n('missing'),
    mapped: n('adopted') + n('already'),
    adopted: n('adopted'),
    already: n('already'),
    unknown: n('unknown'),
    failed: n('failed'),
    pending: n('pending'),
    mappedThisRun,
    placedThisRun,
    unknownIds: adoptionsWithStatus(db, 'gphotos-sync', ['unknown']).slice(0, LIST_LIMIT).map((r) => r.source_id),
    failures: adoptionsWithStatus(db, 'gphotos-sync', ['failed'])
      .slice(0, LIST_LIMIT)
      .map((r) => ({ remoteId: r.source_id, file: r.source_path, error: r.error ?? '' })),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}

async function adoptOne(params: GphotosSyncParams, outDir: string, page: Page, planner: PathPlanner, row: AdoptionRow): Promise<{ mapped: boolean; placed: boolean }> {
  const { db, logger } = params;
  let resolution;
  try {
    const onFallback = (reason: string): void => logger.debug({ remoteId: row.source_id, reason }, 'the in-page lookup was not conclusive: navigating');
    resolution = await mapApiId(page, params.baseUrl, row.source_id, {
      onFallback,
      retries: params.retries,
      signal: params.signal,
      onFailedAttempt: (error, attemptNumber) => logger.debug({ remoteId: row.source_id, attemptNumber, err: describeError(error) }, 'mapping an id failed'),
    });
    logger.debug({ remoteId: row.source_id, resolution }, 'mapped');
  } catch (error) {
    if (error instanceof KeepError && error.stopsRun) throw error;
    if (params.signal.aborted) return { mapped: false, placed: false };
    setAdoptionStatus(db, row.id, 'failed', { error: describeError(error), countAttempt: true });
    logger.warn({ remoteId: row.source_id, err: describeError(error) }, 'could not map a gphotos-sync id');
    return { mapped: false, placed: false };
  }
  if (!resolution.found) {
    setAdoptionStatus(db, row.id, 'unknown', { error: resolution.reason, countAttempt: true });
    logger.debug({ remoteId: row.source_id, reason: resolution.reason }, 'Google does not know this id');
    return { mapped: false, placed: false };
  }
  const mediaKey = resolution.mediaKey;
  if (hasKeptFile(db, mediaKey)) {
    setAdoptionStatus(db, row.id, 'already', { mediaKey });
    return { mapped: true, placed: false };
  }
  const file = row.source_path!;
  try {
    const digest = await hashFile(file);
    const mtimeMs = Math.floor(statSync(file).mtimeMs);
    const takenMs = row.taken_ms ?? mtimeMs;
    const kind = row.mime?.startsWith('video/') ? 'video' : 'photo';
    let relPath = relativeInside(outDir, file);
    let placed = false;
    let afterRecord = async (): Promise<void> => undefined;
    if (relPath === null) {
      const result = await placeFile({
        outDir,
        planner,
        mediaKey,
        role: 'main',
        folder: datedFolder(takenMs, 0),
        baseName: sanitiseFileName(row.file_name ?? path.basename(file), path.basename(file)),
        source: file,
        sha256: digest.sha256,
        bytes: digest.bytes,
        mtimeMs,
        mode: params.placement,
        onPlanned: (target) => setAdoptionStatus(db, row.id, row.status, { mediaKey, targetRelPath: target }),
      });
      relPath = result.relPath;
      placed = result.method !== 'already-there';
      afterRecord = result.afterRecord;
    }
    const outcome = recordApiAdoption(
      db,
      row.id,
      { mediaKey, kind, takenMs, fileName: row.file_name },
      { mediaKey, role: 'main', relPath, bytes: digest.bytes, sha256: digest.sha256, sha1: digest.sha1, mime: row.mime, mtimeMs },
      params.mode,
    );
    await afterRecord();
    return { mapped: true, placed: placed && outcome === 'adopted' };
  } catch (error) {
    if (error instanceof KeepError && error.stopsRun) throw error;
    setAdoptionStatus(db, row.id, 'failed', { mediaKey, error: describeError(error), countAttempt: true });
    logger.warn({ remoteId: row.source_id, file, err: describeError(error) }, 'mapped, but could not record the file');
    return { mapped: false, placed: false };
  }
}

/** root/Path/FileName; Path is relative in current gphotos-sync, absolute in very old indexes. */
function localFile(root: string, folder: string, fileName: string): string | null {
  if (fileName === '' || fileName.includes('/') || fileName.includes('\0')) return null;
  const full = path.resolve(root, folder, fileName);
  return full;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
