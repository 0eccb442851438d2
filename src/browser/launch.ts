// One persistent Chromium context on a profile: headless for runs, headed for login.
// Every launch first makes sure no other Chromium holds the profile (profile-lock.ts) and
// that the folder is private (profile.ts).
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Logger } from '../log.js';
import { BASE_ARGS, chromiumPath, chromiumVersion, sandboxArgs } from './chromium.js';
import { ProfileInUseError, ensureProfileFree, profileLockState } from './profile-lock.js';
import { prepareProfileDir } from './profile.js';

export interface LaunchOptions {
  profileDir: string;
  headless: boolean;
  /** Where Playwright puts downloads before we move them; inside the backup folder so renames stay on one filesystem. */
  downloadsPath?: string;
  extraArgs?: string[];
  /** For `login`: show as little automation as possible. */
  minimalAutomation?: boolean;
  /** Receives the warnings: a stale lock removed, profile permissions fixed. */
  logger?: Logger;
  /**
   * Images and media (video, audio) a page loads that the browser fails at once instead of
   * fetching: what a run would fetch only to throw away. Only requests of those resource types
   * are ever asked about, never a page, a script, an RPC or a download, whatever the predicate says.
   */
  blockRequests?: (url: string) => boolean;
}

/**
 * What gives a driven browser away to a sign-in page: Playwright's --enable-automation (the
 * banner, navigator.webdriver) and Blink's AutomationControlled feature (navigator.webdriver
 * under headless and remote debugging). A person signs in by hand; these stay off for that.
 */
export const MINIMAL_AUTOMATION_IGNORED_DEFAULTS = ['--enable-automation'];
export const MINIMAL_AUTOMATION_ARGS = ['--disable-blink-features=AutomationControlled'];

export async function launchProfile(options: LaunchOptions): Promise<BrowserContext> {
  const prepared = prepareProfileDir(options.profileDir);
  if (prepared.fixedMode !== null) {
    options.logger?.warn({ profile: options.profileDir, mode: prepared.fixedMode.toString(8) }, `profile folder was readable by others (mode ${prepared.fixedMode.toString(8)}); changed it to 700`);
  }
  const lock = ensureProfileFree(options.profileDir);
  if (lock.removedStale) {
    options.logger?.warn({ profile: options.profileDir, pid: lock.removedStale.pid }, `removed a stale SingletonLock left by a Chromium (PID ${lock.removedStale.pid}) that is no longer running`);
  }
  const executablePath = chromiumPath();
  const args = mergeFeatureSwitches([...BASE_ARGS, ...sandboxArgs(), ...(options.extraArgs ?? [])]);
  if (options.minimalAutomation) {
    args.push(...MINIMAL_AUTOMATION_ARGS);
    // Headless Chromium says "HeadlessChrome" in its user agent, which sign-in pages refuse;
    // a person signing in by hand through remote debugging gets the headed browser's agent.
    if (options.headless) args.push(`--user-agent=${headedUserAgent(await chromiumVersion(executablePath).catch(() => ''))}`);
  }
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(options.profileDir, {
      executablePath,
      headless: options.headless,
      args,
      acceptDownloads: true,
      downloadsPath: options.downloadsPath,
      // The CLI owns the signals (first: finish in-flight work, second: leave); Playwright's own
      // handlers would kill the browser under the run. Chromium runs in its own process group,
      // and Playwright still ends it when this process exits.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      locale: 'en-US',
      viewport: { width: 1280, height: 900 },
      // Playwright's default adds --enable-automation (the banner, and a signal to Google).
      ignoreDefaultArgs: options.minimalAutomation ? MINIMAL_AUTOMATION_IGNORED_DEFAULTS : undefined,
    });
  } catch (error) {
    // A Chromium that started on the profile between our check and this launch makes the new
    // one hand over and exit: say so instead of Playwright's "browser has been closed".
    const state = profileLockState(options.profileDir);
    if (state.state === 'live' || state.state === 'foreign') throw new ProfileInUseError(options.profileDir, state.lock.pid, state.lock.host);
    throw error;
  }
  const blocked = options.blockRequests;
  if (blocked) {
    for (const page of context.pages()) await blockDisplayRequests(context, page, blocked);
    // A page's first requests may come before its filter is on: they are only display media fetched once.
    context.on('page', (page) => void blockDisplayRequests(context, page, blocked).catch(() => undefined));
  }
  return context;
}

/**
 * Pauses a page's image and media requests (and only those: Chromium's own request
 * interception, by resource type) and fails the ones `blocked` names. Playwright's routes
 * would do the same but pause every request of every page in this process, RPCs and
 * downloads included, and turn the HTTP cache off while any route is set; measured, that cost
 * more per item than the images it saved (docs/performance.md).
 */
async function blockDisplayRequests(context: BrowserContext, page: Page, blocked: (url: string) => boolean): Promise<void> {
  const cdp = await context.newCDPSession(page);
  cdp.on('Fetch.requestPaused', (event) => {
    const decision = blocked(event.request.url)
      ? cdp.send('Fetch.failRequest', { requestId: event.requestId, errorReason: 'BlockedByClient' })
      : cdp.send('Fetch.continueRequest', { requestId: event.requestId });
    decision.catch(() => undefined);
  });
  await cdp.send('Fetch.enable', {
    patterns: [
      { urlPattern: '*', resourceType: 'Image', requestStage: 'Request' },
      { urlPattern: '*', resourceType: 'Media', requestStage: 'Request' },
    ],
  });
}

/** The user agent this Chromium sends when headed (Chrome's reduced form: major version only). */
export function headedUserAgent(versionText: string, platform: NodeJS.Platform = process.platform): string {
  const major = /(\d+)\.\d+\.\d+\.\d+/.exec(versionText)?.[1] ?? '140';
  const system = platform === 'darwin' ? 'Macintosh; Intel Mac OS X 10_15_7' : platform === 'win32' ? 'Windows NT 10.0; Win64; x64' : 'X11; Linux x86_64';
  return `Mozilla/5.0 (${system}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${major}.0.0.0 Safari/537.36`;
}

/**
 * Chromium reads only the last --enable-features / --disable-features switch; callers that add
 * features of their own would silently drop the earlier lists. One switch each, all values.
 */
export function mergeFeatureSwitches(args: string[]): string[] {
  const lists = new Map<string, string[]>();
  const out: string[] = [];
  for (const arg of args) {
    const match = /^(--(?:enable|disable)-features)=(.*)$/.exec(arg);
    if (!match) {
      out.push(arg);
      continue;
    }
    if (!lists.has(match[1])) {
      lists.set(match[1], []);
      out.push(match[1]);
    }
    for (const feature of match[2].split(',')) if (feature && !lists.get(match[1])!.includes(feature)) lists.get(match[1])!.push(feature);
  }
  return out.map((arg) => (lists.has(arg) ? `${arg}=${lists.get(arg)!.join(',')}` : arg));
}
