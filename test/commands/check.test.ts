import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { rules } from '../../src/rules/index.js';
import {
  ANSI_COLOR,
  ANSI_ESCAPE,
  CLI,
  copyFixture,
  emptyHome,
  hasStackTrace,
  homeWithPluginCache,
  REPO,
  runCli,
  scrubbedEnv,
  tempDir,
  unwrapOclifError,
} from './run-cli.js';
import { compileSarifSchema } from '../support/sarif-schema.js';

const registryIds = rules.map((rule) => rule.meta.id);
const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

interface JsonReport {
  version: number;
  tool: { name: string; version: string };
  root: string;
  findings: Array<Record<string, unknown> & { ruleId: string; severity: string; fix: unknown; fixed: boolean }>;
  summary: { errors: number; warnings: number; infos: number; fixable: number; fixed: number };
}

const FINDING_KEYS = ['column', 'endColumn', 'endLine', 'file', 'fix', 'fixed', 'help', 'line', 'message', 'messageId', 'related', 'ruleId', 'severity', 'stack'];

describe('exit codes', () => {
  it('0 on the clean fixture when a plugin cache is configured in ~/.terraformrc', () => {
    const project = copyFixture('clean');
    const result = runCli(['check', project], { home: homeWithPluginCache() });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  });

  it('1 on the seed project (its problems are at or above the default --fail-on warning)', () => {
    const result = runCli(['check', copyFixture('seed-blog')]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('plugin-cache-dir');
  });

  // One warning-level rule pins the findings, so the table holds whatever other rules exist.
  it.each([
    [[], 1],
    [['--fail-on', 'warning'], 1],
    [['--fail-on', 'info'], 1],
    [['--fail-on', 'error'], 0],
    [['--fail-on', 'never'], 0],
  ])('--fail-on %j with one warning -> %i', (failOn, expected) => {
    const result = runCli(['check', copyFixture('seed-blog'), '--rule', 'plugin-cache-dir', ...failOn]);
    expect(result.stdout).toContain('plugin-cache-dir');
    expect(result.status).toBe(expected);
  });

  it('2 for an unknown flag, with a usage message and no report', () => {
    const result = runCli(['check', copyFixture('seed-blog'), '--no-such-flag']);
    expect(result.status).toBe(2);
    expect(unwrapOclifError(result.stderr)).toContain('Nonexistent flag: --no-such-flag');
    expect(result.stdout).toBe('');
  });

  it('2 for a bad --fail-on value', () => {
    const result = runCli(['check', copyFixture('seed-blog'), '--fail-on', 'fatal']);
    expect(result.status).toBe(2);
    expect(unwrapOclifError(result.stderr)).toContain('Expected --fail-on=fatal to be one of: error, warning, info, never');
  });

  it('2 for an unknown --rule id, naming the known rules', () => {
    const result = runCli(['check', copyFixture('seed-blog'), '--rule', 'no-such-rule']);
    expect(result.status).toBe(2);
    const message = unwrapOclifError(result.stderr);
    expect(message).toContain('--rule no-such-rule: unknown rule');
    expect(message).toContain('plugin-cache-dir');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('2 for a directory that does not exist: a clear message, no stack trace', () => {
    const missing = join(tempDir(), 'no', 'such', 'dir');
    const result = runCli(['check', missing]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(unwrapOclifError(result.stderr)).toContain(`Error: ${missing}: no such directory`);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('2 with one line when HashiCorp\'s parser cannot load while thousands of files are parsed: no raw trace', () => {
    // The file HashiCorp's parser must read sorts first, so that its failure comes while the
    // parse loop still has thousands of files to go (and gives the event loop its turns).
    const project = tempDir();
    writeFileSync(join(project, 'terramate.tm.hcl'), 'terramate {\n  required_version = ">= 0.9.0"\n}\n');
    mkdirSync(join(project, 'aaa'));
    writeFileSync(join(project, 'aaa', 'broken.tm'), 'stack {\n  name = \n');
    for (let i = 0; i < 4000; i++) {
      mkdirSync(join(project, 's', `${i}`), { recursive: true });
      writeFileSync(join(project, 's', `${i}`, 'stack.tm.hcl'), `stack {\n  name = "s${i}"\n}\n`);
    }
    const hook = join(tempDir(), 'no-hcl2json.mjs');
    writeFileSync(
      hook,
      `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent("export async function resolve(specifier, context, next) { if (specifier === '@cdktf/hcl2json') throw new Error('simulated: hcl2json cannot load'); return next(specifier, context); }"));\n`,
    );
    const result = runCli(['check', project, '--no-exec', '--no-cache'], { env: { NODE_OPTIONS: `--import ${hook}` } });
    expect([result.status, result.stdout]).toEqual([2, '']);
    expect(unwrapOclifError(result.stderr)).toContain('internal failure: simulated: hcl2json cannot load');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('DEBUG=tm-doctor* adds the stack trace (so the check above can fail)', () => {
    const missing = join(tempDir(), 'missing');
    const result = runCli(['check', missing], { env: { DEBUG: 'tm-doctor*' } });
    expect(result.status).toBe(2);
    expect(hasStackTrace(result.stderr)).toBe(true);
  });
});

describe('a bad .tm-doctor.json exits 2 and names the offending key', () => {
  function checkWithConfig(configText: string) {
    const project = copyFixture('seed-blog');
    writeFileSync(join(project, '.tm-doctor.json'), configText);
    const result = runCli(['check', project]);
    return { ...result, message: unwrapOclifError(result.stderr), configFile: join(project, '.tm-doctor.json') };
  }

  it.each([
    ['an unknown rule', '{"rules": {"no-such-rule": "off"}}', `"rules.no-such-rule": unknown rule (known rules: ${registryIds.join(', ')})`],
    ['a bad severity', '{"rules": {"plugin-cache-dir": "fatal"}}', '"rules.plugin-cache-dir": must be one of off, info, warning, error'],
    ['an unknown top-level key', '{"rulez": {}}', '"rulez": unknown key'],
    ['invalid JSON', '{"rules": ', 'not valid JSON'],
  ])('%s', (_case, configText, expected) => {
    const result = checkWithConfig(configText);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.message).toContain(`${result.configFile}: `);
    expect(result.message).toContain(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('a valid config is applied (plugin-cache-dir off leaves no plugin-cache-dir finding)', () => {
    const project = copyFixture('seed-blog');
    writeFileSync(join(project, '.tm-doctor.json'), '{"rules": {"plugin-cache-dir": "off"}}');
    const report = JSON.parse(runCli(['check', project, '--format', 'json']).stdout) as JsonReport;
    expect(report.findings.map((finding) => finding.ruleId)).not.toContain('plugin-cache-dir');
  });

  it('--config naming a missing file exits 2', () => {
    const missing = join(tempDir(), 'absent.json');
    const result = runCli(['check', copyFixture('seed-blog'), '--config', missing]);
    expect(result.status).toBe(2);
    expect(unwrapOclifError(result.stderr)).toContain(`cannot read config file ${missing}`);
  });
});

describe('report output', () => {
  it('--format json on the seed project: version 1, the tool, the root, contract-shaped findings, a matching summary', () => {
    const project = copyFixture('seed-blog');
    const result = runCli(['check', project, '--format', 'json']);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: 'tm-doctor', version: PACKAGE_VERSION });
    expect(report.root).toBe(project);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings) expect(Object.keys(finding).sort()).toEqual(FINDING_KEYS);
    const count = (severity: string) => report.findings.filter((finding) => finding.severity === severity).length;
    expect(report.summary).toEqual({
      errors: count('error'),
      warnings: count('warning'),
      infos: count('info'),
      fixable: report.findings.filter((finding) => finding.fix !== null && !finding.fixed).length,
      fixed: 0,
    });
  });

  it('--format json: the plugin-cache-dir finding of the seed project, in detail', () => {
    const project = copyFixture('seed-blog');
    const report = JSON.parse(runCli(['check', project, '--format', 'json', '--rule', 'plugin-cache-dir']).stdout) as JsonReport;
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0]).toMatchObject({
      ruleId: 'plugin-cache-dir',
      severity: 'warning',
      file: 'terramate.tm.hcl',
      line: 1,
      column: 1,
      stack: null,
      fixed: false,
    });
    expect(report.summary).toEqual({ errors: 0, warnings: 1, infos: 0, fixable: 1, fixed: 0 });
  });

  it('-o FILE writes the report to FILE and nothing to stdout', () => {
    const project = copyFixture('seed-blog');
    const outFile = join(tempDir(), 'report.json');
    const home = emptyHome();
    const written = runCli(['check', project, '--format', 'json', '-o', outFile], { home });
    expect(written.status).toBe(1);
    expect(written.stdout).toBe('');
    expect(existsSync(outFile)).toBe(true);
    const printed = runCli(['check', project, '--format', 'json'], { home });
    expect(readFileSync(outFile, 'utf8')).toBe(printed.stdout);
  });

  it('`tm-doctor` with no command is `tm-doctor check`', () => {
    const project = copyFixture('seed-blog');
    const home = emptyHome();
    const explicit = runCli(['check', project, '--format', 'json'], { home });
    const implicit = runCli([project, '--format', 'json'], { home });
    expect(implicit).toEqual(explicit);
    const flagsOnly = runCli(['--format', 'json'], { home, cwd: project });
    expect(flagsOnly).toEqual(explicit);
    const bare = runCli([], { home, cwd: project });
    expect(bare.status).toBe(1);
    expect(bare.stdout).toBe(runCli(['check'], { home, cwd: project }).stdout);
    expect(bare.stdout).toContain('plugin-cache-dir');
  });

  it('--format sarif validates against the official SARIF 2.1.0 schema', () => {
    const validate = compileSarifSchema();
    const result = runCli(['check', copyFixture('seed-blog'), '--format', 'sarif']);
    expect(result.status).toBe(1);
    const log = JSON.parse(result.stdout) as { version: string; runs: Array<{ results: Array<{ ruleId: string }> }> };
    validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0].results.map((entry) => entry.ruleId)).toContain('plugin-cache-dir');
  });
});

describe('a report that cannot be written exits 2 with one line on stderr', () => {
  it.each([
    ['into a missing directory', (dir: string) => join(dir, 'no', 'such', 'report.json'), /cannot write the report to .*report\.json: directory .*no\/such does not exist$/],
    ['onto a directory', (dir: string) => dir, /cannot write the report to .*: is a directory$/],
    ['onto a full device', () => '/dev/full', /cannot write the report to \/dev\/full: no space left on device$/],
  ])('-o %s', (_case, target, expected) => {
    const result = runCli(['check', copyFixture('seed-blog'), '--rule', 'plugin-cache-dir', '--format', 'json', '-o', target(tempDir())]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr.trimEnd()).toMatch(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('stdout on a full device', () => {
    const project = copyFixture('seed-blog');
    const full = openSync('/dev/full', 'w');
    const result = spawnSync(process.execPath, [CLI, 'check', project, '--rule', 'plugin-cache-dir'], {
      env: scrubbedEnv(emptyHome()),
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
      timeout: 60_000,
    });
    closeSync(full);
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('tm-doctor: cannot write the report to stdout: no space left on device\n');
  });
});

describe('--handshake-timeout is a delay Node can honour: 1 to 2147483647 ms', () => {
  it.each([
    ['2147483648', 'Expected an integer less than or equal to 2147483647 but received: 2147483648'],
    ['0', 'Expected an integer greater than or equal to 1 but received: 0'],
    ['abc', 'Expected an integer but received: abc'],
  ])('%s exits 2 with a message', (value, expected) => {
    const result = runCli(['check', copyFixture('seed-blog'), '--handshake-timeout', value]);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(unwrapOclifError(result.stderr)).toContain(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('2147483647 is accepted', () => {
    const result = runCli(['check', copyFixture('seed-blog'), '--rule', 'plugin-cache-dir', '--handshake-timeout', '2147483647']);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('plugin-cache-dir');
  });
});

describe('control characters in names and text from the project', () => {
  // A directory, a file and a Makefile variable named with ESC sequences, BEL and a C1 CSI.
  const DIR = 'd\u001b[2K\u009bx';
  const FILE = 'ci\u001b]0;title\u0007.mk';
  const VARIABLE = 'X\u001b[1A';
  const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  function hostileProject(): string {
    const project = tempDir();
    writeFileSync(join(project, 'terramate.tm.hcl'), 'terramate {\n  required_version = ">= 0.9"\n}\n');
    mkdirSync(join(project, 'a'));
    writeFileSync(join(project, 'a', 'stack.tm.hcl'), 'stack {}\n');
    mkdirSync(join(project, DIR));
    writeFileSync(join(project, DIR, 'Makefile'), `${VARIABLE} := --enable-sharing\ninit:\n\tterramate run $(${VARIABLE}) -- terraform init\n`);
    writeFileSync(join(project, FILE), 'init:\n\tterramate run --enable-sharing -- terraform init\n');
    return project;
  }

  it('stylish shows them escaped, never raw', () => {
    const result = runCli(['check', hostileProject(), '--rule', 'no-sharing-on-init']);
    expect(result.status).toBe(1);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stdout).toContain('ci\\x1b]0;title\\x07.mk:2:2: error: ');
    expect(result.stdout).toContain('d\\x1b[2K\\u009bx/Makefile:3:16: error: ');
    expect(result.stdout).toContain('gets --enable-sharing via $(X\\x1b[1A)');
    expect(result.stdout).toContain('1 | X\\x1b[1A := --enable-sharing');
  });

  it('junit stays well-formed XML and sarif valid JSON', () => {
    const project = hostileProject();
    const junit = runCli(['check', project, '--rule', 'no-sharing-on-init', '--format', 'junit']);
    expect(XMLValidator.validate(junit.stdout)).toBe(true);
    const parser = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' });
    const parsed = parser.parse(junit.stdout) as { testsuites: { testsuite: Array<{ '@_name': string; testcase: Array<{ '@_name': string }> }> } };
    const suite = parsed.testsuites.testsuite.find((candidate) => candidate['@_name'] === 'no-sharing-on-init');
    // XML 1.0 cannot carry C0 controls (ESC, BEL) even as references: they become U+FFFD.
    const inXml = (name: string) => name.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '\ufffd');
    expect(suite?.testcase.map((testCase) => testCase['@_name']).sort()).toEqual([inXml(`${DIR}/Makefile`), inXml(FILE)].sort());
    const sarif = runCli(['check', project, '--rule', 'no-sharing-on-init', '--format', 'sarif']);
    const log = JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    expect(log.runs[0].results.map((result) => decodeURIComponent(result.locations[0].physicalLocation.artifactLocation.uri)).sort()).toEqual([`${DIR}/Makefile`, FILE].sort());
  });
});

describe('--fix counts what this run wrote', () => {
  function runCliAsync(args: string[], home: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: tempDir(), env: scrubbedEnv(home) });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      child.once('error', reject);
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });
  }

  /** The files each rule's fix writes in the seed project. */
  const FILES_OF_FIX: Record<string, string[]> = {
    'no-sharing-on-init': ['Makefile'],
    'lockfile-cache-env': ['terramate.tm.hcl'],
    'plugin-cache-dir': ['terramate.tm.hcl', '.terraform-plugin-cache/.gitignore'],
  };

  it('two concurrent --fix runs on one project: both exit cleanly, the project ends fully fixed, and neither counts a fix it did not write', async () => {
    const project = copyFixture('seed-blog');
    const home = emptyHome();
    const args = ['check', project, '--fix', '--format', 'json'];
    const runs = await Promise.all([runCliAsync(args, home), runCliAsync(args, home)]);

    const sequential = copyFixture('seed-blog');
    expect(runCli(['check', sequential, '--fix'], { home }).status).toBe(0);
    for (const file of ['Makefile', 'terramate.tm.hcl', '.terraform-plugin-cache/.gitignore']) {
      expect(readFileSync(join(project, file), 'utf8')).toBe(readFileSync(join(sequential, file), 'utf8'));
    }
    expect(runCli(['check', project]).status).toBe(0);

    for (const run of runs) {
      expect(hasStackTrace(run.stderr)).toBe(false);
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout) as JsonReport;
      const fixed = report.findings.filter((finding) => finding.fixed).map((finding) => finding.ruleId);
      expect(report.summary.fixed).toBe(fixed.length);
      // A fix counted as fixed had none of its files left unchanged by this run.
      const refused = [...run.stderr.matchAll(/^tm-doctor: (\S+) left unchanged: /gm)].map((match) => match[1]);
      for (const ruleId of fixed) expect(FILES_OF_FIX[ruleId].filter((file) => refused.includes(file))).toEqual([]);
      if (refused.length === 3) expect(fixed).toEqual([]);
    }
  });

  it('after every fix was refused, stylish says so instead of offering --fix again', () => {
    const project = copyFixture('seed-blog');
    // Its init warmed up first, so the lock-file variable is offered (never beside an unwarmed parallel init).
    const makefile = join(project, 'Makefile');
    writeFileSync(makefile, readFileSync(makefile, 'utf8').replace('init:\n', 'init:\n\tterramate run -C stacks/dev/blog --no-recursive -- terraform init -backend=false\n'));
    chmodSync(makefile, 0o444);
    chmodSync(join(project, 'terramate.tm.hcl'), 0o444);
    const result = runCli(['check', project, '--fix', '--rule', 'no-sharing-on-init', '--rule', 'lockfile-cache-env']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('tm-doctor: Makefile left unchanged: Makefile is read-only (mode 0444); not made writable');
    expect(result.stderr).toContain('tm-doctor: terramate.tm.hcl left unchanged: terramate.tm.hcl is read-only (mode 0444); not made writable');
    expect(result.stdout).not.toContain('fixable');
    expect(result.stdout).not.toMatch(/\d+ fixed/);
    expect(result.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      '✖ 2 problems (1 error, 1 warning, 0 infos)',
      '  2 fixes could not be applied (the notes on stderr say why)',
    ]);
  });
});

describe('colour', () => {
  /** Runs the CLI under a pseudo-terminal (util-linux `script`), where colour would be on. */
  function runInTerminal(args: string[], extraEnv: Record<string, string> = {}): string {
    const project = copyFixture('seed-blog');
    const command = [process.execPath, CLI, 'check', project, ...args].join(' ');
    const result = spawnSync('script', ['-qec', command, '/dev/null'], {
      env: scrubbedEnv(emptyHome(), { TERM: 'xterm-256color', ...extraEnv }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (result.error) throw result.error;
    expect(result.stdout).toContain('plugin-cache-dir');
    return result.stdout;
  }

  it('a non-TTY stdout gets no ANSI escapes at all', () => {
    const result = runCli(['check', copyFixture('seed-blog')]);
    expect(result.stdout).toContain('plugin-cache-dir');
    expect(result.stdout).not.toMatch(ANSI_ESCAPE);
    expect(result.stderr).not.toMatch(ANSI_ESCAPE);
  });

  it('a terminal gets colour (so the checks around it can fail)', () => {
    expect(runInTerminal([])).toMatch(ANSI_COLOR);
  });

  it('NO_COLOR on a terminal: no colour', () => {
    expect(runInTerminal([], { NO_COLOR: '1' })).not.toMatch(ANSI_COLOR);
  });

  it('--no-color on a terminal: no colour', () => {
    expect(runInTerminal(['--no-color'])).not.toMatch(ANSI_COLOR);
  });
});
