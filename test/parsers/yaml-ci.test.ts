import type { Knowable } from '../../src/util/unknown.js';
import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { parseShell, UNKNOWN } from '../../src/parsers/shell.js';
import { findInitInRunCommand, parseTerramateInvocation } from '../../src/parsers/terramate-cli.js';
import {
  ciFileKind,
  extractCommandSites,
  extractGitHubWorkflow,
  extractGitLabCi,
  extractJustfile,
  extractPackageJson,
  extractTaskfile,
  positionInFile,
  type CommandSite,
} from '../../src/parsers/yaml-ci.js';

interface Found {
  label: string;
  sharing: Knowable<boolean>;
  parallel: Knowable<number>;
  /** file line:column of the `terramate` word and of the `init` word */
  terramate: string;
  init: string | null;
}

/** What a rule would see: terramate invocations per site, with file positions. */
function invocations(site: CommandSite): Found[] {
  const { commands } = parseShell(site.text, { env: site.env });
  const found: Found[] = [];
  for (const command of commands) {
    const run = parseTerramateInvocation(command.argv, { env: command.environment });
    if (run === null) continue;
    const at = (offset: number): string => {
      const position = positionInFile(site, offset);
      return `${position.line}:${position.column}`;
    };
    const init = run.kind === 'run' ? findInitInRunCommand(run.command, command.environment)[0] : undefined;
    found.push({
      label: site.label,
      sharing: run.options.enableSharing.value,
      parallel: run.options.parallel.value,
      terramate: at(command.argv[0].start),
      init: init === undefined ? null : at(init.initWord.start),
    });
  }
  return found;
}

/** line:column (1-based) of `needle` in `source`, plus `shift` characters: an independent oracle. */
function at(source: string, needle: string, shift = 0): string {
  const index = source.indexOf(needle);
  if (index < 0 || source.indexOf(needle, index + 1) >= 0) throw new Error(`needle not unique: ${needle}`);
  const before = source.slice(0, index + shift);
  const line = before.split('\n').length;
  return `${line}:${index + shift - before.lastIndexOf('\n')}`;
}

/** Every character outside template placeholders maps to the same character in the file. */
function expectFaithfulMap(site: CommandSite, source: string): void {
  const masked = new Set<number>();
  for (const match of site.text.matchAll(/\$\{_+\}/g)) for (let i = 0; i < match[0].length; i++) masked.add(match.index + i);
  for (let i = 0; i < site.text.length; i++) {
    if (masked.has(i) || site.text[i] === '\n') continue;
    const original = source[site.lineMap.fileOffsets[i]];
    // Folding turns a line break into a space.
    if (site.text[i] === ' ' && original === '\n') continue;
    expectWithMessage(original, `${site.label} char ${i}`).toBe(site.text[i]);
  }
}

const WORKFLOW = `name: terraform
on:
  push:
    branches: [main]
env:
  TF_IN_AUTOMATION: "1"
  TM_ARG_RUN_PARALLEL: 4
jobs:
  init:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        stack: [dev, prod]
    env:
      TM_ARG_RUN_ENABLE_SHARING: \${{ inputs.sharing }}
    steps:
      - uses: actions/checkout@v4
      # terramate run --enable-sharing -- terraform init
      - name: terramate run --enable-sharing -- terraform init
        run: terramate run --changed -- terraform init
      - name: continued
        env:
          TM_ARG_RUN_ENABLE_SHARING: "false"
        run: |
          echo "init \${{ matrix.stack }}"
          terramate run \\
            --enable-sharing \\
            -- terraform init
  plan:
    runs-on: ubuntu-latest
    steps:
      - run: >-
          terramate run --parallel 2
          --mock-on-fail -- terraform plan
      - shell: pwsh
        run: terramate run --enable-sharing -- terraform init
      - run: "terramate run --enable-sharing -- sh -c 'terraform init'"
`;

describe('GitHub Actions workflows', () => {
  const { sites, diagnostics } = extractGitHubWorkflow('.github/workflows/tf.yml', WORKFLOW);

  it('finds every run step, skipping names, comments and non-POSIX shells', () => {
    expect(diagnostics).toEqual([]);
    expect(sites.map((site) => site.label)).toEqual(['jobs.init.steps[1]', 'jobs.init.steps[2]', 'jobs.plan.steps[0]', 'jobs.plan.steps[2]']);
    expect(sites.map((site) => site.context)).toEqual(['github-step', 'github-step', 'github-step', 'github-step']);
  });

  it('merges env from workflow, job and step; expressions are unknown', () => {
    expect({ ...sites[0].env }).toEqual({ TF_IN_AUTOMATION: '1', TM_ARG_RUN_PARALLEL: '4', TM_ARG_RUN_ENABLE_SHARING: UNKNOWN });
    expect(sites[1].env.TM_ARG_RUN_ENABLE_SHARING).toBe('false');
    expect(sites[2].env.TM_ARG_RUN_ENABLE_SHARING).toBeUndefined();
  });

  it('reports the exact file positions of terramate and init words', () => {
    expect(sites.flatMap(invocations)).toEqual([
      // The step's name and the comment mention --enable-sharing; the command itself does not:
      // sharing is UNKNOWN only because the job env takes it from a CI input.
      { label: 'jobs.init.steps[1]', sharing: UNKNOWN, parallel: 4, terramate: '20:14', init: at(WORKFLOW, 'init\n      - name: continued') },
      { label: 'jobs.init.steps[2]', sharing: true, parallel: 4, terramate: at(WORKFLOW, 'terramate run \\'), init: at(WORKFLOW, 'init\n  plan:') },
      { label: 'jobs.plan.steps[0]', sharing: false, parallel: 2, terramate: at(WORKFLOW, 'terramate run --parallel 2'), init: null },
      { label: 'jobs.plan.steps[2]', sharing: true, parallel: 4, terramate: at(WORKFLOW, 'terramate run --enable-sharing -- sh'), init: at(WORKFLOW, "init'\"") },
    ]);
  });

  it('maps every character of block, folded and quoted scalars back to the file', () => {
    for (const site of sites) expectFaithfulMap(site, WORKFLOW);
    expect(sites[1].text).toBe('echo "init ${________________}"\nterramate run \\\n  --enable-sharing \\\n  -- terraform init\n');
    expect(sites[2].text).toBe('terramate run --parallel 2 --mock-on-fail -- terraform plan');
  });

  // Found by the fuzz suite (test/fuzz/properties.ts): the explicit indentation indicator counts
  // from the parent's indentation, so `|2` keeps a leading space here; each character was
  // mapped one place to the right, and the launch ended past the end of the file.
  it('maps block scalars with an explicit indentation indicator (|2, >2, |2-, |-2, |+2) back to the file', () => {
    for (const header of ['|2', '>2', '|2-', '|-2', '|+2']) {
      const source = `jobs:\n  init:\n    steps:\n    - run: ${header}\n         terramate run --parallel 4 -- terraform init\n`;
      const { sites, diagnostics } = extractGitHubWorkflow('w.yml', source);
      expect(diagnostics).toEqual([]);
      expectWithMessage(sites[0].text.trimEnd(), header).toBe(' terramate run --parallel 4 -- terraform init');
      expectFaithfulMap(sites[0], source);
      expect(sites.flatMap(invocations)).toEqual([{ label: 'jobs.init.steps[0]', sharing: false, parallel: 4, terramate: at(source, 'terramate'), init: at(source, 'init\n') }]);
    }
  });

  it('finds no flags in a step whose name and comment are the only mentions', () => {
    const text = `jobs:\n  a:\n    steps:\n      # terramate run --enable-sharing -- terraform init\n      - name: terramate run --enable-sharing -- terraform init\n        run: terramate run -- terraform init\n`;
    const [site] = extractGitHubWorkflow('w.yml', text).sites;
    expect(invocations(site)).toEqual([{ label: 'jobs.a.steps[0]', sharing: false, parallel: 0, terramate: '6:14', init: at(text, 'run -- terraform init\n', 17) }]);
  });

  it('reports YAML errors with line and column and does not throw', () => {
    const result = extractGitHubWorkflow('w.yml', 'jobs:\n  a:\n    steps: [\n      - run: x\n');
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics[0]).toMatchObject({ file: 'w.yml', line: expect.any(Number), column: expect.any(Number) });
  });
});

const GITLAB = `variables:
  TM_ARG_RUN_PARALLEL: "3"
  DYNAMIC: $CI_COMMIT_SHA

.tf_init: &tf_init
  - terramate run --enable-sharing -- terraform init

default:
  before_script:
    - export TF_IN_AUTOMATION=1

init:
  stage: init
  variables:
    TM_ARG_RUN_MOCK_ON_FAIL: "true"
  script:
    - echo "terramate run --enable-sharing -- terraform init"
    - *tf_init
    - |
      cd stacks && terramate run \\
        -- tofu init

.plan_template:
  script:
    - terramate script run --parallel 4 deploy

plan:
  extends: .plan_template
  after_script:
    - !reference [init, script]
`;

describe('GitLab CI', () => {
  const { sites, diagnostics } = extractGitLabCi('.gitlab-ci.yml', GITLAB);

  it('builds one shell session per job from before_script + script, and after_script apart', () => {
    expect(diagnostics).toEqual([]);
    expect(sites.map((site) => site.label)).toEqual(['init.script', 'plan.script', 'plan.after_script']);
    expect(sites[0].text).toBe(
      'export TF_IN_AUTOMATION=1\necho "terramate run --enable-sharing -- terraform init"\nterramate run --enable-sharing -- terraform init\ncd stacks && terramate run \\\n  -- tofu init\n',
    );
    for (const site of sites) expectFaithfulMap(site, GITLAB);
  });

  it('merges global and job variables; $ values are unknown', () => {
    expect({ ...sites[0].env }).toEqual({ TM_ARG_RUN_PARALLEL: '3', DYNAMIC: UNKNOWN, TM_ARG_RUN_MOCK_ON_FAIL: 'true' });
    expect({ ...sites[1].env }).toEqual({ TM_ARG_RUN_PARALLEL: '3', DYNAMIC: UNKNOWN });
  });

  it('follows aliases, extends and !reference to the original lines', () => {
    expect(sites.flatMap(invocations)).toEqual([
      { label: 'init.script', sharing: true, parallel: 3, terramate: at(GITLAB, 'terramate run --enable-sharing -- terraform init\n'), init: at(GITLAB, 'init\n\ndefault') },
      { label: 'init.script', sharing: false, parallel: 3, terramate: at(GITLAB, 'terramate run \\'), init: at(GITLAB, 'init\n\n.plan') },
      { label: 'plan.script', sharing: false, parallel: 4, terramate: at(GITLAB, 'terramate script'), init: null },
      { label: 'plan.after_script', sharing: true, parallel: 3, terramate: at(GITLAB, 'terramate run --enable-sharing -- terraform init\n'), init: at(GITLAB, 'init\n\ndefault') },
      { label: 'plan.after_script', sharing: false, parallel: 3, terramate: at(GITLAB, 'terramate run \\'), init: at(GITLAB, 'init\n\n.plan') },
    ]);
  });
});

describe('package.json, Taskfile, justfile', () => {
  it('reads package.json scripts with escapes mapped', () => {
    const text = '{\n  "name": "x",\n  "scripts": {\n    "init": "TM_ARG_RUN_ENABLE_SHARING=true terramate run -- terraform init",\n    "q": "sh -c \\"terramate run --enable-sharing -- terraform init\\""\n  }\n}\n';
    const { sites, diagnostics } = extractPackageJson('package.json', text);
    expect(diagnostics).toEqual([]);
    expect(sites.map((site) => site.label)).toEqual(['scripts.init', 'scripts.q']);
    expect(sites.flatMap(invocations)).toEqual([
      { label: 'scripts.init', sharing: true, parallel: 0, terramate: at(text, 'terramate run -- terraform init",'), init: at(text, 'init",') },
      { label: 'scripts.q', sharing: true, parallel: 0, terramate: at(text, 'terramate run --enable-sharing'), init: at(text, 'init\\""') },
    ]);
  });

  it('reports bad JSON with a position', () => {
    expect(extractPackageJson('package.json', '{\n  "scripts": {"a": 1,}\n}').diagnostics).toEqual([
      { file: 'package.json', message: 'expected a property name', offset: 23, line: 2, column: 22 },
    ]);
  });

  it('reads Taskfile cmds (strings and {cmd}) with env and masks templates', () => {
    const text = `version: '3'\nenv:\n  TM_ARG_RUN_PARALLEL: "2"\ntasks:\n  init:\n    env:\n      TM_ARG_RUN_MOCK_ON_FAIL: '{{.MOCK}}'\n    cmds:\n      - terramate run {{.TM_OPTS}} -- terraform init\n      - cmd: terramate run --enable-sharing -- terraform init\n`;
    const { sites } = extractTaskfile('Taskfile.yml', text);
    expect(sites.map((site) => site.text)).toEqual(['terramate run ${_________} -- terraform init', 'terramate run --enable-sharing -- terraform init']);
    expect(sites[0].env).toMatchObject({ TM_ARG_RUN_PARALLEL: '2', TM_ARG_RUN_MOCK_ON_FAIL: UNKNOWN });
    expect(sites.flatMap(invocations)).toEqual([
      { label: 'tasks.init.cmds[0]', sharing: false, parallel: 2, terramate: at(text, 'terramate run {{'), init: at(text, 'init\n      - cmd') },
      { label: 'tasks.init.cmds[1]', sharing: true, parallel: 2, terramate: at(text, 'terramate run --enable'), init: at(text, 'sharing -- terraform init\n', 21) },
    ]);
  });

  it('reads justfile recipe lines with continuations', () => {
    const text = 'export TM_ARG_RUN_PARALLEL := "6"\n\n# terramate run --enable-sharing\ninit:\n    @terramate run \\\n      --enable-sharing -- terraform init\n\nplan stack="x":\n\t-terramate run -- terraform plan\n';
    const { sites } = extractJustfile('justfile', text);
    expect(sites.map((site) => site.label)).toEqual(['init', 'plan']);
    expect(sites.flatMap(invocations)).toEqual([
      { label: 'init', sharing: true, parallel: 6, terramate: at(text, 'terramate run \\'), init: at(text, 'init\n\nplan') },
      { label: 'plan', sharing: false, parallel: 6, terramate: at(text, 'terramate run -- terraform plan'), init: null },
    ]);
  });
});

describe('dispatch and robustness', () => {
  it('picks the extractor from the path', () => {
    expect(['.github/workflows/ci.yaml', 'sub/.gitlab-ci.yml', 'package.json', 'Taskfile.yml', 'justfile', 'Makefile'].map(ciFileKind)).toEqual([
      'github-workflow', 'gitlab-ci', 'package-json', 'taskfile', 'justfile', null,
    ]);
  });

  it('never throws on random YAML-ish and JSON-ish input', () => {
    const alphabet = ['jobs:', 'steps:', '- run: ', 'script:', 'scripts', '\n', '  ', '|', '>', '"', "'", '{', '}', '[', ']', ':', ',', '&a', '*a', '!reference', '\\', 'x', '${{', '}}', '#'];
    let seed = 99;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let n = 0; n < 1500; n++) {
      let text = '';
      for (let i = 0; i < 30; i++) text += alphabet[Math.floor(random() * alphabet.length)];
      for (const file of ['.github/workflows/a.yml', '.gitlab-ci.yml', 'package.json', 'Taskfile.yml', 'justfile']) {
        const result = extractCommandSites(file, text);
        for (const diagnostic of result.diagnostics) expect(diagnostic.message).not.toMatch(/internal error/);
        for (const site of result.sites) {
          expect(site.lineMap.fileOffsets).toHaveLength(site.text.length + 1);
          parseShell(site.text, { env: site.env });
        }
      }
    }
  });
});

describe('scalar line maps over generated scalars', () => {
  it('maps every character of 500 generated run: scalars back to its source character', () => {
    let seed = 2024;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const lineText = (): string =>
      Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(['terramate', 'run', '--', 'init', '"x"', "'y'", '\\', '$V', '#c', 'a:b', '  '])).join(' ').trim() || 'x';
    for (let n = 0; n < 500; n++) {
      const style = pick(['|', '|-', '|+', '>', '>-', 'plain', 'double', 'single']);
      const lines = Array.from({ length: 1 + Math.floor(random() * 4) }, lineText);
      let scalar: string;
      if (style === 'plain') scalar = `terramate ${lines.join(' ').replace(/#/g, '').replace(/: /g, ' ').replace(/:$/, '')}`;
      else if (style === 'double') scalar = `"${lines.join(' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}\\tend"`;
      else if (style === 'single') scalar = `'${lines.join(' ').replace(/'/g, "''")}'`;
      else scalar = `${style}\n${lines.map((line) => `          ${line}`).join('\n')}`;
      const source = `jobs:\n  j:\n    steps:\n      - run: ${scalar}\n`;
      const { sites, diagnostics } = extractGitHubWorkflow('w.yml', source);
      if (diagnostics.length > 0) continue; // a generated plain scalar that YAML reads differently
      expectWithMessage(sites, source).toHaveLength(1);
      const site = sites[0];
      expect(site.lineMap.fileOffsets).toHaveLength(site.text.length + 1);
      for (let i = 0; i < site.text.length; i++) {
        const original = source[site.lineMap.fileOffsets[i]];
        const char = site.text[i];
        if (char === '\n' || (char === ' ' && original === '\n')) continue;
        // An escape sequence maps to its backslash.
        if (style === 'double' && original === '\\') continue;
        expectWithMessage(original, `${JSON.stringify(source)} char ${i}`).toBe(char);
      }
    }
  });
});
