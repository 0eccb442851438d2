// The CLI skeleton: commands listed, usage errors exit 2 with one line and the help, and
// doctor checks the real machine (Chromium, exiftool, SQLite, folders) and names failures.
import { test, expect } from '@playwright/test';
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

test('an unknown command exits 2 with one line and the help', async () => {
  const result = await runCli(['backup']);
  expect(result.code).toBe(2);
  expect(result.stderr.split('\n')[0]).toBe("error: unknown command 'backup'");
  expect(result.stderr).toContain('Usage: gphotos-keep');
});

test('an unknown flag exits 2 with one line and the command help, and creates nothing', async () => {
  const out = path.join(dir, 'backup');
  const result = await runCli(['sync', '--out', out, '--frobnicate']);
  expect(result.code).toBe(2);
  expect(result.stderr.split('\n')[0]).toBe("error: unknown option '--frobnicate'");
  expect(result.stderr).toContain('Usage: gphotos-keep sync');
  expect(() => rmSync(out)).toThrow(/ENOENT/);
});

test('a bad value exits 2 naming the flag, then shows the command help', async () => {
  const result = await runCli(['sync', '--out', path.join(dir, 'b'), '--concurrency', 'many']);
  expect(result.code).toBe(2);
  expect(result.stderr.split('\n')[0]).toContain('--concurrency');
  expect(result.stderr.split('\n')[0]).toContain('"many" is not a whole number');
  expect(result.stderr).toContain('Usage: gphotos-keep sync');
  const tooMany = await runCli(['sync', '--out', path.join(dir, 'b'), '--concurrency', '50']);
  expect(tooMany.code).toBe(2);
  expect(tooMany.stderr).toContain('above the maximum');
});

test('doctor passes every check on this machine and reports the Chromium version', async () => {
  const out = path.join(dir, 'out');
  mkdirSync(out);
  const result = await runCli(['doctor', '--out', out, '--profile', path.join(dir, 'profile'), '--json'], { env: cleanEnv() });
  const report = JSON.parse(result.stdout) as { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] };
  expect(report.checks.map((c) => c.name)).toEqual(['chromium', 'chromium headless launch', 'exiftool', 'sqlite', 'output folder', 'profile']);
  expect(report.checks.filter((c) => !c.ok)).toEqual([]);
  expect(report.checks[0].detail).toMatch(/Chromium \d+\./);
  expect(report.checks[2].detail).toMatch(/ExifTool \d+/);
  expect(report.checks[3].detail).toMatch(/journal wal/);
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
