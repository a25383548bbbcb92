import { describe, expect, it } from '@jest/globals';
import { parseShell, positionAt, UNKNOWN } from '../../src/parsers/shell.js';
import {
  findInitInRunCommand,
  isInitCommand,
  parseKongBool,
  parseTerramateInvocation,
  type TerramateInvocation,
} from '../../src/parsers/terramate-cli.js';

const words = (line: string): string[] => line.split(' ');
const parse = (line: string, env?: Record<string, string>): TerramateInvocation => {
  const result = parseTerramateInvocation(words(line), { env });
  if (result === null) throw new Error(`not an invocation: ${line}`);
  return result;
};
const commandOf = (invocation: TerramateInvocation): Array<string | null> => invocation.command.map((word) => word.value);

describe('parseTerramateInvocation: run', () => {
  it('reads sharing flags and the command after --', () => {
    const run = parse('terramate run --enable-sharing --mock-on-fail -- terraform init');
    expect(run.kind).toBe('run');
    expect(run.options.enableSharing).toEqual({ value: true, source: 'flag', argIndex: 2 });
    expect(run.options.mockOnFail).toEqual({ value: true, source: 'flag', argIndex: 3 });
    expect(commandOf(run)).toEqual(['terraform', 'init']);
    expect(run.commandIndex).toBe(5);
    expect(run.errors).toEqual([]);
  });

  it('takes the first non-flag word as the command without --', () => {
    const run = parse('terramate run terraform init');
    expect(commandOf(run)).toEqual(['terraform', 'init']);
    expect(run.commandIndex).toBe(2);
    expect(run.options.enableSharing.value).toBe(false);
  });

  it('passes flags after the command through to the command', () => {
    const run = parse('terramate run terraform init --enable-sharing');
    expect(run.options.enableSharing.value).toBe(false);
    expect(commandOf(run)).toEqual(['terraform', 'init', '--enable-sharing']);
  });

  it('knows which flags take a value: --tags dev init', () => {
    const run = parse('terramate run --tags dev init');
    expect(run.options.tags).toEqual(['dev']);
    expect(commandOf(run)).toEqual(['init']);
    const chdir = parse('terramate -C stacks/dev --log-level debug run --changed --no-recursive terraform init');
    expect(chdir.options.chdir).toBe('stacks/dev');
    expect(chdir.options.changed.value).toBe(true);
    expect(chdir.options.noRecursive.value).toBe(true);
    expect(commandOf(chdir)).toEqual(['terraform', 'init']);
  });

  it('reads bool values only in --flag=value form, like kong', () => {
    expect(parse('terramate run --enable-sharing=true -- terraform init').options.enableSharing.value).toBe(true);
    expect(parse('terramate run --enable-sharing=YES -- terraform init').options.enableSharing.value).toBe(true);
    expect(parse('terramate run --enable-sharing=0 -- terraform init').options.enableSharing.value).toBe(false);
    const separate = parse('terramate run --enable-sharing false terraform init');
    expect(separate.options.enableSharing.value).toBe(true);
    expect(commandOf(separate)).toEqual(['false', 'terraform', 'init']);
    const invalid = parse('terramate run --mock-on-fail=maybe -- terraform init');
    expect(invalid.errors).toEqual(['--mock-on-fail: bool value must be true, 1, yes, false, 0 or no but got "maybe"']);
  });

  it('reads every --parallel spelling Terramate accepts', () => {
    for (const spelling of ['--parallel 5', '--parallel=5', '-j 5', '-j5']) {
      const run = parse(`terramate run ${spelling} -- terraform init`);
      expect([spelling, run.options.parallel.value, run.errors]).toEqual([spelling, 5, []]);
      expect(commandOf(run)).toEqual(['terraform', 'init']);
    }
    expect(parse('terramate run -cj4 -- terraform init').options).toMatchObject({ changed: { value: true }, parallel: { value: 4 } });
  });

  it('rejects the spellings kong rejects (-j=4, bare --parallel)', () => {
    expect(parse('terramate run -j=4 -- terraform init').errors).toEqual(['--parallel: expected a valid 64 bit int but got "=4"']);
    const bare = parse('terramate run --parallel -- terraform init');
    expect(bare.errors).toEqual(['--parallel: expected a value but got "--"']);
    expect(bare.options.parallel.value).toBe(0);
  });

  it('takes TM_ARG_RUN_* from the environment, flags overriding', () => {
    const run = parse('terramate run -- terraform init', { TM_ARG_RUN_ENABLE_SHARING: 'true', TM_ARG_RUN_PARALLEL: '8' });
    expect(run.options.enableSharing).toEqual({ value: true, source: 'env', envVar: 'TM_ARG_RUN_ENABLE_SHARING' });
    expect(run.options.parallel).toEqual({ value: 8, source: 'env', envVar: 'TM_ARG_RUN_PARALLEL' });
    const overridden = parse('terramate run --enable-sharing=false -- terraform init', { TM_ARG_RUN_ENABLE_SHARING: '1' });
    expect(overridden.options.enableSharing).toEqual({ value: false, source: 'flag', argIndex: 2 });
    expect(parse('terramate run -- terraform init', { TM_ARG_RUN_ENABLE_SHARING: '' }).options.enableSharing.value).toBe(false);
    expect(parse('terramate run -- terraform init', { TM_ARG_RUN_ENABLE_SHARING: 'off' }).errors).toEqual([
      '--enable-sharing: bool value must be true, 1, yes, false, 0 or no but got "off"',
    ]);
  });

  it('never claims flags from unknown words', () => {
    const { commands } = parseShell('terramate run $TM_OPTS --parallel=$N -- terraform init');
    const run = parseTerramateInvocation(commands[0].argv)!;
    expect(run.unknownWords).toEqual([2]);
    expect(run.options.enableSharing.value).toBe(false);
    expect(run.options.parallel).toEqual({ value: UNKNOWN, source: 'flag', argIndex: 3 });
    expect(commandOf(run)).toEqual(['terraform', 'init']);
    const unknownEnv = parseTerramateInvocation(commands[0].argv, { env: { TM_ARG_RUN_MOCK_ON_FAIL: UNKNOWN } })!;
    expect(unknownEnv.options.mockOnFail.value).toBe(UNKNOWN);
  });

  it('refuses run flags before the subcommand and unknown flags', () => {
    expect(parse('terramate --enable-sharing run -- terraform init').errors).toEqual(['unknown flag --enable-sharing']);
  });

  it('recognises paths to terramate and rejects other commands', () => {
    expect(parseTerramateInvocation(words('/usr/local/bin/terramate run -X terraform init'))?.options.disableAllSafeguards.value).toBe(true);
    expect(parseTerramateInvocation(words('terramate generate'))).toBeNull();
    expect(parseTerramateInvocation(words('terraform init'))).toBeNull();
    expect(parseTerramateInvocation(words('terramate list --changed'))).toBeNull();
  });
});

describe('parseTerramateInvocation: script run', () => {
  it('reads flags and script labels', () => {
    const script = parse('terramate script run --parallel 4 deploy');
    expect(script.kind).toBe('script-run');
    expect(script.options.parallel).toEqual({ value: 4, source: 'flag', argIndex: 3 });
    expect(script.scriptLabels).toEqual(['deploy']);
    const nested = parse('terramate --changed script run --no-recursive -- infra init');
    expect(nested.scriptLabels).toEqual(['infra', 'init']);
    expect(nested.options.changed.value).toBe(true);
  });

  it('has no --enable-sharing flag (sharing is per script command)', () => {
    const script = parse('terramate script run --enable-sharing deploy');
    expect(script.errors).toEqual(['unknown flag --enable-sharing']);
    expect(script.options.enableSharing.value).toBe(false);
  });

  it('reads TM_ARG_RUN_PARALLEL too', () => {
    expect(parse('terramate script run deploy', { TM_ARG_RUN_PARALLEL: '3' }).options.parallel.value).toBe(3);
  });
});

describe('isInitCommand', () => {
  it('matches terraform/tofu init after global options, by any path', () => {
    expect(isInitCommand(words('terraform init -upgrade'))).toMatchObject({ tool: 'terraform', initIndex: 1 });
    expect(isInitCommand(words('/usr/bin/tofu -chdir=stacks/a init'))).toMatchObject({ tool: 'tofu', initIndex: 2 });
    expect(isInitCommand(words('terraform plan'))).toBeNull();
    expect(isInitCommand(words('terraform -chdir=x'))).toBeNull();
    expect(isInitCommand(words('terragrunt init'))).toBeNull();
    expect(isInitCommand(['terraform', { value: null, text: '$SUB', knownPrefix: '', maySplit: true, start: 0, end: 0, charOffsets: null }])).toBeNull();
  });

  it('resolves the tool through a known variable', () => {
    const { commands } = parseShell('$TF_BIN init', { variables: { TF_BIN: '/opt/tofu/bin/tofu' } });
    expect(isInitCommand(commands[0].argv)).toMatchObject({ tool: 'tofu', initIndex: 1 });
  });
});

describe('findInitInRunCommand', () => {
  it('finds init nested in sh -c after -- and points into the outer text', () => {
    const text = `terramate run --enable-sharing -- sh -c 'cd x && terraform init -input=false'`;
    const { commands } = parseShell(text);
    const run = parseTerramateInvocation(commands[0].argv)!;
    const found = findInitInRunCommand(run.command);
    expect(found).toHaveLength(1);
    expect(found[0].tool).toBe('terraform');
    expect(found[0].via).toEqual(['sh -c']);
    expect(text.slice(found[0].initWord.start, found[0].initWord.end)).toBe('init');
    expect(found[0].initWord.start).toBe(text.indexOf('init -input'));
  });

  it('finds a direct init and one behind env', () => {
    expect(findInitInRunCommand(words('terraform init'))[0].initIndex).toBe(1);
    expect(findInitInRunCommand(words('env TF_LOG=debug tofu init'))[0].via).toEqual(['env']);
    expect(findInitInRunCommand(words('terraform plan'))).toEqual([]);
  });
});

describe('parseKongBool', () => {
  it('accepts exactly kong v0.7.1 values', () => {
    expect(['true', '1', 'yes', 'TRUE', 'Yes'].map(parseKongBool)).toEqual([true, true, true, true, true]);
    expect(['false', '0', 'no', 'NO'].map(parseKongBool)).toEqual([false, false, false, false]);
    expect(['on', 'off', 'y', ''].map(parseKongBool)).toEqual([null, null, null, null]);
  });
});

describe('a realistic shell script', () => {
  it('finds each terramate invocation with its options and the init word position', () => {
    const script = [
      '#!/usr/bin/env bash',
      'set -euo pipefail',
      '# terramate run --enable-sharing -- terraform init   (a comment: never a finding)',
      'TM_COMMON="--parallel 5 --changed"',
      'echo "terramate run --enable-sharing -- terraform init"',
      'cd stacks && terramate run $TM_COMMON -- terraform init',
      "sh -c 'terramate run --enable-sharing -- terraform init'",
      'terramate run terraform init',
      'terramate script run --parallel 4 deploy',
      'TM_ARG_RUN_ENABLE_SHARING=true terramate run -- terraform init',
      'terramate run --enable-sharing --mock-on-fail -- terraform plan',
    ].join('\n');
    const { commands, diagnostics } = parseShell(script);
    expect(diagnostics).toEqual([]);
    const rows = commands.flatMap((command) => {
      const run = parseTerramateInvocation(command.argv, { env: command.environment });
      if (run === null) return [];
      const init = run.kind === 'run' ? findInitInRunCommand(run.command)[0] : undefined;
      const where = (offset: number): string => {
        const { line, column } = positionAt(script, offset);
        return `${line}:${column}`;
      };
      return [[run.kind, run.options.enableSharing.value, run.options.mockOnFail.value, run.options.parallel.value, where(command.argv[0].start), init ? where(init.initWord.start) : null]];
    });
    expect(rows).toEqual([
      ['run', false, false, 5, '6:14', '6:52'],
      ['run', true, false, 0, '7:8', '7:52'],
      ['run', false, false, 0, '8:1', '8:25'],
      ['script-run', false, false, 4, '9:1', null],
      ['run', true, false, 0, '10:32', '10:59'],
      ['run', true, true, 0, '11:1', null],
    ]);
  });
});
