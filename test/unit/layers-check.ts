// Checks the arrows between the parts of src/ against src/layers.json: every relative import
// (static, `export … from`, `import type`, `import('…')` in code and in types) is read from the
// TypeScript syntax tree, so an import named in a comment or a string is never taken for one,
// and the importing and imported files are mapped to their part (a folder of src/, or a ground
// file directly in src/). Kept apart from the spec so the spec can feed it made-up sources.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** Part → the parts it may import (besides itself). */
export type Layers = Record<string, string[]>;

export interface ImportRef {
  /** 1-based line where the import statement (or the `import(…)` call) starts. */
  line: number;
  /** The module specifier as written, or null for a computed `import(expr)`. */
  specifier: string | null;
}

export interface Violation {
  /** Path inside src/, with forward slashes (`store/items.ts`). */
  file: string;
  line: number;
  specifier: string | null;
  /** Why the arrow is refused. */
  reason: string;
}

/** Reads and sanity-checks layers.json: every part named in a list is itself a part. */
export function loadLayers(file: string): Layers {
  const layers = (JSON.parse(readFileSync(file, 'utf8')) as { layers?: unknown }).layers;
  if (typeof layers !== 'object' || layers === null || Array.isArray(layers)) throw new Error(`${file}: "layers" is an object of part → allowed parts`);
  const parts = new Set(Object.keys(layers));
  for (const [part, allowed] of Object.entries(layers as Record<string, unknown>)) {
    if (!Array.isArray(allowed) || !allowed.every((a) => typeof a === 'string')) throw new Error(`${file}: "${part}" lists the parts it may import`);
    for (const target of allowed as string[]) {
      if (!parts.has(target)) throw new Error(`${file}: "${part}" may import "${target}", which is not a part`);
      if (target === part) throw new Error(`${file}: "${part}" lists itself (a part may always import itself)`);
    }
  }
  return layers as Layers;
}

/** Every module reference in one source text, with its line. */
export function importsOf(fileName: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: ImportRef[] = [];
  const lineOf = (node: ts.Node): number => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const literal = (node: ts.Node | undefined): string | null => (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : null);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) found.push({ line: lineOf(node), specifier: literal(node.moduleSpecifier) });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      found.push({ line: lineOf(node), specifier: literal(node.moduleReference.expression) });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      found.push({ line: lineOf(node), specifier: literal(node.arguments[0]) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      found.push({ line: lineOf(node), specifier: literal(node.argument.literal) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `site/rpc-client.ts` → `site`; `errors.ts` → `errors.ts`; a `.js` specifier names its `.ts` source. */
export function partOf(pathInSrc: string): string {
  const [first, ...rest] = pathInSrc.split('/');
  if (rest.length > 0) return first;
  return first.replace(/\.(js|mjs|cjs)$/, '.ts').replace(/^([^.]+)$/, '$1.ts');
}

/** `site/` for a folder, `errors.ts` for a ground file. */
function label(part: string): string {
  return part.includes('.') ? part : `${part}/`;
}

/** The arrows of one file (`file`: its path inside src/) that layers.json does not allow. */
export function checkSource(file: string, text: string, layers: Layers): Violation[] {
  const from = partOf(file);
  const allowed = layers[from];
  const refs = importsOf(file, text);
  if (!allowed) return [{ file, line: 1, specifier: null, reason: `${label(from)} is not a part named in layers.json` }];
  const violations: Violation[] = [];
  for (const ref of refs) {
    if (ref.specifier === null) {
      violations.push({ file, line: ref.line, specifier: null, reason: 'a computed import(…) cannot be checked: name the module' });
      continue;
    }
    // node: built-ins and npm packages are outside the picture.
    if (!ref.specifier.startsWith('./') && !ref.specifier.startsWith('../')) continue;
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), ref.specifier));
    if (target === '..' || target.startsWith('../')) {
      violations.push({ file, line: ref.line, specifier: ref.specifier, reason: 'src/ may not import from outside src/' });
      continue;
    }
    const to = partOf(target);
    if (to === from || allowed.includes(to)) continue;
    const reason = layers[to] ? `${label(from)} may not import ${label(to)}` : `${label(to)} is not a part named in layers.json`;
    violations.push({ file, line: ref.line, specifier: ref.specifier, reason });
  }
  return violations;
}

/** Every .ts file under `srcDir`, as paths inside it with forward slashes, sorted. */
export function sourceFiles(srcDir: string): string[] {
  return (readdirSync(srcDir, { recursive: true, encoding: 'utf8' }) as string[])
    .map((entry) => entry.split(path.sep).join('/'))
    .filter((entry) => entry.endsWith('.ts'))
    .sort();
}

export function checkTree(srcDir: string, layers: Layers): Violation[] {
  return sourceFiles(srcDir).flatMap((file) => checkSource(file, readFileSync(path.join(srcDir, file), 'utf8'), layers));
}

/** `src/store/items.ts:3 imports ../site/types.js (store/ may not import site/)` */
export function formatViolation(violation: Violation): string {
  const what = violation.specifier === null ? '' : ` imports ${violation.specifier}`;
  return `src/${violation.file}:${violation.line}${what} (${violation.reason})`;
}
