import { existsSync, lstatSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';

import {
  addBinary,
  addPackage,
  addStack,
  createLab,
  executableName,
  goH1,
  packageDirIn,
  runProviderRules,
  runsOf,
  type ProviderLab,
} from '../../support/provider-lab.js';

let lab: ProviderLab;

const AWS_TAIL = 'registry.terraform.io/hashicorp/aws/1.0.0/linux_amd64';

function brokenProject(): { broken: string; healthy: string; brokenPackage: string; healthyPackage: string } {
  const broken = addBinary(lab, 'aws', (path) => writeFileSync(`${path}.say`, 'garbage\n'));
  const brokenPackage = addPackage(lab, 'aws', broken);
  const healthy = addBinary(lab, 'random');
  const healthyPackage = addPackage(lab, 'random', healthy);
  for (const name of ['a', 'b']) addStack(lab, `stacks/${name}`, [{ type: 'aws', packageDir: brokenPackage, hashes: [goH1(brokenPackage)] }]);
  addStack(lab, 'stacks/c', [{ type: 'random', packageDir: healthyPackage, hashes: [goH1(healthyPackage)] }]);
  return { broken, healthy, brokenPackage, healthyPackage };
}

function stackLink(stack: string, type: string): string {
  return packageDirIn(join(lab.root, stack, '.terraform/providers'), type);
}

describe('provider quarantine (--fix --unsafe-fixes)', () => {
  it('moves nothing without --unsafe-fixes', async () => {
    lab = createLab();
    const { brokenPackage } = brokenProject();
    const outcome = await runProviderRules(lab, { fix: { fix: true } });
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.messageId, finding.fixed])).toEqual([['provider-handshake', 'unrecognized-line', false]]);
    expect(existsSync(brokenPackage)).toBe(true);
    expect(readlinkSync(stackLink('stacks/a', 'aws'))).toBe(brokenPackage);
    expect(existsSync(join(lab.root, '.tm-doctor-quarantine'))).toBe(false);
  });

  it('quarantines the broken package and its stack links; a re-check no longer reports it', async () => {
    lab = createLab();
    const { broken, healthy, brokenPackage, healthyPackage } = brokenProject();

    const outcome = await runProviderRules(lab, { fix: { fix: true, unsafe: true } });
    expect(outcome.notes).toEqual([]);
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.messageId, finding.fixed])).toEqual([['provider-handshake', 'unrecognized-line', true]]);
    // Started once: the fix passes share the first inspection, and the re-check finds it gone.
    expect(runsOf(broken)).toBe(1);

    const [stamp] = readdirSync(join(lab.root, '.tm-doctor-quarantine'));
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    const quarantine = join(lab.root, '.tm-doctor-quarantine', stamp);
    expect(readlinkSync(join(quarantine, 'packages', AWS_TAIL, executableName('aws')))).toBe(broken);
    for (const stack of ['a', 'b']) {
      const moved = join(quarantine, 'links/stacks', stack, '.terraform/providers', AWS_TAIL);
      expect(lstatSync(moved).isSymbolicLink()).toBe(true);
      expect(readlinkSync(moved)).toBe(brokenPackage);
      expect(existsSync(stackLink(`stacks/${stack}`, 'aws'))).toBe(false);
    }
    expect(existsSync(brokenPackage)).toBe(false);
    // The healthy package and its link are untouched.
    expect(readlinkSync(stackLink('stacks/c', 'random'))).toBe(healthyPackage);
    expect(existsSync(join(healthyPackage, executableName('random')))).toBe(true);

    const again = await runProviderRules(lab);
    expect(again.findings).toEqual([]);
    expect(runsOf(broken)).toBe(1);
    expect(runsOf(healthy)).toBe(3);
  });

  it('quarantines a dangling stack link', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir: `${packageDir}-gone`, hashes: [goH1(packageDir)] }]);
    const outcome = await runProviderRules(lab, { fix: { fix: true, unsafe: true } });
    expect(outcome.findings.map((finding) => [finding.ruleId, finding.messageId, finding.fixed])).toEqual([['provider-handshake', 'dangling-link', true]]);
    const [stamp] = readdirSync(join(lab.root, '.tm-doctor-quarantine'));
    const moved = join(lab.root, '.tm-doctor-quarantine', stamp, 'links/stacks/a/.terraform/providers', AWS_TAIL);
    expect(readlinkSync(moved)).toBe(`${packageDir}-gone`);
    expect(existsSync(packageDir)).toBe(true);
    expect((await runProviderRules(lab)).findings).toEqual([]);
  });
});
