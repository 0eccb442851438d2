// The run lock: one run at a time per backup folder. The lock file lives in the folder itself
// (<out>/.gphotos-keep/lock), so two machines sharing the folder see each other. It records
// pid, host and start, and is created atomically (complete content linked into place, or an
// exclusive create where hard links are not supported).
//
// Locks cannot wedge: the run holding it refreshes the file's mtime every HEARTBEAT_MS, and a
// lock not refreshed for LOCK_STALE_MS is stale whatever its host (a container's old hostname,
// a renamed VM, another machine on NFS). On this host a lock is also stale as soon as its
// process is gone, and a lock whose process provably still runs here is never taken.
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
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
  /** Refreshes the lock's mtime if it is still ours (the heartbeat does this on its own); false once it is not. */
  refresh(): boolean;
  /** Stops the heartbeat and removes the lock if it is still ours; never throws. */
  release(): void;
}

export interface LockOptions {
  /** How often the holder refreshes the lock (default HEARTBEAT_MS). */
  heartbeatMs?: number;
  /** Called once if the lock stops being ours while held (another run judged it stale and took it). */
  onLost?: () => void;
}

/** A lock whose content cannot be read yet is being written: treat it as held for this long. */
const UNREADABLE_GRACE_MS = 60_000;

/** The holder refreshes its lock this often. */
export const HEARTBEAT_MS = 60_000;
/**
 * A lock not refreshed for this long is stale, whatever its host: ten heartbeats, so NFS
 * attribute caching (up to a minute) and clocks a few minutes apart never make a live run look dead.
 */
export const LOCK_STALE_MS = 10 * 60_000;

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

/**
 * Stale: its process is gone from this host, or (another host's, or this host's when it cannot
 * tell) it was not refreshed for LOCK_STALE_MS. A process that provably runs here keeps its lock.
 */
function isStale(holder: LockOwner, file: string): boolean {
  const alive = isOwnerAlive(holder);
  if (alive === false) return true;
  if (alive === true) return false;
  let refreshedMs: number;
  try {
    refreshedMs = statSync(file).mtimeMs;
  } catch {
    return false; // released meanwhile: the next attempt sees it gone
  }
  return Date.now() - refreshedMs > LOCK_STALE_MS;
}

/** When the lock was last refreshed (its mtime), or null when there is none. */
export function lockRefreshedMs(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}

/** Tries to take the run lock once; never waits. Held, it refreshes itself every heartbeatMs until released. */
export function acquireRunLock(stateDir: string, command: string, now = new Date(), options: LockOptions = {}): LockAttempt {
  const file = lockPath(stateDir);
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: now.toISOString(), procStart: processStartTicks(process.pid), command };
  const content = `${JSON.stringify(owner)}\n`;
  let tookOverFrom: LockOwner | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (writeExclusive(file, content)) return { acquired: true, lock: makeLock(file, owner, content, options), tookOverFrom };
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
    if (!isStale(holder, file)) return { acquired: false, heldBy: holder, file };
    if (retireStaleLock(file, existing)) tookOverFrom = holder;
  }
  const holder = readLockOwner(file);
  return { acquired: false, heldBy: holder, file };
}

function makeLock(file: string, owner: LockOwner, content: string, options: LockOptions): RunLock {
  let released = false;
  let lost = false;
  /** Is the lock file still the one we wrote? null: it could not be read just now (try again later). */
  const ours = (): boolean | null => {
    try {
      return readFileSync(file, 'utf8') === content;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT' ? false : null;
    }
  };
  const lock: RunLock = {
    file,
    owner,
    refresh() {
      if (released || lost) return false;
      const mine = ours();
      if (mine === null) return true;
      if (mine) {
        try {
          const now = new Date();
          utimesSync(file, now, now);
          return true;
        } catch {
          // A failed refresh is retried on the next beat; the stale window is ten of them.
          return true;
        }
      }
      lost = true;
      clearInterval(timer);
      options.onLost?.();
      return false;
    },
    release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      try {
        if (ours() === true) unlinkSync(file);
      } catch {
        // gone already, or the folder went away: nothing to release
      }
    },
  };
  // Never keeps the process alive by itself.
  const timer = setInterval(() => lock.refresh(), options.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  return lock;
}

export function describeHolder(holder: LockOwner | null, file: string): string {
  if (!holder) return `another run is in progress (lock ${file} is being written)`;
  const where = holder.host === os.hostname() ? '' : ` on ${holder.host}`;
  const since = holder.startedAt ? `, started ${holder.startedAt}` : '';
  return `another run is in progress (pid ${holder.pid}${where}${since})`;
}
