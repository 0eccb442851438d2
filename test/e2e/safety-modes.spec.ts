// Private by default (issue 14 point 7): photos carry GPS, the log carries the account's
// e-mail, so the backup folder's folders are 0700, its files and the log file 0600 — unless
// --follow-umask asks for the process umask (a folder shared on purpose, e.g. on a NAS).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import { syncArgs } from './sync-helpers.js';

test.use({
  replicaOptions: {
    library: [
      { sample: 'gps__DSCN0010.jpg' },
      // A location only Google has: its sidecar is a file we write too.
      { sample: 'mobile__jolla.jpg', fileName: 'IMG_20140921_160056.jpg', googleLocation: { lat: 61.4977524, lng: 23.7609535 } },
      { sample: 'mobile__iphone_13_pro_max.HEIC', fileName: 'IMG_0042.HEIC', kind: 'live', liveVideoSample: 'live__IMG_0042.MOV' },
    ],
  },
});

const mode = (file: string): string => (statSync(file).mode & 0o777).toString(8).padStart(3, '0');

/** Every entry below dir (the state folder included), relative, with its permission bits. */
function modes(dir: string): { dirs: Map<string, string>; files: Map<string, string> } {
  const dirs = new Map<string, string>([['.', mode(dir)]]);
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full);
    // The browser's own download folder is emptied by every run; nothing of it is kept.
    if (rel.startsWith(path.join('.gphotos-keep', 'tmp'))) continue;
    if (entry.isDirectory()) dirs.set(rel, mode(full));
    else if (entry.isFile()) files.set(rel, mode(full));
  }
  return { dirs, files };
}

async function syncWithUmask(replica: { baseUrl: string }, outDir: string, profileDir: string, logFile: string, extra: string[] = []) {
  // The umask most systems give a login shell: without care, files would be 0644 and folders 0755.
  const previous = process.umask(0o022);
  try {
    return await runCli([...syncArgs(replica, outDir, profileDir, extra), '--log-file', logFile], { env: cleanEnv() });
  } finally {
    process.umask(previous);
  }
}

test('private by default: --out and every folder 0700, every file of the layout (photos, videos, sidecars) and the log file 0600', async ({ replica, workDir, outDir, profileDir }) => {
  const logFile = path.join(workDir, 'logs', 'gphotos-keep.log');
  const result = await syncWithUmask(replica, outDir, profileDir, logFile);
  expect(result.code, result.stderr).toBe(0);

  const { dirs, files } = modes(outDir);
  expect([...files.keys()].some((f) => f.endsWith('.xmp')), 'a sidecar was written').toBe(true);
  expect([...files.keys()].some((f) => f.endsWith('.MOV')), 'a Live Photo video was written').toBe(true);
  // --out, the state folder and every folder of the layout; what the state folder holds is behind its 0700.
  const folders = [...dirs.keys()].filter((d) => !d.startsWith(`.gphotos-keep${path.sep}`));
  expect(folders.length).toBeGreaterThan(4);
  expect(Object.fromEntries(folders.map((d) => [d, dirs.get(d)])), 'folders').toEqual(Object.fromEntries(folders.map((d) => [d, '700'])));
  // The state folder's own files (the index and its journal) are behind its 0700.
  const layout = [...files.keys()].filter((f) => !f.startsWith('.gphotos-keep'));
  expect(Object.fromEntries(layout.map((f) => [f, files.get(f)])), 'files').toEqual(Object.fromEntries(layout.map((f) => [f, '600'])));
  expect(mode(logFile), 'the log file').toBe('600');
});

test('--follow-umask: folders and files follow the process umask; the log file stays 0600', async ({ replica, workDir, outDir, profileDir }) => {
  const logFile = path.join(workDir, 'gphotos-keep.log');
  const result = await syncWithUmask(replica, outDir, profileDir, logFile, ['--follow-umask']);
  expect(result.code, result.stderr).toBe(0);
  const { dirs, files } = modes(outDir);
  const layout = [...dirs.keys()].filter((d) => /^\d{4}(\/\d{2})?$/.test(d));
  expect(layout.length).toBeGreaterThan(0);
  for (const d of layout) expect(dirs.get(d), d).toBe('755');
  const media = [...files.keys()].filter((f) => !f.startsWith('.gphotos-keep'));
  expect(media.length).toBeGreaterThan(0);
  for (const f of media) expect(files.get(f), f).toBe('644');
  // The state folder (index, trash) stays private either way: it holds the account's e-mail.
  expect(dirs.get('.gphotos-keep')).toBe('700');
  expect(mode(logFile)).toBe('600');
});
