// Tokens the page embeds in window.WIZ_global_data; the RPC needs them.
import type { WizTokens } from './types.js';

export const wizKeys = {
  at: 'SNlM0e',
  fSid: 'FdrFJe',
  buildLabel: 'cfb2h',
  pathPrefix: 'eptZe',
  email: 'oPEP7c',
} as const;

export const WIZ_GLOBAL = 'WIZ_global_data';

/** Picks the tokens out of the raw object; null when the at token is absent. */
export function tokensFrom(raw: unknown): WizTokens | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const data = raw as Record<string, unknown>;
  const pick = (key: string) => (typeof data[key] === 'string' && data[key] !== '' ? (data[key] as string) : null);
  const at = pick(wizKeys.at);
  if (!at) return null;
  return {
    at,
    fSid: pick(wizKeys.fSid),
    buildLabel: pick(wizKeys.buildLabel),
    pathPrefix: pick(wizKeys.pathPrefix) ?? '/_/PhotosUi/',
    email: pick(wizKeys.email),
  };
}
