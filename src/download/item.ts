// One item, end to end: open its viewer, start the site's own Download (and Download
// original for items edited in Google), catch the browser download, move it to `.part`
// beside its final place, hash and fsync it, check its size and that it parses as what it
// claims, rename it into `YYYY/MM/`, and record every file of the item in one transaction.
import type { Download, Page } from 'playwright-core';
import { chmod, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { CorruptDownloadError, DownloadFailedError, KeepError, LocalIoError } from '../errors.js';
import type { Logger } from '../log.js';
import type { MediaFacts } from '../media/inspect.js';
import type { ExtractedEntry } from '../media/live-zip.js';
import { keepGoogleSide } from '../media/keep.js';
import { assertNotProcessing, offersOriginal, openViewer, startDownload, startOriginalDownload, type ViewerTimeouts } from '../site/viewer.js';
import type { ItemPlace } from '../model/albums.js';
import type { ExtendedInfo } from '../model/remote-item.js';
import type { Db } from '../store/database.js';
import { type FileRecord, type FileRole, filesOf, recordDownloaded } from '../store/files.js';
import { dropIntents, dropIntentsOf, type Intent, intentsOf, noteIntents } from '../store/intents.js';
import type { ItemRow } from '../store/items.js';
import { moveInto, removeQuietly } from '../folder/durable.js';
import type { FileDigest } from '../folder/hash.js';
import { ensureFolderInside } from '../folder/inside.js';
import { datedFolder, keyTag, nameForRole, resolveInside, toRelPath } from '../folder/layout.js';
import { fileMode } from '../folder/modes.js';
import { nameBudget } from '../folder/name-limit.js';
import { sanitiseFileName, splitExtension } from '../folder/names.js';
import { partName, sealPart } from '../folder/part-files.js';
import type { PathPlanner } from '../folder/planner.js';
import { sidecarPathOf } from '../media/sidecar.js';

export interface FileInspector {
  inspect(file: string, claimed?: { mime?: string | null; extension?: string | null }): Promise<MediaFacts>;
}

export type LiveZipExtractor = (zipPath: string, stagingDir: string) => Promise<ExtractedEntry[]>;

export interface DownloadEnv {
  outDir: string;
  /** `<out>/.gphotos-keep/tmp`: the browser's download folder and zip staging, same file system as `out`. */
  tmpDir: string;
  baseUrl: string;
  db: Db;
  planner: PathPlanner;
  logger: Logger;
  timeouts: ViewerTimeouts & {
    /** How long one download may take: a floor, plus time for its size at a slow rate. */
    transferFloorMs: number;
    slowBytesPerSecond: number;
  };
  inspector: FileInspector | null;
  extractLive: LiveZipExtractor | null;
  /** Google's facts about the item (file name, date, size, location, caption), fetched beside the download (null when unavailable). */
  itemInfo: ((row: ItemRow, place?: ItemPlace) => Promise<ExtendedInfo | null>) | null;
  /** Whether the item has an unedited original (edited in Google); null when unknown. */
  hasOriginal?: ((mediaKey: string, place?: ItemPlace) => Promise<boolean | null>) | null;
  /**
   * Where the item opens: its library viewer, or for an item seen only through sharing, an
   * album, shared album or the partner's items (null: nowhere now). Absent: the library viewer.
   */
  placeOf?: ((row: ItemRow) => ItemPlace | null) | null;
  /** Called with every file's bytes as they are recorded. */
  onFile?: (bytes: number) => void;
}

export interface ItemResult {
  files: FileRecord[];
  bytes: number;
  edited: boolean;
}

interface Arrived {
  role: FileRole;
  /** Sanitised name to place under (a Live Photo's video takes the still's base name). */
  name: string;
  /** Where the bytes are now: the `.part` beside the final place. */
  at: string;
  /** The `.part` as the index noted it (relative to the backup folder). */
  partRel: string;
  digest: FileDigest;
  facts: MediaFacts | null;
}

interface Fetched {
  path: string;
  suggested: string;
}

/** An item whose downloads have started: the page is free for the next item. */
export interface StartedItem {
  row: ItemRow;
  main: Download;
  original: Download | null;
  info: Promise<ExtendedInfo | null>;
}

/**
 * The part that needs the page: open the viewer, refuse a video still processing, start
 * Download (and Download original when the menu offers it). `beforeStart` runs once the
 * viewer is ready and may wait (e.g. for this page's previous transfer to end).
 */
export async function startItem(page: Page, env: DownloadEnv, row: ItemRow, beforeStart?: () => Promise<void>): Promise<StartedItem> {
  const key = row.media_key;
  const place = env.placeOf ? env.placeOf(row) : { kind: 'library' as const, key };
  if (!place) throw new DownloadFailedError(`${key} is someone else's item that no album or partner share shows now`);
  // What the item is comes over the RPC page while this page opens and downloads.
  const info: Promise<ExtendedInfo | null> = env.itemInfo ? env.itemInfo(row, place) : Promise.resolve(null);
  info.catch(() => undefined);
  const hasOriginal: Promise<boolean | null> = env.hasOriginal ? env.hasOriginal(key, place) : Promise.resolve(null);
  hasOriginal.catch(() => undefined);

  const opened = await openViewer(page, env.baseUrl, key, env.timeouts, place);
  assertNotProcessing(opened, key);
  if (beforeStart) await beforeStart();

  const main = await startDownload(page, env.baseUrl, opened.viewer, env.timeouts);
  try {
    let original: Download | null = null;
    // Known from the RPC when it answered; otherwise the menu tells (it lists Download original).
    const edited = (await hasOriginal) ?? (await offersOriginal(page, env.baseUrl, opened.viewer, env.timeouts));
    if (edited) original = await startOriginalDownload(page, env.baseUrl, opened.viewer, env.timeouts);
    return { row, main, original, info };
  } catch (error) {
    await main.cancel().catch(() => undefined);
    throw error;
  }
}

/** Waits for the started downloads to end; failed, cancelled or stalled ones throw (and the other is cancelled). */
export async function awaitTransfers(env: DownloadEnv, started: StartedItem, signal?: AbortSignal): Promise<Transferred> {
  const mainDone = finishDownload(started.main, env, started.row.size_bytes, signal);
  const originalDone = started.original ? finishDownload(started.original, env, started.row.size_bytes, signal) : Promise.resolve(null);
  mainDone.catch(() => undefined);
  originalDone.catch(() => undefined);
  try {
    const main = await mainDone;
    const original = await originalDone;
    return { main, original, info: await started.info };
  } catch (error) {
    await started.main.cancel().catch(() => undefined);
    await started.original?.cancel().catch(() => undefined);
    // Whatever did arrive is not placed.
    const [main, original] = await Promise.allSettled([mainDone, originalDone]);
    if (main.status === 'fulfilled') await removeQuietly(main.value.path);
    if (original.status === 'fulfilled' && original.value) await removeQuietly(original.value.path);
    throw error;
  }
}

export interface Transferred {
  main: Fetched;
  original: Fetched | null;
  info: ExtendedInfo | null;
}

/** The part that needs no page: `.part`, hash, fsync, inspect, rename, record. */
export async function placeTransferred(env: DownloadEnv, row: ItemRow, transferred: Transferred): Promise<ItemResult> {
  return await placeItem(env, row, transferred.info, transferred.main, transferred.original);
}

/** One item start to finish on one page (no overlap with the next item). */
export async function downloadItem(page: Page, env: DownloadEnv, row: ItemRow, signal?: AbortSignal): Promise<ItemResult> {
  const started = await startItem(page, env, row);
  return await placeTransferred(env, row, await awaitTransfers(env, started, signal));
}

/** Waits for a browser download to finish; failed, cancelled or stalled downloads throw. */
async function finishDownload(download: Download, env: DownloadEnv, expectedBytes: number | null, signal?: AbortSignal): Promise<Fetched> {
  const suggested = download.suggestedFilename();
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<string>((resolve) => {
    const allowMs = env.timeouts.transferFloorMs + ((expectedBytes ?? 0) / env.timeouts.slowBytesPerSecond) * 1000;
    timer = setTimeout(() => resolve(`no end after ${Math.round(allowMs / 1000)} s`), allowMs);
  });
  const aborted = new Promise<string>((resolve) => {
    if (signal?.aborted) resolve('run stopped');
    signal?.addEventListener('abort', () => resolve('run stopped'), { once: true });
  });
  try {
    const failure = await Promise.race([download.failure(), stalled, aborted]);
    if (failure !== null) {
      await download.cancel().catch(() => undefined);
      // Chromium reports a full disk as a plain failure: say so, and stop the run (exit 1).
      const full = await diskTooFull(env.tmpDir, expectedBytes);
      if (full) throw full;
      throw new DownloadFailedError(`download of ${JSON.stringify(suggested)} failed: ${failure}`);
    }
  } finally {
    clearTimeout(timer);
  }
  const file = await download.path();
  return { path: file, suggested };
}

/** After a failed download: is the disk too full to hold it? Unknown sizes need 8 MiB free. */
async function diskTooFull(dir: string, expectedBytes: number | null): Promise<LocalIoError | null> {
  try {
    const fs = await statfs(dir);
    const free = fs.bavail * fs.bsize;
    const needed = Math.max(expectedBytes ?? 0, 8 * 1024 * 1024);
    if (free >= needed) return null;
    const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
    return new LocalIoError(`Out of disk space in ${dir} (ENOSPC): ${mb(free)} free, a download needs ${expectedBytes ? mb(expectedBytes) : 'more'}. Nothing partial was recorded; free space, then run again.`);
  } catch {
    return null;
  }
}

async function placeItem(env: DownloadEnv, row: ItemRow, info: ExtendedInfo | null, main: Fetched, original: Fetched | null): Promise<ItemResult> {
  const key = row.media_key;
  const takenMs = info?.takenMs ?? row.taken_ms;
  const tzOffsetMs = info?.tzOffsetMs ?? row.tz_offset_ms;
  const folder = datedFolder(takenMs, tzOffsetMs);
  // Every folder from --out down is a real one of the backup (no planted link), made private.
  const folderPath = await ensureFolderInside(env.outDir, resolveInside(env.outDir, folder));
  const at: Where = { folder, folderPath, budget: await nameBudget(folderPath) };
  const fallback = `item-${keyTag(key)}`;
  const arrived: Arrived[] = [];
  const staging = path.join(env.tmpDir, `live-${keyTag(key, 16)}`);
  const edited = original !== null;
  let zipBytes: number | null = null;
  try {
    const mainName = sanitiseFileName(main.suggested, fallback);
    // A download that arrived late from an earlier try could be taken for this item's: the
    // name Google lists for the item must match (a Live Photo's zip by its base name).
    if (info?.fileName && !edited && !namesAgree(main.suggested, info.fileName)) {
      throw new DownloadFailedError(`the download ${JSON.stringify(mainName)} is not this item's file ${JSON.stringify(info.fileName)}`);
    }
    if (isZip(mainName)) {
      zipBytes = (await stat(main.path)).size;
      arrived.push(...(await fromLiveZip(env, key, main.path, staging, 'main', at)));
    } else {
      arrived.push(await fromFile(env, key, main.path, mainName, 'main', at));
    }
    if (original) {
      const originalName = sanitiseFileName(original.suggested, mainName);
      if (isZip(originalName)) {
        // An edited Live Photo: its original still is what matters; the video is the same.
        const entries = await fromLiveZip(env, key, original.path, `${staging}-original`, 'original', at);
        arrived.push(...entries.filter((e) => e.role === 'original'));
        for (const e of entries.filter((e) => e.role !== 'original')) await dropPart(env, e);
      } else {
        arrived.push(await fromFile(env, key, original.path, originalName, 'original', at));
      }
    }

    // The bytes vouch for themselves (the browser finished the transfer, zip CRCs held,
    // exiftool read the type they claim). What Google lists as the size is undocumented for
    // Live Photos and edited items, so it only ever annotates the file, never refuses it.
    const listed = info?.sizeBytes ?? row.size_bytes ?? null;
    const listedMismatch = listed !== null && !plausibleSizes(arrived, zipBytes).includes(listed) ? listed : null;
    if (listedMismatch !== null) {
      env.logger.info({ mediaKey: key, listed, kept: arrived.map((a) => a.digest.bytes) }, 'Google lists another size for this item; its bytes are kept on their own evidence');
    }

    const placed = await env.planner.plan(
      key,
      folder,
      arrived.map((a) => ({ role: a.role, baseName: a.name, sha256: a.digest.sha256 })),
    );
    for (const p of placed) if (p.setAside) env.logger.warn({ mediaKey: key, relPath: p.relPath, keptAt: p.setAside }, `${p.relPath} held other bytes than gphotos-keep wrote there: kept in ${p.setAside}`);
    // Before anything takes its final name: which final names and sidecars are this item's, so a
    // run killed before the record below leaves them known as ours (src/store/intents.ts).
    const finals: Intent[] = placed.flatMap((p, i) => [
      { kind: 'file' as const, mediaKey: key, relPath: p.relPath, sha256: arrived[i].digest.sha256 },
      ...(p.role === 'main' || p.role === 'original' ? [{ kind: 'sidecar' as const, mediaKey: key, relPath: sidecarPathOf(p.relPath) }] : []),
    ]);
    noteIntents(env.db, finals);
    const records: FileRecord[] = [];
    for (let i = 0; i < arrived.length; i++) {
      const file = arrived[i];
      const target = placed[i];
      const finalPath = resolveInside(env.outDir, target.relPath);
      if (target.alreadyThere) await dropPart(env, file);
      else await moveInto(file.at, finalPath);
      records.push({
        mediaKey: key,
        role: target.role,
        relPath: target.relPath,
        bytes: file.digest.bytes,
        sha256: file.digest.sha256,
        sha1: file.digest.sha1,
        mime: file.facts?.mime ?? null,
        takenAt: file.facts?.takenAt ?? null,
        gpsLat: file.facts?.gpsLat ?? null,
        gpsLng: file.facts?.gpsLng ?? null,
        make: file.facts?.make ?? null,
        model: file.facts?.model ?? null,
        imgWidth: file.facts?.width ?? null,
        imgHeight: file.facts?.height ?? null,
        listedBytes: target.role === 'main' ? listedMismatch : null,
      });
    }
    // mtime = taken time; what only Google knows goes into an XMP sidecar (src/media/keep.ts).
    const kept = await keepGoogleSide(
      records.map((r, i) => ({ role: r.role, relPath: r.relPath, path: resolveInside(env.outDir, r.relPath), facts: arrived[i].facts })),
      { takenMs, tzOffsetMs, latitude: info?.latitude ?? null, longitude: info?.longitude ?? null, description: info?.description ?? row.google_description ?? null },
      // Ours to replace: what the index records for the item, and what a killed run of ours noted for it.
      { inspector: env.inspector, ownPaths: [...filesOf(env.db, key).map((f) => f.rel_path), ...intentsOf(env.db, key).map((i) => i.rel_path)], warn: (message) => env.logger.warn({ mediaKey: key }, message) },
    );
    for (const r of records) r.mtimeMs = kept.mtimes.get(r.relPath) ?? null;
    for (const s of kept.sidecars) {
      records.push({ mediaKey: key, role: 'sidecar', relPath: s.relPath, bytes: s.bytes, sha256: s.sha256, mime: 'application/rdf+xml', mtimeMs: s.mtimeMs });
    }
    // The record and the end of the item's notes, in one transaction.
    env.db.transaction(() => {
      recordDownloaded(env.db, key, records, {
        fileName: arrived.find((a) => a.role === 'main')?.name ?? null,
        sizeBytes: info?.sizeBytes ?? row.size_bytes ?? null,
        edited,
        googleLat: info?.latitude ?? null,
        googleLng: info?.longitude ?? null,
        googleDescription: info?.description ?? null,
        locationGoogleOnly: kept.locationGoogleOnly ?? undefined,
      });
      dropIntentsOf(env.db, key);
    })();
    const bytes = records.reduce((sum, r) => sum + r.bytes, 0);
    env.onFile?.(bytes);
    return { files: records, bytes, edited };
  } catch (error) {
    // `.part` files go (a renamed one is no longer there); notes of final names stay: such a file is ours.
    for (const file of arrived) await dropPart(env, file);
    throw error;
  } finally {
    env.planner.release(key);
    await removeQuietly(main.path);
    if (original) await removeQuietly(original.path);
  }
}

/**
 * Every size Google might list for what arrived, since no source says which it counts: the
 * shown file, the unedited original, a Live Photo's still, still + video (+ extra members),
 * or the zip as downloaded.
 */
function plausibleSizes(arrived: Arrived[], zipBytes: number | null): number[] {
  const bytesOf = (roles: FileRole[]): number => arrived.filter((a) => roles.includes(a.role)).reduce((sum, a) => sum + a.digest.bytes, 0);
  const sizes = arrived.filter((a) => a.role === 'main' || a.role === 'original').map((a) => a.digest.bytes);
  sizes.push(bytesOf(['main', 'live-video']), bytesOf(['main', 'live-video', 'live-extra']), bytesOf(['original', 'live-video']));
  if (zipBytes !== null) sizes.push(zipBytes);
  return sizes;
}

/**
 * Does a download's name belong to the item Google lists under `listed`? Compared by base
 * name, letters and digits only (the browser rewrites separators in hostile names), the
 * download's ending with the listed one.
 */
function namesAgree(downloaded: string, listed: string): boolean {
  const core = (name: string): string => splitExtension(name.split(/[/\\]/).pop() ?? name).stem.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
  const want = core(listed);
  return want === '' || core(downloaded).endsWith(want);
}

function isZip(name: string): boolean {
  return splitExtension(name).ext.toLowerCase() === '.zip';
}

/** The item's folder: relative, absolute, and the longest name it takes (src/folder/name-limit.ts). */
interface Where {
  folder: string;
  folderPath: string;
  budget: number;
}

/**
 * Moves bytes to `<folder>/<name>~<tag>.part` (its name within the folder's budget), noted in
 * the index first so that only the index's own `.part` files are ever cleaned up, and gives
 * it the backup's file mode.
 */
async function toPart(env: DownloadEnv, key: string, from: string, name: string, role: FileRole, at: Where): Promise<{ part: string; partRel: string }> {
  const base = partName(nameForRole(name, role, null, at.budget), key);
  const partRel = toRelPath(at.folder, base);
  noteIntents(env.db, [{ kind: 'part', mediaKey: key, relPath: partRel }]);
  const part = path.join(at.folderPath, base);
  await moveInto(from, part);
  await chmod(part, fileMode());
  return { part, partRel };
}

/**
 * Removes a `.part` this item made (if still there) and its note. The note is best-effort: this
 * runs on the way out of a failure (a full disk may refuse the index too), and a note without
 * its file is dropped by the next run's cleanup.
 */
async function dropPart(env: DownloadEnv, file: Pick<Arrived, 'at' | 'partRel'>): Promise<void> {
  await removeQuietly(file.at);
  try {
    dropIntents(env.db, [file.partRel]);
  } catch {
    // left for the next run's cleanup
  }
}

/** A single file: browser download → `<folder>/<name>~<tag>.part`, sealed and inspected. */
async function fromFile(env: DownloadEnv, key: string, downloaded: string, name: string, role: FileRole, at: Where): Promise<Arrived> {
  const { part, partRel } = await toPart(env, key, downloaded, name, role, at);
  try {
    const digest = await sealPart(part);
    if (digest.bytes === 0) throw new CorruptDownloadError(`download of ${name} is empty`);
    const facts = await inspect(env, part, name);
    return { role, name, at: part, partRel, digest, facts };
  } catch (error) {
    await dropPart(env, { at: part, partRel });
    throw error;
  }
}

/** A Live Photo zip: its still and video, extracted with the checks of src/media. */
async function fromLiveZip(env: DownloadEnv, key: string, zipPath: string, staging: string, stillRole: 'main' | 'original', at: Where): Promise<Arrived[]> {
  if (!env.extractLive) throw new DownloadFailedError(`${key} downloaded as a zip, and this build cannot unpack Live Photos`);
  const entries = await env.extractLive(zipPath, staging);
  const still = entries.find((e) => e.kind === 'still') ?? null;
  const stem = still ? splitExtension(still.name).stem : null;
  const out: Arrived[] = [];
  try {
    for (const entry of entries) {
      const role: FileRole = entry.kind === 'still' ? stillRole : entry.kind === 'video' ? 'live-video' : 'live-extra';
      if (entry === still || entry.kind !== 'still') {
        // The video (and an extra member such as an .AAE edit file) sits beside its still under the same base name.
        const name = stem && entry !== still ? `${stem}${splitExtension(entry.name).ext}` : entry.name;
        const { part, partRel } = await toPart(env, key, entry.path, name, role, at);
        out.push({ role, name, at: part, partRel, digest: { bytes: 0, sha256: '', sha1: '' }, facts: null });
        out[out.length - 1].digest = await sealPart(part);
        // An extra member is kept as it came; only photos and videos are read as media.
        if (entry.kind !== 'extra') out[out.length - 1].facts = await inspect(env, part, name);
      } else {
        await removeQuietly(entry.path);
      }
    }
    if (!out.some((a) => a.role === stillRole)) throw new CorruptDownloadError(`${key}: the Live Photo zip holds no still`);
    return out;
  } catch (error) {
    for (const a of out) await dropPart(env, a);
    for (const e of entries) await removeQuietly(e.path);
    throw error;
  }
}

async function inspect(env: DownloadEnv, file: string, name: string): Promise<MediaFacts | null> {
  if (!env.inspector) return null;
  try {
    return await env.inspector.inspect(file, { extension: splitExtension(name).ext.replace(/^\./, '') || null });
  } catch (error) {
    if (error instanceof KeepError) throw error;
    throw new LocalIoError(`cannot inspect ${name}: ${(error as Error).message}`, { cause: error });
  }
}
