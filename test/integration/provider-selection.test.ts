// Providers are started only when provider-handshake is selected (and --no-exec is not given):
// through the built CLI (`npm run build` first), starts counted by the test provider's `.runs`.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

import { addBinary, addPackage, addStack, createLab, goH1, healthyH1, runsOf, type ProviderLab } from '../support/provider-lab.js';

const CLI = resolve(import.meta.dirname, '../../bin/run.js');

function runCheck(lab: ProviderLab, extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, 'check', lab.root, '--format', 'json', '--no-cache', ...extra], {
    cwd: lab.base,
    env: { PATH: '/usr/bin:/bin', HOME: lab.home, TMPDIR: lab.tmp, XDG_CACHE_HOME: lab.env.XDG_CACHE_HOME },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function flipDataByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[bytes.indexOf('TM-DOCTOR-DATA-MARKER:') + 30] ^= 0x01;
  writeFileSync(path, bytes);
}

/** A healthy provider (started when handshakes run) and one whose checksum fails (reported by provider-checksum). */
function twoProviders(lab: ProviderLab): { healthy: string; flipped: string } {
  const healthy = addBinary(lab, 'aws');
  const packageDir = addPackage(lab, 'aws', healthy);
  addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
  const flipped = addBinary(lab, 'google', flipDataByte);
  addStack(lab, 'stacks/b', [{ type: 'google', packageDir: addPackage(lab, 'google', flipped), hashes: [healthyH1(lab, 'google')] }]);
  return { healthy, flipped };
}

const ruleIdsOf = (stdout: string): string[] => (JSON.parse(stdout).findings as Array<{ ruleId: string }>).map((finding) => finding.ruleId);

describe('providers start only when provider-handshake is selected', () => {
  it.each([
    ['--disable provider-handshake', ['--disable', 'provider-handshake'], null],
    ['"provider-handshake": "off" in the config', [], { rules: { 'provider-handshake': 'off' } }],
    ['--rule provider-checksum', ['--rule', 'provider-checksum'], null],
  ] as const)('%s starts nothing; provider-checksum still reports', (_label, flags, config) => {
    const lab = createLab();
    const { healthy, flipped } = twoProviders(lab);
    if (config) writeFileSync(join(lab.root, '.tm-doctor.json'), JSON.stringify(config));

    const result = runCheck(lab, [...flags]);
    expect(result.stderr).toBe('');
    expect(ruleIdsOf(result.stdout)).toContain('provider-checksum');
    expect(ruleIdsOf(result.stdout)).not.toContain('provider-handshake');
    expect(result.status).toBe(1);
    expect([healthy, flipped].map(runsOf)).toEqual([0, 0]);
  });

  it('with provider-handshake selected the healthy provider is started (once), the flipped one never', () => {
    const lab = createLab();
    const { healthy, flipped } = twoProviders(lab);
    const result = runCheck(lab, []);
    expect(result.stderr).toBe('');
    expect(ruleIdsOf(result.stdout)).toContain('provider-checksum');
    expect([healthy, flipped].map(runsOf)).toEqual([1, 0]);
  });
});
