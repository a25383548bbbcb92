import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readLockFile } from '../../src/analysis/lockfile.js';
import { providerAddress, providerRequirements } from '../../src/analysis/provider-requirements.js';
import { parseHcl } from '../../src/parsers/hcl.js';
import { FIXTURES } from '../support/project.js';
import { REALISTIC_LOCK } from '../support/provider-specs.js';

const tf = (text: string) => parseHcl('main.tf', text);
const keyOf = async (...texts: string[]) => providerRequirements(null, await Promise.all(texts.map(tf))).key;

describe('provider requirements: stacks that install the same packages share a key', () => {
  it('a lock file (as terraform writes it) gives its providers and versions, sorted', async () => {
    const lock = readLockFile(await parseHcl('.terraform.lock.hcl', REALISTIC_LOCK));
    expect(providerRequirements(lock, null)).toEqual({ key: 'registry.terraform.io/hashicorp/aws@5.31.0 registry.terraform.io/hashicorp/random@3.6.0', from: 'lock-file' });
  });

  it('required_providers: exact versions read as the lock file records them', async () => {
    const exact = await keyOf(
      'terraform {\n  required_providers {\n    random = {\n      source  = "hashicorp/random"\n      version = "= 3.6.0"\n    }\n    aws = {\n      source  = "hashicorp/aws"\n      version = "5.31.0"\n    }\n  }\n}\n',
    );
    const lock = readLockFile(await parseHcl('.terraform.lock.hcl', REALISTIC_LOCK));
    expect(exact).toBe(providerRequirements(lock, null).key);
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

  it('providers used without a required_providers entry are implied, as Terraform implies hashicorp/NAME', async () => {
    const aws = await keyOf('resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n');
    const google = await keyOf('data "google_project" "this" {}\n', 'provider "google" {\n  region = "eu"\n}\n');
    expect(aws).toBe('registry.terraform.io/hashicorp/aws@');
    expect(google).toBe('registry.terraform.io/hashicorp/google@');
    // A declared local name is not implied again.
    expect(await keyOf('terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", version = "5.31.0" }\n  }\n}\n', 'resource "aws_s3_bucket" "b" {}\n')).toBe('registry.terraform.io/hashicorp/aws@5.31.0');
  });

  it('a local module is its directory: the same ./mod in two stacks is two modules', async () => {
    const call = await tf('module "app" {\n  source = "./mod"\n}\n');
    const a = providerRequirements(null, [call], '/repo/stacks/a').key;
    const b = providerRequirements(null, [call], '/repo/stacks/b').key;
    expect(a).toBe('module:app=/repo/stacks/a/mod@');
    expect(b).not.toBe(a);
    const shared = await tf('module "app" {\n  source = "../../modules/app"\n}\n');
    expect(providerRequirements(null, [shared], '/repo/stacks/a').key).toBe(providerRequirements(null, [shared], '/repo/stacks/b').key);
  });

  it('the incident\'s stacks (realistic files): required_providers beside a provider block: one key for the four', async () => {
    const keys = await Promise.all(
      ['stacks/dev/blog', 'stacks/dev/network', 'stacks/prd/blog', 'stacks/prd/network'].map((stack) => keyOf(readFileSync(join(FIXTURES, 'seed-blog', stack, 'main.tf'), 'utf8'))),
    );
    expect(new Set(keys)).toEqual(new Set(['registry.terraform.io/hashicorp/aws@~> 5.80']));
  });

  it('unknown when a file does not parse, a value is not a string, or the files could not be read', async () => {
    expect(await keyOf('terraform {\n  required_providers {\n')).toBeNull();
    expect(await keyOf('terraform {\n  required_providers {\n    aws = { source = var.source }\n  }\n}\n')).toBeNull();
    expect(providerRequirements(null, null)).toEqual({ key: null, from: 'unknown' });
  });
});
