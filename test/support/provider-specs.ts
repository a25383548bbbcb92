// The vocabulary of the provider rules' specifications (provider-checksum, provider-handshake):
// where terraform puts packages, stand-in executables and their Go dirhash (h1:) values, a
// realistic lock file, and a TMPDIR for the cases that start the real go-plugin provider.
import { chmodSync, copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from '@jest/globals';
import type { FileTree } from './project.js';
import { buildGoTool, makeTempDir, processesStartedUnder, zombieChildren } from './providers.js';

export const lines = (...text: string[]) => `${text.join('\n')}\n`;

export const HOST_NS = 'registry.terraform.io/hashicorp';
export const executable = (type: string, version: string) => `terraform-provider-${type}_v${version}_x5`;
/** A package as `terraform init` without a plugin cache leaves it: a directory in the stack. */
export const inStack = (stack: string, type: string, version: string, platform = 'linux_amd64') =>
  `${stack}/.terraform/providers/${HOST_NS}/${type}/${version}/${platform}`;
/** A package in the plugin cache, relative to the home directory. */
export const inCache = (type: string, version: string) => `.terraform.d/plugin-cache/${HOST_NS}/${type}/${version}/linux_amd64`;

/** A shell script where a provider binary belongs: where only its bytes matter (hashing, headers). */
export const standIn = (type: string, version: string) => `#!/bin/sh\n# stand-in for terraform-provider-${type} ${version}: only its bytes are hashed\nexit 1\n`;

// Go's dirhash (`h1:`) of those packages (test/support/go-dirhash), as terraform records them.
export const H1 = {
  aws: 'h1:Vo5Umq8OmUwHLE99jOvQsWMZl/FI4y6SXBQcZH0eo2A=',
  random: 'h1:g32mmN2HOniofR7bBRTFO3rw1riO/gbTYAPeFt55J0U=',
  /** The random package cut short (its first 32 bytes). */
  randomCutShort: 'h1:hCz/rNFN6rdWMXNNSOHwzFYLPxsJi5Vla4uST2hVXHM=',
  /** A package whose executable is an empty file. */
  awsEmpty: 'h1:whyvuOy2JEA8vHkeSHpBK7Q5CGgXKPCQ35g252bghQk=',
};
// The other platforms' h1: and the zip hashes a lock file carries beside ours.
export const H1_DARWIN_ARM64 = 'h1:2rbOFUhv8mCl3GjM9y4VQ8cqlhQzrlIAgnDhr8RcU9o=';
export const H1_LINUX_ARM64 = 'h1:Q5bjXkXh9H5kGGbcH0zWGlPBNCH7cZ4i1nU9eI3SgL8=';
export const ZH_AWS = [
  'zh:0d1a3f0b5c4e2a8f6b9d7c3e1f5a2b8c4d6e9f0a1b3c5d7e9f2a4b6c8d0e1f3a',
  'zh:2f7e4d9c1b6a8e3f5d0c7b2a9e4f6d1c8b3a5e7f0d2c4b6a8e1f3d5c7b9a0e2f',
  'zh:9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b',
];
export const ZH_RANDOM = [
  'zh:1b8e6c4a2f0d9b7e5c3a1f8d6b4e2c0a9f7d5b3e1c8a6f4d2b0e9c7a5f3d1b8e',
  'zh:7a5c3e1f9d7b5a3c1e9f7d5b3a1c9e7f5d3b1a9c7e5f3d1b9a7c5e3f1d9b7a5c',
];

export const CLI_CONFIG: FileTree = { '.terraformrc': 'plugin_cache_dir = "<HOME>/.terraform.d/plugin-cache"\n' };

// Two providers, as `terraform init` on a Mac and then on CI (linux_amd64) leaves the lock file.
export const REALISTIC_LOCK = `# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.31.0"
  constraints = "~> 5.31"
  hashes = [
    "${H1_DARWIN_ARM64}",
    "${H1.aws}",
    "${ZH_AWS[0]}",
    "${ZH_AWS[1]}",
    "${ZH_AWS[2]}",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.0"
  constraints = ">= 3.5.0"
  hashes = [
    "${H1.random}",
    "${ZH_RANDOM[0]}",
    "${ZH_RANDOM[1]}",
  ]
}
`;

/**
 * A TMPDIR for the cases that start the real provider, proven empty and unused after each
 * test (no process, no zombie, no file left), removed after the file.
 */
export function handshakeTempDir(label: string): string {
  const dir = makeTempDir(label);
  afterEach(() => {
    expect(processesStartedUnder(dir)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The real go-plugin provider as the executable of the package directory `dir`; returns its path. */
export function installProvider(dir: string, type = 'aws', version = '5.31.0'): string {
  const path = join(dir, executable(type, version));
  mkdirSync(dir, { recursive: true });
  copyFileSync(buildGoTool('provider'), path);
  chmodSync(path, 0o755);
  return path;
}
