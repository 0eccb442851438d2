// The one table of options: it feeds commander, the config file's keys and validation,
// the environment variables, and the README's option list (scripts/options-doc.ts).
// Every flag is also a config key (its camelCase `key`); boolean flags also take --no-<flag>
// on the command line, to override a config file's true.

export type OptionType = 'string' | 'path' | 'url' | 'int' | 'bool';
export type CommandName = 'sync' | 'login' | 'status' | 'verify' | 'doctor' | 'adopt' | 'report' | 'repair';

export interface OptionDef {
  /** camelCase key: commander's attribute and the config file's key. */
  key: string;
  flags: string;
  description: string;
  type: OptionType;
  default?: string | number | boolean;
  env?: string;
  min?: number;
  max?: number;
  /** The only values a string option takes. */
  choices?: readonly string[];
  commands: CommandName[];
  /** Never printed, logged or written to a report. */
  secret?: boolean;
  /**
   * What to do on this one run rather than a setting: never read from the environment (a
   * forgotten variable must not change every run). Like every flag it is still a config key.
   */
  cliOnly?: boolean;
}

const RUN: CommandName[] = ['sync', 'login', 'status', 'verify', 'doctor', 'adopt', 'report', 'repair'];

export const optionTable: OptionDef[] = [
  { key: 'out', flags: '--out <dir>', description: 'backup folder (holds the files and .gphotos-keep/index.db)', type: 'path', env: 'GPHOTOS_KEEP_OUT', commands: ['sync', 'status', 'verify', 'doctor', 'adopt', 'report', 'repair'] },
  { key: 'profile', flags: '--profile <name|path>', description: 'browser profile: a bare name lives in $XDG_DATA_HOME/gphotos-keep/profiles/ (~/.local/share/…; $GPHOTOS_KEEP_HOME/profiles/ when set), a path is used as given', type: 'string', default: 'default', env: 'GPHOTOS_KEEP_PROFILE', commands: ['sync', 'login', 'doctor', 'adopt', 'repair'] },
  { key: 'baseUrl', flags: '--base-url <url>', description: 'Google Photos origin (a local replica stands in for tests and the demo)', type: 'url', default: 'https://photos.google.com', env: 'GPHOTOS_KEEP_BASE_URL', commands: ['sync', 'login', 'doctor', 'adopt', 'repair'] },
  { key: 'concurrency', flags: '--concurrency <n>', description: 'browser pages downloading at once (more than 5-6 risks rate limits)', type: 'int', default: 3, min: 1, max: 8, env: 'GPHOTOS_KEEP_CONCURRENCY', commands: ['sync', 'adopt'] },
  { key: 'limit', flags: '--limit <n>', description: 'download at most n items this run', type: 'int', min: 1, commands: ['sync'], cliOnly: true },
  { key: 'dryRun', flags: '--dry-run', description: 'list and report what would be done, download and change nothing (sync: each item it would download, with its date, name and size, and the total)', type: 'bool', default: false, commands: ['sync', 'adopt'], cliOnly: true },
  { key: 'since', flags: '--since <date>', description: 'only items taken on or after this local date (YYYY-MM-DD, YYYY-MM or YYYY) are listed and downloaded this run', type: 'string', commands: ['sync'], cliOnly: true },
  { key: 'until', flags: '--until <date>', description: 'only items taken on or before this local date (the whole day, month or year it names) are listed and downloaded this run', type: 'string', commands: ['sync'], cliOnly: true },
  { key: 'recheck', flags: '--recheck <from..to>', description: 're-list the items taken in this period from scratch and fetch what the backup lacks: items it never listed, kept files missing from disk, parked items (e.g. 2019-06..2019-08; either end may be left open)', type: 'string', commands: ['sync'], cliOnly: true },
  { key: 'maxAttempts', flags: '--max-attempts <n>', description: 'tries per item within a run before it is marked failed (later runs try again)', type: 'int', default: 4, min: 1, max: 20, commands: ['sync'] },
  { key: 'parkAfter', flags: '--park-after <runs>', description: 'an item that failed in this many runs is parked: it stays failed with its reason, is named by status, the summary and the healthcheck ping (exit 3) every run, and is not tried again until --retry-failed', type: 'int', default: 3, min: 1, max: 100, commands: ['sync'] },
  { key: 'retryFailed', flags: '--retry-failed', description: 'try the parked items again this run, each with a fresh count of failed runs', type: 'bool', default: false, commands: ['sync'], cliOnly: true },
  { key: 'rescan', flags: '--rescan', description: 'full rescan by date taken (library and archive), reconciling deletions', type: 'bool', default: false, commands: ['sync'], cliOnly: true },
  { key: 'rescanDays', flags: '--rescan-days <n>', description: 'run a full rescan automatically when the last one is older than n days', type: 'int', default: 7, min: 0, commands: ['sync'] },
  { key: 'acceptDeletions', flags: '--accept-deletions', description: 'let this rescan mark items gone even if more than 20% of the library vanished at once (you deleted them in Google on purpose)', type: 'bool', default: false, commands: ['sync'], cliOnly: true },
  { key: 'albumLinks', flags: '--album-links <mode>', description: 'how albums/<title>/, favorites/, archive/ and partner/ show the files of the date layout: relative symlinks, hard links, copies, or no link folders', type: 'string', default: 'symlink', choices: ['symlink', 'hardlink', 'copy', 'none'], env: 'GPHOTOS_KEEP_ALBUM_LINKS', commands: ['sync'] },
  { key: 'sharedAlbums', flags: '--shared-albums', description: "also back up the photos of others in albums shared with you (downloaded through the album, kept in the date layout, linked from the album's folder)", type: 'bool', default: true, commands: ['sync'] },
  { key: 'wholeFlagViews', flags: '--whole-flag-views', description: "read Google's whole Favorites and Archive views every run, so a favorite or archive change deep in them is followed that night (one round trip per 100 favorites); otherwise a run reads their first page, and the next full rescan follows deeper changes", type: 'bool', default: false, commands: ['sync'] },
  { key: 'partner', flags: '--partner', description: 'also back up the items your partner shares with you (partner sharing), linked from partner/', type: 'bool', default: false, commands: ['sync'] },
  { key: 'accountIndex', flags: '--account-index <n>', description: "use the n-th account signed in to the browser profile (Google's /u/<n>/); a backup folder stays tied to one account", type: 'int', min: 0, max: 9, env: 'GPHOTOS_KEEP_ACCOUNT_INDEX', commands: ['sync', 'doctor', 'adopt', 'repair'] },
  { key: 'prune', flags: '--prune', description: 'move files of items deleted in Google into .gphotos-keep-trash/<date>/', type: 'bool', default: false, commands: ['sync'], cliOnly: true },
  { key: 'followUmask', flags: '--follow-umask', description: "create the backup's folders and files with the process umask (a folder shared on purpose, e.g. with a media server on a NAS) instead of private 0700 folders and 0600 files; the state folder and the log file stay private", type: 'bool', default: false, env: 'GPHOTOS_KEEP_FOLLOW_UMASK', commands: ['sync', 'adopt', 'verify'] },
  { key: 'json', flags: '--json', description: 'print the result to stdout as one JSON object (sync --dry-run: one JSON line per item it would download, then the summary)', type: 'bool', default: false, commands: ['sync', 'status', 'verify', 'doctor', 'adopt', 'login', 'report', 'repair'] },
  { key: 'healthcheck', flags: '--healthcheck <url>', description: 'healthchecks.io ping URL: /start at the beginning, /<exit code> at the end', type: 'url', env: 'GPHOTOS_KEEP_HEALTHCHECK', secret: true, commands: ['sync'] },
  { key: 'logFile', flags: '--log-file <file>', description: 'append JSON log lines to this file (mode 0600); each command ends with one record of its outcome, exit code, counts and duration', type: 'path', env: 'GPHOTOS_KEEP_LOG_FILE', commands: RUN },
  { key: 'stuckLockHours', flags: '--stuck-lock-hours <hours>', description: 'a run refused by the same live run lock for longer than this exits 1 and pings a failure, so a stuck run is noticed (a lock nobody refreshes for 10 minutes is taken over, whatever its host)', type: 'int', default: 24, min: 0, max: 8760, env: 'GPHOTOS_KEEP_STUCK_LOCK_HOURS', commands: ['sync', 'adopt', 'verify'] },
  { key: 'metricsFile', flags: '--metrics-file <file>', description: 'write Prometheus textfile metrics here after each run', type: 'path', env: 'GPHOTOS_KEEP_METRICS_FILE', commands: ['sync'] },
  { key: 'quiet', flags: '-q, --quiet', description: 'for cron: print nothing when the run completes (exit 0), only the problems otherwise', type: 'bool', default: false, commands: RUN },
  { key: 'verbose', flags: '-v, --verbose', description: 'debug logging', type: 'bool', default: false, commands: RUN },
  { key: 'utc', flags: '--utc', description: 'show times in UTC instead of the local time zone (TZ)', type: 'bool', default: false, commands: ['status', 'report'] },
  { key: 'full', flags: '--full', description: 'hash every file, not only those whose size or mtime changed', type: 'bool', default: false, commands: ['verify'], cliOnly: true },
  { key: 'fix', flags: '--fix', description: 'move changed and corrupt files aside and re-queue them (with missing ones) so the next sync restores them; make broken links of the link folders again', type: 'bool', default: false, commands: ['verify'], cliOnly: true },
  { key: 'index', flags: '--index', description: 'rebuild the index from its newest sound saved copy and the files on disk, matching files back to their Google items (by the copy, then by SHA-1 when signed in); the damaged index is kept aside, no file is moved or deleted', type: 'bool', default: false, commands: ['repair'], cliOnly: true },
  { key: 'cookies', flags: '--cookies <file>', description: 'import a cookies.txt (Netscape) or JSON cookie export into the profile', type: 'path', commands: ['login'], cliOnly: true },
  { key: 'site', flags: '--site', description: 'check, signed in, each fact about photos.google.com the program relies on and print a table for a bug report: exit 0 all hold, 5 one changed, 4 signed out', type: 'bool', default: false, commands: ['doctor'], cliOnly: true },
  { key: 'check', flags: '--check', description: 'only check the session headless: exit 0 signed in, 4 signed out', type: 'bool', default: false, commands: ['login'], cliOnly: true },
  { key: 'remoteDebuggingPort', flags: '--remote-debugging-port <port>', description: 'headless sign-in: expose Chromium on 127.0.0.1:<port> for chrome://inspect over ssh -L', type: 'int', min: 1024, max: 65535, commands: ['login'], cliOnly: true },
  { key: 'fromGphotosSync', flags: '--from-gphotos-sync <db|folder>', description: "adopt a gphotos-sync backup (its gphotos.sqlite or its folder)", type: 'path', commands: ['adopt'], cliOnly: true },
  { key: 'fromFolder', flags: '--from-folder <dir>', description: 'adopt a Takeout export or any folder of originals', type: 'path', commands: ['adopt'], cliOnly: true },
  { key: 'upgrade', flags: '--upgrade', description: 'gphotos-sync: queue the originals and keep the old file until each is verified', type: 'bool', default: false, commands: ['adopt'], cliOnly: true },
  { key: 'keep', flags: '--keep', description: 'gphotos-sync: count adopted files as done', type: 'bool', default: false, commands: ['adopt'], cliOnly: true },
  { key: 'move', flags: '--move', description: 'folder: move matched files into the backup layout', type: 'bool', default: false, commands: ['adopt'], cliOnly: true },
  { key: 'copy', flags: '--copy', description: 'folder: copy matched files (the default)', type: 'bool', default: false, commands: ['adopt'], cliOnly: true },
  { key: 'link', flags: '--link', description: 'folder: hard-link matched files', type: 'bool', default: false, commands: ['adopt'], cliOnly: true },
  { key: 'acceptProbable', flags: '--accept-probable', description: 'folder: also place the probable (name + time) matches', type: 'bool', default: false, commands: ['adopt'], cliOnly: true },
];

export function optionsFor(command: CommandName): OptionDef[] {
  return optionTable.filter((o) => o.commands.includes(command));
}

export function optionByKey(key: string): OptionDef | undefined {
  return optionTable.find((o) => o.key === key);
}

/** `--base-url <url>` → `base-url` */
export function longName(def: OptionDef): string {
  const match = /--([a-z0-9-]+)/.exec(def.flags);
  return match ? match[1] : def.key;
}
