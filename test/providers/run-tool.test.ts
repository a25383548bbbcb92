import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { findOnPath, runTool, toolEnvironment } from '../../src/providers/run-tool.js';
import { makeTempDir, processesStartedUnder, RUN_MARKER_ENTRY, zombieChildren } from '../support/providers.js';

let workDir: string;
let tempRoot: string;

beforeAll(() => {
  workDir = makeTempDir('run-tool');
  tempRoot = makeTempDir('run-tool-tmp');
});

/** Unreaped children started from a script of this test (jest's own node helpers are not ours). */
function scriptZombies(): number[] {
  return zombieChildren().filter((pid) => {
    try {
      return /^\d+ \(tool\)/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

afterEach(() => {
  expect(processesStartedUnder(tempRoot)).toEqual([]);
  expect(scriptZombies()).toEqual([]);
  expect(readdirSync(tempRoot)).toEqual([]);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
  await rm(tempRoot, { recursive: true, force: true });
});

let counter = 0;
function script(body: string, mode = 0o755): string {
  counter += 1;
  const dir = join(workDir, `bin${counter}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'tool');
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode });
  return path;
}

const options = (overrides: Partial<Parameters<typeof runTool>[1]> = {}) => ({ args: [], path: '/usr/bin:/bin', timeoutMs: 10_000, tempRoot, ...overrides });

describe('findOnPath', () => {
  it('finds the first executable regular file of that name on absolute PATH entries', () => {
    const first = script('exit 0');
    const second = script('exit 0');
    const notExecutable = script('exit 0', 0o644);
    const asDir = join(workDir, `dir${++counter}`);
    mkdirSync(join(asDir, 'tool'), { recursive: true });
    expect(findOnPath('tool', [dirname(notExecutable), asDir, dirname(first), dirname(second)].join(':'))).toBe(first);
    expect(findOnPath('tool', `/nonexistent:${dirname(second)}`)).toBe(second);
  });

  it('never looks in empty or relative entries, nor takes a path for a name', () => {
    const tool = script('exit 0');
    const cwd = process.cwd();
    try {
      process.chdir(dirname(tool));
      expect(findOnPath('tool', '')).toBeNull();
      expect(findOnPath('tool', ':')).toBeNull();
      expect(findOnPath('tool', '.')).toBeNull();
      expect(findOnPath('tool', `../${dirname(tool).split('/').pop()}`)).toBeNull();
      expect(findOnPath('tool', undefined)).toBeNull();
      expect(findOnPath('./tool', '/usr/bin')).toBeNull();
    } finally {
      process.chdir(cwd);
    }
  });
});

describe('runTool', () => {
  it('returns stdout, the stderr tail and the exit code', async () => {
    const tool = script('echo "$1 $2"\necho oops >&2\nexit 3');
    expect(await runTool(tool, options({ args: ['version', '-json'] }))).toEqual({ ok: true, exitCode: 3, stdout: 'version -json\n', stderr: 'oops\n' });
  });

  it('passes only PATH, a private HOME and TMPDIR that is also the working directory (removed afterwards), and the run marker', async () => {
    const report = join(workDir, `report${++counter}`);
    const tool = script(`tr '\\0' '\\n' < /proc/$$/environ > ${report}.env\npwd > ${report}.cwd`);
    const result = await runTool(tool, options({ path: '/bin:/usr/bin' }));
    expect(result.ok).toBe(true);
    const home = readFileSync(`${report}.cwd`, 'utf8').trim();
    expect(dirname(home)).toBe(tempRoot);
    expect(readFileSync(`${report}.env`, 'utf8').trim().split('\n').sort()).toEqual([
      ...Object.entries(toolEnvironment(home, '/bin:/usr/bin'))
        .map(([name, value]) => `${name}=${value}`)
        .sort(),
      RUN_MARKER_ENTRY,
    ]);
    expect(toolEnvironment(home, '/bin:/usr/bin')).toEqual({ HOME: home, TMPDIR: home, PATH: '/bin:/usr/bin' });
  });

  it('never goes through a shell', async () => {
    const marker = join(workDir, `marker${++counter}`);
    const tool = script('echo "$1"');
    const result = await runTool(tool, options({ args: [`; touch ${marker}`, '$(id)'] }));
    expect(result).toMatchObject({ ok: true, stdout: `; touch ${marker}\n` });
    expect(readdirSync(workDir)).not.toContain(`marker${counter}`);
  });

  it('kills the whole process group on timeout and reaps it', async () => {
    const tool = script('sleep 60 &\necho started\nsleep 60');
    const result = await runTool(tool, options({ timeoutMs: 300 }));
    expect(result).toMatchObject({ ok: false, cause: 'timeout', stdout: 'started\n' });
    const left = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(dirname(tool)));
    expect(left).toEqual([]);
  });

  it('does not wait for a child left holding stdout after the tool exits: it is killed', async () => {
    const tool = script('sleep 60 &\necho done');
    expect(await runTool(tool, options())).toEqual({ ok: true, exitCode: 0, stdout: 'done\n', stderr: '' });
  });

  it('reports a death by signal', async () => {
    expect(await runTool(script('kill -9 $$'), options())).toMatchObject({ ok: false, cause: 'signal', signal: 'SIGKILL' });
  });

  it('stops reading at the output limit', async () => {
    expect(await runTool(script('yes | head -c 100000'), options({ maxStdoutBytes: 1000 }))).toMatchObject({ ok: false, cause: 'output-too-large' });
  });

  it('reports a missing or non-executable file', async () => {
    expect(await runTool(join(workDir, 'missing'), options())).toMatchObject({ ok: false, cause: 'spawn-error', errno: 'ENOENT' });
    expect(await runTool(script('exit 0', 0o644), options())).toMatchObject({ ok: false, cause: 'spawn-error', errno: 'EACCES' });
  });
});
