// A browser profile that holds a replica session, made the way a user's would be: through a
// real persistent Chromium context.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { chromiumPath } from '../../playwright.config.js';
import type { SessionCookie } from '../replica/index.js';

export type { SessionCookie };

export const TEST_BROWSER_ARGS = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--no-sandbox'];

export async function signInProfile(profileDir: string, cookie: SessionCookie): Promise<void> {
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: chromiumPath, headless: true, args: TEST_BROWSER_ARGS });
  try {
    await context.addCookies([{ ...cookie, expires: Math.floor(Date.now() / 1000) + 30 * 86400 }]);
  } finally {
    await context.close();
  }
}
