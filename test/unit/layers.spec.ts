// The layers of src/ are a rule, not a wish: src/layers.json says which part may import which,
// and every import in src/ is checked against it. The checker itself is tested on made-up
// sources, so a green run means "no forbidden arrow", never "the checker saw nothing".
import { test, expect } from '@playwright/test';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSource, checkTree, formatViolation, importsOf, loadLayers, partOf, sourceFiles } from './layers-check.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const LAYERS_FILE = path.join(SRC, 'layers.json');

test('every import in src/ follows src/layers.json', () => {
  const layers = loadLayers(LAYERS_FILE);
  const files = sourceFiles(SRC);
  // The walk really reads src/ and its arrows: a checker that found nothing would pass anything.
  expect(files.length).toBeGreaterThan(50);
  const arrows = files.flatMap((f) => importsOf(f, readFileSync(path.join(SRC, f), 'utf8'))).filter((ref) => ref.specifier?.startsWith('.'));
  expect(arrows.length).toBeGreaterThan(200);
  const violations = checkTree(SRC, layers).map(formatViolation);
  expect(violations, `arrows src/layers.json does not allow:\n${violations.join('\n')}`).toEqual([]);
});

test('src/layers.json names each folder and ground file of src/, and nothing that is not there', () => {
  const layers = loadLayers(LAYERS_FILE);
  const onDisk = readdirSync(SRC, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || entry.name.endsWith('.ts'))
    .map((entry) => entry.name)
    .sort();
  expect(Object.keys(layers).sort()).toEqual(onDisk);
  // The plan's ground floor: errors.ts and log.ts import nothing of src, model/ only errors.ts.
  expect(layers['errors.ts']).toEqual([]);
  expect(layers['log.ts']).toEqual([]);
  expect(layers.model).toEqual(['errors.ts']);
  expect(layers.store).not.toContain('site');
  expect(layers.media).not.toContain('download');
  expect(layers.run).not.toContain('cli');
});

test('a forbidden import is reported with its file and line', () => {
  const layers = loadLayers(LAYERS_FILE);
  const source = [
    '// An index module that reaches into the site adapter.',
    "import type { RemoteItem } from '../model/remote-item.js';",
    "import { rpc } from '../site/x.js';",
    "import { KeepError } from '../errors.js';",
  ].join('\n');
  const violations = checkSource('store/items.ts', source, layers);
  expect(violations).toEqual([{ file: 'store/items.ts', line: 3, specifier: '../site/x.js', reason: 'store/ may not import site/' }]);
  expect(violations.map(formatViolation)).toEqual(['src/store/items.ts:3 imports ../site/x.js (store/ may not import site/)']);
});

test('every form of import is seen, and text that only looks like one is not', () => {
  const layers = loadLayers(LAYERS_FILE);
  const source = [
    'import {', //                                                        1: multi-line, reported at its start
    '  sanitiseFileName,',
    "} from '../download/names.js';",
    "export { downloadItem } from '../download/item.js';", //            4
    "export * from '../run/sync.js';", //                                 5
    "import type { Db } from '../store/database.js';", //                 6: type-only arrows count too
    "type Tokens = import('../site/types.js').WizTokens;", //            7
    "const later = () => import('../adopt/folder.js');", //              8
    "// import { a } from '../site/commented.js';", //                   9: a comment
    'const text = "import { b } from \'../site/string.js\'";', //        10: a string
    "import { c } from './sibling.js';", //                               11: its own folder
    "import { d } from '../folder/names.js';", //                         12: allowed
    "import pino from 'pino'; import { readFile } from 'node:fs/promises';", // 13: packages
    'const chosen = await import(name);', //                             14: cannot be checked
  ].join('\n');
  const violations = checkSource('media/example.ts', source, layers);
  expect(violations.map((v) => [v.line, v.specifier])).toEqual([
    [1, '../download/names.js'],
    [4, '../download/item.js'],
    [5, '../run/sync.js'],
    [6, '../store/database.js'],
    [7, '../site/types.js'],
    [8, '../adopt/folder.js'],
    [14, null],
  ]);
  expect(formatViolation(violations[3])).toBe('src/media/example.ts:6 imports ../store/database.js (media/ may not import store/)');
});

test('ground files, deep folders, unknown parts and paths outside src/ are judged too', () => {
  const layers = loadLayers(LAYERS_FILE);
  expect(partOf('errors.ts')).toBe('errors.ts');
  expect(partOf('cli/commands/sync.ts')).toBe('cli');
  expect(checkSource('errors.ts', "import { logger } from './log.js';", layers).map(formatViolation)).toEqual([
    'src/errors.ts:1 imports ./log.js (errors.ts may not import log.ts)',
  ]);
  // Two levels down, the arrow still starts at cli/: cli may import anything of src.
  expect(checkSource('cli/commands/sync.ts', "import { runSync } from '../../run/sync.js';\nimport { x } from '../../errors.js';", layers)).toEqual([]);
  expect(checkSource('site/urls.ts', "\n\nimport { y } from '../../test/replica/x.js';", layers).map(formatViolation)).toEqual([
    'src/site/urls.ts:3 imports ../../test/replica/x.js (src/ may not import from outside src/)',
  ]);
  expect(checkSource('site/urls.ts', "import plan from '../layers.json';", layers).map(formatViolation)).toEqual([
    'src/site/urls.ts:1 imports ../layers.json (layers.json is not a part named in layers.json)',
  ]);
  expect(checkSource('widgets/knob.ts', '', layers).map(formatViolation)).toEqual(['src/widgets/knob.ts:1 (widgets/ is not a part named in layers.json)']);
});

test('a layers file that names a part it does not define is refused', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'layers-'));
  try {
    const file = path.join(dir, 'layers.json');
    writeFileSync(file, JSON.stringify({ layers: { store: ['model'] } }));
    expect(() => loadLayers(file)).toThrow('"store" may import "model", which is not a part');
    writeFileSync(file, JSON.stringify({ layers: { model: ['model'] } }));
    expect(() => loadLayers(file)).toThrow('lists itself');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
