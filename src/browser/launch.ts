// One persistent Chromium context on a profile: headless for runs, headed for login.
import { chromium, type BrowserContext } from 'playwright-core';
import { BASE_ARGS, chromiumPath, sandboxArgs } from './chromium.js';

export interface LaunchOptions {
  profileDir: string;
  headless: boolean;
  /** Where Playwright puts downloads before we move them; inside the backup folder so renames stay on one filesystem. */
  downloadsPath?: string;
  extraArgs?: string[];
  /** For `login`: show as little automation as possible. */
  minimalAutomation?: boolean;
}

export async function launchProfile(options: LaunchOptions): Promise<BrowserContext> {
  const args = [...BASE_ARGS, ...sandboxArgs(), ...(options.extraArgs ?? [])];
  return chromium.launchPersistentContext(options.profileDir, {
    executablePath: chromiumPath(),
    headless: options.headless,
    args,
    acceptDownloads: true,
    downloadsPath: options.downloadsPath,
    locale: 'en-US',
    viewport: { width: 1280, height: 900 },
    // Playwright's default adds --enable-automation (the banner, and a signal to Google).
    ignoreDefaultArgs: options.minimalAutomation ? ['--enable-automation'] : undefined,
  });
}
