// The provider rules through the built CLI (`npm run build` first), with a scrubbed environment.
import { spawnSync } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { storedResults } from '../support/result-store.js';

import {
  addBinary,
  addPackage,
  addStack,
  createLab,
  goH1,
  healthyH1,
  runsOf,
  type ProviderLab,
} from '../support/provider-lab.js';
import type { JsonFinding } from '../../src/reporters/json.js';

const CLI = resolve(import.meta.dirname, '../../bin/run.js');

let lab: ProviderLab;

function runCheck(extra: string[]): { status: number | null; findings: JsonFinding[]; stderr: string } {
  const result = spawnSync(
    process.execPath,
    [CLI, 'check', lab.root, '--format', 'json', '--rule', 'provider-checksum', '--rule', 'provider-handshake', ...extra],
    { cwd: lab.base, env: { PATH: '/usr/bin:/bin', HOME: lab.home, TMPDIR: lab.tmp, XDG_CACHE_HOME: lab.env.XDG_CACHE_HOME }, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error) throw result.error;
  const report = JSON.parse(result.stdout) as { findings: JsonFinding[] };
  return { status: result.status, findings: report.findings, stderr: result.stderr };
}

function flipDataByte(path: string): void {
  const bytes = readFileSync(path);
  bytes[bytes.indexOf('TM-DOCTOR-DATA-MARKER:') + 30] ^= 0x01;
  writeFileSync(path, bytes);
}

describe('tm-doctor check on installed providers', () => {
  it('exits 1 with a provider-handshake finding for a provider that prints garbage', () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', (path) => writeFileSync(`${path}.say`, 'garbage\n'));
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);

    const result = runCheck(['--no-cache']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect(result.findings.map(({ ruleId, severity, file, line, stack }) => ({ ruleId, severity, file, line, stack }))).toEqual([
      { ruleId: 'provider-handshake', severity: 'error', file: 'stacks/a/.terraform.lock.hcl', line: 3, stack: 'stacks/a' },
    ]);
    expect(result.findings[0].messageId).toBe('unrecognized-line');
    expect(result.findings[0].help).toContain('"garbage"');
    expect(result.findings[0].fix?.safe).toBe(false);
    expect(runsOf(binary)).toBe(1);
  });

  it('--no-exec starts nothing but still checks checksums and headers', () => {
    lab = createLab();
    const flipped = addBinary(lab, 'aws', flipDataByte);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir: addPackage(lab, 'aws', flipped), hashes: [healthyH1(lab, 'aws')] }]);
    const empty = addBinary(lab, 'google', (path) => truncateSync(path, 0));
    const emptyPackage = addPackage(lab, 'google', empty);
    addStack(lab, 'stacks/b', [{ type: 'google', packageDir: emptyPackage, hashes: [goH1(emptyPackage)] }]);
    const garbage = addBinary(lab, 'random', (path) => writeFileSync(`${path}.say`, 'garbage\n'));
    const garbagePackage = addPackage(lab, 'random', garbage);
    addStack(lab, 'stacks/c', [{ type: 'random', packageDir: garbagePackage, hashes: [goH1(garbagePackage)] }]);

    const result = runCheck(['--no-exec']);
    expect(result.status).toBe(1);
    expect(result.findings.map(({ ruleId, file }) => [ruleId, file])).toEqual([
      ['provider-checksum', 'stacks/a/.terraform.lock.hcl'],
      ['provider-handshake', 'stacks/b/.terraform.lock.hcl'],
    ]);
    expect(result.findings[1].messageId).toBe('executable-format');
    expect([flipped, empty, garbage].map(runsOf)).toEqual([0, 0, 0]);

    // Without --no-exec the garbage printer is found too (and only it is started).
    const full = runCheck(['--no-cache']);
    expect(full.findings.map(({ ruleId, file }) => [ruleId, file])).toEqual([
      ['provider-checksum', 'stacks/a/.terraform.lock.hcl'],
      ['provider-handshake', 'stacks/b/.terraform.lock.hcl'],
      ['provider-handshake', 'stacks/c/.terraform.lock.hcl'],
    ]);
    expect([flipped, empty, garbage].map(runsOf)).toEqual([0, 0, 1]);
  });

  it('exits 0 for a healthy provider', () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
    const result = runCheck([]);
    expect(result.findings).toEqual([]);
    expect(result.status).toBe(0);
    expect(runsOf(binary)).toBe(1);
    // The result cache (under XDG_CACHE_HOME) spares the second run the start.
    expect(runCheck([]).status).toBe(0);
    expect(runsOf(binary)).toBe(1);
    expect(storedResults(lab.env.XDG_CACHE_HOME).filter(([kind]) => kind === 'handshake')).toEqual([['handshake', expect.any(String), expect.any(Number), expect.objectContaining({ ok: true })]]);
  });
});
