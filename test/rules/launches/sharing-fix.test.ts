// The no-sharing-on-init fix in Makefiles, with GNU make itself as the judge of what init and
// plan run before and after: the example, the pattern the general fix relies on, the
// recipe prefixes, $(MAKE) lines and a line shared by init and plan.

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runDoctor } from '../../../src/engine/doctor.js';
import { evaluateMakefile } from '../../../src/parsers/make/index.js';
import { tempDir, writeTree } from '../../support/project.js';

const lines = (...text: string[]) => `${text.join('\n')}\n`;
const FLAG = /--enable-sharing|--mock-on-fail/;

function project(makefile: string): string {
  const dir = tempDir();
  writeTree(dir, { 'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9"\n}\n', 'stacks/a/stack.tm.hcl': 'stack {}\n', Makefile: makefile });
  return dir;
}

/** `make -n` as a user runs it; a `+` line runs even then, so a terramate that does nothing stands in. */
function makeN(dir: string, ...goals: string[]): string {
  const bin = join(dir, '.bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'terramate'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(bin, 'terramate'), 0o755);
  const result = spawnSync('make', ['-n', '-f', 'Makefile', ...goals], { cwd: dir, encoding: 'utf8', env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
  if (result.status !== 0) throw new Error(`make -n ${goals.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** The words the shell gets (a backslash-newline is a blank). */
const words = (output: string) => output.replace(/\\\n/g, ' ').split(/\s+/).filter((word) => word !== '');

async function fix(dir: string) {
  return runDoctor(
    { dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tempDir() }, only: ['no-sharing-on-init'], options: { noExec: true, handshakeTimeoutMs: 1000, noCache: true } },
    { fix: true },
  );
}

/** Fixes `makefile` and checks GNU make's view: init loses exactly the flags, plan prints the same bytes. */
async function fixedByMake(makefile: string, init = 'init', plan = 'plan'): Promise<{ dir: string; initAfter: string; fixed: string }> {
  const dir = project(makefile);
  const initBefore = makeN(dir, init);
  const planBefore = makeN(dir, plan);
  expect(initBefore).toMatch(FLAG);
  const outcome = await fix(dir);
  expect(outcome.findings.map((finding) => [finding.messageId, finding.fixed])).toEqual([[outcome.findings[0]?.messageId, true]]);
  const initAfter = makeN(dir, init);
  expect(initAfter).not.toMatch(FLAG);
  expect(words(initAfter)).toEqual(words(initBefore).filter((word) => !/^--(enable-sharing|mock-on-fail)(=.*)?$/.test(word)));
  expect(makeN(dir, plan)).toBe(planBefore);
  // A second --fix finds nothing to do and changes no byte.
  const fixed = readFileSync(join(dir, 'Makefile'), 'utf8');
  const again = await fix(dir);
  expect(again.findings).toEqual([]);
  expect(readFileSync(join(dir, 'Makefile'), 'utf8')).toBe(fixed);
  return { dir, initAfter, fixed };
}

describe('the Makefile fix, GNU make as the judge', () => {
  it("the issue's example: init runs `terramate run --parallel 3 -- terraform init` on its continued line, plan as before", async () => {
    const makefile = lines(
      'SHARE = --enable-sharing',
      'OPTS = $(SHARE) --parallel 3',
      'OPTS += --mock-on-fail',
      'init: TMFLAGS = $(OPTS)',
      'init:',
      '\t@terramate run $(TMFLAGS) \\',
      '\t  -- terraform init',
      'plan:',
      '\tterramate run $(OPTS) -- terraform plan',
    );
    const { initAfter } = await fixedByMake(makefile);
    expect(initAfter).toBe('terramate run --parallel 3 \\\n  -- terraform init\n');
    expect(words(initAfter)).toEqual(['terramate', 'run', '--parallel', '3', '--', 'terraform', 'init']);
  });

  it('recipe prefixes, a $(MAKE) line and --flag=value forms', async () => {
    const makefile = lines(
      'TM_OPTS = --changed --enable-sharing=true',
      'TM_OPTS += $(if $(CI),--mock-on-fail=1)',
      'noop:',
      '\t@:',
      'init:',
      '\t+$(MAKE) -s --no-print-directory -f Makefile noop',
      '\t@-terramate run $(TM_OPTS) --mock-on-fail \\',
      '\t  --parallel 2 -- terraform init -upgrade',
      'plan:',
      '\t-terramate run $(TM_OPTS) -- terraform plan',
    );
    const { fixed } = await fixedByMake(makefile);
    expect(fixed).toContain('\t@-terramate run $(filter-out --enable-sharing% --mock-on-fail%,$(TM_OPTS)) \\\n\t  --parallel 2 -- terraform init -upgrade\n');
  });

  it('a line init shares with plan: the wrap applies to init alone', async () => {
    const makefile = lines('TM_OPTS := --changed --enable-sharing', 'init plan:', '\tterramate run $(TM_OPTS) --mock-on-fail -- terraform $@');
    const { fixed } = await fixedByMake(makefile);
    expect(fixed).toBe(
      lines(
        'TM_OPTS := --changed --enable-sharing',
        'init plan:',
        '\tterramate run $(if $(filter init,$@),$(filter-out --enable-sharing% --mock-on-fail%,$(TM_OPTS)),$(TM_OPTS)) $(if $(filter init,$@),,--mock-on-fail) -- terraform $@',
      ),
    );
  });

  it("the seed author's split where it fits: init reads the variable of the other options", async () => {
    const makefile = lines(
      'TM_COMMON := --changed --parallel 4',
      'TM_OPTS := --enable-sharing --mock-on-fail $(TM_COMMON)',
      'init:',
      '\tterramate run $(TM_OPTS) -- terraform init',
      'plan:',
      '\tterramate run $(TM_OPTS) -- terraform plan',
    );
    const { fixed } = await fixedByMake(makefile);
    expect(fixed).toContain('\tterramate run $(TM_COMMON) -- terraform init\n');
  });
});

describe('the pattern the general fix relies on', () => {
  // GNU make: `%` in a filter-out pattern matches any run of characters, so `--enable-sharing%`
  // also takes `--enable-sharing=true` and `=false`; the evaluator must agree.
  const text = lines('WORDS := a --enable-sharing --enable-sharing=true --enable-sharing=false --mock-on-fail=1 --mock-on-fail b --changed', 'all:', '\techo $(filter-out --enable-sharing% --mock-on-fail%,$(WORDS))');

  it('GNU make keeps every other word, in order', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'Makefile'), text);
    expect(makeN(dir, 'all')).toBe('echo a b --changed\n');
  });

  it('the evaluator reads it as GNU make does', () => {
    const db = evaluateMakefile('/virtual/Makefile', (file) => (file === '/virtual/Makefile' ? text : undefined));
    expect(db.recipes.map((line) => line.variants.map((variant) => variant.text))).toEqual([['echo a b --changed']]);
  });
});
