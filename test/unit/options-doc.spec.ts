// The README's option list is exactly the rendering of the options table, and the table itself
// is consistent: unique keys, flags and environment variables; every option reaches commander.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { longName, optionTable } from '../../src/cli/options.js';
import { END_MARKER, START_MARKER, extractBlock, renderOptionsDoc } from '../../scripts/options-doc.js';
import { cleanEnv, runCli } from '../helpers/cli.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

test('README.md holds exactly the rendered option list between its markers', () => {
  const readme = readFileSync(README, 'utf8');
  expect(readme, `README.md needs ${START_MARKER} … ${END_MARKER}`).toContain(START_MARKER);
  expect(extractBlock(readme), 'run: node dist/scripts/options-doc.js --write README.md').toBe(renderOptionsDoc());
});

test('the rendering has one row per option, naming its flag, key, env and commands', () => {
  const block = renderOptionsDoc();
  const rows = block.split('\n').filter((l) => l.startsWith('| `'));
  expect(rows).toHaveLength(optionTable.length + 1); // + --config
  for (const def of optionTable) {
    const row = rows.find((r) => r.startsWith(`| \`${def.flags.replace(/\|/g, '\\|')}\` | \`${def.key}\` |`));
    expect(row, def.key).toBeDefined();
    if (def.env) expect(row).toContain(`\`${def.env}\``);
    expect(row).toContain(def.commands.join(', '));
    // A row has exactly six cells: no unescaped pipe splits one.
    expect(row!.split(/(?<!\\)\|/).length - 2).toBe(6);
  }
});

test('the table is consistent: unique keys, long flags and env names; env names prefixed', () => {
  const keys = optionTable.map((d) => d.key);
  expect(new Set(keys).size).toBe(keys.length);
  const flags = optionTable.map((d) => longName(d));
  expect(new Set(flags).size).toBe(flags.length);
  const envs = optionTable.flatMap((d) => (d.env ? [d.env] : []));
  expect(new Set(envs).size).toBe(envs.length);
  for (const env of envs) expect(env).toMatch(/^GPHOTOS_KEEP_[A-Z0-9_]+$/);
  for (const def of optionTable) {
    // The key is the camelCase of the long flag, so config keys are guessable from --help.
    expect(def.key).toBe(longName(def).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()));
    if (def.cliOnly) expect(def.env, `${def.key} is per-run: no env`).toBeUndefined();
  }
});

test("every option of a command appears in that command's --help", async () => {
  for (const command of ['sync', 'status'] as const) {
    const help = await runCli([command, '--help'], { env: cleanEnv() });
    expect(help.code).toBe(0);
    for (const def of optionTable.filter((d) => d.commands.includes(command))) expect(help.stdout, def.key).toContain(`--${longName(def)}`);
  }
});
