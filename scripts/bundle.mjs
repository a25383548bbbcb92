#!/usr/bin/env node
// Run by `prepack` after tsc: replaces dist/cli/fast-check.js and dist/cli/replay.js
// (what `tm-doctor check` loads, see bin/run.js) with one ES module each, holding it and every
// module of ours it imports (each bundle self-contained; what both must share lives on
// globalThis). The installed CLI then opens and links one file instead of about a hundred,
// which a pre-commit hook pays on every commit (bench/startup.mjs measures it). Packages stay separate imports
// (but globby, see below): they load lazily, each only when a run needs it. Modules resolving
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
  // Packages stay external, loaded as needed, but for globby: the walk needs it on every full
  // check, and its forty-odd modules (fast-glob, micromatch...) cost more to load apart than
  // the walk itself on a small project.
  external: Object.keys(dependencies).filter((name) => name !== 'globby'),
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: 'tsconfig.build.json',
  legalComments: 'none',
  // globby's CommonJS modules require Node's built-ins: an ES module has no `require` of its own.
  banner: { js: "import { createRequire as createRequireForBundle } from 'node:module'; const require = createRequireForBundle(import.meta.url);" },
  logLevel: 'warning',
});
// Written after the bundles: src/cli/report-key.ts then knows the build is these two files
// (a later tsc build rewrites them with newer times and is walked file by file instead).
writeFileSync(join(root, 'dist', 'cli', 'bundled.json'), `${JSON.stringify({ bundles: ['fast-check.js', 'replay.js'] })}\n`);
