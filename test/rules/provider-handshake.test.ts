// provider-handshake as a specification: installed provider packages laid out in stacks'
// `.terraform/providers` and in a plugin cache. Where the header check decides, the
// executables are small files (scripts, empty files, bare ELF or Mach-O headers) and nothing
// is started; where a handshake must run (`exec: true`), the executable is the real go-plugin
// provider built from test/support/go-provider, whole or damaged. Every case that starts one
// gives it a TMPDIR of its own, proven empty and unused after the test.
import { mkdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { hashPackageDir } from '../../src/providers/dirhash.js';
import { providerHandshake } from '../../src/rules/provider-handshake.js';
import type { FileTree } from '../support/project.js';
import { CLI_CONFIG, executable, H1, handshakeTempDir, HOST_NS, inCache, inStack, installProvider, lines, REALISTIC_LOCK, standIn, ZH_AWS } from '../support/provider-specs.js';
import { runRuleTests } from '../support/rule-tester.js';

/** A lock file as `terraform init` writes it, with one aws 5.31.0 entry (hashes sorted). */
function awsLock(hashes: string[]): string {
  return lines(
    '# This file is maintained automatically by "terraform init".',
    '# Manual edits may be lost in future updates.',
    '',
    `provider "${HOST_NS}/aws" {`,
    '  version     = "5.31.0"',
    '  constraints = "~> 5.31"',
    '  hashes = [',
    ...[...hashes].sort().map((hash) => `    "${hash}",`),
    '  ]',
    '}',
  );
}
/** The line of the provider block in `awsLock`. */
const AWS_ENTRY = 4;

const MAIN_TF = lines(
  'terraform {',
  '  required_providers {',
  '    aws = {',
  '      source  = "hashicorp/aws"',
  '      version = "~> 5.31"',
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

const AWS_EXECUTABLE = `${inStack('stacks/a', 'aws', '5.31.0')}/${executable('aws', '5.31.0')}`;

/** Each stack's link to the aws package in the plugin cache (absolute, as terraform makes them). */
function linksToCache(stacks: string[]): FileTree {
  return Object.fromEntries(stacks.map((stack) => [inStack(stack, 'aws', '5.31.0'), { symlink: `<HOME>/${inCache('aws', '5.31.0')}` }]));
}
const CACHED_EXECUTABLE = `${inCache('aws', '5.31.0')}/${executable('aws', '5.31.0')}`;

// Where cases start the real provider: its TMPDIR, checked after each test.
const HANDSHAKES = handshakeTempDir('handshake-spec');
const RUNS_PROVIDERS = { exec: true, env: { TMPDIR: HANDSHAKES } };

/** Writes the stack's lock file with the package's h1: as it is now (the lock vouches for these bytes). */
async function lockAsIs(root: string, stack: string, packageDir: string): Promise<void> {
  writeFileSync(join(root, stack, '.terraform.lock.hcl'), awsLock([(await hashPackageDir(packageDir)).h1, ...ZH_AWS]));
}

const truncateToHalf = (path: string) => truncateSync(path, Math.floor(statSync(path).size / 2));

/** The first 64 bytes of an ELF executable (ET_EXEC, 64-bit little-endian) for `machine`. */
function elfHeader(machine: number): Buffer {
  const header = Buffer.alloc(64);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // ELFCLASS64
  header[5] = 1; // little-endian
  header[6] = 1; // EV_CURRENT
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(machine, 18);
  return header;
}

/** The first bytes of a 64-bit Mach-O executable for CPU type arm64. */
function machOArm64Header(): Buffer {
  const header = Buffer.alloc(32);
  header.writeUInt32LE(0xfeedfacf, 0);
  header.writeInt32LE(0x0100000c, 4);
  return header;
}

runRuleTests(providerHandshake, {
  valid: [
    {
      name: 'the real provider, locked by its h1:, completes the go-plugin handshake',
      files: project({ 'stacks/a': null }),
      ...RUNS_PROVIDERS,
      async setup({ root }) {
        const dir = join(root, inStack('stacks/a', 'aws', '5.31.0'));
        installProvider(dir);
        await lockAsIs(root, 'stacks/a', dir);
      },
    },
    {
      name: 'one healthy provider in the plugin cache, linked from three stacks',
      files: project({ 'stacks/a': null, 'stacks/b': null, 'stacks/c': null }, linksToCache(['stacks/a', 'stacks/b', 'stacks/c'])),
      home: CLI_CONFIG,
      ...RUNS_PROVIDERS,
      async setup({ root, home }) {
        const dir = join(home, inCache('aws', '5.31.0'));
        installProvider(dir);
        for (const stack of ['stacks/a', 'stacks/b', 'stacks/c']) await lockAsIs(root, stack, dir);
      },
    },
    {
      name: 'under --no-exec nothing is started: a copy that would crash but has a sound header passes',
      files: project({ 'stacks/a': null }),
      async setup({ root }) {
        const dir = join(root, inStack('stacks/a', 'aws', '5.31.0'));
        truncateToHalf(installProvider(dir));
        await lockAsIs(root, 'stacks/a', dir);
      },
    },
    {
      name: 'a package that fails its checksum is left to provider-checksum and not started',
      files: project({ 'stacks/a': null }),
      ...RUNS_PROVIDERS,
      async setup({ root }) {
        const dir = join(root, inStack('stacks/a', 'aws', '5.31.0'));
        const path = installProvider(dir);
        await lockAsIs(root, 'stacks/a', dir);
        truncateToHalf(path);
      },
    },
    {
      name: 'a package for another platform is not started (a Mach-O arm64 executable under darwin_arm64)',
      files: project({ 'stacks/a': null }),
      ...RUNS_PROVIDERS,
      async setup({ root }) {
        const dir = join(root, inStack('stacks/a', 'aws', '5.31.0', 'darwin_arm64'));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, executable('aws', '5.31.0')), machOArm64Header(), { mode: 0o755 });
        await lockAsIs(root, 'stacks/a', dir);
      },
    },
  ],
  invalid: [
    {
      name: 'a copy cut to half its size is killed by SIGSEGV before its handshake line, and is quarantined',
      files: project({ 'stacks/a': null }),
      ...RUNS_PROVIDERS,
      async setup({ root }) {
        const dir = join(root, inStack('stacks/a', 'aws', '5.31.0'));
        truncateToHalf(installProvider(dir));
        // The lock file vouches for the broken bytes: only starting it can tell.
        await lockAsIs(root, 'stacks/a', dir);
      },
      errors: [{ messageId: 'killed', file: 'stacks/a/.terraform.lock.hcl', line: AWS_ENTRY, data: { signal: 'SIGSEGV', provider: `${HOST_NS}/aws` }, severity: 'error' }],
      unsafe: true,
      // Moved to .tm-doctor-quarantine/<timestamp>/packages/stacks/a/.terraform/providers/...
      output: { [AWS_EXECUTABLE]: null },
    },
    {
      name: 'a provider that prints something else than a handshake line',
      files: project({ 'stacks/a': null }),
      ...RUNS_PROVIDERS,
      async setup({ root }) {
        const dir = join(root, inStack('stacks/a', 'aws', '5.31.0'));
        const path = installProvider(dir);
        writeFileSync(`${path}.say`, 'garbage\n');
        await lockAsIs(root, 'stacks/a', dir);
      },
      errors: [{ messageId: 'unrecognized-line', file: 'stacks/a/.terraform.lock.hcl', line: AWS_ENTRY, data: { line: '"garbage"', pluginError: 'Unrecognized remote plugin message: garbage' } }],
    },
    {
      name: 'shell scripts where the providers belong are not executables Terraform can run (realistic lock file), and are quarantined',
      files: project(
        { 'stacks/network': REALISTIC_LOCK },
        {
          [`${inStack('stacks/network', 'aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: { text: standIn('aws', '5.31.0'), mode: 0o755 },
          [`${inStack('stacks/network', 'random', '3.6.0')}/${executable('random', '3.6.0')}`]: { text: standIn('random', '3.6.0'), mode: 0o755 },
        },
      ),
      errors: [
        { messageId: 'executable-format', file: 'stacks/network/.terraform.lock.hcl', line: 4, data: { detail: 'a script (#!), not a compiled provider executable' } },
        { messageId: 'executable-format', file: 'stacks/network/.terraform.lock.hcl', line: 16, data: { provider: `${HOST_NS}/random` } },
      ],
      unsafe: true,
      output: {
        [`${inStack('stacks/network', 'aws', '5.31.0')}/${executable('aws', '5.31.0')}`]: null,
        [`${inStack('stacks/network', 'random', '3.6.0')}/${executable('random', '3.6.0')}`]: null,
        'stacks/network/.terraform.lock.hcl': REALISTIC_LOCK,
      },
    },
    {
      name: 'an empty executable, even with a lock file that vouches for it',
      files: project({ 'stacks/a': awsLock([H1.awsEmpty]) }, { [AWS_EXECUTABLE]: { text: '', mode: 0o755 } }),
      errors: [
        {
          messageId: 'executable-format',
          file: 'stacks/a/.terraform.lock.hcl',
          line: AWS_ENTRY,
          data: { detail: 'the file is empty (0 bytes)', executable: `<ROOT>/${AWS_EXECUTABLE}` },
        },
      ],
    },
    {
      name: 'an executable without the exec bit',
      files: project({ 'stacks/a': awsLock([H1.aws]) }, { [AWS_EXECUTABLE]: { text: standIn('aws', '5.31.0'), mode: 0o644 } }),
      errors: [{ messageId: 'executable-not-executable', file: 'stacks/a/.terraform.lock.hcl', line: AWS_ENTRY, data: { detail: 'not executable by this user (mode 644)' } }],
    },
    {
      name: 'an ELF executable for another architecture than its linux_amd64 directory',
      files: project({ 'stacks/a': null }),
      async setup({ root }) {
        const dir = join(root, inStack('stacks/a', 'aws', '5.31.0'));
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, executable('aws', '5.31.0')), elfHeader(183), { mode: 0o755 });
        await lockAsIs(root, 'stacks/a', dir);
      },
      errors: [
        {
          messageId: 'executable-format',
          file: 'stacks/a/.terraform.lock.hcl',
          line: AWS_ENTRY,
          data: { detail: 'ELF 64-bit little-endian AArch64 (arm64) executable, not linux_amd64' },
        },
      ],
    },
    {
      name: 'the executable is a symlink to nothing',
      files: project({ 'stacks/a': awsLock([H1.aws]) }, { [AWS_EXECUTABLE]: { symlink: '<ROOT>/build/terraform-provider-aws' } }),
      errors: [{ messageId: 'executable-missing', file: 'stacks/a/.terraform.lock.hcl', line: AWS_ENTRY, data: { detail: 'no such file (or a symlink to nothing)' } }],
    },
    {
      name: 'the executable leads to a directory',
      files: project({ 'stacks/a': awsLock([H1.aws]) }, { 'build/.keep': '', [AWS_EXECUTABLE]: { symlink: '<ROOT>/build' } }),
      errors: [{ messageId: 'executable-unusable', file: 'stacks/a/.terraform.lock.hcl', line: AWS_ENTRY, data: { detail: 'not a regular file (a directory)' } }],
    },
    {
      name: 'a package with no file Terraform would take for the executable',
      files: project(
        { 'stacks/a': awsLock([H1.aws]) },
        {
          [`${inStack('stacks/a', 'aws', '5.31.0')}/terraform-provider-aws-docs.txt`]: 'not the executable: `-` does not continue the name\n',
          [`${inStack('stacks/a', 'aws', '5.31.0')}/CHANGELOG.md`]: '## 5.31.0\n',
        },
      ),
      errors: [{ messageId: 'no-executable', file: 'stacks/a/.terraform.lock.hcl', line: AWS_ENTRY, data: { expected: 'terraform-provider-aws[_.]*', type: 'aws' } }],
    },
    {
      name: 'a stack link to a cached package that is gone, quarantined with the unsafe fix',
      files: project({ 'stacks/a': awsLock([H1.aws]) }, linksToCache(['stacks/a'])),
      home: CLI_CONFIG,
      errors: [
        {
          messageId: 'dangling-link',
          file: 'stacks/a/.terraform.lock.hcl',
          line: AWS_ENTRY,
          data: {
            link: inStack('stacks/a', 'aws', '5.31.0'),
            target: `<HOME>/${inCache('aws', '5.31.0')}`,
            provider: `${HOST_NS}/aws`,
            version: '5.31.0',
          },
        },
      ],
      unsafe: true,
      // The link moves to .tm-doctor-quarantine/<timestamp>/links/stacks/a/...; a second --fix finds nothing to move.
      output: { [inStack('stacks/a', 'aws', '5.31.0')]: null, 'stacks/a/.terraform.lock.hcl': awsLock([H1.aws]) },
    },
    {
      name: 'a broken package in the plugin cache that no stack uses: no file, no line',
      files: project({ 'stacks/a': null }),
      home: { ...CLI_CONFIG, [CACHED_EXECUTABLE]: { text: '', mode: 0o755 } },
      errors: [{ messageId: 'executable-format', file: null, line: null, data: { detail: 'the file is empty (0 bytes)', executable: `<HOME>/${CACHED_EXECUTABLE}` } }],
      unsafe: true,
      output: { [`~/${CACHED_EXECUTABLE}`]: null },
    },
    {
      name: 'a broken package shared by three stacks is one finding, at the first stack lock entry',
      files: project(
        { 'stacks/a': awsLock([H1.aws]), 'stacks/b': awsLock([H1.aws]), 'stacks/c': awsLock([H1.aws]) },
        linksToCache(['stacks/a', 'stacks/b', 'stacks/c']),
      ),
      home: { ...CLI_CONFIG, [CACHED_EXECUTABLE]: { text: standIn('aws', '5.31.0'), mode: 0o755 } },
      errors: [{ messageId: 'executable-format', file: 'stacks/a/.terraform.lock.hcl', line: AWS_ENTRY }],
      unsafe: true,
      output: { [`~/${CACHED_EXECUTABLE}`]: null },
    },
  ],
});
