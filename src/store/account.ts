// The Google account a backup folder belongs to. The index records the account at its first
// sync (or adoption); any later run signed in as another account stops before it changes
// anything, so a second library never fills this folder nor passes the 20% guard and marks the
// first account's items gone. E-mail addresses are not secrets; cookies never appear here.
import { KeepError } from '../errors.js';
import { ShareMeta, getShareMeta, setShareMeta } from './albums.js';
import type { Db } from './database.js';

/** Signed in as another account than the one this backup (or profile) belongs to: sign in as that one, exit 4. */
export class WrongAccountError extends KeepError {
  override readonly outcome = 'SignedOut';
  override readonly stopsRun = true;
}

export function recordedAccount(db: Db): string | null {
  return getShareMeta(db, ShareMeta.accountEmail);
}

export function sameAccount(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * Throws WrongAccountError when the index belongs to another account than `email`; records
 * `email` when it belongs to none yet and `record` is set (not in a dry run). `advice` says how
 * to reach the right account from this command. Returns the folder's account.
 */
export function tieIndexToAccount(db: Db, email: string | null, options: { record: boolean; advice: string }): string | null {
  const recorded = recordedAccount(db);
  if (!email) return recorded;
  if (recorded === null) {
    if (options.record) setShareMeta(db, ShareMeta.accountEmail, email);
    return email;
  }
  if (sameAccount(recorded, email)) return recorded;
  throw new WrongAccountError(`This backup folder belongs to ${recorded}, but the browser is signed in as ${email}. Nothing was changed. ${options.advice}`);
}
