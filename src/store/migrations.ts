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
  // 6: albums, sharing and the trash. Album membership is kept by album key and by the
  // dedupKey that maps an album's item (album-scoped key) to the item in the index. Items the
  // account sees only in someone else's album or through partner sharing are items too, with
  // their origin and owner; items in Google's trash are 'trashed' (not gone) with Google's
  // trashed time. Link folders (albums/<title>/, favorites/, archive/, partner/) are recorded
  // link by link, so a rerun names every link as before and removes only what it made.
  `
  ALTER TABLE items ADD COLUMN origin TEXT NOT NULL DEFAULT 'library';   -- library | shared (someone else's album) | partner
  ALTER TABLE items ADD COLUMN owner TEXT;                               -- whose it is, when not the account's (a name, else an actor id)
  ALTER TABLE items ADD COLUMN trashed_ms INTEGER;                       -- when it went into Google's trash (state 'trashed')
  ALTER TABLE items ADD COLUMN rating INTEGER;                           -- the xmp:Rating our sidecar carries (5 for a favorite), null: none
  CREATE INDEX items_dedup ON items(dedup_key) WHERE dedup_key IS NOT NULL;
  CREATE INDEX items_origin ON items(origin) WHERE origin <> 'library';

  CREATE TABLE albums (
    album_key TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    own INTEGER NOT NULL DEFAULT 1,               -- the account's own album (else shared with it)
    shared INTEGER NOT NULL DEFAULT 0,
    owner_actor TEXT,
    owner_name TEXT,
    share_id TEXT,                                -- /share/<share_id>?key=<auth_key>, for someone else's album
    auth_key TEXT,
    link_url TEXT,
    created_ms INTEGER,
    modified_ms INTEGER,                          -- Google's modified time when its items were last listed completely
    item_count INTEGER,
    seen_ms INTEGER NOT NULL,
    dir TEXT UNIQUE                               -- its link folder (albums/<name>), once made
  );
  CREATE TABLE album_items (
    album_key TEXT NOT NULL REFERENCES albums(album_key) ON DELETE CASCADE,
    item_key TEXT NOT NULL,                       -- album-scoped key
    position INTEGER NOT NULL,                    -- album order
    dedup_key TEXT,                               -- maps it to the item in the index
    owner_actor TEXT,
    PRIMARY KEY (album_key, item_key)
  );
  CREATE INDEX album_items_dedup ON album_items(dedup_key);

  CREATE TABLE partner_items (
    item_key TEXT PRIMARY KEY,
    dedup_key TEXT,
    taken_ms INTEGER,
    seen_ms INTEGER NOT NULL
  );
  CREATE INDEX partner_items_dedup ON partner_items(dedup_key);

  CREATE TABLE links (
    dir TEXT NOT NULL,                            -- albums/<name> | favorites | archive | partner
    name TEXT NOT NULL,
    media_key TEXT NOT NULL,
    target TEXT NOT NULL,                         -- rel_path of the file it stands for
    mode TEXT NOT NULL,                           -- symlink | hardlink | copy
    PRIMARY KEY (dir, name)
  );
  CREATE INDEX links_media ON links(media_key);
  `,
  // 7: intents. Before a step creates a file in the backup folder (a `.part`, the final name it
  // is renamed to, the sidecar beside it), the index notes the path, the item and the bytes it
  // will hold; the item's record removes its notes in the same transaction. A run killed in
  // between leaves notes that say which files on disk are ours: the next run finishes the item
  // over them instead of taking them for someone else's, and removes only the `.part` files
  // noted here.
  `
  CREATE TABLE intents (
    rel_path TEXT PRIMARY KEY,                    -- the path a step is about to create
    media_key TEXT NOT NULL,
    kind TEXT NOT NULL,                           -- part | file | sidecar
    sha256 TEXT,                                  -- the bytes it will hold, when known
    started_ms INTEGER NOT NULL
  );
  CREATE INDEX intents_media ON intents(media_key);
  CREATE INDEX intents_kind ON intents(kind);
  `,
];
