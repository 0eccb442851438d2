// File names that come from the network (Content-Disposition) or from inside a zip are
// hostile: they may hold separators, `..`, control characters, or be absurdly long. This
// turns any of them into one safe path segment, keeping the extension where it can.
import { LONGEST_NAME, NAME_RESERVE } from './name-limit.js';

/**
 * Bytes, not characters: file systems bound names in bytes (255 on ext4). The longest name
 * any file system we write to takes, less the room for the names we derive from it; the
 * folder's own file system may take less (src/folder/name-limit.ts), and names are cut to
 * that where they are placed.
 */
export const MAX_NAME_BYTES = LONGEST_NAME - NAME_RESERVE;

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// Separators and the characters Windows and SMB shares refuse, so a backup can be copied anywhere.
const UNSAFE = /[/\\:*?"<>|]/g;
// Bidirectional overrides and zero-width characters make a name display as something else.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Cuts to at most maxBytes of UTF-8 without splitting a character. */
export function truncateBytes(text: string, maxBytes: number): string {
  if (utf8Length(text) <= maxBytes) return text;
  let out = '';
  for (const char of text) {
    if (utf8Length(out + char) > maxBytes) break;
    out += char;
  }
  return out;
}

/** Splits `name.ext` (the extension is short and alphanumeric, or there is none). */
export function splitExtension(name: string): { stem: string; ext: string } {
  const match = /^(.*[^.])(\.[A-Za-z0-9]{1,10})$/.exec(name);
  return match ? { stem: match[1], ext: match[2] } : { stem: name, ext: '' };
}

/**
 * One safe path segment from an untrusted name: no separators, no `..`, no control or
 * invisible characters, no leading dots (hidden files, `.gphotos-keep`), no trailing dots
 * or spaces, bounded to MAX_NAME_BYTES of UTF-8 with the extension kept. Falls back to
 * `fallback` (itself sanitised) when nothing usable is left.
 */
export function sanitiseFileName(name: string, fallback: string): string {
  const cleaned = clean(name);
  if (cleaned !== '') return cleaned;
  const second = clean(fallback);
  return second !== '' ? second : 'item';
}

function clean(raw: string): string {
  // A name given as a path keeps only its last segment.
  const lastSegment = raw.split(/[/\\]/).filter((part) => part !== '').pop() ?? '';
  let name = lastSegment.normalize('NFC').replace(CONTROL, '').replace(INVISIBLE, '').replace(UNSAFE, '_');
  name = name.replace(/^[\s.]+/, '').replace(/[\s.]+$/, '');
  if (name === '' || /^\.+$/.test(name)) return '';
  name = fitName(name, MAX_NAME_BYTES);
  // Reserved device names on Windows shares (CON, NUL, COM1, ...).
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(name)) name = `_${name}`;
  return name;
}

/**
 * Cuts a name to at most `maxBytes` of UTF-8 at a character boundary, keeping its extension:
 * the stem is shortened (and any dots or spaces it then ends in dropped). A name within the
 * limit is returned as it is.
 */
export function fitName(name: string, maxBytes: number): string {
  if (utf8Length(name) <= maxBytes) return name;
  const { stem, ext } = splitExtension(name);
  const room = maxBytes - utf8Length(ext);
  if (room < 1) return truncateBytes(name, maxBytes);
  const cut = truncateBytes(stem, room).replace(/[\s.]+$/, '');
  return (cut === '' ? truncateBytes(stem, room) : cut) + ext;
}

/** `name.ext` → `name<tag>.ext` (the extension is what follows the last dot, if any). */
export function withTag(fileName: string, tag: string): string {
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return fileName + tag;
  return fileName.slice(0, dot) + tag + fileName.slice(dot);
}
