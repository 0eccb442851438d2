// Append-only list of schema steps; PRAGMA user_version records how many have run.
// Never edit a shipped step: add a new one.

export const migrations: string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

  CREATE TABLE items (
    media_key TEXT PRIMARY KEY,
    dedup_key TEXT,
    kind TEXT NOT NULL DEFAULT 'photo',          -- photo | video | live
    taken_ms INTEGER NOT NULL,
    tz_offset_ms INTEGER NOT NULL DEFAULT 0,
    uploaded_ms INTEGER,
    width INTEGER,
    height INTEGER,
    file_name TEXT,                               -- original name, once known
    size_bytes INTEGER,                           -- Google-side size, once known
    favorite INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    edited INTEGER NOT NULL DEFAULT 0,
    not_owned INTEGER NOT NULL DEFAULT 0,
    -- pending | done | failed | deferred | gone
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    first_seen_ms INTEGER NOT NULL,
    seen_ms INTEGER NOT NULL,
    gone_ms INTEGER,
    done_ms INTEGER,
    google_lat REAL,
    google_lng REAL,
    google_description TEXT,
    location_google_only INTEGER NOT NULL DEFAULT 0,
    remote_fingerprint TEXT                       -- Google-side size/edited state when downloaded
  );
  CREATE INDEX items_state ON items(state, taken_ms DESC);
  CREATE INDEX items_uploaded ON items(uploaded_ms);

  CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    media_key TEXT NOT NULL REFERENCES items(media_key),
    role TEXT NOT NULL,                           -- main | original | live-video | sidecar | version
    rel_path TEXT NOT NULL UNIQUE,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    sha1 TEXT,
    mime TEXT,
    taken_at TEXT,
    gps_lat REAL,
    gps_lng REAL,
    make TEXT,
    model TEXT,
    img_width INTEGER,
    img_height INTEGER,
    mtime_ms INTEGER,
    source TEXT NOT NULL DEFAULT 'download',      -- download | adopted
    lossy INTEGER NOT NULL DEFAULT 0,             -- adopted from an API backup: no GPS, recompressed
    original_confirmed INTEGER NOT NULL DEFAULT 0,
    recorded_ms INTEGER NOT NULL,
    verified_ms INTEGER,
    superseded_ms INTEGER                         -- an older version kept after an edit in Google
  );
  CREATE INDEX files_media_key ON files(media_key);
  CREATE INDEX files_sha1 ON files(sha1);

  CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    command TEXT NOT NULL,
    started_ms INTEGER NOT NULL,
    ended_ms INTEGER,
    exit_code INTEGER,
    found INTEGER NOT NULL DEFAULT 0,
    new INTEGER NOT NULL DEFAULT 0,
    downloaded INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    deferred INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    bytes INTEGER NOT NULL DEFAULT 0,
    full_rescan INTEGER NOT NULL DEFAULT 0,
    summary_json TEXT
  );
  `,
  // 2: adopting an existing backup (gphotos-sync index, Takeout or any folder). One row per
  // source file or Library API id, so an interrupted adoption resumes where it stopped.
  `
  CREATE TABLE adoptions (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,                         -- gphotos-sync | folder
    source_id TEXT NOT NULL,                      -- Library API id (RemoteId), or the file's absolute path
    source_path TEXT,                             -- the file as found, absolute
    file_name TEXT,
    taken_ms INTEGER,                             -- what the source says (CreateDate, sidecar or EXIF)
    mime TEXT,
    bytes INTEGER,
    mtime_ms INTEGER,
    sha1 TEXT,                                    -- base64, as swbisb takes it
    sha256 TEXT,
    media_key TEXT,
    -- pending | missing | mapped | unknown | failed | exact | probable | unmatched | duplicate | placed | skipped
    status TEXT NOT NULL DEFAULT 'pending',
    target_rel_path TEXT,                         -- where the file goes (set before any move, for resume)
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    UNIQUE (source, source_id)
  );
  CREATE INDEX adoptions_status ON adoptions(source, status);
  CREATE INDEX adoptions_media_key ON adoptions(media_key);
  `,
  // 3: incremental sync. A full rescan stamps every item it lists with its scan id, so the
  // items it did not list are found with one query instead of a set of 100k keys in memory.
  // changed_ms marks a downloaded item whose Google-side size changed (an edit in Google):
  // its files become dated versions before the new version is fetched. --prune records
  // where it moved a file of an item deleted in Google.
  `
  ALTER TABLE items ADD COLUMN scan_id INTEGER;               -- the last full rescan that listed the item
  ALTER TABLE items ADD COLUMN changed_ms INTEGER;            -- set when Google's version differs from ours; cleared once ours is kept as a version
  ALTER TABLE files ADD COLUMN trashed_ms INTEGER;            -- moved into .gphotos-keep/trash/<date>/ by --prune
  ALTER TABLE files ADD COLUMN trashed_from TEXT;             -- its rel_path before the move
  CREATE INDEX items_changed ON items(changed_ms) WHERE changed_ms IS NOT NULL;
  `,
  // 4: parking items that keep failing. failed_runs counts the runs that failed an item since it
  // was last kept (or retried with --retry-failed); once it reaches --park-after the item is
  // parked (parked_ms set, state stays 'failed' with its reason) and later runs leave it alone
  // until `sync --retry-failed`. Becoming done by any path (download, adoption) clears both, in
  // the schema itself so no writer can forget it. Items already failed count one failed run.
  `
  ALTER TABLE items ADD COLUMN failed_runs INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE items ADD COLUMN parked_ms INTEGER;
  UPDATE items SET failed_runs = 1 WHERE state = 'failed';
  CREATE INDEX items_parked ON items(parked_ms) WHERE parked_ms IS NOT NULL;
  CREATE TRIGGER items_done_clears_failures AFTER UPDATE OF state ON items
    WHEN NEW.state = 'done' AND (NEW.failed_runs <> 0 OR NEW.parked_ms IS NOT NULL)
  BEGIN
    UPDATE items SET failed_runs = 0, parked_ms = NULL WHERE media_key = NEW.media_key;
  END;
  `,
  // 5: fidelity. What Google lists as an item's size is not documented for Live Photos or
  // items edited in Google, so it never decides whether bytes are kept: a kept file whose
  // listed size matches none of the plausible readings carries that listed size here.
  `
  ALTER TABLE files ADD COLUMN listed_bytes INTEGER;          -- Google's listed size when it disagreed with these bytes
  `,
];
