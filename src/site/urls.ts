// Every URL the program builds or recognises for photos.google.com.

export const DEFAULT_BASE_URL = 'https://photos.google.com';

/** Hosts that only a signed-out browser ends up on. */
const SIGNED_OUT_HOSTS = ['accounts.google.com', 'www.google.com'];
const SIGNED_OUT_PATHS = [/\/photos\/about\b/, /\/signin\b/, /\/v3\/signin\b/, /\/ServiceLogin\b/, /\/speedbump\//, /\/signinchooser\b/];

function trimBase(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '');
}

/** English UI text is what the labels table knows: `?hl=en` forces it. */
export function libraryUrl(baseUrl: string): string {
  return `${trimBase(baseUrl)}/?hl=en`;
}

export function photoUrl(baseUrl: string, mediaKey: string): string {
  return `${trimBase(baseUrl)}/photo/${encodeURIComponent(mediaKey)}?hl=en`;
}

/** The Library API's productUrl: the site redirects it to /photo/<mediaKey>. */
export function apiIdUrl(baseUrl: string, apiId: string): string {
  return `${trimBase(baseUrl)}/lr/photo/${encodeURIComponent(apiId)}?hl=en`;
}

export function mediaKeyFromPhotoUrl(url: string): string | null {
  const match = /\/photo\/([A-Za-z0-9_-]+)/.exec(new URL(url).pathname);
  return match ? match[1] : null;
}

/** `./photo/<key>` tile links in the grid, resolved or not. */
export function mediaKeyFromTileHref(href: string): string | null {
  const match = /(?:^|\/)photo\/([A-Za-z0-9_-]+)(?:[?#]|$)/.exec(href);
  return match ? match[1] : null;
}

/**
 * A browser is signed out when it leaves the Photos origin (the about page, the sign-in
 * host) or lands on a sign-in path.
 */
export function isSignedOutUrl(url: string, baseUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const base = new URL(baseUrl);
  if (parsed.protocol === 'about:' || parsed.protocol === 'chrome-error:') return false;
  if (parsed.origin !== base.origin) return true;
  if (SIGNED_OUT_HOSTS.includes(parsed.hostname)) return true;
  return SIGNED_OUT_PATHS.some((re) => re.test(parsed.pathname));
}

export function batchexecuteUrl(baseUrl: string, rpcid: string, tokens: { fSid: string | null; buildLabel: string | null; pathPrefix: string }, sourcePath: string, reqId: number): string {
  const prefix = tokens.pathPrefix.endsWith('/') ? tokens.pathPrefix : `${tokens.pathPrefix}/`;
  const params = new URLSearchParams({ rpcids: rpcid, 'source-path': sourcePath });
  if (tokens.fSid) params.set('f.sid', tokens.fSid);
  if (tokens.buildLabel) params.set('bl', tokens.buildLabel);
  params.set('hl', 'en');
  params.set('_reqid', String(reqId));
  params.set('pageId', 'none');
  params.set('rt', 'c');
  return `${trimBase(baseUrl)}${prefix}data/batchexecute?${params.toString()}`;
}
