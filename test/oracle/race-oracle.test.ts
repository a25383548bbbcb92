// The race oracle (test/oracle/*.mjs): the Terramate stand-in on its own (always), and with the
// REAL terraform (skipped, with the reason printed, when terraform is not on PATH or
// TM_DOCTOR_TERRAFORM). Only deterministic facts are asserted: whether a parallel init races
// is probabilistic, and bench/race.mjs measures it instead.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';

import { crc32, goDirhash, hash1, prepareProvider, PROVIDER_EXECUTABLE, sha256File, type OracleProvider } from './provider.mjs';
import {
  createRaceProject,
  disposeProject,
  lockedHashes,
  processesWithEnv,
  resetCache,
  resetStacks,
  runProcess,
  runTrial,
  serialInit,
  terraformErrors,
  trialEnvironment,
  type RaceProject,
} from './race-trial.mjs';
import { findTerraform } from './terraform.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(here, '../..');
const STAND_IN = join(here, 'terramate-stand-in.mjs');
/** Big enough to show the race in the bench's rows, small enough for a loaded 2-core machine. */
const TEST_PROVIDER_MIB = 40;
const TERRAFORM_TIMEOUT = 300_000;

interface StandInRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the stand-in as a program (asynchronously: it runs commands in parallel). */
function standIn(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<StandInRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [STAND_IN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: options.cwd, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolveRun({ status, stdout, stderr }));
  });
}

function makeTempDir(label: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), `tm-doctor-oracle-${label}-`)));
}

describe('the Terramate stand-in', () => {
  let root: string;
  const stacks: Record<string, string[]> = {
    'stacks/a': ['dev', 'net'],
    'stacks/a/nested': ['dev'],
    'stacks/b': ['prd'],
    'stacks/c': ['dev', 'app'],
    'stacks/d': ['dev'],
  };

  beforeAll(() => {
    root = makeTempDir('stand-in');
    writeFileSync(
      join(root, 'terramate.tm.hcl'),
      [
        'terramate {',
        '  required_version = ">= 0.9.0"',
        '  config {',
        '    run {',
        '      env {',
        '        # a comment { with a brace',
        '        CACHE = "${terramate.root.path.fs.absolute}/.terraform-plugin-cache"',
        '        FROM_ENV = "seen-${env.ORACLE_INPUT}"',
        '        LITERAL = "$${not.interpolated}"',
        '      }',
        '    }',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
    for (const [dir, tags] of Object.entries(stacks)) {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, 'stack.tm.hcl'), `stack {\n  name = "${dir}"\n  tags = [${tags.map((tag) => `"${tag}"`).join(', ')}]\n}\n`);
    }
    // Not stacks: a hidden directory, a .tmskip'd one, a directory with other HCL only.
    for (const dir of ['stacks/.hidden', 'stacks/skipped', 'stacks/plain']) mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'stacks/.hidden/stack.tm.hcl'), 'stack {}\n');
    writeFileSync(join(root, 'stacks/skipped/stack.tm.hcl'), 'stack {}\n');
    writeFileSync(join(root, 'stacks/skipped/.tmskip'), '');
    writeFileSync(join(root, 'stacks/plain/globals.tm.hcl'), '# stack {}\nglobals {\n  stack = "no"\n}\n');
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** The stacks (project-relative) a run visited, in the order it started them. */
  async function visited(args: string[], cwd = root, env: Record<string, string> = {}): Promise<string[]> {
    const log = join(root, `visited-${process.hrtime.bigint()}`);
    const result = await standIn([...args, '--', 'sh', '-c', `pwd >> ${log}`], { cwd, env });
    expect(result.stderr).not.toContain('error');
    expect(result.status).toBe(0);
    const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    rmSync(log, { force: true });
    return lines.filter((line) => line !== '').map((line) => line.slice(root.length + 1));
  }

  /**
   * The most commands the stand-in had running at once: each command registers itself, waits
   * (up to 10 s) until `expected` are registered, notes how many are, and leaves.
   */
  async function maxConcurrency(args: string[], expected: number, env: Record<string, string> = {}): Promise<number> {
    const dir = mkdtempSync(join(root, '.concurrency-'));
    mkdirSync(join(dir, 'running'));
    const script = [
      'me=$(mktemp -d "$RUNNING/x.XXXXXX")',
      'i=0',
      `while [ "$(ls "$RUNNING" | wc -l)" -lt ${expected} ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`,
      'ls "$RUNNING" | wc -l >> "$COUNTS"',
      'sleep 0.2',
      'rmdir "$me"',
    ].join('\n');
    const result = await standIn([...args, '--tags=dev', '--', 'sh', '-c', script], {
      cwd: root,
      env: { RUNNING: join(dir, 'running'), COUNTS: join(dir, 'counts'), ORACLE_INPUT: 'x', ...env },
    });
    expect(result.status).toBe(0);
    const counts = readFileSync(join(dir, 'counts'), 'utf8').trim().split('\n').map(Number);
    rmSync(dir, { recursive: true, force: true });
    expect(counts).toHaveLength(4);
    return Math.max(...counts);
  }

  test('--version and version print a Terramate version', async () => {
    expect((await standIn(['--version'], { cwd: root })).stdout).toBe('0.14.0\n');
    expect((await standIn(['version'], { cwd: root })).stdout).toBe('0.14.0\n');
  });

  test('runs every stack under the directory, sorted by path, skipping hidden and .tmskip directories', async () => {
    expect(await visited(['run'], root, { ORACLE_INPUT: 'x' })).toEqual(['stacks/a', 'stacks/a/nested', 'stacks/b', 'stacks/c', 'stacks/d']);
    expect(await visited(['run', '--reverse'], root, { ORACLE_INPUT: 'x' })).toEqual(['stacks/d', 'stacks/c', 'stacks/b', 'stacks/a/nested', 'stacks/a']);
  });

  test('-C/--chdir and --no-recursive', async () => {
    const env = { ORACLE_INPUT: 'x' };
    expect(await visited(['-C', 'stacks/a', 'run'], root, env)).toEqual(['stacks/a', 'stacks/a/nested']);
    expect(await visited(['--chdir=stacks/a', 'run', '--no-recursive'], root, env)).toEqual(['stacks/a']);
    expect(await visited(['run', '--chdir', 'stacks/a', '--no-recursive'], root, env)).toEqual(['stacks/a']);
    expect(await visited(['run', '--no-recursive'], join(root, 'stacks/b'), env)).toEqual(['stacks/b']);
    expect(await visited(['run'], join(root, 'stacks/a'), { ...env, TM_ARG_RUN_NO_RECURSIVE: 'true' })).toEqual(['stacks/a']);
    const notAStack = await standIn(['-C', 'stacks', 'run', '--no-recursive', '--', 'true'], { cwd: root });
    expect(notAStack.status).toBe(1);
    expect(notAStack.stderr).toContain('no stack found');
  });

  test('--tags (a,b: either; a:b: both) and --no-tags', async () => {
    const env = { ORACLE_INPUT: 'x' };
    expect(await visited(['run', '--tags=dev'], root, env)).toEqual(['stacks/a', 'stacks/a/nested', 'stacks/c', 'stacks/d']);
    expect(await visited(['run', '--tags', 'prd,app'], root, env)).toEqual(['stacks/b', 'stacks/c']);
    expect(await visited(['--tags=dev:net', 'run'], root, env)).toEqual(['stacks/a']);
    expect(await visited(['run', '--tags=dev', '--no-tags=app,net'], root, env)).toEqual(['stacks/a/nested', 'stacks/d']);
  });

  test('the root config.run.env reaches the command, interpolated', async () => {
    const out = join(root, 'env-out');
    const result = await standIn(['-C', 'stacks/b', 'run', '--', 'sh', '-c', `printf '%s|%s|%s\\n' "$CACHE" "$FROM_ENV" "$LITERAL" > ${out}`], {
      cwd: root,
      env: { ORACLE_INPUT: 'given', CACHE: 'overridden by the config' },
    });
    expect(result.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`${root}/.terraform-plugin-cache|seen-given|\${not.interpolated}\n`);
    // env.NAME that is not set: Terramate fails to evaluate the config, so does the stand-in.
    const unset = await standIn(['run', '--', 'true'], { cwd: root });
    expect(unset.status).toBe(1);
    expect(unset.stderr).toContain('env.ORACLE_INPUT is not set');
  });

  test.each([
    [['run', '-j', '2']],
    [['run', '-j2']],
    [['run', '--parallel', '2']],
    [['run', '--parallel=2']],
  ])('%j runs two stacks at a time', async (args) => {
    expect(await maxConcurrency(args, 2)).toBe(2);
  });

  test('TM_ARG_RUN_PARALLEL sets the parallelism; a flag wins over it', async () => {
    expect(await maxConcurrency(['run'], 2, { TM_ARG_RUN_PARALLEL: '2' })).toBe(2);
    expect(await maxConcurrency(['run', '-j', '1'], 1, { TM_ARG_RUN_PARALLEL: '4' })).toBe(1);
  });

  test('runs one stack at a time without --parallel', async () => {
    expect(await maxConcurrency(['run'], 1)).toBe(1);
  });

  test('accepts the seed Makefile flags, refuses unknown ones and a --parallel without a value', async () => {
    const env = { ORACLE_INPUT: 'x' };
    // Five at a time: which stack writes first is up to the scheduler, so the set is compared.
    expect(
      (await visited(['run', '--tags=dev', '--enable-sharing', '--mock-on-fail', '-j', '5', '--changed', '--quiet', '--disable-safeguards=git', '-X'], root, env)).sort(),
    ).toEqual(['stacks/a', 'stacks/a/nested', 'stacks/c', 'stacks/d']);
    for (const args of [['run', '--bogus', '--', 'true'], ['run', '--parallel', '--', 'true'], ['run', '-j', 'x', '--', 'true'], ['fmt'], ['--parallel=2', 'run', 'true']]) {
      const result = await standIn(args, { cwd: root, env });
      expect({ args, status: result.status }).toEqual({ args, status: 2 });
      expect(result.stderr).toContain('error');
    }
  });

  test('the first positional word starts the command; its flags are its own', async () => {
    const out = join(root, 'argv-out');
    const result = await standIn(['-C', 'stacks/b', 'run', 'sh', '-c', `echo "$0 $1" > ${out}`, '-j', '--bogus'], { cwd: root, env: { ORACLE_INPUT: 'x' } });
    expect(result.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('-j --bogus\n');
  });

  test('TM_STAND_IN_LOG gets a line per stack; a failure stops new stacks unless --continue-on-error', async () => {
    const log = join(root, 'stand-in.log');
    const fail = ['--', 'sh', '-c', 'case "$PWD" in */stacks/a) echo "it broke" >&2; exit 3;; esac'];
    const env = { ORACLE_INPUT: 'x', TM_STAND_IN_LOG: log };
    const stopped = await standIn(['run', '--tags=dev', ...fail], { cwd: root, env });
    expect(stopped.status).toBe(1);
    const lines = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(lines.map((line) => [line.stack, line.exitCode, line.skipped])).toEqual([
      ['/stacks/a', 3, false],
      ['/stacks/a/nested', null, true],
      ['/stacks/c', null, true],
      ['/stacks/d', null, true],
    ]);
    expect(lines[0].stderr).toBe('it broke\n');
    rmSync(log);
    const continued = await standIn(['run', '--tags=dev', '-j', '2', ...fail], { cwd: root, env: { ...env, TM_ARG_RUN_CONTINUE_ON_ERROR: 'true' } });
    expect(continued.status).toBe(1);
    const all = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(all.map((line) => [line.stack, line.exitCode, line.skipped])).toEqual([
      ['/stacks/a', 3, false],
      ['/stacks/a/nested', 0, false],
      ['/stacks/c', 0, false],
      ['/stacks/d', 0, false],
    ]);
    rmSync(log);
  });

  const haveMake = spawnSync('make', ['--version']).status === 0;
  (haveMake ? test : test.skip)('`make init dev P 3` with the seed Makefile reaches the stacks through the stand-in', async () => {
    const dir = makeTempDir('make');
    try {
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'terramate'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(STAND_IN)} "$@"\n`);
      // A terraform that only says where it ran and with what.
      writeFileSync(join(bin, 'terraform'), '#!/bin/sh\necho "$PWD $*" >> "$CALLS"\n');
      chmodSync(join(bin, 'terramate'), 0o755);
      chmodSync(join(bin, 'terraform'), 0o755);
      copyFileSync(join(repoDir, 'fixtures/seed-blog/Makefile'), join(dir, 'Makefile'));
      writeFileSync(join(dir, 'terramate.tm.hcl'), 'terramate {\n}\n');
      for (const stack of ['stacks/dev/a', 'stacks/dev/b', 'stacks/prd/a']) {
        mkdirSync(join(dir, stack), { recursive: true });
        writeFileSync(join(dir, stack, 'stack.tm.hcl'), `stack {\n  tags = ["${stack.split('/')[1]}"]\n}\n`);
      }
      const calls = join(dir, 'calls');
      const result = spawnSync('make', ['init', 'dev', 'P', '3'], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir, CALLS: calls },
      });
      expect(result.stderr).not.toContain('error');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('terramate run --tags=dev --enable-sharing --mock-on-fail -j 3');
      expect(readFileSync(calls, 'utf8').trim().split('\n').sort()).toEqual([`${dir}/stacks/dev/a init`, `${dir}/stacks/dev/b init`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('the .d.mts declarations match the JSDoc of the .mjs modules', () => {
  const check = spawnSync(process.execPath, [join(here, 'declarations.mjs'), '--check'], { encoding: 'utf8' });
  expect(check.stderr).toBe('');
  expect(check.status).toBe(0);
});

describe('the oracle provider', () => {
  test('crc32 gives the check value, also when continued', () => {
    expect(crc32(Buffer.from('123456789')).toString(16)).toBe('cbf43926');
    expect(crc32(Buffer.from('6789'), crc32(Buffer.from('12345')))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
  });

  test('hash1 is what Go dirhash.HashDir says', () => {
    const dir = makeTempDir('hash1');
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'terraform-provider-x_v1.0.0'), 'binary\n');
      writeFileSync(join(dir, 'sub/README'), 'read me');
      writeFileSync(join(dir, 'B'), '');
      const entries = ['terraform-provider-x_v1.0.0', 'sub/README', 'B'].map((name) => ({ name, sha256: sha256File(join(dir, name)) }));
      expect(hash1(entries)).toBe(goDirhash(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('terraformErrors joins the wrapped lines of an error box and drops warnings', () => {
    const stderr = [
      '\u001b[33m╷\u001b[0m',
      '│ Warning: Incomplete lock file information for providers',
      '│ ',
      '│ Due to your customized provider installation methods',
      '╵',
      '╷',
      '│ Error: Failed to install provider',
      '│ ',
      '│ Error while installing example.com/acme/big v1.0.0: open',
      '│ /x/terraform-provider-big_v1.0.0: text file busy',
      '╵',
      '',
    ].join('\n');
    expect(terraformErrors(stderr)).toEqual(['Failed to install provider: Error while installing example.com/acme/big v1.0.0: open /x/terraform-provider-big_v1.0.0: text file busy']);
    expect(terraformErrors('make: *** [Makefile:17: init] Error 1\n')).toEqual(['make: *** [Makefile:17: init] Error 1']);
    expect(terraformErrors('just a line\n', undefined, { lastLine: false })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// With the real terraform

const terraform = findTerraform();
if (terraform.path === null) console.log(`race oracle with real terraform skipped: ${terraform.reason}`);
const withTerraform = terraform.path === null ? describe.skip : describe;

withTerraform('the race oracle with the real terraform', () => {
  let provider: OracleProvider;
  const projects: RaceProject[] = [];

  beforeAll(() => {
    provider = prepareProvider({ sizeMiB: TEST_PROVIDER_MIB });
  }, TERRAFORM_TIMEOUT);

  afterAll(async () => {
    for (const project of projects) await disposeProject(project);
  }, TERRAFORM_TIMEOUT);

  async function project(options: Partial<Parameters<typeof createRaceProject>[0]>): Promise<RaceProject> {
    const made = await createRaceProject({ terraform: terraform.path as string, provider, stacks: 6, ...options });
    projects.push(made);
    return made;
  }

  test(
    'the padded provider runs, its h1 is what Go dirhash says, the zip holds it alone with mode 0755',
    async () => {
      expect(provider.bytes).toBe(TEST_PROVIDER_MIB * 1024 * 1024);
      expect(sha256File(provider.executable)).toBe(provider.sha256);
      expect(goDirhash(dirname(provider.executable))).toBe(provider.h1);
      // Still a runnable go-plugin program with the padding: it refuses to run outside a handshake.
      const direct = spawnSync(provider.executable, [], { encoding: 'utf8', env: {}, timeout: 30_000 });
      expect(direct.stderr + direct.stdout).toContain('This binary is a plugin');
      // Python's zipfile (when there is a python3) as a second reader: name, mode, method, CRCs.
      const python = spawnSync(
        'python3',
        ['-c', 'import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\ni = z.infolist()[0]\nprint(len(z.infolist()), i.filename, oct(i.external_attr >> 16), i.compress_type, i.file_size, z.testzip())', provider.zipPath],
        { encoding: 'utf8' },
      );
      // Only a machine without python3 skips this; a zip python cannot read fails it.
      if ((python.error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') {
        expect(python.status).toBe(0);
        expect(python.stdout.trim()).toBe(`1 ${PROVIDER_EXECUTABLE} 0o100755 0 ${provider.bytes} None`);
      }
    },
    TERRAFORM_TIMEOUT,
  );

  test(
    'a serial init records exactly the correct h1 (the complete lock file)',
    async () => {
      const made = await project({ lockFiles: 'complete' });
      expect(lockedHashes(join(made.root, made.stacks[0], '.terraform.lock.hcl'))).toEqual([provider.h1]);
      resetStacks(made, { locks: 'remove' });
      const serial = await serialInit(made);
      expect(serial).toMatchObject({ brokenStacks: [], wrongHashLocks: [], missingLocks: [], errors: [] });
    },
    TERRAFORM_TIMEOUT,
  );

  test(
    'a serial warm-up, then `make init dev P 5` with complete lock files: nothing broken, no wrong hash',
    async () => {
      const made = await project({ lockFiles: 'complete' });
      for (let trial = 0; trial < 2; trial += 1) {
        await resetCache(made);
        const warmUp = await runTrial(made, ['terramate', 'run', '--tags=dev', '--parallel=1', '--', 'terraform', 'init'], { timeoutMs: TERRAFORM_TIMEOUT });
        expect(warmUp).toMatchObject({ brokenStacks: [], wrongHashLocks: [], timedOut: false });
        // A fresh clone's view: the cache is warm, the stacks have their lock files but no .terraform.
        resetStacks(made, { locks: 'keep' });
        const result = await runTrial(made, ['make', 'init', 'dev', 'P', '5'], { timeoutMs: TERRAFORM_TIMEOUT });
        expect(result).toMatchObject({ brokenStacks: [], skippedStacks: [], wrongHashLocks: [], missingLocks: [], errors: [], exitCode: 0, timedOut: false });
        expect(result.runs.map((run) => run.stack)).toEqual(made.stacks.map((stack) => `/${stack}`));
      }
      expect(processesWithEnv('TM_ORACLE_PROJECT', made.tempDir)).toEqual([]);
    },
    TERRAFORM_TIMEOUT,
  );

  test.each(['packed', 'unpacked'] as const)(
    'a %s mirror without a shared cache: nothing broken, no wrong hash',
    async (mirrorLayout) => {
      const made = await project({ lockFiles: 'none', sharedCache: false, mirrorLayout });
      const result = await runTrial(made, ['make', 'init', 'dev', 'P', '5'], { timeoutMs: TERRAFORM_TIMEOUT });
      expect(result).toMatchObject({ brokenStacks: [], wrongHashLocks: [], missingLocks: [], errors: [], exitCode: 0, timedOut: false });
      expect(readdirSync(made.cacheDir)).toEqual([]);
    },
    TERRAFORM_TIMEOUT,
  );

  test(
    'disposeProject leaves no process and no directory behind',
    async () => {
      const made = await project({ stacks: 2 });
      // A command that outlives its timeout: the group kill alone (no sweep after it, as
      // runTrial does) must end every process it started, well before their `sleep 60` would.
      const result = await runProcess(['sh', '-c', 'terramate run -j 2 -- sh -c "sleep 60"'], { cwd: made.root, env: trialEnvironment(made), timeoutMs: 1_000 });
      expect(result.timedOut).toBe(true);
      let left = processesWithEnv('TM_ORACLE_PROJECT', made.tempDir);
      for (let waited = 0; left.length > 0 && waited < 100; waited += 1) {
        await new Promise((resolveWait) => setTimeout(resolveWait, 100));
        left = processesWithEnv('TM_ORACLE_PROJECT', made.tempDir);
      }
      expect(left).toEqual([]);
      await disposeProject(made);
      expect(existsSync(made.tempDir)).toBe(false);
    },
    TERRAFORM_TIMEOUT,
  );
});
