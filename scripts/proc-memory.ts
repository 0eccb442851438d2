// Memory of a process and of its whole tree (gphotos-keep with its Chromium and exiftool),
// read from /proc: the benches sample it while the CLI runs as a child process.
import { readFileSync, readdirSync } from 'node:fs';

export interface ProcessStatus {
  rssKb: number;
  /** The kernel's high-water mark of the resident set (VmHWM). */
  hwmKb: number;
}

export interface TreeMemory {
  rssKb: number;
  /** Proportional set size: pages shared between processes (Chromium's share most) counted once overall. */
  pssKb: number;
  processes: number;
}

/** Null when the process has ended. */
export function processStatus(pid: number): ProcessStatus | null {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(text);
    const hwm = /VmHWM:\s+(\d+)/.exec(text);
    return { rssKb: rss ? Number(rss[1]) : 0, hwmKb: hwm ? Number(hwm[1]) : 0 };
  } catch {
    return null;
  }
}

function pssKb(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Each process's children, by parent pid, read from /proc once. */
export function childrenMap(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid …: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(name));
      map.set(ppid, list);
    } catch {
      // The process ended between readdir and read.
    }
  }
  return map;
}

export function treeMemory(rootPid: number): TreeMemory {
  const children = childrenMap();
  const stack = [rootPid];
  const total: TreeMemory = { rssKb: 0, pssKb: 0, processes: 0 };
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total.rssKb += processStatus(pid)?.rssKb ?? 0;
    total.pssKb += pssKb(pid);
    total.processes++;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}
