// One exiftool read per kept file (issue 17 point 5): the structure check and the metadata come
// from the same exiftool task, and the facts it yields are exactly those of exiftool-vendored's
// own read of the file, for every real sample; every warning still reaches the check.
import { test, expect } from '@playwright/test';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExifTool } from 'exiftool-vendored';
import { CorruptDownloadError } from '../../src/errors.js';
import { MediaInspector, factsFromTags } from '../../src/media/inspect.js';
import { readOnePass } from '../../src/media/one-pass-read.js';

const MEDIA = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
const samples = readdirSync(MEDIA).filter((f) => !f.endsWith('.md'));

let inspector: MediaInspector;
let dir: string;
/** exiftool tasks run since the last reset, counted where every read of exiftool-vendored passes. */
let tasks = 0;
test.beforeAll(async () => {
  inspector = new MediaInspector();
  await inspector.use(async (exiftool: ExifTool) => {
    const enqueue = exiftool.enqueueTask.bind(exiftool);
    exiftool.enqueueTask = ((task, retriable) => {
      tasks++;
      return enqueue(task, retriable);
    }) as ExifTool['enqueueTask'];
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-one-pass-'));
});
test.afterAll(async () => {
  await inspector.end();
  rmSync(dir, { recursive: true, force: true });
});

test('inspecting a file runs exiftool once, for every sample, damaged ones included', async () => {
  expect(samples.length).toBeGreaterThan(15);
  for (const sample of samples) {
    tasks = 0;
    await inspector.inspect(path.join(MEDIA, sample));
    expect(tasks, sample).toBe(1);
  }
  // A refused file costs one task too.
  const cut = path.join(dir, 'cut.jpg');
  writeFileSync(cut, readFileSync(path.join(MEDIA, 'gps__DSCN0010.jpg')).subarray(0, 60_000));
  tasks = 0;
  await expect(inspector.inspect(cut)).rejects.toBeInstanceOf(CorruptDownloadError);
  expect(tasks).toBe(1);
});

test('the one pass yields the facts exiftool-vendored\'s own read gives, for every sample', async () => {
  for (const sample of samples) {
    const file = path.join(MEDIA, sample);
    const own = factsFromTags(await inspector.use((exiftool) => exiftool.read(file)));
    const one = await inspector.inspect(file);
    // Warnings differ by design: the one pass sees every copy (-a), the plain read only the first.
    expect({ ...one, warnings: [] }, sample).toEqual({ ...own, warnings: [] });
    for (const warning of own.warnings) expect(one.warnings, sample).toContain(warning);
  }
});

test('every copy of a warning reaches the check, as -a -G4 gives them, and the first copy of each tag is the one read', async () => {
  // A truncated JPEG: the format error is exiftool's second warning for it.
  const cut = path.join(dir, 'cut2.jpg');
  writeFileSync(cut, readFileSync(path.join(MEDIA, 'gps__DSCN0010.jpg')).subarray(0, 60_000));
  const read = await inspector.use((exiftool) => readOnePass(exiftool, cut));
  expect(Object.keys(read.notes).filter((k) => k.endsWith('Warning')).length).toBeGreaterThanOrEqual(2);
  expect(Object.values(read.notes)).toContain('JPEG format error');
  expect(read.fileType).toBe('JPEG');
  expect((read.tags as Record<string, unknown>).Make).toBe('NIKON');
  // A photo copied under a video's name is still a JPEG by its bytes.
  const renamed = path.join(dir, 'photo.mov');
  copyFileSync(path.join(MEDIA, 'Canon_40D.jpg'), renamed);
  expect((await inspector.use((exiftool) => readOnePass(exiftool, renamed))).fileType).toBe('JPEG');
});
