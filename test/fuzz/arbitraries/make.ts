// GNU Makefiles: grammar-shaped (assignments of every flavour with `$(...)` references and
// functions, conditionals, define, rules whose recipes launch `terramate run ... -- terraform
// init` in its variants, target-specific variables, suppression comments) and mutations of the
// fixtures' Makefiles. Expansion stays small by construction: at most 10 statements whose
// assignments share a pool of 8 names (so a chain of references is at most 8 deep), at most 3
// words per value and functions nested at most 3 deep, so the doubling-chain blow-up
// (`A1 = $(A0) $(A0)` forty times) is out of reach; recipes have at most 5 lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { joinLines, lineEnding, mutated, rarely, suppressionBody, terramateCommand } from './common.js';

const FIXTURES = join(import.meta.dirname, '../../../fixtures');

const NAMES = ['TM_OPTS', 'TM_COMMON', 'INIT_OPTS', 'TAGS', 'PNUM', 'ENVS', 'CMD', 'A0'] as const;
const name = fc.constantFrom(...NAMES, ...NAMES, 'MAKECMDGOALS', 'MAKE', 'CURDIR', '@', '<', 'UNDEFINED', 'TM_OPTS:--enable-sharing=', 'TM_OPTS:%=%');

const literal = rarely(
  fc.constantFrom('--enable-sharing', '--mock-on-fail', '--parallel', '-j', '4', '-j4', '--tags=dev', '--changed', 'dev', 'stg prd', 'P', 'C', '-upgrade', 'init', 'x,y', '%', '$$HOME', '$$(pwd)', ''),
  // Characters that end or split a make construct where they stand: rarer, or few inputs parse.
  fc.constantFrom('\\#', '#', ';', '=', ':', '$$', '\\'),
  12,
);

type Expression = string;

/** Make expressions: words, references and function calls, nested at most 3 deep. */
const { expression } = fc.letrec<{ expression: Expression; atom: Expression; call: Expression }>((tie) => ({
  expression: fc
    .array(tie('atom'), { minLength: 1, maxLength: 3 })
    .chain((atoms) => fc.constantFrom(' ', ' ', '', '  ', '\t').map((separator) => atoms.join(separator))),
  atom: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'make-expression' },
    { weight: 4, arbitrary: literal },
    { weight: 3, arbitrary: name.chain((variable) => fc.constantFrom(`$(${variable})`, `\${${variable}}`, variable.length === 1 ? `$${variable}` : `$(${variable})`)) },
    { weight: 2, arbitrary: tie('call') },
  ),
  call: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'make-expression' },
    tie('expression').map((a) => `$(strip ${a})`),
    fc.tuple(tie('expression'), tie('expression')).map(([a, b]) => `$(filter ${a},${b})`),
    fc.tuple(tie('expression'), tie('expression')).map(([a, b]) => `$(filter-out ${a},${b})`),
    fc.tuple(tie('expression'), tie('expression'), tie('expression')).map(([a, b, c]) => `$(if ${a},${b},${c})`),
    fc.tuple(tie('expression'), tie('expression')).map(([a, b]) => `$(if ${a},${b})`),
    fc.tuple(tie('expression'), tie('expression')).map(([a, b]) => `$(or ${a},${b})`),
    fc.tuple(tie('expression'), tie('expression')).map(([a, b]) => `$(and ${a},${b})`),
    tie('expression').map((a) => `$(firstword ${a})`),
    tie('expression').map((a) => `$(words ${a})`),
    fc.tuple(fc.integer({ min: 1, max: 3 }), tie('expression')).map(([n, a]) => `$(word ${n},${a})`),
    fc.tuple(tie('expression'), tie('expression')).map(([a, b]) => `$(subst ${a},${b},--enable-sharing)`),
    tie('expression').map((a) => `$(patsubst --%,-%,${a})`),
    tie('expression').map((a) => `$(foreach w,${a},$(w) $(w))`),
    tie('expression').map((a) => `$(call CMD,${a})`),
    tie('expression').map((a) => `$(shell echo ${a})`),
    tie('expression').map((a) => `$(wildcard ${a})`),
    tie('expression').map((a) => `$(sort ${a})`),
    name.map((variable) => `$(value ${variable})`),
    name.map((variable) => `$(origin ${variable})`),
    tie('expression').map((a) => `$(info ${a})`),
    tie('expression').map((a) => `$(warning ${a})`),
    fc.constantFrom('$(eval X := 1)', '$(eval TM_OPTS += --enable-sharing)', '$(if ,)', '$(call)', '$(word 1,a)'),
  ),
}));

const assignment = fc
  .tuple(
    fc.constantFrom('', '', '', 'export ', 'override ', 'unexport ', 'private '),
    fc.constantFrom(...NAMES),
    // `:::=` is GNU make 4.4's; make 4.3, which tm-doctor follows, reads it as an empty name.
    rarely(fc.constantFrom(' = ', ' := ', ' ::= ', ' += ', ' ?= ', ' != ', '=', ':='), fc.constant(' :::= '), 200),
    expression,
    fc.option(fc.tuple(fc.constantFrom(' \\\n  ', '\\\n', ' \\\n\t'), expression), { nil: undefined, freq: 2 }),
    fc.option(fc.constantFrom(' # comment', ' # tm-doctor-ignore: no-sharing-on-init', '  '), { nil: '' }),
  )
  .map(([modifier, variable, operator, value, continuation, trailer]) => `${modifier}${variable}${operator}${value}${continuation ? continuation.join('') : ''}${trailer}`);

const define = fc
  .tuple(fc.constantFrom(...NAMES), fc.constantFrom('', ' =', ' :=', ' +='), fc.array(expression, { minLength: 0, maxLength: 3 }), fc.constantFrom('endef', 'endef # x', ' endef'))
  .map(([variable, operator, body, end]) => [`define ${variable}${operator}`, ...body, end].join('\n'));

/** A shell line of a recipe: the Terramate launch routed through make variables, or other work. */
const shellCommand: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(terramateCommand, fc.array(fc.tuple(fc.nat(), expression), { maxLength: 3 })).map(([command, inserts]) => {
      const tokens = [...command.env, ...command.tokens];
      // Variables and functions between the words, where make users put them.
      for (const [at, value] of inserts) tokens.splice(at % (tokens.length + 1), 0, value);
      return tokens.join(' ');
    }) },
  { weight: 1, arbitrary: fc.constantFrom('$(MAKE) init', '$(MAKE) -C sub init', 'cd stacks/dev && $(TM) run -- terraform init', 'echo $(TM_OPTS)', ':', 'true', 'exit 1', 'for s in $(ENVS); do terramate run -C $$s -- terraform init; done', 'bash scripts/init.sh') },
);

const recipeLine = fc
  .tuple(
    rarely(fc.constant('\t'), fc.constantFrom('\t ', '\t\t', '  '), 30),
    fc.constantFrom('', '', '@', '-', '+', '@-', '@ '),
    fc.oneof(
      { weight: 8, arbitrary: shellCommand },
      { weight: 1, arbitrary: suppressionBody.map((body) => `# ${body}`) },
      { weight: 1, arbitrary: fc.tuple(shellCommand, shellCommand).map(([a, b]) => `${a} \\\n\t  ${b}`) },
      { weight: 1, arbitrary: fc.tuple(shellCommand, shellCommand).map(([a, b]) => `${a} && ${b}`) },
    ),
    fc.option(suppressionBody.map((body) => ` # ${body}`), { nil: '' }),
  )
  .map(([prefix, flags, command, trailer]) => `${prefix}${flags}${command}${trailer}`);

const targetName = fc.constantFrom('init', 'init', 'plan', 'all', '%', 'init-%', '$(ENVS)', 'a b', '.PHONY', 'init dev', '$(CMD)', 'P C', 'in\u001B[2Jit');

const rule = fc
  .tuple(
    fc.option(suppressionBody.map((body) => `# ${body}`), { nil: undefined, freq: 3 }),
    targetName,
    fc.constantFrom(':', ':', '::', '&:'),
    fc.option(fc.constantFrom('init', 'dev', '$(ENVS)', '| order', 'FORCE'), { nil: '' }),
    fc.option(fc.oneof(shellCommand.map((command) => ` ; ${command}`), fc.tuple(fc.constantFrom('TM_OPTS', 'INIT_OPTS', 'TAGS'), fc.constantFrom(' += ', ' := ', ' = '), expression).map(([variable, operator, value]) => `__TSV__${variable}${operator}${value}`)), { nil: '' }),
    fc.array(recipeLine, { minLength: 0, maxLength: 5 }),
  )
  .map(([comment, target, colon, prerequisites, inline, recipe]) => {
    const lines = comment ? [comment] : [];
    if (inline.startsWith('__TSV__')) {
      // A target-specific variable, then the rule itself.
      lines.push(`${target}${colon} ${inline.slice('__TSV__'.length)}`, `${target}${colon} ${prerequisites}`);
    } else lines.push(`${target}${colon} ${prerequisites}${inline}`);
    return [...lines, ...recipe].join('\n');
  });

const conditional = fc
  .tuple(
    fc.oneof(
      fc.tuple(expression, expression).map(([a, b]) => `ifeq (${a},${b})`),
      fc.tuple(expression, expression).map(([a, b]) => `ifneq "${a}" "${b}"`),
      name.map((variable) => `ifdef ${variable}`),
      name.map((variable) => `ifndef ${variable}`),
    ),
    fc.array(assignment, { minLength: 0, maxLength: 2 }),
    fc.option(fc.array(assignment, { minLength: 0, maxLength: 2 }), { nil: undefined }),
    rarely(fc.constantFrom('endif', 'endif # x'), fc.constant(''), 30),
  )
  .map(([head, body, otherwise, end]) => [head, ...body, ...(otherwise ? ['else', ...otherwise] : []), end].join('\n'));

const statement = fc.oneof(
  { weight: 6, arbitrary: assignment },
  { weight: 4, arbitrary: rule },
  { weight: 2, arbitrary: conditional },
  { weight: 1, arbitrary: define },
  { weight: 1, arbitrary: suppressionBody.map((body) => `# ${body}`) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '.PHONY: init plan',
      '.RECIPEPREFIX := >',
      '.ONESHELL:',
      '.SHELLFLAGS := -ec',
      'SHELL := /bin/bash',
      'include other.mk',
      '-include missing.mk',
      'include Makefile',
      'sinclude $(wildcard *.mk)',
      'export',
      'vpath %.tf stacks',
      '',
      '# a comment \\\n  continued',
      'MAKEFLAGS += -j4',
      '.NOTPARALLEL:',
    ),
  },
);

/** Recipe layouts the grammar does not write, each with a launch that --fix edits. */
const MAKEFILE_SHAPES = [
  '.RECIPEPREFIX := >\ninit:\n> terramate run -j 4 --enable-sharing -- terraform init\n',
  '.ONESHELL:\ninit:\n\tcd stacks\n\tterramate run -j 4 -- terraform init\n',
  'define INIT\nterramate run -j 4 --enable-sharing -- terraform init\nendef\ninit:\n\t$(INIT)\n',
  'init:\n\t@echo start; \\\n\tterramate run --parallel 4 --enable-sharing \\\n\t  -- terraform init\n',
  'ifeq ($(CI),true)\ninit:\n\tterramate run -j 4 -- terraform init\nelse\ninit:\n\tterramate run --enable-sharing -- terraform init\nendif\n',
  'init: ; terramate run -j 4 --enable-sharing -- terraform init\n',
  'TM := terramate\nJ ?= 4\ninit:\n\t$(TM) run -j $(J) -- terraform init\n',
  'init:\n\t-@terramate run -j 4 -- terraform init # tm-doctor-ignore: parallel-init-cache-race\n\t+terramate run --enable-sharing -- terraform init\n',
  'init: export TM_ARG_RUN_PARALLEL = 4\ninit:\n\tterramate run -- terraform init\n',
  'init:\n\n\t# comment\n\n\tterramate run -j 4 -- terraform init\nplan:\n\tterramate run -- terraform plan\n',
];

/** A Makefile from the grammar (1 to 10 statements), or one of the layouts above. */
export const makefileDocument: fc.Arbitrary<string> = fc
  .tuple(fc.oneof({ weight: 6, arbitrary: fc.array(statement, { minLength: 1, maxLength: 10 }).map((statements) => statements.join('\n')) }, { weight: 1, arbitrary: fc.constantFrom(...MAKEFILE_SHAPES) }), lineEnding)
  .map(([text, ending]) => joinLines(text.replace(/\n$/, '').split('\n'), ending));

const fixtureMakefiles = ['seed-blog', 'seed-author-fixed', 'clean'].map((fixture) => readFileSync(join(FIXTURES, fixture, 'Makefile'), 'utf8'));

const MAKE_FRAGMENTS = [
  '$(',
  '${',
  '$$',
  ':=',
  '+=',
  '?=',
  ' = ',
  'include Makefile\n',
  'ifeq (a,b)\n',
  'ifdef X\n',
  'else\n',
  'endif\n',
  'define X\n',
  'endef\n',
  '\n\t',
  '\t@',
  '$(shell x)',
  '$(foreach a,b c,$(a))',
  '$(TM_OPTS)',
  '$(call TM_OPTS,1)',
  '.RECIPEPREFIX := >\n',
  'init: TM_OPTS += --enable-sharing\n',
  'export TM_ARG_RUN_PARALLEL = 4\n',
  '%:',
  '$(error stop)',
  '$(foreach a,b)',
  '$(word 0,a)',
  'else ifeq (a,a)\n',
];

/** The fixtures' Makefiles (and grammar ones), damaged. */
export const makefileMutant: fc.Arbitrary<string> = mutated(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...fixtureMakefiles) }, { weight: 1, arbitrary: makefileDocument }), MAKE_FRAGMENTS);
