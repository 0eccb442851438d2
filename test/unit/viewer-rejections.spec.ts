// A download that was being waited for must never become an unhandled rejection when the
// step before it fails (the page or browser closing mid-run, a session ending): Node would
// end the whole run for it.
import { test, expect } from '@playwright/test';
import { startDownload, startOriginalDownload } from '../../src/site/viewer.js';

const TIMEOUTS = { openMs: 300, downloadStartMs: 200, inDocumentMs: 100 };

test('startDownload and the menu path on a page that is gone: one rejection each, no unhandled one', async ({ browser }) => {
  const unhandled: unknown[] = [];
  const collect = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', collect);
  try {
    const page = await browser.newPage();
    await page.close();
    await expect(startDownload(page, 'http://127.0.0.1:9', page.locator('c-wiz'), TIMEOUTS)).rejects.toThrow();
    await expect(startOriginalDownload(page, 'http://127.0.0.1:9', page.locator('c-wiz'), TIMEOUTS)).rejects.toThrow();
    // Give a stray waiter time to time out and reject.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  } finally {
    process.off('unhandledRejection', collect);
  }
  expect(unhandled.map(String)).toEqual([]);
});
