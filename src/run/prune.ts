// `--prune`: the files of items Google no longer lists move into
// `<out>/.gphotos-keep/trash/<YYYY-MM-DD>/<their relative path>`. Nothing is deleted: the
// trash is an ordinary folder the owner empties when they choose to.
import path from 'node:path';
import { LocalIoError } from '../errors.js';
import type { Db } from '../store/database.js';
import { goneFilesInPlace, isRecordedPath, recordTrashed } from '../store/versions.js';
import { moveNoClobber, withTag } from '../folder/moves.js';
import { localDate, TRASH_DIR } from '../folder/trash.js';

export interface PrunedFile {
  mediaKey: string;
  from: string;
  to: string;
  bytes: number;
}

export interface PruneReport {
  /** `<out>/.gphotos-keep/trash/<date>` relative to the backup folder. */
  trashDir: string;
  moved: PrunedFile[];
  /** Recorded files of gone items that were not on disk (left as they are in the index). */
  missing: { mediaKey: string; relPath: string }[];
  bytes: number;
}

/** A recorded relative path, resolved inside the backup folder (the index is ours, but check anyway). */
export function insideOut(outDir: string, relPath: string): string {
  const root = path.resolve(outDir);
  const full = path.resolve(root, relPath);
  if (path.isAbsolute(relPath) || relPath.split(/[/\\]/).some((s) => s === '..' || s === '') || !full.startsWith(root + path.sep)) {
    throw new LocalIoError(`the index records a path outside the backup folder: ${JSON.stringify(relPath)}`);
  }
  return full;
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
      const from = insideOut(outDir, file.rel_path);
      if (options.dryRun) {
        report.moved.push({ mediaKey: file.media_key, from: file.rel_path, to: `${trashDir}/${file.rel_path}`, bytes: file.bytes });
        report.bytes += file.bytes;
        continue;
      }
      let moved: PrunedFile | null = null;
      for (let attempt = 0; attempt < 20 && !moved; attempt++) {
        const relTarget = attempt === 0 ? `${trashDir}/${file.rel_path}` : `${trashDir}/${path.posix.dirname(file.rel_path)}/${withTag(path.posix.basename(file.rel_path), `~${attempt + 1}`)}`;
        if (isRecordedPath(db, relTarget)) continue;
        const outcome = await moveNoClobber(from, insideOut(outDir, relTarget), file.bytes);
        if (outcome === 'target-exists') continue;
        if (outcome === 'source-missing') break;
        recordTrashed(db, file.id, relTarget, nowMs);
        moved = { mediaKey: file.media_key, from: file.rel_path, to: relTarget, bytes: file.bytes };
      }
      if (!moved) {
        report.missing.push({ mediaKey: file.media_key, relPath: file.rel_path });
        continue;
      }
      report.moved.push(moved);
      report.bytes += moved.bytes;
      options.onMoved?.(moved);
    }
  }
  return report;
}
