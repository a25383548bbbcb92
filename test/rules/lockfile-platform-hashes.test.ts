import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lockfilePlatformHashes } from '../../src/rules/lockfile-platform-hashes.js';
import { FIXTURES, type FileTree } from '../support/project.js';
import { runRuleTests } from '../support/rule-tester.js';

const ROOT_CONFIG = 'terramate {\n  required_version = ">= 0.9"\n}\n';

// aws has an h1: hash; random (line 13) has only zh: hashes.
const LOCK = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.82.2"
  constraints = "~> 5.80"
  hashes = [
    "h1:ce6Dw2y4PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8=",
    "zh:0262fc96012fb7e173e1b7beadd46dfc25b1dc7eaef95b90e936fc454724f1c8",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.3"
  hashes = [
    "zh:04ceb65210251339f07cd4611885d242cd4d0c7306e86dda9785396807c00451",
  ]
}
`;
const LOCK_WITH_H1 = LOCK.slice(0, LOCK.indexOf('provider "registry.terraform.io/hashicorp/random"') - 1);

/** The seed author's project (fixtures/seed-blog): four stacks, each with its lock file. */
const SEED_STACKS = ['stacks/dev/network', 'stacks/dev/blog', 'stacks/prd/network', 'stacks/prd/blog'];
const seed = (path: string) => readFileSync(join(FIXTURES, 'seed-blog', path), 'utf8');
const seedProject = (withoutLock: string[] = []): FileTree => ({
  'terramate.tm.hcl': seed('terramate.tm.hcl'),
  'sharing.tm.hcl': seed('sharing.tm.hcl'),
  Makefile: seed('Makefile'),
  ...Object.fromEntries(
    SEED_STACKS.flatMap((stack) => [
      [`${stack}/stack.tm.hcl`, seed(`${stack}/stack.tm.hcl`)],
      [`${stack}/main.tf`, seed(`${stack}/main.tf`)],
      ...(withoutLock.includes(stack) ? [] : [[`${stack}/.terraform.lock.hcl`, seed(`${stack}/.terraform.lock.hcl`)]]),
    ]),
  ),
});

runRuleTests(lockfilePlatformHashes, {
  valid: [
    { name: 'the seed project: every stack has a lock file with h1: hashes (realistic files)', files: seedProject() },
    {
      name: 'a stack without Terraform files needs no lock file',
      files: { 'terramate.tm.hcl': ROOT_CONFIG, 'a/stack.tm.hcl': 'stack {}\n', 'a/main.tf': 'terraform {}\n', 'a/.terraform.lock.hcl': LOCK_WITH_H1, 'c/stack.tm.hcl': 'stack {}\n' },
    },
    {
      name: 'a lock file that does not parse is left to parse-error',
      files: { 'terramate.tm.hcl': ROOT_CONFIG, 'a/stack.tm.hcl': 'stack {}\n', 'a/main.tf': 'terraform {}\n', 'a/.terraform.lock.hcl': 'provider "registry.terraform.io/hashicorp/aws" {\n' },
    },
  ],
  invalid: [
    {
      name: 'a stack without a lock file and a lock entry with only zh: hashes; a stack without Terraform files is not reported',
      files: {
        'terramate.tm.hcl': ROOT_CONFIG,
        'a/stack.tm.hcl': 'stack {}\n',
        'a/main.tf': 'terraform {}\n',
        'a/.terraform.lock.hcl': LOCK,
        'b/stack.tm.hcl': 'stack {}\n',
        'b/main.tf': 'terraform {}\n',
        'c/stack.tm.hcl': 'stack {}\n',
      },
      errors: [
        { messageId: 'no-h1', file: 'a/.terraform.lock.hcl', line: 13, data: { provider: 'registry.terraform.io/hashicorp/random', version: '3.6.3', tool: 'terraform' } },
        { messageId: 'no-lock-file', file: 'b/stack.tm.hcl', line: 1, data: { stack: 'b', tool: 'terraform' } },
      ],
    },
    {
      name: 'the seed project with one lock file not committed: reported at its stack block (realistic files)',
      files: seedProject(['stacks/dev/network']),
      errors: [{ messageId: 'no-lock-file', file: 'stacks/dev/network/stack.tm.hcl', line: 1, data: { stack: 'stacks/dev/network', tool: 'terraform' } }],
    },
    {
      name: 'the stack block is found below comments; the tool named is the one the project runs init with',
      files: {
        'terramate.tm.hcl': ROOT_CONFIG,
        Makefile: 'init:\n\tterramate run -- tofu init\n',
        'a/stack.tm.hcl': '# the app\n\nstack {\n  name = "a"\n}\n',
        'a/main.tf': 'terraform {}\n',
      },
      errors: [{ messageId: 'no-lock-file', file: 'a/stack.tm.hcl', line: 3, data: { stack: 'a', tool: 'tofu' } }],
    },
    {
      name: 'a lock entry without a version',
      files: {
        'terramate.tm.hcl': ROOT_CONFIG,
        'a/stack.tm.hcl': 'stack {}\n',
        'a/main.tf': 'terraform {}\n',
        'a/.terraform.lock.hcl': 'provider "registry.terraform.io/hashicorp/null" {\n  hashes = ["zh:04ceb65210251339f07cd4611885d242cd4d0c7306e86dda9785396807c00451"]\n}\n',
      },
      errors: [{ messageId: 'no-h1', file: 'a/.terraform.lock.hcl', line: 1, data: { provider: 'registry.terraform.io/hashicorp/null', version: '(no version)' } }],
    },
  ],
});
