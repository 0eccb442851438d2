// What the adopt tests build: a gphotos-sync backup with gphotos-sync's real schema (its
// gphotos_create.sql, as shared/docs/migration-facts.md records it), files with the bytes a
// replica item really has, and lossy copies of them (GPS removed with exiftool, as the Library
// API served them).
import Database from 'better-sqlite3';
import { ExifTool } from 'exiftool-vendored';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Replica, ReplicaItem } from '../replica/index.js';

/** gphotos-sync's own DDL (tables, columns, indexes) for the tables adopt reads and their neighbours. */
export const GPHOTOS_SYNC_SCHEMA = `
create table Albums (RemoteId TEXT primary key, AlbumName TEXT, Size INT, Description TEXT, StartDate INT, EndDate INT, SyncDate INT, Downloaded INT DEFAULT 0);
create unique index Albums_RemoteId_uindex on Albums (RemoteId);
create table LocalFiles (Id INTEGER primary key, RemoteId TEXT default '', Uid Text, Path TEXT, FileName TEXT, OriginalFileName TEXT, DuplicateNo INT, MimeType TEXT, Description TEXT, FileSize INT, ModifyDate INT, CreateDate INT, SyncDate INT);
create unique index LocalFiles_Path_FileName_DuplicateNo_uindex on LocalFiles (Path, FileName, DuplicateNo);
create table SyncFiles (Id INTEGER primary key, RemoteId TEXT, Uid Text, Url TEXT, Path TEXT, FileName TEXT, OrigFileName TEXT, DuplicateNo INT, MimeType TEXT, Description TEXT, FileSize INT, ModifyDate INT, CreateDate INT, SyncDate INT, Downloaded INT DEFAULT 0, Location Text);
create unique index RemoteIdIdx on SyncFiles (RemoteId);
create index FileNameIdx on SyncFiles (FileName);
create index CreatedIdx on SyncFiles (CreateDate);
create unique index SyncFiles_Path_FileName_DuplicateNo_uindex on SyncFiles (Path, FileName, DuplicateNo);
create table AlbumFiles (Id INTEGER primary key, AlbumRec INT, DriveRec INT, Position INT,
  foreign key (AlbumRec) references Albums (RemoteId) on delete cascade,
  foreign key (DriveRec) references SyncFiles (Id) on update cascade on delete cascade);
create unique index AlbumFiles_AlbumRec_DriveRec_uindex on AlbumFiles (AlbumRec, DriveRec);
CREATE TABLE Globals (Id INTEGER, Version TEXT, Albums INTEGER, Files INTEGER, LastIndex INT);
CREATE UNIQUE INDEX Globals_Id_uindex ON Globals (Id);
`;

export interface SyncRowSpec {
  remoteId: string;
  /** Relative folder, as gphotos-sync writes it (`photos/2008/10`). */
  path: string;
  fileName: string;
  origFileName?: string;
  mimeType: string;
  createMs: number;
  /** null: the row exists but the file is not on disk (Downloaded = 0). */
  bytes: Buffer | null;
}

/** Python's sqlite3 datetime adapter, as gphotos-sync stored CreateDate. */
export function pythonDate(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

export function buildGphotosSyncBackup(root: string, rows: SyncRowSpec[]): string {
  mkdirSync(root, { recursive: true });
  const file = path.join(root, 'gphotos.sqlite');
  const db = new Database(file);
  db.exec(GPHOTOS_SYNC_SCHEMA);
  const insert = db.prepare(`INSERT INTO SyncFiles (RemoteId, Uid, Url, Path, FileName, OrigFileName, DuplicateNo, MimeType, Description, FileSize, ModifyDate, CreateDate, SyncDate, Downloaded, Location)
    VALUES (@remoteId, @uid, @url, @path, @fileName, @origFileName, 0, @mimeType, '', @size, @createDate, @createDate, @syncDate, @downloaded, NULL)`);
  for (const row of rows) {
    insert.run({
      remoteId: row.remoteId,
      uid: row.remoteId.slice(-12),
      url: `https://photos.google.com/lr/photo/${row.remoteId}`,
      path: row.path,
      fileName: row.fileName,
      origFileName: row.origFileName ?? row.fileName,
      mimeType: row.mimeType,
      size: row.bytes?.length ?? 0,
      createDate: pythonDate(row.createMs),
      syncDate: pythonDate(Date.UTC(2023, 0, 1)),
      downloaded: row.bytes ? 1 : 0,
    });
    if (row.bytes) {
      mkdirSync(path.join(root, row.path), { recursive: true });
      writeFileSync(path.join(root, row.path, row.fileName), row.bytes);
    }
  }
  db.prepare(`INSERT INTO Globals (Id, Version, Albums, Files, LastIndex) VALUES (1, '3.0', 0, ?, ?)`).run(rows.length, pythonDate(Date.UTC(2023, 0, 1)));
  db.close();
  return file;
}

/** The bytes Google holds for an item, fetched from the replica as the browser would (with the session cookie). */
export async function replicaBytes(replica: Replica, mediaKey: string, variant: 'main' | 'original' = 'main'): Promise<Buffer> {
  const url = replica.downloadUrl(mediaKey, variant);
  if (!url) throw new Error(`no ${variant} download for ${mediaKey}`);
  const response = await fetch(url, { headers: { cookie: `${replica.sessionCookie.name}=${replica.sessionCookie.value}` } });
  if (!response.ok) throw new Error(`download of ${mediaKey} answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** What the Library API served: the same pictures without their location (exiftool removes the GPS block). */
export async function lossyCopies(originals: Buffer[], scratch: string): Promise<Buffer[]> {
  mkdirSync(scratch, { recursive: true });
  const exiftool = new ExifTool({ maxProcs: 1 });
  try {
    const out: Buffer[] = [];
    for (const original of originals) {
      const file = path.join(scratch, `lossy-${sha256(original).slice(0, 12)}.jpg`);
      writeFileSync(file, original);
      await exiftool.write(file, {}, { writeArgs: ['-gps:all=', '-overwrite_original'] });
      out.push(readFileSync(file));
    }
    return out;
  } finally {
    await exiftool.end();
  }
}

/** Same picture, other bytes: the JPEG comment (COM) segment's text changed, as a re-save would. */
export function rewrittenComment(original: Buffer): Buffer {
  if (original[2] !== 0xff || original[3] !== 0xfe) throw new Error('expected the replica item COM segment after SOI');
  const copy = Buffer.from(original);
  const length = copy.readUInt16BE(4);
  copy.fill('x', 6, 6 + Math.min(8, length - 2));
  return copy;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function localYearMonth(item: ReplicaItem): string {
  const d = new Date(item.takenMs + item.tzOffsetMs);
  return `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

export function openIndexReadOnly(outDir: string): Database.Database {
  return new Database(path.join(outDir, '.gphotos-keep', 'index.db'), { readonly: true, fileMustExist: true });
}
