// Typed queries on the intents table: a path in the backup folder a step is about to create
// (a `.part`, the final name it becomes, the sidecar beside it), noted before the step and
// removed with the item's record. What a killed run left noted here is ours on disk.
import type { Db } from './database.js';

export type IntentKind = 'part' | 'file' | 'sidecar';

export interface Intent {
  relPath: string;
  mediaKey: string;
  kind: IntentKind;
  /** The bytes the file will hold, when known before it is written. */
  sha256?: string | null;
}

export interface IntentRow {
  rel_path: string;
  media_key: string;
  kind: IntentKind;
  sha256: string | null;
  started_ms: number;
}

/** Notes the paths about to be created, in one transaction (a path noted again is taken over). */
export function noteIntents(db: Db, intents: Intent[], nowMs = Date.now()): void {
  const stmt = db.prepare(`INSERT INTO intents (rel_path, media_key, kind, sha256, started_ms) VALUES (@relPath, @mediaKey, @kind, @sha256, @now)
    ON CONFLICT(rel_path) DO UPDATE SET media_key = excluded.media_key, kind = excluded.kind, sha256 = excluded.sha256, started_ms = excluded.started_ms`);
  db.transaction(() => {
    for (const i of intents) stmt.run({ relPath: i.relPath, mediaKey: i.mediaKey, kind: i.kind, sha256: i.sha256 ?? null, now: nowMs });
  })();
}

export function intentAt(db: Db, relPath: string): IntentRow | undefined {
  return db.prepare('SELECT * FROM intents WHERE rel_path = ?').get(relPath) as IntentRow | undefined;
}

export function intentsOf(db: Db, mediaKey: string): IntentRow[] {
  return db.prepare('SELECT * FROM intents WHERE media_key = ? ORDER BY rel_path').all(mediaKey) as IntentRow[];
}

/** Every `.part` file a run started and did not finish. */
export function partIntents(db: Db): IntentRow[] {
  return db.prepare(`SELECT * FROM intents WHERE kind = 'part' ORDER BY rel_path`).all() as IntentRow[];
}

export function dropIntents(db: Db, relPaths: readonly string[]): void {
  const stmt = db.prepare('DELETE FROM intents WHERE rel_path = ?');
  db.transaction(() => {
    for (const p of relPaths) stmt.run(p);
  })();
}

/** The item is recorded: none of its notes is needed any more (run inside the record's transaction). */
export function dropIntentsOf(db: Db, mediaKey: string): void {
  db.prepare('DELETE FROM intents WHERE media_key = ?').run(mediaKey);
}
