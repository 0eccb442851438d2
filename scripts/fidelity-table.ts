// `npm run fidelity`: the media-fidelity table, measured, not written by hand. Starts the
// replica with the sample library (every real sample file), runs a real `gphotos-keep sync`
// into a scratch folder, then for every kept file compares, with exiftool, what the source
// sample says, what the kept file says, and what the index recorded: taken time, GPS,
// make/model, dimensions, MIME type. Prints a Markdown table; exit 1 if any field differs.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MediaInspector, type MediaFacts } from '../src/media/inspect.js';
import { openIndex } from '../src/store/database.js';
import { type FileRow, filesOf } from '../src/store/files.js';
import { getItem } from '../src/store/items.js';
import { signInProfile } from '../test/helpers/profile.js';
import { MEDIA_DIR, startReplica } from '../test/replica/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
const keepScratch = process.argv.includes('--keep');

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function runSync(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GPHOTOS_KEEP_')) env[k] = v;
    env.XDG_CONFIG_HOME = path.join(os.tmpdir(), 'gphotos-keep-fidelity-no-config');
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout }));
  });
}

type Field = 'taken' | 'gps' | 'camera' | 'size' | 'mime';
const FIELDS: Field[] = ['taken', 'gps', 'camera', 'size', 'mime'];

function valueOf(field: Field, f: { takenAt: string | null; gpsLat: number | null; gpsLng: number | null; make: string | null; model: string | null; width: number | null; height: number | null; mime: string | null }): string {
  switch (field) {
    case 'taken':
      return f.takenAt ?? '';
    case 'gps':
      return f.gpsLat === null || f.gpsLng === null ? '' : `${f.gpsLat.toFixed(6)}, ${f.gpsLng.toFixed(6)}`;
    case 'camera':
      return [f.make, f.model].filter(Boolean).join(' / ');
    case 'size':
      return f.width && f.height ? `${f.width}×${f.height}` : '';
    case 'mime':
      return f.mime ?? '';
  }
}

function fromRow(row: FileRow) {
  return { takenAt: row.taken_at, gpsLat: row.gps_lat, gpsLng: row.gps_lng, make: row.make, model: row.model, width: row.img_width, height: row.img_height, mime: row.mime };
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-fidelity-'));
const outDir = path.join(scratch, 'backup');
const profileDir = path.join(scratch, 'profile');
const replica = await startReplica({ latencyMs: 5 });
const inspector = new MediaInspector();
let mismatches = 0;
try {
  // Every sample, including the video Google is "still processing" in the sample library.
  for (const item of replica.items) if (item.processing) replica.setProcessing(item.mediaKey, false);
  await signInProfile(profileDir, replica.sessionCookie);
  const result = await runSync(['sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--json']);
  if (result.code !== 0) throw new Error(`sync exited ${result.code}: ${result.stdout}`);

  const rows: string[] = [];
  rows.push('| sample file | kept as (role) | bytes | taken time | GPS | make / model | dimensions | MIME | Google-only metadata (sidecar) |');
  rows.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const db = openIndex(outDir, { readonly: true });
  try {
    for (const item of [...replica.items].sort((a, b) => a.sample.localeCompare(b.sample) || a.fileName.localeCompare(b.fileName))) {
      const files = filesOf(db, item.mediaKey);
      const expected = replica.expectedFiles(item.mediaKey);
      const sidecars = files.filter((f) => f.role === 'sidecar');
      const itemRow = getItem(db, item.mediaKey);
      for (const file of files.filter((f) => f.role !== 'sidecar')) {
        const sample = file.role === 'live-video' ? item.liveVideoSample! : item.sample;
        const source: MediaFacts = await inspector.inspect(path.join(MEDIA_DIR, sample));
        const kept: MediaFacts = await inspector.inspect(path.join(outDir, file.rel_path));
        const recorded = fromRow(file);
        const want = expected.find((e) => (e.role === 'live-still' ? 'main' : e.role) === file.role);
        const bytesOk = want !== undefined && sha256(path.join(outDir, file.rel_path)) === want.sha256 && want.sha256 === file.sha256;
        if (!bytesOk) mismatches++;
        const cells = FIELDS.map((field) => {
          const a = valueOf(field, source);
          const b = valueOf(field, kept);
          const c = valueOf(field, recorded);
          const same = a === b && b === c;
          if (!same) mismatches++;
          return `${a === '' ? 'none' : a.replace(/\|/g, '\\|')} ${same ? '✓' : `✗ (kept ${b || 'none'}, index ${c || 'none'})`}`;
        });
        let google = '';
        const sidecar = sidecars.find((s) => s.rel_path === `${file.rel_path}.xmp`);
        if (sidecar) {
          const xmp = (await inspector.use((exiftool) => exiftool.readRaw(path.join(outDir, sidecar.rel_path), ['-G1', '-n']))) as Record<string, unknown>;
          const parts: string[] = [];
          if (xmp['XMP-exif:GPSLatitude'] !== undefined) parts.push(`GPS ${Number(xmp['XMP-exif:GPSLatitude']).toFixed(6)}, ${Number(xmp['XMP-exif:GPSLongitude']).toFixed(6)}`);
          if (xmp['XMP-dc:Description'] !== undefined) parts.push(`caption “${String(xmp['XMP-dc:Description']).slice(0, 40)}${String(xmp['XMP-dc:Description']).length > 40 ? '…' : ''}”`);
          if (xmp['XMP-exif:DateTimeOriginal'] !== undefined) parts.push(`date ${String(xmp['XMP-exif:DateTimeOriginal'])}`);
          google = `${path.posix.basename(sidecar.rel_path)}: ${parts.join('; ')}${itemRow?.location_google_only ? ' (location only on Google)' : ''}`;
        }
        const note = file.role === 'main' && item.edited ? ' — edited in Google' : '';
        rows.push(`| ${sample} | ${file.rel_path} (${file.role}${note}) | ${bytesOk ? 'identical ✓' : 'DIFFERENT ✗'} | ${cells.join(' | ')} | ${google} |`);
      }
    }
  } finally {
    db.close();
  }
  process.stdout.write(`${rows.join('\n')}\n\n`);
  process.stdout.write(
    `✓ = the same value read by exiftool from the source sample, from the kept file, and recorded in the index. ` +
      `"bytes identical" = sha256 of the kept file equals the bytes the replica served.${mismatches ? `\n${mismatches} MISMATCHES` : ''}\n`,
  );
} finally {
  await inspector.end();
  await replica.close();
  if (!keepScratch) rmSync(scratch, { recursive: true, force: true });
  else process.stderr.write(`fidelity: backup kept in ${outDir}\n`);
}
process.exit(mismatches === 0 ? 0 : 1);
