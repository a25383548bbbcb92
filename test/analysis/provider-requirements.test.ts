import { describe, expect, it } from '@jest/globals';
import { readLockFile } from '../../src/analysis/lockfile.js';
import { providerAddress, providerRequirements } from '../../src/analysis/provider-requirements.js';
import { parseHcl } from '../../src/parsers/hcl.js';

// A lock file exactly as Terraform 1.11 writes it.
const LOCK = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.82.2"
  constraints = "~> 5.80"
  hashes = [
    "h1:ce6Dw2y4PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8=",
  ]
}

provider "example.com/acme/big" {
  version     = "1.0.0"
  constraints = "1.0.0"
  hashes = [
    "h1:PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8ce6Dw2y4=",
  ]
}
`;

const tf = (text: string) => parseHcl('main.tf', text);
const keyOf = async (...texts: string[]) => providerRequirements(null, await Promise.all(texts.map(tf))).key;

describe('provider requirements: stacks that install the same packages share a key', () => {
  it('a lock file gives its providers and versions, sorted', async () => {
    const lock = readLockFile(await parseHcl('.terraform.lock.hcl', LOCK));
    expect(providerRequirements(lock, null)).toEqual({ key: 'example.com/acme/big@1.0.0 registry.terraform.io/hashicorp/aws@5.82.2', from: 'lock-file' });
  });

  it('required_providers: an exact version reads as the lock file records it', async () => {
    const exact = await keyOf('terraform {\n  required_providers {\n    big = {\n      source  = "example.com/acme/big"\n      version = "= 1.0.0"\n    }\n  }\n}\n');
    expect(exact).toBe('example.com/acme/big@1.0.0');
    const lock = readLockFile(await parseHcl('.terraform.lock.hcl', LOCK.slice(0, LOCK.indexOf('provider "registry'))+ LOCK.slice(LOCK.indexOf('provider "example'))));
    expect(providerRequirements(lock, null).key).toBe(exact);
  });

  it('short sources and the legacy string form expand as Terraform expands them', async () => {
    expect(providerAddress('hashicorp/aws', 'aws')).toBe('registry.terraform.io/hashicorp/aws');
    expect(providerAddress('', 'google')).toBe('registry.terraform.io/hashicorp/google');
    expect(await keyOf('terraform {\n  required_providers {\n    aws = "~> 5.0"\n  }\n}\n')).toBe('registry.terraform.io/hashicorp/aws@~> 5.0');
    expect(await keyOf('terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n')).toBe('registry.terraform.io/hashicorp/aws@~> 5.0');
  });

  it('the files of a stack together, modules included; a different module is a different key', async () => {
    const providers = 'terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "~> 5.0" }\n  }\n}\n';
    const vpc = 'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.16.0"\n}\n';
    const eks = 'module "vpc" {\n  source  = "terraform-aws-modules/eks/aws"\n  version = "20.31.0"\n}\n';
    expect(await keyOf(providers, vpc)).toBe('module:vpc=terraform-aws-modules/vpc/aws@5.16.0 registry.terraform.io/hashicorp/aws@~> 5.0');
    expect(await keyOf(vpc, providers)).toBe(await keyOf(providers, vpc));
    expect(await keyOf(providers, eks)).not.toBe(await keyOf(providers, vpc));
  });

  it('unknown when a file does not parse, a value is not a string, or the files could not be read', async () => {
    expect(await keyOf('terraform {\n  required_providers {\n')).toBeNull();
    expect(await keyOf('terraform {\n  required_providers {\n    aws = { source = var.source }\n  }\n}\n')).toBeNull();
    expect(providerRequirements(null, null)).toEqual({ key: null, from: 'unknown' });
  });
});
