// Browser profiles: a bare name lives under the install's profiles/ folder, a path is used
// as given. Profiles hold session cookies, so they are private to the user (0700).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';

/** The checkout (or installed package) this code runs from: the folder with our package.json. */
export function installRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'profiles'))) return dir;
    dir = path.dirname(dir);
  }
  return path.join(os.homedir(), '.local', 'share', 'gphotos-keep');
}

export function profilesRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GPHOTOS_KEEP_HOME) return path.join(env.GPHOTOS_KEEP_HOME, 'profiles');
  return path.join(installRoot(), 'profiles');
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
