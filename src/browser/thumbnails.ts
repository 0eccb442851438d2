// Small JPEG thumbnails made by Chromium from local pictures and videos (what it can decode:
// JPEG, PNG, WebP, GIF, and the videos its media stack plays), for a report that must be one
// self-contained HTML file. Nothing leaves the machine: the page is served from memory by
// Playwright's routing, under a name that resolves nowhere.
import { readFile } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import { BASE_ARGS, chromiumPath, sandboxArgs } from './chromium.js';

/** A picture to shrink: its bytes (an embedded preview), or a file to read. */
export type ThumbnailSource = { bytes: Buffer; type: string } | { file: string; type: string };

const ORIGIN = 'http://thumbnails.gphotos-keep.invalid';

/**
 * A data: URL (JPEG, at most `height` pixels high) for each source, or null where Chromium
 * could not decode it. Launches one headless Chromium for the whole batch.
 */
export async function renderThumbnails(sources: ThumbnailSource[], options: { height?: number; quality?: number; env?: NodeJS.ProcessEnv } = {}): Promise<(string | null)[]> {
  if (sources.length === 0) return [];
  const browser = await chromium.launch({ executablePath: chromiumPath(options.env), headless: true, args: [...BASE_ARGS, ...sandboxArgs(), '--autoplay-policy=no-user-gesture-required'] });
  try {
    const page = await browser.newPage();
    await page.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/') return route.fulfill({ contentType: 'text/html', body: '<!doctype html><meta charset="utf-8"><title>thumbnails</title>' });
      const source = sources[Number(url.pathname.slice(1))];
      if (!source) return route.fulfill({ status: 404, body: '' });
      try {
        const body = 'bytes' in source ? source.bytes : await readFile(source.file);
        return await route.fulfill({ contentType: source.type, body });
      } catch {
        return route.fulfill({ status: 404, body: '' });
      }
    });
    // Anything else the page might ask for (nothing should) goes nowhere.
    await page.route((url) => !url.href.startsWith(ORIGIN), (route) => route.abort());
    await page.goto(`${ORIGIN}/`);
    return await page.evaluate(
      async ({ items, height, quality }) => {
        const draw = (source: CanvasImageSource, w: number, h: number): string | null => {
          if (!w || !h) return null;
          const canvas = document.createElement('canvas');
          canvas.height = Math.min(height, h);
          canvas.width = Math.max(1, Math.round((w * canvas.height) / h));
          canvas.getContext('2d')!.drawImage(source, 0, 0, canvas.width, canvas.height);
          return canvas.toDataURL('image/jpeg', quality);
        };
        const one = (item: { url: string; video: boolean }): Promise<string | null> =>
          new Promise((resolve) => {
            const timer = setTimeout(() => resolve(null), 15_000);
            const done = (value: string | null) => {
              clearTimeout(timer);
              resolve(value);
            };
            if (item.video) {
              const video = document.createElement('video');
              video.muted = true;
              video.preload = 'auto';
              video.onloadeddata = () => {
                // A frame a little in, not the black first one.
                video.currentTime = Math.min(0.5, (video.duration || 1) / 4);
              };
              video.onseeked = () => done(draw(video, video.videoWidth, video.videoHeight));
              video.onerror = () => done(null);
              video.src = item.url;
            } else {
              const img = new Image();
              img.onload = () => done(draw(img, img.naturalWidth, img.naturalHeight));
              img.onerror = () => done(null);
              img.src = item.url;
            }
          });
        const out: (string | null)[] = [];
        for (const item of items) out.push(await one(item));
        return out;
      },
      { items: sources.map((s, i) => ({ url: `${ORIGIN}/${i}`, video: s.type.startsWith('video/') })), height: options.height ?? 160, quality: options.quality ?? 0.72 },
    );
  } finally {
    await browser.close().catch(() => undefined);
  }
}
