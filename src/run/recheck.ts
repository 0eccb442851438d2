// --recheck FROM..TO: a period looked at from scratch. Before its listing (sync lists the
// period whole, with no early stop), the files kept for its items must still be on disk with
// their recorded size; an item whose file is gone is queued again (its other files stay), and
// its parked items get another chance. The listing then adds whatever Google has that the
// index never knew, and the queue, limited to the period, fetches all of it.
import { stat } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { resolveInside } from '../folder/layout.js';
import type { TakenRange } from '../model/taken-range.js';
import { describeRange } from '../model/taken-range.js';
import type { Db } from '../store/database.js';
import { unparkTakenIn } from '../store/items.js';
import { keptFilesTakenIn, requeueForRestore } from '../store/verify-queries.js';

export interface RecheckPrep {
  /** Kept files no longer on disk. */
  missingFiles: number;
  /** Items queued again because of them. */
  requeued: number;
  /** Parked items of the period, tried again. */
  unparked: number;
}

export async function prepareRecheck(db: Db, outDir: string, range: TakenRange, logger: Logger): Promise<RecheckPrep> {
  const byItem = new Map<string, { reasons: string[]; fileIds: number[] }>();
  let missingFiles = 0;
  let changed = 0;
  for (const file of keptFilesTakenIn(db, range)) {
    let why: string | null = null;
    try {
      const s = await stat(resolveInside(outDir, file.relPath, 'recorded'));
      // Something else stands where the file was: never overwritten here; verify --fix moves it aside.
      if (!s.isFile() || s.size !== file.bytes) changed++;
      continue;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      why = 'missing';
    }
    missingFiles++;
    const entry = byItem.get(file.mediaKey) ?? { reasons: [], fileIds: [] };
    entry.reasons.push(`recheck: ${file.relPath} ${why}`);
    entry.fileIds.push(file.id);
    byItem.set(file.mediaKey, entry);
  }
  const requeued = requeueForRestore(db, [...byItem].map(([mediaKey, e]) => ({ mediaKey, reason: e.reasons.join('; ').slice(0, 1000), fileIds: e.fileIds }))).length;
  const unparked = unparkTakenIn(db, range);
  if (changed > 0) logger.warn(`recheck: ${changed} kept file(s) in the period differ from what was recorded; \`gphotos-keep verify --fix\` moves them aside and queues them again`);
  logger.info(`recheck ${describeRange(range)}: ${missingFiles} kept file(s) missing or changed on disk, ${requeued} item(s) queued again, ${unparked} parked item(s) tried again`);
  return { missingFiles, requeued, unparked };
}
