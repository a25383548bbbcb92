// Trials of the parallel-init plugin-cache race with the REAL terraform: a throw-away Terramate
// project whose stacks all need one big provider from a filesystem mirror, a CLI config with a
// shared plugin cache, the seed's Makefile, and the Terramate stand-in on PATH.
//
//   const provider = prepareProvider({ sizeMiB: 200 });               // ./provider.mjs
//   const project = await createRaceProject({ terraform, provider, lockFiles: 'none' });
//   try {
//     const result = await runTrial(project, ['make', 'init', 'dev', 'P', '5']);
//     // result.brokenStacks, result.wrongHashLocks, result.errors ...
//     await resetCache(project);                                      // cold again
//   } finally {
//     await disposeProject(project);
//   }
//
// Every process runs with a scrubbed environment (see trialEnvironment), in a process group of
// its own that is killed on timeout; processes carrying this project's marker are swept after
// each command, and disposeProject removes the whole temp directory.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PROVIDER_EXECUTABLE, PROVIDER_PLATFORM, PROVIDER_SOURCE, PROVIDER_VERSION, mirrorDir, sha256File } from './provider.mjs';
import { findTerraform, terraformVersion } from './terraform.mjs';
import { discoverStacks, findRoot, runEnvironment } from './terramate-stand-in.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(here, '../..');
const STAND_IN = join(here, 'terramate-stand-in.mjs');
const SEED_MAKEFILE = join(repoDir, 'fixtures/seed-blog/Makefile');
/** Environment variable naming the project in every process the oracle starts (for the sweep). */
const MARKER = 'TM_ORACLE_PROJECT';
const OUTPUT_CAP = 1024 * 1024;

/** The incident's command: the seed's Makefile, init of every dev stack, 5 at a time. */
export const INCIDENT = ['make', 'init', 'dev', 'P', '5'];

/** The lock-file variable, as a row sets it in the root config.run.env. */
export const MAY_BREAK_LOCK_ENV = { TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: 'true' };

/**
 * How many parallelism flags a command line carries (`--parallel`, `--parallel=N`, `-j N`, `-jN`).
 * @param {string} line
 * @returns {number}
 */
export function parallelismFlags(line) {
  return line.split(/\s+/).filter((word) => /^(--parallel(=.*)?|-j\d*)$/.test(word)).length;
}

/**
 * @typedef {import('./provider.mjs').OracleProvider} OracleProvider
 * @typedef {import('./provider.mjs').MirrorLayout} MirrorLayout
 *
 * @typedef {object} RaceProjectOptions
 * @property {string} [terraform]                absolute path of terraform (default: findTerraform().path)
 * @property {OracleProvider} provider           from prepareProvider()
 * @property {number} [stacks]                   default 10 (stacks/s01 .. stacks/s10, all tagged dev)
 * @property {'none' | 'complete'} [lockFiles]   default 'none'; 'complete': the lock file a serial
 *                                               `terraform init` writes, in every stack
 * @property {MirrorLayout} [mirrorLayout]       default 'packed'
 * @property {boolean} [sharedCache]             default true: plugin_cache_dir in the CLI config
 * @property {Record<string, string>} [env]      the root's config.run.env (HCL string templates:
 *                                               `${terramate.root.path.fs.absolute}` works)
 *
 * @typedef {object} RaceProject
 * @property {string} tempDir         everything lives here; removed by disposeProject
 * @property {string} root            the Terramate project (Makefile, terramate.tm.hcl, stacks/)
 * @property {string} home            HOME
 * @property {string} tmp             TMPDIR
 * @property {string} cacheDir        plugin_cache_dir (exists even without sharedCache, unused then)
 * @property {string} cliConfigFile   TF_CLI_CONFIG_FILE
 * @property {string} binDir          holds `terramate` (the stand-in)
 * @property {string} logFile         TM_STAND_IN_LOG
 * @property {string} terraform
 * @property {OracleProvider} provider
 * @property {string[]} stacks        project-relative stack dirs (`stacks/s01`, ...)
 * @property {'none' | 'complete'} lockFiles
 * @property {MirrorLayout} mirrorLayout
 * @property {boolean} sharedCache
 * @property {Record<string, string>} env
 * @property {string | null} lockFileText  the complete lock file ('complete' rows), else null
 * @property {Record<string, string>} baseEnv  the scrubbed environment every command gets
 * @property {string[]} extraCacheDirs  more plugin caches resetCache empties (push one when a row
 *                                      points TF_PLUGIN_CACHE_DIR elsewhere, e.g. after `--fix`)
 *
 * @typedef {'intact' | 'corrupt' | 'missing' | 'linked'} CacheState
 *           the executable in <cache>/example.com/acme/big/1.0.0/linux_amd64: as built, other bytes,
 *           absent, or that directory is a symlink (an unpacked mirror linked, not copied)
 *
 * @typedef {object} StackRun    one line of the stand-in's log
 * @property {string} stack      Terramate path (`/stacks/s01`)
 * @property {string} dir
 * @property {number | null} exitCode
 * @property {string | null} signal
 * @property {boolean} skipped
 * @property {number} durationMs
 * @property {string} stderr
 *
 * @typedef {object} TrialResult
 * @property {string[]} stacks          all stacks (`stacks/s01`, ...)
 * @property {string[]} brokenStacks    a command the stand-in ran there exited non-zero (or died)
 * @property {string[]} skippedStacks   the stand-in never started the command there
 * @property {string[]} wrongHashLocks  lock file names an `h1:` for the provider other than the correct one
 * @property {string[]} missingLocks    no lock file, or no entry for the provider
 * @property {Record<string, string[] | null>} lockHashes  every stack's recorded `h1:` hashes (null: none)
 * @property {CacheState | null} cache  the shared cache's copy of the package (only with `inspectCache`)
 * @property {number} durationMs
 * @property {string[]} errors          distinct Terraform error diagnostics (paths normalised)
 * @property {Record<string, number>} errorCounts  how many stack runs printed each
 * @property {number | null} exitCode   of the whole command
 * @property {boolean} timedOut
 * @property {StackRun[]} runs          the stand-in's log for this trial
 * @property {string} stdout            captured output of the whole command (capped, tail kept)
 * @property {string} stderr
 */

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * @typedef {object} ProcessResult
 * @property {number | null} exitCode
 * @property {string | null} signal
 * @property {boolean} timedOut
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} durationMs
 */

/**
 * Runs argv in a process group of its own; on timeout SIGTERMs the group, then SIGKILLs it
 * after `graceMs`. Resolves once the child is reaped. Output is captured (last 1 MiB of each)
 * and echoed too when `echo` is set (or TM_ORACLE_VERBOSE=1).
 * @param {readonly string[]} argv
 * @param {{cwd: string, env: Record<string, string>, timeoutMs?: number, graceMs?: number, echo?: boolean}} options
 * @returns {Promise<ProcessResult>}
 */
export function runProcess(argv, options) {
  const { cwd, env, timeoutMs = 600_000, graceMs = 5_000 } = options;
  const echo = options.echo ?? process.env.TM_ORACLE_VERBOSE === '1';
  return new Promise((resolvePromise) => {
    const started = Date.now();
    const child = spawn(argv[0], argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    /** @type {{stdout: Buffer[], stderr: Buffer[]}} */
    const output = { stdout: [], stderr: [] };
    /** @type {{stdout: number, stderr: number}} */
    const sizes = { stdout: 0, stderr: 0 };
    for (const stream of /** @type {const} */ (['stdout', 'stderr'])) {
      child[stream].on('data', (/** @type {Buffer} */ chunk) => {
        if (echo) (stream === 'stdout' ? process.stdout : process.stderr).write(chunk);
        output[stream].push(chunk);
        sizes[stream] += chunk.length;
        while (sizes[stream] > OUTPUT_CAP && output[stream].length > 1) sizes[stream] -= /** @type {Buffer} */ (output[stream].shift()).length;
      });
    }
    let timedOut = false;
    /** @type {NodeJS.Timeout | undefined} */
    let killTimer;
    const signalGroup = (/** @type {NodeJS.Signals} */ signal) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // the group is gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    }, timeoutMs);
    let spawnError = '';
    child.on('error', (error) => {
      spawnError = `${argv[0]}: ${error.message}\n`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      // Whatever the leader left running in its group goes too.
      signalGroup('SIGKILL');
      resolvePromise({
        exitCode: spawnError !== '' ? 127 : code,
        signal,
        timedOut,
        stdout: Buffer.concat(output.stdout).toString('utf8'),
        stderr: Buffer.concat(output.stderr).toString('utf8') + spawnError,
        durationMs: Date.now() - started,
      });
    });
  });
}

/**
 * Pids of live processes whose environment holds `NAME=value`.
 * @param {string} name
 * @param {string} value
 * @returns {number[]}
 */
export function processesWithEnv(name, value) {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = Buffer.concat([Buffer.from([0]), readFileSync(`/proc/${entry}/environ`)]);
      if (!environ.includes(needle)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      found.push(Number(entry));
    } catch {
      // ended while we looked, or not ours to read
    }
  }
  return found;
}

/**
 * SIGKILLs every process started for this project that is still alive, and waits (up to 10 s)
 * until none is left. Returns the pids it found.
 * @param {RaceProject} project
 * @returns {Promise<number[]>}
 */
export async function killLeftovers(project) {
  const found = processesWithEnv(MARKER, project.tempDir);
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const alive = processesWithEnv(MARKER, project.tempDir);
    if (alive.length === 0) break;
    for (const pid of alive) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Lock files

/**
 * The `h1:` hashes a lock file records for the provider (null: no lock file or no entry).
 * @param {string} lockFile
 * @param {string} [source]
 * @returns {string[] | null}
 */
export function lockedHashes(lockFile, source = PROVIDER_SOURCE) {
  let text;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return null;
  }
  const start = text.indexOf(`provider "${source}"`);
  if (start === -1) return null;
  const end = text.indexOf('\n}', start);
  const block = text.slice(start, end === -1 ? text.length : end);
  return [...block.matchAll(/"(h1:[A-Za-z0-9+/=]+)"/g)].map((match) => match[1]);
}

/**
 * @param {string} tempDir
 * @param {string} terraform
 * @param {string} cliConfigFile
 * @returns {Record<string, string>}
 */
function scrubbedEnv(tempDir, terraform, cliConfigFile) {
  return {
    PATH: `${join(tempDir, 'bin')}:${dirname(terraform)}:/usr/bin:/bin`,
    HOME: join(tempDir, 'home'),
    TMPDIR: join(tempDir, 'tmp'),
    TF_CLI_CONFIG_FILE: cliConfigFile,
    CHECKPOINT_DISABLE: '1',
    TM_STAND_IN_LOG: join(tempDir, 'stand-in.log'),
    [MARKER]: tempDir,
  };
}

const MAIN_TF = `terraform {
  required_providers {
    big = {
      source  = "${PROVIDER_SOURCE}"
      version = "${PROVIDER_VERSION}"
    }
  }
}
`;

/**
 * The CLI config: the plugin cache (unless null) and the mirror, with no direct source.
 * @param {string} file
 * @param {string | null} pluginCacheDir
 * @param {string} mirror
 */
function writeCliConfig(file, pluginCacheDir, mirror) {
  const lines = [];
  if (pluginCacheDir !== null) lines.push(`plugin_cache_dir = ${JSON.stringify(pluginCacheDir)}`, '');
  lines.push(
    'provider_installation {',
    '  filesystem_mirror {',
    `    path    = ${JSON.stringify(mirror)}`,
    '    include = ["example.com/*/*"]',
    '  }',
    '}',
    '',
  );
  writeFileSync(file, lines.join('\n'));
}

/**
 * The lock file a serial `terraform init` writes for MAIN_TF with this provider (exactly, as
 * Terraform formats it). Generated once per provider build and Terraform version, then cached
 * beside the provider.
 * @param {string} terraform
 * @param {OracleProvider} provider
 * @param {string} terraformVersion
 * @returns {Promise<string>}
 */
export async function completeLockFile(terraform, provider, terraformVersion) {
  const cached = join(provider.dir, `lock-terraform-${terraformVersion}.hcl`);
  if (existsSync(cached)) return readFileSync(cached, 'utf8');
  const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'tm-doctor-race-lock-')));
  try {
    for (const dir of ['home', 'tmp', 'stack']) mkdirSync(join(scratch, dir));
    const cliConfigFile = join(scratch, 'cli.tfrc');
    writeCliConfig(cliConfigFile, null, provider.packedMirror);
    writeFileSync(join(scratch, 'stack/main.tf'), MAIN_TF);
    const env = scrubbedEnv(scratch, terraform, cliConfigFile);
    const result = await runProcess([terraform, 'init', '-input=false'], { cwd: join(scratch, 'stack'), env, timeoutMs: 300_000 });
    const lockFile = join(scratch, 'stack/.terraform.lock.hcl');
    const hashes = lockedHashes(lockFile);
    if (result.exitCode !== 0 || hashes === null || hashes.length !== 1 || hashes[0] !== provider.h1) {
      throw new Error(
        `a serial terraform init did not write the expected lock file (exit ${result.exitCode}, hashes ${JSON.stringify(hashes)}, want ${provider.h1}):\n${result.stderr}`,
      );
    }
    const text = readFileSync(lockFile, 'utf8');
    const partial = `${cached}.${process.pid}-${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, text);
    renameSync(partial, cached);
    return text;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Projects

/**
 * @param {string} value
 * @returns {string}
 */
function hclString(value) {
  // Kept a template: `${...}` stays an interpolation for Terramate to evaluate.
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Builds a race project in a new temp directory (see RaceProjectOptions).
 * @param {RaceProjectOptions} options
 * @returns {Promise<RaceProject>}
 */
export async function createRaceProject(options) {
  const { provider } = options;
  let terraform = options.terraform;
  if (terraform === undefined) {
    const found = findTerraform();
    if (found.path === null) throw new Error(found.reason);
    terraform = found.path;
  }
  const stackCount = options.stacks ?? 10;
  const lockFiles = options.lockFiles ?? 'none';
  const mirrorLayout = options.mirrorLayout ?? 'packed';
  const sharedCache = options.sharedCache ?? true;
  const env = options.env ?? {};
  let lockFileText = null;
  if (lockFiles === 'complete') {
    const version = terraformVersion(terraform);
    if (version === null) throw new Error(`${terraform} does not answer \`version -json\` like Terraform`);
    lockFileText = await completeLockFile(terraform, provider, version);
  }

  const tempDir = realpathSync(mkdtempSync(join(tmpdir(), 'tm-doctor-race-')));
  try {
    const root = join(tempDir, 'project');
    const cacheDir = join(tempDir, 'plugin-cache');
    const cliConfigFile = join(tempDir, 'cli.tfrc');
    for (const dir of ['home', 'tmp', 'bin', 'plugin-cache', 'project']) mkdirSync(join(tempDir, dir));
    writeCliConfig(cliConfigFile, sharedCache ? cacheDir : null, mirrorDir(provider, mirrorLayout));
    // `terramate` on PATH: the stand-in, run by this very node (PATH may hold no node at all).
    writeFileSync(join(tempDir, 'bin/terramate'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(STAND_IN)} "$@"\n`, { mode: 0o755 });

    const envLines = Object.entries(env).map(([name, value]) => `        ${name} = ${hclString(value)}`);
    const rootConfig = [
      'terramate {',
      '  required_version = ">= 0.9.0"',
      ...(envLines.length > 0 ? ['', '  config {', '    run {', '      env {', ...envLines, '      }', '    }', '  }'] : []),
      '}',
      '',
    ].join('\n');
    writeFileSync(join(root, 'terramate.tm.hcl'), rootConfig);
    // The real incident's Makefile, verbatim.
    copyFileSync(SEED_MAKEFILE, join(root, 'Makefile'));
    const stacks = [];
    for (let index = 1; index <= stackCount; index += 1) {
      const name = `s${String(index).padStart(2, '0')}`;
      const dir = join(root, 'stacks', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'stack.tm.hcl'), `stack {\n  name = "${name}"\n  tags = ["dev"]\n}\n`);
      writeFileSync(join(dir, 'main.tf'), MAIN_TF);
      if (lockFileText !== null) writeFileSync(join(dir, '.terraform.lock.hcl'), lockFileText);
      stacks.push(`stacks/${name}`);
    }
    return {
      tempDir,
      root,
      home: join(tempDir, 'home'),
      tmp: join(tempDir, 'tmp'),
      cacheDir,
      cliConfigFile,
      binDir: join(tempDir, 'bin'),
      logFile: join(tempDir, 'stand-in.log'),
      terraform,
      provider,
      stacks,
      lockFiles,
      mirrorLayout,
      sharedCache,
      env,
      lockFileText,
      baseEnv: scrubbedEnv(tempDir, terraform, cliConfigFile),
      extraCacheDirs: [],
    };
  } catch (error) {
    rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The environment a trial's command starts with: PATH (the stand-in, terraform's directory,
 * /usr/bin:/bin), HOME, TMPDIR, TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE=1, TM_STAND_IN_LOG, the
 * sweep marker, and TM_ARG_RUN_CONTINUE_ON_ERROR=true unless `continueOnError` is false (so one
 * failing stack does not stop the others from starting, as with xargs -P; Terramate's default
 * is to stop), then `extraEnv`.
 * @param {RaceProject} project
 * @param {{continueOnError?: boolean, extraEnv?: Record<string, string>}} [options]
 * @returns {Record<string, string>}
 */
export function trialEnvironment(project, options = {}) {
  return {
    ...project.baseEnv,
    ...(options.continueOnError === false ? {} : { TM_ARG_RUN_CONTINUE_ON_ERROR: 'true' }),
    ...options.extraEnv,
  };
}

/**
 * Removes every stack's `.terraform`; lock files: 'restore' rewrites the project's starting
 * state (none, or the complete lock file), 'keep' leaves them, 'remove' deletes them.
 * @param {RaceProject} project
 * @param {{locks?: 'restore' | 'keep' | 'remove'}} [options]
 */
export function resetStacks(project, options = {}) {
  const locks = options.locks ?? 'restore';
  for (const stack of project.stacks) {
    const dir = join(project.root, stack);
    rmSync(join(dir, '.terraform'), { recursive: true, force: true });
    const lockFile = join(dir, '.terraform.lock.hcl');
    if (locks === 'remove' || (locks === 'restore' && project.lockFileText === null)) rmSync(lockFile, { force: true });
    else if (locks === 'restore' && project.lockFileText !== null) writeFileSync(lockFile, project.lockFileText);
  }
}

/**
 * Back to cold: empty plugin caches (project.cacheDir and project.extraCacheDirs), no `.terraform` anywhere, lock files as the project
 * started (none, or the complete one: a race may have added a second hash), an empty log.
 * @param {RaceProject} project
 * @returns {Promise<void>}
 */
export async function resetCache(project) {
  await killLeftovers(project);
  for (const dir of [project.cacheDir, ...project.extraCacheDirs]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  resetStacks(project, { locks: 'restore' });
  rmSync(project.logFile, { force: true });
  rmSync(project.tmp, { recursive: true, force: true });
  mkdirSync(project.tmp);
}

// ---------------------------------------------------------------------------------------------
// Reading what happened

/**
 * @param {RaceProject} project
 * @returns {Array<[string, string]>}  path -> placeholder, longest first
 */
function placeholders(project) {
  /** @type {Array<[string, string]>} */
  const pairs = [
    [project.cacheDir, '<cache>'],
    [project.provider.packedMirror, '<mirror>'],
    [project.provider.unpackedMirror, '<mirror>'],
    [project.root, '<project>'],
    [project.tmp, '<tmp>'],
    [project.tempDir, '<temp>'],
  ];
  return pairs.sort((left, right) => right[0].length - left[0].length);
}

/**
 * Terraform's error diagnostics in a stderr: the boxed `Error: <summary>` blocks, each as one
 * line `<summary>: <detail>` with the wrapped lines joined and temp paths replaced by
 * placeholders; plus, unless `lastLine` is false, the last line of a stderr without any
 * diagnostic (a crash, a shell's or make's own error).
 * @param {string} stderr
 * @param {RaceProject} [project]
 * @param {{lastLine?: boolean}} [options]
 * @returns {string[]}
 */
export function terraformErrors(stderr, project, options = {}) {
  // eslint-disable-next-line no-control-regex
  const clean = stderr.replace(/\u001b\[[0-9;]*m/g, '');
  const errors = [];
  const lines = clean.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    if (!lines[index].startsWith('╷')) continue;
    /** @type {string[]} */
    const body = [];
    for (index += 1; index < lines.length && !lines[index].startsWith('╵'); index += 1) body.push(lines[index].replace(/^│ ?/, ''));
    const [first, ...rest] = body;
    if (first === undefined || !first.startsWith('Error: ')) continue;
    const paragraphs = rest
      .join('\n')
      .split(/\n\s*\n/)
      .map((paragraph) => paragraph.split('\n').map((line) => line.trim()).filter((line) => line !== '').join(' '))
      .filter((paragraph) => paragraph !== '');
    errors.push([first.slice('Error: '.length).trim(), ...paragraphs].join(': '));
  }
  if (errors.length === 0 && options.lastLine !== false) {
    const last = lines.map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('terramate: ')).pop();
    if (last !== undefined) errors.push(last);
  }
  if (project === undefined) return errors;
  return errors.map((error) => {
    let out = error;
    for (const [path, placeholder] of placeholders(project)) out = out.split(path).join(placeholder);
    return out.replace(/<project>\/stacks\/s\d+/g, '<stack>');
  });
}

/**
 * @param {RaceProject} project
 * @returns {StackRun[]}
 */
function readLog(project) {
  let text = '';
  try {
    text = readFileSync(project.logFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

/**
 * @param {RaceProject} project
 * @param {string} dir
 * @returns {string}
 */
function stackOf(project, dir) {
  return dir.startsWith(`${project.root}/`) ? dir.slice(project.root.length + 1) : dir;
}

/**
 * Lock-file verdicts for every stack.
 * @param {RaceProject} project
 * @returns {{wrongHashLocks: string[], missingLocks: string[], lockHashes: Record<string, string[] | null>}}
 */
export function inspectLockFiles(project) {
  const wrongHashLocks = [];
  const missingLocks = [];
  /** @type {Record<string, string[] | null>} */
  const lockHashes = {};
  for (const stack of project.stacks) {
    const hashes = lockedHashes(join(project.root, stack, '.terraform.lock.hcl'));
    lockHashes[stack] = hashes;
    if (hashes === null) missingLocks.push(stack);
    else if (hashes.some((hash) => hash !== project.provider.h1)) wrongHashLocks.push(stack);
  }
  return { wrongHashLocks, missingLocks, lockHashes };
}

/**
 * What the shared plugin cache holds for the provider (hashes the whole executable).
 * @param {RaceProject} project
 * @returns {CacheState}
 */
export function inspectCache(project) {
  const packageDir = join(project.cacheDir, PROVIDER_SOURCE, PROVIDER_VERSION, PROVIDER_PLATFORM);
  try {
    if (lstatSync(packageDir).isSymbolicLink()) return 'linked';
  } catch {
    return 'missing';
  }
  const executable = join(packageDir, PROVIDER_EXECUTABLE);
  if (!existsSync(executable)) return 'missing';
  return sha256File(executable) === project.provider.sha256 ? 'intact' : 'corrupt';
}

/**
 * Runs one command in the project root (argv, or a shell line run by `sh -c`) and reports what
 * it did to the stacks. The stand-in's log is emptied first, so `runs` covers this trial only.
 * @param {RaceProject} project
 * @param {readonly string[] | string} command
 * @param {{timeoutMs?: number, continueOnError?: boolean, extraEnv?: Record<string, string>, echo?: boolean, inspectCache?: boolean}} [options]
 *        inspectCache: also hash the shared cache's copy of the package (result.cache)
 * @returns {Promise<TrialResult>}
 */
export async function runTrial(project, command, options = {}) {
  rmSync(project.logFile, { force: true });
  const argv = typeof command === 'string' ? ['sh', '-c', command] : [...command];
  const result = await runProcess(argv, {
    cwd: project.root,
    env: trialEnvironment(project, options),
    timeoutMs: options.timeoutMs ?? 600_000,
    echo: options.echo,
  });
  await killLeftovers(project);
  const runs = readLog(project);
  const broken = new Set();
  const skipped = new Set();
  /** @type {Map<string, number>} */
  const errorCounts = new Map();
  for (const run of runs) {
    const stack = stackOf(project, run.dir);
    if (run.skipped) {
      skipped.add(stack);
      continue;
    }
    if (run.exitCode !== 0) broken.add(stack);
    // A run that succeeded contributes only real diagnostics, not its last line.
    const seen = new Set(terraformErrors(run.stderr, project, { lastLine: run.exitCode !== 0 }));
    for (const error of seen) errorCounts.set(error, (errorCounts.get(error) ?? 0) + 1);
  }
  if (runs.length === 0 && result.exitCode !== 0) {
    for (const error of terraformErrors(result.stderr, project)) errorCounts.set(error, (errorCounts.get(error) ?? 0) + 1);
  }
  const order = (/** @type {string} */ stack) => project.stacks.indexOf(stack);
  const sorted = (/** @type {Iterable<string>} */ items) => [...items].sort((left, right) => order(left) - order(right));
  return {
    stacks: [...project.stacks],
    brokenStacks: sorted(broken),
    skippedStacks: sorted([...skipped].filter((stack) => !broken.has(stack))),
    ...inspectLockFiles(project),
    cache: options.inspectCache ? inspectCache(project) : null,
    durationMs: result.durationMs,
    errors: [...errorCounts.keys()],
    errorCounts: Object.fromEntries(errorCounts),
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    runs,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

/**
 * Baseline: `terraform init` in each stack, one after the other, with the environment the
 * stand-in would give (the root's config.run.env applied), timed.
 * @param {RaceProject} project
 * @param {{timeoutMs?: number, args?: string[]}} [options]
 * @returns {Promise<{durationMs: number, brokenStacks: string[], wrongHashLocks: string[], missingLocks: string[], lockHashes: Record<string, string[] | null>, errors: string[]}>}
 */
export async function serialInit(project, options = {}) {
  const started = Date.now();
  const env = trialEnvironment(project);
  const root = findRoot(project.root);
  const stacks = discoverStacks(root, project.root, true);
  const brokenStacks = [];
  const errors = new Set();
  for (const stack of stacks) {
    const stackEnv = /** @type {Record<string, string>} */ (runEnvironment(root, stack, env));
    const result = await runProcess([project.terraform, 'init', '-input=false', ...(options.args ?? [])], {
      cwd: stack.dir,
      env: stackEnv,
      timeoutMs: options.timeoutMs ?? 300_000,
    });
    if (result.exitCode !== 0) {
      brokenStacks.push(stackOf(project, stack.dir));
      for (const error of terraformErrors(result.stderr, project)) errors.add(error);
    }
  }
  await killLeftovers(project);
  return { durationMs: Date.now() - started, brokenStacks, ...inspectLockFiles(project), errors: [...errors] };
}

/**
 * Kills anything left of the project and removes its temp directory.
 * @param {RaceProject} project
 * @returns {Promise<void>}
 */
export async function disposeProject(project) {
  await killLeftovers(project);
  rmSync(project.tempDir, { recursive: true, force: true });
}
