#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { arch, release } from 'node:os';

// Ctrl-C and SIGTERM end any run with 130/143, start-up included (src/util/interrupts.ts).
(await import('../dist/util/interrupts.js')).installInterruptHandlers();

// `tm-doctor [DIR]` and `tm-doctor --format json` mean `tm-doctor check ...`; a directory named
// like a command is checked with `tm-doctor check DIR` (or `./DIR`). `-h`/`-v` first are
// `--help`/`--version`, as in other oclif CLIs (oclif itself knows only the long forms).
const COMMANDS = new Set(['check', 'rules', 'explain', 'help', 'version']);
const TOP_LEVEL_FLAGS = new Set(['--help', '--version']);
const SHORT_TOP_LEVEL_FLAGS = new Map([['-h', '--help'], ['-v', '--version']]);
const args = process.argv.slice(2);
if (SHORT_TOP_LEVEL_FLAGS.has(args[0])) args[0] = SHORT_TOP_LEVEL_FLAGS.get(args[0]);
if (!(args[0] && (COMMANDS.has(args[0]) || TOP_LEVEL_FLAGS.has(args[0])))) args.unshift('check');

/** oclif's `--version` line (its userAgent), without loading oclif; false where oclif must say it. */
function printVersion() {
  // oclif names the platform `wsl` under WSL: left to oclif (is-wsl's own tests, cheapest first).
  if (process.platform === 'linux') {
    if (release().toLowerCase().includes('microsoft')) return false;
    try {
      if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) return false;
    } catch {
      // No /proc: not WSL either.
    }
    if (existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') || existsSync('/run/WSL')) return false;
  }
  const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(`${name}/${version} ${process.platform}-${cpu} node-${process.version}\n`);
  return true;
}

/**
 * A pre-commit hook pays this start-up on every commit. V8's compile cache (Node >= 22.1)
 * lets later runs skip parsing and compiling the CLI's modules. It goes where the result cache
 * goes, never into TMPDIR (Node's default), which belongs to the user's other programs, and
 * only while that directory is the user's own: compiled code from it is run (src/cache/directory.ts).
 */
async function enableCompileCache() {
  const { default: module } = await import('node:module');
  if (!module.enableCompileCache) return;
  const { CacheDirectory } = await import('../dist/cache/directory.js');
  const compileCache = CacheDirectory.open(process.env).subdirectory('compile-cache');
  if (compileCache) module.enableCompileCache(compileCache);
}

/**
 * HashiCorp's HCL parser is a large wasm module: baseline compilation halves a cold start.
 * Set only where a run may parse HCL: `--version` and a replayed report do not load node:v8
 * (nor `--version` the compile cache's modules), milliseconds of their start-up (bench/startup.mjs).
 */
async function compileWasmBaselineOnly() {
  (await import('node:v8')).setFlagsFromString('--liftoff-only');
}

// DEBUG asks for oclif's own traces: oclif then runs everything.
const debug = Boolean(process.env.DEBUG);
let handled = !debug && (args[0] === '--version' || (args[0] === 'version' && args.length === 1)) && printVersion();
if (!handled) await enableCompileCache();
if (!handled && !debug && args[0] === 'check') {
  // A report stored by an earlier identical run whose every dependency is unchanged (src/cli/replay.ts).
  handled = (await import('../dist/cli/replay.js')).replayStoredReport(args.slice(1));
  if (!handled) {
    await compileWasmBaselineOnly();
    handled = await (await import('../dist/cli/fast-check.js')).runFastCheck(args.slice(1));
  }
}
if (!handled) {
  await compileWasmBaselineOnly();
  const { execute } = await import('@oclif/core');
  await execute({ args, dir: import.meta.url });
}
