#!/usr/bin/env node
// The discovery walk alone (`discoverFiles` of src/analysis/discover.ts) on a generated
// monorepo, each time in a fresh process as a check runs it (cold: modules loaded and code
// compiled in that run), against a plain synchronous walk of the same tree (readdir of every
// directory and a stat of each, as the recording file system asks). Other builds can be put
// beside the current one, e.g. the globby walk of 7e3de50 (README, "Why the walk is our own"),
// built where globby is installed:
//   git worktree add /tmp/globby-walk 7e3de50 && cd /tmp/globby-walk && npm ci && npx tsc -p tsconfig.build.json
//   node bench/discovery.mjs --dist /tmp/globby-walk/dist 5000
// Prints the medians of the import and of the walk per build, in turn round after round.
// Usage: node bench/discovery.mjs [--runs N] [--dist DIR]... [STACKS]
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generateMonorepo } from './generate-monorepo.mjs';
import { median } from './measure.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '7' }, dist: { type: 'string', multiple: true, default: [] } },
});
const runs = Math.max(1, Number(values.runs));
const stacks = Number(positionals[0] ?? 5000);
const builds = [join(repo, 'dist'), ...values.dist.map((dir) => resolve(dir))];

const TIMED = `
const [dist, dir] = process.argv.slice(1);
const started = performance.now();
const { discoverFiles } = await import(dist + '/analysis/discover.js');
const loaded = performance.now();
const found = await discoverFiles(dir, dir);
const walked = performance.now();
const files = [...found.byKind.values()].reduce((sum, list) => sum + list.length, 0);
console.log(JSON.stringify({ importMs: loaded - started, walkMs: walked - loaded, files }));
`;
const PLAIN = `
const { readdirSync, statSync } = await import('node:fs');
const { join } = await import('node:path');
const started = performance.now();
let entries = 0;
const walk = (dir) => {
  statSync(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    entries++;
    if (entry.isDirectory() && !['.git', 'node_modules', '.terraform'].includes(entry.name)) walk(join(dir, entry.name));
  }
};
walk(process.argv[1]);
console.log(JSON.stringify({ importMs: 0, walkMs: performance.now() - started, files: entries }));
`;

function run(code, args) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const dir = generateMonorepo(stacks);
try {
  const rows = [{ name: 'plain readdir + stat walk', sample: () => run(PLAIN, [dir]), results: [] }, ...builds.map((dist) => ({ name: dist, sample: () => run(TIMED, [pathToFileURL(dist).href, dir]), results: [] }))];
  for (let round = 0; round < runs; round++) for (const row of rows) row.results.push(row.sample());
  console.log(`${process.version}; ${stacks} stacks; medians of ${runs} fresh processes each, in turn`);
  const plainMs = median(rows[0].results.map((result) => result.walkMs));
  for (const row of rows) {
    const importMs = median(row.results.map((result) => result.importMs));
    const walkMs = median(row.results.map((result) => result.walkMs));
    console.log(`  ${row.name}: import ${importMs.toFixed(0)} ms, walk ${walkMs.toFixed(0)} ms (${(walkMs / plainMs).toFixed(2)}x the plain walk), ${row.results[0].files} ${row === rows[0] ? 'entries' : 'files'}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
