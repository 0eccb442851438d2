// Google Takeout's JSON sidecars: `<name>.json`, later `<name>.supplemental-metadata.json`,
// both cut to a bounded length, with a duplicate's `(n)` moved to the end
// (`IMG(1).jpg` ↔ `IMG.jpg(1).json`), and `-edited` copies sharing their original's sidecar.
// They hold the taken time Google knows, which EXIF may lack (videos, scans, messengers).
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SidecarFacts {
  /** Google's photoTakenTime, UTC ms. */
  takenMs: number | null;
  /** The item's title in Google Photos: its file name there. */
  title: string | null;
}

const SUPPLEMENTAL = '.supplemental-metadata';
const EDITED = /-(edited|bearbeitet|modifié|modificato|editado|bewerkt)$/i;
/** Takeout never cuts a sidecar name shorter than this; shorter prefixes would match too much. */
const MIN_PREFIX = 30;

function splitDuplicate(name: string): { base: string; dup: string | null } {
  const m = /^(.*)\((\d+)\)(\.[^.]+)?$/.exec(name);
  return m ? { base: `${m[1]}${m[3] ?? ''}`, dup: m[2] } : { base: name, dup: null };
}

/** The sidecar of a media file among the JSON files of its folder, or null. */
export function findSidecar(mediaName: string, jsonNames: readonly string[]): string | null {
  const { base, dup } = splitDuplicate(mediaName);
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  const unedited = EDITED.test(stem) ? stem.replace(EDITED, '') + ext : null;
  let best: { name: string; length: number } | null = null;
  for (const json of jsonNames) {
    const withoutJson = json.slice(0, -'.json'.length);
    const { base: s, dup: sdup } = splitSidecarDuplicate(withoutJson);
    if (sdup !== dup) continue;
    for (const target of unedited ? [base, unedited] : [base]) {
      const full = target + SUPPLEMENTAL;
      const matches = s === target || s === full || (full.startsWith(s) && s.length >= Math.min(target.length, MIN_PREFIX)) || (s.length >= MIN_PREFIX && target.startsWith(s));
      if (matches && (!best || s.length > best.length)) best = { name: json, length: s.length };
    }
  }
  return best?.name ?? null;
}

/** `IMG.jpg(1)` or `IMG.jpg.supplemental-metadata(1)` → base and duplicate number. */
function splitSidecarDuplicate(name: string): { base: string; dup: string | null } {
  const m = /^(.*)\((\d+)\)$/.exec(name);
  return m ? { base: m[1], dup: m[2] } : { base: name, dup: null };
}

export async function readSidecar(file: string): Promise<SidecarFacts | null> {
  let data: unknown;
  try {
    const text = await readFile(file, 'utf8');
    if (text.length > 1_000_000) return null;
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const record = data as Record<string, unknown>;
  const taken = record.photoTakenTime as Record<string, unknown> | undefined;
  const seconds = taken && (typeof taken.timestamp === 'string' || typeof taken.timestamp === 'number') ? Number(taken.timestamp) : NaN;
  return {
    takenMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null,
    title: typeof record.title === 'string' ? record.title : null,
  };
}
