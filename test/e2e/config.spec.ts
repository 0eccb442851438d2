// Config through the built CLI: flags > env > file > defaults, where the file is found, and
// every kind of bad key or value is exit 2 naming it, changing nothing.
import { test, expect } from '@playwright/test';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openIndex } from '../../src/store/database.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

let work: string;
test.beforeEach(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'gphotos-keep-config-'));
});
test.afterEach(() => rmSync(work, { recursive: true, force: true }));

/** A backup folder with an (empty) index, so `status` can report which folder it was given. */
function backup(name: string): string {
  const dir = path.join(work, name);
  openIndex(dir).close();
  return dir;
}

function configFile(content: unknown, name = 'config.json'): string {
  const file = path.join(work, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

async function statusOut(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<string> {
  const result = await runCli(['status', ...args], { env: cleanEnv(env), cwd });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { out: string }).out;
}

test('precedence: flag > environment > config file > default', async () => {
  const [fromFlag, fromEnv, fromFile, fromDefault] = [backup('flag'), backup('env'), backup('file'), backup('default')];
  const config = configFile({ out: fromFile, json: true });
  // default: the current folder
  expect(await statusOut(['--json'], {}, fromDefault)).toBe(fromDefault);
  // file beats default
  expect(await statusOut(['--config', config], {}, fromDefault)).toBe(fromFile);
  // env beats file
  expect(await statusOut(['--config', config], { GPHOTOS_KEEP_OUT: fromEnv })).toBe(fromEnv);
  // flag beats env and file
  expect(await statusOut(['--config', config, '--out', fromFlag], { GPHOTOS_KEEP_OUT: fromEnv })).toBe(fromFlag);
});

test('a boolean flag overrides the config file both ways: --no-json beats "json": true', async () => {
  const dir = backup('b');
  const config = configFile({ out: dir, json: true });
  const asJson = await runCli(['status', '--config', config], { env: cleanEnv() });
  expect(() => JSON.parse(asJson.stdout)).not.toThrow();
  const asText = await runCli(['status', '--config', config, '--no-json'], { env: cleanEnv() });
  expect(asText.code).toBe(0);
  expect(asText.stdout).toContain(`Backup ${dir}`);
});

test('where the file is found: $XDG_CONFIG_HOME/gphotos-keep/config.json, $GPHOTOS_KEEP_CONFIG, --config; relative paths from the file\'s folder', async () => {
  const xdg = path.join(work, 'xdg');
  mkdirSync(path.join(xdg, 'gphotos-keep'), { recursive: true });
  const viaXdg = backup('xdg/gphotos-keep/photos');
  writeFileSync(path.join(xdg, 'gphotos-keep', 'config.json'), JSON.stringify({ out: 'photos', json: true }));
  expect(await statusOut([], { XDG_CONFIG_HOME: xdg })).toBe(viaXdg);

  const viaEnv = backup('other');
  const named = configFile({ out: viaEnv, json: true }, 'named.json');
  expect(await statusOut([], { XDG_CONFIG_HOME: xdg, GPHOTOS_KEEP_CONFIG: named })).toBe(viaEnv);
  // --config beats $GPHOTOS_KEEP_CONFIG
  const viaFlag = backup('flagged');
  const flagged = configFile({ out: viaFlag, json: true }, 'flagged.json');
  expect(await statusOut(['--config', flagged], { GPHOTOS_KEEP_CONFIG: named })).toBe(viaFlag);
});

const BAD_FILES: { name: string; content: unknown; says: RegExp }[] = [
  { name: 'an unknown key', content: { out: '/x', concurency: 3 }, says: /unknown key "concurency"/ },
  { name: 'a flag-style key', content: { 'base-url': 'http://127.0.0.1:1' }, says: /unknown key "base-url"\. Did you mean "baseUrl"\?/ },
  { name: 'a number as a string', content: { concurrency: '3' }, says: /bad value for "concurrency": expected a whole number from 1 to 8/ },
  { name: 'a number out of range', content: { concurrency: 99 }, says: /bad value for "concurrency": expected a whole number from 1 to 8/ },
  { name: 'a yes/no as a string', content: { quiet: 'yes' }, says: /bad value for "quiet": expected true or false/ },
  { name: 'a URL that is not http(s)', content: { healthcheck: 'ftp://hc-ping.com/secret-ping-key' }, says: /bad value for "healthcheck": expected an http\(s\) URL/ },
  { name: 'not an object', content: '[1, 2]', says: /must hold one JSON object of settings/ },
  { name: 'not JSON', content: '{ "out": "/x", }', says: /is not valid JSON/ },
];

for (const bad of BAD_FILES) {
  test(`a config file with ${bad.name}: exit 2 naming it, nothing created`, async () => {
    const out = path.join(work, 'backup');
    const config = configFile(bad.content);
    const result = await runCli(['sync', '--config', config, '--out', out], { env: cleanEnv() });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(bad.says);
    expect(result.stderr).toContain(config);
    expect(result.stderr).not.toContain('secret-ping-key');
    expect(existsSync(out)).toBe(false);
  });
}

test('bad values from the environment and the command line: exit 2 naming the variable or flag; a secret is never echoed', async () => {
  const out = path.join(work, 'backup');
  const cases: { args: string[]; env: NodeJS.ProcessEnv; says: string }[] = [
    { args: ['sync', '--out', out], env: { GPHOTOS_KEEP_CONCURRENCY: 'many' }, says: 'environment variable GPHOTOS_KEEP_CONCURRENCY: "many" is not a whole number' },
    { args: ['sync', '--out', out, '--concurrency', '0'], env: {}, says: '--concurrency: 0 is below the minimum 1' },
    { args: ['sync', '--out', out, '--base-url', 'photos.google.com'], env: {}, says: '--base-url: "photos.google.com" is not an http(s) URL' },
    { args: ['sync', '--out', out], env: { GPHOTOS_KEEP_HEALTHCHECK: 'hc-ping.com/secret-ping-key' }, says: 'environment variable GPHOTOS_KEEP_HEALTHCHECK: the value is not an http(s) URL' },
    { args: ['sync', '--out', out, '--config', path.join(work, 'missing.json')], env: {}, says: `Config file ${path.join(work, 'missing.json')} (from --config) does not exist` },
  ];
  for (const c of cases) {
    const result = await runCli(c.args, { env: cleanEnv(c.env) });
    expect(result.code, c.says).toBe(2);
    expect(result.stderr).toContain(c.says);
    expect(result.stderr).not.toContain('secret-ping-key');
  }
  // Unknown flags and commands are usage errors too.
  expect((await runCli(['sync', '--concurency', '3'], { env: cleanEnv() })).code).toBe(2);
  expect((await runCli(['backup'], { env: cleanEnv() })).code).toBe(2);
  expect(existsSync(out)).toBe(false);
});
