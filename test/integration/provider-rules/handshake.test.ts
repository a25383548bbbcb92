import { chmodSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

import { pluginEnvironment } from '../../support/providers.js';
import {
  addBinary,
  addPackage,
  addStack,
  createLab,
  goH1,
  handshakeFinding as handshake,
  healthyH1,
  labFindings,
  packageDirIn,
  runProviderRules,
  runsOf,
  type ProviderLab,
} from '../../support/provider-lab.js';

let lab: ProviderLab;

const CACHE = '<lab>/home/.terraform.d/plugin-cache/registry.terraform.io/hashicorp';
// What go-plugin (and so Terraform) says when a plugin dies before its handshake line.
const FAILED_TO_READ = "Unrecognized remote plugin message: Failed to read any lines from plugin's stdout";

const findingsOf = (outcome: Awaited<ReturnType<typeof runProviderRules>>) => labFindings(lab, outcome);

function executableOf(type: string): string {
  return `${CACHE}/${type}/1.0.0/linux_amd64/terraform-provider-${type}_v1.0.0_x5`;
}

function startFailure(type: string, messageId: Parameters<typeof handshake>[0], data: Record<string, string | number>) {
  return handshake(messageId, `stacks/${type}/.terraform.lock.hcl`, 3, { provider: `registry.terraform.io/hashicorp/${type}`, ...data });
}

const DAMAGE: Record<string, (path: string) => void> = {
  truncated: (path) => truncateSync(path, Math.floor(statSync(path).size / 2)),
  zerobyte: (path) => truncateSync(path, 0),
  noexec: (path) => chmodSync(path, 0o644),
  wrongarch: (path) => {
    const bytes = readFileSync(path);
    bytes.writeUInt16LE(183, 18); // e_machine: AArch64
    writeFileSync(path, bytes);
  },
  hanging: (path) => writeFileSync(`${path}.hang`, ''),
  garbage: (path) => writeFileSync(`${path}.say`, 'garbage\n'),
};

const EXPECTED_FAILURES = [
  startFailure('garbage', 'unrecognized-line', { line: '"garbage"', pluginError: 'Unrecognized remote plugin message: garbage' }),
  startFailure('hanging', 'timeout', { timeoutMs: 1500, pluginError: 'timeout while waiting for plugin to start' }),
  startFailure('noexec', 'executable-not-executable', { detail: 'not executable by this user (mode 644)', executable: executableOf('noexec') }),
  startFailure('truncated', 'killed', { signal: 'SIGSEGV', pluginError: FAILED_TO_READ }),
  startFailure('wrongarch', 'executable-format', { detail: 'ELF 64-bit little-endian AArch64 (arm64) executable, not linux_amd64', executable: executableOf('wrongarch') }),
  startFailure('zerobyte', 'executable-format', { detail: 'the file is empty (0 bytes)', executable: executableOf('zerobyte') }),
];

describe('provider-handshake through the engine, with the real go-plugin provider', () => {
  it('finds nothing wrong with a healthy provider linked from 3 stacks, and starts it exactly once', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    const h1 = goH1(packageDir);
    expect(h1).toBe(healthyH1(lab, 'aws'));
    for (const name of ['a', 'b', 'c']) addStack(lab, `stacks/${name}`, [{ type: 'aws', packageDir, hashes: [h1] }]);

    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([]);
    expect(runsOf(binary)).toBe(1);
  });

  it('names the cause of each broken copy when the lock file vouches for the broken bytes', async () => {
    lab = createLab();
    const binaries = Object.entries(DAMAGE).map(([type, damage]) => {
      const binary = addBinary(lab, type, damage);
      const packageDir = addPackage(lab, type, binary);
      addStack(lab, `stacks/${type}`, [{ type, packageDir, hashes: [goH1(packageDir)] }]);
      return [type, binary] as const;
    });

    const outcome = await runProviderRules(lab, { timeoutMs: 1500 });
    expect(findingsOf(outcome)).toEqual(EXPECTED_FAILURES);
    expect(outcome.findings.every((finding) => finding.severity === 'error' && finding.fix?.safe === false)).toBe(true);
    // Only the copies that pass the header check are ever started (the truncated one dies before main).
    expect(Object.fromEntries(binaries.map(([type, binary]) => [type, runsOf(binary)]))).toEqual({
      truncated: 0,
      zerobyte: 0,
      noexec: 0,
      wrongarch: 0,
      hanging: 1,
      garbage: 1,
    });
  });

  it('checks headers but starts nothing under --no-exec', async () => {
    lab = createLab();
    const binaries = Object.entries(DAMAGE).map(([type, damage]) => {
      const binary = addBinary(lab, type, damage);
      const packageDir = addPackage(lab, type, binary);
      addStack(lab, `stacks/${type}`, [{ type, packageDir, hashes: [goH1(packageDir)] }]);
      return binary;
    });
    const healthy = addBinary(lab, 'aws');
    addStack(lab, 'stacks/aws', [{ type: 'aws', packageDir: addPackage(lab, 'aws', healthy), hashes: [healthyH1(lab, 'aws')] }]);

    const outcome = await runProviderRules(lab, { noExec: true });
    expect(findingsOf(outcome)).toEqual(EXPECTED_FAILURES.filter((finding) => /noexec|wrongarch|zerobyte/.test(finding.file ?? '')));
    expect([...binaries, healthy].map(runsOf)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('never reports a zero-byte executable as healthy, whatever the lock file says', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', DAMAGE.zerobyte);
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([handshake('executable-format', 'stacks/a/.terraform.lock.hcl', 3, { detail: 'the file is empty (0 bytes)' })]);
    expect(outcome.findings[0].severity).toBe('error');
  });

  it('gives the provider none of the parent environment (no credentials)', async () => {
    lab = createLab();
    const previous = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'from-process-env';
    try {
      const binary = addBinary(lab, 'aws', (path) => writeFileSync(`${path}.env`, ''));
      const packageDir = addPackage(lab, 'aws', binary);
      addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
      const outcome = await runProviderRules(lab, { env: { AWS_SECRET_ACCESS_KEY: 'from-project-env', GITHUB_TOKEN: 'secret' } });
      expect(outcome.findings).toEqual([]);
      const dumped = readFileSync(`${binary}.env`, 'utf8').trim().split('\n').sort();
      const tempDir = dumped.find((line) => line.startsWith('TMPDIR='))?.slice('TMPDIR='.length) ?? '';
      expect(tempDir.startsWith(`${lab.tmp}/tm-doctor-plugin-`)).toBe(true);
      expect(dumped).toEqual(pluginEnvironment(tempDir));
    } finally {
      if (previous === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = previous;
    }
  });

  it('reports a stack link that points to a missing package', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir: `${packageDir}-gone`, hashes: [goH1(packageDir)] }]);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([
      handshake('dangling-link', 'stacks/a/.terraform.lock.hcl', 3, {
        link: 'stacks/a/.terraform/providers/registry.terraform.io/hashicorp/aws/1.0.0/linux_amd64',
        target: `${CACHE}/aws/1.0.0/linux_amd64-gone`,
        provider: 'registry.terraform.io/hashicorp/aws',
        version: '1.0.0',
      }),
    ]);
    expect(outcome.findings[0].stack).toBe(`${lab.root}/stacks/a`);
    // The package in the cache is healthy and checked once on its own.
    expect(runsOf(binary)).toBe(1);
  });

  it('lists the stacks using a broken package, and points at the first lock entry', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', DAMAGE.garbage);
    const packageDir = addPackage(lab, 'aws', binary);
    for (const name of ['a', 'b', 'c', 'd', 'e']) addStack(lab, `stacks/${name}`, [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([handshake('unrecognized-line', 'stacks/a/.terraform.lock.hcl', 3, { line: '"garbage"' })]);
    expect(outcome.findings[0].stack).toBe(`${lab.root}/stacks/a`);
    // One finding for the package, whose fix takes it and every stack's link to it out of the way.
    expect(outcome.findings[0].fix?.changes.map((change) => (change.kind === 'move' ? change.from : change.kind))).toEqual([
      packageDir,
      ...['a', 'b', 'c', 'd', 'e'].map((name) => packageDirIn(join(lab.root, `stacks/${name}`, '.terraform/providers'), 'aws')),
    ]);
    expect(runsOf(binary)).toBe(1);
  });

  it('checks packages that only the plugin cache holds, reporting them with no file or stack', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', DAMAGE.garbage);
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', []);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([handshake('unrecognized-line', null, null, { line: '"garbage"', provider: 'registry.terraform.io/hashicorp/aws' })]);
    // Only the package is quarantined: no stack links to it.
    expect(outcome.findings[0].fix?.changes.map((change) => (change.kind === 'move' ? change.from : change.kind))).toEqual([packageDir]);
    expect(outcome.findings[0].stack).toBeNull();
    expect(runsOf(binary)).toBe(1);
  });
});
