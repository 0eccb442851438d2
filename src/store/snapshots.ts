// Saved copies of the index: after every successful writing run, a consistent copy
// (VACUUM INTO: a fresh, compact database of the same content, never half a transaction) is
// kept beside it in <out>/.gphotos-keep/index-copies/, the last KEEP_COPIES of them. A damaged
// index is rebuilt from the newest copy that passes quick_check (`repair --index`).
import Database from 'better-sqlite3';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Db } from './database.js';
import { quickCheck } from './integrity.js';

export const COPIES_DIR = 'index-copies';
export const KEEP_COPIES = 3;
const COPY_NAME = /^index-(\d{8}T\d{9}Z)\.db$/;

export interface IndexCopy {
  name: string;
  file: string;
  /** When the copy was made. */
  ms: number;
}

export function copiesDir(stateDir: string): string {
  return path.join(stateDir, COPIES_DIR);
}

/** 2026-01-02T03:04:05.678Z → 20260102T030405678Z: sortable, one name per millisecond. */
function stamp(at: Date): string {
  return at.toISOString().replace(/[-:.]/g, '');
}

function parseStamp(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z$/.exec(text);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]) : NaN;
}

function fsyncPath(file: string, flags: string): void {
  const fd = openSync(file, flags);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Saves a consistent copy of `db`, durably (VACUUM INTO does not fsync), then keeps only the newest KEEP_COPIES. */
export function saveIndexCopy(db: Db, stateDir: string, at = new Date(), keep = KEEP_COPIES): string {
  const dir = copiesDir(stateDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let name = `index-${stamp(at)}.db`;
  for (let ms = at.getTime() + 1; existsSync(path.join(dir, name)); ms++) name = `index-${stamp(new Date(ms))}.db`;
  const file = path.join(dir, name);
  const temp = path.join(dir, `.${name}.${process.pid}.tmp`);
  try {
    db.prepare('VACUUM INTO ?').run(temp);
    fsyncPath(temp, 'r');
    renameSync(temp, file);
  } finally {
    if (existsSync(temp)) unlinkSync(temp);
  }
  try {
    fsyncPath(dir, 'r');
  } catch {
    // Some file systems cannot fsync a folder; the rename is still done.
  }
  for (const old of listIndexCopies(stateDir).slice(keep)) unlinkSync(old.file);
  return file;
}

/** The saved copies, newest first. */
export function listIndexCopies(stateDir: string): IndexCopy[] {
  const dir = copiesDir(stateDir);
  if (!existsSync(dir)) return [];
  const copies: IndexCopy[] = [];
  for (const name of readdirSync(dir)) {
    const m = COPY_NAME.exec(name);
    if (!m) continue;
    const file = path.join(dir, name);
    if (!statSync(file).isFile()) continue;
    copies.push({ name, file, ms: parseStamp(m[1]) });
  }
  return copies.sort((a, b) => b.ms - a.ms || (a.name < b.name ? 1 : -1));
}

/** The newest copy SQLite finds sound, or null. */
export function newestSoundCopy(stateDir: string): IndexCopy | null {
  for (const copy of listIndexCopies(stateDir)) {
    try {
      const db = new Database(copy.file, { readonly: true, fileMustExist: true });
      try {
        if (quickCheck(db).length === 0) return copy;
      } finally {
        db.close();
      }
    } catch {
      // not a database any more: try the next one
    }
  }
  return null;
}
