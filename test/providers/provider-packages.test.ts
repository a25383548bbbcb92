import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { discoverProviderPackages, findExecutableName, stackProvidersDir } from '../../src/analysis/provider-packages.js';
import { hashPackageDir } from '../../src/providers/dirhash.js';
import { runHandshakes } from '../../src/providers/handshake-pool.js';
import { buildGoTool, makeTempDir, processesStartedUnder, zombieChildren } from '../support/providers.js';

let provider: string;
let root: string;

beforeAll(() => {
  provider = buildGoTool('provider');
  root = makeTempDir('packages');
});
afterAll(async () => rm(root, { recursive: true, force: true }));

function cachePackage(cache: string, source: string, version: string, platform: string, executableName: string): string {
  const dir = join(cache, source, version, platform);
  mkdirSync(dir, { recursive: true });
  copyFileSync(provider, join(dir, executableName));
  chmodSync(join(dir, executableName), 0o755);
  return dir;
}

function linkStack(stack: string, source: string, version: string, platform: string, target: string, dataDir = '.terraform'): string {
  const parent = join(stack, dataDir, 'providers', source, version);
  mkdirSync(parent, { recursive: true });
  const link = join(parent, platform);
  symlinkSync(target, link);
  return link;
}

describe('discoverProviderPackages', () => {
  it('groups stacks by physical package, reports dangling links, scans the cache', async () => {
    const base = join(root, 'scenario1');
    const cache = join(base, 'plugin-cache');
    const awsDir = cachePackage(cache, 'registry.terraform.io/hashicorp/aws', '5.1.0', 'linux_amd64', 'terraform-provider-aws_v5.1.0_x5');
    const mirrorDir = cachePackage(cache, 'mirror.example.com:8443/acme/thing', '0.1.0-beta.1', 'linux_amd64', 'terraform-provider-thing');
    mkdirSync(join(cache, 'registry.terraform.io/hashicorp/null'), { recursive: true });
    writeFileSync(join(cache, 'registry.terraform.io/hashicorp/null/terraform-provider-null_3.0.0_linux_amd64.zip'), 'zip');
    const stacks = ['a', 'b', 'c', 'broken', 'local'].map((name) => join(base, 'stacks', name));
    const links = stacks.slice(0, 3).map((stack) => linkStack(stack, 'registry.terraform.io/hashicorp/aws', '5.1.0', 'linux_amd64', awsDir));
    linkStack(stacks[3], 'registry.terraform.io/hashicorp/aws', '5.1.0', 'linux_amd64', join(cache, 'registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64'));
    const localDir = cachePackage(join(stacks[4], '.terraform', 'providers'), 'registry.terraform.io/hashicorp/aws', '5.1.0', 'linux_amd64', 'terraform-provider-aws_v5.1.0_x5');

    const { packages, problems } = await discoverProviderPackages({ stacks, pluginCacheDirs: [cache] });

    expect(packages.map((found) => [found.source, found.version, found.platform, found.packageDir])).toEqual([
      ['mirror.example.com:8443/acme/thing', '0.1.0-beta.1', 'linux_amd64', mirrorDir],
      ['registry.terraform.io/hashicorp/aws', '5.1.0', 'linux_amd64', awsDir],
      ['registry.terraform.io/hashicorp/aws', '5.1.0', 'linux_amd64', localDir],
    ]);
    const [mirror, aws, local] = packages;
    expect(aws.usedBy).toEqual(stacks.slice(0, 3).map((stack, index) => ({ stack, linkPath: links[index], linkTarget: awsDir })));
    expect(aws.inCaches).toEqual([cache]);
    expect(aws.executable?.path).toBe(join(awsDir, 'terraform-provider-aws_v5.1.0_x5'));
    expect(aws.key).toBe(`${awsDir}#${aws.executable?.dev}:${aws.executable?.ino}`);
    expect(mirror.usedBy).toEqual([]);
    expect(mirror.address).toEqual({ hostname: 'mirror.example.com:8443', namespace: 'acme', type: 'thing' });
    expect(local.usedBy).toEqual([{ stack: stacks[4], linkPath: localDir, linkTarget: null }]);
    expect(local.inCaches).toEqual([]);
    expect(problems).toEqual([
      {
        kind: 'dangling-link',
        stack: stacks[3],
        linkPath: join(stacks[3], '.terraform/providers/registry.terraform.io/hashicorp/aws/5.1.0/linux_amd64'),
        linkTarget: join(cache, 'registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64'),
        source: 'registry.terraform.io/hashicorp/aws',
        version: '5.1.0',
        platform: 'linux_amd64',
      },
    ]);
  });

  it('honours TF_DATA_DIR, relative to each stack or absolute', () => {
    expect(stackProvidersDir('/p/s')).toBe('/p/s/.terraform/providers');
    expect(stackProvidersDir('/p/s', 'data')).toBe('/p/s/data/providers');
    expect(stackProvidersDir('/p/s', '/abs/dd')).toBe('/abs/dd/providers');
  });

  it('picks the executable as Terraform does: first in name order, exact or followed by _ or .', async () => {
    const dir = join(root, 'exec-rule');
    mkdirSync(join(dir, 'terraform-provider-x_dir'), { recursive: true });
    for (const name of ['terraform-provider-xy', 'terraform-provider-x.exe', 'terraform-provider-x_v2', 'README']) writeFileSync(join(dir, name), '');
    expect(await findExecutableName(dir, 'x')).toBe('terraform-provider-x.exe');
    expect(await findExecutableName(dir, 'xy')).toBe('terraform-provider-xy');
    expect(await findExecutableName(dir, 'z')).toBeNull();
    const exact = join(root, 'exec-exact');
    mkdirSync(exact);
    writeFileSync(join(exact, 'terraform-provider-x'), '');
    writeFileSync(join(exact, 'terraform-provider-x_a'), '');
    expect(await findExecutableName(exact, 'x')).toBe('terraform-provider-x');
  });

  it('end to end: 3 stacks on one cached package handshake once and hash like Go', async () => {
    const base = join(root, 'scenario2');
    const cache = join(base, 'cache');
    const tempRoot = join(base, 'tmp');
    mkdirSync(tempRoot, { recursive: true });
    const packageDir = cachePackage(cache, 'registry.terraform.io/tmdoctor/tmdoctor', '1.0.0', 'linux_amd64', 'terraform-provider-tmdoctor_v1.0.0');
    const stacks = ['one', 'two', 'three'].map((name) => join(base, name));
    for (const stack of stacks) linkStack(stack, 'registry.terraform.io/tmdoctor/tmdoctor', '1.0.0', 'linux_amd64', packageDir, 'dd');
    const { packages } = await discoverProviderPackages({ stacks, tfDataDir: 'dd' });
    expect(packages).toHaveLength(1);
    const executablesViaLinks = packages[0].usedBy.map((use) => join(use.linkPath, 'terraform-provider-tmdoctor_v1.0.0'));
    const entries = await runHandshakes(executablesViaLinks, { timeoutMs: 10_000, tempRoot });
    expect(entries.filter((entry) => entry.ran)).toHaveLength(1);
    expect(entries.every((entry) => entry.result.ok)).toBe(true);
    expect(processesStartedUnder(tempRoot)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
    expect(readdirSync(tempRoot)).toEqual([]);

    const goH1 = execFileSync(buildGoTool('dirhash'), [packages[0].usedBy[0].linkPath], { encoding: 'utf8' }).trim();
    expect((await hashPackageDir(packages[0].usedBy[0].linkPath)).h1).toBe(goH1);
  });
});
