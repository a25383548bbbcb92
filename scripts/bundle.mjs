#!/usr/bin/env node
// Run by `prepack` after tsc: replaces dist/cli/fast-check.js and dist/cli/replay.js
// (what `tm-doctor check` loads, see bin/run.js) with one ES module each, holding it and every
// module of ours it imports (each bundle self-contained; what both must share lives on
// globalThis). The installed CLI then opens and links one file instead of about a hundred,
// which a pre-commit hook pays on every commit (bench/startup.mjs measures it). Packages stay
// separate imports: they load lazily, each only when a run needs it. Modules resolving
// files relative to themselves (package.json, schema/) sit two levels below the package root,
// as this one does.
import { buildSync } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
buildSync({
  absWorkingDir: root,
  entryPoints: ['src/cli/fast-check.ts', 'src/cli/replay.ts'],
  outdir: 'dist/cli',
  allowOverwrite: true,
  bundle: true,
  external: Object.keys(dependencies),
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  legalComments: 'none',
  logLevel: 'warning',
});
// Written after the bundles: src/cli/report-key.ts then knows the build is these two files
// (a later tsc build rewrites them with newer times and is walked file by file instead).
writeFileSync(join(root, 'dist', 'cli', 'bundled.json'), `${JSON.stringify({ bundles: ['fast-check.js', 'replay.js'] })}\n`);
