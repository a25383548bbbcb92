#!/usr/bin/env node
// What a pre-commit hook pays per commit, from the package as users install it: packs a copy of
// the working tree (`npm pack`, whose prepack builds it), installs the tarball into a temporary
// global prefix (`npm install -g --prefix`), then times `tm-doctor --version` and a warm
// `tm-doctor check` of a copy of fixtures/seed-blog (--no-exec; the result cache in a temp
// XDG_CACHE_HOME is filled by a first run that is not counted), with and without a stored
// report to reuse, against `node -e 0`. The commands are run in turn, round after round, so a
// busy machine slows them alike; the ratios are of the medians.
// Usage: node bench/startup.mjs [--runs N] [--prefix DIR]   (--prefix: reuse an installed prefix)
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './measure.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '11' }, prefix: { type: 'string' } } });
const runs = Math.max(7, Number(values.runs));
const base = mkdtempSync(join(tmpdir(), 'tm-doctor-bench-startup-'));


/** The working tree as a checkout would see it (tracked and untracked, minus ignored files). */
function copyWorkingTree(dest) {
  const listing = execFileSync('git', ['-C', repo, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' });
  for (const path of listing.split('\0')) {
    if (!path || !existsSync(join(repo, path))) continue;
    mkdirSync(dirname(join(dest, path)), { recursive: true });
    copyFileSync(join(repo, path), join(dest, path));
  }
}

function install() {
  const source = join(base, 'source');
  copyWorkingTree(source);
  symlinkSync(join(repo, 'node_modules'), join(source, 'node_modules'));
  const out = join(base, 'out');
  mkdirSync(out);
  const env = { ...process.env, npm_config_update_notifier: 'false' };
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: source, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const prefix = join(base, 'prefix');
  execFileSync('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', join(out, packed.filename)], { cwd: base, env, stdio: 'ignore' });
  console.log(`packed ${packed.filename} (${(packed.size / 1024).toFixed(0)} KiB, ${packed.entryCount} files), installed into ${prefix}`);
  return prefix;
}

try {
  const prefix = values.prefix ? resolve(values.prefix) : install();
  const bin = join(prefix, 'bin', 'tm-doctor');
  const project = join(base, 'seed-blog');
  cpSync(join(repo, 'fixtures', 'seed-blog'), project, { recursive: true });
  const home = join(base, 'home');
  mkdirSync(home);
  const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(base, 'xdg-cache'), TM_DOCTOR_STATS: '1' };
  // The warm check may print a report stored by an earlier identical run (src/cache/reports.ts);
  // a new --handshake-timeout each time makes another key, so that row measures the check itself
  // with a warm result cache.
  let distinct = 20_000;
  const reused = { stored: 0, runs: 0 };

  const time = (file, args, expectStatus) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(file, args, { env, cwd: base, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== expectStatus) throw new Error(`${file} ${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
    return { ms, result };
  };
  const commands = {
    'node -e 0': () => time(process.execPath, ['-e', '0'], 0),
    'tm-doctor --version': () => time(bin, ['--version'], 0),
    'tm-doctor check seed-blog --no-exec (warm)': () => {
      const run = time(bin, ['check', project, '--no-exec'], 1);
      reused.runs += 1;
      if (/stored report reused/.test(run.result.stderr)) reused.stored += 1;
      return run;
    },
    'check, no stored report (result cache warm)': () => time(bin, ['check', project, '--no-exec', '--handshake-timeout', String(distinct++)], 1),
  };
  // A file changed within 3 s before a run keeps its report from being stored (util/dependency-record.ts):
  // the copy must settle first, or the warm row would mix full checks into its median.
  await new Promise((settled) => setTimeout(settled, 3_300));
  const version = commands['tm-doctor --version']().result.stdout.trim();
  const first = commands['tm-doctor check seed-blog --no-exec (warm)']();
  console.log(`${version}; ${execFileSync('nproc').toString().trim()} cores; first check (fills the result cache) ${first.ms.toFixed(0)} ms`);
  const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
  for (let round = 0; round < runs; round++) for (const [name, run] of Object.entries(commands)) times[name].push(run().ms);
  const floor = median(times['node -e 0']);
  console.log(`medians of ${runs} runs each, interleaved; the warm check reused a stored report in ${reused.stored} of ${reused.runs} runs:`);
  for (const [name, list] of Object.entries(times)) {
    const ms = median(list);
    console.log(`  ${name.padEnd(44)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / floor).toFixed(2)}x node -e 0   (min ${Math.min(...list).toFixed(0)}, max ${Math.max(...list).toFixed(0)})`);
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}
