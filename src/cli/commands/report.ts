// `report --out DIR`: writes DIR/report.html, one self-contained page about the backup (items per
// month in Google and kept, failing and waiting items, the last runs, space, the latest items as
// thumbnails made here). The index is only read; no run is recorded. Times are local, or UTC
// with --utc.
import { ExitCode } from '../../errors.js';
import { writeBackupReport } from '../../run/backup-report.js';
import { formatBytes } from '../../run/progress.js';
import { type CommandContext, outDir } from '../context.js';
import { clock } from './status.js';

export async function runReport(ctx: CommandContext): Promise<number> {
  const c = clock(ctx.options.utc === true);
  const { file, report } = await writeBackupReport(outDir(ctx, false), { stamp: (ms) => `${c.stamp(ms)}`, zone: c.name, logger: ctx.logger });
  if (ctx.options.json === true) {
    ctx.stdout.write(`${JSON.stringify({ file, inGoogle: report.inGoogle, kept: report.kept, months: report.months.length, problems: report.problems.total, bytes: report.space.bytes, thumbnails: report.latest.filter((t) => t.src).length })}\n`);
  } else if (ctx.options.quiet !== true) {
    ctx.stdout.write(`Wrote ${file}: ${report.kept} of ${report.inGoogle} items kept (${formatBytes(report.space.bytes)}), ${report.months.length} months, ${report.latest.filter((t) => t.src).length} thumbnails. Open it in a browser.\n`);
  }
  return ExitCode.Complete;
}
