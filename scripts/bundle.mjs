#!/usr/bin/env node
// Run by `prepack` after tsc: replaces dist/cli/fast-check.js (what `tm-doctor check` loads,
// see bin/run.js) with one ES module holding it and every module of ours it imports. The
// installed CLI then opens and links one file instead of about a hundred, which a pre-commit
// hook pays on every commit (bench/startup.mjs measures it). Packages stay separate imports:
// they load lazily, each only when a run needs it. Modules resolving files relative to
// themselves (package.json, schema/) sit two levels below the package root, as this one does.
import { buildSync } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
buildSync({
  absWorkingDir: root,
  entryPoints: ['src/cli/fast-check.ts'],
  outfile: 'dist/cli/fast-check.js',
  allowOverwrite: true,
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  legalComments: 'none',
  logLevel: 'warning',
});
