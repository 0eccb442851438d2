// The signed-in browser an adoption needs: one persistent context on the profile, headless,
// the session checked on the library page, N pages for the id bridge and one RPC client.
import { existsSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { launchProfile } from '../browser/launch.js';
import { SignedOutError } from '../errors.js';
import type { Logger } from '../log.js';
import { RpcClient } from '../site/rpc-client.js';
import { checkSession, gotoChecked } from '../site/session.js';
import { libraryUrl } from '../site/urls.js';
import { tieIndexToAccount } from '../store/account.js';
import type { Db } from '../store/database.js';

export interface AdoptSession {
  context: BrowserContext;
  /** pages[0] carries the RPC client; every page is on the library origin. */
  pages: Page[];
  client: RpcClient;
  email: string | null;
  close(): Promise<void>;
}

/**
 * `db`: the backup's index, tied to one Google account (src/store/account.ts): a session of
 * another account stops here (exit 4), before the adoption lists or places anything.
 */
export async function openSession(options: { profileDir: string; baseUrl: string; pages: number; logger?: Logger; db?: Db; dryRun?: boolean }): Promise<AdoptSession> {
  // A profile that was never signed in cannot be: say so before creating an empty one.
  if (!existsSync(options.profileDir)) throw new SignedOutError(`The browser profile ${options.profileDir} does not exist: run \`gphotos-keep login\` first, then run again.`);
  const context = await launchProfile({ profileDir: options.profileDir, headless: true, logger: options.logger });
  try {
    const first = context.pages()[0] ?? (await context.newPage());
    const tokens = await checkSession(first, options.baseUrl);
    if (options.db) {
      tieIndexToAccount(options.db, tokens.email, {
        record: options.dryRun !== true,
        advice: "Adopt into each account's own folder: pass the --profile (or --account-index) signed in to the folder's account, or another --out.",
      });
    }
    const pages = [first];
    for (let i = 1; i < options.pages; i++) {
      const page = await context.newPage();
      await gotoChecked(page, libraryUrl(options.baseUrl), options.baseUrl);
      pages.push(page);
    }
    return {
      context,
      pages,
      client: new RpcClient(first, options.baseUrl, tokens),
      email: tokens.email,
      close: async () => {
        await context.close().catch(() => undefined);
      },
    };
  } catch (error) {
    await context.close().catch(() => undefined);
    throw error;
  }
}
