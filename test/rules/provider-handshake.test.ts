import { chmodSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';

import { pluginEnvironment } from '../support/providers.js';
import {
  addBinary,
  addPackage,
  addStack,
  createLab,
  goH1,
  healthyH1,
  labFindings,
  runProviderRules,
  runsOf,
  type ProviderLab,
} from '../support/provider-lab.js';

let lab: ProviderLab;

const CACHE = '<lab>/home/.terraform.d/plugin-cache/registry.terraform.io/hashicorp';
const FAILED_TO_READ = "Unrecognized remote plugin message: Failed to read any lines from plugin's stdout";

const findingsOf = (outcome: Awaited<ReturnType<typeof runProviderRules>>) => labFindings(lab, outcome);

function reinit(stack: string): string {
  return `Quarantine it with --fix --unsafe-fixes, then re-initialise one stack at a time: \`terramate -C ${stack} run --no-recursive -- terraform init\`.`;
}

function instantiate(type: string, error: string): string {
  return `Terraform would fail with: failed to instantiate provider "registry.terraform.io/hashicorp/${type}" to obtain schema: ${error}.`;
}

function execError(type: string, text: string): string {
  return instantiate(type, `fork/exec ${CACHE}/${type}/1.0.0/linux_amd64/terraform-provider-${type}_v1.0.0_x5: ${text}`);
}

function startFailure(type: string, cause: string, terraform: string): { ruleId: string; file: string; line: number; message: string } {
  return {
    ruleId: 'provider-handshake',
    file: `stacks/${type}/.terraform.lock.hcl`,
    line: 3,
    message:
      `registry.terraform.io/hashicorp/${type} 1.0.0 (linux_amd64) does not start: ${cause}. ${terraform} ` +
      `Package ${CACHE}/${type}/1.0.0/linux_amd64, used by stacks/${type}. ${reinit(`stacks/${type}`)}`,
  };
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
  startFailure('garbage', 'printed "garbage" instead of a go-plugin handshake line (unrecognized line)', instantiate('garbage', 'Unrecognized remote plugin message: garbage')),
  startFailure('hanging', 'no handshake line within 1500 ms (timeout)', instantiate('hanging', 'timeout while waiting for plugin to start')),
  startFailure('noexec', 'the executable is not executable by this user (mode 644) (EACCES)', execError('noexec', 'permission denied')),
  startFailure('truncated', 'killed by SIGSEGV before printing a handshake line', instantiate('truncated', FAILED_TO_READ)),
  startFailure('wrongarch', 'ELF 64-bit little-endian AArch64 (arm64) executable, not linux_amd64 (ENOEXEC)', execError('wrongarch', 'exec format error')),
  startFailure('zerobyte', 'the file is empty (0 bytes) (ENOEXEC)', execError('zerobyte', 'exec format error')),
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
    expect(findingsOf(outcome)).toEqual(EXPECTED_FAILURES.filter((finding) => /noexec|wrongarch|zerobyte/.test(finding.file)));
    expect([...binaries, healthy].map(runsOf)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('never reports a zero-byte executable as healthy, whatever the lock file says', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', DAMAGE.zerobyte);
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
    const outcome = await runProviderRules(lab);
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.severity])).toEqual([['provider-handshake', 'error']]);
    expect(outcome.findings[0].message).toContain('the file is empty (0 bytes) (ENOEXEC)');
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
      expect(dumped).toEqual(
        pluginEnvironment(tempDir),
      );
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
      {
        ruleId: 'provider-handshake',
        file: 'stacks/a/.terraform.lock.hcl',
        line: 3,
        message:
          'provider link stacks/a/.terraform/providers/registry.terraform.io/hashicorp/aws/1.0.0/linux_amd64 points to missing ' +
          `${CACHE}/aws/1.0.0/linux_amd64-gone. Terraform would fail with: there is no package for registry.terraform.io/hashicorp/aws 1.0.0 ` +
          'cached in .terraform/providers. Quarantine the link with --fix --unsafe-fixes, then re-initialise the stack: ' +
          '`terramate -C stacks/a run --no-recursive -- terraform init`.',
      },
    ]);
    // The package in the cache is healthy and checked once on its own.
    expect(runsOf(binary)).toBe(1);
  });

  it('lists the stacks using a broken package, and points at the first lock entry', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', DAMAGE.garbage);
    const packageDir = addPackage(lab, 'aws', binary);
    for (const name of ['a', 'b', 'c', 'd', 'e']) addStack(lab, `stacks/${name}`, [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome).map(({ file, line }) => [file, line])).toEqual([['stacks/a/.terraform.lock.hcl', 3]]);
    expect(outcome.findings[0].message).toContain(
      'used by stacks/a, stacks/b and 3 more. Quarantine it with --fix --unsafe-fixes, then re-initialise one stack at a time: ' +
        '`terramate -C stacks/a run --no-recursive -- terraform init`, `terramate -C stacks/b run --no-recursive -- terraform init`, ' +
        '`terramate -C stacks/c run --no-recursive -- terraform init` and the same for 2 more stacks, one at a time.',
    );
    expect(outcome.findings[0].stack).toBe(`${lab.root}/stacks/a`);
    expect(runsOf(binary)).toBe(1);
  });

  it('checks packages that only the plugin cache holds, reporting them with no file or stack', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', DAMAGE.garbage);
    addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', []);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([
      {
        ruleId: 'provider-handshake',
        file: null,
        line: null,
        message:
          'registry.terraform.io/hashicorp/aws 1.0.0 (linux_amd64) does not start: printed "garbage" instead of a go-plugin handshake line ' +
          `(unrecognized line). ${instantiate('aws', 'Unrecognized remote plugin message: garbage')} Package ${CACHE}/aws/1.0.0/linux_amd64, ` +
          'used by no stack (in the plugin cache <lab>/home/.terraform.d/plugin-cache). Quarantine it with --fix --unsafe-fixes; ' +
          'the next init that needs it downloads it again.',
      },
    ]);
    expect(outcome.findings[0].stack).toBeNull();
    expect(runsOf(binary)).toBe(1);
  });
});
