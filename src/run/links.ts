// After a run's downloads: the sidecar ratings follow Google's favorites, and the link folders
// (albums/<title>/, favorites/, archive/, partner/) follow the index, each with only the changes
// it needs, so a run with nothing new touches nothing on disk.
import { existsSync } from 'node:fs';
import { ALBUMS_ROOT, dropAlbumDir, ensureAlbumDir, writeAlbumManifest } from '../folder/album-folders.js';
import { resolveInside } from '../folder/layout.js';
import { reconcileLinkFolder } from '../folder/links.js';
import type { Logger } from '../log.js';
import type { MediaInspector } from '../media/inspect.js';
import { FAVORITE_RATING, setSidecarRating } from '../media/rating.js';
import { sidecarPathOf } from '../media/sidecar.js';
import type { LinkMode } from '../model/albums.js';
import { albumItemKeys, albumMembers, flaggedMembers, getAlbumRow, linkDirs, listAlbumRows, partnerMembers, ratingWork, recordRating, sidecarRecord } from '../store/albums.js';
import type { Db } from '../store/database.js';

export interface LinksReport {
  ratingsChanged: number;
  linksAdded: number;
  linksRemoved: number;
  albumFolders: number;
}

export interface LinksParams {
  db: Db;
  outDir: string;
  mode: LinkMode;
  /** --partner: the partner/ folder shows the partner's items; off, it is emptied. */
  partner: boolean;
  inspector: MediaInspector;
  logger: Logger;
  signal?: AbortSignal;
}

export async function updateLinks(params: LinksParams): Promise<LinksReport> {
  const report: LinksReport = { ratingsChanged: 0, linksAdded: 0, linksRemoved: 0, albumFolders: 0 };
  report.ratingsChanged = await followFavorites(params);
  const { db, outDir, mode } = params;
  const warn = (message: string): void => params.logger.warn(message);
  const count = (r: { added: number; removed: number }): void => {
    report.linksAdded += r.added;
    report.linksRemoved += r.removed;
  };
  const done = new Set<string>();

  for (const listed of listAlbumRows(db)) {
    if (params.signal?.aborted) return report;
    if (mode === 'none') {
      if (listed.dir) {
        count(await reconcileLinkFolder(db, outDir, listed.dir, [], 'none', { warn }));
        await dropAlbumDir(db, outDir, listed);
      }
      continue;
    }
    const dir = await ensureAlbumDir(db, outDir, listed);
    const album = getAlbumRow(db, listed.album_key)!;
    done.add(dir);
    const members = albumMembers(db, album.album_key);
    const result = await reconcileLinkFolder(db, outDir, dir, members, mode, { keep: true, warn });
    count(result);
    const byItemKey = new Map(members.map((m) => [m.itemKey, m.mediaKey]));
    writeAlbumManifest(outDir, dir, {
      title: album.title,
      key: album.album_key,
      owner: album.own === 1 ? null : (album.owner_name ?? album.owner_actor),
      shared: album.shared === 1,
      items: albumItemKeys(db, album.album_key).map((entry) => {
        const mediaKey = byItemKey.get(entry.itemKey);
        return { key: entry.itemKey, files: mediaKey ? (result.names.get(mediaKey) ?? []) : [] };
      }),
    });
    report.albumFolders++;
  }

  const flat: [string, () => ReturnType<typeof flaggedMembers>][] = [
    ['favorites', () => flaggedMembers(db, 'favorite')],
    ['archive', () => flaggedMembers(db, 'archived')],
    ['partner', () => (params.partner ? partnerMembers(db) : [])],
  ];
  for (const [dir, members] of flat) {
    done.add(dir);
    count(await reconcileLinkFolder(db, outDir, dir, mode === 'none' ? [] : members(), mode, { warn }));
  }
  // Folders of links nothing asks for any more (an album forgotten while its folder stayed).
  for (const dir of linkDirs(db)) {
    if (!done.has(dir) && (dir.startsWith(`${ALBUMS_ROOT}/`) || !dir.includes('/'))) count(await reconcileLinkFolder(db, outDir, dir, [], 'none', { warn }));
  }
  return report;
}

/** Sets xmp:Rating 5 in the sidecar of each kept favorite, and clears it where Google no longer has the favorite. */
async function followFavorites(params: LinksParams): Promise<number> {
  const { db, outDir } = params;
  let changed = 0;
  for (const item of ratingWork(db)) {
    if (params.signal?.aborted) break;
    const rating = item.favorite === 1 ? FAVORITE_RATING : null;
    const sidecarRel = sidecarPathOf(item.main_path);
    const sidecarPath = resolveInside(outDir, sidecarRel, 'recorded');
    // Another tool's .xmp at that name is left alone (as src/media/keep.ts does).
    if (!sidecarRecord(db, item.media_key, sidecarRel) && existsSync(sidecarPath)) {
      params.logger.warn(`not writing the favorite's rating into ${sidecarRel}: a file not made by gphotos-keep is already there`);
      continue;
    }
    const written = await setSidecarRating(resolveInside(outDir, item.main_path, 'recorded'), rating, { inspector: params.inspector, takenMs: item.taken_ms });
    recordRating(db, item.media_key, rating, sidecarRel, written ? { bytes: written.bytes, sha256: written.sha256, mime: 'application/rdf+xml', mtimeMs: written.mtimeMs } : null);
    changed++;
  }
  return changed;
}
