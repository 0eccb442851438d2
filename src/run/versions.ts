// An item edited in Google after we downloaded it: its files stay, renamed to a dated
// version beside themselves (`IMG_1.jpg` → `IMG_1~v2026-01-31.jpg`), and the item goes back
// to the queue so the new version lands under the usual name. Nothing is overwritten.
import path from 'node:path';
import { resolveInside } from '../folder/layout.js';
import { moveToFreeName } from '../folder/moves.js';
import { withTag } from '../folder/names.js';
import type { Db } from '../store/database.js';
import { isRecordedPath } from '../store/files.js';
import { changedItems, clearChanged, currentFiles, recordVersionsKept, type VersionMove } from '../store/versions.js';

export interface KeptVersion {
  mediaKey: string;
  from: string;
  to: string;
}

export interface VersionsReport {
  /** Items queued for their new version. */
  items: number;
  kept: KeptVersion[];
}

function utcStamp(ms: number, withTime: boolean): string {
  const iso = new Date(ms).toISOString();
  return withTime ? `${iso.slice(0, 10)}T${iso.slice(11, 19).replace(/:/g, '')}Z` : iso.slice(0, 10);
}

/** Candidate names of a dated version, most readable first; never a name that depends on what else exists. */
export function versionNames(fileName: string, supersededMs: number): string[] {
  const day = utcStamp(supersededMs, false);
  const time = utcStamp(supersededMs, true);
  return [withTag(fileName, `~v${day}`), withTag(fileName, `~v${time}`), ...Array.from({ length: 8 }, (_, i) => withTag(fileName, `~v${time}-${i + 2}`))];
}

/**
 * Keeps the files of every item marked changed as dated versions and queues the items.
 * Runs before the download workers can pick those items up (they are still `done` until
 * this has moved their files).
 */
export async function keepChangedVersions(options: { db: Db; outDir: string; nowMs?: number; onKept?: (v: KeptVersion) => void }): Promise<VersionsReport> {
  const { db, outDir } = options;
  const nowMs = options.nowMs ?? Date.now();
  const report: VersionsReport = { items: 0, kept: [] };
  for (;;) {
    const batch = changedItems(db, 200);
    if (batch.length === 0) break;
    for (const item of batch) {
      const files = currentFiles(db, item.media_key);
      if (item.state !== 'done' || files.length === 0) {
        // Not downloaded yet (or nothing of it on record): the next download is the new version anyway.
        clearChanged(db, item.media_key);
        report.items++;
        continue;
      }
      const moves: VersionMove[] = [];
      const kept: KeptVersion[] = [];
      for (const file of files) {
        const folder = path.posix.dirname(file.rel_path);
        const name = path.posix.basename(file.rel_path);
        const from = resolveInside(outDir, file.rel_path, 'recorded');
        const candidates = versionNames(name, nowMs).map((candidate) => (folder === '.' ? candidate : `${folder}/${candidate}`));
        const placed = await moveToFreeName(outDir, from, candidates, file.bytes, (rel) => isRecordedPath(db, rel));
        // A file already missing from disk is recorded as a version where it would have gone
        // only if it is there; otherwise its row keeps its old path and `verify` reports it.
        if (placed) {
          moves.push({ fileId: file.id, relPath: placed });
          kept.push({ mediaKey: item.media_key, from: file.rel_path, to: placed });
        }
      }
      recordVersionsKept(db, item.media_key, moves, nowMs);
      report.items++;
      for (const v of kept) {
        report.kept.push(v);
        options.onKept?.(v);
      }
    }
  }
  return report;
}
