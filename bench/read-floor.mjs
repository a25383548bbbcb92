#!/usr/bin/env node
// The read floor of bench/monorepo.mjs: one Node process that walks DIR (no .git,
// node_modules or .terraform, no symbolic links followed) and reads every file a check of
// the generated monorepo needs: in parallel (fs.promises, a bounded number of calls in
// flight), or with --sync one synchronous call after another (on a machine where each system
// call is costly, the thread pool's round trips can cost more than they overlap).
// Prints `files bytes` on stdout.
// Usage: node bench/read-floor.mjs DIR [CONCURRENCY | --sync]
import { readdirSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

const root = process.argv[2];
const sync = process.argv[3] === '--sync';
const concurrency = sync ? 1 : Number(process.argv[3] ?? 64);
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
    }
  }
}

if (sync) walkSync(root);
else await walk(root);
console.log(`${files} ${bytes}`);
