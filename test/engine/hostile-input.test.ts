// Repository content that a commit can put in front of every pre-commit run and CI job: none
// of it may hang tm-doctor, eat its memory, or crash it outside exit codes 0, 1 and 2.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { tempDir, writeTree } from '../support/project.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');

/** The CLI on `dir`, bounded: a hang fails the test (timeout kill) instead of the suite. */
function cli(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: tempDir('tm-doctor-home-') },
    encoding: 'utf8',
    timeout: 90_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

interface JsonReport {
  findings: Array<{ ruleId: string; file: string | null; line: number | null; message: string }>;
}

function parseErrors(stdout: string) {
  return (JSON.parse(stdout) as JsonReport).findings.filter((finding) => finding.ruleId === 'parse-error').map(({ file, message }) => ({ file, message }));
}

const STACK = { 'stacks/a/stack.tm.hcl': 'stack {}\n', 'stacks/a/main.tf': 'terraform {}\n' };

function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo failed: ${made.stderr}`);
}

describe('hostile repository content', () => {
  it('a Makefile that includes itself twice: bounded, reported as a cycle', () => {
    const dir = tempDir();
    writeTree(dir, { ...STACK, 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n', Makefile: 'include Makefile\ninclude Makefile\ninit:\n\tterramate run -- terraform init\n' });
    const result = cli(['check', dir, '--format', 'json', '--rule', 'parse-error']);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(parseErrors(result.stdout)).toEqual([{ file: 'Makefile', message: expect.stringContaining('includes itself') }]);
  });

  it('.tm-doctor.json that is a FIFO or a link to /dev/zero: exit 2 at once, no hang, no flood', () => {
    const dir = tempDir();
    writeTree(dir, { ...STACK, 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n' });
    mkfifo(join(dir, '.tm-doctor.json'));
    const fifo = cli(['check', dir]);
    expect(fifo.signal).toBeNull();
    expect(fifo.status).toBe(2);
    expect(fifo.stderr).toContain('not a regular file');

    const zero = tempDir();
    writeTree(zero, { ...STACK });
    symlinkSync('/dev/zero', join(zero, '.tm-doctor.json'));
    const device = cli(['check', zero]);
    expect(device.status).toBe(2);
    expect(device.stderr).toContain('not a regular file');
  });

  it('a config with two million ignore globs: exit 2, not out of memory', () => {
    const dir = tempDir();
    writeTree(dir, { ...STACK });
    writeFileSync(join(dir, '.tm-doctor.json'), JSON.stringify({ ignore: Array.from({ length: 2_000_000 }, (_, index) => `a${index}/**`) }));
    const result = cli(['check', dir]);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('too large');
  });

  it('without .git, a *.tm.hcl FIFO or /dev/zero link in the scanned directory or an ancestor: no hang; the file is a parse error', () => {
    const base = tempDir();
    const dir = join(base, 'project');
    mkdirSync(dir);
    writeTree(dir, { ...STACK });
    mkfifo(join(base, 'ancestor.tm.hcl'));
    symlinkSync('/dev/zero', join(dir, 'zero.tm.hcl'));
    mkfifo(join(dir, 'fifo.tm.hcl'));
    const result = cli(['check', dir, '--format', 'json', '--rule', 'parse-error']);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(parseErrors(result.stdout)).toEqual([
      { file: 'fifo.tm.hcl', message: expect.stringContaining('not a regular file') },
      { file: 'zero.tm.hcl', message: expect.stringContaining('not a regular file') },
    ]);
  });

  it('HCL nested 5,000 deep: a parse error, not a parser abort', () => {
    const dir = tempDir();
    writeTree(dir, { ...STACK, 'stacks/a/deep.tm.hcl': `globals {\n  x = ${'['.repeat(5000)}${']'.repeat(5000)}\n}\n` });
    const result = cli(['check', dir, '--format', 'json', '--rule', 'parse-error']);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(parseErrors(result.stdout)).toEqual([{ file: 'stacks/a/deep.tm.hcl', message: expect.stringContaining('nested deeper') }]);
  });

  it('deep YAML in two files: parse errors, not a V8 abort', () => {
    const dir = tempDir();
    const deep = `on: push\njobs: ${'['.repeat(20000)}${']'.repeat(20000)}\n`;
    const indented = `on: push\njobs:\n${Array.from({ length: 600 }, (_, depth) => `${'  '.repeat(depth + 1)}k${depth}:`).join('\n')} x\n`;
    writeTree(dir, { ...STACK, '.github/workflows/a.yml': deep, '.github/workflows/b.yml': indented });
    const result = cli(['check', dir, '--format', 'json', '--rule', 'parse-error']);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(parseErrors(result.stdout)).toEqual([
      { file: '.github/workflows/a.yml', message: expect.stringContaining('nested deeper') },
      { file: '.github/workflows/b.yml', message: expect.stringContaining('nested deeper') },
    ]);
  });

  it('an unreadable directory, a name with a line break and a name that is not UTF-8 are findings, never skipped silently', () => {
    const dir = tempDir();
    const makefile = 'init:\n\tterramate run --enable-sharing -- terraform init\n';
    writeTree(dir, { ...STACK, 'locked/Makefile': makefile, 'new\nline/Makefile': makefile });
    const badName = Buffer.concat([Buffer.from(`${dir}/bad`), Buffer.from([0xff])]);
    mkdirSync(badName);
    writeFileSync(Buffer.concat([badName, Buffer.from('/Makefile')]), makefile);
    chmodSync(join(dir, 'locked'), 0o000);
    // Root reads anything: without the capabilities that bypass permissions, root is bound by them.
    const prefix = process.getuid?.() === 0 ? ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search'] : [];
    const run = spawnSync(prefix[0] ?? process.execPath, [...prefix.slice(1), ...(prefix.length ? [process.execPath] : []), BIN, 'check', dir, '--format', 'json', '--rule', 'parse-error'], {
      env: { PATH: process.env.PATH ?? '', HOME: tempDir('tm-doctor-home-') },
      encoding: 'utf8',
      timeout: 90_000,
    });
    chmodSync(join(dir, 'locked'), 0o755);
    expect(run.status).toBe(1);
    expect(parseErrors(run.stdout)).toEqual([
      { file: 'bad\uFFFD', message: expect.stringContaining('not valid UTF-8') },
      { file: 'locked', message: expect.stringContaining('permission denied') },
      { file: 'new\nline', message: expect.stringContaining('line break') },
    ]);
  });

  it('a 16,000-line init recipe: checked, with its finding', () => {
    const dir = tempDir();
    const lines = Array.from({ length: 16_000 }, (_, index) => `\t@echo step ${index}`);
    lines.splice(8000, 0, '\tterramate run --enable-sharing -- terraform init');
    writeTree(dir, { ...STACK, Makefile: `init:\n${lines.join('\n')}\n` });
    const result = cli(['check', dir, '--format', 'json', '--rule', 'no-sharing-on-init']);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect((JSON.parse(result.stdout) as JsonReport).findings.map(({ ruleId, line }) => [ruleId, line])).toEqual([['no-sharing-on-init', 8002]]);
  });
});
