// Renders the README's option list from the one options table (src/cli/options.ts), so the
// README, the config keys and commander can never disagree.
//
//   node dist/scripts/options-doc.js                 print the block
//   node dist/scripts/options-doc.js --write FILE    replace the block between the markers in FILE
//   node dist/scripts/options-doc.js --check FILE    exit 1 if FILE's block is not the rendering
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CONFIG_ENV } from '../src/cli/config.js';
import { type OptionDef, longName, optionTable } from '../src/cli/options.js';

export const START_MARKER = '<!-- options:start -->';
export const END_MARKER = '<!-- options:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(text: string): string {
  // A pipe splits a table cell even inside a code span unless escaped.
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
}

function defaultOf(def: OptionDef): string {
  if (def.default === undefined) return '';
  return code(String(def.default));
}

function describe(def: OptionDef): string {
  const notes: string[] = [];
  if (def.min !== undefined && def.max !== undefined) notes.push(`${def.min}–${def.max}`);
  else if (def.min !== undefined) notes.push(`at least ${def.min}`);
  if (def.choices) notes.push(`one of ${def.choices.map((c) => `\`${c}\``).join(', ')}`);
  if (def.secret) notes.push('a secret: never logged or written to a report');
  if (def.type === 'bool') notes.push(`\`--no-${longName(def)}\` turns it off`);
  return cell(def.description) + (notes.length > 0 ? ` (${notes.join('; ')})` : '');
}

/** The whole block, markers included, ending with a newline. */
export function renderOptionsDoc(): string {
  const rows = [
    '| flag | config key | env | default | commands | description |',
    '| --- | --- | --- | --- | --- | --- |',
    ...optionTable.map((def) =>
      [def.flags, def.key, def.env ?? '', defaultOf(def), def.commands.join(', '), describe(def)]
        .map((value, i) => (i === 0 || i === 1 || (i === 2 && value !== '') ? code(value) : value))
        .join(' | '),
    ).map((row) => `| ${row} |`),
    `| ${code('--config <file>')} |  | ${code(CONFIG_ENV)} | ${code('$XDG_CONFIG_HOME/gphotos-keep/config.json')} | all | the config file: one JSON object whose keys are the config keys above |`,
  ];
  return [START_MARKER, ...rows, END_MARKER, ''].join('\n');
}

/** The text between the markers (markers included) in `text`, or null. */
export function extractBlock(text: string): string | null {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  if (start < 0 || end < start) return null;
  return `${text.slice(start, end + END_MARKER.length)}\n`;
}

export function replaceBlock(text: string, block: string): string {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`the markers ${START_MARKER} … ${END_MARKER} are missing`);
  return text.slice(0, start) + block.trimEnd() + text.slice(end + END_MARKER.length);
}

function main(argv: string[]): number {
  const [flag, file] = argv;
  const block = renderOptionsDoc();
  if (!flag) {
    process.stdout.write(block);
    return 0;
  }
  if ((flag === '--write' || flag === '--check') && file) {
    const text = readFileSync(file, 'utf8');
    if (flag === '--check') {
      const ok = extractBlock(text) === block;
      if (!ok) process.stderr.write(`${file}: the option list is not the rendering of src/cli/options.ts; run: node dist/scripts/options-doc.js --write ${file}\n`);
      return ok ? 0 : 1;
    }
    writeFileSync(file, replaceBlock(text, block));
    return 0;
  }
  process.stderr.write('usage: options-doc [--write FILE | --check FILE]\n');
  return 2;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
