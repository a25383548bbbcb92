import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseCheckArgs, refusedFixFlags } from '../../src/cli/check-args.js';
import { REPORT_FORMATS } from '../../src/reporters/index.js';
import { copyFixture, emptyHome, hasStackTrace, runCli, unwrapOclifError } from './run-cli.js';

// Where a newcomer reaches for a command: `help COMMAND`, `version`, `-h`, `-v` as in other
// oclif CLIs; fix flags that only make sense together refused as ESLint refuses its own; a dry
// run that says it wrote nothing.

/** bin/run.js answers some of these without oclif; DEBUG makes oclif answer everything. */
const OCLIF = { DEBUG: 'nothing-matches-this' };

/** Every file under `dir` with its content: what a run must leave as it was. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (path: string): void => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path).sort()) visit(join(path, name));
    else files[relative(dir, path)] = readFileSync(path, 'utf8');
  };
  visit(dir);
  return files;
}

describe('help and version where users reach for them', () => {
  it('`help check` prints what `check --help` prints', () => {
    const help = runCli(['help', 'check']);
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('$ tm-doctor check [DIR]');
    expect(help.stdout).toContain('--fix-dry-run');
    expect(help.stdout).toBe(runCli(['check', '--help']).stdout);
  });

  it.each(['rules', 'explain', 'version'])('`help %s` prints that command’s help', (command) => {
    const help = runCli(['help', command]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`$ tm-doctor ${command}`);
    expect(help.stdout).toBe(runCli([command, '--help']).stdout);
  });

  it('`help`, `-h` and `--help` print the overview, which lists the commands', () => {
    const help = runCli(['help']);
    expect(help.status).toBe(0);
    for (const command of ['check', 'rules', 'explain', 'help', 'version']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(runCli(['-h']).stdout).toBe(help.stdout);
    expect(runCli(['--help']).stdout).toBe(help.stdout);
  });

  it('`help` of an unknown command exits 2 naming it, without a stack trace', () => {
    const help = runCli(['help', 'nope']);
    expect(help.status).toBe(2);
    expect(unwrapOclifError(help.stderr)).toContain('nope not found');
    expect(hasStackTrace(help.stderr)).toBe(false);
  });

  it('`version` and `-v` print the `--version` line, with and without oclif', () => {
    const line = runCli(['--version']);
    expect(line.status).toBe(0);
    expect(line.stdout).toMatch(/^tm-doctor\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+\S*\n$/);
    for (const args of [['version'], ['-v']]) {
      for (const env of [{}, OCLIF]) {
        const result = runCli(args, { env });
        expect({ args, env, status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ args, env, status: 0, stdout: line.stdout, stderr: '' });
      }
    }
  });

  it('a directory named `version` is still checked with `check version`', () => {
    const result = runCli(['check', 'version']);
    expect(result.status).toBe(2);
    expect(unwrapOclifError(result.stderr)).toContain('version: no such directory');
  });
});

describe('fix flags that only make sense together are refused (exit 2, one line), as ESLint refuses its own', () => {
  const refusals: Array<[string[], string]> = [
    [['--unsafe-fixes'], '--unsafe-fixes requires --fix or --fix-dry-run'],
    [['--unsafe-fixes', '--format', 'json', '--no-exec'], '--unsafe-fixes requires --fix or --fix-dry-run'],
    [['--fix', '--fix-dry-run'], '--fix and --fix-dry-run cannot be used together'],
    [['--fix-dry-run', '--fix', '--unsafe-fixes'], '--fix and --fix-dry-run cannot be used together'],
  ];

  it.each(refusals)('%j: refused before anything is read or written, by the fast path and by oclif alike', (flags, reason) => {
    expect(refusedFixFlags(parseFlags(flags))).toBe(reason);
    // The fast path leaves it to oclif, so the refusal is printed one way only.
    expect(parseCheckArgs(flags, REPORT_FORMATS)).toBeNull();
    const project = copyFixture('seed-blog');
    const before = tree(project);
    const home = emptyHome();
    for (const env of [{}, OCLIF]) {
      const result = runCli(['check', project, ...flags], { home, env });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(unwrapOclifError(result.stderr).trim()).toBe(`Error: ${reason}`);
      // Without a command word too (bin/run.js adds `check`).
      expect(runCli([project, ...flags], { home, env }).stderr).toBe(result.stderr);
    }
    expect(tree(project)).toEqual(before);
  });

  it.each([[['--fix']], [['--fix-dry-run']], [['--fix', '--unsafe-fixes']], [['--fix-dry-run', '--unsafe-fixes']], [[]]])('%j is accepted', (flags) => {
    expect(refusedFixFlags(parseFlags(flags))).toBeNull();
    expect(parseCheckArgs(flags, REPORT_FORMATS)).not.toBeNull();
  });
});

/** The fix flags as parsed (absent when not given). */
function parseFlags(argv: string[]): { fix?: boolean; 'fix-dry-run'?: boolean; 'unsafe-fixes'?: boolean } {
  return Object.fromEntries(argv.filter((arg) => ['--fix', '--fix-dry-run', '--unsafe-fixes'].includes(arg)).map((arg) => [arg.slice(2), true]));
}

describe('a dry run says that it wrote nothing, and how to apply', () => {
  const LAST_LINE = 'tm-doctor: dry run: nothing was written; to apply the diff, run the same command with --fix instead of --fix-dry-run';

  it('the diff on stdout, the report then that line on stderr; the project unchanged', () => {
    const project = copyFixture('seed-blog');
    const before = tree(project);
    const result = runCli(['check', project, '--fix-dry-run', '--no-exec']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^diff --git /);
    const stderr = result.stderr.trimEnd().split('\n');
    expect(stderr.slice(-3)).toEqual(['✖ 3 problems (1 error, 2 warnings, 0 infos)', '  2 fixable with --fix', LAST_LINE]);
    expect(tree(project)).toEqual(before);
    // What the line promises: the same command with --fix writes it.
    expect(runCli(['check', project, '--fix', '--no-exec']).status).toBe(0);
    expect(tree(project)).not.toEqual(before);
  });

  it('with -o, the report goes to the file and the line still ends stderr', () => {
    const project = copyFixture('seed-blog');
    const result = runCli(['check', project, '--fix-dry-run', '--no-exec', '--format', 'json', '-o', join(project, 'report.json')]);
    expect(result.status).toBe(1);
    expect(result.stderr.trimEnd().split('\n').at(-1)).toBe(LAST_LINE);
  });

  it('a report for tools on stderr (--format json without -o) stays parseable: no line after it', () => {
    const project = copyFixture('seed-blog');
    const result = runCli(['check', project, '--fix-dry-run', '--no-exec', '--format', 'json']);
    expect(result.status).toBe(1);
    expect((JSON.parse(result.stderr) as { findings: unknown[] }).findings).toHaveLength(3);
  });

  it('with nothing to fix, it says so', () => {
    const project = copyFixture('seed-blog');
    const result = runCli(['check', project, '--fix-dry-run', '--no-exec', '--rule', 'parse-error']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('tm-doctor: dry run: no fix to apply, nothing was written\n');
  });
});
