// `doctor`: can this machine run a backup? Each check says what it found or how to fix it.
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
import { ExitCode, KeepError, SignedOutError, describeError, exitCodeOf } from '../../errors.js';
import { type FactResult, probeSite } from '../../site/probe.js';
import { openDatabase } from '../../store/database.js';
import { type CommandContext, outDir, siteBaseUrl } from '../context.js';

interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

async function check(name: string, body: () => Promise<string> | string): Promise<CheckResult> {
  try {
    return { name, ok: true, detail: await body() };
  } catch (error) {
    return { name, ok: false, detail: describeError(error) };
  }
}

export async function runDoctor(ctx: CommandContext): Promise<number> {
  if (ctx.options.site === true) return await runSiteDoctor(ctx);
  const results: CheckResult[] = [];
  let executable: string | null = null;
  results.push(
    await check('chromium', async () => {
      executable = chromiumPath(ctx.env);
      return `${executable} (${await chromiumVersion(executable)})`;
    }),
  );
  results.push(
    await check('chromium headless launch', async () => {
      if (!executable) throw new Error('skipped: no Chromium found');
      const browser = await chromium.launch({ executablePath: executable, headless: true, args: [...BASE_ARGS, ...sandboxArgs()], timeout: 60_000 });
      try {
        const page = await browser.newPage();
        await page.setContent('<title>ok</title>');
        return `started and rendered a page (${browser.version()})`;
      } finally {
        await browser.close();
      }
    }),
  );
  results.push(
    await check('exiftool', async () => {
      try {
        return `ExifTool ${await exiftool.version()}`;
      } finally {
        await exiftool.end();
      }
    }),
  );
  results.push(
    await check('sqlite', () => {
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
    }),
  );
  results.push(
    await check('output folder', () => {
      const out = path.resolve(outDir(ctx, false));
      if (!existsSync(out)) {
        const parent = path.dirname(out);
        accessSync(parent, constants.W_OK);
        return `${out} does not exist yet; its parent is writable, so sync can create it`;
      }
      if (!statSync(out).isDirectory()) throw new Error(`${out} is not a folder`);
      const probe = path.join(out, `.gphotos-keep-doctor-${process.pid}`);
      try {
        writeFileSync(probe, 'ok');
        unlinkSync(probe);
      } catch (error) {
        throw new Error(`${out} is not writable: ${describeError(error)}`);
      }
      return `${out} is writable (${freeSpace(out)})`;
    }),
  );
  results.push(
    await check('profile', () => {
      const dir = resolveProfileDir(String(ctx.options.profile ?? 'default'), ctx.env);
      if (!existsSync(dir)) return `${dir} does not exist yet; \`gphotos-keep login\` creates it (mode 0700)`;
      const stat = statSync(dir);
      if (!stat.isDirectory()) throw new Error(`${dir} is not a folder`);
      if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new Error(`${dir} belongs to uid ${stat.uid}, not to you (uid ${process.getuid()})`);
      if ((stat.mode & 0o077) !== 0) throw new Error(`${dir} has mode ${(stat.mode & 0o777).toString(8)}: others can read its cookies; run \`chmod 700 ${dir}\``);
      return `${dir} (mode 700)`;
    }),
  );

  const failed = results.filter((r) => !r.ok);
  if (ctx.options.json) {
    ctx.stdout.write(`${JSON.stringify({ ok: failed.length === 0, checks: results })}\n`);
  } else {
    for (const r of results) ctx.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'}  ${r.name}: ${r.detail}\n`);
    if (failed.length > 0) ctx.stderr.write(`doctor: ${failed.length} check(s) failed: ${failed.map((r) => r.name).join(', ')}\n`);
  }
  return failed.length === 0 ? ExitCode.Complete : ExitCode.Unexpected;
}

function freeSpace(dir: string): string {
  const s = statfsSync(dir);
  return `${((s.bavail * s.bsize) / 1e9).toFixed(1)} GB free`;
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
    if (!existsSync(profileDir)) throw new SignedOutError(`Profile ${profileDir} does not exist, so it is not signed in: run \`gphotos-keep login\` (or \`login --cookies FILE\`), then \`doctor --site\` again.`);
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
    if (json) ctx.stdout.write(`${JSON.stringify({ ok: false, exitCode: code, error: describeError(error) })}\n`);
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
    ctx.stderr.write(`doctor --site: all ${facts.length} facts hold.\n`);
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
