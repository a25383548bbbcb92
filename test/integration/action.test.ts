import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { rules } from '../../src/rules/index.js';
import { compileSarifSchema } from '../support/sarif-schema.js';
import { copyFixture, emptyHome, homeWithPluginCache, REPO, scrubbedEnv, tempDir } from '../commands/run-cli.js';
import { loadAction, parseOutputFile, runCompositeAction, type RunnerContext } from './composite-action.js';
import { copyWorkingTree, npmNetworkEnv, suiteTempDir } from './support.js';

const action = loadAction(join(REPO, 'action.yml'));
const INSTALL = 'Install tm-doctor';
const CHECK = 'Run tm-doctor';

describe('action.yml structure', () => {
  it('is a composite action with the documented inputs and defaults', () => {
    expect(action.name).toBe('tm-doctor');
    expect(action.runs.using).toBe('composite');
    const defaults = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default]));
    expect(defaults).toEqual({ path: '.', format: 'sarif', 'fail-on': 'warning', 'sarif-file': 'tm-doctor.sarif', version: '' });
    for (const input of Object.values(action.inputs)) {
      expect(input.description.length).toBeGreaterThan(10);
      expect(input.required).toBe(false);
    }
    expect(Object.keys(action.outputs).sort()).toEqual(['exit-code', 'sarif-file']);
  });

  it('has an install step and a check step, bash only, and inputs reach scripts only through env', () => {
    expect(action.runs.steps.map((step) => [step.name, step.shell])).toEqual([
      [INSTALL, 'bash'],
      [CHECK, 'bash'],
    ]);
    for (const step of action.runs.steps) expectWithMessage(step.run, step.name).not.toMatch(/\$\{\{/);
    expect(action.runs.steps[1].id).toBe('check');
  });
});

describe('parseOutputFile (the interpreter reads GITHUB_OUTPUT as the runner does)', () => {
  it('reads name=value lines and heredoc blocks', () => {
    expect(parseOutputFile('a=1\nb=x=y\nc<<EOF\nline 1\nline 2\nEOF\n')).toEqual({ a: '1', b: 'x=y', c: 'line 1\nline 2' });
  });
});

describe('the install step with a version spec (npm stubbed)', () => {
  function stubBin(dir: string, name: string, script: string): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, name), 0o755);
  }

  it('installs tm-doctor@VERSION into a private prefix and adds its bin to GITHUB_PATH', () => {
    const runnerTemp = tempDir('tm-doctor-runner-');
    const stubs = join(tempDir(), 'bin');
    const argsFile = join(runnerTemp, 'npm-args');
    stubBin(stubs, 'npm', `printf '%s\\n' "$@" > "${argsFile}"`);
    const run = runCompositeAction(
      action,
      {
        actionPath: tempDir(),
        workspace: tempDir(),
        runnerTemp,
        env: scrubbedEnv(emptyHome(), { PATH: `${stubs}:${process.env.PATH}` }),
        with: { version: '^0.1' },
      },
      [INSTALL],
    );
    expect(run.steps[0].stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readFileSync(argsFile, 'utf8').split('\n').filter(Boolean)).toEqual([
      'install',
      '--global',
      '--prefix',
      join(runnerTemp, 'tm-doctor'),
      '--no-audit',
      '--no-fund',
      'tm-doctor@^0.1',
    ]);
    expect(readFileSync(join(runnerTemp, '_github_path'), 'utf8')).toBe(`${join(runnerTemp, 'tm-doctor', 'bin')}\n`);
  });

  it('refuses a Node.js older than 20 with an error annotation and exit 2', () => {
    const stubs = join(tempDir(), 'bin');
    stubBin(stubs, 'node', 'echo 18');
    const run = runCompositeAction(
      action,
      { actionPath: tempDir(), workspace: tempDir(), runnerTemp: tempDir(), env: scrubbedEnv(emptyHome(), { PATH: `${stubs}:${process.env.PATH}` }) },
      [INSTALL],
    );
    expect(run.status).toBe(2);
    expect(run.steps[0].stdout).toMatch(/^::error title=tm-doctor::tm-doctor needs Node\.js 20 or later/m);
  });
});

// Slow (about 30 s): the default install builds the action's own checkout (npm ci + build).
describe("the action end to end, installed from its own checkout (slow: npm ci of a copy of this repository)", () => {
  let work: string;
  let actionPath: string;
  let runnerTemp: string;
  let installedPath: string;

  beforeAll(() => {
    work = suiteTempDir('tm-doctor-action-');
    actionPath = join(work, 'action');
    runnerTemp = join(work, 'runner-temp');
    mkdirSync(runnerTemp);
    copyWorkingTree(actionPath);
    const run = runCompositeAction(
      action,
      { actionPath, workspace: work, runnerTemp, env: scrubbedEnv(emptyHome(), npmNetworkEnv()) },
      [INSTALL],
    );
    expect(run.steps[0].stderr).not.toMatch(/npm error/);
    expect(run.status).toBe(0);
    installedPath = readFileSync(join(runnerTemp, '_github_path'), 'utf8').trim();
    expect(existsSync(join(installedPath, 'tm-doctor'))).toBe(true);
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Runs the check step in a copy of FIXTURE (as GITHUB_WORKSPACE), with tm-doctor installed above. */
  function check(fixture: string, inputs: Record<string, string>, home = emptyHome(), prepare?: (workspace: string) => void) {
    const workspace = copyFixture(fixture);
    prepare?.(workspace);
    const stepTemp = tempDir('tm-doctor-runner-');
    writeFileSync(join(stepTemp, '_github_path'), '');
    const context: RunnerContext = {
      actionPath,
      workspace,
      runnerTemp: stepTemp,
      env: scrubbedEnv(home, { PATH: `${installedPath}:${process.env.PATH}` }),
      with: inputs,
    };
    return { workspace, run: runCompositeAction(action, context, [CHECK]) };
  }

  it('seed project with defaults: writes valid SARIF, prints annotations, fails with 1', () => {
    const { workspace, run } = check('seed-blog', {});
    const step = run.steps[0];
    expect(run.status).toBe(1);
    expect(run.outputs).toEqual({ 'sarif-file': 'tm-doctor.sarif', 'exit-code': '1' });
    const sarif = JSON.parse(readFileSync(join(workspace, 'tm-doctor.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    const validate = compileSarifSchema();
    validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(sarif.runs[0].results.map((result) => result.ruleId)).toContain('plugin-cache-dir');
    expect(step.stdout).toMatch(/^::warning file=terramate\.tm\.hcl,line=1,col=1,endLine=1,endColumn=\d+,title=[^:]+::.*%0Aplugin-cache-dir: https:/m);
    // Every line on stdout is an annotation: the SARIF went to the file only.
    for (const line of step.stdout.trimEnd().split('\n')) expect(line).toMatch(/^::(error|warning|notice) /);
  });

  it('clean project with a plugin cache: exit 0, an empty SARIF run, no annotations', () => {
    const { workspace, run } = check('clean', {}, homeWithPluginCache());
    expect(run.status).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
    const sarif = JSON.parse(readFileSync(join(workspace, 'tm-doctor.sarif'), 'utf8')) as { runs: Array<{ results: unknown[] }> };
    expect(sarif.runs[0].results).toEqual([]);
    expect(run.steps[0].stdout).toBe('');
  });

  it('fail-on never: the findings are still reported, the step passes', () => {
    const { workspace, run } = check('seed-blog', { 'fail-on': 'never' });
    expect(run.status).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
    expect(existsSync(join(workspace, 'tm-doctor.sarif'))).toBe(true);
    expect(run.steps[0].stdout).toMatch(/^::warning file=terramate\.tm\.hcl,.*%0Aplugin-cache-dir: https:/m);
  });

  it('fail-on error when the config makes every finding a warning: reported, but the step passes', () => {
    const everyRuleWarns = JSON.stringify({ rules: Object.fromEntries(rules.map((rule) => [rule.meta.id, 'warning'])) });
    const { run } = check('seed-blog', { 'fail-on': 'error' }, emptyHome(), (workspace) =>
      writeFileSync(join(workspace, '.tm-doctor.json'), everyRuleWarns),
    );
    expect(run.status).toBe(0);
    expect(run.outputs['exit-code']).toBe('0');
    expect(run.steps[0].stdout).toMatch(/^::warning file=terramate\.tm\.hcl,.*%0Aplugin-cache-dir: https:/m);
    expect(run.steps[0].stdout).not.toMatch(/^::error /m);
  });

  it('format junit into a nested path: the directory is created and the file is JUnit XML', () => {
    const { workspace, run } = check('seed-blog', { format: 'junit', 'sarif-file': 'reports/tm-doctor.xml' });
    expect(run.status).toBe(1);
    expect(run.outputs['sarif-file']).toBe('reports/tm-doctor.xml');
    const xml = new XMLParser({ ignoreAttributes: false }).parse(readFileSync(join(workspace, 'reports', 'tm-doctor.xml'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(xml)).toContain('testsuites');
  });

  it('path input selects the directory to check; a missing one fails with 2 and no annotations', () => {
    const { run } = check('seed-blog', { path: 'no/such/dir' });
    expect(run.status).toBe(2);
    expect(run.outputs['exit-code']).toBe('2');
    expect(run.steps[0].stderr).toContain('no such directory');
    expect(run.steps[0].stdout).toBe('');
  });

  it('an input cannot inject shell code', () => {
    const marker = join(tempDir(), 'injected');
    const { run } = check('seed-blog', { path: `"; touch ${marker}; echo "` });
    expect(run.status).toBe(2);
    expect(existsSync(marker)).toBe(false);
  });
});
