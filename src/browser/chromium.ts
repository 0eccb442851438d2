// Finds the Chromium to drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. Never a
// browser downloaded by Playwright.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';
import { KeepError } from '../errors.js';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export class BrowserMissingError extends KeepError {}

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const candidate = env.CHROMIUM_PATH && env.CHROMIUM_PATH !== '' ? env.CHROMIUM_PATH : DEFAULT_CHROMIUM;
  try {
    accessSync(candidate, constants.X_OK);
  } catch {
    const how = env.CHROMIUM_PATH
      ? `CHROMIUM_PATH=${candidate} is not an executable file: point it at a Chromium binary, or unset it to use ${DEFAULT_CHROMIUM}.`
      : `Chromium was not found at ${DEFAULT_CHROMIUM}: install it with \`sudo apt-get install chromium\` (or run \`npm run setup\`), or set CHROMIUM_PATH.`;
    throw new BrowserMissingError(how);
  }
  return candidate;
}

export async function chromiumVersion(executable: string): Promise<string> {
  const { stdout } = await promisify(execFile)(executable, ['--version'], { timeout: 20_000 });
  return stdout.trim();
}

/**
 * Flags for every launch. Background networking off: on a closed network Chromium's own
 * connections fail noisily, and on an open one they are traffic nobody asked for.
 */
export const BASE_ARGS = [
  '--lang=en-US',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-features=Translate,MediaRouter,OptimizationHints',
  '--password-store=basic',
];

/** Root in a container cannot use Chromium's sandbox. */
export function sandboxArgs(): string[] {
  return typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : [];
}
