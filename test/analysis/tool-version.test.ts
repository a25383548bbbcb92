import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import {
  compareVersions,
  constraintsAllow,
  everyAllowedAtLeast,
  everyAllowedBelow,
  findAllowedVersion,
  formatVersion,
  lowestAllowedBound,
  miseToolVersion,
  parseConstraints,
  parsePinnedVersion,
  parseVersion,
  versionEvidence,
  type GoConstraint,
  type GoVersion,
  type VersionInputs,
} from '../../src/analysis/tool-version.js';
import { parseHcl } from '../../src/parsers/hcl.js';
import { makeTempDir, processesStartedUnder, zombieChildren } from '../support/providers.js';
import { seededRandom } from '../support/seeded-random.js';

const supportDir = resolve(dirname(fileURLToPath(import.meta.url)), '../support');
const FLOOR = parseVersion('1.10.0') as GoVersion;

let workDir: string;
let tempRoot: string;

beforeAll(() => {
  workDir = makeTempDir('tool-version');
  tempRoot = makeTempDir('tool-version-tmp');
});

/**
 * Unreaped children that are fake tools. Run alone, jest works in this very process and
 * starts node helpers of its own, which stay zombies for a while: those are not ours.
 */
function toolZombies(): number[] {
  return zombieChildren().filter((pid) => {
    try {
      return /^\d+ \((tofu|terraform)\)/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  });
}

afterEach(() => {
  // Whatever a test ran is gone, reaped, and left nothing in its temp dir.
  expect(processesStartedUnder(tempRoot)).toEqual([]);
  expect(toolZombies()).toEqual([]);
  expect(readdirSync(tempRoot)).toEqual([]);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
  await rm(tempRoot, { recursive: true, force: true });
});

let counter = 0;

/** A project tree in a fresh directory; returns its root. */
function project(files: Record<string, string>): string {
  counter += 1;
  const root = join(workDir, `project${counter}`);
  mkdirSync(root, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function inputsFor(root: string, stacks: string[], overrides: Partial<VersionInputs> = {}): VersionInputs {
  return {
    tool: 'tofu',
    root,
    stackDirs: stacks.map((stack) => join(root, stack)),
    readText,
    hcl: async (file) => {
      const text = readText(file);
      return text === undefined ? null : parseHcl(file, text);
    },
    env: { PATH: '' },
    exec: false,
    tempRoot,
    ...overrides,
  };
}

/** A fake tool in its own bin dir: a shell script (this is not a provider). Returns the dir. */
function fakeTool(name: 'tofu' | 'terraform', body: string): string {
  counter += 1;
  const bin = join(workDir, `bin${counter}`);
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return bin;
}

const SYSTEM_PATH = '/usr/bin:/bin';

// ---- The go-version port --------------------------------------------------------------------

function constraints(text: string): GoConstraint[] {
  const parsed = parseConstraints(text);
  if (!parsed) throw new Error(`does not parse: ${text}`);
  return parsed;
}

function version(text: string): GoVersion {
  const parsed = parseVersion(text);
  if (!parsed) throw new Error(`does not parse: ${text}`);
  return parsed;
}

describe('go-version port: go-version\'s own test tables (constraint_test.go, version_test.go)', () => {
  it('parses constraints as NewConstraint does', () => {
    expect(parseConstraints('>= 1.2')).toHaveLength(1);
    expect(parseConstraints('1.0')).toHaveLength(1);
    expect(parseConstraints('>= 1.x')).toBeNull();
    expect(parseConstraints('>= 1.2, < 1.0')).toHaveLength(2);
    expect(parseConstraints('11387778780781445675529500000000000000000')).toBeNull();
    expect(parseConstraints('')).toBeNull();
    expect(parseConstraints('>= 1.0,')).toBeNull();
    expect(parseConstraints('=> 1.0')).toBeNull();
    expect(parseConstraints('\t>=\t1.0\n')).toHaveLength(1);
    // Go's \s has no vertical tab or no-break space.
    expect(parseConstraints('\v>= 1.0')).toBeNull();
    expect(parseConstraints('\u00a0>= 1.0')).toBeNull();
  });

  // TestConstraintCheck, every row.
  const table: Array<[string, string, boolean]> = [
    ['>= 1.0, < 1.2', '1.1.5', true],
    ['< 1.0, < 1.2', '1.1.5', false],
    ['= 1.0', '1.1.5', false],
    ['= 1.0', '1.0.0', true],
    ['1.0', '1.0.0', true],
    ['~> 1.0', '2.0', false],
    ['~> 1.0', '1.1', true],
    ['~> 1.0', '1.2.3', true],
    ['~> 1.0.0', '1.2.3', false],
    ['~> 1.0.0', '1.0.7', true],
    ['~> 1.0.0', '1.1.0', false],
    ['~> 1.0.7', '1.0.4', false],
    ['~> 1.0.7', '1.0.7', true],
    ['~> 1.0.7', '1.0.8', true],
    ['~> 1.0.7', '1.0.7.5', true],
    ['~> 1.0.7', '1.0.6.99', false],
    ['~> 1.0.7', '1.0.8.0', true],
    ['~> 1.0.9.5', '1.0.9.5', true],
    ['~> 1.0.9.5', '1.0.9.4', false],
    ['~> 1.0.9.5', '1.0.9.6', true],
    ['~> 1.0.9.5', '1.0.9.5.0', true],
    ['~> 1.0.9.5', '1.0.9.5.1', true],
    ['~> 2.0', '2.1.0-beta', false],
    ['~> 2.1.0-a', '2.2.0', false],
    ['~> 2.1.0-a', '2.1.0', false],
    ['~> 2.1.0-a', '2.1.0-beta', true],
    ['~> 2.1.0-a', '2.2.0-alpha', false],
    ['> 2.0', '2.1.0-beta', false],
    ['>= 2.1.0-a', '2.1.0-beta', true],
    ['>= 2.1.0-a', '2.1.1-beta', false],
    ['>= 2.0.0', '2.1.0-beta', false],
    ['>= 2.1.0-a', '2.1.1', true],
    ['>= 2.1.0-a', '2.1.1-beta', false],
    ['>= 2.1.0-a', '2.1.0', true],
    ['<= 2.1.0-a', '2.0.0', true],
  ];
  it.each(table)('%s allows %s: %s', (constraint, candidate, expected) => {
    expect(constraintsAllow(constraints(constraint), version(candidate))).toBe(expected);
  });

  // From TestVersionCompare and TestComparePreReleases.
  const compares: Array<[string, string, number]> = [
    ['1.2.3', '1.4.5', -1],
    ['1.2-beta', '1.2-beta', 0],
    ['1.2', '1.1.4', 1],
    ['1.2', '1.2-beta', 1],
    ['1.2+foo', '1.2+beta', 0],
    ['v1.2', 'v1.2-beta', 1],
    ['v1.2+foo', 'v1.2+beta', 0],
    ['v1.2.3.4', 'v1.2.3.4', 0],
    ['v1.2.0.0', 'v1.2', 0],
    ['v1.2.0.0.1', 'v1.2', 1],
    ['v1.2', 'v1.2.0.0', 0],
    ['v1.2', 'v1.2.0.0.1', -1],
    ['v1.2.0.0', 'v1.2.0.0.1', -1],
    ['v1.2.3.0', 'v1.2.3.4', -1],
    ['1.7rc2', '1.7rc1', 1],
    ['1.7rc2', '1.7', -1],
    ['1.2.0', '1.2.0-X-1.2.0+metadata~dist', 1],
    ['1.2.3-alpha.1', '1.2.3-alpha.2', -1],
    ['1.2.3-alpha.2', '1.2.3-alpha.10', -1],
    ['1.2.3-alpha', '1.2.3-alpha.1', -1],
    ['1.2.3-beta', '1.2.3-alpha', 1],
    ['1.2.3-rc.1', '1.2.3-rc.2', -1],
    ['1.2.3-beta.1', '1.2.3-beta.alpha', -1],
    ['1.2.3-1', '1.2.3-alpha', -1],
    ['1.10.0-beta1', '1.10.0', -1],
    // A quirk kept from Compare: different segment counts compare the numbers only.
    ['1.2.0.0-a', '1.2', 0],
  ];
  it.each(compares)('Compare(%s, %s) = %d', (a, b, expected) => {
    expect(compareVersions(version(a), version(b))).toBe(expected);
  });

  it('parses versions as NewVersion does and prints them as String does', () => {
    expect(formatVersion(version('v1.2'))).toBe('1.2.0');
    expect(formatVersion(version('1.2.3beta'))).toBe('1.2.3-beta');
    expect(formatVersion(version('01.002.3-rc.1+build.5'))).toBe('1.2.3-rc.1+build.5');
    expect(version('1.2').si).toBe(2);
    // The pre-release pattern's own `-` makes a lone trailing dash a pre-release.
    expect(formatVersion(version('1.2.3-'))).toBe('1.2.3--');
    for (const bad of ['', '1.', '1..2', 'x1.2', '1.2.3+', '9223372036854775808', '1.2 ']) expect(parseVersion(bad)).toBeNull();
    expect(parseVersion('9223372036854775807')).not.toBeNull();
  });
});

describe('every version a constraint allows, against 1.10.0', () => {
  const cases: Array<[string, boolean, boolean]> = [
    // [constraint, every allowed >= 1.10.0, every allowed < 1.10.0]
    ['>= 1.10.0', true, false],
    ['>= 1.10', true, false],
    ['= 1.10.0', true, false],
    ['1.10.3', true, false],
    ['> 1.10.0', true, false],
    ['~> 1.10', true, false],
    ['~> 1.10.0', true, false],
    ['~> 1.11.2', true, false],
    ['>= 1.10, != 1.10.1, < 2.0', true, false],
    ['>= 1.6, >= 1.10', true, false],
    ['>= 1.6', false, false],
    ['~> 1.9', false, false],
    ['~> 1', false, false],
    ['> 1.9.99', false, false],
    ['!= 1.9.0', false, false],
    ['>= 1.10.0-beta1', false, false],
    ['~> 1.10.0-beta1', false, true],
    // Compare ignores the pre-release between different segment counts: 1.10.0.0 "equals" 1.10.0-rc1.
    ['= 1.10.0-rc1', false, false],
    ['~> 1.9.0', false, true],
    ['< 1.10.0', false, true],
    ['<= 1.9.5', false, true],
    ['= 1.8.5', false, true],
    // No pre-release satisfies both, and no release of either segments is below 1.10.0.
    ['>= 1.9.0-beta1, >= 1.10.0-beta1', true, false],
  ];
  it.each(cases)('%s: at least %s, below %s', (constraint, atLeast, below) => {
    expect(everyAllowedAtLeast(constraints(constraint), FLOOR)).toBe(atLeast);
    expect(everyAllowedBelow(constraints(constraint), FLOOR)).toBe(below);
  });

  it('a constraint nothing satisfies allows only vacuously', () => {
    const none = constraints('>= 1.11, < 1.10');
    expect(findAllowedVersion(none, () => true, [])).toBeNull();
  });

  it('names the witness it found', () => {
    const witness = findAllowedVersion(constraints('> 1.9.99, < 1.10'), (v) => compareVersions(v, FLOOR) < 0, [FLOOR]);
    expect(witness && constraintsAllow(constraints('> 1.9.99, < 1.10'), witness)).toBe(true);
    expect(witness && compareVersions(witness, FLOOR)).toBe(-1);
  });

  it('takes the lowest lower bound from =, >, >= and ~>, never from != or upper bounds', () => {
    expect(lowestAllowedBound(constraints('>= 1.6, ~> 1.10.2, != 1.20, < 2'))?.text).toBe('1.10.2');
    expect(lowestAllowedBound(constraints('< 2, != 1.0'))).toBeNull();
    expect(lowestAllowedBound(constraints('v1.9'))?.text).toBe('1.9');
  });
});

// ---- Differential test against HashiCorp's go-version ------------------------------------------

const GO_VERSION_SOURCE = '/usr/share/gocode/src/github.com/hashicorp/go-version/constraint.go';
const haveOracle = existsSync(GO_VERSION_SOURCE) && spawnSync('go', ['version']).status === 0;

interface OracleAnswer {
  gridCompare: number[];
  compareMatrix: number[][];
  versions: Array<{ valid: boolean; string: string }>;
  cases: Array<{ valid: boolean; allows: boolean[]; witnessAllowed: boolean[]; witnessCompare: number[] }>;
}

const GENERATED_CASES = 400;

(haveOracle ? describe : describe.skip)('differential: the port answers as go-version does (needs golang-github-hashicorp-go-version-dev)', () => {
  let oracle: string;
  beforeAll(() => {
    oracle = execFileSync(join(supportDir, 'build-provider.sh'), ['version-check'], { encoding: 'utf8' }).trim();
  });

  it(`agrees on ${GENERATED_CASES} generated constraints and the hand-picked quirks (seed 20250611)`, () => {
    const random = seededRandom(20250611);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];

    const grid: string[] = [];
    for (const major of [0, 1, 2]) {
      for (const minor of [0, 1, 9, 10, 11, 12]) {
        for (const patch of [0, 1, 2, 3]) {
          for (const tail of ['', '.0', '.1']) {
            for (const pre of ['', '-0', '-a', '-alpha', '-alpha.1', '-beta1', '-beta1.1', '-beta2', '-rc1', '-rc.1']) {
              grid.push(`${major}.${minor}.${patch}${tail}${pre}`);
            }
          }
        }
      }
    }
    const gridVersions = grid.map(version);

    const generatedVersion = (): string => {
      const segments = [pick([0, 1, 2]), pick([0, 1, 9, 10, 11]), pick([0, 1, 2])].slice(0, 1 + Math.floor(random() * 3));
      let text = segments.join('.');
      if (random() < 0.2) text += `-${pick(['alpha', 'beta1', 'beta2', 'rc1', 'rc.1'])}`;
      if (random() < 0.05) text = `v${text}`;
      return text;
    };
    const generatedConstraint = (): string => {
      if (random() < 0.04) return pick(['>= 1.x', '=> 1.0', '1.0 ||', '', '~>', '>= 1.0,', '>=1.0 <2.0', '1.0.0.', '> 99999999999999999999']);
      const parts: string[] = [];
      const count = 1 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) {
        const operator = pick(['', '=', '!=', '>', '<', '>=', '<=', '~>', '>=', '~>', '~>', '>', '<']);
        parts.push(`${pick(['', ' '])}${operator}${pick(['', ' ', '  '])}${generatedVersion()}`);
      }
      return parts.join(pick([',', ', ', ' , ']));
    };
    const quirks = [
      '>= 1.9.0-beta1, >= 1.10.0-beta1',
      '= 1.10.0-beta1',
      '= 1.10.0.0-beta',
      '~> 1.9.0.1',
      '~> 1.10.0.0',
      '> 1.9.2, < 1.9.3',
      '> 1.9.2, < 1.9.2.1',
      '!= 1.10.0, >= 1.10.0, <= 1.10.0',
      '>= 1.10.0-alpha, < 1.10.0-beta1',
      '> 1.10.0-rc1, < 1.10.0',
      '> 1.9.0-beta1, < 1.9.0-beta2',
      '>= 1.9.0-rc1, != 1.9.0-rc1, < 1.9.0-rc2',
      '~> 1.10.0-rc.1',
      '>= 1.11, < 1.10',
      '~> 0.0',
      '< 0.0.1',
      '!= 0.0.0, < 0.0.1',
    ];
    const texts = [...quirks, ...Array.from({ length: GENERATED_CASES }, generatedConstraint)];

    const ours = texts.map((text) => {
      const parsed = parseConstraints(text);
      if (!parsed) return { text, parsed, below: null, atLeast: null };
      const below = findAllowedVersion(parsed, (v) => compareVersions(v, FLOOR) < 0, [FLOOR]);
      const atLeast = findAllowedVersion(parsed, (v) => compareVersions(v, FLOOR) >= 0, [FLOOR]);
      return { text, parsed, below, atLeast };
    });
    const compareSample = grid.filter((_, index) => index % 7 === 0);
    const oddVersions = ['v1.2', '1.2.3beta', '1.2.3-beta.1+meta', '1.2.3.4', '01.002', '1.2.3-', '1..2', '9223372036854775808', '1.2.3-~x', '1.0-', '1-1', 'v', '1.2.3--1'];
    const request = {
      floor: '1.10.0',
      grid,
      compareSample,
      versions: oddVersions,
      cases: ours.map(({ text, below, atLeast }) => ({
        constraint: text,
        witnesses: [below, atLeast].filter((w): w is GoVersion => w !== null).map(formatVersion),
      })),
    };
    const answer = JSON.parse(execFileSync(oracle, [], { input: JSON.stringify(request), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })) as OracleAnswer;

    const mismatches: string[] = [];
    answer.gridCompare.forEach((expected, index) => {
      if (compareVersions(gridVersions[index], FLOOR) !== expected) mismatches.push(`Compare(${grid[index]}, 1.10.0) != ${expected}`);
    });
    const sampleVersions = compareSample.map(version);
    answer.compareMatrix.forEach((row, i) =>
      row.forEach((expected, j) => {
        if (compareVersions(sampleVersions[i], sampleVersions[j]) !== expected) mismatches.push(`Compare(${compareSample[i]}, ${compareSample[j]}) != ${expected}`);
      }),
    );
    answer.versions.forEach((expected, index) => {
      const parsed = parseVersion(oddVersions[index]);
      if ((parsed !== null) !== expected.valid || (parsed && formatVersion(parsed) !== expected.string)) {
        mismatches.push(`NewVersion(${JSON.stringify(oddVersions[index])}) = ${JSON.stringify(expected)}`);
      }
    });

    let provedAtLeast = 0;
    let provedBelow = 0;
    answer.cases.forEach((expected, index) => {
      const { text, parsed, below, atLeast } = ours[index];
      if ((parsed !== null) !== expected.valid) {
        mismatches.push(`NewConstraint(${JSON.stringify(text)}) valid=${expected.valid}`);
        return;
      }
      if (!parsed) return;
      expected.allows.forEach((allowed, g) => {
        if (constraintsAllow(parsed, gridVersions[g]) !== allowed) mismatches.push(`${JSON.stringify(text)} allows ${grid[g]}: go-version says ${allowed}`);
      });
      // A version we found must be one go-version allows, on the side we said.
      let witness = 0;
      if (below) {
        if (!expected.witnessAllowed[witness] || expected.witnessCompare[witness] !== -1) mismatches.push(`${JSON.stringify(text)}: witness below ${formatVersion(below)} rejected`);
        witness++;
      } else {
        provedAtLeast++;
        const counter = grid.find((_, g) => expected.allows[g] && answer.gridCompare[g] < 0);
        if (counter) mismatches.push(`${JSON.stringify(text)}: said every allowed >= 1.10.0, go-version allows ${counter}`);
      }
      if (atLeast) {
        if (!expected.witnessAllowed[witness] || expected.witnessCompare[witness] < 0) mismatches.push(`${JSON.stringify(text)}: witness at least ${formatVersion(atLeast)} rejected`);
      } else {
        provedBelow++;
        const counter = grid.find((_, g) => expected.allows[g] && answer.gridCompare[g] >= 0);
        if (counter) mismatches.push(`${JSON.stringify(text)}: said every allowed < 1.10.0, go-version allows ${counter}`);
      }
    });

    expect(mismatches.slice(0, 20)).toEqual([]);
    // The draw covers both answers on both sides, and invalid constraints.
    expect(provedAtLeast).toBeGreaterThan(20);
    expect(provedBelow).toBeGreaterThan(20);
    expect(answer.cases.filter((c) => !c.valid).length).toBeGreaterThan(3);
    expect(texts.length - answer.cases.filter((c) => !c.valid).length - provedAtLeast).toBeGreaterThan(20);
  });
});

// ---- Version-manager files ----------------------------------------------------------------

describe('version files (.opentofu-version / .terraform-version)', () => {
  it('reads the root file for every stack', async () => {
    const root = project({ '.opentofu-version': '1.9.1\n', 'stacks/a/main.tf': '', 'stacks/b/main.tf': '' });
    expect(await versionEvidence(inputsFor(root, ['stacks/a', 'stacks/b']))).toEqual({
      tool: 'tofu',
      version: '1.9.1',
      source: { kind: 'version-file', file: join(root, '.opentofu-version'), line: 1 },
      locksCache: false,
    });
  });

  it('1.10.0 and later lock; a pre-release of 1.10.0 does not', async () => {
    for (const [text, locks] of [['1.10.0', true], ['1.11.2', true], ['v1.10.1\r\n', true], ['  1.10.0  \n', true], ['1.10.0-beta1', false], ['1.9.9', false]] as const) {
      const root = project({ '.opentofu-version': text, 'a/main.tf': '' });
      const evidence = await versionEvidence(inputsFor(root, ['a']));
      expect([text, evidence.locksCache, evidence.source.kind]).toEqual([text, locks, 'version-file']);
    }
  });

  it('takes the nearest file of each stack, and the lowest version when stacks disagree', async () => {
    const root = project({ '.opentofu-version': '1.11.0', 'stacks/a/.opentofu-version': '1.10.2', 'stacks/a/main.tf': '', 'stacks/b/c/main.tf': '' });
    const evidence = await versionEvidence(inputsFor(root, ['stacks/a', 'stacks/b/c']));
    expect(evidence).toEqual({ tool: 'tofu', version: '1.10.2', source: { kind: 'version-file', file: join(root, 'stacks/a/.opentofu-version'), line: 1 }, locksCache: true });

    const older = project({ '.opentofu-version': '1.11.0', 'stacks/.opentofu-version': '1.8.0', 'stacks/a/main.tf': '', 'b/main.tf': '' });
    expect(await versionEvidence(inputsFor(older, ['stacks/a', 'b']))).toMatchObject({ version: '1.8.0', locksCache: false, source: { file: join(older, 'stacks/.opentofu-version') } });
  });

  it('skips files that name no version (latest, min-required, a comment first, empty)', async () => {
    for (const text of ['latest', 'latest:^1.10', 'latest-allowed', 'min-required', '# pinned\n1.10.0', '', '\n1.10.0', 'one.ten']) {
      const root = project({ '.opentofu-version': '1.9.0', 'a/.opentofu-version': text, 'a/main.tf': '' });
      const evidence = await versionEvidence(inputsFor(root, ['a']));
      expect([text, evidence.version, evidence.source]).toEqual([text, '1.9.0', { kind: 'version-file', file: join(root, '.opentofu-version'), line: 1 }]);
    }
  });

  it('reads the file of the tool: terraform never locks, whatever the version', async () => {
    const root = project({ '.opentofu-version': '1.10.0', '.terraform-version': '1.11.0', 'a/main.tf': '' });
    expect(await versionEvidence(inputsFor(root, ['a'], { tool: 'terraform' }))).toEqual({
      tool: 'terraform',
      version: '1.11.0',
      source: { kind: 'version-file', file: join(root, '.terraform-version'), line: 1 },
      locksCache: false,
    });
    const tofuOnly = project({ '.terraform-version': '1.11.0', 'a/main.tf': '' });
    expect((await versionEvidence(inputsFor(tofuOnly, ['a']))).source).toEqual({ kind: 'none' });
  });

  it('a file covering only some stacks does not decide on its own', async () => {
    const root = project({ 'a/.opentofu-version': '1.10.0', 'a/main.tf': '', 'b/main.tf': '' });
    expect(await versionEvidence(inputsFor(root, ['a', 'b']))).toEqual({
      tool: 'tofu',
      version: '1.10.0',
      source: { kind: 'version-file', file: join(root, 'a/.opentofu-version'), line: 1 },
      locksCache: null,
    });
    // ...so a later source that covers every stack decides.
    const decided = project({ 'a/.opentofu-version': '1.10.0', 'a/main.tf': '', 'b/main.tf': '', '.tool-versions': 'opentofu 1.9.0\n' });
    expect(await versionEvidence(inputsFor(decided, ['a', 'b']))).toMatchObject({ version: '1.9.0', locksCache: false, source: { kind: 'tool-versions' } });
    // A version below 1.10 in one stack decides at once: that stack's init does not lock.
    const low = project({ 'a/.opentofu-version': '1.9.0', 'a/main.tf': '', 'b/main.tf': '', '.tool-versions': 'opentofu 1.11.0\n' });
    expect(await versionEvidence(inputsFor(low, ['a', 'b']))).toMatchObject({ version: '1.9.0', locksCache: false, source: { kind: 'version-file' } });
  });

  it('looks no higher than the project root, and only in a stack outside it', async () => {
    const outer = project({ '.opentofu-version': '1.10.0', 'inner/a/main.tf': '', 'elsewhere/b/main.tf': '' });
    const root = join(outer, 'inner');
    expect((await versionEvidence(inputsFor(root, ['a']))).source).toEqual({ kind: 'none' });
    const outside = { ...inputsFor(root, []), stackDirs: [join(outer, 'elsewhere/b')] };
    expect((await versionEvidence(outside)).source).toEqual({ kind: 'none' });
  });

  it('with no stacks, reads the root', async () => {
    const root = project({ '.opentofu-version': '1.10.0' });
    expect(await versionEvidence(inputsFor(root, []))).toMatchObject({ version: '1.10.0', locksCache: true });
  });
});

describe('.tool-versions (asdf)', () => {
  it('reads the tool line past comments and blank lines, with its line number', async () => {
    const root = project({
      '.tool-versions': '# tools\n\nterraform 1.5.7\nnodejs 20.1.0   # node\nopentofu   1.10.1 1.9.0  # pinned\n',
      'a/main.tf': '',
    });
    expect(await versionEvidence(inputsFor(root, ['a']))).toEqual({
      tool: 'tofu',
      version: '1.10.1',
      source: { kind: 'tool-versions', file: join(root, '.tool-versions'), line: 5 },
      locksCache: true,
    });
    expect(await versionEvidence(inputsFor(root, ['a'], { tool: 'terraform' }))).toMatchObject({ version: '1.5.7', source: { line: 3 }, locksCache: false });
  });

  it('ignores lines that are not a version, and other tools', async () => {
    for (const text of ['opentofu latest\n', 'opentofu ref:main\n', 'opentofu system\n', 'opentofu\n', '# opentofu 1.10.0\n', 'tofu 1.10.0\n', 'opentofu-beta 1.10.0\n']) {
      const root = project({ '.tool-versions': text, 'a/main.tf': '' });
      expect([text, (await versionEvidence(inputsFor(root, ['a']))).source]).toEqual([text, { kind: 'none' }]);
    }
  });

  it('takes the nearest file per stack', async () => {
    const root = project({ '.tool-versions': 'opentofu 1.10.0\n', 'a/.tool-versions': 'nodejs 20\nopentofu 1.11.0\n', 'a/main.tf': '' });
    expect(await versionEvidence(inputsFor(root, ['a']))).toMatchObject({ version: '1.11.0', source: { file: join(root, 'a/.tool-versions'), line: 2 } });
  });
});

describe('mise.toml', () => {
  const cases: Array<[string, string, { value: string; line: number } | null]> = [
    ['plain', '[tools]\nopentofu = "1.10.0"\n', { value: '1.10.0', line: 2 }],
    ['quoted key, literal string', "[tools]\n\"opentofu\" = '1.9.0'\n", { value: '1.9.0', line: 2 }],
    ['spaced header, comment', '# mise\n[ tools ]  # tools\nnode = "20"  # x\nopentofu = "1.10.2" # pinned\n', { value: '1.10.2', line: 4 }],
    ['array: the first', '[tools]\nopentofu = ["1.10.1", "1.9.0"]\n', { value: '1.10.1', line: 2 }],
    ['multi-line array', '[tools]\nopentofu = [\n  "1.9.3", # old\n  "1.10.0",\n]\n', { value: '1.9.3', line: 2 }],
    ['inline table', '[tools]\nopentofu = { version = "1.10.0", os = ["linux"] }\n', { value: '1.10.0', line: 2 }],
    ['sub-table', '[tools.opentofu]\nversion = "1.10.3"\n', { value: '1.10.3', line: 2 }],
    ['dotted key at top level', 'tools.opentofu = "1.10.4"\n', { value: '1.10.4', line: 1 }],
    ['backend-qualified key', '[tools]\n"aqua:opentofu/opentofu" = "1.10.5"\n', { value: '1.10.5', line: 2 }],
    ['other tables do not count', '[env]\nopentofu = "1.0.0"\n[tools]\nterraform = "1.5.0"\n', null],
    ['a multi-line string hides its content', '[tools]\nnote = """\nopentofu = "1.0.0"\n"""\nopentofu = "1.10.6"\n', { value: '1.10.6', line: 5 }],
    ['a # inside a string is not a comment', '[tools]\nopentofu = "1.10.7" # "x"\n', { value: '1.10.7', line: 2 }],
    ['array of tables', '[[tools]]\nopentofu = "1.0.0"\n', null],
    ['not TOML', '[tools\nopentofu == 1\n', null],
  ];
  it.each(cases)('%s', (_, text, expected) => {
    expect(miseToolVersion(text, 'tofu')).toEqual(expected);
  });

  it('is read after .tool-versions, from mise.toml then .mise.toml, skipping what is not a version', async () => {
    const root = project({ '.mise.toml': '[tools]\nopentofu = "1.9.0"\n', 'a/main.tf': '' });
    expect(await versionEvidence(inputsFor(root, ['a']))).toEqual({
      tool: 'tofu',
      version: '1.9.0',
      source: { kind: 'mise', file: join(root, '.mise.toml'), line: 2 },
      locksCache: false,
    });
    const both = project({ 'mise.toml': '[tools]\nopentofu = "latest"\n', '.mise.toml': '[tools]\nopentofu = "1.10.0"\n', 'a/main.tf': '' });
    expect(await versionEvidence(inputsFor(both, ['a']))).toMatchObject({ version: '1.10.0', source: { file: join(both, '.mise.toml') }, locksCache: true });
    const fuzzy = project({ 'mise.toml': '[tools]\nopentofu = "prefix:1.10"\nterraform = "1.7"\n', 'a/main.tf': '' });
    expect((await versionEvidence(inputsFor(fuzzy, ['a']))).source).toEqual({ kind: 'none' });
    expect(await versionEvidence(inputsFor(fuzzy, ['a'], { tool: 'terraform' }))).toMatchObject({ version: '1.7', locksCache: false });
  });
});

describe('parsePinnedVersion', () => {
  it('takes versions, not requests', () => {
    expect(parsePinnedVersion('v1.10.0')?.text).toBe('1.10.0');
    expect(parsePinnedVersion(' 1.10 ')?.text).toBe('1.10');
    for (const request of ['latest', 'system', 'ref:v1.10.0', 'path:/opt/tofu', 'sub-1:latest', '', 'v']) expect(parsePinnedVersion(request)).toBeNull();
  });
});

// ---- required_version ---------------------------------------------------------------------

const tf = (constraint: string): string => `terraform {\n  required_version = "${constraint}"\n}\n`;

describe('required_version in the stacks', () => {
  it('every stack allowing only >= 1.10.0 locks; the lowest lower bound is the version', async () => {
    const root = project({ 'a/main.tf': tf('>= 1.11.0'), 'b/versions.tf': `# versions\n\n${tf('~> 1.10')}` });
    expect(await versionEvidence(inputsFor(root, ['a', 'b']))).toEqual({
      tool: 'tofu',
      version: '1.10',
      source: { kind: 'required-version', file: join(root, 'b/versions.tf'), line: 4, constraint: '~> 1.10' },
      locksCache: true,
    });
  });

  it('constraints that allow older versions do not decide; ones that allow only older versions say false', async () => {
    const open = project({ 'a/main.tf': tf('>= 1.10'), 'b/main.tf': tf('>= 1.6, < 2.0') });
    expect(await versionEvidence(inputsFor(open, ['a', 'b']))).toEqual({
      tool: 'tofu',
      version: '1.6',
      source: { kind: 'required-version', file: join(open, 'b/main.tf'), line: 2, constraint: '>= 1.6, < 2.0' },
      locksCache: null,
    });
    const old = project({ 'a/main.tf': tf('>= 1.10'), 'b/main.tf': tf('~> 1.9.0') });
    expect(await versionEvidence(inputsFor(old, ['a', 'b']))).toMatchObject({ version: '1.9.0', locksCache: false, source: { constraint: '~> 1.9.0' } });
    const upper = project({ 'a/main.tf': tf('< 1.10') });
    expect(await versionEvidence(inputsFor(upper, ['a']))).toMatchObject({ version: null, locksCache: false, source: { constraint: '< 1.10' } });
  });

  it.each([
    ['>= 1.10.0-beta1', null],
    ['> 1.9.99', null],
    ['~> 1.9', null],
    ['!= 1.9.0', null],
    ['>= 1.10, != 1.10.1, < 2.0', true],
    ['1.10.2', true],
  ] as const)('%s → locksCache %s', async (constraint, locks) => {
    const root = project({ 'a/main.tf': tf(constraint) });
    expect((await versionEvidence(inputsFor(root, ['a']))).locksCache).toBe(locks);
  });

  it('a stack without a constraint leaves it undecided', async () => {
    const root = project({ 'a/main.tf': tf('>= 1.10'), 'b/main.tf': 'resource "x" "y" {}\n' });
    expect(await versionEvidence(inputsFor(root, ['a', 'b']))).toMatchObject({ version: '1.10', locksCache: null, source: { kind: 'required-version' } });
  });

  it('all constraints of a module hold at once; an override file replaces them', async () => {
    const both = project({ 'a/main.tf': tf('>= 1.6'), 'a/versions.tf': `terraform {\n  required_providers {}\n}\n${tf('>= 1.10.1')}` });
    expect(await versionEvidence(inputsFor(both, ['a']))).toEqual({
      tool: 'tofu',
      version: '1.10.1',
      source: { kind: 'required-version', file: join(both, 'a/versions.tf'), line: 5, constraint: '>= 1.10.1' },
      locksCache: true,
    });
    const overridden = project({ 'a/main.tf': tf('>= 1.10'), 'a/main_override.tf': tf('>= 1.6') });
    expect(await versionEvidence(inputsFor(overridden, ['a']))).toMatchObject({ version: '1.6', locksCache: null, source: { file: join(overridden, 'a/main_override.tf') } });
  });

  it('OpenTofu reads .tofu files, which hide the .tf file of the same name; Terraform does not', async () => {
    const root = project({ 'a/main.tf': tf('>= 1.6'), 'a/main.tofu': tf('>= 1.10') });
    expect(await versionEvidence(inputsFor(root, ['a']))).toMatchObject({ version: '1.10', locksCache: true, source: { file: join(root, 'a/main.tofu') } });
    expect(await versionEvidence(inputsFor(root, ['a'], { tool: 'terraform' }))).toMatchObject({ version: '1.6', locksCache: false, source: { file: join(root, 'a/main.tf') } });
  });

  it('reads .tf.json', async () => {
    const root = project({ 'a/main.tf.json': '{\n  "terraform": {\n    "required_version": ">= 1.10.0"\n  }\n}\n' });
    expect(await versionEvidence(inputsFor(root, ['a']))).toEqual({
      tool: 'tofu',
      version: '1.10.0',
      source: { kind: 'required-version', file: join(root, 'a/main.tf.json'), line: 3, constraint: '>= 1.10.0' },
      locksCache: true,
    });
  });

  it('a constraint or file that does not parse is no evidence', async () => {
    for (const text of [tf('1.10 or later'), 'terraform {\n  required_version = var.v\n}\n', 'terraform {\n  required_version = \n']) {
      const root = project({ 'a/main.tf': text });
      expect([text, (await versionEvidence(inputsFor(root, ['a']))).source]).toEqual([text, { kind: 'none' }]);
    }
    const broken = project({ 'a/main.tf': tf('>= 1.10'), 'a/other.tf': 'resource {{{\n' });
    expect((await versionEvidence(inputsFor(broken, ['a']))).source).toEqual({ kind: 'none' });
  });

  it('for terraform, any constraint says false', async () => {
    const root = project({ 'a/main.tf': tf('>= 1.10') });
    expect(await versionEvidence(inputsFor(root, ['a'], { tool: 'terraform' }))).toMatchObject({ tool: 'terraform', version: '1.10', locksCache: false });
  });
});

// ---- The binary, and the order of the sources -------------------------------------------------

const versionJson = (v: string): string => `echo '{"terraform_version":"${v}","platform":"linux_amd64","provider_selections":{},"terraform_outdated":false}'`;

describe('the binary on PATH', () => {
  it('runs `<tool> version -json` with nothing but PATH and a private HOME/TMPDIR, and removes them', async () => {
    const report = join(workDir, `env${++counter}`);
    const bin = fakeTool('tofu', `tr '\\0' '\\n' < /proc/$$/environ > ${report}.env\npwd > ${report}.cwd\necho "$@" > ${report}.args\n${versionJson('1.10.2')}`);
    const root = project({ 'a/main.tf': '' });
    const path = `${bin}:${SYSTEM_PATH}`;
    const evidence = await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH: path, HOME: '/root', SECRET: 'x' } }));
    expect(evidence).toEqual({ tool: 'tofu', version: '1.10.2', source: { kind: 'binary', command: `${join(bin, 'tofu')} version -json` }, locksCache: true });
    const environment = readFileSync(`${report}.env`, 'utf8').trim().split('\n').sort();
    const home = readFileSync(`${report}.cwd`, 'utf8').trim();
    expect(dirname(home)).toBe(tempRoot);
    // Besides PATH and its private HOME/TMPDIR, only the run's marker, by which supervision finds descendants.
    expect(environment.filter((entry) => !entry.startsWith('TM_DOCTOR_RUN='))).toEqual([`HOME=${home}`, `PATH=${path}`, `TMPDIR=${home}`]);
    expect(environment.filter((entry) => entry.startsWith('TM_DOCTOR_RUN='))).toHaveLength(1);
    expect(readFileSync(`${report}.args`, 'utf8').trim()).toBe('version -json');
    expect(existsSync(home)).toBe(false);
  });

  it('reads an older tofu as not locking, and terraform as never locking', async () => {
    const root = project({ 'a/main.tf': '' });
    const old = fakeTool('tofu', versionJson('1.9.0'));
    expect(await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH: `${old}:${SYSTEM_PATH}` } }))).toMatchObject({ version: '1.9.0', locksCache: false });
    const terraform = fakeTool('terraform', versionJson('1.12.0'));
    expect(await versionEvidence(inputsFor(root, ['a'], { tool: 'terraform', exec: true, env: { PATH: `${terraform}:${SYSTEM_PATH}` } }))).toMatchObject({
      tool: 'terraform',
      version: '1.12.0',
      source: { kind: 'binary' },
      locksCache: false,
    });
  });

  it.each([
    ['garbage', 'echo "OpenTofu v1.10.0"'],
    ['JSON without the version', `echo '{"platform":"linux_amd64"}'`],
    ['a version that is none', `echo '{"terraform_version":"latest"}'`],
    ['JSON that is not an object', `echo '"1.10.0"'`],
    ['a failing exit', `${versionJson('1.10.0')}\nexit 1`],
    ['death by signal', `${versionJson('1.10.0')}\nkill -9 $$`],
    ['too much output', 'yes 1.10.0 | head -c 3000000'],
  ])('%s is no evidence', async (_, body) => {
    const root = project({ 'a/main.tf': '' });
    const bin = fakeTool('tofu', body);
    expect(await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH: `${bin}:${SYSTEM_PATH}` } }))).toEqual({
      tool: 'tofu',
      version: null,
      source: { kind: 'none' },
      locksCache: null,
    });
  });

  it('one that hangs is killed by the timeout, with its children, and reaped', async () => {
    const root = project({ 'a/main.tf': '' });
    const bin = fakeTool('tofu', 'sleep 60 &\nsleep 60');
    const evidence = await versionEvidence(inputsFor(root, ['a'], { exec: true, timeoutMs: 300, env: { PATH: `${bin}:${SYSTEM_PATH}` } }));
    expect(evidence.source).toEqual({ kind: 'none' });
    // afterEach: no process from it remains (by its environment), no zombie, no temp dir.
    expect(processesStartedUnder(tempRoot)).toEqual([]);
    const sleeping = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.includes(bin));
    expect(sleeping).toEqual([]);
  });

  it('is not found when not on PATH, or only in an empty or relative PATH entry', async () => {
    const root = project({ 'a/main.tf': '' });
    const marker = join(workDir, `ran${++counter}`);
    const bin = fakeTool('tofu', `touch ${marker}\n${versionJson('1.10.0')}`);
    for (const PATH of [SYSTEM_PATH, '', `:${SYSTEM_PATH}`, `bin${counter}:${SYSTEM_PATH}`, undefined]) {
      const evidence = await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH } }));
      expect(evidence.source).toEqual({ kind: 'none' });
    }
    expect(existsSync(marker)).toBe(false);
    // A relative entry would resolve against the working directory: not even from there.
    const cwd = process.cwd();
    try {
      process.chdir(workDir);
      expect((await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH: `${bin.slice(workDir.length + 1)}` } }))).source).toEqual({ kind: 'none' });
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(marker)).toBe(false);
  });

  it('under --no-exec (exec: false) is never run', async () => {
    const root = project({ 'a/main.tf': '' });
    const marker = join(workDir, `ran${++counter}`);
    const bin = fakeTool('tofu', `touch ${marker}\n${versionJson('1.10.0')}`);
    const env = { PATH: `${bin}:${SYSTEM_PATH}` };
    expect((await versionEvidence(inputsFor(root, ['a'], { exec: false, env }))).source).toEqual({ kind: 'none' });
    expect(existsSync(marker)).toBe(false);
    // The same script does run when allowed to.
    expect(await versionEvidence(inputsFor(root, ['a'], { exec: true, env }))).toMatchObject({ source: { kind: 'binary' }, locksCache: true });
    expect(existsSync(marker)).toBe(true);
  });
});

describe('order of the sources', () => {
  it('version file, then .tool-versions, then mise, then required_version, then the binary', async () => {
    const marker = join(workDir, `ran${++counter}`);
    const bin = fakeTool('tofu', `touch ${marker}\n${versionJson('1.10.5')}`);
    const files: Record<string, string> = {
      '.opentofu-version': '1.10.1',
      '.tool-versions': 'opentofu 1.10.2\n',
      'mise.toml': '[tools]\nopentofu = "1.10.3"\n',
      'a/main.tf': tf('>= 1.10.4'),
    };
    const expected = ['1.10.1', '1.10.2', '1.10.3', '1.10.4', '1.10.5'];
    const kinds = ['version-file', 'tool-versions', 'mise', 'required-version', 'binary'];
    const removable = ['.opentofu-version', '.tool-versions', 'mise.toml', 'a/main.tf'];
    for (let step = 0; step < expected.length; step++) {
      const tree = Object.fromEntries(Object.entries(files).filter(([name]) => !removable.slice(0, step).includes(name)));
      const root = project(tree);
      mkdirSync(join(root, 'a'), { recursive: true });
      const evidence = await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH: `${bin}:${SYSTEM_PATH}` } }));
      expect([evidence.version, evidence.source.kind, evidence.locksCache]).toEqual([expected[step], kinds[step], true]);
      // The binary runs only when nothing before it decided.
      expect(existsSync(marker)).toBe(step === expected.length - 1);
    }
  });

  it('an undecided source gives way to the binary, and is returned when the binary says nothing', async () => {
    const root = project({ 'a/main.tf': tf('>= 1.6') });
    const good = fakeTool('tofu', versionJson('1.11.0'));
    expect(await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH: `${good}:${SYSTEM_PATH}` } }))).toMatchObject({ version: '1.11.0', source: { kind: 'binary' }, locksCache: true });
    const bad = fakeTool('tofu', 'exit 3');
    expect(await versionEvidence(inputsFor(root, ['a'], { exec: true, env: { PATH: `${bad}:${SYSTEM_PATH}` } }))).toMatchObject({ version: '1.6', source: { kind: 'required-version' }, locksCache: null });
  });

  it('for terraform, the first source that names a version wins (the binary is not run)', async () => {
    const marker = join(workDir, `ran${++counter}`);
    const bin = fakeTool('terraform', `touch ${marker}\n${versionJson('1.12.0')}`);
    const root = project({ '.tool-versions': 'terraform 1.5.7\n', 'a/main.tf': tf('>= 1.3') });
    expect(await versionEvidence(inputsFor(root, ['a'], { tool: 'terraform', exec: true, env: { PATH: `${bin}:${SYSTEM_PATH}` } }))).toMatchObject({ version: '1.5.7', source: { kind: 'tool-versions' }, locksCache: false });
    expect(existsSync(marker)).toBe(false);
  });

  it('no evidence: unknown for tofu, false for terraform', async () => {
    const root = project({ 'a/main.tf': '' });
    expect(await versionEvidence(inputsFor(root, ['a']))).toEqual({ tool: 'tofu', version: null, source: { kind: 'none' }, locksCache: null });
    expect(await versionEvidence(inputsFor(root, ['a'], { tool: 'terraform' }))).toEqual({ tool: 'terraform', version: null, source: { kind: 'none' }, locksCache: false });
  });
});
