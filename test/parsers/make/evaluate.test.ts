// Hand cases: unknown values, provenance, includes, diagnostics, robustness.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { containsUnknown, describeUnknown, evaluateMakefile, type MakeDatabase, type RecipeLine } from '../../../src/parsers/make/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const SEED = path.join(here, 'fixtures', 'seed.mk');
const seedText = readFileSync(SEED, 'utf8');

function evaluate(files: Record<string, string>, entry = '/p/Makefile', variables?: Record<string, string>, maxVariants?: number): MakeDatabase {
  return evaluateMakefile(entry, (file) => files[file], { variables, maxVariants });
}

function recipesOf(database: MakeDatabase, target: string): RecipeLine[] {
  return database.recipes.filter((recipe) => recipe.targets.includes(target));
}

function texts(recipe: RecipeLine): string[] {
  return recipe.variants.map((variant) => describeUnknown(variant.text)).sort();
}

describe('the seed Makefile (unknown goals and PNUM)', () => {
  const database = evaluateMakefile(SEED, (file) => (file === SEED ? seedText : undefined));
  const [init] = recipesOf(database, 'init');

  it('gives every combination of the unknown conditions for init', () => {
    const prefix = 'terramate run --tags=<?firstword> --enable-sharing --mock-on-fail';
    const suffix = '-- terraform init <?INIT_OPTS>';
    expect(texts(init)).toEqual(
      [
        `${prefix} -j <?PNUM> --changed ${suffix}`,
        `${prefix} -j <?PNUM>  ${suffix}`,
        `${prefix} --parallel --changed ${suffix}`,
        `${prefix} --parallel  ${suffix}`,
        `${prefix}  --changed ${suffix}`,
        `${prefix}   ${suffix}`,
      ].sort(),
    );
    expect(init.capped).toBe(false);
    expect(database.diagnostics).toEqual([]);
  });

  it('says the sharing flags come via $(TM_OPTS) defined at line 3, with exact offsets', () => {
    const variant = init.variants[0];
    const at = variant.text.indexOf('--enable-sharing --mock-on-fail');
    const span = variant.spans.find((s) => s.start <= at && s.end > at);
    const reference = '$(TM_OPTS)';
    const refStart = seedText.indexOf(reference, seedText.indexOf('init:'));
    expect(span?.via).toEqual([{ name: 'TM_OPTS', definedAt: { file: SEED, line: 3 }, refFile: SEED, refStart, refEnd: refStart + reference.length }]);
    expect(variant.text.slice(span?.start, span?.end).startsWith('--enable-sharing --mock-on-fail')).toBe(true);
    expect(seedText.slice(refStart, refStart + reference.length)).toBe(reference);
  });

  it('chains TM_OPTS > TM_COMMON for the parallelism flag', () => {
    const variant = init.variants.find((v) => v.text.includes('--parallel'));
    const at = variant?.text.indexOf('--parallel') ?? -1;
    const span = variant?.spans.find((s) => s.start <= at && s.end > at);
    expect(span?.via.map((link) => `${link.name}@${link.definedAt?.line}`)).toEqual(['TM_OPTS@3', 'TM_COMMON@1']);
    const inner = span?.via[1];
    expect(seedText.slice(inner?.refStart, inner?.refEnd)).toBe('$(TM_COMMON)');
  });

  it('records the definitions with the value offsets an autofix needs', () => {
    const definition = database.definitions.find((d) => d.name === 'TM_OPTS');
    expect(definition).toMatchObject({ op: ':=', flavor: 'simple', line: 3, value: '--enable-sharing --mock-on-fail $(TM_COMMON)' });
    expect(seedText.slice(definition?.valueStart, definition?.valueEnd)).toBe('--enable-sharing --mock-on-fail $(TM_COMMON)');
    const common = database.definitions.find((d) => d.name === 'TM_COMMON');
    expect(seedText.slice(common?.valueStart, common?.valueEnd)).toBe(
      '$(if $(filter P,$(MAKECMDGOALS)),$(if $(PNUM),-j $(PNUM),--parallel),) \\\n  $(if $(filter C,$(MAKECMDGOALS)),--changed,)',
    );
  });

  it('gives the recipe line position and raw text', () => {
    const raw = 'terramate run --tags=$(TAGS) $(TM_OPTS) -- terraform init $(INIT_OPTS)';
    expect(init).toMatchObject({ line: 11, endLine: 11, raw, start: seedText.indexOf(raw), end: seedText.indexOf(raw) + raw.length, conditional: false });
  });

  it('has one variant once the command line is known (make init dev P 5 PNUM=5)', () => {
    const known = evaluateMakefile(SEED, (file) => (file === SEED ? seedText : undefined), { variables: { MAKECMDGOALS: 'init dev P 5', PNUM: '5', INIT_OPTS: '' } });
    expect(recipesOf(known, 'init')[0].variants.map((v) => v.text)).toEqual(['terramate run --tags=dev --enable-sharing --mock-on-fail -j 5  -- terraform init ']);
    expect(recipesOf(known, 'plan')[0].variants.map((v) => v.text)).toEqual(['terramate run --tags=dev --enable-sharing --mock-on-fail -j 5  -- terraform plan']);
  });
});

describe('constructs', () => {
  it('two levels, +=, target-specific values, $(if), include and define', () => {
    const files = {
      '/p/Makefile': [
        'include common.mk',
        'BASE := --a',
        'BASE += --b',
        'OPTS = $(BASE) $(if $(FAST),--fast,--slow)',
        'define BANNER',
        'echo start',
        'endef',
        'init: OPTS += --init-only',
        'init:',
        '\t@$(BANNER)',
        '\t-tool $(OPTS) $(SHARED)',
      ].join('\n'),
      '/p/common.mk': 'SHARED := --from-include\n',
    };
    const database = evaluate(files);
    const lines = recipesOf(database, 'init');
    // FAST is unknown: both branches of the $(if ...).
    expect(lines.map(texts)).toEqual([['echo start'], ['tool --a --b --fast --init-only --from-include', 'tool --a --b --slow --init-only --from-include']]);
    expect(database.files).toEqual(['/p/Makefile', '/p/common.mk']);
    const variant = lines[1].variants.find((v) => v.text.includes('--slow')) ?? lines[1].variants[0];
    const sites = variant.spans.map((span) => [variant.text.slice(span.start, span.end), span.via.map((l) => `${l.name}:${path.basename(l.definedAt?.file ?? '-')}:${l.definedAt?.line}`).join('>')]);
    expect(sites).toEqual([
      ['--a', 'OPTS:Makefile:4>BASE:Makefile:2'],
      [' --b', 'OPTS:Makefile:4>BASE:Makefile:3'],
      [' --slow', 'OPTS:Makefile:4'],
      [' --init-only', 'OPTS:Makefile:8'],
      ['--from-include', 'SHARED:common.mk:1'],
    ]);
  });

  it('takes both branches of a conditional whose value is unknown', () => {
    const database = evaluate({
      '/p/Makefile': 'ifeq ($(MODE),ci)\nX := --enable-sharing\nelse\nX := --parallel\nendif\nrun:\n\tterramate run $(X) -- terraform init\n',
    });
    // Known over-approximation: "neither branch" is kept as a third possibility.
    expect(texts(recipesOf(database, 'run')[0])).toEqual(['terramate run  -- terraform init', 'terramate run --enable-sharing -- terraform init', 'terramate run --parallel -- terraform init']);
    const known = evaluate({ '/p/Makefile': 'ifeq ($(MODE),ci)\nX := --enable-sharing\nelse\nX := --parallel\nendif\nrun:\n\tterramate run $(X) -- terraform init\n' }, '/p/Makefile', { MODE: 'ci' });
    expect(texts(recipesOf(known, 'run')[0])).toEqual(['terramate run --enable-sharing -- terraform init']);
  });

  it('marks recipe lines inside an unknown conditional', () => {
    const database = evaluate({ '/p/Makefile': 'init:\nifdef CI\n\techo ci\nendif\n\techo always\n' });
    expect(recipesOf(database, 'init').map((r) => [r.raw, r.conditional])).toEqual([
      ['echo ci', true],
      ['echo always', false],
    ]);
  });

  it('strips @ - + prefixes, expands $(MAKE), keeps backslash-newline in recipes', () => {
    const text = 'all:\n\t@-+ echo one\n\t+$(MAKE) -C sub\n\techo a \\\n\t  b\n';
    const database = evaluate({ '/p/Makefile': text });
    const lines = recipesOf(database, 'all');
    expect(lines.map((r) => r.variants[0].text)).toEqual(['echo one', 'make -C sub', 'echo a \\\n  b']);
    expect(lines[2]).toMatchObject({ line: 4, endLine: 5, raw: 'echo a \\\n\t  b' });
    expect(text.slice(lines[2].start, lines[2].end)).toBe('echo a \\\n\t  b');
  });

  it('handles .RECIPEPREFIX, inline recipes, double-colon and multi-target rules', () => {
    const database = evaluate({ '/p/Makefile': '.RECIPEPREFIX = >\nplan apply:: ; echo $@\n> echo second $@\n' });
    const [first, second] = database.recipes;
    expect(first.targets).toEqual(['plan', 'apply']);
    expect(first.doubleColon).toBe(true);
    expect(first.byTarget.plan.variants.map((v) => v.text)).toEqual(['echo plan']);
    expect(texts(first)).toEqual(['echo apply', 'echo plan']);
    expect(second.byTarget.apply.variants.map((v) => v.text)).toEqual(['echo second apply']);
  });

  it('keeps unknown text detectable and never as a flag', () => {
    const database = evaluate({ '/p/Makefile': 'X != echo --enable-sharing\nt:\n\trun $(X) $(shell date) $(wildcard *.tf)\n' });
    const [variant] = recipesOf(database, 't')[0].variants;
    expect(containsUnknown(variant.text)).toBe(true);
    expect(variant.text.includes('--enable-sharing')).toBe(false);
    expect(describeUnknown(variant.text)).toBe('run <?shell> <?shell> <?wildcard>');
    expect(containsUnknown('run --parallel')).toBe(false);
  });

  it('bounds the variants and says so', () => {
    const conditions = Array.from({ length: 10 }, (_v, i) => `$(if $(U${i}),a${i},b${i})`).join(' ');
    const database = evaluate({ '/p/Makefile': `t:\n\techo ${conditions}\n` }, '/p/Makefile', undefined, 16);
    const [line] = recipesOf(database, 't');
    expect(line.variants.length).toBe(16);
    expect(line.capped).toBe(true);
  });
});

describe('diagnostics and robustness', () => {
  it('reports what GNU make rejects, with lines', () => {
    const database = evaluate({ '/p/Makefile': 'ok := 1\nthis is wrong\nendif\ndefine D\nnever closed\n' });
    expect(database.diagnostics.map((d) => `${d.line}:${d.message}`)).toEqual(['2:missing separator', "3:extraneous 'endif'", "4:missing 'endef', unterminated 'define'"]);
  });

  it('reports a missing endif and a missing required include, not an optional one', () => {
    const database = evaluate({ '/p/Makefile': 'include gone.mk\n-include also-gone.mk\nifdef X\n' });
    expect(database.diagnostics.map((d) => `${d.line}:${d.message}`)).toEqual(['1:gone.mk: No such file or directory', "3:missing 'endif'"]);
  });

  it('never throws on random input', () => {
    let state = 42;
    const next = (): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return state;
    };
    const alphabet = '$(){}:=+?!#\\\t\n ,%@-abcdefXYZ\u00e9\u0000';
    for (let round = 0; round < 300; round++) {
      let text = '';
      const length = next() % 400;
      for (let i = 0; i < length; i++) text += round % 2 === 0 ? alphabet[next() % alphabet.length] : String.fromCharCode(next() % 256);
      const database = evaluate({ '/p/Makefile': text });
      expect(database.diagnostics.some((d) => d.message.startsWith('internal error'))).toBe(false);
    }
  });

  it('evaluates a 300-line Makefile of target-specific variables and conditionals whole', () => {
    const lines: string[] = ['TM_COMMON := $(if $(filter P,$(MAKECMDGOALS)),$(if $(PNUM),-j $(PNUM),--parallel),)'];
    for (let i = 0; i < 80; i++) lines.push(`V${i} ${i % 3 === 0 ? ':=' : '='} --v${i} $(V${Math.floor(i / 4)}) $(if $(CI),--ci,)`);
    for (let i = 0; i < 20; i++) lines.push(`ifeq ($(ENV),e${i % 4})`, `TAGS += e${i}`, 'endif');
    for (let i = 0; i < 40; i++) lines.push(`t${i}: V${i} += --t${i}`, `t${i}:`, `\t@terramate run --tags=$(TAGS) $(TM_COMMON) $(V${i}) -- terraform init`, '');
    const text = lines.join('\n');
    expect(text.split('\n').length).toBeGreaterThanOrEqual(300);
    // Speed is for bench/, not for a test on a shared machine: this proves the whole file is read.
    const database = evaluate({ '/p/Makefile': text });
    expect(database.recipes.length).toBe(40);
    expect(database.recipes.every((recipe) => recipe.variants.some((variant) => variant.text.includes('terraform init')))).toBe(true);
    expect(database.diagnostics).toEqual([]);
  });
});
