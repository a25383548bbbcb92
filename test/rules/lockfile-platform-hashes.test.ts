import { describe, expect, it } from '@jest/globals';
import { checkTree } from '../support/project.js';

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

describe('lockfile-platform-hashes', () => {
  it('reports a stack without a lock file and an entry with only zh: hashes', async () => {
    const findings = await checkTree(
      {
        'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n',
        'a/stack.tm.hcl': 'stack {}\n',
        'a/main.tf': 'terraform {}\n',
        'a/.terraform.lock.hcl': LOCK,
        'b/stack.tm.hcl': 'stack {}\n',
        'b/main.tf': 'terraform {}\n',
        'c/stack.tm.hcl': 'stack {}\n',
      },
      { rule: 'lockfile-platform-hashes' },
    );
    expect(findings.map(({ ruleId, file, line }) => ({ ruleId, file, line }))).toEqual([
      { ruleId: 'lockfile-platform-hashes', file: 'a/.terraform.lock.hcl', line: 13 },
      { ruleId: 'lockfile-platform-hashes', file: 'b/stack.tm.hcl', line: 1 },
    ]);
    expect(findings[0].message).toMatch(/^The lock entry for registry.terraform.io\/hashicorp\/random 3.6.3 has no h1: hash/);
    expect(findings[1].message).toMatch(/^Stack b has no .terraform.lock.hcl/);
  });
});
