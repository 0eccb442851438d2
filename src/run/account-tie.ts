// A backup folder belongs to one Google account (src/store/account.ts keeps the record). One
// signed-in browser may hold several accounts (`--account-index N` picks Google's `/u/N/`), and
// one profile may be signed in again as someone else: a sync checks the session's account
// against the folder's before it changes anything, and writes the folder's account into a
// profile that has none on record, so a later `login` of another account into that profile is
// refused too.
import { readProfileAccount, recordProfileAccount } from '../browser/profile.js';
import { suggest } from '../errors.js';
import { tieIndexToAccount } from '../store/account.js';
import type { Db } from '../store/database.js';

export { WrongAccountError } from '../store/account.js';

export interface TieOptions {
  /** Record the account in an index that has none yet (false in a dry run: it writes nothing). */
  record: boolean;
  /** The profile this run signed in with: it learns the folder's account when it has none on record. */
  profileDir?: string;
}

export function tieToAccount(db: Db, email: string | null, baseUrl: string, options: TieOptions = { record: true }): void {
  const at = new URL(baseUrl).pathname.replace(/\/+$/, '');
  const account = tieIndexToAccount(db, email, {
    record: options.record,
    advice:
      `Back up each account into its own folder: sign this profile in as the folder's account (${suggest('login')}), pass the --profile or --account-index ` +
      `(its /u/N/ in the browser${at ? `; this run used ${at}/` : ''}) of that account, or give the other account its own --out folder.`,
  });
  if (account && options.record && options.profileDir && readProfileAccount(options.profileDir) === null) {
    try {
      recordProfileAccount(options.profileDir, account);
    } catch {
      // A profile that cannot take the note still works; only the later login check is lost.
    }
  }
}
