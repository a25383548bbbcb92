import { describe, expect, it } from '@jest/globals';
import { stylishReporter } from '../../src/reporters/stylish.js';
import type { Finding } from '../../src/types.js';
import { FINDINGS, reportInput, ROOT } from './fixtures.js';

const ANSI = /\u001b\[[0-9;]*m/g;

function finding(overrides: Partial<Finding>): Finding {
  return {
    ruleId: 'plugin-cache-dir',
    messageId: 'example',
    data: {},
    severity: 'warning',
    message: 'm',
    location: null,
    stack: null,
    fix: null,
    fixed: false,
    ...overrides,
  };
}

function at(file: string, line: number, column: number): Finding['location'] {
  return { file: `${ROOT}/${file}`, range: { line, column, endLine: line, endColumn: column + 1 } };
}

describe('stylishReporter', () => {
  it('groups by file (inside, outside, environment), aligns rows, lists docs and summarises', () => {
    expect(stylishReporter(reportInput())).toBe(
      [
        '',
        'Makefile',
        '  9:1  error  terraform init runs with --enable-sharing (via $(TM_OPTS), defined at Makefile:3)  no-sharing-on-init',
        '',
        'stacks/a b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0',
        '  -   error  terraform-provider-aws_v5.0.0 is empty (0 bytes)  provider-handshake',
        '',
        'stacks/a b/config.tm',
        '  3:5  warning  Cache 50% set: dir=~/cache, relative, "~" not expanded  plugin-cache-dir',
        '',
        '/home/dev/.terraformrc',
        '  1:1  warning  Lock files record one platform.  lockfile-cache-env',
        '                Run terraform providers lock -platform=linux_amd64,darwin_arm64',
        '',
        '(environment)',
        '  -   info  No <cache> & "env" \'set\'  plugin-cache-dir',
        '',
        'Rule docs:',
        '  lockfile-cache-env  https://example.test/tm-doctor/docs/rules/lockfile-cache-env.md',
        '  no-sharing-on-init  https://example.test/tm-doctor/docs/rules/no-sharing-on-init.md',
        '  plugin-cache-dir    https://example.test/tm-doctor/docs/rules/plugin-cache-dir.md',
        '  provider-handshake  https://example.test/tm-doctor/docs/rules/provider-handshake.md',
        '',
        '✖ 5 problems (2 errors, 2 warnings, 1 info)',
        '  2 fixable with --fix, 2 more with --fix --unsafe-fixes',
        '  1 fixed',
        '',
      ].join('\n'),
    );
  });

  it('aligns every column within a file: line right, column left, file-level rows first', () => {
    const findings = [
      finding({ location: at('main.tm', 12, 10), severity: 'error', message: 'second', ruleId: 'r-two' }),
      finding({ location: at('main.tm', 9, 1), message: 'first one', ruleId: 'r-one' }),
      finding({ location: { file: `${ROOT}/main.tm`, range: null }, severity: 'info', message: 'whole file', ruleId: 'r-one' }),
    ];
    expect(stylishReporter(reportInput({ findings, rules: [] }))).toBe(
      [
        '',
        'main.tm',
        '   -     info     whole file  r-one',
        '   9:1   warning  first one   r-one',
        '  12:10  error    second      r-two',
        '',
        '✖ 3 problems (1 error, 1 warning, 1 info)',
        '',
      ].join('\n'),
    );
  });

  it('counts wide characters as two cells when aligning', () => {
    const findings = [
      finding({ location: at('main.tm', 1, 1), message: '캐시 없음', ruleId: 'r-one' }),
      finding({ location: at('main.tm', 2, 1), message: 'no cache12', ruleId: 'r-two' }),
    ];
    expect(stylishReporter(reportInput({ findings, rules: [] })).split('\n').slice(2, 4)).toEqual([
      '  1:1  warning  캐시 없음   r-one',
      '  2:1  warning  no cache12  r-two',
    ]);
  });

  it('prints nothing for a clean project', () => {
    expect(stylishReporter(reportInput({ findings: [] }))).toBe('');
    expect(stylishReporter(reportInput({ findings: [], color: true }))).toBe('');
  });

  it('says what was fixed when nothing is left', () => {
    const fixedOnly = FINDINGS.filter((item) => item.fixed);
    expect(stylishReporter(reportInput({ findings: fixedOnly }))).toBe('\n✔ 1 fixed, no problems left\n');
  });

  it('uses singular words for one of a kind and names the unsafe-only case', () => {
    const findings = [
      finding({ severity: 'error', fix: { description: 'd', safe: false, changes: [] }, ruleId: 'unknown-rule' }),
    ];
    expect(stylishReporter(reportInput({ findings }))).toBe(
      [
        '',
        '(environment)',
        '  -   error  m  unknown-rule',
        '',
        '✖ 1 problem (1 error, 0 warnings, 0 infos)',
        '  1 fixable with --fix --unsafe-fixes',
        '',
      ].join('\n'),
    );
  });

  it('names safe fixes alone when there are no unsafe ones', () => {
    const findings = [finding({ fix: { description: 'd', safe: true, changes: [] } }), finding({})];
    expect(stylishReporter(reportInput({ findings, rules: [] }))).toBe(
      [
        '',
        '(environment)',
        '  -   warning  m  plugin-cache-dir',
        '  -   warning  m  plugin-cache-dir',
        '',
        '✖ 2 problems (0 errors, 2 warnings, 0 infos)',
        '  1 fixable with --fix',
        '',
      ].join('\n'),
    );
  });

  it('colours only when asked, and the colours change nothing but escapes', () => {
    const plain = stylishReporter(reportInput());
    const coloured = stylishReporter(reportInput({ color: true }));
    expect(plain).not.toMatch(ANSI);
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, '')).toBe(plain);
    expect(coloured).toContain('\u001b[4mMakefile\u001b[24m');
    expect(coloured).toContain('\u001b[31merror\u001b[39m');
    expect(coloured).toContain('\u001b[33mwarning\u001b[39m');
  });
});
