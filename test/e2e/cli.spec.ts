// The CLI skeleton: commands listed, usage errors exit 2 with the line saying what was wrong
// and where the help is, and doctor checks the real machine (Chromium, exiftool, SQLite,
// folders, the profile's session) and names failures.
import { test, expect } from '../helpers/fixtures.js';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, runCli } from '../helpers/cli.js';

let dir: string;
test.beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-cli-'));
});
test.afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('--help lists sync, login, status, verify and doctor', async () => {
  const result = await runCli(['--help']);
  expect(result.code).toBe(0);
  for (const command of ['sync', 'login', 'status', 'verify', 'doctor']) expect(result.stdout).toMatch(new RegExp(`^\\s+${command} `, 'm'));
});

test('an unknown command exits 2 with one line and where the help is', async () => {
  const result = await runCli(['backup']);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe("error: unknown command 'backup'\nTry 'gphotos-keep --help' for more information.\n");
});

test('an unknown flag exits 2 with one line and where the command help is, and creates nothing', async () => {
  const out = path.join(dir, 'backup');
  const result = await runCli(['sync', '--out', out, '--frobnicate']);
  expect(result.code).toBe(2);
  expect(result.stderr).toBe("error: unknown option '--frobnicate'\nTry 'gphotos-keep sync --help' for more information.\n");
  expect(() => rmSync(out)).toThrow(/ENOENT/);
});

test('a bad value exits 2 naming the flag, then where the command help is', async () => {
  const result = await runCli(['sync', '--out', path.join(dir, 'b'), '--concurrency', 'many']);
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n');
  expect(lines[0]).toContain('--concurrency');
  expect(lines[0]).toContain('"many" is not a whole number');
  expect(lines.slice(1)).toEqual(["Try 'gphotos-keep sync --help' for more information.", '']);
  const tooMany = await runCli(['sync', '--out', path.join(dir, 'b'), '--concurrency', '50']);
  expect(tooMany.code).toBe(2);
  expect(tooMany.stderr).toContain('above the maximum');
});

test('doctor passes every check on this machine, with a signed-in profile, and reports the Chromium version and the account', async ({ replica, profileDir }) => {
  const out = path.join(dir, 'out');
  mkdirSync(out);
  const result = await runCli(['doctor', '--out', out, '--profile', profileDir, '--base-url', replica.baseUrl, '--json'], { env: cleanEnv() });
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
  expect(report.checks.map((c) => c.name)).toEqual(['chromium', 'chromium headless launch', 'exiftool', 'sqlite', 'output folder', 'free space', 'index', 'profile', 'session']);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks[0].detail).toMatch(/Chromium \d+\./);
  expect(report.checks[2].detail).toMatch(/ExifTool \d+/);
  expect(report.checks[3].detail).toMatch(/journal wal/);
  expect(report.checks[8].detail).toBe(`signed in as ${replica.email}`);
  expect(result.code).toBe(0);
});

test('doctor exits non-zero and names each failed check: no browser, output not a folder, readable profile', async () => {
  const notAFolder = path.join(dir, 'file');
  writeFileSync(notAFolder, 'x');
  const profile = path.join(dir, 'profile');
  mkdirSync(profile, { mode: 0o755 });
  chmodSync(profile, 0o755);
  const result = await runCli(['doctor', '--out', notAFolder, '--profile', profile], { env: cleanEnv({ CHROMIUM_PATH: path.join(dir, 'no-chromium') }) });
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/^FAIL\s+chromium: CHROMIUM_PATH=.*no-chromium is not an executable file/m);
  expect(result.stdout).toMatch(/^FAIL\s+output folder: .* is not a folder/m);
  expect(result.stdout).toMatch(/^FAIL\s+profile: .*mode 755/m);
  expect(result.stdout).toMatch(/^ok\s+exiftool/m);
  expect(result.stderr).toContain('check(s) failed: chromium, chromium headless launch, output folder, profile');
});
