// XMP sidecars hold what only Google knows (a location or caption added in Google Photos, a
// date for a file without one). Content is read back with exiftool; the original file's
// bytes never change.
import { test, expect } from '@playwright/test';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaInspector } from '../../src/media/inspect.js';
import { planSidecar, writeXmpSidecar } from '../../src/media/sidecar.js';

const MEDIA = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

let inspector: MediaInspector;
let dir: string;
test.beforeAll(() => {
  inspector = new MediaInspector();
});
test.afterAll(async () => {
  await inspector.end();
});
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-sidecar-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

function copy(sample: string, name = sample): string {
  const file = path.join(dir, name);
  copyFileSync(path.join(MEDIA, sample), file);
  return file;
}

test('a location and caption only Google has go into <file>.xmp; the photo is untouched', async () => {
  const photo = copy('Canon_40D.jpg');
  const before = sha(photo);
  const facts = await inspector.inspect(photo);
  expect(facts.gpsLat).toBeNull();
  const caption = 'Ponte Vecchio at dusk — "the old bridge" <3 & more';
  const sidecar = await writeXmpSidecar(photo, { latitude: 43.7679645, longitude: 11.2530854, description: caption }, { inspector, file: facts });
  expect(sidecar).toBe(`${photo}.xmp`);
  expect(sha(photo)).toBe(before);
  expect(readdirSync(dir).sort()).toEqual(['Canon_40D.jpg', 'Canon_40D.jpg.xmp']);

  const xmp = (await inspector.use((exiftool) => exiftool.readRaw(sidecar!, ['-G1', '-n']))) as Record<string, unknown>;
  expect(xmp['File:FileType']).toBe('XMP');
  expect(xmp['XMP-exif:GPSLatitude']).toBeCloseTo(43.7679645, 6);
  expect(xmp['XMP-exif:GPSLongitude']).toBeCloseTo(11.2530854, 6);
  expect(xmp['XMP-dc:Description']).toBe(caption);
  // The file had its own date: none is written.
  expect(xmp['XMP-exif:DateTimeOriginal']).toBeUndefined();
  // The photo itself still has no GPS: nothing was written into it.
  expect((await inspector.inspect(photo)).gpsLat).toBeNull();
});

test('western and southern coordinates keep their sign', async () => {
  const photo = copy('Sony_HDR-HC3.jpg');
  const sidecar = await writeXmpSidecar(photo, { latitude: -33.8567844, longitude: -70.2152 }, { inspector, file: await inspector.inspect(photo) });
  const xmp = (await inspector.use((exiftool) => exiftool.readRaw(sidecar!, ['-G1', '-n']))) as Record<string, unknown>;
  expect(xmp['XMP-exif:GPSLatitude']).toBeCloseTo(-33.8567844, 6);
  expect(xmp['XMP-exif:GPSLongitude']).toBeCloseTo(-70.2152, 6);
});

test('nothing is written when the file already says what Google says', async () => {
  const photo = copy('gps__DSCN0010.jpg');
  const facts = await inspector.inspect(photo);
  // Google's e7 fixed point rounds the same place slightly differently.
  const result = await writeXmpSidecar(photo, { latitude: 43.4674483, longitude: 11.8851267, description: null, takenAt: '2008-10-22T16:28:39+02:00' }, { inspector, file: facts });
  expect(result).toBeNull();
  expect(existsSync(`${photo}.xmp`)).toBe(false);
  const long = copy('long_description.jpg');
  const longFacts = await inspector.inspect(long);
  expect(await writeXmpSidecar(long, { description: longFacts.description }, { inspector, file: longFacts })).toBeNull();
  expect(readdirSync(dir).sort()).toEqual(['gps__DSCN0010.jpg', 'long_description.jpg']);
});

test('a location moved in Google is kept in the sidecar, but the file still has its own', async () => {
  const photo = copy('gps__DSCN0010.jpg');
  const facts = await inspector.inspect(photo);
  const plan = planSidecar({ latitude: 43.7731, longitude: 11.256 }, facts);
  expect(plan.location).toEqual({ lat: 43.7731, lng: 11.256 });
  expect(plan.locationGoogleOnly).toBe(false);
  const sidecar = await writeXmpSidecar(photo, { latitude: 43.7731, longitude: 11.256 }, { inspector, file: facts });
  const xmp = (await inspector.use((exiftool) => exiftool.readRaw(sidecar!, ['-G1', '-n']))) as Record<string, unknown>;
  expect(xmp['XMP-exif:GPSLatitude']).toBeCloseTo(43.7731, 6);
});

test('a file without any date gets Google\'s taken time; one with a date does not', async () => {
  const photo = copy('orientation__portrait_6.jpg');
  const facts = await inspector.inspect(photo);
  expect(facts.takenAt).toBeNull();
  const sidecar = await writeXmpSidecar(photo, { takenAt: '2019-07-04T18:30:05.120+02:00' }, { inspector, file: facts });
  const xmp = (await inspector.use((exiftool) => exiftool.readRaw(sidecar!, ['-G1']))) as Record<string, unknown>;
  expect(xmp['XMP-exif:DateTimeOriginal']).toBe('2019:07:04 18:30:05.120+02:00');
  expect(xmp['XMP-photoshop:DateCreated']).toBe('2019:07:04 18:30:05.120+02:00');
  expect(planSidecar({ takenAt: '2019-07-04T18:30:05Z' }, { gpsLat: null, gpsLng: null, description: null, takenAt: '2008-05-30T15:56:01' }).takenAt).toBeNull();
});

test('a sidecar written again replaces the old one, never leaving a .part behind', async () => {
  const photo = copy('Nikon_D70.jpg');
  const facts = await inspector.inspect(photo);
  await writeXmpSidecar(photo, { description: 'first' }, { inspector, file: facts });
  const sidecar = await writeXmpSidecar(photo, { description: 'second' }, { inspector, file: facts });
  const xmp = (await inspector.use((exiftool) => exiftool.readRaw(sidecar!, ['-G1']))) as Record<string, unknown>;
  expect(xmp['XMP-dc:Description']).toBe('second');
  expect(readdirSync(dir).sort()).toEqual(['Nikon_D70.jpg', 'Nikon_D70.jpg.xmp']);
});

test('Google-only location is flagged; a (0,0) or out-of-range position is no location', () => {
  expect(planSidecar({ latitude: 48.8584, longitude: 2.29449 }, { gpsLat: null, gpsLng: null, description: null, takenAt: null }).locationGoogleOnly).toBe(true);
  expect(planSidecar({ latitude: 0, longitude: 0 }, null).location).toBeNull();
  expect(planSidecar({ latitude: 91, longitude: 2 }, null).location).toBeNull();
  expect(planSidecar({ description: '   ' }, null).description).toBeNull();
});
