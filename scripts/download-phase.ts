// What the benches read off the replica and the CLI's --json line: when the download phase ran
// (the replica's first download request to its last completed one) and how many items the run
// says it downloaded; and the limit beside them, the same downloads fetched over plain HTTP.
import type { Replica } from '../test/replica/index.js';

export class DownloadPhase {
  private firstStart: number | null = null;
  private lastDone: number;
  private doneCount = 0;

  constructor(private readonly started: number) {
    this.lastDone = started;
  }

  /** One look at the replica's counters. */
  sample(replica: Pick<Replica, 'counters'>): void {
    const now = performance.now();
    if (this.firstStart === null && Object.keys(replica.counters.downloadStarts).length > 0) this.firstStart = now;
    const done = Object.values(replica.counters.downloads).reduce((a, b) => a + b, 0);
    if (done > this.doneCount) {
      this.doneCount = done;
      this.lastDone = now;
    }
  }

  get ms(): number {
    return this.lastDone - (this.firstStart ?? this.started);
  }
}

/** `downloaded` from the summary the CLI prints last with --json (0 when there is none). */
export function downloadedOf(stdout: string): number {
  try {
    return Number((JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { downloaded?: number }).downloaded ?? 0);
  } catch {
    return 0;
  }
}

export const perMinute = (items: number, ms: number): number => (items / ms) * 60_000;

/** The items' main files fetched directly from the replica, `concurrency` at a time. */
export async function directHttp(replica: Replica, concurrency: number): Promise<{ ms: number; bytes: number; items: number }> {
  const urls = replica.items.flatMap((item) => {
    const url = replica.downloadUrl(item.mediaKey, 'main');
    return url ? [url] : [];
  });
  const cookie = `${replica.sessionCookie.name}=${replica.sessionCookie.value}`;
  let next = 0;
  let bytes = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const url = urls[next++];
      const response = await fetch(url, { headers: { cookie } });
      if (!response.ok) throw new Error(`direct HTTP: ${url} answered ${response.status}`);
      bytes += (await response.arrayBuffer()).byteLength;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  return { ms: performance.now() - started, bytes, items: urls.length };
}
