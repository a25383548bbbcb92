#!/usr/bin/env node
// Does a run's cost grow with the cache's history? The seed project with a ~400 KB Terramate
// file, checked once on an empty cache, then again after each of N edits of that file (each
// a new content, so a new parse to keep): wall time, peak RSS and the bytes under the cache
// directory per run, and the ratios of the later runs to the first, measured in this run.
// Usage: node bench/cache-growth.mjs [--edits N] [--kb SIZE]
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GNU_TIME, measure, median } from './measure.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { edits: { type: 'string', default: '30' }, kb: { type: 'string', default: '400' } } });
const edits = Number(values.edits);
const targetBytes = Number(values.kb) * 1024;
const { DEFAULT_BUDGET_BYTES } = await import(join(repo, 'dist', 'cache', 'results.js'));

/** A Terramate file of globals, about `bytes` long; `edit` changes one value. */
function globalsFile(bytes, edit) {
  const lines = ['globals {'];
  for (let index = 0; lines.join('\n').length < bytes; index++) lines.push(`  setting_${index} = { name = "svc-${index}", replicas = ${index % 7}, tags = ["a", "b"] }`);
  lines.push(`  edited = ${edit}`, '}', '');
  return lines.join('\n');
}

function bytesUnder(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(path) : statSync(path).size;
  }
  return total;
}

const base = mkdtempSync(join(tmpdir(), 'tm-doctor-cache-growth-'));
const project = join(base, 'project');
const cache = join(base, 'cache');
cpSync(join(repo, 'fixtures', 'seed-blog'), project, { recursive: true });
const env = { PATH: process.env.PATH, HOME: base, XDG_CACHE_HOME: cache };
const command = [process.execPath, join(repo, 'bin', 'run.js'), 'check', project, '--no-exec', '--format', 'json'];
const file = join(project, 'globals.tm.hcl');
const runs = [];
try {
  for (let edit = 0; edit <= edits; edit++) {
    writeFileSync(file, globalsFile(targetBytes, edit));
    const result = measure(command, env);
    if (result.status !== 1) throw new Error(`check exited ${result.status}: ${result.stderr}`);
    runs.push({ ...result, cacheBytes: bytesUnder(join(cache, 'tm-doctor')) });
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

const [first] = runs;
const later = runs.slice(1);
const mb = (bytes) => (bytes / 1024 / 1024).toFixed(2);
console.log(`${process.version}; a ${values.kb} KB Terramate file, ${edits} edits; peak RSS from ${GNU_TIME ?? 'resourceUsage()'}; results budget ${mb(DEFAULT_BUDGET_BYTES)} MB`);
console.log('run    ms    RSS MB  cache MB');
runs.forEach((run, index) => console.log(`${String(index).padStart(3)} ${run.ms.toFixed(0).padStart(6)} ${run.rssMb.toFixed(1).padStart(8)} ${mb(run.cacheBytes).padStart(8)}`));
const last = later.slice(-10);
console.log(
  [
    `first run ${first.ms.toFixed(0)} ms, ${first.rssMb.toFixed(1)} MB`,
    `last 10 edits: median ${median(last.map((run) => run.ms)).toFixed(0)} ms (${(median(last.map((run) => run.ms)) / first.ms).toFixed(2)}x), ` +
      `peak RSS max ${Math.max(...last.map((run) => run.rssMb)).toFixed(1)} MB (${(Math.max(...last.map((run) => run.rssMb)) / first.rssMb).toFixed(2)}x)`,
    `cache: ${mb(first.cacheBytes)} MB after the first run, at most ${mb(Math.max(...runs.map((run) => run.cacheBytes)))} MB (budget of the results ${mb(DEFAULT_BUDGET_BYTES)} MB + reports)`,
  ].join('\n'),
);
