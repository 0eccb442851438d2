// What an item's thumbnail URL serves with a size suffix, as the real site's image URLs do
// (`<thumbUrl>=w1200-h900-no`, `=s512`): a screen-sized preview for the viewer, a small
// thumbnail for a small box. Without a size it stays the 1×1 placeholder it always was. The
// images are fixed JPEGs (test/fixtures/previews), whatever the item: what matters is what a
// browser fetches and decodes when it shows an item, never which picture it is.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEDIA_DIR } from './samples.js';

export interface DisplayImage {
  body: Buffer;
  mime: string;
}

/** Boxes up to this size get the thumbnail; larger ones the screen-sized preview. */
const THUMB_BOX = 512;

const PLACEHOLDER: DisplayImage = { body: Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'), mime: 'image/gif' };

let images: { screen: DisplayImage; thumb: DisplayImage } | null = null;

function loaded(): { screen: DisplayImage; thumb: DisplayImage } {
  if (!images) {
    const dir = join(MEDIA_DIR, '..', 'previews');
    images = {
      screen: { body: readFileSync(join(dir, 'screen-1200x900.jpg')), mime: 'image/jpeg' },
      thumb: { body: readFileSync(join(dir, 'thumb-512x384.jpg')), mime: 'image/jpeg' },
    };
  }
  return images;
}

/** The box an image URL's options ask for (`w1200-h900-no`, `s512`, `w400`); null when they name no size. */
export function sizeBox(options: string | undefined): { width: number; height: number } | null {
  if (!options) return null;
  let width = 0;
  let height = 0;
  for (const option of options.split('-')) {
    const match = /^([whs])(\d+)$/.exec(option);
    if (!match) continue;
    const n = Number(match[2]);
    if (match[1] === 'w') width = n;
    else if (match[1] === 'h') height = n;
    else width = height = n;
  }
  return width > 0 || height > 0 ? { width, height } : null;
}

/** What `<thumbUrl>=<options>` serves. */
export function displayImage(options: string | undefined): DisplayImage {
  const box = sizeBox(options);
  if (!box) return PLACEHOLDER;
  return Math.max(box.width, box.height) <= THUMB_BOX ? loaded().thumb : loaded().screen;
}
