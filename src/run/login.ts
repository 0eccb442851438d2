// Signing a browser profile in, four ways: check the session headless; import a cookie
// export (the headless VM's path); a person signs in by hand in a headed window; or a person
// signs in through Chromium's remote debugging reached over `ssh -L` (no display, no file
// copying). Each ends with the account e-mail from the signed-in page, or an error whose exit
// code says what happened. Cookie values and tokens never reach a message or a log line.
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import os from 'node:os';
import type { BrowserContext, Cookie, Page } from 'playwright-core';
import { type BrowserCookie, type FileCookie, CookiesFileError, isExpired, readCookiesFile, toBrowserCookie } from '../browser/cookies-file.js';
import { launchProfile } from '../browser/launch.js';
import { ACCOUNT_FILE, readProfileAccount, recordProfileAccount } from '../browser/profile.js';
import { KeepError, SignedOutError, UsageError } from '../errors.js';
import type { Logger } from '../log.js';
import { isPhotosPageUrl, isSessionCookieDomain, sessionCookieDomains, signInStartUrl } from '../site/account.js';
import { checkSession, readTokens } from '../site/session.js';
import type { WizTokens } from '../site/types.js';
import { WrongAccountError } from './account-tie.js';

export interface LoginParams {
  profileDir: string;
  baseUrl: string;
  logger: Logger;
  signal: AbortSignal;
  /** Lines for the person at the terminal (instructions, progress); never secrets. */
  say: (line: string) => void;
}

export interface CookieCounts {
  /** Cookies in the file. */
  total: number;
  /** Imported: cookies of the session's domains, not expired. */
  kept: number;
  /** Ignored: cookies of other sites. */
  otherSites: number;
  /** Ignored: already expired. */
  expired: number;
}

export interface LoginResult {
  mode: 'check' | 'cookies' | 'headed' | 'remote';
  profileDir: string;
  /** The signed-in account, from the page (null if the page did not name it). */
  email: string | null;
  cookies?: CookieCounts;
}

/** The signed-in account differs from the one this profile (or the backup folder it is used with) belongs to: exit 4. */
export class AccountMismatchError extends WrongAccountError {}

// ---------------------------------------------------------------- --check

export async function checkLogin(params: LoginParams): Promise<LoginResult> {
  const { profileDir, baseUrl, logger } = params;
  if (!existsSync(profileDir)) {
    throw new SignedOutError(`Profile ${profileDir} does not exist, so it is not signed in: run \`gphotos-keep login\` (without a display: \`gphotos-keep login --cookies FILE\` or \`gphotos-keep login --remote-debugging-port 9222\`).`);
  }
  const context = await launchProfile({ profileDir, headless: true, logger });
  try {
    const tokens = await checkSession(await firstPage(context), baseUrl);
    const recorded = readProfileAccount(profileDir);
    if (recorded && tokens.email && recorded.email !== tokens.email) {
      logger.warn({ profile: profileDir, recorded: recorded.email, now: tokens.email }, `this profile was signed in as ${recorded.email} by \`login\`, but the session now is ${tokens.email}`);
    }
    logger.info({ profile: profileDir, email: tokens.email }, 'session is signed in');
    return { mode: 'check', profileDir, email: tokens.email };
  } finally {
    await context.close().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- --cookies FILE

export interface CookieSelection {
  kept: FileCookie[];
  counts: CookieCounts;
}

/** Keeps the cookies of the session's domains that have not expired. */
export function selectSessionCookies(cookies: FileCookie[], baseUrl: string, nowSeconds = Math.floor(Date.now() / 1000)): CookieSelection {
  const kept: FileCookie[] = [];
  let otherSites = 0;
  let expired = 0;
  for (const cookie of cookies) {
    if (!isSessionCookieDomain(cookie.domain, baseUrl)) otherSites++;
    else if (isExpired(cookie, nowSeconds)) expired++;
    else kept.push(cookie);
  }
  return { kept, counts: { total: cookies.length, kept: kept.length, otherSites, expired } };
}

/**
 * Reads the export, keeps the session's cookies, writes them into the profile and checks the
 * session. A malformed file, or one with no usable cookie, changes nothing. When the cookies
 * do not sign in (or sign in another account than the profile's), the profile's cookies are
 * put back as they were.
 */
export async function importCookies(params: LoginParams & { file: string }): Promise<LoginResult> {
  const { profileDir, baseUrl, logger, file } = params;
  const parsed = readCookiesFile(file);
  const { kept, counts } = selectSessionCookies(parsed.cookies, baseUrl);
  const domains = sessionCookieDomains(baseUrl).join(', ');
  if (kept.length === 0) {
    const why = [counts.otherSites > 0 ? `${counts.otherSites} for other sites` : '', counts.expired > 0 ? `${counts.expired} expired` : ''].filter(Boolean).join(', ');
    throw new UsageError(`${file} holds no usable cookie for ${domains} (${counts.total} cookies: ${why}). Nothing was imported: export the cookies from a browser that has Google Photos open and signed in, then retry.`);
  }
  logger.info({ file, format: parsed.format, ...counts }, `read ${counts.total} cookies; importing ${counts.kept} for ${domains}`);

  const context = await launchProfile({ profileDir, headless: true, logger });
  try {
    const before = await context.cookies();
    const added: BrowserCookie[] = [];
    for (const cookie of kept) {
      const browserCookie = toBrowserCookie(cookie);
      try {
        await context.addCookies([browserCookie]);
      } catch {
        // Playwright's message may quote the cookie; ours names only the line.
        await restoreCookies(context, before, added);
        throw new CookiesFileError(file, cookie.line, `Chromium refused the cookie "${cookie.name}" (check its domain, path and flags)`);
      }
      added.push(browserCookie);
    }

    let tokens: WizTokens;
    try {
      tokens = await checkSession(await firstPage(context), baseUrl);
    } catch (error) {
      await restoreCookies(context, before, added);
      if (error instanceof SignedOutError) {
        throw new SignedOutError(
          `The cookies in ${file} do not sign in to Google Photos (the browser was sent to the sign-in page), so the profile was left as it was. Export them again from a browser where Google Photos is open and signed in (not a private window: its cookies end when it closes), then retry.`,
        );
      }
      throw error;
    }
    const recorded = readProfileAccount(profileDir);
    if (recorded && tokens.email && recorded.email !== tokens.email) {
      await restoreCookies(context, before, added);
      throw mismatch(profileDir, recorded.email, tokens.email, 'the imported cookies were taken out again');
    }
    if (tokens.email) recordProfileAccount(profileDir, tokens.email);
    logger.info({ profile: profileDir, email: tokens.email, ...counts }, 'cookies imported; session is signed in');
    return { mode: 'cookies', profileDir, email: tokens.email, cookies: counts };
  } finally {
    await context.close().catch(() => undefined);
  }
}

function cookieKey(c: { name: string; domain: string; path: string }): string {
  return `${c.name}\u0000${c.domain}\u0000${c.path}`;
}

/** Takes out the cookies we added and puts back the ones they replaced. */
async function restoreCookies(context: BrowserContext, before: Cookie[], added: BrowserCookie[]): Promise<void> {
  if (added.length === 0) return;
  const keys = new Set(added.map(cookieKey));
  for (const c of added) await context.clearCookies({ name: c.name, domain: c.domain, path: c.path });
  const previous = before.filter((c) => keys.has(cookieKey(c)));
  for (const c of previous) {
    const { partitionKey: _partitionKey, ...rest } = c as Cookie & { partitionKey?: unknown };
    await context.addCookies([rest]).catch(() => undefined);
  }
}

function mismatch(profileDir: string, was: string, now: string, what: string): AccountMismatchError {
  return new AccountMismatchError(
    `Profile ${profileDir} belongs to ${was}, but this sign-in is ${now}; ${what}. Keep one profile per Google account (and one backup folder per account): sign ${now} in with another --profile, e.g. \`gphotos-keep login --profile ${suggestName(now)}\`. If this profile should now belong to ${now}, delete ${profileDir}/${ACCOUNT_FILE} and sign in again.`,
  );
}

function suggestName(email: string): string {
  return email.split('@')[0].replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'second';
}

// ---------------------------------------------------------------- a person signs in

/** How long a person has to sign in before the command gives up. */
export const SIGN_IN_WAIT_MS = 30 * 60_000;
const POLL_MS = 1_000;

/** On Linux a headed window needs X11 or Wayland; other systems always have a desktop. */
export function hasDisplay(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): boolean {
  if (platform !== 'linux' && platform !== 'freebsd' && platform !== 'openbsd') return true;
  return Boolean(env.DISPLAY) || Boolean(env.WAYLAND_DISPLAY);
}

export function noDisplayMessage(): string {
  return [
    'No display: `gphotos-keep login` opens a browser window for you to sign in, and this machine has none (DISPLAY and WAYLAND_DISPLAY are unset).',
    'Sign in another way:',
    '  - `gphotos-keep login --cookies FILE`: import a cookies.txt or JSON cookie export taken from a desktop browser signed in to Google Photos;',
    '  - `gphotos-keep login --remote-debugging-port 9222`: sign in from your desktop\'s Chrome through an `ssh -L` tunnel (chrome://inspect);',
    '  - or run `gphotos-keep login` on a desktop and copy the profile folder here (same Chromium build).',
  ].join('\n');
}

export interface InteractiveParams extends LoginParams {
  env: NodeJS.ProcessEnv;
  /** Headless with remote debugging on 127.0.0.1:<port>, for a machine without a display. */
  remoteDebuggingPort?: number;
  waitMs?: number;
}

export async function interactiveLogin(params: InteractiveParams): Promise<LoginResult> {
  const { profileDir, baseUrl, logger, say, remoteDebuggingPort: port } = params;
  const remote = port !== undefined;
  if (!remote && !hasDisplay(params.env)) throw new UsageError(noDisplayMessage());
  if (remote) await assertPortFree(port);

  const extraArgs = remote ? debuggingArgs(port) : [];
  const context = await launchProfile({ profileDir, headless: remote, minimalAutomation: true, extraArgs, logger });
  let closedByPerson = false;
  context.on('close', () => {
    closedByPerson = true;
  });
  try {
    const page = await firstPage(context);
    // Opening the start page is a navigation, not typing: the person does all of the sign-in.
    await page.goto(signInStartUrl(baseUrl), { waitUntil: 'domcontentloaded', timeout: 60_000 }).catch((error: Error) => {
      logger.debug({ err: error.message.split('\n')[0] }, 'the start page did not finish loading; waiting for the person anyway');
    });
    if (remote) {
      await assertOwnDevtools(context, page, port);
      for (const line of remoteInstructions(port, await page.title().catch(() => ''))) say(line);
    } else {
      say('A Chromium window has opened on Google Photos: sign in there by hand (with two-step verification if your account uses it).');
      say(`This command finishes by itself once Google Photos shows your library (it waits up to ${Math.round((params.waitMs ?? SIGN_IN_WAIT_MS) / 60_000)} minutes; Ctrl-C gives up).`);
    }
    logger.info({ profile: profileDir, mode: remote ? 'remote' : 'headed', port }, 'waiting for the person to sign in');
    const tokens = await waitForSignedIn(context, baseUrl, params.signal, params.waitMs ?? SIGN_IN_WAIT_MS, () => closedByPerson);
    const recorded = readProfileAccount(profileDir);
    if (recorded && tokens.email && recorded.email !== tokens.email) {
      throw mismatch(profileDir, recorded.email, tokens.email, 'the profile now holds that session: sign it out, or sign the first account in again, before syncing into the first account\'s backup folder');
    }
    if (tokens.email) recordProfileAccount(profileDir, tokens.email);
    logger.info({ profile: profileDir, email: tokens.email }, 'signed in');
    return { mode: remote ? 'remote' : 'headed', profileDir, email: tokens.email };
  } finally {
    await context.close().catch(() => undefined);
  }
}

/**
 * Polls every open page (the person may open tabs) until one is a Photos page carrying the
 * session's tokens. Reads only; never clicks or types.
 */
export async function waitForSignedIn(context: BrowserContext, baseUrl: string, signal: AbortSignal, waitMs: number, closed: () => boolean): Promise<WizTokens> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    if (signal.aborted) throw new SignedOutError('Sign-in was interrupted before it finished, so the profile is not signed in: run `gphotos-keep login` again.');
    if (closed()) throw new SignedOutError('The browser was closed before sign-in finished: run `gphotos-keep login` again and leave the window open until Google Photos shows your library.');
    for (const page of context.pages()) {
      const tokens = await tokensOf(page, baseUrl);
      if (tokens) return tokens;
    }
    if (Date.now() > deadline) throw new SignedOutError(`Nobody signed in within ${Math.round(waitMs / 60_000)} minutes; run \`gphotos-keep login\` again when you are at the keyboard.`);
    await sleep(POLL_MS, signal);
  }
}

async function tokensOf(page: Page, baseUrl: string): Promise<WizTokens | null> {
  if (page.isClosed() || !isPhotosPageUrl(page.url(), baseUrl)) return null;
  try {
    return await readTokens(page);
  } catch {
    // Navigating right now; the next poll sees the new page.
    return null;
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

// ---------------------------------------------------------------- remote debugging

export function remoteInstructions(port: number, pageTitle: string): string[] {
  const user = safeUserName();
  const host = os.hostname();
  return [
    `Chromium is running headless on this machine with remote debugging on 127.0.0.1:${port} (reachable only from here).`,
    'Sign in from your desktop:',
    `  1. Open a tunnel and leave it open:  ssh -N -L ${port}:127.0.0.1:${port} ${user}@${host}`,
    `  2. In Chrome or Chromium on the desktop, open chrome://inspect/#devices, click "Configure…" beside "Discover network targets", add localhost:${port}, and press Done.`,
    `  3. Under "Remote Target", find the page${pageTitle ? ` "${pageTitle}"` : ''} and click "inspect": a window shows the page. Click into it and sign in to Google by hand.`,
    `This command finishes by itself once Google Photos shows your library (it waits up to ${Math.round(SIGN_IN_WAIT_MS / 60_000)} minutes; Ctrl-C gives up). The port closes when it ends.`,
  ];
}

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'you';
  }
}

/** Chromium starts anyway when it cannot bind the port; catch a taken port before launching. */
async function assertPortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new UsageError(`Port ${port} on 127.0.0.1 is ${error.code === 'EADDRINUSE' ? 'already in use' : `not usable (${error.code ?? error.message})`}: pick another with --remote-debugging-port.`));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
  });
}

/** Chromium's switches for DevTools on 127.0.0.1:<port> only: the person reaches it through `ssh -L`, nobody on the network can. */
export function debuggingArgs(port: number): string[] {
  return ['--remote-debugging-address=127.0.0.1', `--remote-debugging-port=${port}`, '--window-size=1280,900'];
}

/**
 * The program answering DevTools on 127.0.0.1:<port> is the Chromium this command launched:
 * its target list holds our page's target id, which only that browser knows (Chromium starts
 * even when it cannot bind the port, and another program may have taken the port between our
 * check and its start). Until this holds, the person is told nothing about the port.
 */
export async function assertOwnDevtools(context: BrowserContext, page: Page, port: number, waitMs = 10_000): Promise<void> {
  const session = await context.newCDPSession(page);
  let ours: string;
  try {
    ours = ((await session.send('Target.getTargetInfo')) as { targetInfo: { targetId: string } }).targetInfo.targetId;
  } finally {
    await session.detach().catch(() => undefined);
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    let targets: unknown = null;
    try {
      const response = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) targets = await response.json();
    } catch {
      // Not up yet, or not speaking HTTP.
    }
    if (Array.isArray(targets)) {
      if (targets.some((t) => (t as { id?: unknown })?.id === ours)) return;
      throw new UsageError(`The program listening on 127.0.0.1:${port} is not the Chromium this command started (its DevTools do not list our page): another program holds that port. Nothing was exposed; pick another --remote-debugging-port.`);
    }
    if (Date.now() > deadline) throw new KeepError(`Chromium did not open remote debugging on 127.0.0.1:${port}; is another program using that port? Pick another with --remote-debugging-port.`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
