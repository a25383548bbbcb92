// GitHub workflows (`.github/workflows/*.yml`): grammar-shaped (jobs with env, defaults,
// matrices and steps whose `run` is a plain, quoted, literal or folded scalar holding shell
// with `${{ }}` expressions; anchors, aliases and merge keys shared between jobs and steps;
// suppression comments) and mutations of a typical workflow. At most 3 jobs of at most 4 steps.
import fc from 'fast-check';
import { lineEnding, mutated, rarely, suppressionBody } from './common.js';
import { shellLaunch } from './shell.js';

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');

const expression = fc.constantFrom('${{ matrix.env }}', '${{ inputs.parallel }}', '${{ env.TM_OPTS }}', "${{ github.event_name == 'push' && '--changed' || '' }}", '${{ secrets.TOKEN }}', '${{', '${{ }}', '${{ matrix.p }}');

/** Shell lines for a `run:` (launches, other commands, expressions, comments). */
const runLines = fc.array(
  fc.oneof(
    { weight: 5, arbitrary: shellLaunch },
    { weight: 1, arbitrary: fc.tuple(shellLaunch, expression).map(([launch, value]) => `${launch} ${value}`) },
    { weight: 1, arbitrary: expression.map((value) => `terramate run --parallel ${value} -- terraform init`) },
    { weight: 1, arbitrary: suppressionBody.map((body) => `# ${body}`) },
    { weight: 1, arbitrary: fc.constantFrom('cd stacks/dev', 'set -e', 'export TM_ARG_RUN_PARALLEL=4', 'echo "::group::init"', 'make init dev P 5', 'terraform init', 'if [ -n "$X" ]; then', 'fi', '') },
  ),
  { minLength: 1, maxLength: 4 },
);

/** `run:`'s value in one of the scalar styles, at the given indentation of its key. */
const runScalar = fc
  .tuple(
    runLines,
    fc.constantFrom('plain', 'plain-lines', 'literal', 'literal-strip', 'literal-keep', 'literal-indent', 'literal-indent-1', 'folded', 'folded-more', 'double', 'double-escaped-break', 'single', 'anchor', 'tagged'),
  )
  .map(([lines, style]) => {
    const text = lines.join('\n');
    switch (style) {
      case 'plain-lines':
        // A multi-line plain scalar: YAML folds the line breaks into spaces.
        return ` ${lines.join('\n  ')}`;
      case 'literal-indent-1':
        return ` |1-\n${indent(text, '   ')}`;
      case 'folded-more':
        // More-indented lines keep their line breaks in a folded scalar.
        return ` >\n${lines.map((line, index) => (index % 2 ? `    ${line}` : `  ${line}`)).join('\n')}`;
      case 'double-escaped-break':
        return ` "${lines.map((line) => line.replace(/(["\\])/g, '\\$1')).join('\\\n    ')}"`;
      case 'tagged':
        return ` !!str |\n${indent(text, '  ')}`;
      case 'plain':
        return ` ${lines.join(' && ')}`;
      case 'literal':
        return ` |\n${indent(text, '  ')}`;
      case 'literal-strip':
        return ` |-\n${indent(text, '  ')}`;
      case 'literal-keep':
        return ` |+\n${indent(text, '  ')}\n`;
      case 'literal-indent':
        return ` |2\n${indent(text, '   ')}`;
      case 'folded':
        return ` >\n${indent(text, '  ')}`;
      case 'double':
        return ` ${JSON.stringify(text)}`;
      case 'single':
        return ` '${text.replaceAll("'", "''").replaceAll('\n', '\n\n  ')}'`;
      default:
        return ` &run ${lines[0]}`;
    }
  });

const envBlock = fc
  .array(
    fc.tuple(
      fc.constantFrom('TM_ARG_RUN_PARALLEL', 'TM_ARG_RUN_ENABLE_SHARING', 'TM_ARG_RUN_MOCK_ON_FAIL', 'TF_PLUGIN_CACHE_DIR', 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE', 'TM_OPTS', 'TM_ARG_CHDIR'),
      fc.constantFrom('"4"', '4', 'true', '"true"', "'false'", '', '${{ inputs.parallel }}', '~/.cache/terraform', '--enable-sharing', '[1, 2]', '{a: b}', 'yes'),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .chain((pairs) =>
    fc.constantFrom('', ' &env', ' &env').map((anchor) => `env:${anchor}\n${pairs.map(([key, value]) => `  ${key}: ${value}`).join('\n')}`),
  );

const step = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .record({
        comment: fc.option(suppressionBody.map((body) => `# ${body}`), { nil: undefined, freq: 4 }),
        name: fc.option(fc.constantFrom('name: init', 'name: "Init: all stacks"', 'name: ${{ matrix.env }}'), { nil: undefined }),
        env: fc.option(fc.oneof(envBlock, fc.constantFrom('env: *env', 'env:\n  <<: *env\n  X: "1"', 'env: {}', 'env: null')), { nil: undefined, freq: 3 }),
        extra: fc.option(fc.constantFrom('working-directory: stacks/dev', 'shell: bash', 'shell: pwsh', 'if: always()', 'continue-on-error: true', 'id: init', 'timeout-minutes: 5'), { nil: undefined }),
        run: fc.oneof({ weight: 6, arbitrary: runScalar.map((value) => `run:${value}`) }, { weight: 1, arbitrary: fc.constantFrom('run: *run', 'run:', 'run: ~', 'run: 42', 'run: [a, b]') }),
      })
      .map(({ comment, name, env, extra, run }) => {
        const fields = [name, env, extra, run].filter((field): field is string => field !== undefined);
        const body = fields.map((field) => indent(field, '  ')).join('\n').replace(/^ {2}/, '- ');
        return comment ? `${comment}\n${body}` : body;
      }),
  },
  { weight: 2, arbitrary: fc.constantFrom('- uses: actions/checkout@v4', '- uses: hashicorp/setup-terraform@v3\n  with:\n    terraform_version: 1.9.0', '- uses: ./.github/actions/init', '- *step', '- &step\n  run: terramate run -- terraform init', '-', '- name: only a name') },
);

const jobFields = fc
  .record({
    id: fc.constantFrom('init', 'plan', 'deploy', 'init-dev', '"quoted id"', 'x', '"in\\eit"', '"a\\x9b2Jb"'),
    anchor: fc.constantFrom('', '', ' &job'),
    runsOn: fc.constantFrom('runs-on: ubuntu-latest', 'runs-on: [self-hosted, linux]', 'runs-on: ${{ matrix.os }}', ''),
    env: fc.option(envBlock, { nil: undefined }),
    defaults: fc.option(fc.constantFrom('defaults:\n  run:\n    working-directory: stacks', 'defaults:\n  run:\n    shell: bash'), { nil: undefined }),
    strategy: fc.option(fc.constantFrom('strategy:\n  matrix:\n    env: [dev, prd]\n    p: [1, 4]', 'strategy:\n  max-parallel: 2\n  matrix:\n    include:\n      - env: dev'), { nil: undefined }),
    steps: fc.oneof({ weight: 6, arbitrary: fc.array(step, { minLength: 0, maxLength: 4 }).map((steps) => (steps.length === 0 ? 'steps: []' : `steps:\n${steps.join('\n')}`)) }, { weight: 1, arbitrary: fc.constantFrom('steps: *steps', 'steps:', 'uses: ./.github/workflows/reusable.yml', '<<: *job') }),
  });

type JobFields = typeof jobFields extends fc.Arbitrary<infer T> ? T : never;

function renderJob({ id, anchor, runsOn, env, defaults, strategy, steps }: JobFields): string {
  const fields = [runsOn, env, defaults, strategy, steps].filter((field): field is string => field !== undefined && field !== '');
  return `${id}:${anchor}\n${indent(fields.join('\n'), '  ')}`;
}

/** Layouts the grammar does not write: flow style, wide or deep indentation, comments between steps. */
const WORKFLOW_SHAPES = [
  'on: push\njobs:\n  init: {runs-on: ubuntu-latest, steps: [{uses: actions/checkout@v4}, {run: "terramate run --parallel 4 -- terraform init"}]}\n',
  'on: push\njobs:\n  init:\n    runs-on: ubuntu-latest\n    steps: [{run: terramate run -j 4 -- terraform init}]\n',
  'on: push\njobs:\n  init:\n    runs-on: ubuntu-latest\n    steps:\n        -   name: init\n            run: terramate run -j 4 -- terraform init\n',
  'on: push\njobs:\n  init:\n    steps:\n      - uses: actions/checkout@v4\n      # the init\n\n      - run: terramate run -j 4 -- terraform init   # trailing\n      # the end\n',
  'on: push\njobs:\n  init:\n    steps:\n    - run: terramate run --parallel=3 --tags=dev -- terraform init\n      working-directory: stacks\n    - run: terramate run -- terraform plan\n',
  'on: push\njobs:\n  init:\n    steps:\n      - run: |\n          set -e\n          terramate run -j 4 -- terraform init\n          terramate run -- terraform plan\n        env:\n          TF_PLUGIN_CACHE_DIR: /tmp/cache\n',
  'on: push\njobs:\n  init:\n    steps:\n      - name: init\n        run: >-\n          terramate run\n          --parallel 4\n          -- terraform init\n',
  'on: push\njobs:\n  a: &a\n    steps:\n      - run: terramate run -j 2 -- tofu init\n  b: *a\n',
];

/** A workflow from the grammar: header, optional top-level env, 1 to 3 jobs. */
const grammarWorkflow: fc.Arbitrary<string> = fc
  .record({
    header: fc.constantFrom('name: init\non: [push]', 'on:\n  push:\n    branches: [main]\n  workflow_dispatch:\n    inputs:\n      parallel:\n        default: "4"', '"on": push', 'on: push', ''),
    env: fc.option(envBlock, { nil: undefined }),
    jobs: fc.uniqueArray(jobFields, { minLength: 1, maxLength: 3, selector: (fields) => fields.id }).map((jobs) => jobs.map(renderJob)),
    // A second document is an error for the CI files tm-doctor reads: rare.
    documentEnd: rarely(fc.constantFrom('', '...\n'), fc.constantFrom('---\n', '---\nname: second document\n'), 24),
    start: fc.constantFrom('', '', '', '', '---\n', '%YAML 1.2\n---\n', '\uFEFF', '# comment\n'),
    ending: lineEnding,
  })
  .map(({ header, env, jobs, documentEnd, start, ending }) =>
    (start + [header, env, `jobs:\n${indent(jobs.join('\n'), '  ')}`].filter((part) => part !== undefined && part !== '').join('\n') + '\n' + documentEnd).replaceAll('\n', ending),
  );

/** A workflow: from the grammar, or one of the layouts above (with the grammar's line ending). */
export const workflowDocument: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: grammarWorkflow },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...WORKFLOW_SHAPES), lineEnding).map(([text, ending]) => text.replaceAll('\n', ending)) },
);

const SEED_WORKFLOW = `name: init
on: [push]
env: &tm
  TM_ARG_RUN_PARALLEL: "4"
jobs:
  init:
    runs-on: ubuntu-latest
    env:
      <<: *tm
      TF_PLUGIN_CACHE_DIR: \${{ github.workspace }}/.terraform-plugin-cache
    steps:
      - uses: actions/checkout@v4
      - &init
        name: init
        run: terramate run --parallel 4 -- terraform init
      # tm-doctor-ignore: no-sharing-on-init -- plan needs the outputs
      - run: |
          terramate run \\
            --enable-sharing -- terraform plan
  again:
    runs-on: ubuntu-latest
    steps:
      - *init
      - run: >-
          terramate run --enable-sharing
          -- terraform init \${{ matrix.flags }}
`;

const YAML_FRAGMENTS = ['- run: ', 'run: |\n', ': ', '&a ', '*a', '<<: *a\n', '*tm', '*init', '${{ ', ' }}', '- ', '  ', '\t', '? ', '!!str ', '!!binary ', '%YAML 1.2\n---\n', '---\n', '...\n', '"', "'", '|', '>', '#', '{', '[', 'jobs:\n', 'steps:\n'];

/** The seed workflow (and grammar ones), damaged. */
export const workflowMutant: fc.Arbitrary<string> = mutated(fc.oneof({ weight: 2, arbitrary: fc.constant(SEED_WORKFLOW) }, { weight: 1, arbitrary: workflowDocument }), YAML_FRAGMENTS);
