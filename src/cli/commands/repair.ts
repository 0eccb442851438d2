// `repair --index [--out DIR] [--profile NAME] [--json]`: rebuild a damaged or lost index from
// its saved copy and the files on disk (src/run/repair.ts), under the run lock, moving and
// deleting no file. Exit 0 when every file on disk is on record again, 3 when some could not
// be matched (listed) or recorded files are missing (`verify --fix` re-queues them).
import { resolveProfileDir } from '../../browser/profile.js';
import { UsageError, suggest } from '../../errors.js';
import { runInFrame } from '../../run/frame.js';
import { type RepairReport, repairIndex } from '../../run/repair.js';
import { type CommandContext, outDir, siteBaseUrl } from '../context.js';
import { frameContext, unfinishedJson } from '../frame-context.js';

const SHOWN = 20;

export async function runRepair(ctx: CommandContext): Promise<number> {
  const o = ctx.options;
  if (o.index !== true) throw new UsageError('Say what to repair: --index rebuilds the index (.gphotos-keep/index.db) from its saved copy and the files on disk.');
  const out = outDir(ctx, false);
  let report: RepairReport | null = null;
  const framed = await runInFrame(frameContext(ctx, out, 'repair --index', { index: 'body', display: false, dryRun: false }), async () => {
    const done = await repairIndex({ outDir: out, profileDir: resolveProfileDir(String(o.profile ?? 'default'), ctx.env), baseUrl: siteBaseUrl(ctx), logger: ctx.logger, signal: ctx.signal });
    report = done;
    const clean = done.unmatched.length === 0 && done.missing.length === 0;
    return { outcome: clean ? 'Complete' : 'Partial', summary: { ...done, found: done.recorded + done.repointed + done.bySha1 + done.sidecars, failed: done.unmatched.length, errors: done.unmatched.map((f) => ({ error: `not matched: ${f}` })) }, counts: { found: done.recorded + done.repointed + done.bySha1 + done.sidecars + done.unmatched.length, failed: done.unmatched.length } };
  });
  if (report) ctx.stdout.write(o.json === true ? `${JSON.stringify(report)}\n` : render(report));
  else if (o.json === true) ctx.stdout.write(unfinishedJson(framed));
  return framed.exitCode;
}

function render(r: RepairReport): string {
  const lines: string[] = [];
  if (r.rebuilt) {
    lines.push(`Rebuilt the index of ${r.out}${r.restoredFrom ? ` from its saved copy ${r.restoredFrom}` : ' from the files on disk alone (no sound saved copy)'}.`);
    if (r.damagedKeptAs) lines.push(`  The damaged index is kept as .gphotos-keep/${r.damagedKeptAs} (delete it once you are satisfied).`);
  } else {
    lines.push(`The index of ${r.out} passes SQLite's quick_check; it was kept and checked against the files on disk.`);
  }
  lines.push(`  ${r.recorded} files on record at their place (${r.fromCopy} items), ${r.repointed} found at another place, ${r.bySha1} matched to their Google item by SHA-1, ${r.sidecars} sidecars.`);
  if (r.lookup !== 'used' && r.lookup !== 'not needed') lines.push(`  Google's hash lookup was not used: ${r.lookup}.`);
  if (r.unmatched.length > 0) {
    lines.push(`Not matched, left where they are (${r.unmatched.length}):`, ...r.unmatched.slice(0, SHOWN).map((f) => `  ${f}`));
    if (r.unmatched.length > SHOWN) lines.push(`  … and ${r.unmatched.length - SHOWN} more (--json lists them all)`);
    if (r.lookup !== 'used') lines.push(`Sign in (${suggest('login')}) and run ${suggest('repair --index')} again to match them by SHA-1.`);
  }
  if (r.missing.length > 0) {
    lines.push(`Recorded but not on disk (${r.missing.length}):`, ...r.missing.slice(0, SHOWN).map((f) => `  ${f}`));
    lines.push(`${suggest('verify --fix')} re-queues them; the next ${suggest('sync')} downloads them again.`);
  }
  lines.push('No file was moved or deleted.');
  return `${lines.join('\n')}\n`;
}
