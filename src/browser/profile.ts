// Browser profiles: a bare name lives under the user's data folder
// ($XDG_DATA_HOME/gphotos-keep/profiles, or $GPHOTOS_KEEP_HOME/profiles), a path is used as
// given. Profiles hold session cookies, so they are private to the user (0700).
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { profileLockState } from './profile-lock.js';

const PACKAGE_NAME = 'gphotos-keep';

/** The checkout (or installed package) this code runs from: the folder with our package.json. */
export function installRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (packageNameAt(dir) === PACKAGE_NAME) return dir;
    dir = path.dirname(dir);
  }
  return path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));
}

function packageNameAt(dir: string): string | null {
  try {
    return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name ?? null;
  } catch {
    return null;
  }
}

function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME && path.isAbsolute(env.HOME) ? env.HOME : os.homedir();
}

/** $XDG_DATA_HOME/gphotos-keep (the spec says to ignore a relative XDG_DATA_HOME), else ~/.local/share/gphotos-keep. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_DATA_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(homeDir(env), '.local', 'share'), PACKAGE_NAME);
}

export function profilesRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GPHOTOS_KEEP_HOME) return path.join(env.GPHOTOS_KEEP_HOME, 'profiles');
  return path.join(dataHome(env), 'profiles');
}

/** Where bare-named profiles lived before they moved to the data folder: profiles/ in the checkout. */
export function checkoutProfilesDir(): string {
  return path.join(installRoot(), 'profiles');
}

/** Files the checkout's profiles/ folder held besides profiles. */
const NOT_PROFILES = new Set(['README.md', '.gitignore']);

/**
 * Moves the profiles an older version kept in the checkout's profiles/ into profilesRoot(),
 * once: a profile already there is never overwritten, and one a Chromium is running on
 * waits for a later run. Returns a line per profile for the user.
 */
export function moveCheckoutProfiles(env: NodeJS.ProcessEnv = process.env, from = checkoutProfilesDir()): string[] {
  if (env.GPHOTOS_KEEP_HOME) return [];
  let names: string[];
  try {
    names = readdirSync(from, { withFileTypes: true }).filter((e) => e.isDirectory() && !NOT_PROFILES.has(e.name)).map((e) => e.name);
  } catch {
    return [];
  }
  const root = profilesRoot(env);
  const lines: string[] = [];
  for (const name of names) {
    const source = path.join(from, name);
    const target = path.join(root, name);
    if (existsSync(target)) {
      lines.push(`Profile "${name}" is in both ${source} (old place) and ${target}; ${target} is used. Delete the one you do not need.`);
      continue;
    }
    const lock = profileLockState(source).state;
    if (lock === 'live' || lock === 'foreign') {
      lines.push(`Profile "${name}" is still in ${source}: a Chromium is running on it, so it moves to ${target} on a later run.`);
      continue;
    }
    try {
      moveFolder(source, target);
    } catch (error) {
      lines.push(`Profile "${name}" could not be moved from ${source} to ${target} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})); a bare --profile ${name} now means the new place, so move it by hand: mkdir -p ${root} && mv ${source} ${target}`);
      continue;
    }
    lines.push(`Moved profile "${name}" from ${source} to ${target}: profiles now live in the data folder ($XDG_DATA_HOME/gphotos-keep/profiles; GPHOTOS_KEEP_HOME still wins).`);
  }
  return lines;
}

function moveFolder(source: string, target: string): void {
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  try {
    renameSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    // Another file system: copy everything, then remove the old folder.
    cpSync(source, target, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
    chmodSync(target, 0o700);
    rmSync(source, { recursive: true, force: true });
  }
}

export function isBareName(profile: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(profile) && !profile.includes('..');
}

export function resolveProfileDir(profile: string, env: NodeJS.ProcessEnv = process.env): string {
  if (profile === '') throw new UsageError('--profile is empty: give a name (e.g. `personal`) or a folder path.');
  if (isBareName(profile)) return path.join(profilesRoot(env), profile);
  return path.resolve(profile);
}

export interface PreparedProfile {
  dir: string;
  created: boolean;
  /** Set when the folder was group/world accessible and has been fixed. */
  fixedMode: number | null;
}

/** Creates the profile folder 0700, or tightens an existing one that others could read. */
export function prepareProfileDir(dir: string): PreparedProfile {
  let created = false;
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    created = true;
  }
  const stat = statSync(dir);
  if (!stat.isDirectory()) throw new UsageError(`Profile ${dir} is not a folder.`);
  let fixedMode: number | null = null;
  if ((stat.mode & 0o077) !== 0) {
    fixedMode = stat.mode & 0o777;
    chmodSync(dir, 0o700);
  }
  return { dir, created, fixedMode };
}

/**
 * One profile per Google account: `login` records the account it signed in, so a later
 * sign-in of a different account into the same profile is caught (two accounts are two
 * profiles and two backup folders). The e-mail is not a secret; the file holds nothing else.
 */
export const ACCOUNT_FILE = 'gphotos-keep-account.json';

export interface ProfileAccount {
  email: string;
  signedInAt: string;
}

export function readProfileAccount(dir: string): ProfileAccount | null {
  try {
    const data = JSON.parse(readFileSync(path.join(dir, ACCOUNT_FILE), 'utf8')) as Partial<ProfileAccount>;
    return typeof data.email === 'string' && data.email !== '' ? { email: data.email, signedInAt: String(data.signedInAt ?? '') } : null;
  } catch {
    return null;
  }
}

export function recordProfileAccount(dir: string, email: string, now = new Date()): void {
  const file = path.join(dir, ACCOUNT_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify({ email, signedInAt: now.toISOString() } satisfies ProfileAccount)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}
