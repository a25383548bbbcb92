import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseShell } from 'shell-quote';
import { parse } from 'yaml';
import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { copyFixture, emptyHome, REPO, runCli, tempDir } from '../commands/run-cli.js';
import { loadAction } from './composite-action.js';
import { onPath } from './support.js';

const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
const action = loadAction(join(REPO, 'action.yml'));
const hookId = (parse(readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')) as Array<{ id: string }>)[0].id;

/** The text of the README section under `heading` (up to the next heading of the same or a higher level). */
function section(heading: string): string {
  const lines = readme.split('\n');
  const start = lines.findIndex((line) => line.replace(/^#+ /, '') === heading && line.startsWith('#'));
  expectWithMessage(start, `README has a "${heading}" heading`).toBeGreaterThanOrEqual(0);
  const level = /^#+/.exec(lines[start])?.[0].length ?? 2;
  let inFence = false;
  let end = lines.length;
  for (let index = start + 1; index < lines.length; index++) {
    if (lines[index].startsWith('```')) inFence = !inFence;
    const heading = /^(#+) /.exec(lines[index]);
    if (!inFence && heading && heading[1].length <= level) {
      end = index;
      break;
    }
  }
  return lines.slice(start + 1, end).join('\n');
}

/** The text of every file of fixtures/seed-blog in this checkout. */
function fixtureTexts(): Record<string, string> {
  const texts: Record<string, string> = {};
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else texts[path] = readFileSync(path, 'utf8');
  };
  visit(join(REPO, 'fixtures', 'seed-blog'));
  return texts;
}

function fencedBlocks(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]);
}

function validateWithPreCommit(kind: 'validate-config' | 'validate-manifest', text: string) {
  const file = join(tempDir(), 'config.yaml');
  writeFileSync(file, text);
  return spawnSync('pre-commit', [kind, file], { encoding: 'utf8' });
}

describe('README integration sections', () => {
  it('keeps the two newcomer commands at the top', () => {
    const tryIt = section('Try it');
    expect(tryIt).toContain('npm ci && npm run build && ./bin/run.js check fixtures/seed-blog');
    expect(tryIt).toContain('npm test');
    expect(readme.indexOf('## Try it')).toBeLessThan(readme.indexOf('## Before a release'));
  });

  it('"Sample output" is what its command prints on this checkout, byte for byte', () => {
    const [block] = fencedBlocks(section('Sample output'), '');
    const [command, ...expected] = block.split('\n');
    expect(command).toBe('$ env -i PATH="$PATH" HOME=/tmp/empty-home ./bin/run.js check fixtures/seed-blog');
    // The same command with a home of this test's own (no file in it either way).
    const home = tempDir();
    const result = spawnSync(process.execPath, [join(REPO, 'bin/run.js'), 'check', 'fixtures/seed-blog'], { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: home }, encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout.split(home).join('/tmp/empty-home')).toBe(`\n${expected.join('\n')}`);
  });

  it('"Try the fix" fixes a copy of the example and leaves the checkout as it was', () => {
    const [script] = fencedBlocks(section('Try the fix'), 'sh');
    expect(script).toContain('--fix-dry-run');
    const checkout = () => spawnSync('git', ['status', '--porcelain', '--untracked-files=all', '--ignored', '--', 'fixtures/seed-blog', '.terraform-plugin-cache'], { cwd: REPO, encoding: 'utf8' }).stdout;
    const before = { status: checkout(), cache: existsSync(join(REPO, '.terraform-plugin-cache')), seed: fixtureTexts() };
    // mktemp -d makes the copy in this test's own directory (TMPDIR), removed after it.
    const tmp = tempDir();
    const result = spawnSync('bash', ['-c', `${script}\necho "copy=$copy"`], { cwd: REPO, env: { PATH: process.env.PATH ?? '', HOME: emptyHome(), TMPDIR: tmp }, encoding: 'utf8' });
    // The last check of the copy is clean; the dry run printed the diff first.
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^diff --git a\/\.terraform-plugin-cache\/\.gitignore /);
    expect(result.stderr).toContain('tm-doctor: dry run: nothing was written');
    const copy = /^copy=(.*)$/m.exec(result.stdout)?.[1] ?? '';
    expect(copy.startsWith(`${tmp}/`)).toBe(true);
    expect(readFileSync(join(copy, 'Makefile'), 'utf8')).not.toBe(readFileSync(join(REPO, 'fixtures', 'seed-blog', 'Makefile'), 'utf8'));
    expect(existsSync(join(copy, '.terraform-plugin-cache', '.gitignore'))).toBe(true);
    expect({ status: checkout(), cache: existsSync(join(REPO, '.terraform-plugin-cache')), seed: fixtureTexts() }).toEqual(before);
  });

  it('"Running some of the tests": the README\'s subset command is an npm script that runs jest with the flags it needs, and no build', () => {
    expect(section('Try it')).toContain('npm run test:only -- test/rules');
    const commands = fencedBlocks(section('Running some of the tests'), 'sh').join('\n');
    expect(commands).toContain('npm run test:only -- test/rules ');
    const scripts = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['test:only']).toMatch(/^node --experimental-vm-modules .*node_modules\/jest\/bin\/jest\.js$/);
    // What `npm test` runs jest with, after its build and type check.
    expect(scripts.test.endsWith(scripts['test:only'])).toBe(true);
    expect(scripts['pretest:only']).toBeUndefined();
    // Each file or folder the examples name exists.
    for (const [, target] of commands.matchAll(/test:only -- (\S+)/g)) expect(existsSync(join(REPO, target))).toBe(true);
  });

  it('"Try it" explains the install scripts of exactly the packages package-lock.json says have one', () => {
    const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .sort();
    const explained = [...section('Try it').matchAll(/^\| `([^`]+)` \|/gm)].map((match) => match[1]).sort();
    expect(explained).toEqual(withScripts);
    expect(section('Try it')).toContain(`warns that ${['no', 'one', 'two', 'three', 'four', 'five', 'six'][withScripts.length]} packages`);
  });

  it('"Before a release" names the pack and test commands', () => {
    const text = section('Before a release');
    expect(text).toContain('npm test');
    expect(text).toContain('npm pack --dry-run');
  });

  it('"As a pre-commit hook": the snippet is a valid pre-commit config using the shipped hook id (pre-commit decides)', () => {
    const [snippet] = fencedBlocks(section('As a pre-commit hook'), 'yaml');
    const config = parse(snippet) as { repos: Array<{ repo: string; rev: string; hooks: Array<{ id: string }> }> };
    expect(config.repos[0].hooks.map((hook) => hook.id)).toEqual([hookId]);
    expectWithMessage(onPath('pre-commit'), 'pre-commit is not installed').toBe(true);
    const result = validateWithPreCommit('validate-config', snippet);
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('.pre-commit-hooks.yaml is a valid manifest (pre-commit decides), and a broken one is not', () => {
    expect(validateWithPreCommit('validate-manifest', readFileSync(join(REPO, '.pre-commit-hooks.yaml'), 'utf8')).status).toBe(0);
    expect(validateWithPreCommit('validate-manifest', '- id: x\n  entry: y\n').status).not.toBe(0);
  });

  it('"In CI" GitHub workflow: uses the action with real inputs and uploads its SARIF output', () => {
    const [workflowText] = fencedBlocks(section('GitHub Actions'), 'yaml');
    const workflow = parse(workflowText) as {
      permissions: Record<string, string>;
      jobs: Record<string, { steps: Array<{ uses?: string; id?: string; if?: string; with?: Record<string, string> }> }>;
    };
    expect(workflow.permissions['security-events']).toBe('write');
    const steps = Object.values(workflow.jobs)[0].steps;
    const doctor = steps.find((step) => step.uses?.startsWith('tm-doctor/tm-doctor@'));
    expect(doctor).toBeDefined();
    for (const input of Object.keys(doctor?.with ?? {})) expect(Object.keys(action.inputs)).toContain(input);
    const upload = steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'));
    expect(upload?.with?.sarif_file).toBe(`\${{ steps.${doctor?.id}.outputs.sarif-file }}`);
    expect(Object.keys(action.outputs)).toContain('sarif-file');
    expect(upload?.if).toContain('always()');
    expect(steps.indexOf(upload as object)).toBeGreaterThan(steps.indexOf(doctor as object));
  });

  it('"In CI" input table matches action.yml', () => {
    const rows = section('GitHub Actions')
      .split('\n')
      .filter((line) => /^\| `[a-z-]+` \|/.test(line))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    const table = Object.fromEntries(rows.map((cells) => [cells[1].replaceAll('`', ''), cells[2] === '(empty)' ? '' : cells[2].replaceAll('`', '')]));
    const defaults = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, input.default ?? '']));
    expect(table).toEqual(defaults);
  });

  it('"In CI" GitLab job: its tm-doctor commands run as documented and write the junit report it declares', () => {
    const [jobText] = fencedBlocks(section('GitLab CI'), 'yaml');
    const job = Object.values(parse(jobText) as Record<string, { script: string[]; artifacts: { when: string; reports: { junit: string } } }>)[0];
    expect(job.artifacts.when).toBe('always');
    const project = copyFixture('seed-blog');
    const home = emptyHome();
    const statuses = job.script
      .map((line) => parseShell(line).filter((token): token is string => typeof token === 'string'))
      .filter((argv) => argv[0] === 'tm-doctor')
      .map((argv) => runCli(argv.slice(1), { cwd: project, home }).status);
    // The first prints the report and never fails; the second writes junit and fails on the seed's findings.
    expect(statuses).toEqual([0, 1]);
    const report = join(project, job.artifacts.reports.junit);
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toMatch(/^<\?xml[^>]*\?>\s*<testsuites/);
  });
});
