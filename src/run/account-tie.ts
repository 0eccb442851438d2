// A backup folder belongs to one Google account. One signed-in browser may hold several
// accounts (`--account-index N` picks Google's `/u/N/`), so the first run records the account
// it backed up, and a later run signed in as another account stops before it changes anything.
import { UsageError } from '../errors.js';
import { getShareMeta, setShareMeta, ShareMeta } from '../store/albums.js';
import type { Db } from '../store/database.js';

export function tieToAccount(db: Db, email: string | null, baseUrl: string): void {
  if (!email) return;
  const recorded = getShareMeta(db, ShareMeta.accountEmail);
  if (recorded === null) {
    setShareMeta(db, ShareMeta.accountEmail, email);
    return;
  }
  if (recorded.toLowerCase() === email.toLowerCase()) return;
  const at = new URL(baseUrl).pathname.replace(/\/+$/, '');
  throw new UsageError(
    `This backup folder belongs to ${recorded}, but the session${at ? ` at ${at}/` : ''} is ${email}. ` +
      'Pass the --account-index of that account (its /u/N/ in the browser), or give this account its own --out folder.',
  );
}
