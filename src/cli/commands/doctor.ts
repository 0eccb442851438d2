// `doctor`: can this machine run tonight's backup? Each check says what it found, and a failed
// one names its fix: Chromium, exiftool, SQLite, the output folder, its free space against what
// is left to download, the index's integrity, the profile and whether it is signed in (as whom).
// `doctor --site`: does photos.google.com still behave as the program expects? A table of
// facts, each ok / changed / not found, for a bug report (src/site/probe.ts does the checking).
import { exiftool } from 'exiftool-vendored';
import { chromium } from 'playwright-core';
import { constants, accessSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, statfsSync, writeFileSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE_ARGS, chromiumPath, chromiumVersion, sandboxArgs } from '../../browser/chromium.js';
import { launchProfile } from '../../browser/launch.js';
import { installRoot, resolveProfileDir } from '../../browser/profile.js';
import { ExitCode, KeepError, SignedOutError, describeError, exitCodeOf, suggest } from '../../errors.js';
import { formatBytes } from '../../run/progress.js';
import { checkLogin } from '../../run/login.js';
import { type FactResult, probeSite } from '../../site/probe.js';
import { openDatabase, indexPath } from '../../store/database.js';
import { outstandingBytes } from '../../store/stats.js';
import { type CommandContext, outDir, siteBaseUrl } from '../context.js';

interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failed check. */
  fix?: string;
}

/** A check that failed, with the fix to name. */
class Failed extends Error {
  constructor(
    detail: string,
    readonly fix: string,
  ) {
    super(detail);
  }
}

async function check(name: string, body: () => Promise<string> | string, fix?: string): Promise<CheckResult> {
  try {
    return { name, ok: true, detail: await body() };
  } catch (error) {
    return { name, ok: false, detail: describeError(error), fix: error instanceof Failed ? error.fix : fix };
  }
}

/** Room kept free beyond the downloads themselves: the index, .part files, the OS. */
const SPARE_BYTES = 1e9;

export async function runDoctor(ctx: CommandContext): Promise<number> {
  if (ctx.options.site === true) return await runSiteDoctor(ctx);
  const results: CheckResult[] = [];
  const out = path.resolve(outDir(ctx, false));
  const profileDir = resolveProfileDir(String(ctx.options.profile ?? 'default'), ctx.env);
  const reinstall = 'run `npm run setup` in the gphotos-keep checkout (it reinstalls the npm packages for this Node)';
  let executable: string | null = null;
  let launches = false;
  results.push(
    await check(
      'chromium',
      async () => {
        executable = chromiumPath(ctx.env);
        return `${executable} (${await chromiumVersion(executable)})`;
      },
      'run `npm run setup` in the gphotos-keep checkout (it installs Debian\'s chromium), or point CHROMIUM_PATH at a Chromium binary',
    ),
  );
  results.push(
    await check(
      'chromium headless launch',
      async () => {
        if (!executable) throw new Error('skipped: no Chromium found');
        const browser = await chromium.launch({ executablePath: executable, headless: true, args: [...BASE_ARGS, ...sandboxArgs()], timeout: 60_000 });
        try {
          const page = await browser.newPage();
          await page.setContent('<title>ok</title>');
          launches = true;
          return `started and rendered a page (${browser.version()})`;
        } finally {
          await browser.close();
        }
      },
      'fix Chromium first (the check above); if it is found but does not start, run `chromium --headless --dump-dom about:blank` to see why',
    ),
  );
  results.push(
    await check(
      'exiftool',
      async () => {
        try {
          return `ExifTool ${await exiftool.version()}`;
        } finally {
          await exiftool.end();
        }
      },
      `${reinstall}; ExifTool needs perl (\`sudo apt-get install perl\`)`,
    ),
  );
  results.push(
    await check(
      'sqlite',
      () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-doctor-'));
        try {
          const db = openDatabase(path.join(dir, 'check.db'));
          const mode = db.pragma('journal_mode', { simple: true });
          const version = db.prepare('select sqlite_version()').pluck().get();
          db.close();
          return `SQLite ${version}, journal ${mode}`;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
      reinstall,
    ),
  );
  results.push(await check('output folder', () => outputFolder(out)));
  results.push(await check('free space', () => freeSpace(out)));
  results.push(await check('index', () => indexIntegrity(out)));
  results.push(await check('profile', () => profileFolder(profileDir)));
  results.push(
    await check('session', async () => {
      if (!existsSync(profileDir)) throw new Failed(`not signed in: ${profileDir} does not exist`, `run ${suggest('login')} (without a display: ${suggest('login --cookies FILE')})`);
      if (!launches) throw new Failed('not checked: Chromium does not start here', 'fix the Chromium checks above');
      try {
        const signedIn = await checkLogin({ profileDir, baseUrl: siteBaseUrl(ctx), logger: ctx.logger.child({}, { level: 'warn' }), signal: ctx.signal, say: () => undefined });
        return `signed in as ${signedIn.email ?? '(the page did not name the account)'}`;
      } catch (error) {
        if (error instanceof SignedOutError) throw new Failed(`not signed in: Google Photos sends ${profileDir} to the sign-in page`, `run ${suggest('login')} (without a display: ${suggest('login --cookies FILE')})`);
        throw new Failed(describeError(error), error instanceof KeepError ? 'see the message; run doctor again when it is resolved' : 'run doctor again; if it persists, report it');
      }
    }),
  );

  const failed = results.filter((r) => !r.ok);
  if (ctx.options.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: failed.length === 0, checks: results.map((r) => (r.fix ? { ...r, fix: ctx.completeCommands(r.fix) } : r)) })}\n`);
  } else {
    for (const r of results) ctx.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name}: ${r.detail}${r.fix ? `\n      fix: ${r.fix}` : ''}\n`);
    if (failed.length > 0) ctx.stderr.write(`doctor: ${failed.length} check(s) failed: ${failed.map((r) => r.name).join(', ')}\n`);
  }
  return failed.length === 0 ? ExitCode.Complete : ExitCode.Unexpected;
}

function outputFolder(out: string): string {
  if (!existsSync(out)) {
    const parent = path.dirname(out);
    try {
      accessSync(parent, constants.W_OK);
    } catch (error) {
      throw new Failed(`${out} does not exist and ${parent} is not writable (${(error as NodeJS.ErrnoException).code})`, `create it as this user (\`sudo install -d -o "$USER" ${out}\`), or pass another --out`);
    }
    return `${out} does not exist yet; its parent is writable, so sync can create it`;
  }
  if (!statSync(out).isDirectory()) throw new Failed(`${out} is not a folder`, 'pass --out with the backup folder (it is created if missing)');
  const probe = path.join(out, `.gphotos-keep-doctor-${process.pid}`);
  try {
    writeFileSync(probe, 'ok');
    unlinkSync(probe);
  } catch (error) {
    throw new Failed(`${out} is not writable: ${describeError(error)}`, 'make it writable by this user (its owner, mode or mount), or pass another --out');
  }
  return `${out} is writable`;
}

/** The file system holding the folder, or the nearest existing parent of a folder sync will create. */
function existingAncestor(dir: string): string {
  let current = dir;
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}

function freeSpace(out: string): string {
  const where = existingAncestor(out);
  const s = statfsSync(where);
  const free = s.bavail * s.bsize;
  if (!existsSync(indexPath(out))) return `${formatBytes(free)} free; no index yet, so the size of the first backup is not known (the whole library)`;
  let left;
  try {
    const db = openDatabase(indexPath(out), { readonly: true });
    try {
      left = outstandingBytes(db);
    } finally {
      db.close();
    }
  } catch (error) {
    throw new Failed(`${formatBytes(free)} free; what is left to download is not known: the index cannot be read (${describeError(error)})`, 'fix the index first (the index check)');
  }
  const estimate = left.knownBytes + left.unknownSize * left.averageKeptBytes;
  const unknown = left.unknownSize > 0 ? (left.averageKeptBytes > 0 ? `, ${left.unknownSize} of them of unknown size counted at the average kept item` : `, ${left.unknownSize} of them of unknown size`) : '';
  const need = `${formatBytes(estimate)} left to download (${left.items} items${unknown})`;
  if (free < estimate + SPARE_BYTES) {
    throw new Failed(`${formatBytes(free)} free on the disk holding ${out}, and about ${need}; ${formatBytes(SPARE_BYTES)} should stay spare`, `free at least ${formatBytes(estimate + SPARE_BYTES - free)} there, or move the backup to a bigger disk and pass that folder as --out`);
  }
  return `${formatBytes(free)} free; about ${need}`;
}

function indexIntegrity(out: string): string {
  const file = indexPath(out);
  if (!existsSync(file)) return `none yet at ${file}; the first sync creates it`;
  let problems: string[];
  let items = 0;
  try {
    const db = openDatabase(file, { readonly: true });
    try {
      problems = (db.pragma('quick_check', { simple: false }) as { quick_check: string }[]).map((row) => row.quick_check);
      items = db.prepare('SELECT COUNT(*) FROM items').pluck().get() as number;
    } finally {
      db.close();
    }
  } catch (error) {
    if (error instanceof KeepError && /newer gphotos-keep/.test(error.message)) throw new Failed(error.message, 'update gphotos-keep (see "Update" in the README)');
    const code = errorCode(error);
    if (code === 'EACCES' || code === 'EPERM') throw new Failed(describeError(error), `let this user read ${file}, or run doctor as the user who runs the backups`);
    // Damage bad enough stops the check itself (SQLITE_CORRUPT, SQLITE_NOTADB: "malformed").
    problems = [describeError(error)];
  }
  if (problems.length === 1 && problems[0] === 'ok') return `${file} passes SQLite's quick_check (${items} items)`;
  throw new Failed(
    `${file} is damaged: ${problems.slice(0, 3).join('; ')}`,
    `run ${suggest('repair --index')}: it keeps the damaged file aside, starts from the last saved copy of the index and matches the files on disk back to their Google items, moving and deleting no file`,
  );
}

/** The errno or SQLite code of an error or of what it wraps. */
function errorCode(error: unknown): string | null {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

function profileFolder(dir: string): string {
  if (!existsSync(dir)) throw new Failed(`${dir} does not exist: no profile has been signed in there`, `run ${suggest('login')} (it creates the profile, mode 0700)`);
  const stat = statSync(dir);
  if (!stat.isDirectory()) throw new Failed(`${dir} is not a folder`, 'pass --profile with a profile name or folder');
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new Failed(`${dir} belongs to uid ${stat.uid}, not to you (uid ${process.getuid()})`, 'run gphotos-keep as the user who signed the profile in');
  if ((stat.mode & 0o077) !== 0) throw new Failed(`${dir} has mode ${(stat.mode & 0o777).toString(8)}: others can read its cookies`, `run \`chmod 700 ${dir}\``);
  return `${dir} (mode 700)`;
}

// ---------------------------------------------------------------- --site

/** 5 when a fact no longer holds; 3 when some could not be checked (no answer, nothing to open); else 0. */
export function siteExitCode(facts: FactResult[]): number {
  if (facts.some((f) => f.status === 'changed' || f.status === 'not found')) return ExitCode.SiteChanged;
  if (facts.some((f) => f.status === 'not checked')) return ExitCode.Partial;
  return ExitCode.Complete;
}

async function runSiteDoctor(ctx: CommandContext): Promise<number> {
  const profileDir = resolveProfileDir(String(ctx.options.profile ?? 'default'), ctx.env);
  const baseUrl = siteBaseUrl(ctx);
  const json = ctx.options.json === true;
  let facts: FactResult[];
  try {
    // Never create a profile just to find it signed out.
    if (!existsSync(profileDir)) throw new SignedOutError(`Profile ${profileDir} does not exist, so it is not signed in: run ${suggest('login')} (without a display: ${suggest('login --cookies FILE')}), then ${suggest('doctor --site')} again.`);
    // The two test downloads land here and are deleted with it.
    const downloads = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-doctor-site-'));
    try {
      const context = await launchProfile({ profileDir, headless: true, downloadsPath: downloads, logger: ctx.logger });
      try {
        facts = (await probeSite(context, baseUrl)).facts;
      } finally {
        await context.close().catch(() => undefined);
      }
    } finally {
      rmSync(downloads, { recursive: true, force: true });
    }
  } catch (error) {
    if (!(error instanceof KeepError)) throw error;
    const code = exitCodeOf(error);
    ctx.stderr.write(`gphotos-keep doctor: ${describeError(error)}\n`);
    if (json) ctx.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: ctx.completeCommands(describeError(error)) })}\n`);
    return code;
  }

  const exitCode = siteExitCode(facts);
  const broken = facts.filter((f) => f.status === 'changed' || f.status === 'not found');
  const chromium = await chromiumVersion(chromiumPath(ctx.env)).catch(() => 'unknown Chromium');
  const header = { version: await packageVersion(), chromium, site: new URL(baseUrl).origin, checkedAt: new Date().toISOString() };
  if (json) {
    ctx.stdout.write(`${JSON.stringify({ ok: exitCode === ExitCode.Complete, exitCode, ...header, facts })}\n`);
  } else {
    const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
    const lines = [
      `gphotos-keep ${header.version} doctor --site, ${header.chromium}, ${header.site}, ${header.checkedAt}`,
      '',
      '| fact | result | what it saw instead |',
      '| --- | --- | --- |',
      ...facts.map((f) => `| \`${f.id}\` ${cell(f.fact)} | ${f.status} | ${cell(f.saw)} |`),
    ];
    ctx.stdout.write(`${lines.join('\n')}\n`);
  }
  if (broken.length > 0) {
    ctx.stderr.write(`doctor --site: ${broken.length} fact(s) no longer hold: ${broken.map((f) => f.id).join(', ')}. Google may have changed photos.google.com: please paste the table above into a bug report (it holds no token, cookie or file name).\n`);
  } else if (exitCode === ExitCode.Partial) {
    ctx.stderr.write(`doctor --site: every fact checked holds; ${facts.filter((f) => f.status === 'not checked').map((f) => f.id).join(', ')} could not be checked (see the table); run it again later.\n`);
  } else {
    const none = facts.filter((f) => f.status === 'nothing to check');
    ctx.stderr.write(none.length === 0 ? `doctor --site: all ${facts.length} facts hold.\n` : `doctor --site: all ${facts.length - none.length} facts that apply hold; the account has nothing to check ${none.map((f) => f.id).join(', ')} on.\n`);
  }
  return exitCode;
}

async function packageVersion(): Promise<string> {
  try {
    return (JSON.parse(readFileSync(path.join(installRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
