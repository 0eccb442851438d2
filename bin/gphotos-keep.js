#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (the README's set-up does it).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const main = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write('gphotos-keep is not built yet: run `npm run setup` (or `npm run build`) in the checkout first.\n');
  process.exit(1);
}
await import(main.href);
