// What a sync run lets the browser fetch: display media (previews, thumbnails, video streams)
// never, a download always. The URL forms are the facts page's (download hosts, `=s0-d-ip`) and
// the real captures' (rows' thumbnail URLs on photos.fife.usercontent.google.com/pw/…); the
// location a listing row tells is read from the capture's geo extension.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseItemDownload, parseLibraryPage, parseUploadPage } from '../../src/site/payloads.js';
import { isDisplayMedia } from '../../src/site/urls.js';

const dir = fileURLToPath(new URL('../fixtures/real-captures/', import.meta.url));
const load = (name: string): unknown => JSON.parse(readFileSync(dir + name, 'utf8'));
const TOKEN = 'AP1GczPm8Z5yPkqJ0nVq0mJc2yM8sQ2eC1rP0kYp9bXw3sT7uVfN4dA6hLrW8zE';

test('downloads are never display media: the facts page\'s download URLs, with or without the -d option', () => {
  for (const url of [
    `https://photos.fife.usercontent.google.com/pw/${TOKEN}=s0-d-ip`,
    `https://photos.fife.usercontent.google.com/pw/${TOKEN}=s0-d`,
    `https://lh3.googleusercontent.com/pw/${TOKEN}=d`,
    `https://lh3.googleusercontent.com/pw/${TOKEN}=dv`,
    `https://lh3.googleusercontent.com/pw/${TOKEN}=w1280-h900-d`,
    `https://lh3.googleusercontent.com/pw/${TOKEN}=s0`,
    'https://video-downloads.googleusercontent.com/ADGPM2m3xYz/abcDEF',
    `https://video-downloads.googleusercontent.com/pw/${TOKEN}=m18`,
    'https://doc-export.googleusercontent.com/export/abc/Photos.zip',
    // The replica's download URLs (the same forms on the Photos origin).
    `http://127.0.0.1:39555/pw/${TOKEN}=s0-d-ip`,
    `http://127.0.0.1:39555/video-download/${TOKEN}`,
  ]) {
    expect(isDisplayMedia(url), url).toBe(false);
  }
});

test('previews, thumbnails and video streams are display media; pages, RPCs and other hosts are not', () => {
  for (const url of [
    `https://lh3.googleusercontent.com/pw/${TOKEN}=w1280-h900-no`,
    `https://lh3.googleusercontent.com/pw/${TOKEN}=w256-h256-k-no`,
    `https://photos.fife.usercontent.google.com/pw/${TOKEN}=s512`,
    `https://lh3.googleusercontent.com/pw/${TOKEN}=m18`,
    `https://lh3.googleusercontent.com/pw/${TOKEN}=w400`,
    // A row's thumbnail URL as listed (no options) serves a default-sized thumbnail.
    `https://lh3.googleusercontent.com/pw/${TOKEN}`,
    `http://127.0.0.1:39555/pw/${TOKEN}=w928-h820-no`,
  ]) {
    expect(isDisplayMedia(url), url).toBe(true);
  }
  for (const url of [
    'https://photos.google.com/photo/AF1QipUTORt0UuUoEnf3LUfylqNvwB42tg6aR7tBD7nY?hl=en',
    'https://photos.google.com/_/PhotosUi/data/batchexecute?rpcids=VrseUb&source-path=%2Fphoto%2Fx',
    'https://www.gstatic.com/images/branding/product/2x/photos_96dp.png',
    `http://127.0.0.1:39555/pw/${TOKEN}`,
    'not a url',
  ]) {
    expect(isDisplayMedia(url), url).toBe(false);
  }
});

test('every thumbnail URL of the real captures is display media; the capture\'s rows list them on the download host', () => {
  const rows = [...parseLibraryPage(load('lcxiM.json')).items, ...parseUploadPage(load('EzkLib.json')).items];
  const raw = [...((load('lcxiM.json') as unknown[][])[0] as unknown[][]), ...((load('EzkLib.json') as unknown[][])[0] as unknown[][])];
  const thumbs = raw.map((row) => (row[1] as unknown[])[0] as string);
  expect(rows).toHaveLength(thumbs.length);
  expect(thumbs.filter((u) => u.startsWith('https://photos.fife.usercontent.google.com/pw/')).length).toBeGreaterThan(0);
  for (const url of thumbs) expect(isDisplayMedia(url), url).toBe(true);
  // …and the same URL made a download by its options is not.
  for (const url of thumbs.slice(0, 20)) expect(isDisplayMedia(`${url}=s0-d-ip`), url).toBe(false);
  const item = parseItemDownload(load('VrseUb.json'));
  expect(item.downloadUrl).not.toBeNull();
});

test('a listing row tells the location when it carries the geo extension: coordinates, none, or (upload view) nothing', () => {
  const page = parseLibraryPage(load('lcxiM.json'));
  const placed = page.items.filter((i) => i.location);
  // One capture row has a place (1e-7 degrees), every other one says it has none.
  expect(placed).toHaveLength(1);
  expect(placed[0].location).toEqual({ latitude: 40.7127752, longitude: -74.0059728 });
  expect(page.items.filter((i) => i.location === null)).toHaveLength(499);
  // The upload view's rows carry no geo extension: they do not tell, so the per-item call stays.
  const uploads = parseUploadPage(load('EzkLib.json'));
  expect(uploads.items.every((i) => i.location === undefined)).toBe(true);
});
