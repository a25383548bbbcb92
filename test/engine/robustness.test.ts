import { spawnSync } from 'node:child_process';
import { chmodSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { brief, check, copyFixture, tempDir, writeTree } from '../support/project.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');
const isRoot = process.getuid?.() === 0;

function cli(args: string[], home = tempDir('tm-doctor-home-')) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home }, encoding: 'utf8' });
}

describe('a broken file is a finding, not a crash', () => {
  it('reports an HCL syntax error once, with its line, and still checks the rest', async () => {
    const project = copyFixture('seed-blog');
    writeFileSync(join(project, 'stacks/dev/blog/broken.tm.hcl'), 'globals {\n  region = "eu-west-1"\n  zones = [\n}\n');
    const outcome = await check(project);
    const findings = brief(outcome.findings, project);
    const parseErrors = findings.filter((finding) => finding.ruleId === 'parse-error');
    expect(parseErrors).toEqual([
      { ruleId: 'parse-error', file: 'stacks/dev/blog/broken.tm.hcl', line: 4, message: expect.stringMatching(/^(Missing expression|Invalid expression|Missing item separator|Unclosed)/) },
    ]);
    expect(findings.map((finding) => finding.ruleId).sort()).toEqual(['lockfile-cache-env', 'no-sharing-on-init', 'parse-error', 'plugin-cache-dir']);
  });

  it('reports a Makefile GNU make would reject', async () => {
    const dir = tempDir();
    writeTree(dir, { 'a/stack.tm.hcl': 'stack {}\n', Makefile: 'init:\n    terramate run -- terraform init\n' });
    const findings = brief((await check(dir, { rules: ['parse-error', 'no-sharing-on-init'] })).findings, dir);
    expect(findings).toEqual([{ ruleId: 'parse-error', file: 'Makefile', line: 2, message: expect.stringContaining('missing separator') }]);
  });

  it('reports a YAML syntax error in a workflow with its line', async () => {
    const dir = tempDir();
    writeTree(dir, { 'a/stack.tm.hcl': 'stack {}\n', '.github/workflows/ci.yml': 'on: push\njobs:\n  a:\n    steps: [\n      - run: x\n' });
    const findings = brief((await check(dir, { rules: ['parse-error', 'no-sharing-on-init'] })).findings, dir);
    expect(findings.map((finding) => [finding.ruleId, finding.file])).toEqual([['parse-error', '.github/workflows/ci.yml']]);
    expect(findings[0].line).toBeGreaterThan(0);
  });

  it('reports an unreadable file and goes on', () => {
    // Root reads anything: as root, the CLI runs without the capabilities that bypass file
    // permissions (still root, so it reaches a checkout in a directory only root may enter).
    const project = copyFixture('seed-blog');
    const home = tempDir('tm-doctor-home-');
    chmodSync(join(project, 'Makefile'), 0o000);
    const args = [BIN, 'check', project, '--format', 'json'];
    const withoutOverride = ['--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search'];
    const result = isRoot
      ? spawnSync('setpriv', [...withoutOverride, process.execPath, ...args], { env: { PATH: process.env.PATH ?? '', HOME: home }, encoding: 'utf8' })
      : spawnSync(process.execPath, args, { env: { PATH: process.env.PATH ?? '', HOME: home }, encoding: 'utf8' });
    const findings = (JSON.parse(result.stdout) as { findings: Array<{ ruleId: string; file: string; message: string }> }).findings;
    expect(findings.map(({ ruleId, file, message }) => [ruleId, file, message])).toEqual([
      ['parse-error', 'Makefile', 'cannot read: permission denied'],
      ['lockfile-cache-env', 'terramate.tm.hcl', expect.any(String)],
      ['plugin-cache-dir', 'terramate.tm.hcl', expect.any(String)],
    ]);
    expect(result.status).toBe(1);
  });

  it('reports a binary file where text was expected', async () => {
    const project = copyFixture('seed-blog');
    writeFileSync(join(project, 'stacks/dev/blog/blob.tm'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2]));
    const findings = brief((await check(project, { rules: ['parse-error'] })).findings, project);
    expect(findings).toEqual([{ ruleId: 'parse-error', file: 'stacks/dev/blog/blob.tm', line: null, message: 'cannot read: binary file (contains NUL bytes), not text' }]);
  });

  it('survives a symbolic link loop, naming it', async () => {
    const project = copyFixture('seed-blog');
    symlinkSync('loop-b.tm', join(project, 'loop-a.tm'));
    symlinkSync('loop-a.tm', join(project, 'loop-b.tm'));
    symlinkSync('.', join(project, 'stacks/self'));
    const findings = brief((await check(project, { rules: ['parse-error'] })).findings, project);
    expect(findings).toEqual([
      { ruleId: 'parse-error', file: 'loop-a.tm', line: null, message: 'cannot read: symbolic link loop' },
      { ruleId: 'parse-error', file: 'loop-b.tm', line: null, message: 'cannot read: symbolic link loop' },
    ]);
  });

  it('says so for an empty project, exit 0, no stack trace', () => {
    const dir = tempDir();
    const result = cli(['check', dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`tm-doctor: no Terramate stacks found under ${dir} (no *.tm or *.tm.hcl file with a stack {} block)\n`);
  });

  it('gives a usage error for a directory that does not exist, exit 2, no stack trace', () => {
    const result = cli(['check', '/nonexistent/project']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('/nonexistent/project: no such directory');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('valid HCL that hcl2json cannot turn into JSON', () => {
  it('reads `globals {}` beside `globals "a" "b" {}` item by item, without a parse-error', async () => {
    const dir = tempDir();
    writeTree(dir, {
      'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.12.0"\n}\n',
      'config.tm.hcl': 'globals {\n  region = "eu-west-1"\n}\n\nglobals "terraform" "backend" {\n  bucket = "state"\n}\n',
      'stacks/a/stack.tm.hcl': 'globals {\n  x = 1\n}\n\nglobals "terraform" {\n  y = 2\n}\n\nstack {\n  name = "a"\n}\n',
      'stacks/a/main.tf': 'terraform {}\n',
    });
    const outcome = await check(dir, { rules: ['parse-error', 'plugin-cache-dir'] });
    expect(brief(outcome.findings, dir).map((finding) => finding.ruleId)).toEqual(['plugin-cache-dir']);
    expect(outcome.findings[0].data).toMatchObject({ count: 1, stacks: 'stacks/a' });
  });
});
