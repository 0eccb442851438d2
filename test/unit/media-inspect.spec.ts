// MediaInspector on the real samples: the facts it reads agree with what Google shows for
// them (the replica's sample table), damaged-but-real files are accepted, while truncated,
// empty and mislabelled bytes are refused as corrupt downloads. One exiftool, always ended,
// also on SIGTERM.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CorruptDownloadError, KeepError } from '../../src/errors.js';
import { MediaInspector } from '../../src/media/inspect.js';
import { setTakenMtime } from '../../src/media/times.js';
import { SAMPLES } from '../replica/samples.js';

const MEDIA = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
const DIST_INSPECT = fileURLToPath(new URL('../../dist/src/media/inspect.js', import.meta.url));

let inspector: MediaInspector;
let dir: string;
test.beforeAll(() => {
  inspector = new MediaInspector();
});
test.afterAll(async () => {
  await inspector.end();
});
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-inspect-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** UTC ms of an ISO time; a time without offset is read as wall-clock at `offsetMs`. */
function utcMs(iso: string, offsetMs: number): number {
  if (/(Z|[+-]\d\d:\d\d)$/.test(iso)) return Date.parse(iso);
  return Date.parse(`${iso}Z`) - offsetMs;
}

test('every sample: type, taken time, GPS and dimensions agree with what Google shows for it', async () => {
  for (const sample of Object.values(SAMPLES)) {
    const facts = await inspector.inspect(path.join(MEDIA, sample.file));
    expect.soft(facts.mime, sample.file).toBe(sample.mime);
    expect.soft([facts.width, facts.height], sample.file).toEqual([sample.width, sample.height]);
    if (sample.gps) {
      expect.soft(facts.gpsLat!, sample.file).toBeCloseTo(sample.gps.lat, 5);
      expect.soft(facts.gpsLng!, sample.file).toBeCloseTo(sample.gps.lng, 5);
    } else {
      expect.soft([facts.gpsLat, facts.gpsLng], sample.file).toEqual([null, null]);
    }
    if (sample.takenMs === null) expect.soft(facts.takenAt, sample.file).toBeNull();
    else expect.soft(utcMs(facts.takenAt!, sample.tzOffsetMs), sample.file).toBe(sample.takenMs);
  }
});

test('camera make and model come from the file', async () => {
  const facts = await inspector.inspect(path.join(MEDIA, 'gps__DSCN0010.jpg'));
  expect([facts.make, facts.model]).toEqual(['NIKON', 'COOLPIX P6000']);
  expect(facts.takenAt).toBe('2008-10-22T16:28:39+02:00');
  const heic = await inspector.inspect(path.join(MEDIA, 'mobile__iphone_13_pro_max.HEIC'));
  expect([heic.make, heic.model, heic.takenAt]).toEqual(['Apple', 'iPhone 13 Pro Max', '2022-02-16T12:55:41.762+01:00']);
});

test('the damaged sample JPEGs are what Google holds: accepted, facts read', async () => {
  const corrupted = await inspector.inspect(path.join(MEDIA, 'corrupted.jpg'));
  expect([corrupted.make, corrupted.width, corrupted.height]).toEqual(['OLYMPUS IMAGING CORP.', 3648, 2736]);
  const invalid = await inspector.inspect(path.join(MEDIA, 'invalid__image00971.jpg'));
  // EXIF claims 1020 rows; the JPEG frame has 227, and the frame is what is recorded.
  expect([invalid.width, invalid.height]).toEqual([636, 227]);
});

async function refused(name: string, bytes: Buffer, claimed?: { mime?: string; extension?: string }): Promise<string> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const error = await inspector.inspect(file, claimed).then(() => null, (e: unknown) => e);
  expect(error, name).toBeInstanceOf(CorruptDownloadError);
  expect((error as CorruptDownloadError).retryable).toBe(true);
  return (error as Error).message;
}

test('truncated downloads are refused: JPEG, HEIC, MOV, MP4', async () => {
  const cut = (file: string, keep: number): Buffer => readFileSync(path.join(MEDIA, file)).subarray(0, keep);
  expect(await refused('DSCN0010.jpg', cut('gps__DSCN0010.jpg', 100_000))).toMatch(/JPEG format error/);
  // A big phone JPEG whose first warnings are harmless: the truncation must still be seen.
  expect(await refused('Nokia.jpg', cut('mobile__HMD_Nokia_8.3_5G.jpg', 1_500_000))).toMatch(/JPEG format error/);
  expect(await refused('IMG.HEIC', cut('mobile__iphone_13_pro_max.HEIC', 1_000_000))).toMatch(/Truncated 'mdat'/);
  expect(await refused('IMG_0042.MOV', cut('live__IMG_0042.MOV', 30_000))).toMatch(/Truncated 'mdat'/);
  expect(await refused('PXL.mp4', cut('video__PXL_20210612_091530.mp4', 20_000))).toMatch(/truncated 'mdat'/);
});

test('bytes that are not what the name or type claims are refused', async () => {
  const zip = readFileSync(path.join(MEDIA, 'live__IMG_0042.MOV'));
  expect(await refused('empty.jpg', Buffer.alloc(0))).toMatch(/empty/);
  expect(await refused('error.jpg', Buffer.from('<!doctype html><html><body>Something went wrong</body></html>'))).toMatch(/not a valid JPEG/);
  expect(await refused('movie.jpg', zip)).toMatch(/MOV, not what its extension \.jpg says/);
  expect(await refused('pair.jpg', Buffer.from('PK\u0003\u0004 not really a zip'))).toMatch(/not a valid JPEG/);
  // The claimed type wins over the name when the caller knows it.
  copyFileSync(path.join(MEDIA, 'Canon_40D.jpg'), path.join(dir, 'photo.bin'));
  await expect(inspector.inspect(path.join(dir, 'photo.bin'), { mime: 'video/mp4' })).rejects.toThrow(/JPEG, not what its type video\/mp4 says/);
  await expect(inspector.inspect(path.join(dir, 'photo.bin'), { mime: 'image/jpeg' })).resolves.toMatchObject({ mime: 'image/jpeg' });
});

test('setTakenMtime sets the file time to the taken time and returns what was stored', async () => {
  const file = path.join(dir, 'a.jpg');
  copyFileSync(path.join(MEDIA, 'Canon_40D.jpg'), file);
  const taken = Date.UTC(2008, 4, 30, 15, 56, 1, 250);
  expect(await setTakenMtime(file, taken)).toBe(taken);
  expect(statSync(file).mtimeMs).toBe(taken);
  // Before 1970 is a real date for scanned photos.
  const old = Date.UTC(1969, 6, 20, 20, 17, 40);
  expect(await setTakenMtime(file, old)).toBe(old);
  expect(await setTakenMtime(file, Number.NaN)).toBeNull();
  expect(statSync(file).mtimeMs).toBe(old);
});

test('end() is idempotent and later inspections say why they cannot run', async () => {
  const own = new MediaInspector();
  await own.inspect(path.join(MEDIA, 'Canon_40D.jpg'));
  await Promise.all([own.end(), own.end()]);
  await own.end();
  expect(own.ended).toBe(true);
  await expect(own.inspect(path.join(MEDIA, 'Canon_40D.jpg'))).rejects.toThrow(/already ended/);
});

test('inspections still running when the inspector ends are given up with a KeepError, never left hanging', async () => {
  const own = new MediaInspector();
  await own.inspect(path.join(MEDIA, 'Canon_40D.jpg'));
  const settled = (p: Promise<unknown>): Promise<string> => p.then(() => 'done', (error: Error) => (error instanceof KeepError ? 'given up' : `failed: ${error.message}`));
  const running = [own.inspect(path.join(MEDIA, 'mobile__iphone_13_pro_max.HEIC')), own.inspect(path.join(MEDIA, 'video__PXL_20210612_091530.mp4'))].map(settled);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const ended = own.end();
  // exiftool-vendored leaves a task unsettled when its process is ended under it: before the
  // fix both stayed pending for ever (a run awaiting them never exited).
  const outcome = await Promise.race([Promise.all(running), new Promise<string>((resolve) => setTimeout(() => resolve('still pending after 10 s'), 10_000))]);
  expect(Array.isArray(outcome) ? outcome.every((o) => o === 'done' || o === 'given up') : outcome).toBe(true);
  await ended;
});

test('SIGTERM ends the exiftool process with the run', async () => {
  const script = `
    import { MediaInspector } from ${JSON.stringify(DIST_INSPECT)};
    const inspector = new MediaInspector();
    await inspector.inspect(${JSON.stringify(path.join(MEDIA, 'Canon_40D.jpg'))});
    console.log(JSON.stringify(await inspector.use(async (exiftool) => exiftool.pids)));
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const pids = await new Promise<number[]>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(JSON.parse(String(d)) as number[]));
      child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    });
    expect(pids.length).toBe(1);
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(pids[0])).toBe(true);
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    // The handler ends exiftool and then lets SIGTERM do what it does by default.
    expect(await exited).toBe('SIGTERM');
    await expect.poll(() => alive(pids[0]), { timeout: 10_000 }).toBe(false);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
