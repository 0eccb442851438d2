// --metrics-file: a Prometheus text-format file for node_exporter's textfile collector,
// rendered by prom-client and written atomically (temp file beside it, fsync, rename), so the
// collector never reads half a file. Every series carries out="<backup folder>", so several
// backups can each write their own file into the same collector folder.
import { Gauge, Registry } from 'prom-client';
import { atomicWriteFile } from '../folder/atomic-write.js';
import type { RunCounts } from '../store/runs.js';

export type { RunCounts } from '../store/runs.js';

export interface MetricsSnapshot {
  /** Absolute backup folder: the `out` label. */
  out: string;
  command: string;
  startedMs: number;
  endedMs: number;
  exitCode: number;
  /** End of the last run that exited 0 (this one included); null when none ever did. */
  lastSuccessMs: number | null;
  /** Items in the index by state; null when the index could not be read. */
  itemsByState: Record<string, number> | null;
  /** Files recorded in the index and their bytes; null when the index could not be read. */
  filesRecorded: number | null;
  bytesRecorded: number | null;
  run: RunCounts;
}

export const RUN_RESULTS = ['found', 'new', 'downloaded', 'skipped', 'deferred', 'failed'] as const;

export async function renderMetrics(s: MetricsSnapshot): Promise<string> {
  const registry = new Registry();
  const base = { out: s.out };
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name: `gphotos_keep_${name}`, help, labelNames: ['out', ...labelNames], registers: [registry] });

  gauge('last_run_start_timestamp_seconds', 'Unix time the last run started.').set(base, s.startedMs / 1000);
  gauge('last_run_end_timestamp_seconds', 'Unix time the last run ended.').set(base, s.endedMs / 1000);
  gauge('last_run_duration_seconds', 'How long the last run took.').set(base, Math.max(0, (s.endedMs - s.startedMs) / 1000));
  gauge('last_run_exit_code', 'Exit code of the last run: 0 complete, 1 unexpected, 2 usage, 3 partial, 4 signed out, 5 site not recognised.').set(base, s.exitCode);
  gauge('last_success_timestamp_seconds', 'Unix time the last complete run (exit 0) ended; 0 if none ever did.').set(base, s.lastSuccessMs === null ? 0 : s.lastSuccessMs / 1000);

  const results = gauge('last_run_items', 'Items of the last run by result.', ['result']);
  for (const result of RUN_RESULTS) results.set({ ...base, result }, s.run[result] ?? 0);
  gauge('last_run_downloaded_bytes', 'Bytes downloaded by the last run.').set(base, s.run.bytes ?? 0);

  if (s.itemsByState) {
    const items = gauge('items', 'Items in the index by state.', ['state']);
    for (const [state, n] of Object.entries(s.itemsByState)) items.set({ ...base, state }, n);
  }
  if (s.filesRecorded !== null) gauge('files', 'Verified files recorded in the index.').set(base, s.filesRecorded);
  if (s.bytesRecorded !== null) gauge('bytes', 'Bytes of the verified files recorded in the index.').set(base, s.bytesRecorded);
  return registry.metrics();
}

/** Writes the rendered metrics atomically; the collector only reads *.prom, the temp name is not. */
export async function writeMetricsFile(file: string, snapshot: MetricsSnapshot): Promise<void> {
  atomicWriteFile(file, await renderMetrics(snapshot), 0o644);
}
