import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { copyFixture, homeWithPluginCache, REPO, emptyHome, scrubbedEnv, tempDir } from '../commands/run-cli.js';
import { commitAll, copyWorkingTree, npmNetworkEnv, onPath, suiteTempDir } from './support.js';

interface HookDefinition {
  id: string;
  name: string;
  entry: string;
  language: string;
  pass_filenames: boolean;
  files: string;
}

const hooks = parse(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as HookDefinition[];

describe('.pre-commit-hooks.yaml', () => {
  it('defines the tm-doctor hook: node, whole project, no provider execution', () => {
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      id: 'tm-doctor',
      name: 'tm-doctor',
      entry: 'tm-doctor check --no-exec',
      language: 'node',
      pass_filenames: false,
    });
  });

  // pre-commit applies `files` with Python's re.search on repository-relative paths, so Python decides.
  const paths: Array<[string, boolean]> = [
    ['terramate.tm.hcl', true],
    ['stacks/dev/blog/stack.tm.hcl', true],
    ['config.tm', true],
    ['stacks/dev/blog/main.tf', true],
    ['stacks/dev/blog/main.tf.json', true],
    ['stacks/dev/blog/.terraform.lock.hcl', true],
    ['stacks/legacy/.tmskip', true],
    ['Makefile', true],
    ['sub/GNUmakefile', true],
    ['makefile', true],
    ['mk/terramate.mk', true],
    ['.github/workflows/plan.yml', true],
    ['.github/workflows/nested/x.yaml', true],
    ['.gitlab-ci.yml', true],
    ['ci/.gitlab-ci.yaml', true],
    ['scripts/init-all.sh', true],
    ['package.json', true],
    ['tools/package.json', true],
    ['.tm-doctor.json', true],
    ['README.md', false],
    ['main.tfvars', false],
    ['terraform.tfstate', false],
    ['other.hcl', false],
    ['docs/Makefile.md', false],
    ['.github/dependabot.yml', false],
    ['gitlab-ci.yml.bak', false],
    ['scripts/init.bash', true],
    ['Taskfile.yml', true],
    ['justfile', true],
    ['.github/actions/tm/action.yml', true],
    ['docs/action.yml.txt', false],
    ['package.json5', false],
    ['tm-doctor.json', false],
    ['src/stack.tmx', false],
  ];

  it('`files` matches Terramate/Terraform/Make/CI/script files and tm-doctor config, nothing else (Python re.search)', () => {
    const script = 'import json, re, sys\nspec = json.load(sys.stdin)\nprint(json.dumps([bool(re.search(spec["regex"], p)) for p in spec["paths"]]))';
    const result = spawnSync('python3', ['-c', script], {
      input: JSON.stringify({ regex: hooks[0].files, paths: paths.map(([path]) => path) }),
      encoding: 'utf8',
    });
    expect(result.stderr).toBe('');
    const matched = JSON.parse(result.stdout) as boolean[];
    expect(paths.map(([path], index) => [path, matched[index]])).toEqual(paths);
  });
});

// Slow (about 30 s per run): pre-commit installs the hook as it would from a git URL, with
// `npm install` + `npm pack` + `npm install -g` of this repository, dependencies from the
// registry through npm's cache.
describe('pre-commit try-repo (slow: installs the hook from a clone of this repository)', () => {
  let hookRepo: string;

  beforeAll(() => {
    expectWithMessage(onPath('pre-commit'), 'pre-commit is not installed (apt-get install pre-commit)').toBe(true);
    hookRepo = suiteTempDir('tm-doctor-hook-repo-');
    copyWorkingTree(hookRepo);
    commitAll(hookRepo);
  });
  afterAll(() => rmSync(hookRepo, { recursive: true, force: true }));

  function tryRepo(fixture: string, home: string) {
    const project = copyFixture(fixture);
    commitAll(project);
    const result = spawnSync('pre-commit', ['try-repo', hookRepo, 'tm-doctor', '--all-files', '--color', 'never'], {
      cwd: project,
      env: scrubbedEnv(home, { PRE_COMMIT_HOME: tempDir('tm-doctor-pre-commit-home-'), ...npmNetworkEnv() }),
      encoding: 'utf8',
      timeout: 420_000,
    });
    if (result.error) throw result.error;
    return result;
  }

  it('fails on the seed project and prints its findings', () => {
    const result = tryRepo('seed-blog', emptyHome());
    const output = result.stdout + result.stderr;
    expect(output).not.toContain('An unexpected error has occurred');
    expect(output).toMatch(/^tm-doctor\.+Failed$/m);
    expect(output).toContain('- hook id: tm-doctor\n- exit code: 1\n');
    expect(output).toMatch(/^terramate\.tm\.hcl:1:1: warning: .*  plugin-cache-dir$/m);
    expect(output).toContain('plugin-cache-dir');
    expect(result.status).toBe(1);
  }, 480_000);

  it('passes on the clean project with a plugin cache in ~/.terraformrc', () => {
    const result = tryRepo('clean', homeWithPluginCache());
    const output = result.stdout + result.stderr;
    expect(output).not.toContain('An unexpected error has occurred');
    expect(output).toMatch(/^tm-doctor\.+Passed$/m);
    expect(result.status).toBe(0);
  }, 480_000);
});
