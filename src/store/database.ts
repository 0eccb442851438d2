// Opens the backup folder's index: <out>/.gphotos-keep/index.db, WAL, schema migrated.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LocalIoError } from '../errors.js';
import { indexDamaged, isDamage } from './integrity.js';
import { migrations } from './migrations.js';

export type Db = Database.Database;

export const STATE_DIR = '.gphotos-keep';

/** Page cache per connection, in KiB (SQLite's own default size). */
export const PAGE_CACHE_KIB = 2000;

export function stateDir(outDir: string): string {
  return path.join(outDir, STATE_DIR);
}

export function indexPath(outDir: string): string {
  return path.join(stateDir(outDir), 'index.db');
}

export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  if (!options.readonly) mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let db: Db;
  try {
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    // The first read of the file: a WAL index that cannot be opened read-only fails here.
    db.pragma('schema_version');
  } catch (cause) {
    if (options.readonly && cannotOpenShared(cause) && existsSync(file)) return openFrozen(file, cause);
    if (isDamage(cause)) throw indexDamaged(file, (cause as Error).message, cause);
    throw new LocalIoError(`Cannot open the index ${file}: ${(cause as Error).message}`, { cause });
  }
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection: a rescan that touches
  // every row of a large index filled it, so the process grew with the library. SQLite's own
  // default (about 2 MB) keeps memory flat; the rows it drops stay in the OS page cache.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  if (!options.readonly) {
    try {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives a process kill; only power loss can drop the last commits.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db);
    } catch (cause) {
      db.close();
      if (isDamage(cause)) throw indexDamaged(file, (cause as Error).message, cause);
      throw cause;
    }
  }
  return db;
}

export function openIndex(outDir: string, options: { readonly?: boolean } = {}): Db {
  return openDatabase(indexPath(outDir), options);
}

/**
 * An in-memory copy of the backup's index (empty when there is none yet), migrated: dry runs
 * work on it exactly as a real run would, and nothing on disk changes.
 */
export function openIndexSnapshot(outDir: string): Db {
  const file = indexPath(outDir);
  let db: Db;
  if (existsSync(file)) {
    const source = openDatabase(file, { readonly: true });
    try {
      db = fromImage(source.serialize());
    } finally {
      source.close();
    }
  } else {
    db = new Database(':memory:');
  }
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

/** SQLite could not create or open the -shm/-wal files: CANTOPEN on a read-only mount, READONLY(_CANTINIT…) in a folder without write permission. */
function cannotOpenShared(cause: unknown): boolean {
  const code = (cause as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_READONLY'));
}

function fromImage(image: Buffer): Db {
  // A WAL database's header (bytes 18-19 = 2) cannot open in memory: mark it rollback-journal.
  image[18] = 1;
  image[19] = 1;
  return new Database(image);
}

/**
 * A read-only backup (a read-only mount, a folder made a-w): SQLite cannot create the -shm and
 * -wal files a WAL index needs even to be read, and this build of SQLite takes no
 * `file:…?immutable=1` names (better-sqlite3 compiles it without URI filenames). Without a
 * -wal holding commits the file is the whole index: it is read into memory and queried there,
 * read-only, and nothing on disk is touched.
 */
function openFrozen(file: string, cause: unknown): Db {
  const wal = `${file}-wal`;
  if (existsSync(wal) && statSync(wal).size > 0) {
    throw new LocalIoError(`Cannot read the index ${file}: its folder is read-only and ${path.basename(wal)} holds changes SQLite can only merge where it may write. Make the folder writable, or copy the .gphotos-keep folder somewhere writable and read that.`, { cause });
  }
  const db = fromImage(readFileSync(file));
  db.pragma('foreign_keys = ON');
  migrate(db);
  db.pragma('query_only = ON');
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new LocalIoError(`The index was written by a newer gphotos-keep (schema ${current}, this one knows ${migrations.length}): upgrade gphotos-keep.`);
  }
  for (let step = current; step < migrations.length; step++) {
    db.transaction(() => {
      db.exec(migrations[step]);
      db.pragma(`user_version = ${step + 1}`);
    })();
  }
}
