// Every command that writes to a backup folder runs in the run frame: sync, adopt and
// verify --fix on a folder another run holds all answer alike (exit 0, the holder's pid on
// stderr, the same --json line) and change nothing, although each had work to do there.
// Real CLI child processes; the lock is held by another real process, as in lock.spec.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, runCli } from '../helpers/cli.js';
import { expect, test } from '../helpers/fixtures.js';
import { sampleLibrary } from '../replica/index.js';
import { openIndexReadOnly, replicaBytes } from './adopt-fixtures.js';
import { sync, walk } from './sync-helpers.js';

const LOCK_JS = fileURLToPath(new URL('../../dist/src/run/lock.js', import.meta.url));
const THREE = sampleLibrary().filter((s) => s.sample.startsWith('gps__')).slice(0, 3);

test.use({ replicaOptions: { library: THREE } });

/** Another process holding the backup folder's run lock until it gets SIGTERM (then it releases it). */
async function holdLock(outDir: string): Promise<ChildProcess> {
  const stateDir = path.join(outDir, '.gphotos-keep');
  const holder = spawn(
    process.execPath,
    ['--input-type=module', '-e', `
      import { acquireRunLock } from ${JSON.stringify(LOCK_JS)};
      const a = acquireRunLock(${JSON.stringify(stateDir)}, 'sync');
      process.stdout.write(a.acquired ? 'locked\\n' : 'refused\\n');
      process.on('SIGTERM', () => { if (a.acquired) a.lock.release(); process.exit(0); });
      setInterval(() => {}, 60000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const answer = await new Promise<string>((resolve) => holder.stdout!.once('data', (d) => resolve(String(d).trim())));
  expect(answer).toBe('locked');
  return holder;
}

/** What a run would change: item states, recorded files, runs rows, reports, the folder's files. */
function snapshot(outDir: string): Record<string, unknown> {
  const db = openIndexReadOnly(outDir);
  try {
    const runsDir = path.join(outDir, '.gphotos-keep', 'runs');
    return {
      items: db.prepare('SELECT media_key, state, attempts, last_error FROM items ORDER BY media_key').all(),
      files: db.prepare('SELECT media_key, role, rel_path, verified_ms FROM files ORDER BY id').all(),
      runs: db.prepare('SELECT id, command, exit_code FROM runs ORDER BY id').all(),
      reports: existsSync(runsDir) ? readdirSync(runsDir).sort() : [],
      folder: walk(outDir),
    };
  } finally {
    db.close();
  }
}

test('adopt and verify --fix on a folder another run holds behave like sync: exit 0, the holder named, nothing changed', async ({ replica, profileDir, outDir, workDir }) => {
  // A backup with work left for each writer: one item not downloaded yet (adopt can place it
  // from a Takeout folder) and one recorded file deleted (verify --fix would re-queue it).
  const first = await sync(replica, outDir, profileDir, ['--limit', '2']);
  expect(first.summary, first.stderr).toMatchObject({ downloaded: 2 });
  const db = openIndexReadOnly(outDir);
  const pendingKey = db.prepare(`SELECT media_key FROM items WHERE state = 'pending'`).pluck().get() as string;
  const deleted = db.prepare(`SELECT media_key, rel_path FROM files WHERE role = 'main' ORDER BY rel_path LIMIT 1`).get() as { media_key: string; rel_path: string };
  db.close();
  rmSync(path.join(outDir, deleted.rel_path));
  const pending = replica.items.find((i) => i.mediaKey === pendingKey)!;
  const takeout = path.join(workDir, 'takeout', 'Takeout', 'Google Photos', 'Photos from 2008');
  mkdirSync(takeout, { recursive: true });
  writeFileSync(path.join(takeout, pending.fileName), await replicaBytes(replica, pending.mediaKey));

  const common = ['--profile', profileDir, '--base-url', replica.baseUrl, '--json'];
  const commands: [string, string[]][] = [
    ['sync', ['sync', '--out', outDir, ...common]],
    ['adopt', ['adopt', '--from-folder', path.join(workDir, 'takeout'), '--out', outDir, ...common]],
    ['verify --fix', ['verify', '--out', outDir, '--fix', '--json']],
  ];

  const holder = await holdLock(outDir);
  const lockFile = path.join(outDir, '.gphotos-keep', 'lock');
  try {
    const lockBefore = readFileSync(lockFile, 'utf8');
    const before = snapshot(outDir);
    replica.resetCounters();
    const answers: Record<string, unknown>[] = [];
    for (const [name, args] of commands) {
      const result = await runCli(args, { env: cleanEnv() });
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(result.stderr).toContain(`gphotos-keep ${name}: another run is in progress (pid ${holder.pid}`);
      expect(result.stderr).toContain('Nothing to do.');
      const answer = JSON.parse(result.stdout.trim());
      expect(answer).toMatchObject({ exitCode: 0, error: null, anotherRun: { pid: holder.pid, host: os.hostname() } });
      answers.push(answer);
    }
    // The same answer, whichever command asked.
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    // Nothing was asked of Google, nothing written, the holder's lock untouched.
    expect(replica.counters.total).toBe(0);
    expect(snapshot(outDir)).toEqual(before);
    expect(readFileSync(lockFile, 'utf8')).toBe(lockBefore);
  } finally {
    holder.kill('SIGTERM');
    await new Promise((resolve) => (holder.exitCode !== null ? resolve(null) : holder.once('exit', resolve)));
  }
  expect(existsSync(lockFile)).toBe(false);

  // Once the folder is free, the same commands do their work, each with its run record and report.
  const adopt = await runCli(commands[1][1], { env: cleanEnv() });
  expect(adopt.code, adopt.stderr).toBe(0);
  expect(JSON.parse(adopt.stdout)).toMatchObject({ placedThisRun: 1 });
  const fix = await runCli(commands[2][1], { env: cleanEnv() });
  expect(fix.code, fix.stderr).toBe(3);
  expect(JSON.parse(fix.stdout).fixed.requeued).toEqual([deleted.media_key]);
  const after = openIndexReadOnly(outDir);
  try {
    expect(after.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(pendingKey)).toBe('done');
    expect(after.prepare('SELECT state FROM items WHERE media_key = ?').pluck().get(deleted.media_key)).toBe('pending');
    expect(after.prepare(`SELECT command, exit_code FROM runs WHERE command != 'sync' ORDER BY id`).all()).toEqual([
      { command: 'adopt', exit_code: 0 },
      { command: 'verify --fix', exit_code: 3 },
    ]);
  } finally {
    after.close();
  }
  const reports = readdirSync(path.join(outDir, '.gphotos-keep', 'runs')).map((f) => JSON.parse(readFileSync(path.join(outDir, '.gphotos-keep', 'runs', f), 'utf8')));
  expect(reports.filter((r) => r.command !== 'sync').map((r) => `${r.command} ${r.exitCode}`)).toEqual(['adopt 0', 'verify --fix 3']);
  expect(existsSync(lockFile)).toBe(false);
});
