// Which cookies make up a Google Photos session, where a person signs in, and how a signed-in
// page names its account. Everything else treats these as opaque.
import { DEFAULT_BASE_URL, isSignedOutUrl, libraryUrl } from './urls.js';

/**
 * Google keeps the Photos session in cookies of the google.com family (SID, HSID, SSID,
 * APISID, SAPISID, __Secure-*PSID* on .google.com; host cookies of photos.google.com and
 * accounts.google.com) and serves downloads from googleusercontent.com hosts. Country
 * domains (google.co.uk, …) and every other site are not part of it.
 */
export const GOOGLE_SESSION_DOMAINS = ['google.com', 'googleusercontent.com'] as const;

function hostOf(baseUrl: string): string {
  return new URL(baseUrl).hostname.toLowerCase();
}

/** The real site (any google.com host as the base), as opposed to a stand-in given by --base-url. */
export function isGoogleBase(baseUrl: string): boolean {
  const host = hostOf(baseUrl);
  return host === 'google.com' || host.endsWith('.google.com') || host === hostOf(DEFAULT_BASE_URL);
}

/** The cookie domains (without a leading dot) whose cookies belong to the session at this base URL. */
export function sessionCookieDomains(baseUrl: string): string[] {
  return isGoogleBase(baseUrl) ? [...GOOGLE_SESSION_DOMAINS] : [hostOf(baseUrl)];
}

/** Whether a cookie set for `domain` (".google.com", "photos.google.com", "127.0.0.1") is sent to the session's hosts. */
export function isSessionCookieDomain(domain: string, baseUrl: string): boolean {
  const d = domain.trim().toLowerCase().replace(/^\.+/, '');
  if (d === '') return false;
  return sessionCookieDomains(baseUrl).some((s) => d === s || d.endsWith(`.${s}`));
}

/**
 * Where a person starts signing in: the library page. Signed out, Google sends it on to its
 * about page or to accounts.google.com, and back to the library once signed in.
 */
export function signInStartUrl(baseUrl: string): string {
  return libraryUrl(baseUrl);
}

/** A page that may hold a signed-in session's tokens: on the Photos origin, not a sign-in or about page. */
export function isPhotosPageUrl(url: string, baseUrl: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.origin !== new URL(baseUrl).origin) return false;
  return !isSignedOutUrl(url, baseUrl);
}
