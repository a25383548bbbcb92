#!/usr/bin/env node
// `tm-doctor check --no-exec --format json` on generated monorepos of 500, 2,000 and 5,000
// stacks (a stack file, main.tf and a lock file each; a root terramate.tm.hcl and a
// config.tm.hcl with `config.run.env` per group directory; a Makefile with includes; two
// workflows), against the read floor: one Node process that walks the same tree and reads
// every file the check needs (bench/read-floor.mjs), in parallel with fs.promises and, as a
// second candidate, synchronously; the faster median is the floor. Beside it the read-and-parse
// floor: the synchronous read with every HCL file parsed by the CLI's fast reader, the least
// any check of those files can cost. Per size: the first run
// (empty result cache), then the check (which reuses the report stored by an earlier identical
// run when nothing changed), both floors and the check with no stored report to reuse, in turn,
// round after round, and a check on an empty cache directory (a fresh CI runner); then a warm check of
// the seed project against `node -e 0`; medians of the wall times, peak RSS (GNU time's %M, else the child's own maxRSS), files read (the
// CLI prints its counts on stderr under TM_DOCTOR_STATS=1) and the ratios.
// Usage: node bench/monorepo.mjs [--runs N] [--prefix DIR] [--keep] [sizes...]
//   (default sizes 500 2000 5000; --prefix: an installed package's prefix instead of bin/run.js)
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateMonorepo } from './generate-monorepo.mjs';
import { GNU_TIME, measure, median } from './measure.mjs';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '7' }, prefix: { type: 'string' }, keep: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));
const sizes = positionals.length ? positionals.map(Number) : [500, 2000, 5000];
const cli = values.prefix ? [join(resolve(values.prefix), 'bin', 'tm-doctor')] : [process.execPath, join(repo, 'bin', 'run.js')];
const summary = [];
console.log(`${process.version}, ${execFileSync('nproc').toString().trim()} cores; CLI: ${cli.join(' ')}; ${runs} runs per size; peak RSS from ${GNU_TIME ?? 'resourceUsage()'}`);
for (const stacks of sizes) {
  const dir = generateMonorepo(stacks);
  // Files written within 3 s keep a report from being stored (util/dependency-record.ts).
  await new Promise((settled) => setTimeout(settled, 3_300));
  const base = mkdtempSync(join(tmpdir(), 'tm-doctor-monorepo-home-'));
  const env = { PATH: process.env.PATH, HOME: base, XDG_CACHE_HOME: join(base, 'cache'), TM_DOCTOR_STATS: '1' };
  try {
    // A stored report (src/cache/reports.ts) is reused while nothing changed; a new
    // --handshake-timeout each time makes another key: the check itself, result cache warm.
    let distinct = 20_000;
    let emptyCaches = 0;
    const check = (storedReport = true, runEnv = env) => {
      const extra = storedReport ? [] : ['--handshake-timeout', String(distinct++)];
      const run = measure([...cli, 'check', dir, '--no-exec', '--format', 'json', ...extra], runEnv);
      if (run.status !== 0 && run.status !== 1) throw new Error(`exit ${run.status}: ${run.stderr}`);
      const stats = /files read (\d+)/.exec(run.stderr);
      return { ...run, filesRead: stats ? Number(stats[1]) : NaN, findings: JSON.parse(run.stdout).findings.length, reused: /stored report reused/.test(run.stderr) };
    };
    const floor = (...mode) => {
      const run = measure([process.execPath, join(repo, 'bench', 'read-floor.mjs'), dir, ...mode], env);
      const [files, bytes] = run.stdout.trim().split(' ').map(Number);
      return { ...run, files, bytes };
    };
    // As on a fresh CI runner: a cache directory of its own, empty.
    const cold = () => check(false, { ...env, XDG_CACHE_HOME: join(base, `empty-${emptyCaches++}`) });
    const first = check();
    const checks = [];
    const unstored = [];
    const colds = [];
    const parallelFloors = [];
    const syncFloors = [];
    const parseFloors = [];
    for (let round = 0; round < runs; round++) {
      parallelFloors.push(floor());
      checks.push(check());
      syncFloors.push(floor('--sync'));
      parseFloors.push(floor('--parse'));
      unstored.push(check(false));
      colds.push(cold());
    }
    const coldMs = median(colds.map((run) => run.ms));
    const checkMs = median(checks.map((run) => run.ms));
    const unstoredMs = median(unstored.map((run) => run.ms));
    const parallelMs = median(parallelFloors.map((run) => run.ms));
    const syncMs = median(syncFloors.map((run) => run.ms));
    const floors = parallelMs <= syncMs ? parallelFloors : syncFloors;
    const floorMs = Math.min(parallelMs, syncMs);
    const parseFloorMs = median(parseFloors.map((run) => run.ms));
    const row = {
      stacks,
      firstMs: first.ms,
      firstRssMb: first.rssMb,
      checkMs,
      rssMb: Math.max(...checks.map((run) => run.rssMb)),
      unstoredMs,
      unstoredRssMb: Math.max(...unstored.map((run) => run.rssMb)),
      coldMs,
      coldRssMb: Math.max(...colds.map((run) => run.rssMb)),
      filesRead: checks[0].filesRead,
      floorMs,
      parseFloorMs,
      floorFiles: floors[0].files,
      floorBytes: floors[0].bytes,
      findings: checks[0].findings,
    };
    summary.push(row);
    console.log(
      `${String(stacks).padStart(5)} stacks: check ${checkMs.toFixed(0)} ms (median; min ${Math.min(...checks.map((run) => run.ms)).toFixed(0)}), ` +
        `peak RSS ${row.rssMb.toFixed(0)} MB, files read ${row.filesRead}, ${row.findings} findings | ` +
        `read floor ${floorMs.toFixed(0)} ms (parallel ${parallelMs.toFixed(0)}, sync ${syncMs.toFixed(0)}; ${row.floorFiles} files, ${(row.floorBytes / 1024 / 1024).toFixed(1)} MiB) | ` +
        `read and parse floor ${parseFloorMs.toFixed(0)} ms, ${(parseFloorMs / floorMs).toFixed(2)}x the read floor | ` +
        `ratio to the floor ${(checkMs / floorMs).toFixed(2)}x (stored report reused in ${checks.filter((run) => run.reused).length} of ${checks.length}) | ` +
        `cold (empty cache directory): ${coldMs.toFixed(0)} ms, ${(coldMs / floorMs).toFixed(2)}x the floor (${(coldMs / parseFloorMs).toFixed(2)}x read and parse), peak RSS ${row.coldRssMb.toFixed(0)} MB | ` +
        `no stored report (results store warm): ${unstoredMs.toFixed(0)} ms, ${(unstoredMs / floorMs).toFixed(2)}x the floor, peak RSS ${row.unstoredRssMb.toFixed(0)} MB, files read ${unstored[0].filesRead} | ` +
        `first run (empty result cache) ${first.ms.toFixed(0)} ms, ${first.rssMb.toFixed(0)} MB`,
    );
  } finally {
    if (values.keep) console.log(`  kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
    rmSync(base, { recursive: true, force: true });
  }
}
const at = (stacks) => summary.find((row) => row.stacks === stacks);
if (at(5000) && at(2000)) {
  console.log(
    `5000/2000 stacks: check ${(at(5000).checkMs / at(2000).checkMs).toFixed(2)}x, cold ${(at(5000).coldMs / at(2000).coldMs).toFixed(2)}x, no stored report ${(at(5000).unstoredMs / at(2000).unstoredMs).toFixed(2)}x, read floor ${(at(5000).floorMs / at(2000).floorMs).toFixed(2)}x, read and parse ${(at(5000).parseFloorMs / at(2000).parseFloorMs).toFixed(2)}x`,
  );
}

// The third path: a warm check of the seed project (a stored report replayed) against `node -e 0`.
{
  const base = mkdtempSync(join(tmpdir(), 'tm-doctor-monorepo-seed-'));
  const project = join(base, 'seed-blog');
  cpSync(join(repo, 'fixtures', 'seed-blog'), project, { recursive: true });
  const env = { PATH: process.env.PATH, HOME: base, XDG_CACHE_HOME: join(base, 'cache'), TM_DOCTOR_STATS: '1' };
  try {
    // A file changed within 3 s keeps a report from being stored (util/dependency-record.ts).
    await new Promise((settled) => setTimeout(settled, 3_300));
    measure([...cli, 'check', project, '--no-exec'], env);
    const seed = [];
    const bare = [];
    for (let round = 0; round < Math.max(runs, 5); round++) {
      bare.push(measure([process.execPath, '-e', '0'], env).ms);
      const run = measure([...cli, 'check', project, '--no-exec'], env);
      seed.push({ ms: run.ms, reused: /stored report reused/.test(run.stderr) });
    }
    const seedMs = median(seed.map((run) => run.ms));
    console.log(`seed project, warm: ${seedMs.toFixed(0)} ms, ${(seedMs / median(bare)).toFixed(2)}x node -e 0 (${median(bare).toFixed(0)} ms; stored report reused in ${seed.filter((run) => run.reused).length} of ${seed.length})`);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
