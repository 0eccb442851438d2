// The small rules adoption matches by: Takeout's sidecar names, gphotos-sync's dates, the
// taken time exiftool reports, and how file names compare.
import { expect, test } from '@playwright/test';
import { acceptCommand, normaliseName, parseTakenAt } from '../../src/adopt/folder.js';
import { findSidecar } from '../../src/adopt/takeout.js';
import { parseSyncDate } from '../../src/store/gphotos-sync-index.js';

test('Takeout sidecars: plain, supplemental-metadata, cut short, duplicates and -edited copies', () => {
  const json = [
    'IMG_0001.JPG.json',
    'PXL_20230812_151515123.jpg.supplemental-metadata.json',
    'PXL_20230812_151515123.MP.jpg.supplemental-metad.json',
    'IMG_0002.JPG.json',
    'IMG_0002.JPG(1).json',
    'Screenshot_20240101-101010_A_very_long_name_that.json',
    'metadata.json',
  ];
  expect(findSidecar('IMG_0001.JPG', json)).toBe('IMG_0001.JPG.json');
  expect(findSidecar('IMG_0001-edited.JPG', json)).toBe('IMG_0001.JPG.json');
  expect(findSidecar('PXL_20230812_151515123.jpg', json)).toBe('PXL_20230812_151515123.jpg.supplemental-metadata.json');
  expect(findSidecar('PXL_20230812_151515123.MP.jpg', json)).toBe('PXL_20230812_151515123.MP.jpg.supplemental-metad.json');
  expect(findSidecar('IMG_0002.JPG', json)).toBe('IMG_0002.JPG.json');
  expect(findSidecar('IMG_0002(1).JPG', json)).toBe('IMG_0002.JPG(1).json');
  expect(findSidecar('Screenshot_20240101-101010_A_very_long_name_that_was_cut.png', json)).toBe('Screenshot_20240101-101010_A_very_long_name_that.json');
  expect(findSidecar('IMG_0003.JPG', json)).toBeNull();
  expect(findSidecar('IMG.JPG', ['IMG_0001.JPG.json'])).toBeNull();
});

test('gphotos-sync CreateDate: Python datetime text (UTC), with fractions or a zone; epoch numbers', () => {
  expect(parseSyncDate('2008-10-22 14:28:39')).toBe(Date.UTC(2008, 9, 22, 14, 28, 39));
  expect(parseSyncDate('2008-10-22 14:28:39.250000')).toBe(Date.UTC(2008, 9, 22, 14, 28, 39, 250));
  expect(parseSyncDate('2008-10-22T16:28:39+02:00')).toBe(Date.UTC(2008, 9, 22, 14, 28, 39));
  expect(parseSyncDate(1224685719)).toBe(1224685719000);
  expect(parseSyncDate(1224685719000)).toBe(1224685719000);
  expect(parseSyncDate('1224685719')).toBe(1224685719000);
  expect(parseSyncDate('')).toBeNull();
  expect(parseSyncDate('yesterday')).toBeNull();
  expect(parseSyncDate(null)).toBeNull();
});

test('exiftool taken time: with an offset an instant and its wall clock, without one only the wall clock', () => {
  expect(parseTakenAt('2008-10-22T16:28:39.000+02:00')).toEqual({ utcMs: Date.UTC(2008, 9, 22, 14, 28, 39), localMs: Date.UTC(2008, 9, 22, 16, 28, 39) });
  expect(parseTakenAt('2008-03-15T09:52:01')).toEqual({ utcMs: null, localMs: Date.UTC(2008, 2, 15, 9, 52, 1) });
  expect(parseTakenAt('2021-06-12T09:15:30Z')).toEqual({ utcMs: Date.UTC(2021, 5, 12, 9, 15, 30), localMs: null });
  expect(parseTakenAt(null)).toEqual({ utcMs: null, localMs: null });
});

test('names compare without case, copy numbers, -edited or .jpeg/.jpg differences', () => {
  expect(normaliseName('IMG_0001.JPG')).toBe('img_0001.jpg');
  expect(normaliseName('IMG_0001 (2).jpg')).toBe('img_0001.jpg');
  expect(normaliseName('IMG_0001(1).jpeg')).toBe('img_0001.jpg');
  expect(normaliseName('IMG_0001-edited.jpg')).toBe('img_0001.jpg');
  expect(normaliseName('IMG_0002.JPG')).not.toBe(normaliseName('IMG_0001.JPG'));
});

test('the accept command quotes what a shell would split', () => {
  expect(acceptCommand('/data/Takeout', '/backup', 'copy')).toBe('gphotos-keep adopt --from-folder /data/Takeout --out /backup --accept-probable');
  expect(acceptCommand("/data/Google Photos/Bob's", '/backup', 'link')).toBe(`gphotos-keep adopt --from-folder '/data/Google Photos/Bob'\\''s' --out /backup --link --accept-probable`);
});
