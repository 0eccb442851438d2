// The index's integrity, like restic's `check`: SQLite's quick_check (every page and record
// well formed, in seconds even for a large index) before a run writes anything, and one error,
// naming the fix, for an index that is damaged or is not an SQLite file at all.
import { LocalIoError, suggest } from '../errors.js';
import type { Db } from './database.js';

/** An index SQLite cannot trust: exit 1, nothing written, and the message names the repair. */
export class IndexDamagedError extends LocalIoError {}

/** SQLite's answers for a damaged file (a bad page, a torn write) or one that is not a database at all. */
export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

export function indexDamaged(file: string, detail: string, cause?: unknown): IndexDamagedError {
  return new IndexDamagedError(
    `The index ${file} is damaged (${detail}). Nothing was written. Rebuild it with ${suggest('repair --index')}: it keeps the damaged file aside, starts from the last saved copy of the index and matches the files on disk back to their Google items, without moving or deleting a file.`,
    { cause },
  );
}

/** quick_check's findings: empty when the index is sound. Damage bad enough to stop the check is a finding too. */
export function quickCheck(db: Db): string[] {
  try {
    const rows = db.pragma('quick_check') as { quick_check: string }[];
    const problems = rows.map((row) => row.quick_check).filter((line) => line !== 'ok');
    return problems;
  } catch (error) {
    if (isDamage(error)) return [(error as Error).message];
    throw error;
  }
}

/** Throws IndexDamagedError when quick_check finds anything. */
export function assertIndexIntact(db: Db, file: string): void {
  const problems = quickCheck(db);
  if (problems.length === 0) return;
  const shown = problems.slice(0, 3).join('; ');
  throw indexDamaged(file, problems.length > 3 ? `${shown}; and ${problems.length - 3} more problems` : shown);
}
