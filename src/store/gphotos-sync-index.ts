// Reads gphotos-sync's own index (`gphotos.sqlite`), read-only: its SyncFiles table lists
// every item it downloaded through the Library API, by API id (RemoteId) and local path.
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';

export interface SyncFileRow {
  id: number;
  remoteId: string;
  /** Folder relative to gphotos-sync's root (e.g. `photos/2020/01`); very old versions stored it absolute. */
  path: string;
  /** The name on disk (with gphotos-sync's ` (n)` suffix for duplicates). */
  fileName: string;
  origFileName: string | null;
  mimeType: string | null;
  fileSize: number | null;
  /** UTC ms, from CreateDate (stored by Python's sqlite3 as "YYYY-MM-DD HH:MM:SS[.ffffff]"). */
  createMs: number | null;
  downloaded: boolean;
}

const REQUIRED_COLUMNS = ['RemoteId', 'Path', 'FileName'];

export class GphotosSyncIndex {
  private constructor(private readonly db: Database.Database, readonly file: string) {}

  /** Opens gphotos.sqlite read-only; anything that is not a gphotos-sync index is a usage error. */
  static open(file: string): GphotosSyncIndex {
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (cause) {
      throw new UsageError(`Cannot open ${file} as SQLite (${(cause as Error).message}): give gphotos-sync's gphotos.sqlite or the folder that holds it.`);
    }
    try {
      db.pragma('busy_timeout = 5000');
      const columns = (db.prepare(`SELECT name FROM pragma_table_info('SyncFiles')`).pluck().all() as string[]).map((c) => c.toLowerCase());
      const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c.toLowerCase()));
      if (columns.length === 0 || missing.length > 0) {
        throw new UsageError(`${file} is not a gphotos-sync index: ${columns.length === 0 ? 'it has no SyncFiles table' : `SyncFiles lacks ${missing.join(', ')}`}.`);
      }
      return new GphotosSyncIndex(db, file);
    } catch (error) {
      db.close();
      if (error instanceof UsageError) throw error;
      throw new UsageError(`${file} is not a readable gphotos-sync index: ${(error as Error).message}`);
    }
  }

  count(): number {
    return this.db.prepare(`SELECT COUNT(*) FROM SyncFiles WHERE RemoteId IS NOT NULL AND RemoteId <> ''`).pluck().get() as number;
  }

  /** Every row with an API id, in gphotos-sync's own order, streamed. */
  *rows(): Generator<SyncFileRow> {
    const columns = new Set((this.db.prepare(`SELECT name FROM pragma_table_info('SyncFiles')`).pluck().all() as string[]).map((c) => c.toLowerCase()));
    const col = (name: string): string => (columns.has(name.toLowerCase()) ? name : `NULL AS ${name}`);
    const sql = `SELECT ${col('Id')}, RemoteId, Path, FileName, ${col('OrigFileName')}, ${col('MimeType')}, ${col('FileSize')}, ${col('CreateDate')}, ${col('Downloaded')}
      FROM SyncFiles WHERE RemoteId IS NOT NULL AND RemoteId <> '' ORDER BY Id`;
    for (const raw of this.db.prepare(sql).iterate() as Iterable<Record<string, unknown>>) {
      yield {
        id: Number(raw.Id ?? 0),
        remoteId: String(raw.RemoteId),
        path: raw.Path == null ? '' : String(raw.Path),
        fileName: raw.FileName == null ? '' : String(raw.FileName),
        origFileName: raw.OrigFileName == null ? null : String(raw.OrigFileName),
        mimeType: raw.MimeType == null ? null : String(raw.MimeType),
        fileSize: typeof raw.FileSize === 'number' ? raw.FileSize : raw.FileSize == null ? null : Number(raw.FileSize) || null,
        createMs: parseSyncDate(raw.CreateDate),
        // Old indexes have no Downloaded column: trust the file on disk instead.
        downloaded: raw.Downloaded == null ? true : Number(raw.Downloaded) !== 0,
      };
    }
  }

  close(): void {
    this.db.close();
  }
}

/**
 * gphotos-sync stores datetimes through Python's sqlite3 adapter ("2020-01-31 12:34:56" or
 * with ".ffffff", UTC without a zone), though the column is declared INT; accept epoch
 * seconds or ms too.
 */
export function parseSyncDate(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value > 1e11 ? Math.round(value) : Math.round(value * 1000);
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseSyncDate(Number(text));
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), frac ? Math.round(Number(frac) * 1000) : 0);
  if (zone && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 3_600_000 + Number(digits.slice(2)) * 60_000);
  }
  return Number.isFinite(ms) ? ms : null;
}
