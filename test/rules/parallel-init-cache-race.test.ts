import { describe, expect, it } from '@jest/globals';
import { checkTree, tempDir, type FileTree } from '../support/project.js';

const LOCK_WITH_H1 = 'provider "registry.terraform.io/hashicorp/aws" {\n  version = "5.82.2"\n  hashes = [\n    "h1:ce6Dw2y4PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8=",\n  ]\n}\n';

function project(cache: string, extra: FileTree = {}): FileTree {
  return {
    'terramate.tm.hcl': `terramate {\n  required_version = ">= 0.9"\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "${cache}"\n      }\n    }\n  }\n}\n`,
    'stacks/a/stack.tm.hcl': 'stack {}\n',
    'stacks/a/main.tf': 'terraform {}\n',
    'stacks/a/.terraform.lock.hcl': LOCK_WITH_H1,
    'stacks/b/stack.tm.hcl': 'stack {}\n',
    'stacks/b/main.tf': 'terraform {}\n',
    Makefile: 'P ?= 1\ninit:\n\tterramate run --parallel 8 -- terraform init\ninit-one:\n\tterramate run -- terraform init\n',
    ...extra,
  };
}

const run = (files: FileTree) => checkTree(files, { rule: 'parallel-init-cache-race' });

describe('parallel-init-cache-race', () => {
  it('warns at a parallel init when stacks share the cache and one has no lock file', async () => {
    const findings = await run(project(tempDir()));
    expect(findings.map(({ file, line }) => `${file}:${line}`)).toEqual(['Makefile:3']);
    expect(findings[0].message).toMatch(/^terraform init \(target init\) runs 8 stacks at a time while 2 stack\(s\) share the plugin cache, and 1 \(stacks\/b\) lack/);
  });

  it('is silent when every stack has a lock file with h1: hashes', async () => {
    expect(await run(project(tempDir(), { 'stacks/b/.terraform.lock.hcl': LOCK_WITH_H1 }))).toEqual([]);
  });

  it('is silent for serial init, for -j 1, and without a shared cache', async () => {
    const serial = project(tempDir(), { Makefile: 'init:\n\tterramate run -j 1 -- terraform init\n' });
    expect(await run(serial)).toEqual([]);
    const noCache = project(tempDir(), { 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n' });
    expect(await run(noCache)).toEqual([]);
  });

  it('is silent for OpenTofu, whose version cannot be known statically', async () => {
    expect(await run(project(tempDir(), { Makefile: 'init:\n\tterramate run -j 4 -- tofu init\n' }))).toEqual([]);
  });
});

describe('parallel-init-cache-race with terramate script run', () => {
  it('warns when a parallel `terramate script run` reaches a script whose job runs init', async () => {
    const files = project(tempDir(), {
      Makefile: 'deploy:\n\tterramate script run --parallel 4 deploy\n',
      'scripts.tm.hcl': 'script "deploy" {\n  job {\n    commands = [\n      ["terraform", "init"],\n      ["terraform", "apply", "-auto-approve"],\n    ]\n  }\n}\n',
    });
    const findings = await run(files);
    expect(findings.map(({ file, line }) => `${file}:${line}`)).toEqual(['Makefile:2']);
    expect(findings[0].message).toMatch(/^terraform init \(target deploy\) runs 4 stacks at a time/);
  });
});

describe('parallel-init-cache-race: where the run reaches', () => {
  const scripts = (tool: string) => `script "init" {\n  job {\n    commands = [["${tool}", "init"]]\n  }\n}\n`;

  it('follows -C to the scripts in scope there: tofu stacks only, so no Terraform race', async () => {
    const cache = tempDir();
    const files: FileTree = {
      ...project(cache),
      'stacks/a/scripts.tm.hcl': scripts('terraform'),
      'other/c/stack.tm.hcl': 'stack {}\n',
      'other/c/main.tf': 'terraform {}\n',
      'other/d/stack.tm.hcl': 'stack {}\n',
      'other/d/main.tf': 'terraform {}\n',
      'other/scripts.tm.hcl': scripts('tofu'),
      Makefile: 'all:\n\tterramate script run -C other --parallel 5 init\n',
    };
    expect(await run(files)).toEqual([]);
    const findings = await run({ ...files, Makefile: 'all:\n\tterramate script run -C stacks --parallel 5 init\n' });
    expect(findings.map(({ file, line }) => `${file}:${line}`)).toEqual(['Makefile:2']);
  });

  it('does not warn when a serial init warms the cache up first', async () => {
    const files = project(tempDir(), { Makefile: 'init:\n\tterramate run -- terraform init\n\tterramate run --parallel 8 -- terraform init -upgrade\n' });
    expect(await run(files)).toEqual([]);
  });
});

describe('parallel-init-cache-race on a deployment workflow shaped like Terramate\'s quickstarts', () => {
  const workflow = (initParallel: number) => `name: Terramate Deployment
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        env: [stg, prd]
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - name: Run Terraform init in all changed stacks
        run: |
          terramate script run \\
            -C stacks/\${{ matrix.env }} \\
            --parallel ${initParallel} \\
            --changed \\
            init
        env:
          GITHUB_TOKEN: \${{ github.token }}
      - name: Run Terraform apply in all changed stacks
        run: |
          terramate script run \\
            -C stacks/\${{ matrix.env }} \\
            --parallel 5 \\
            --changed \\
            deploy
`;
  const scripts = 'script "init" {\n  job {\n    commands = [\n      ["terraform", "init", "-lock-timeout=5m"],\n    ]\n  }\n}\n\nscript "deploy" {\n  job {\n    commands = [\n      ["terraform", "plan", "-out", "out.tfplan"],\n      ["terraform", "apply", "-auto-approve", "out.tfplan"],\n    ]\n  }\n}\n';

  it('is silent when init runs with --parallel 1 and only deploy runs in parallel', async () => {
    const files = project(tempDir(), { Makefile: '', 'stacks/workflows.tm.hcl': scripts, '.github/workflows/deploy.yml': workflow(1) });
    expect(await run(files)).toEqual([]);
  });

  it('warns at the init step when it runs 5 at a time', async () => {
    const files = project(tempDir(), { Makefile: '', 'stacks/workflows.tm.hcl': scripts, '.github/workflows/deploy.yml': workflow(5) });
    const findings = await run(files);
    expect(findings.map(({ file, line }) => `${file}:${line}`)).toEqual(['.github/workflows/deploy.yml:17']);
    expect(findings[0].message).toMatch(/^terraform init \(jobs\.deploy\.steps\[1\]\) runs 5 stacks at a time/);
  });
});
