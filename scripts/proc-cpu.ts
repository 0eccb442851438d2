// CPU time of a process tree (gphotos-keep with its Chromium and exiftool), read from /proc
// while it runs: each process's own user + system time, by kind of process. A process that
// ends between two samples loses what it used since the last one, so sample often (the
// processes of a sync live for the whole run; only the tail after the last sample is lost).
import { readFileSync } from 'node:fs';
import { childrenMap } from './proc-memory.js';

/** Node (gphotos-keep), Chromium's browser process, its renderer(s), its other helpers, exiftool (perl). */
export type ProcessKind = 'node' | 'browser' | 'renderer' | 'chromium-other' | 'exiftool' | 'other';

export const PROCESS_KINDS: ProcessKind[] = ['node', 'browser', 'renderer', 'chromium-other', 'exiftool', 'other'];

const TICKS_PER_SECOND = 100;

interface Seen {
  kind: ProcessKind;
  /** utime + stime, in clock ticks. */
  ticks: number;
}

function kindOf(pid: number, root: number): ProcessKind {
  if (pid === root) return 'node';
  let args: string[];
  try {
    // Chromium rewrites its helpers' command lines into one string with spaces.
    args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
  } catch {
    return 'other';
  }
  const exe = args[0] ?? '';
  if (/chrom/i.test(exe)) {
    const type = args.find((a) => a.startsWith('--type='))?.slice('--type='.length);
    if (!type) return 'browser';
    return type === 'renderer' ? 'renderer' : 'chromium-other';
  }
  if (/perl/.test(exe) || args.some((a) => /exiftool/.test(a))) return 'exiftool';
  return 'other';
}

function ticksOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid … : fields after the last ')' start at field 3; utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/** Accumulates the CPU of one process tree over repeated samples. */
export class TreeCpu {
  private readonly seen = new Map<number, Seen>();

  constructor(private readonly root: number) {}

  sample(): void {
    const children = childrenMap();
    const stack = [this.root];
    while (stack.length > 0) {
      const pid = stack.pop()!;
      const ticks = ticksOf(pid);
      if (ticks !== null) {
        const known = this.seen.get(pid);
        if (known) {
          known.ticks = Math.max(known.ticks, ticks);
          // A launcher script (Debian's /usr/bin/chromium) becomes Chromium under the same pid,
          // and a zygote's child becomes a renderer: the latest command line tells.
          // (A process that has just ended has no command line left: its kind stays.)
          const kind = kindOf(pid, this.root);
          if (kind !== 'other') known.kind = kind;
        } else {
          this.seen.set(pid, { kind: kindOf(pid, this.root), ticks });
        }
      }
      stack.push(...(children.get(pid) ?? []));
    }
  }

  /** CPU seconds by kind of process, and in total. */
  seconds(): Record<ProcessKind | 'total', number> {
    const out = Object.fromEntries([...PROCESS_KINDS, 'total'].map((k) => [k, 0])) as Record<ProcessKind | 'total', number>;
    for (const { kind, ticks } of this.seen.values()) {
      out[kind] += ticks / TICKS_PER_SECOND;
      out.total += ticks / TICKS_PER_SECOND;
    }
    return out;
  }
}
