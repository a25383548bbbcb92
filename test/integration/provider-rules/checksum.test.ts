import { readFileSync, truncateSync, utimesSync, writeFileSync, chmodSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { storedResults } from '../../support/result-store.js';

import { runHandshake } from '../../../src/providers/handshake.js';
import {
  addBinary,
  addPackage,
  addStack,
  checksumFinding as checksum,
  createLab,
  goH1,
  handshakeFinding as handshake,
  HOST,
  NAMESPACE,
  VERSION,
  healthyH1,
  labFindings,
  runProviderRules,
  runsOf,
  type ProviderLab,
} from '../../support/provider-lab.js';

let lab: ProviderLab;

const CACHE = '<lab>/home/.terraform.d/plugin-cache/registry.terraform.io/hashicorp';

const findingsOf = (outcome: Awaited<ReturnType<typeof runProviderRules>>) => labFindings(lab, outcome);

function flipDataByte(path: string): void {
  const bytes = readFileSync(path);
  const at = bytes.indexOf('TM-DOCTOR-DATA-MARKER:');
  expect(at).toBeGreaterThan(0);
  bytes[at + 30] ^= 0x01;
  writeFileSync(path, bytes);
}

describe('provider-checksum through the engine, with the real go-plugin provider', () => {
  it('catches a same-size copy with one flipped byte that still handshakes, without starting it', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', flipDataByte);
    const packageDir = addPackage(lab, 'aws', binary);
    const locked = healthyH1(lab, 'aws');
    const actual = goH1(packageDir);
    expect(actual).not.toBe(locked);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [locked] }]);
    addStack(lab, 'stacks/b', [{ type: 'aws', packageDir, hashes: [locked] }]);

    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([
      checksum('mismatch', 'stacks/a/.terraform.lock.hcl', 3, {
        h1: actual,
        lockFiles: 'stacks/a/.terraform.lock.hcl and stacks/b/.terraform.lock.hcl',
        packageDir: `${CACHE}/aws/1.0.0/linux_amd64`,
        provider: 'registry.terraform.io/hashicorp/aws',
        version: '1.0.0',
      }),
    ]);
    expect(outcome.findings[0].stack).toBe(`${lab.root}/stacks/a`);
    expect(outcome.findings[0].fix?.safe).toBe(false);
    expect(outcome.findings[0].severity).toBe('error');
    expect(runsOf(binary)).toBe(0);

    // The same binary does handshake: only the checksum could have told.
    const result = await runHandshake(binary, { timeoutMs: 10_000, tempRoot: lab.tmp });
    expect(result).toMatchObject({ ok: true, protocol: 5 });
    expect(runsOf(binary)).toBe(1);
  });

  it('reports every copy whose bytes changed by checksum first and starts none of them', async () => {
    lab = createLab();
    const damage: Record<string, (path: string) => void> = {
      truncated: (path) => truncateSync(path, 1_000_000),
      zerobyte: (path) => truncateSync(path, 0),
      wrongarch: (path) => {
        const bytes = readFileSync(path);
        bytes.writeUInt16LE(183, 18);
        writeFileSync(path, bytes);
      },
      // Would hang or print garbage if started: the checksum keeps them from being started.
      hanging: (path) => {
        flipDataByte(path);
        writeFileSync(`${path}.hang`, '');
      },
      garbage: (path) => {
        flipDataByte(path);
        writeFileSync(`${path}.say`, 'garbage\n');
      },
    };
    const binaries = Object.entries(damage).map(([type, apply]) => {
      const binary = addBinary(lab, type, apply);
      addStack(lab, `stacks/${type}`, [{ type, packageDir: addPackage(lab, type, binary), hashes: [healthyH1(lab, type)] }]);
      return binary;
    });
    // The hanging copy would run into this timeout if it were started: the run counts prove it is not.
    const outcome = await runProviderRules(lab, { timeoutMs: 5000 });
    expect(findingsOf(outcome).map(({ ruleId, messageId, file, line }) => [ruleId, messageId, file, line])).toEqual([
      ['provider-checksum', 'mismatch', 'stacks/garbage/.terraform.lock.hcl', 3],
      ['provider-checksum', 'mismatch', 'stacks/hanging/.terraform.lock.hcl', 3],
      ['provider-checksum', 'mismatch', 'stacks/truncated/.terraform.lock.hcl', 3],
      // Header problems are found without running anything, so they are reported as well.
      ['provider-checksum', 'mismatch', 'stacks/wrongarch/.terraform.lock.hcl', 3],
      ['provider-handshake', 'executable-format', 'stacks/wrongarch/.terraform.lock.hcl', 3],
      ['provider-checksum', 'mismatch', 'stacks/zerobyte/.terraform.lock.hcl', 3],
      ['provider-handshake', 'executable-format', 'stacks/zerobyte/.terraform.lock.hcl', 3],
    ]);
    expect(binaries.map(runsOf)).toEqual([0, 0, 0, 0, 0]);
  });

  it('does not take side files or the exec bit for damage: an unchanged package passes its checksum', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws', (path) => chmodSync(path, 0o644));
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir: addPackage(lab, 'aws', binary), hashes: [healthyH1(lab, 'aws')] }]);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([
      handshake('executable-not-executable', 'stacks/a/.terraform.lock.hcl', 3, { detail: 'not executable by this user (mode 644)' }),
    ]);
  });

  it('says at info level that a lock entry without h1: cannot check the package, and still runs the handshake', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [
      { type: 'aws', packageDir, hashes: ['zh:0262fc96012fb7e173e1b7beadd46dfc25b1dc7eaef95b90e936fc454724f1c8'] },
    ]);
    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual([
      checksum('no-h1', 'stacks/a/.terraform.lock.hcl', 3, {
        packageDir: `${CACHE}/aws/1.0.0/linux_amd64`,
        lockFile: 'stacks/a/.terraform.lock.hcl',
        stack: 'stacks/a',
        platform: 'linux_amd64',
      }),
    ]);
    expect(outcome.findings[0].severity).toBe('info');
    expect(outcome.findings[0].fix).toBeNull();
    expect(runsOf(binary)).toBe(1);
  });

  it('checks a package against each stack lock: one that does not list it is enough to fail', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
    addStack(lab, 'stacks/b', [{ type: 'aws', packageDir, hashes: ['h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='] }]);
    const outcome = await runProviderRules(lab);
    // stacks/a vouches for the package: stacks/b's lock file is what is wrong.
    expect(findingsOf(outcome)).toEqual([
      checksum('lock-damaged', 'stacks/b/.terraform.lock.hcl', 6, {
        h1: goH1(packageDir),
        recorded: 'h1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
        vouchers: 1,
        voucherFiles: 'stacks/a/.terraform.lock.hcl',
      }),
    ]);
    expect(runsOf(binary)).toBe(0);
  });

  it('repairs the lock files a racing init damaged around an intact real provider, and the repaired stacks then start it', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    const healthy = goH1(packageDir);
    // The package cut short at four points, as racing inits hashed it while another one wrote it.
    const halfWritten = [1_000_000, 2_000_000, 3_000_000, 4_000_000].map((size) => {
      const copy = addBinary(lab, `aws-cut-${size}`, (path) => truncateSync(path, size));
      const dir = addPackage({ ...lab, cache: `${lab.base}/cut-${size}` }, 'aws', copy);
      return goH1(dir);
    });
    const stacks = Array.from({ length: 10 }, (_, index) => `stacks/s${String(index + 1).padStart(2, '0')}`);
    stacks.forEach((stack, index) => addStack(lab, stack, [{ type: 'aws', packageDir, hashes: [index < 4 ? halfWritten[index] : healthy] }]));

    const outcome = await runProviderRules(lab);
    expect(findingsOf(outcome)).toEqual(
      stacks.slice(0, 4).map((stack, index) =>
        checksum('lock-damaged', `${stack}/.terraform.lock.hcl`, 6, { h1: healthy, recorded: halfWritten[index], vouchers: 6 }),
      ),
    );
    expect(outcome.findings.map((finding) => finding.fix?.safe)).toEqual([true, true, true, true]);
    expect(runsOf(binary)).toBe(0);

    // Safe fixes add the package's hash beside the unknown one (it could be a platform only that
    // stack locks); with --unsafe-fixes the unknown one, then reported as an extra, goes too.
    const fixed = await runProviderRules(lab, { fix: { fix: true, unsafe: true } });
    expect(fixed.findings.map((finding) => [finding.messageId, finding.fixed])).toEqual(stacks.slice(0, 4).map(() => ['lock-damaged', true]));
    for (const stack of stacks) {
      expect(readFileSync(`${lab.root}/${stack}/.terraform.lock.hcl`, 'utf8')).toBe(
        `# This file is maintained automatically by "terraform init".\n\nprovider "${HOST}/${NAMESPACE}/aws" {\n  version = "${VERSION}"\n  hashes = [\n    "${healthy}",\n  ]\n}\n`,
      );
    }
    expect(goH1(packageDir)).toBe(healthy);
    // The fix run's re-checks started it once each after every lock file listed it (after the hash
    // was added, and after the unknown one was removed); a new check, once more.
    expect(runsOf(binary)).toBe(2);
    expect((await runProviderRules(lab)).findings).toEqual([]);
    expect(runsOf(binary)).toBe(3);
  });

  it('reuses hashes and handshakes from the result cache until the file changes', async () => {
    lab = createLab();
    const binary = addBinary(lab, 'aws');
    const packageDir = addPackage(lab, 'aws', binary);
    addStack(lab, 'stacks/a', [{ type: 'aws', packageDir, hashes: [goH1(packageDir)] }]);
    expect((await runProviderRules(lab, { noCache: false })).findings).toEqual([]);
    expect((await runProviderRules(lab, { noCache: false })).findings).toEqual([]);
    expect(runsOf(binary)).toBe(1);
    expect(storedResults(lab.env.XDG_CACHE_HOME).filter(([kind]) => kind === 'handshake')).toEqual([['handshake', expect.any(String), expect.any(Number), expect.objectContaining({ ok: true })]]);
    utimesSync(binary, new Date(), new Date(Date.now() + 5000));
    expect((await runProviderRules(lab, { noCache: false })).findings).toEqual([]);
    expect(runsOf(binary)).toBe(2);
    // --no-cache: recomputed every time.
    await runProviderRules(lab, { noCache: true });
    expect(runsOf(binary)).toBe(3);
  });
});
