// `npm run demo`: the whole product on this machine, without a Google account. Starts the
// local replica of photos.google.com with the sample library (real camera and phone files),
// signs a browser profile in to it, runs a real `gphotos-keep sync` child process into
// ./demo-backup, and prints what arrived. Run it twice: the second run downloads nothing.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReplica } from '../test/replica/index.js';
import { signInProfile } from '../test/helpers/profile.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = path.resolve(process.argv[2] ?? 'demo-backup');
const profileDir = path.join(outDir, '.gphotos-keep', 'demo-profile');
const cli = path.join(root, 'dist', 'src', 'cli', 'main.js');

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full));
  }
  return out.sort();
}

const replica = await startReplica({ latencyMs: 20 });
let code = 1;
try {
  process.stderr.write(`demo: replica of photos.google.com at ${replica.baseUrl} with ${replica.items.length} sample items\n`);
  mkdirSync(profileDir, { recursive: true, mode: 0o700 });
  await signInProfile(profileDir, replica.sessionCookie);
  process.stderr.write(`demo: gphotos-keep sync --out ${path.relative(process.cwd(), outDir) || '.'}\n\n`);
  code = await new Promise<number>((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'sync', '--out', outDir, '--profile', profileDir, '--base-url', replica.baseUrl, '--json'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, GPHOTOS_KEEP_BASE_URL: '' },
    });
    let json = '';
    child.stdout.on('data', (chunk) => (json += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      try {
        const summary = JSON.parse(json) as Record<string, unknown>;
        process.stderr.write(`\ndemo: summary ${JSON.stringify(summary)}\n`);
      } catch {
        process.stderr.write(`\ndemo: sync printed no summary\n`);
      }
      resolve(exitCode ?? 1);
    });
  });
  const files = listFiles(outDir);
  const total = files.reduce((sum, f) => sum + statSync(path.join(outDir, f)).size, 0);
  process.stderr.write(`demo: ${files.length} files (${(total / 1024 / 1024).toFixed(1)} MB) in ${outDir}:\n`);
  for (const file of files) process.stderr.write(`  ${file}\n`);
  process.stderr.write(`demo: sync exited ${code}. Run \`npm run demo\` again: nothing is downloaded twice.\n`);
} finally {
  await replica.close();
}
process.exit(code);
