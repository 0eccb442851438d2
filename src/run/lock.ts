// The run lock: one run at a time per backup folder. The lock file lives in the folder itself
// (<out>/.gphotos-keep/lock), so two machines sharing the folder see each other. It records
// pid, host and start, is created atomically (complete content linked into place, or an
// exclusive create where hard links are not supported), and a lock left by a process that
// died on this host is taken over.
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface LockOwner {
  pid: number;
  host: string;
  /** ISO time the run started. */
  startedAt: string;
  /** The process's start time in clock ticks since boot (Linux /proc), to tell a reused pid apart. */
  procStart?: number | null;
  command?: string;
}

export type LockAttempt = { acquired: true; lock: RunLock; tookOverFrom: LockOwner | null } | { acquired: false; heldBy: LockOwner | null; file: string };

export interface RunLock {
  file: string;
  owner: LockOwner;
  /** Removes the lock if it is still ours; never throws. */
  release(): void;
}

/** A lock whose content cannot be read yet is being written: treat it as held for this long. */
const UNREADABLE_GRACE_MS = 60_000;

export function lockPath(stateDir: string): string {
  return path.join(stateDir, 'lock');
}

/** Linux: field 22 of /proc/<pid>/stat, the start time in clock ticks since boot. */
export function processStartTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces or ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}

/** Is the process that wrote this lock still running? Only answerable on the same host. */
export function isOwnerAlive(owner: LockOwner, host = os.hostname()): boolean | 'unknown' {
  if (owner.host !== host) return 'unknown';
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (owner.procStart != null) {
    const now = processStartTicks(owner.pid);
    // The pid was reused by a later process.
    if (now !== null && now !== owner.procStart) return false;
  }
  return true;
}

export function readLockOwner(file: string): LockOwner | null {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.host !== 'string') return null;
    return { pid: parsed.pid, host: parsed.host, startedAt: String(parsed.startedAt ?? ''), procStart: parsed.procStart ?? null, command: parsed.command };
  } catch {
    return null;
  }
}

function writeExclusive(file: string, content: string): boolean {
  // Write the whole content beside the lock, then hard-link it into place: the lock never
  // exists half-written. Filesystems without hard links fall back to an exclusive create.
  const temp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`;
  const fd = openSync(temp, 'wx', 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    try {
      const direct = openSync(file, 'wx', 0o644);
      try {
        writeSync(direct, content);
        fsyncSync(direct);
      } finally {
        closeSync(direct);
      }
      return true;
    } catch (inner) {
      if ((inner as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw inner;
    }
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
}

/**
 * Moves a stale lock aside, but only if it is still the very file we judged stale: another
 * process may have taken it over between our read and our rename.
 */
function retireStaleLock(file: string, staleContent: string): boolean {
  const aside = `${file}.stale.${process.pid}.${Date.now().toString(36)}`;
  try {
    renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as not ours to judge
  }
  if (moved === staleContent) {
    unlinkSync(aside);
    return true;
  }
  // We moved a live lock that someone wrote after our read: put it back unless a third
  // process has locked meanwhile (then it holds the folder and ours is simply lost).
  try {
    linkSync(aside, file);
  } catch {
    // someone else holds the lock now
  }
  unlinkSync(aside);
  return false;
}

/** Tries to take the run lock once; never waits. */
export function acquireRunLock(stateDir: string, command: string, now = new Date()): LockAttempt {
  const file = lockPath(stateDir);
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: now.toISOString(), procStart: processStartTicks(process.pid), command };
  const content = `${JSON.stringify(owner)}\n`;
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (writeExclusive(file, content)) return { acquired: true, lock: makeLock(file, owner, content), tookOverFrom };
    let existing: string;
    try {
      existing = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw error;
    }
    const holder = readLockOwner(file);
    if (holder === null) {
      // Being written by a process without hard links, or garbage: give a writer time, then retire it.
      let ageMs = 0;
      try {
        ageMs = Date.now() - statSync(file).mtimeMs;
      } catch {
        continue;
      }
      if (ageMs < UNREADABLE_GRACE_MS) return { acquired: false, heldBy: null, file };
      retireStaleLock(file, existing);
      continue;
    }
    const alive = isOwnerAlive(holder);
    if (alive !== false) return { acquired: false, heldBy: holder, file };
    if (retireStaleLock(file, existing)) tookOverFrom = holder;
  }
  const holder = readLockOwner(file);
  return { acquired: false, heldBy: holder, file };
}

function makeLock(file: string, owner: LockOwner, content: string): RunLock {
  let released = false;
  return {
    file,
    owner,
    release() {
      if (released) return;
      released = true;
      try {
        if (readFileSync(file, 'utf8') === content) unlinkSync(file);
      } catch {
        // gone already, or the folder went away: nothing to release
      }
    },
  };
}

export function describeHolder(holder: LockOwner | null, file: string): string {
  if (!holder) return `another run is in progress (lock ${file} is being written)`;
  const where = holder.host === os.hostname() ? '' : ` on ${holder.host}`;
  const since = holder.startedAt ? `, started ${holder.startedAt}` : '';
  return `another run is in progress (pid ${holder.pid}${where}${since})`;
}
