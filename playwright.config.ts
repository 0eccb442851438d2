import { defineConfig } from '@playwright/test';

// Tests drive Debian's Chromium (never a Playwright-downloaded browser) against the local replica.
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export default defineConfig({
  testDir: 'test',
  testMatch: '**/*.spec.ts',
  timeout: 120_000,
  fullyParallel: false,
  // Two cores, shared: one worker keeps Chromium-heavy tests from starving each other.
  workers: process.env.CI ? 1 : 2,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    launchOptions: { executablePath: chromiumPath, args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] },
    headless: true,
  },
});
