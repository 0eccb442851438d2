// `npm run demo`: the whole product on this machine, without a Google account. Starts the
// local replica of photos.google.com with the sample library (real camera and phone files),
// signs a browser profile in to it, runs a real `gphotos-keep sync` child process into
// ./demo-backup on this terminal (the live progress display when it is one, then the summary a
// person reads), and shows what arrived: the tree of files, one photo's GPS read back by
// exiftool, and the backup's report.html. Run it twice: the second run downloads nothing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exiftoolPath } from 'exiftool-vendored';
import { formatBytes } from '../src/run/progress.js';
import { startReplica } from '../test/replica/index.js';
import { signInProfile } from '../test/helpers/profile.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.resolve(process.argv[2] ?? 'demo-backup');
const shown = path.relative(process.cwd(), outDir) || '.';
const profileDir = path.join(outDir, '.gphotos-keep', 'demo-profile');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');
const say = (text: string): void => void process.stdout.write(`${text}\n`);

interface Entry {
  name: string;
  bytes: number;
  children: Entry[] | null;
}

function readTree(dir: string): Entry[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'report.html')
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((e) => {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) return { name: e.name, bytes: 0, children: readTree(full) };
      return { name: e.name, bytes: e.isSymbolicLink() ? 0 : statSync(full).size, children: null };
    });
}

/** `├── 2008/` … `│   └── DSCN0010.jpg  161.8 kB`, folders with one folder inside written as one (`2008/10/`). */
function drawTree(entries: Entry[], prefix = ''): string[] {
  const lines: string[] = [];
  entries.forEach((entry, i) => {
    const last = i === entries.length - 1;
    let node = entry;
    let name = entry.name;
    while (node.children && node.children.length === 1 && node.children[0].children) {
      node = node.children[0];
      name += `/${node.name}`;
    }
    if (node.children) {
      lines.push(`${prefix}${last ? '└── ' : '├── '}${name}/`);
      lines.push(...drawTree(node.children, `${prefix}${last ? '    ' : '│   '}`));
    } else {
      lines.push(`${prefix}${last ? '└── ' : '├── '}${name}${node.bytes > 0 ? `  ${formatBytes(node.bytes)}` : ''}`);
    }
  });
  return lines;
}

function totals(entries: Entry[]): { files: number; bytes: number } {
  return entries.reduce((t, e) => (e.children ? ((x) => ({ files: t.files + x.files, bytes: t.bytes + x.bytes }))(totals(e.children)) : { files: t.files + 1, bytes: t.bytes + e.bytes }), { files: 0, bytes: 0 });
}

function runChild(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    // The terminal itself: a person sees exactly what gphotos-keep shows them.
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, GPHOTOS_KEEP_BASE_URL: '' } });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });
}

const replica = await startReplica({ latencyMs: 20, bytesPerSecond: 4_000_000 });
let code = 1;
try {
  say(`demo: a replica of photos.google.com at ${replica.baseUrl} holds ${replica.items.length} sample items (real camera and phone files)`);
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  await signInProfile(profileDir, replica.sessionCookie);
  say(`demo: $ gphotos-keep sync --out ${shown}\n`);
  code = await runChild(['sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl]);

  const tree = readTree(outDir);
  const t = totals(tree);
  say(`\ndemo: ${shown}/ now holds ${t.files} files, ${formatBytes(t.bytes)} (albums/, favorites/ and archive/ are links into the dated folders):`);
  say([`${shown}/`, ...drawTree(tree)].join('\n'));

  // The point of it all: the original bytes, GPS included, read back by exiftool itself.
  const photo = path.join(outDir, '2008', '10', 'DSCN0010.jpg');
  const gps = spawnSync('perl', [await exiftoolPath(), '-GPSPosition', '-DateTimeOriginal', '-Model', photo], { encoding: 'utf8' });
  say(`\ndemo: $ exiftool -GPSPosition -DateTimeOriginal -Model ${path.relative(process.cwd(), photo)}`);
  say(gps.stdout.trimEnd() || `(exiftool said: ${gps.stderr.trim()})`);

  const reportCode = await runChild(['report', '--out', outDir, '-q']);
  if (reportCode === 0) say(`\ndemo: $ gphotos-keep report --out ${shown}   → open ${path.join(shown, 'report.html')} in a browser`);
  say(`\ndemo: sync exited ${code}. Run \`npm run demo\` again: nothing is downloaded twice.`);
} finally {
  await replica.close();
}
process.exit(code);
