import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { Parser } from '@oclif/core';
import Check from '../../src/commands/check.js';
import { parseCheckArgs } from '../../src/cli/check-args.js';
import { REPORT_FORMATS } from '../../src/reporters/index.js';
import { CLI, copyFixture, scrubbedEnv, tempDir } from './run-cli.js';

/** What oclif's parser makes of `argv` for the check command, or null when it refuses it. */
async function oclifParse(argv: string[]): Promise<{ args: unknown; flags: unknown } | null> {
  try {
    const { args, flags } = await Parser.parse(argv, { flags: Check.flags, args: Check.args, strict: true });
    return { args, flags };
  } catch {
    return null;
  }
}

// The fast path (bin/run.js -> src/cli/fast-check.ts) must read every argument list it accepts
// exactly as oclif does, and leave to oclif every list it does not fully understand.
describe('check without oclif: argument parsing', () => {
  const accepted: string[][] = [
    [],
    ['.'],
    ['some/dir', '--no-exec'],
    ['--no-exec', 'dir'],
    ['--format', 'json'],
    ['--format=sarif', '-o', 'out.sarif'],
    ['-f', 'junit', '--output=report.xml'],
    ['--rule', 'plugin-cache-dir'],
    ['dir', '--rule', 'plugin-cache-dir', '--rule', 'parse-error'],
    ['dir', '--disable', 'provider-handshake', '--no-cache'],
    ['--exec', '--cache', '--color'],
    ['--no-color', '-q'],
    ['--handshake-timeout', '2500', '--fail-on', 'never'],
    ['--handshake-timeout=2147483647', '--fail-on=error'],
    ['--fix', '--unsafe-fixes', '-c', 'cfg.json'],
    ['--fix-dry-run', '--config=cfg.json', 'dir'],
  ];
  it.each(accepted.map((argv) => [argv.join(' ') || '(none)', argv]))('%s: same arguments and flags as oclif', async (_name, argv) => {
    const fast = parseCheckArgs(argv as string[], REPORT_FORMATS);
    expect(fast).not.toBeNull();
    expect(fast).toEqual(await oclifParse(argv as string[]));
  });

  const leftToOclif: string[][] = [
    ['--help'],
    ['-h'],
    ['--version'],
    ['--bogus'],
    ['-x'],
    ['--', 'dir'],
    ['a', 'b'],
    ['--format', 'xml'],
    ['--format'],
    ['--format='],
    ['--format', 'json', '--format', 'sarif'],
    ['-fjson'],
    ['--fail-on', 'sometimes'],
    ['--handshake-timeout', '0'],
    ['--handshake-timeout', '2147483648'],
    ['--handshake-timeout', '1e3'],
    ['--handshake-timeout', '-5'],
    ['--rule', 'plugin-cache-dir', 'parse-error'],
    ['--rule', 'plugin-cache-dir', 'dir'],
    ['--rule', 'plugin-cache-dir', '--rule', 'parse-error', 'dir'],
    ['--fix', '--fix'],
    ['--exec', '--no-exec'],
    ['--fix=true'],
    ['--no-fix'],
    ['--no-format', 'json'],
    ['--output', '-'],
    // Combinations the command refuses (exit 2): oclif prints the refusal (src/commands/check.ts).
    ['--unsafe-fixes'],
    ['dir', '--unsafe-fixes', '--no-exec'],
    ['--fix', '--fix-dry-run'],
    ['--fix-dry-run', '--fix', '--unsafe-fixes'],
  ];
  it.each(leftToOclif.map((argv) => [argv.join(' '), argv]))('%s: left to oclif', (_name, argv) => {
    expect(parseCheckArgs(argv as string[], REPORT_FORMATS)).toBeNull();
  });

  it('a report format the reporters do not know is left to oclif', () => {
    expect(parseCheckArgs(['--format', 'json'], ['stylish'])).toBeNull();
  });
});

describe('check without oclif: the CLI', () => {
  it('exits and prints as oclif does when the fast path takes the command and when oclif does (DEBUG set)', () => {
    const project = copyFixture('seed-blog');
    const cwd = tempDir();
    const home = tempDir('tm-doctor-home-');
    const run = (args: string[], env: Record<string, string> = {}) => {
      const result = spawnSync(process.execPath, [CLI, ...args], { cwd, env: scrubbedEnv(home, env), encoding: 'utf8' });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    for (const args of [
      ['check', project, '--no-exec', '--format', 'json', '--no-cache'],
      [project, '--no-exec', '--fail-on', 'never', '--no-cache'],
      ['check', `${project}/missing`, '--no-cache'],
      ['check', project, '--unsafe-fixes'],
      ['check', project, '--fix', '--fix-dry-run'],
    ]) {
      // DEBUG makes bin/run.js hand everything to oclif; a DEBUG naming nothing prints nothing more.
      expect(run(args)).toEqual(run(args, { DEBUG: 'nothing-matches-this' }));
    }
  });

  it('--version prints oclif’s line', () => {
    const fast = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8' });
    const oclif = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8', env: { ...process.env, DEBUG: 'nothing-matches-this' } });
    expect(fast.status).toBe(0);
    expect(fast.stdout).toBe(oclif.stdout);
    expect(fast.stdout).toMatch(/^tm-doctor\/\d+\.\d+\.\d+\S* \S+-\S+ node-v\d+/);
  });
});
