// Small helpers of the replica: deterministic ids, hashing, date labels, sleeping.
import { createHash } from 'node:crypto';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A 32-bit seed from any strings/numbers (FNV-1a), so every id is reproducible from (seed, ordinal, purpose). */
export function seedOf(...parts: (string | number)[]): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const s = String(part) + '\u0000';
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
  }
  return h >>> 0;
}

/** mulberry32: fast, good enough, reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A pseudo-random number in [0,1) that depends only on its parts (e.g. seed, key, attempt). */
export function chance(...parts: (string | number)[]): number {
  return prng(seedOf(...parts))();
}

const B64URL_CODES = [...B64URL].map((c) => c.charCodeAt(0));

/** Built from char codes in one go: a flat string, not a rope of `length` cons cells (matters for 100k items). */
export function randomB64url(rand: () => number, length: number): string {
  const codes = new Array<number>(length);
  for (let i = 0; i < length; i++) codes[i] = B64URL_CODES[Math.floor(rand() * 64)];
  return String.fromCharCode(...codes);
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function sha1Base64(data: Buffer): string {
  return createHash('sha1').update(data).digest('base64');
}

export function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

/**
 * English date/time texts as the web app shows them, in the item's own time zone
 * (taken time + offset), with plain spaces (no ICU narrow no-break space).
 * Self-contained on purpose: its source is also shipped to the page (Function#toString).
 */
export function dateTexts(takenMs: number, tzOffsetMs: number): { label: string; date: string; time: string; gmt: string } {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const d = new Date(takenMs + tzOffsetMs);
  const h24 = d.getUTCHours();
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  const ampm = h24 < 12 ? 'AM' : 'PM';
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  const ss = String(d.getUTCSeconds()).padStart(2, '0');
  const date = months[d.getUTCMonth()] + ' ' + d.getUTCDate() + ', ' + d.getUTCFullYear();
  const abs = Math.abs(tzOffsetMs);
  const oh = String(Math.floor(abs / 3600000)).padStart(2, '0');
  const om = String(Math.floor((abs % 3600000) / 60000)).padStart(2, '0');
  return {
    label: date + ', ' + h12 + ':' + mm + ':' + ss + ' ' + ampm,
    date,
    time: days[d.getUTCDay()] + ', ' + h12 + ':' + mm + ' ' + ampm,
    gmt: 'GMT' + (tzOffsetMs < 0 ? '-' : '+') + oh + ':' + om,
  };
}

/** "2.1 MB" / "14 KB" as the info panel shows sizes (base 1024, one decimal for MB). */
export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
