// provider-checksum as a specification: installed provider packages laid out in stacks'
// `.terraform/providers` and in a plugin cache, judged against the stacks' lock files. The
// rule only hashes, so most packages are small stand-in files whose h1: below was computed by
// Go's own dirhash (test/support/go-dirhash); the real go-plugin provider appears where a
// real binary makes the point.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from '@jest/globals';

import { hashPackageDir } from '../../src/providers/dirhash.js';
import { providerChecksum } from '../../src/rules/provider-checksum.js';
import type { FileTree } from '../support/project.js';
import {
  CLI_CONFIG,
  executable,
  H1,
  H1_DARWIN_ARM64,
  H1_LINUX_ARM64,
  handshakeTempDir,
  HOST_NS,
  inCache,
  inStack,
  installProvider,
  lines,
  REALISTIC_LOCK,
  standIn,
  ZH_AWS,
} from '../support/provider-specs.js';
import { runRuleTests } from '../support/rule-tester.js';

// Where a case starts the real provider: its own TMPDIR, proven empty and unused after each test.
const HANDSHAKES = handshakeTempDir('checksum-spec');

/** The real go-plugin provider as the package's executable; returns the package directory. */
function realProvider(root: string, stack: string, type: string, version: string): string {
  const dir = join(root, inStack(stack, type, version));
  installProvider(dir, type, version);
  return dir;
}

/** The same package cut short, as a parallel `terraform init` leaves it when another one overwrites it. */
const cutShort = (type: string, version: string) => standIn(type, version).slice(0, 32);

interface LockEntry {
  type: string;
  version: string;
  constraints?: string;
  hashes: string[];
}

/** A lock file as `terraform init` writes it (providers in address order, hashes sorted). */
function lockFile(...entries: LockEntry[]): string {
  const blocks = entries.map((entry) =>
    lines(
      `provider "${HOST_NS}/${entry.type}" {`,
      `  version     = "${entry.version}"`,
      ...(entry.constraints ? [`  constraints = "${entry.constraints}"`] : []),
      '  hashes = [',
      ...[...entry.hashes].sort().map((hash) => `    "${hash}",`),
      '  ]',
      '}',
    ),
  );
  return `# This file is maintained automatically by "terraform init".\n# Manual edits may be lost in future updates.\n\n${blocks.join('\n')}`;
}

const aws = (hashes: string[]): LockEntry => ({ type: 'aws', version: '5.31.0', constraints: '~> 5.31', hashes });

const MAIN_TF = lines(
  'terraform {',
  '  required_providers {',
  '    aws = {',
  '      source  = "hashicorp/aws"',
  '      version = "~> 5.31"',
  '    }',
  '    random = {',
  '      source  = "hashicorp/random"',
  '      version = ">= 3.5.0"',
  '    }',
  '  }',
  '}',
);

/** A Terramate project with these stacks, each with a main.tf and the given lock file (null: none). */
function project(stacks: Record<string, string | null>, files: FileTree = {}): FileTree {
  const tree: FileTree = { 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n' };
  for (const [stack, lock] of Object.entries(stacks)) {
    tree[`${stack}/stack.tm.hcl`] = `stack {\n  name = "${stack.split('/').pop()}"\n}\n`;
    tree[`${stack}/main.tf`] = MAIN_TF;
    if (lock !== null) tree[`${stack}/.terraform.lock.hcl`] = lock;
  }
  return { ...tree, ...files };
}

/** The package's executable, as `terraform init` unpacks it in the stack. */
function stackPackage(stack: string, type: string, version: string, text = standIn(type, version), mode = 0o755): FileTree {
  return { [`${inStack(stack, type, version)}/${executable(type, version)}`]: { text, mode } };
}

/** A package in the plugin cache and each stack's link to it (absolute, as terraform makes them). */
function cachedPackage(stacks: string[], type: string, version: string, text = standIn(type, version)): { files: FileTree; home: FileTree } {
  const files: FileTree = Object.fromEntries(stacks.map((stack) => [inStack(stack, type, version), { symlink: `<HOME>/${inCache(type, version)}` }]));
  return { files, home: { ...CLI_CONFIG, [`${inCache(type, version)}/${executable(type, version)}`]: { text, mode: 0o755 } } };
}


const FIRST_ENTRY = 4;

const SHARED_CACHE = cachedPackage(['stacks/a', 'stacks/b'], 'aws', '5.31.0');
const CUT_SHORT_IN_CACHE = cachedPackage(['stacks/a', 'stacks/b', 'stacks/c'], 'aws', '5.31.0', cutShort('aws', '5.31.0'));
const AWS_LOCK = lockFile(aws([H1.aws, ...ZH_AWS]));

const CUT_SHORT_STACK = project(
  { 'stacks/network': REALISTIC_LOCK },
  { ...stackPackage('stacks/network', 'aws', '5.31.0'), ...stackPackage('stacks/network', 'random', '3.6.0', cutShort('random', '3.6.0')) },
);

runRuleTests(providerChecksum, {
  valid: [
    {
      name: 'each package hashes to an h1: its lock file lists (a lock file as terraform init writes it)',
      files: project(
        { 'stacks/network': REALISTIC_LOCK },
        { ...stackPackage('stacks/network', 'aws', '5.31.0'), ...stackPackage('stacks/network', 'random', '3.6.0') },
      ),
    },
    {
      name: 'one of the h1: hashes that `terraform providers lock` records for several platforms matches',
      files: project(
        { 'stacks/a': lockFile(aws([H1_DARWIN_ARM64, H1_LINUX_ARM64, H1.aws, ...ZH_AWS])) },
        stackPackage('stacks/a', 'aws', '5.31.0'),
      ),
    },
    {
      name: 'a package in the plugin cache linked from two stacks whose lock files both list it',
      files: project({ 'stacks/a': AWS_LOCK, 'stacks/b': AWS_LOCK }, SHARED_CACHE.files),
      home: SHARED_CACHE.home,
    },
    {
      name: 'a lock entry with only zh: hashes says nothing when another stack vouches for the package',
      files: project({ 'stacks/a': lockFile(aws([H1.aws])), 'stacks/b': lockFile(aws(ZH_AWS)) }, SHARED_CACHE.files),
      home: SHARED_CACHE.home,
    },
    {
      name: 'file modes are not part of the hash: an executable that lost its exec bit still matches',
      files: project({ 'stacks/a': lockFile(aws([H1.aws])) }, stackPackage('stacks/a', 'aws', '5.31.0', standIn('aws', '5.31.0'), 0o644)),
    },
    {
      name: 'a package nobody locked yet, or of another version than the lock pins, is not judged by that lock',
      files: project(
        { 'stacks/a': lockFile({ type: 'aws', version: '5.30.0', hashes: [H1_LINUX_ARM64] }), 'stacks/b': null },
        { ...stackPackage('stacks/a', 'aws', '5.31.0'), ...stackPackage('stacks/b', 'random', '3.6.0', cutShort('random', '3.6.0')) },
      ),
    },
    {
      name: 'the real provider binary, locked by its own h1:',
      files: project({ 'stacks/a': null }),
      exec: true,
      env: { TMPDIR: HANDSHAKES },
      async setup({ root }) {
        const dir = realProvider(root, 'stacks/a', 'aws', '5.31.0');
        writeFileSync(join(root, 'stacks/a/.terraform.lock.hcl'), lockFile(aws([(await hashPackageDir(dir)).h1, ...ZH_AWS])));
      },
    },
  ],
  invalid: [
    {
      name: 'a package cut short by a parallel init no longer hashes to its locked h1:, and is quarantined (realistic lock file)',
      files: CUT_SHORT_STACK,
      errors: [
        {
          messageId: 'mismatch',
          file: 'stacks/network/.terraform.lock.hcl',
          line: 16,
          data: {
            h1: H1.randomCutShort,
            lockFiles: 'stacks/network/.terraform.lock.hcl',
            provider: `${HOST_NS}/random`,
            version: '3.6.0',
            packageDir: `<ROOT>/${inStack('stacks/network', 'random', '3.6.0')}`,
          },
          severity: 'error',
        },
      ],
      unsafe: true,
      output: {
        // Moved out of Terraform's way (into .tm-doctor-quarantine/<timestamp>/packages/...).
        [`${inStack('stacks/network', 'random', '3.6.0')}/${executable('random', '3.6.0')}`]: null,
        // The healthy package and the lock file stay as they are.
        [`${inStack('stacks/network', 'aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: standIn('aws', '5.31.0'),
        'stacks/network/.terraform.lock.hcl': REALISTIC_LOCK,
      },
    },
    {
      name: 'a cached package that no stack lock lists is reported once, at the first stack, naming every lock file',
      files: project({ 'stacks/a': AWS_LOCK, 'stacks/b': AWS_LOCK, 'stacks/c': AWS_LOCK }, CUT_SHORT_IN_CACHE.files),
      home: CUT_SHORT_IN_CACHE.home,
      errors: [
        {
          messageId: 'mismatch',
          file: 'stacks/a/.terraform.lock.hcl',
          line: FIRST_ENTRY,
          data: {
            lockFiles: 'stacks/a/.terraform.lock.hcl, stacks/b/.terraform.lock.hcl and 1 more',
            packageDir: `<HOME>/${inCache('aws', '5.31.0')}`,
          },
        },
      ],
      unsafe: true,
      output: { [`~/${inCache('aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: null },
    },
    {
      name: 'one stack whose lock file does not list the shared package is enough, and is the one named',
      files: project({ 'stacks/a': lockFile(aws([H1.aws])), 'stacks/b': lockFile(aws([H1_LINUX_ARM64, ...ZH_AWS])) }, SHARED_CACHE.files),
      home: SHARED_CACHE.home,
      errors: [{ messageId: 'mismatch', file: 'stacks/b/.terraform.lock.hcl', line: FIRST_ENTRY, data: { h1: H1.aws, lockFiles: 'stacks/b/.terraform.lock.hcl' } }],
    },
    {
      name: 'a lock entry with only zh: hashes cannot check the package: said at info level, with no fix',
      files: project({ 'stacks/a': lockFile(aws(ZH_AWS)) }, stackPackage('stacks/a', 'aws', '5.31.0')),
      errors: [
        {
          messageId: 'no-h1',
          file: 'stacks/a/.terraform.lock.hcl',
          line: FIRST_ENTRY,
          data: { lockFile: 'stacks/a/.terraform.lock.hcl', stack: 'stacks/a', platform: 'linux_amd64' },
          severity: 'info',
        },
      ],
      // --fix has nothing to do: the finding stays.
      output: { 'stacks/a/.terraform.lock.hcl': lockFile(aws(ZH_AWS)) },
      unsafe: true,
      remaining: [{ messageId: 'no-h1', file: 'stacks/a/.terraform.lock.hcl', line: FIRST_ENTRY }],
    },
    {
      name: 'a package that cannot be hashed the way Terraform hashes it (a symlink to a directory inside)',
      files: project(
        { 'stacks/a': lockFile(aws([H1.aws])) },
        { ...stackPackage('stacks/a', 'aws', '5.31.0'), [`${inStack('stacks/a', 'aws', '5.31.0')}/docs`]: { symlink: '<ROOT>/stacks/a' } },
      ),
      errors: [{ messageId: 'unhashable', file: 'stacks/a/.terraform.lock.hcl', line: FIRST_ENTRY, data: { provider: `${HOST_NS}/aws`, version: '5.31.0' } }],
    },
    {
      name: 'the real provider with one byte changed, under a lock file that lists the healthy build',
      files: project({ 'stacks/a': null }),
      exec: true,
      env: { TMPDIR: HANDSHAKES },
      async setup({ root }) {
        const dir = realProvider(root, 'stacks/a', 'aws', '5.31.0');
        writeFileSync(join(root, 'stacks/a/.terraform.lock.hcl'), lockFile(aws([(await hashPackageDir(dir)).h1, ...ZH_AWS])));
        const path = join(dir, executable('aws', '5.31.0'));
        const bytes = readFileSync(path);
        const at = bytes.indexOf('TM-DOCTOR-DATA-MARKER:');
        expect(at).toBeGreaterThan(0);
        bytes[at + 30] ^= 0x01;
        writeFileSync(path, bytes);
      },
      errors: [{ messageId: 'mismatch', file: 'stacks/a/.terraform.lock.hcl', line: FIRST_ENTRY, data: { lockFiles: 'stacks/a/.terraform.lock.hcl' } }],
    },
  ],
});
