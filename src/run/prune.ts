// `--prune`: the files of items Google no longer lists move into
// `<out>/.gphotos-keep-trash/<YYYY-MM-DD>/<their relative path>`. Nothing is deleted: the
// trash is an ordinary folder the owner empties when they choose to.
import { resolveInside } from '../folder/layout.js';
import { moveToFreeName } from '../folder/moves.js';
import { localDate, TRASH_DIR, trashCandidates } from '../folder/trash.js';
import type { Db } from '../store/database.js';
import { isRecordedPath } from '../store/files.js';
import { goneFilesInPlace, recordTrashed } from '../store/versions.js';

export interface PrunedFile {
  mediaKey: string;
  from: string;
  to: string;
  bytes: number;
}

export interface PruneReport {
  /** `<out>/.gphotos-keep-trash/<date>` relative to the backup folder. */
  trashDir: string;
  moved: PrunedFile[];
  /** Recorded files of gone items that were not on disk (left as they are in the index). */
  missing: { mediaKey: string; relPath: string }[];
  bytes: number;
}

export interface PruneOptions {
  db: Db;
  outDir: string;
  nowMs?: number;
  /** Report what would move, move nothing. */
  dryRun?: boolean;
  onMoved?: (file: PrunedFile) => void;
}

export async function pruneGone(options: PruneOptions): Promise<PruneReport> {
  const { db, outDir } = options;
  const nowMs = options.nowMs ?? Date.now();
  const trashDir = `${TRASH_DIR}/${localDate(nowMs)}`;
  const report: PruneReport = { trashDir, moved: [], missing: [], bytes: 0 };
  let afterId = 0;
  for (;;) {
    const batch = goneFilesInPlace(db, 500, afterId);
    if (batch.length === 0) break;
    for (const file of batch) {
      afterId = file.id;
      // A file already under the trash folder (recorded there by hand or an older layout) stays.
      if (file.rel_path.startsWith(`${TRASH_DIR}/`)) continue;
      const from = resolveInside(outDir, file.rel_path, 'recorded');
      if (options.dryRun) {
        report.moved.push({ mediaKey: file.media_key, from: file.rel_path, to: `${trashDir}/${file.rel_path}`, bytes: file.bytes });
        report.bytes += file.bytes;
        continue;
      }
      const relTarget = await moveToFreeName(outDir, from, trashCandidates(trashDir, file.rel_path), file.bytes, (rel) => isRecordedPath(db, rel));
      if (!relTarget) {
        report.missing.push({ mediaKey: file.media_key, relPath: file.rel_path });
        continue;
      }
      recordTrashed(db, file.id, relTarget, nowMs);
      const moved: PrunedFile = { mediaKey: file.media_key, from: file.rel_path, to: relTarget, bytes: file.bytes };
      report.moved.push(moved);
      report.bytes += moved.bytes;
      options.onMoved?.(moved);
    }
  }
  return report;
}
