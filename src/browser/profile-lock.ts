// Chromium marks a profile in use with a `SingletonLock` symlink whose target is
// `<hostname>-<pid>` (with `SingletonSocket` and `SingletonCookie` beside it). Two browsers
// on one profile corrupt it, and a second Chromium silently hands over to the first, so every
// launch checks first: a live browser is a clear error naming its PID; the lock of a browser
// that was killed on this host is removed.
import { lstatSync, readFileSync, readlinkSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KeepError } from '../errors.js';

export const LOCK_FILES = ['SingletonLock', 'SingletonSocket', 'SingletonCookie'] as const;

/** Another Chromium is running on this profile: close it (or wait for it) and run again. */
export class ProfileInUseError extends KeepError {
  override readonly outcome = 'Unexpected';
  override readonly stopsRun = true;
  constructor(
    readonly profileDir: string,
    readonly pid: number,
    readonly host: string,
  ) {
    super(
      host === os.hostname()
        ? `Profile ${profileDir} is in use by a running Chromium (PID ${pid}). Close that browser (or wait for the other gphotos-keep run to finish), then run again; two browsers on one profile would corrupt it.`
        : `Profile ${profileDir} is locked by a Chromium (PID ${pid}) on another computer, "${host}". If no browser on "${host}" uses this folder (for example, it was copied from there), delete ${path.join(profileDir, 'SingletonLock')} and run again.`,
    );
  }
}

export interface ProfileLock {
  host: string;
  pid: number;
}

/** The lock's owner, or null when the profile has no (readable) SingletonLock. */
export function readProfileLock(profileDir: string): ProfileLock | null {
  let target: string;
  try {
    target = readlinkSync(path.join(profileDir, 'SingletonLock'));
  } catch {
    return null;
  }
  const match = /^(.*)-(\d+)$/.exec(target);
  if (!match) return null;
  return { host: match[1], pid: Number(match[2]) };
}

export type LockState = { state: 'free' } | { state: 'stale'; lock: ProfileLock } | { state: 'live'; lock: ProfileLock } | { state: 'foreign'; lock: ProfileLock } | { state: 'unreadable' };

export function profileLockState(profileDir: string): LockState {
  const lockPath = path.join(profileDir, 'SingletonLock');
  try {
    lstatSync(lockPath);
  } catch {
    return { state: 'free' };
  }
  const lock = readProfileLock(profileDir);
  if (!lock) return { state: 'unreadable' };
  if (lock.host !== os.hostname()) return { state: 'foreign', lock };
  return isChromiumAlive(lock.pid) ? { state: 'live', lock } : { state: 'stale', lock };
}

/**
 * A PID that answers signal 0 and, where /proc tells, runs a Chromium. After a reboot the
 * old PID may belong to something else; that lock is stale too.
 */
export function isChromiumAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, but someone else's.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let comm: string;
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim().toLowerCase();
  } catch {
    // Off Linux there is no /proc: trust signal 0. On Linux the process just ended.
    return process.platform !== 'linux';
  }
  return /chrom|headless_shell/.test(comm);
}

export interface LockCheck {
  /** Set when a stale lock of a dead browser on this host was removed. */
  removedStale: ProfileLock | null;
}

/**
 * Call before every launch. Throws ProfileInUseError when a live Chromium (or one on another
 * host) holds the profile; removes a stale lock left by a killed browser on this host.
 */
export function ensureProfileFree(profileDir: string): LockCheck {
  const state = profileLockState(profileDir);
  switch (state.state) {
    case 'free':
    case 'unreadable':
      // An unreadable lock is Chromium's to judge; it is not ours to delete.
      return { removedStale: null };
    case 'live':
    case 'foreign':
      throw new ProfileInUseError(profileDir, state.lock.pid, state.lock.host);
    case 'stale':
      for (const name of LOCK_FILES) {
        try {
          // Only the symlinks Chromium made; never follow them.
          if (lstatSync(path.join(profileDir, name)).isSymbolicLink()) unlinkSync(path.join(profileDir, name));
        } catch {
          // Already gone.
        }
      }
      return { removedStale: state.lock };
  }
}
