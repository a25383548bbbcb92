// POSIX shell scripts (`*.sh`): grammar-shaped (the Terramate launch with its words quoted every
// way the shell allows, behind variables, env assignments, `cd`/`pushd`, `&&`/`||`/`;`/pipes,
// subshells, functions, if/for/case, here-documents, `source`, suppression comments) and
// mutations of a typical init script. At most 8 statements, compound commands at most 2 deep.
import fc from 'fast-check';
import { joinLines, lineEnding, mutated, suppressionBody, terramateCommand } from './common.js';

const VARIABLES = ['TM_OPTS', 'PARALLEL', 'TAGS', 'TF', 'CMD', 'DIR'] as const;
const variable = fc.constantFrom(...VARIABLES);

/** One word quoted the ways a script author might. */
function quoted(word: string): fc.Arbitrary<string> {
  const single = `'${word.replaceAll("'", `'\\''`)}'`;
  const double = `"${word.replace(/(["\\$`])/g, '\\$1')}"`;
  const choices = [word === '' ? "''" : word.replace(/([ '"\\$`;&|<>()#*?])/g, '\\$1'), single, double, `$'${word.replaceAll("'", "\\'")}'`];
  if (word.length > 1) choices.push(`${word.slice(0, 1)}""${word.slice(1)}`, `"${word.slice(0, 1)}"${word.slice(1).replace(/([ '"\\$`;&|<>()#*?])/g, '\\$1')}`);
  return fc.constantFrom(...choices);
}

const reference = fc.tuple(variable, fc.constantFrom('plain', 'braced', 'quoted', 'default', 'array', 'unset-default')).map(([name, style]) => {
  switch (style) {
    case 'plain':
      return `$${name}`;
    case 'braced':
      return `\${${name}}`;
    case 'quoted':
      return `"$${name}"`;
    case 'default':
      return `\${${name}:-"--enable-sharing"}`;
    case 'array':
      return `"\${${name}[@]}"`;
    default:
      return `\${${name}-}`;
  }
});

/** The Terramate launch, each word quoted somehow, some words behind variables. */
export const shellLaunch: fc.Arbitrary<string> = terramateCommand.chain((command) =>
  fc
    .tuple(
      fc.tuple(...command.env.map((assignment) => fc.constant(assignment))),
      command.tokens.length === 0 ? fc.constant([] as string[]) : fc.tuple(...command.tokens.map((token) => fc.oneof({ weight: 4, arbitrary: fc.constant(token) }, { weight: 2, arbitrary: quoted(token) }))),
      fc.array(fc.tuple(fc.nat(), reference), { maxLength: 2 }),
    )
    .map(([env, tokens, references]) => {
      const words = [...tokens];
      for (const [at, value] of references) words.splice(at % (words.length + 1), 0, value);
      return [...env, ...words].join(' ');
    }),
);

const assignment = fc
  .tuple(
    fc.constantFrom('', '', 'export ', 'readonly ', 'local ', 'declare -a ', 'declare -x '),
    variable,
    fc.oneof(
      fc.constantFrom('--enable-sharing', '"--enable-sharing --mock-on-fail"', "'-j 4'", '4', '', '"$1"', '${1:-dev}', '$(pwd)', '`pwd`', '(--enable-sharing --parallel 4)', '"$TM_OPTS --changed"', 'terraform', 'tofu'),
      reference,
    ),
  )
  .map(([prefix, name, value]) => `${prefix}${name}=${value}`);

const simple = fc.oneof(
  { weight: 6, arbitrary: shellLaunch },
  { weight: 2, arbitrary: assignment },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'cd stacks/dev',
      'cd "$(dirname "$0")/.."',
      'cd -',
      'pushd stacks >/dev/null',
      'popd',
      'source ./env.sh',
      '. ./env.sh',
      'set -euo pipefail',
      'set -- --enable-sharing',
      'shift',
      'unset TM_OPTS',
      'eval "$CMD"',
      'exec "$@"',
      'echo "terramate run -- terraform init"',
      'terraform init',
      'make init',
      'env -i terramate run --enable-sharing -- terraform init',
      'xargs -P 4 -I{} terramate run -C {} -- terraform init',
      'TF_PLUGIN_CACHE_DIR="$HOME/.terraform.d/plugin-cache" terramate run -j 4 -- terraform init',
      'export TM_ARG_RUN_PARALLEL=8',
      'export TM_ARG_RUN_ENABLE_SHARING=true',
      'true',
      ':',
      '',
    ),
  },
);

/** Statements, compound at most 2 deep. */
const { statement } = fc.letrec<{ statement: string; compound: string }>((tie) => ({
  statement: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'shell-statement' },
    { weight: 6, arbitrary: simple },
    { weight: 2, arbitrary: fc.tuple(simple, fc.constantFrom(' && ', ' || ', '; ', ' | ', ' & ', ' &&\n  ', ' \\\n  && '), simple).map(([a, op, b]) => `${a}${op}${b}`) },
    { weight: 1, arbitrary: fc.tuple(simple, suppressionBody).map(([command, body]) => `${command} # ${body}`) },
    { weight: 1, arbitrary: fc.tuple(suppressionBody, simple).map(([body, command]) => `# ${body}\n${command}`) },
    { weight: 2, arbitrary: tie('compound') },
  ),
  compound: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'shell-statement' },
    tie('statement').map((body) => `( ${body} )`),
    tie('statement').map((body) => `{ ${body}; }`),
    fc.tuple(tie('statement'), tie('statement')).map(([test, body]) => `if ${test}; then\n  ${body}\nfi`),
    fc.tuple(tie('statement'), tie('statement')).map(([body, other]) => `if [ -n "$TAGS" ]; then\n  ${body}\nelse\n  ${other}\nfi`),
    tie('statement').map((body) => `for env in dev prd; do\n  ${body}\ndone`),
    tie('statement').map((body) => `while read -r dir; do ${body}; done < dirs.txt`),
    tie('statement').map((body) => `case "$1" in\n  init) ${body} ;;\n  *) exit 1 ;;\nesac`),
    tie('statement').map((body) => `init() {\n  ${body}\n}\ninit "$@"`),
    tie('statement').map((body) => `bash -c '${body.replaceAll("'", `'\\''`)}'`),
    tie('statement').map((body) => `cat <<EOF\n${body}\nEOF`),
    tie('statement').map((body) => `cat <<-'EOF'\n\t${body}\n\tEOF`),
    tie('statement').map((body) => `$(${body})`),
    tie('statement').map((body) => `echo "$( ${body} )"`),
  ),
}));

/** Layouts the grammar does not write, each with a launch that --fix edits. */
const SCRIPT_SHAPES = [
  'set -e\nif [ "$1" = init ]; then\n  terramate run -j 4 -- terraform init\nfi',
  'init() {\n  terramate run --parallel 4 --enable-sharing -- terraform init\n}\ninit',
  'terramate run -j 4 \\\n  --enable-sharing \\\n  -- terraform init',
  'for env in dev prd; do terramate run -C "stacks/$env" -j 4 -- terraform init; done',
  '(cd stacks && terramate run -j 4 -- terraform init)',
  'terramate run -j 4 -- terraform init || exit 1',
  'TM_OPTS="--enable-sharing"\nterramate run -j 4 $TM_OPTS -- terraform init',
  '\tterramate run -j 4 -- terraform init\n\tterramate run -- terraform plan',
  'terramate run -j 4 -- terraform init; terramate run -- terraform plan',
  'exec terramate run --parallel 4 -- terraform init "$@"',
];

/** A shell script: a shebang, then 1 to 8 statements from the grammar or one of the layouts above. */
export const shellDocument: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('#!/bin/sh', '#!/usr/bin/env bash', '#!/bin/bash -e', ''),
    fc.oneof({ weight: 6, arbitrary: fc.array(statement, { minLength: 1, maxLength: 8 }).map((statements) => statements.join('\n')) }, { weight: 1, arbitrary: fc.constantFrom(...SCRIPT_SHAPES) }),
    lineEnding,
  )
  .map(([shebang, body, ending]) => joinLines([shebang, body].join('\n').split('\n'), ending));

const SEED_SCRIPT = `#!/usr/bin/env bash
# Initialise every stack of an environment: scripts/init.sh dev [parallelism]
set -euo pipefail
cd "$(dirname "$0")/.."

ENV="\${1:-dev}"
PARALLEL="\${2:-4}"
TM_OPTS="--enable-sharing --mock-on-fail"

export TF_PLUGIN_CACHE_DIR="$HOME/.terraform.d/plugin-cache"
terramate run --tags="$ENV" --parallel "$PARALLEL" $TM_OPTS -- terraform init -upgrade
# tm-doctor-ignore: no-sharing-on-init -- plan needs the outputs
terramate run --tags="$ENV" $TM_OPTS -- terraform plan
`;

const SHELL_FRAGMENTS = ['"', "'", '$(', '`', '${', '$', ' && ', ' || ', ';', '|', '&', '<<EOF\n', '\nEOF\n', 'cd x && ', 'if true; then\n', 'fi\n', 'do\n', 'done\n', '\\\n', '"$TM_OPTS"', '${TM_OPTS:-', 'export TM_ARG_RUN_PARALLEL=4\n', 'env '];

/** The seed init script (and grammar ones), damaged. */
export const shellMutant: fc.Arbitrary<string> = mutated(fc.oneof({ weight: 2, arbitrary: fc.constant(SEED_SCRIPT) }, { weight: 1, arbitrary: shellDocument }), SHELL_FRAGMENTS);
