// Every URL the program builds or recognises for photos.google.com.
import type { ItemPlace, ShareTarget } from '../model/albums.js';

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

/**
 * The base URL of the n-th signed-in account of the browser: Google's `/u/<n>/` prefix, which
 * every page, viewer and RPC of that account carries (facts page, URLs and batchexecute).
 * null or undefined: the browser's default account, no prefix.
 */
export function accountBaseUrl(baseUrl: string, accountIndex: number | null | undefined): string {
  const base = trimBase(baseUrl);
  if (accountIndex === null || accountIndex === undefined) return base;
  return `${base.replace(/\/u\/\d+$/, '')}/u/${accountIndex}`;
}

/** An item in one of the account's own albums: `/album/<albumKey>/photo/<albumScopedKey>`. */
export function albumPhotoUrl(baseUrl: string, albumKey: string, key: string): string {
  return `${trimBase(baseUrl)}/album/${encodeURIComponent(albumKey)}/photo/${encodeURIComponent(key)}?hl=en`;
}

/** An item in someone else's album, opened through its share link: `/share/<shareId>/photo/<key>?key=<authKey>`. */
export function sharePhotoUrl(baseUrl: string, shareId: string, key: string, authKey: string): string {
  return `${trimBase(baseUrl)}/share/${encodeURIComponent(shareId)}/photo/${encodeURIComponent(key)}?${new URLSearchParams({ key: authKey, hl: 'en' })}`;
}

/** A partner-shared item (facts page: "partner: `/partner/...`"): `/partner/<partnerActor>/photo/<key>`. */
export function partnerPhotoUrl(baseUrl: string, partnerActor: string, key: string): string {
  return `${trimBase(baseUrl)}/partner/${encodeURIComponent(partnerActor)}/photo/${encodeURIComponent(key)}?hl=en`;
}

/** The viewer URL of an item wherever the account sees it. */
export function placeUrl(baseUrl: string, place: ItemPlace): string {
  switch (place.kind) {
    case 'library':
      return photoUrl(baseUrl, place.key);
    case 'album':
      return albumPhotoUrl(baseUrl, place.albumKey, place.key);
    case 'share':
      return sharePhotoUrl(baseUrl, place.shareId, place.key, place.authKey);
    case 'partner':
      return partnerPhotoUrl(baseUrl, place.partnerActor, place.key);
  }
}

/** An album's own page (the source path of calls about it). */
export function albumUrl(baseUrl: string, albumKey: string): string {
  return `${trimBase(baseUrl)}/album/${encodeURIComponent(albumKey)}`;
}

/** `/share/<shareId>?key=<authKey>` (where a shared album's link leads) → its share id and authKey; null for anything else. */
export function shareTargetOf(url: string, baseUrl: string): ShareTarget | null {
  let parsed: URL;
  try {
    parsed = new URL(url, baseUrl);
  } catch {
    return null;
  }
  if (parsed.origin !== new URL(baseUrl).origin) return null;
  const match = /(?:^|\/)share\/([A-Za-z0-9_-]+)\/?$/.exec(parsed.pathname);
  const authKey = parsed.searchParams.get('key');
  return match && authKey ? { shareId: match[1], authKey } : null;
}

/**
 * The part of a viewer URL that the app keeps while it moves between items in the document:
 * the path before `/photo/<key>` and a share's `key` (a library viewer and an album viewer are
 * different apps' states).
 */
export function viewerScope(url: string): string | null {
  try {
    const parsed = new URL(url);
    const match = /^(.*)\/photo\/[^/]+\/?$/.exec(parsed.pathname);
    return match ? `${parsed.origin}${match[1]}?${parsed.searchParams.get('key') ?? ''}` : null;
  } catch {
    return null;
  }
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

/**
 * Image and video URLs the viewer and the grid load only to show an item: previews,
 * thumbnails, video streams. Google's media URLs end in `=<options>` (`-` separated): a size
 * (`w1280-h900`, `s512`) or a stream (`m18`) for display, while a download carries `d`
 * (`=s0-d-ip` on photos.fife.usercontent.google.com, the facts page's download URL; `dv` for
 * videos). Thumbnails and downloads share hosts and the `/pw/<token>` form, so only the options
 * tell them apart: any URL whose options ask for a download or the original size (`s0`) is not
 * display media, nor is anything on the download-only hosts. Without options, only a URL of
 * Google's image hosts is (a row's thumbnail URL as listed serves a default-sized thumbnail).
 */
export function isDisplayMedia(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const host = parsed.hostname;
  if (DOWNLOAD_HOSTS.includes(host)) return false;
  const options = mediaOptions(parsed.pathname);
  if (options === null) return IMAGE_HOSTS.some((domain) => host === domain || host.endsWith(`.${domain}`));
  if (options.some((o) => o === 'd' || o === 'dv' || o === 's0')) return false;
  return options.some((o) => /^[whsm]\d+$/.test(o));
}

/** Where only downloads come from (facts page: video downloads, multi-item zips). */
const DOWNLOAD_HOSTS = ['video-downloads.googleusercontent.com', 'doc-export.googleusercontent.com'];
/** Google's image hosts (`lh3.googleusercontent.com`, `photos.fife.usercontent.google.com`). */
const IMAGE_HOSTS = ['googleusercontent.com', 'usercontent.google.com'];

/** `/pw/<token>=w1280-h900-no` → ['w1280', 'h900', 'no']; null without `=<options>` in the last path segment. */
function mediaOptions(pathname: string): string[] | null {
  const last = pathname.slice(pathname.lastIndexOf('/') + 1);
  const at = last.indexOf('=');
  if (at < 0) return null;
  return last
    .slice(at + 1)
    .split('-')
    .filter((o) => o !== '');
}
