// The TypeScript declarations (`*.d.mts`) of the oracle's JavaScript modules, generated from
// their JSDoc, so the TypeScript tests can import them with types (tsconfig has no allowJs).
//   node test/oracle/declarations.mjs          rewrites them (after you change a .mjs here)
//   node test/oracle/declarations.mjs --check  exits 1 when one is out of date
// race-oracle.test.ts checks them too.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
/** The modules that get declarations. */
export const MODULES = ['terraform.mjs', 'provider.mjs', 'terramate-stand-in.mjs', 'race-trial.mjs'];

/**
 * @param {string} module
 * @returns {string}
 */
function header(module) {
  return `// Generated from ${module} by test/oracle/declarations.mjs: do not edit, run \`node test/oracle/declarations.mjs\`.\n`;
}

/**
 * The declaration file text for each module, keyed by absolute `.d.mts` path.
 * @returns {Map<string, string>}
 */
export function generateDeclarations() {
  const outDir = join(here, '.declarations-out');
  const program = ts.createProgram(
    MODULES.map((module) => join(here, module)),
    {
      allowJs: true,
      declaration: true,
      emitDeclarationOnly: true,
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2023.d.ts'],
      types: ['node'],
      skipLibCheck: true,
      rootDir: here,
      outDir,
    },
  );
  /** @type {Map<string, string>} */
  const declarations = new Map();
  const result = program.emit(undefined, (fileName, text) => {
    const name = basename(fileName);
    const module = name.replace(/\.d\.mts$/, '.mjs');
    // (TypeScript copies a `#!` line, which is only allowed first in a file.)
    if (MODULES.includes(module)) declarations.set(join(here, name), header(module) + text.replace(/^#!.*\n/, ''));
  }, undefined, true);
  if (result.emitSkipped) throw new Error('TypeScript did not emit the declarations');
  return declarations;
}

/**
 * Declaration files that differ from what generateDeclarations makes (missing ones included).
 * @returns {string[]}
 */
export function staleDeclarations() {
  const stale = [];
  for (const [path, text] of generateDeclarations()) {
    let current = null;
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // missing
    }
    if (current !== text) stale.push(path);
  }
  return stale;
}

function isMain() {
  try {
    return process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  if (process.argv.includes('--check')) {
    const stale = staleDeclarations();
    for (const path of stale) console.error(`out of date: ${path}`);
    process.exitCode = stale.length > 0 ? 1 : 0;
  } else {
    for (const [path, text] of generateDeclarations()) writeFileSync(path, text);
  }
}
