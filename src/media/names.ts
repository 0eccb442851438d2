// File names that arrive from the network (Content-Disposition) or from inside a zip are
// hostile: this turns any of them into one safe path component, stable for the same input.

/** Longest name kept, in UTF-8 bytes (most file systems allow 255; room is left for suffixes). */
export const MAX_NAME_BYTES = 200;

// Controls (C0, DEL, C1), path separators, characters Windows/SMB shares refuse, and the bidi
// overrides that make `gpj.exe` display as `exe.jpg`.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f/\\:*?"<>|\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;
const EXTENSION = /\.[\p{L}\p{N}_-]{1,16}$/u;

function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a code point. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let out = '';
  let used = 0;
  for (const char of text) {
    const size = utf8Length(char);
    if (used + size > maxBytes) break;
    out += char;
    used += size;
  }
  return out;
}

function clean(name: string): string {
  let out = name.normalize('NFC').replace(UNSAFE, '_');
  // No `..` anywhere, no leading dots (hidden files, `.`/`..`), no leading or trailing blanks,
  // no trailing dots (Windows drops them, making two names collide).
  out = out.replace(/\.{2,}/g, '.').trim().replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (WINDOWS_RESERVED.test(out)) out = `_${out}`;
  const match = EXTENSION.exec(out);
  const extension = match && match.index > 0 ? match[0] : '';
  const base = out.slice(0, out.length - extension.length);
  const extensionBytes = utf8Length(extension);
  if (extensionBytes >= MAX_NAME_BYTES) return truncateUtf8(out, MAX_NAME_BYTES);
  return truncateUtf8(base, MAX_NAME_BYTES - extensionBytes).replace(/[.\s]+$/, '') + extension;
}

/**
 * One safe file name from an untrusted one: no separators, no `..`, no control or bidi
 * characters, no leading dots, at most MAX_NAME_BYTES UTF-8 bytes with the extension kept.
 * When nothing usable is left, `fallback` (sanitised the same way) stands in.
 */
export function sanitiseFileName(name: string, fallback: string): string {
  const cleaned = clean(name);
  if (cleaned !== '' && /[^_.\s]/.test(cleaned.replace(EXTENSION, ''))) return cleaned;
  const fallbackCleaned = clean(fallback);
  if (fallbackCleaned === '') return 'file';
  // Keep the original's extension when the base was what got lost ("../.jpg" → "<fallback>.jpg").
  const match = EXTENSION.exec(cleaned);
  if (match && !EXTENSION.test(fallbackCleaned)) return clean(fallbackCleaned + match[0]);
  return fallbackCleaned;
}

/** `IMG_0042.HEIC` → `IMG_0042`; `archive.tar.gz` → `archive.tar`; `.hidden` → `.hidden`. */
export function baseName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? name : name.slice(0, dot);
}

/** Lower-case extension without the dot, or '' (`IMG_0042.HEIC` → `heic`). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}
