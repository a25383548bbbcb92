// The evaluation budget (src/parsers/make/budget.ts): an expansion GNU make would spend minutes
// or all its memory on stops, its value is unknown, and the line that asked for it says so.
// Completion is asserted, never time: the machine is shared.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_LIMITS, describeUnknown, evaluateMakefile, type EvaluationLimits, type MakeDatabase, type MakeDiagnostic } from '../../../src/parsers/make/index.js';
import { generateSharingMakefile } from '../../rules/launches/sharing-generate.js';
import { generateMakefile } from './generate.js';

const ENTRY = '/p/Makefile';

function evaluate(text: string, options: { variables?: Record<string, string>; limits?: Partial<EvaluationLimits>; maxVariants?: number } = {}): MakeDatabase {
  return evaluateMakefile(ENTRY, (file) => (file === ENTRY ? text : undefined), options);
}

/** The texts of each recipe line of `target`, unknown parts shown as `<?LABEL>`. */
function recipeTexts(database: MakeDatabase, target: string): string[][] {
  return database.recipes.filter((recipe) => recipe.targets.includes(target)).map((recipe) => recipe.variants.map((variant) => describeUnknown(variant.text)));
}

function brief(diagnostics: MakeDiagnostic[]): Array<{ line: number; column: number; message: string; cutShort?: true }> {
  return diagnostics.map(({ line, column, message, cutShort }) => ({ line, column, message, ...(cutShort ? { cutShort } : {}) }));
}

/** `A0 = x`, `A1 = $(A0) $(A0)`, ... `A40`: 2^40 words once expanded (lines 1 to 41). */
function doublingChain(op = '=', prefix = 'A'): string[] {
  return [`${prefix}0 ${op} x`, ...Array.from({ length: 40 }, (_v, i) => `${prefix}${i + 1} ${op} $(${prefix}${i}) $(${prefix}${i})`)];
}

const INIT = '\tterramate run --parallel 4 -- terraform init ';

/** Eight `$(foreach)`s over ten words each, around `body`: 10^8 rounds. */
function nestedForeach(body: string): string {
  let expression = body;
  for (const name of [...'hgfedcba']) expression = `$(foreach ${name},$(W),${expression})`;
  return expression;
}

describe('the doubling bomb', () => {
  const database = evaluate([...doublingChain(), 'init:', `${INIT}$(A40)`, ''].join('\n'));

  it('leaves $(A40) unknown and the rest of the recipe line known', () => {
    expect(recipeTexts(database, 'init')).toEqual([['terramate run --parallel 4 -- terraform init <?cut-short>']]);
  });

  it('says so on the recipe line, at the reference, as cut short', () => {
    expect(brief(database.diagnostics)).toEqual([
      { line: 43, column: INIT.length + 1, message: `expansion of $(A40) cut short: more than ${(DEFAULT_LIMITS.referenceBytes).toLocaleString('en-US')} bytes`, cutShort: true },
    ]);
  });

  it('as simple variables (:=) stops at the assignments that build too much; later ones hold unknown text', () => {
    const simple = evaluate([...doublingChain(':='), 'init:', `${INIT}$(A40)`, ''].join('\n'));
    const first = simple.diagnostics[0];
    expect(first).toMatchObject({ cutShort: true, message: expect.stringMatching(/^expansion of \$\(A\d+\)( \$\(A\d+\))? cut short: more than [\d,]+ bytes$/) });
    expect(first.line).toBeGreaterThan(15);
    expect(first.line).toBeLessThanOrEqual(41);
    // Each cut restarts the doubling from one unknown word, which reaches the budget again.
    for (const diagnostic of simple.diagnostics) {
      expect(diagnostic).toMatchObject({ cutShort: true, message: expect.stringMatching(/^expansion of .* cut short: (the makefile used )?more than [\d,]+ bytes$/) });
      expect([...Array.from({ length: 40 }, (_v, i) => i + 2), 43]).toContain(diagnostic.line);
    }
    const [[text]] = recipeTexts(simple, 'init');
    expect(text.startsWith('terramate run --parallel 4 -- terraform init <?cut-short>')).toBe(true);
  });
});

describe('eight nested $(foreach) over ten words each', () => {
  it('stops; its value is unknown and its line says so', () => {
    const expression = nestedForeach('$(a)$(b)$(c)$(d)$(e)$(f)$(g)$(h)');
    const database = evaluate(['W = 0 1 2 3 4 5 6 7 8 9', 'init:', `${INIT}${expression}`, ''].join('\n'));
    expect(recipeTexts(database, 'init')).toEqual([['terramate run --parallel 4 -- terraform init <?cut-short>']]);
    expect(brief(database.diagnostics)).toEqual([
      { line: 3, column: INIT.length + 1, message: expect.stringMatching(/^expansion of \$\(foreach a,\$\(W\),\$\(foreach b,\$\(W\),…\) cut short: more than [\d,]+ (bytes|steps)$/), cutShort: true },
    ]);
  });

  it('that build nothing stop on steps', () => {
    const database = evaluate(['W = 0 1 2 3 4 5 6 7 8 9', 'init:', `${INIT}${nestedForeach('$(if $(h),)')}`, ''].join('\n'));
    expect(brief(database.diagnostics)).toEqual([
      { line: 3, column: INIT.length + 1, message: expect.stringMatching(`cut short: more than ${DEFAULT_LIMITS.referenceSteps.toLocaleString('en-US')} steps$`), cutShort: true },
    ]);
    expect(recipeTexts(database, 'init')).toEqual([['terramate run --parallel 4 -- terraform init <?cut-short>']]);
  });
});

describe('one bomb does not starve the rest', () => {
  it('each reference has a budget of its own: the neighbours on the line and the next lines stay known', () => {
    const database = evaluate([...doublingChain(), ...doublingChain('=', 'B'), 'OK := --known', 'init:', '\ttool $(A40) $(OK) $(B40)', '\ttool $(OK)', ''].join('\n'));
    expect(recipeTexts(database, 'init')).toEqual([['tool <?cut-short> --known <?cut-short>'], ['tool --known']]);
    expect(brief(database.diagnostics).map(({ line, column, message }) => `${line}:${column}:${message.replace(/ cut short.*/, '')}`)).toEqual([
      '85:7:expansion of $(A40)',
      '85:20:expansion of $(B40)',
    ]);
  });

  it('each evaluation has a budget of its own: the same answer every time, and other makefiles untouched', () => {
    const text = [...doublingChain(), 'init:', `${INIT}$(A40)`, ''].join('\n');
    const first = evaluate(text);
    for (let round = 0; round < 3; round++) expect(evaluate(text)).toEqual(first);
    const plain = evaluate('OPTS := -j 4\ninit:\n\tterramate run $(OPTS) -- terraform init\n');
    expect(plain.diagnostics).toEqual([]);
    expect(recipeTexts(plain, 'init')).toEqual([['terramate run -j 4 -- terraform init']]);
  });

  it('a whole evaluation has a budget too: once it is spent, what is left is unknown, each line saying why', () => {
    // A10 is 2,047 bytes of 2,048 pieces: within one reference's budget, not forty times over.
    const lines = [...doublingChain().slice(0, 11), 'all:', ...Array.from({ length: 40 }, () => '\techo $(A10)')];
    const database = evaluate(lines.join('\n'), { limits: { totalBytes: 4_000_000 } });
    const texts = recipeTexts(database, 'all').map(([text]) => text);
    expect(texts.length).toBe(40);
    expect(texts[0]).toBe(`echo ${Array.from({ length: 1024 }, () => 'x').join(' ')}`);
    const cut = texts.findIndex((text) => text === 'echo <?cut-short>');
    expect(cut).toBeGreaterThan(0);
    expect(texts.slice(cut).every((text) => text === 'echo <?cut-short>')).toBe(true);
    expect(database.diagnostics.length).toBe(40 - cut);
    for (const diagnostic of database.diagnostics) {
      expect(diagnostic).toMatchObject({ cutShort: true, message: 'expansion of $(A10) cut short: the makefile used more than 4,000,000 bytes' });
    }
  });
});

describe('depth', () => {
  it('references nested deeper than the limit stop', () => {
    const chain = ['V0 = x', ...Array.from({ length: 30 }, (_v, i) => `V${i + 1} = $(V${i})`)];
    const database = evaluate([...chain, 't:', '\techo $(V30) $(V10)', ''].join('\n'), { limits: { depth: 20 } });
    expect(recipeTexts(database, 't')).toEqual([['echo <?cut-short> x']]);
    expect(brief(database.diagnostics)).toEqual([{ line: 33, column: 7, message: 'expansion of $(V30) cut short: nested more than 20 deep', cutShort: true }]);
  });

  it('a stack that runs out first counts as too deep, never as an internal error', () => {
    const chain = ['V0 = x', ...Array.from({ length: 5000 }, (_v, i) => `V${i + 1} = $(V${i})`)];
    const database = evaluate([...chain, 't:', '\techo $(V5000)', ''].join('\n'), { limits: { depth: 1_000_000 } });
    expect(recipeTexts(database, 't')).toEqual([['echo <?cut-short>']]);
    expect(brief(database.diagnostics)).toEqual([{ line: 5003, column: 7, message: expect.stringMatching(/^expansion of \$\(V5000\) cut short: nested more than [\d,]+ deep$/), cutShort: true }]);
  });
});

describe('$(call) recursion, as GNU make allows it', () => {
  const workspace = mkdtempSync(path.join(tmpdir(), 'make-budget-'));
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  /** What `make -n` prints for `target` of `text`. */
  function makeN(text: string, target: string): string {
    const file = path.join(workspace, 'Makefile');
    writeFileSync(file, text);
    const result = spawnSync('make', ['-n', '-R', '-r', '--no-print-directory', '-f', file, target], { cwd: workspace, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    return result.stdout;
  }

  it('a function calling itself on known words gives what make gives', () => {
    const text = [
      'reverse = $(if $(1),$(call reverse,$(wordlist 2,$(words $(1)),$(1))) $(firstword $(1)))',
      'count = $(if $(word $(2),$(1)),$(call count,$(1),$(words x $(3)),x $(3)),$(words $(3)))',
      'WORDS := a b c d e f g h i j k l m n o p q r s t',
      't:',
      '\techo [$(call reverse,$(WORDS))] $(call count,$(WORDS),1,)',
      '',
    ].join('\n');
    const database = evaluate(text);
    expect(database.diagnostics).toEqual([]);
    expect(recipeTexts(database, 't').map(([line]) => `${line}\n`).join('')).toBe(makeN(text, 't'));
  });

  it('one that never ends is cut short where it is called', () => {
    const database = evaluate(['forever = $(call forever,$(1))', 'grow = $(call grow,x$(1)x$(1))', 't:', '\techo $(call forever,a) $(call grow,a) done', ''].join('\n'));
    expect(recipeTexts(database, 't')).toEqual([['echo <?cut-short> <?cut-short> done']]);
    expect(brief(database.diagnostics)).toEqual([
      { line: 4, column: 7, message: `expansion of $(call forever,a) cut short: nested more than ${DEFAULT_LIMITS.depth} deep`, cutShort: true },
      { line: 4, column: 25, message: expect.stringMatching(/^expansion of \$\(call grow,a\) cut short: (more than [\d,]+ bytes|nested more than \d+ deep)$/), cutShort: true },
    ]);
  });

  it("one that recurses on unknown words (the recursive wildcard) is unknown, not cut short", () => {
    const database = evaluate(
      ['rwildcard = $(foreach d,$(wildcard $(1:=/*)),$(call rwildcard,$d,$2) $(filter $(subst *,%,$2),$d))', 'TF := $(call rwildcard,stacks,*.tf)', 't:', '\techo $(TF)', ''].join('\n'),
    );
    expect(database.diagnostics).toEqual([]);
    expect(recipeTexts(database, 't')).toEqual([['echo <?call> <?wildcard>']]);
  });

  it('a variable that refers to itself without $(call) is still the error make reports', () => {
    const database = evaluate('X = $(X) y\nt:\n\techo $(X)\n');
    expect(database.diagnostics.map(({ message, cutShort }) => [message, cutShort])).toEqual([["Recursive variable 'X' references itself (eventually)", undefined]]);
  });
});

describe('what is never run', () => {
  it('$(shell) and != never run their command: their value is unknown', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'make-budget-shell-'));
    try {
      const marker = (name: string) => path.join(dir, name);
      const text = [`X := $(shell touch ${marker('a')})`, `Y != touch ${marker('b')}`, 't:', `\techo $(X) $(Y) $(shell touch ${marker('c')})`, ''].join('\n');
      const database = evaluate(text);
      expect(recipeTexts(database, 't')).toEqual([['echo <?shell> <?shell> <?shell>']]);
      expect(['a', 'b', 'c'].filter((name) => existsSync(marker(name)))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('$(eval) is not evaluated: its text is expanded within the budget, its result unknown', () => {
    const database = evaluate([...doublingChain(), 'LOOP = $(eval LOOP += $$(LOOP))', '$(foreach i,1 2 3,$(eval $(LOOP)))', 't:', '\techo $(eval X := $(A40)) $(X)', ''].join('\n'));
    expect(recipeTexts(database, 't')).toEqual([['echo <?cut-short> <?X>']]);
    expect(brief(database.diagnostics)).toEqual([{ line: 45, column: 7, message: expect.stringMatching(/^expansion of \$\(eval X := \$\(A40\)\) cut short: more than/), cutShort: true }]);
  });
});

describe('realistic makefiles stay far within the budget', () => {
  // A third of every limit: what the defaults' comment promises (three to four times the need).
  const third: EvaluationLimits = {
    referenceBytes: Math.floor(DEFAULT_LIMITS.referenceBytes / 3),
    referenceSteps: Math.floor(DEFAULT_LIMITS.referenceSteps / 3),
    totalBytes: Math.floor(DEFAULT_LIMITS.totalBytes / 3),
    totalSteps: Math.floor(DEFAULT_LIMITS.totalSteps / 3),
    depth: Math.floor(DEFAULT_LIMITS.depth / 3),
  };

  it('the differential corpus (with the values it is compared with make under) and the sharing corpus', () => {
    const cut: string[] = [];
    for (let seed = 1; seed <= 400; seed++) {
      const generated = generateMakefile(seed);
      const files = Object.fromEntries(Object.entries(generated.files).map(([name, text]) => [`/d/${name}`, text]));
      const database = evaluateMakefile('/d/Makefile', (file) => files[file], { variables: generated.commandLine, limits: third });
      for (const diagnostic of database.diagnostics) if (diagnostic.cutShort) cut.push(`differential ${seed}: ${diagnostic.message}`);
    }
    for (let seed = 1; seed <= 200; seed++) {
      const { makefile } = generateSharingMakefile(seed);
      // The bound no-sharing-on-init's fix reads the most variants with.
      const database = evaluateMakefile('/d/Makefile', (file) => (file === '/d/Makefile' ? makefile : undefined), { maxVariants: 4096, limits: third });
      for (const diagnostic of database.diagnostics) if (diagnostic.cutShort) cut.push(`sharing ${seed}: ${diagnostic.message}`);
    }
    expect(cut).toEqual([]);
  });
});
