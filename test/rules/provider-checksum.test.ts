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
  ZH_RANDOM,
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

// ---- Lock files damaged by a parallel init racing on a shared plugin cache -----------------
//
// Measured with Terraform 1.11.4: the package left in the cache is intact, but some stacks'
// lock files record the h1: of a half-written package, as their only h1: (stacks that had no
// lock file) or beside the right one (stacks with complete lock files).

/** Go's dirhash of the aws stand-in package cut short to 16, 24, 40, 56 and 72 bytes: half-written copies. */
const HALF_WRITTEN = [
  'h1:e18dyBTl27IFjxovLa7ag1shRW29m2VjUTrrWzrdEKo=',
  'h1:sNq+8tHk1ADRezYpB/npoWPwqqq+Kqymkmcua6t9w2A=',
  'h1:t4XicNos21xXr+vtN0iTmzRJPtknFCI17yH/UjzXmxo=',
  'h1:E321sJncAwmdJrt54GODodhzEb+rd02LljCpOOJAGDE=',
  'h1:uIy4giN9n4R0XmLJ5xZfDJ31FF0fGZEQVTZThnPyC+E=',
];

const random = (hashes: string[]): LockEntry => ({ type: 'random', version: '3.6.0', constraints: '>= 3.5.0', hashes });

/** The lock file `terraform init` writes for MAIN_TF on linux_amd64: one h1: per provider and the registry's zh: hashes. */
const raceLock = (awsH1s: string[]) => lockFile(aws([...awsH1s, ...ZH_AWS]), random([H1.random, ...ZH_RANDOM]));
const HEALTHY_LOCK = raceLock([H1.aws]);

/** Stacks s01..sNN, each linked to the one aws and the one random package in the plugin cache. */
const RACE_STACKS = Array.from({ length: 10 }, (_, index) => `stacks/s${String(index + 1).padStart(2, '0')}`);

function raceProject(locks: (stack: string, index: number) => string, awsText = standIn('aws', '5.31.0')): { files: FileTree; home: FileTree } {
  const awsCache = cachedPackage(RACE_STACKS, 'aws', '5.31.0', awsText);
  const randomCache = cachedPackage(RACE_STACKS, 'random', '3.6.0');
  return {
    files: project(Object.fromEntries(RACE_STACKS.map((stack, index) => [stack, locks(stack, index)])), { ...awsCache.files, ...randomCache.files }),
    home: { ...awsCache.home, ...randomCache.home },
  };
}

// Lines of the lock file above: the aws block's header, then version, constraints, `hashes = [`, the hashes.
const AWS_FIRST_HASH = FIRST_ENTRY + 4;

/** One cold parallel init without lock files: s01-s04 recorded a half-written package, the other six the real one. */
const COLD_RACE = raceProject((_stack, index) => (index < 4 ? raceLock([HALF_WRITTEN[index]]) : HEALTHY_LOCK));

/** A cold parallel init over complete lock files: s07 got a second, wrong h1: beside the right one. */
const EXTRA_HASH_RACE = raceProject((stack) => (stack === 'stacks/s07' ? raceLock([H1.aws, HALF_WRITTEN[4]]) : HEALTHY_LOCK));

/** Lock files written by `terraform providers lock` for three platforms, in every stack. */
const MULTI_PLATFORM = [H1_DARWIN_ARM64, H1_LINUX_ARM64, H1.aws];

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
      name: 'ten stacks linked to one cached package, whose lock files all agree on its hash',
      ...raceProject(() => HEALTHY_LOCK),
    },
    {
      name: 'ten stacks whose lock files list three platforms\' h1: hashes each (terraform providers lock), the same in every stack',
      ...raceProject(() => lockFile(aws([...MULTI_PLATFORM, ...ZH_AWS]), random([H1.random, ...ZH_RANDOM]))),
    },
    {
      name: 'two lock files that each list another platform of their own: none agrees without one, so none is singled out',
      files: project({ 'stacks/a': lockFile(aws([H1.aws, H1_DARWIN_ARM64])), 'stacks/b': lockFile(aws([H1.aws, H1_LINUX_ARM64])) }, SHARED_CACHE.files),
      home: SHARED_CACHE.home,
    },
    {
      name: 'an extra h1: that a stack not using the package lists too is another platform\'s, not race damage',
      files: project(
        { 'stacks/a': lockFile(aws([H1.aws, H1_LINUX_ARM64])), 'stacks/b': lockFile(aws([H1.aws])), 'stacks/arm': lockFile(aws([H1_LINUX_ARM64])) },
        SHARED_CACHE.files,
      ),
      home: SHARED_CACHE.home,
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
      name: 'one stack whose lock file does not list the shared package another lock file vouches for is enough, and is the one named',
      files: project({ 'stacks/a': lockFile(aws([H1.aws])), 'stacks/b': lockFile(aws([H1_LINUX_ARM64, ...ZH_AWS])) }, SHARED_CACHE.files),
      home: SHARED_CACHE.home,
      // Its only h1: is listed nowhere else and no installed package has it: the shape of race damage.
      errors: [
        {
          messageId: 'lock-damaged',
          file: 'stacks/b/.terraform.lock.hcl',
          line: FIRST_ENTRY + 4,
          data: { h1: H1.aws, recorded: H1_LINUX_ARM64, vouchers: 1, voucherFiles: 'stacks/a/.terraform.lock.hcl' },
        },
      ],
    },
    {
      name: 'a cold parallel init left a half-written package\'s h1: as the only one in 4 of 10 lock files: those lock files are damaged, not the package',
      ...COLD_RACE,
      errors: [0, 1, 2, 3].map((index) => ({
        messageId: 'lock-damaged' as const,
        file: `${RACE_STACKS[index]}/.terraform.lock.hcl`,
        line: AWS_FIRST_HASH,
        data: {
          h1: H1.aws,
          recorded: HALF_WRITTEN[index],
          vouchers: 6,
          voucherFiles: 'stacks/s05/.terraform.lock.hcl, stacks/s06/.terraform.lock.hcl and 4 more',
          provider: `${HOST_NS}/aws`,
          version: '5.31.0',
          stack: RACE_STACKS[index],
          packageDir: `<HOME>/${inCache('aws', '5.31.0')}`,
        },
        severity: 'error' as const,
        // No quarantine, no re-init of the package: the fix and the repair by hand.
        help: ['damaged-detail', 'damaged-vouched', 'damaged-terraform', 'damaged-fix-add', 'damaged-remedy'],
        related: [{ messageId: 'vouching-lock', file: 'stacks/s05/.terraform.lock.hcl', line: FIRST_ENTRY }],
      })),
      // Even with --unsafe-fixes the package stays: the package's hash is added, then the unknown one
      // (an extra once the lock file lists the package) removed.
      unsafe: true,
      output: {
        ...Object.fromEntries(RACE_STACKS.map((stack) => [`${stack}/.terraform.lock.hcl`, HEALTHY_LOCK])),
        [`~/${inCache('aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: standIn('aws', '5.31.0'),
        [`${inStack('stacks/s01', 'aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: standIn('aws', '5.31.0'),
      },
    },
    {
      name: 'the safe fix of a damaged lock file is exact: the package\'s hash added before the unknown one, which stays (it could be a platform only that stack locks), layout kept',
      ...COLD_RACE,
      errors: [0, 1, 2, 3].map((index) => ({ messageId: 'lock-damaged' as const, file: `${RACE_STACKS[index]}/.terraform.lock.hcl`, line: AWS_FIRST_HASH })),
      remaining: [0, 1, 2, 3].map((index) => ({ messageId: 'lock-extra-hash' as const, file: `${RACE_STACKS[index]}/.terraform.lock.hcl`, line: AWS_FIRST_HASH + 1, severity: 'info' as const })),
      output: {
        'stacks/s01/.terraform.lock.hcl': lines(
          '# This file is maintained automatically by "terraform init".',
          '# Manual edits may be lost in future updates.',
          '',
          `provider "${HOST_NS}/aws" {`,
          '  version     = "5.31.0"',
          '  constraints = "~> 5.31"',
          '  hashes = [',
          '    "h1:Vo5Umq8OmUwHLE99jOvQsWMZl/FI4y6SXBQcZH0eo2A=",',
          '    "h1:e18dyBTl27IFjxovLa7ag1shRW29m2VjUTrrWzrdEKo=",',
          '    "zh:0d1a3f0b5c4e2a8f6b9d7c3e1f5a2b8c4d6e9f0a1b3c5d7e9f2a4b6c8d0e1f3a",',
          '    "zh:2f7e4d9c1b6a8e3f5d0c7b2a9e4f6d1c8b3a5e7f0d2c4b6a8e1f3d5c7b9a0e2f",',
          '    "zh:9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b",',
          '  ]',
          '}',
          '',
          `provider "${HOST_NS}/random" {`,
          '  version     = "3.6.0"',
          '  constraints = ">= 3.5.0"',
          '  hashes = [',
          '    "h1:g32mmN2HOniofR7bBRTFO3rw1riO/gbTYAPeFt55J0U=",',
          '    "zh:1b8e6c4a2f0d9b7e5c3a1f8d6b4e2c0a9f7d5b3e1c8a6f4d2b0e9c7a5f3d1b8e",',
          '    "zh:7a5c3e1f9d7b5a3c1e9f7d5b3a1c9e7f5d3b1a9c7e5f3d1b9a7c5e3f1d9b7a5c",',
          '  ]',
          '}',
        ),
      },
    },
    {
      name: 'a cold parallel init over complete lock files added a second, unknown h1: to one of them: information (it could be a platform only that stack locks), removed only with --unsafe-fixes',
      ...EXTRA_HASH_RACE,
      errors: [
        {
          messageId: 'lock-extra-hash',
          file: 'stacks/s07/.terraform.lock.hcl',
          line: AWS_FIRST_HASH + 1,
          data: { extra: HALF_WRITTEN[4], h1: H1.aws, provider: `${HOST_NS}/aws`, version: '5.31.0', stack: 'stacks/s07' },
          severity: 'info',
          help: ['extra-detail', 'extra-why', 'extra-platform', 'extra-remedy'],
          related: [{ messageId: 'agreeing-lock', file: 'stacks/s01/.terraform.lock.hcl', line: FIRST_ENTRY }],
        },
      ],
      unsafe: true,
      output: { 'stacks/s07/.terraform.lock.hcl': HEALTHY_LOCK, [`~/${inCache('aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: standIn('aws', '5.31.0') },
    },
    {
      name: 'three lock files got the same second h1:, that of the package with its executable still empty (measured: a racing init records it): certain damage, removed by --fix',
      ...raceProject((_stack, index) => (index >= 7 ? raceLock([H1.aws, H1.awsEmpty]) : HEALTHY_LOCK)),
      errors: ['stacks/s08', 'stacks/s09', 'stacks/s10'].map((stack) => ({
        messageId: 'lock-extra-hash' as const,
        file: `${stack}/.terraform.lock.hcl`,
        line: AWS_FIRST_HASH + 1,
        data: { extra: H1.awsEmpty, h1: H1.aws, stack },
        severity: 'warning' as const,
        help: ['extra-detail', 'extra-why', 'extra-half-written', 'extra-remedy-safe'],
      })),
      output: Object.fromEntries(['stacks/s08', 'stacks/s09', 'stacks/s10'].map((stack) => [`${stack}/.terraform.lock.hcl`, HEALTHY_LOCK])),
    },
    {
      name: 'the half-written hash as the only h1: in several lock files: each lock file is damaged, however many list it',
      ...raceProject((_stack, index) => (index < 3 ? raceLock([H1.awsEmpty]) : HEALTHY_LOCK)),
      errors: ['stacks/s01', 'stacks/s02', 'stacks/s03'].map((stack) => ({ messageId: 'lock-damaged' as const, file: `${stack}/.terraform.lock.hcl`, line: AWS_FIRST_HASH, data: { recorded: H1.awsEmpty } })),
      output: Object.fromEntries(['stacks/s01', 'stacks/s02', 'stacks/s03'].map((stack) => [`${stack}/.terraform.lock.hcl`, HEALTHY_LOCK])),
    },
    {
      name: 'the extra h1: stays without --unsafe-fixes',
      ...EXTRA_HASH_RACE,
      errors: [{ messageId: 'lock-extra-hash', file: 'stacks/s07/.terraform.lock.hcl', line: AWS_FIRST_HASH + 1 }],
      output: { 'stacks/s07/.terraform.lock.hcl': raceLock([H1.aws, HALF_WRITTEN[4]]) },
      remaining: [{ messageId: 'lock-extra-hash', file: 'stacks/s07/.terraform.lock.hcl', line: AWS_FIRST_HASH + 1 }],
    },
    {
      name: 'a racing init over multi-platform lock files: only the hash nobody else lists is replaced, the other platforms\' stay',
      ...raceProject((stack) => lockFile(aws([H1_DARWIN_ARM64, stack === 'stacks/s03' ? HALF_WRITTEN[3] : H1.aws, ...ZH_AWS]), random([H1.random, ...ZH_RANDOM]))),
      errors: [
        {
          messageId: 'lock-damaged',
          file: 'stacks/s03/.terraform.lock.hcl',
          line: AWS_FIRST_HASH + 1,
          data: { recorded: HALF_WRITTEN[3], vouchers: 9 },
          related: [{ messageId: 'vouching-lock', file: 'stacks/s01/.terraform.lock.hcl', line: FIRST_ENTRY }],
        },
      ],
      unsafe: true,
      output: { 'stacks/s03/.terraform.lock.hcl': lockFile(aws([H1_DARWIN_ARM64, H1.aws, ...ZH_AWS]), random([H1.random, ...ZH_RANDOM])) },
    },
    {
      name: 'two racing inits that recorded the same cut-short package: both get the package\'s hash; the shared unknown one reads as a platform\'s and stays',
      ...raceProject((_stack, index) => (index < 2 ? raceLock([HALF_WRITTEN[0]]) : HEALTHY_LOCK)),
      errors: [
        { messageId: 'lock-damaged', file: 'stacks/s01/.terraform.lock.hcl', line: AWS_FIRST_HASH, data: { recorded: HALF_WRITTEN[0], vouchers: 8 } },
        { messageId: 'lock-damaged', file: 'stacks/s02/.terraform.lock.hcl', line: AWS_FIRST_HASH, data: { recorded: HALF_WRITTEN[0], vouchers: 8 } },
      ],
      unsafe: true,
      output: { 'stacks/s01/.terraform.lock.hcl': raceLock([H1.aws, HALF_WRITTEN[0]]), 'stacks/s02/.terraform.lock.hcl': raceLock([H1.aws, HALF_WRITTEN[0]]) },
    },
    {
      name: 'a hand-edited lock file (CRLF line ends, the hashes on one line): only the wrong strings change',
      files: project(
        {
          'stacks/a': lockFile(aws([H1.aws])),
          'stacks/b': `provider "${HOST_NS}/aws" {\r\n  version = "5.31.0"\r\n  hashes  = ["h1:E321sJncAwmdJrt54GODodhzEb+rd02LljCpOOJAGDE=", "zh:00", "h1:e18dyBTl27IFjxovLa7ag1shRW29m2VjUTrrWzrdEKo="] # edited\r\n}\r\n`,
          'stacks/c': `provider "${HOST_NS}/aws" {\r\n  version = "5.31.0"\r\n  hashes = [\r\n    "h1:Vo5Umq8OmUwHLE99jOvQsWMZl/FI4y6SXBQcZH0eo2A=",\r\n    "h1:uIy4giN9n4R0XmLJ5xZfDJ31FF0fGZEQVTZThnPyC+E=",\r\n  ]\r\n}\r\n`,
        },
        cachedPackage(['stacks/a', 'stacks/b', 'stacks/c'], 'aws', '5.31.0').files,
      ),
      home: cachedPackage(['stacks/a'], 'aws', '5.31.0').home,
      errors: [
        { messageId: 'lock-damaged', file: 'stacks/b/.terraform.lock.hcl', line: 3, data: { recorded: `${HALF_WRITTEN[3]} and ${HALF_WRITTEN[0]}`, vouchers: 2 } },
        { messageId: 'lock-extra-hash', file: 'stacks/c/.terraform.lock.hcl', line: 5, data: { extra: HALF_WRITTEN[4] } },
      ],
      unsafe: true,
      output: {
        'stacks/b/.terraform.lock.hcl': `provider "${HOST_NS}/aws" {\r\n  version = "5.31.0"\r\n  hashes  = ["h1:Vo5Umq8OmUwHLE99jOvQsWMZl/FI4y6SXBQcZH0eo2A=", "zh:00"] # edited\r\n}\r\n`,
        'stacks/c/.terraform.lock.hcl': `provider "${HOST_NS}/aws" {\r\n  version = "5.31.0"\r\n  hashes = [\r\n    "h1:Vo5Umq8OmUwHLE99jOvQsWMZl/FI4y6SXBQcZH0eo2A=",\r\n  ]\r\n}\r\n`,
      },
    },
    {
      name: 'a lock file whose h1: hashes are all other platforms\' (listed by other lock files too) lacks this one: no fix, no quarantine',
      files: project({ 'stacks/a': lockFile(aws([H1_DARWIN_ARM64, H1.aws, ...ZH_AWS])), 'stacks/b': lockFile(aws([H1_DARWIN_ARM64, ...ZH_AWS])) }, SHARED_CACHE.files),
      home: SHARED_CACHE.home,
      errors: [
        {
          messageId: 'lock-lacks-hash',
          file: 'stacks/b/.terraform.lock.hcl',
          line: FIRST_ENTRY,
          data: { recorded: H1_DARWIN_ARM64, platform: 'linux_amd64', vouchers: 1, voucherFiles: 'stacks/a/.terraform.lock.hcl' },
          help: ['lacks-detail', 'damaged-vouched', 'damaged-terraform', 'lacks-remedy'],
        },
      ],
      unsafe: true,
      output: { 'stacks/b/.terraform.lock.hcl': lockFile(aws([H1_DARWIN_ARM64, ...ZH_AWS])), [`~/${inCache('aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: standIn('aws', '5.31.0') },
      remaining: [{ messageId: 'lock-lacks-hash', file: 'stacks/b/.terraform.lock.hcl', line: FIRST_ENTRY }],
    },
    {
      name: 'a half-written package left in the cache, vouched for by no lock file: still the package that does not match, quarantined',
      ...raceProject(() => HEALTHY_LOCK, standIn('aws', '5.31.0').slice(0, 40)),
      errors: [
        {
          messageId: 'mismatch',
          file: 'stacks/s01/.terraform.lock.hcl',
          line: FIRST_ENTRY,
          data: { h1: HALF_WRITTEN[2], lockFiles: 'stacks/s01/.terraform.lock.hcl, stacks/s02/.terraform.lock.hcl and 8 more' },
          severity: 'error',
        },
      ],
      unsafe: true,
      output: {
        [`~/${inCache('aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: null,
        'stacks/s01/.terraform.lock.hcl': HEALTHY_LOCK,
      },
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
