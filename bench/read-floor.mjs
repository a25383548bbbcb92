#!/usr/bin/env node
// The read floor of bench/monorepo.mjs: one Node process that walks DIR (no .git,
// node_modules or .terraform, no symbolic links followed) and reads every file a check of
// the generated monorepo needs: in parallel (fs.promises, a bounded number of calls in
// flight), or with --sync one synchronous call after another (on a machine where each system
// call is costly, the thread pool's round trips can cost more than they overlap). With
// --parse, synchronously as with --sync, and each HCL file is parsed by the CLI's fast reader
// (dist/parsers/hcl-fast.js, the cheapest parse a check makes of it): the least any check of
// these files costs, whatever else it does.
// Prints `files bytes` on stdout.
// Usage: node bench/read-floor.mjs DIR [CONCURRENCY | --sync | --parse]
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = process.argv[2];
const parse = process.argv[3] === '--parse';
const sync = parse || process.argv[3] === '--sync';
const concurrency = sync ? 1 : Number(process.argv[3] ?? 64);
const HCL = /(\.tm|\.tm\.hcl|\.terraform\.lock\.hcl)$/;
const parseHclFast = parse ? (await import(pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'parsers', 'hcl-fast.js')).href)).parseHclFast : null;
const SKIPPED = new Set(['.git', 'node_modules', '.terraform']);
// What tm-doctor reads of such a project: Terramate files, lock files, Makefiles, workflows.
// Not the stacks' Terraform files: with a lock file their providers are not needed, and their
// required_version only tells OpenTofu's versions apart (the project runs Terraform).
const NEEDED = /(\.tm|\.tm\.hcl|\.terraform\.lock\.hcl|\.mk|\/Makefile|\/\.github\/workflows\/[^/]+\.ya?ml)$/;

let files = 0;
let bytes = 0;
let active = 0;
const waiting = [];
async function limited(work) {
  if (active >= concurrency) await new Promise((wake) => waiting.push(wake));
  active++;
  try {
    return await work();
  } finally {
    active--;
    waiting.shift()?.();
  }
}

async function read(path) {
  const text = await readFile(path, 'utf8');
  files++;
  bytes += Buffer.byteLength(text);
}

async function walk(dir) {
  const entries = await limited(() => readdir(dir, { withFileTypes: true }));
  const work = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) work.push(walk(path));
    } else if (entry.isFile() && NEEDED.test(path)) work.push(limited(() => read(path)));
  }
  await Promise.all(work);
}

function walkSync(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) walkSync(path);
    } else if (entry.isFile() && NEEDED.test(path)) {
      const text = readFileSync(path, 'utf8');
      files++;
      bytes += Buffer.byteLength(text);
      // A file the fast reader declines costs a check HashiCorp's parser, more: still a lower bound.
      if (parseHclFast && HCL.test(path)) parseHclFast(path, text);
    }
  }
}

if (sync) walkSync(root);
else await walk(root);
console.log(`${files} ${bytes}`);
