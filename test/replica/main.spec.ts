// `npm run replica` (node dist/test/replica/main.js): starts, prints where it is and how to sign in, answers.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const entry = `${root}dist/test/replica/main.js`;

test('npm run replica starts the replica with flags, prints baseUrl, cookie and sign-in hint, and answers', async ({ browser }) => {
  test.skip(!existsSync(entry), 'dist/ not built (npm test builds it first via scripts/setup.sh)');
  const child = spawn(process.execPath, [entry, '--port', '0', '--synthetic', '60', '--latency', '5'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const out = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('no output: ' + text)), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        text += c.toString();
        if (text.includes('sign in by hand')) {
          clearTimeout(timer);
          resolve(text);
        }
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
    });
    const baseUrl = /^replica: (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)![1];
    const cookieLine = /^cookie: ([^=]+)=([^;]+); Domain=([^;]+); Path=\//m.exec(out)!;
    expect(out).toMatch(/60 items/);
    expect(out).toContain(`${baseUrl}/login`);
    const context = await browser.newContext();
    await context.addCookies([{ name: cookieLine[1], value: cookieLine[2], domain: cookieLine[3], path: '/', httpOnly: true, secure: false, sameSite: 'Lax' }]);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/?hl=en`);
    await expect(page.locator('a[href^="./photo/"]').first()).toBeVisible();
    await context.close();
  } finally {
    child.kill('SIGTERM');
  }
});
