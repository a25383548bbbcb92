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
    help: '',
    related: [],
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
  it('prints each finding as a compiler does: header, frame with the span marked, related frames, help; then docs and summary', () => {
    expect(stylishReporter(reportInput())).toBe(
      [
        '',
        'Makefile:9:1: error: terraform init runs with --enable-sharing (via $(TM_OPTS), defined at Makefile:3)  no-sharing-on-init',
        '  |',
        '9 |     terramate run $(TM_OPTS) -- terraform init',
        '  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        ' ::: Makefile:3:12',
        '  |',
        '3 | TM_OPTS := --enable-sharing --mock-on-fail $(TM_COMMON)',
        '  |            ------------------------------- TM_OPTS is defined here with --enable-sharing --mock-on-fail',
        '  = help: Output sharing runs `terraform output` in every dependency stack before the command. Give init the options without sharing.',
        '',
        'stacks/a b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0: error: terraform-provider-aws_v5.0.0 is empty (0 bytes)  provider-handshake',
        '',
        'stacks/a b/config.tm:3:5: warning: Cache 50% set: dir=~/cache, relative, "~" not expanded  plugin-cache-dir',
        '  |',
        '3 |     run {',
        '  |     ^^^^^',
        '4 |       env {}',
        '  |       ^^^^^^',
        '5 |     }',
        '  |     ^',
        '',
        '/home/dev/.terraformrc:1:1: warning: Lock files record one platform. Run terraform providers lock -platform=linux_amd64,darwin_arm64  lockfile-cache-env',
        '  |',
        '1 | plugin_cache_dir = "~/cache"',
        '  | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '',
        "(environment): info: No <cache> & \"env\" 'set'  plugin-cache-dir",
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

  it('orders findings by file and position, whole-file findings first', () => {
    const findings = [
      finding({ location: at('main.tm', 12, 10), severity: 'error', message: 'second', ruleId: 'r-two' }),
      finding({ location: at('main.tm', 9, 1), message: 'first one', ruleId: 'r-one' }),
      finding({ location: { file: `${ROOT}/main.tm`, range: null }, severity: 'info', message: 'whole file', ruleId: 'r-one' }),
    ];
    const headers = stylishReporter(reportInput({ findings, rules: [], readText: () => undefined }))
      .split('\n')
      .filter((line) => line.startsWith('main.tm'));
    expect(headers).toEqual(['main.tm: info: whole file  r-one', 'main.tm:9:1: warning: first one  r-one', 'main.tm:12:10: error: second  r-two']);
  });

  it('still prints header and help, without a frame, when the file is gone or the range lies outside it', () => {
    const gone = finding({ location: at('deleted.tm', 3, 1), message: 'gone', help: 'Why and how.' });
    const outside = finding({ location: at('short.tm', 40, 2), message: 'outside', help: 'Still helpful.' });
    const pastEnd = finding({ location: { file: `${ROOT}/short.tm`, range: { line: 1, column: 50, endLine: 1, endColumn: 60 } }, message: 'past the end', help: 'h' });
    const texts: Record<string, string> = { [`${ROOT}/short.tm`]: 'a = 1\n' };
    const output = stylishReporter(reportInput({ findings: [gone, outside, pastEnd], rules: [], readText: (file) => texts[file] }));
    expect(output.split('\n').slice(1, 10)).toEqual([
      'deleted.tm:3:1: warning: gone  plugin-cache-dir',
      '  = help: Why and how.',
      '',
      'short.tm:1:50: warning: past the end  plugin-cache-dir',
      '  = help: h',
      '',
      'short.tm:40:2: warning: outside  plugin-cache-dir',
      '  = help: Still helpful.',
      '',
    ]);
  });

  it('a related place in a missing file keeps its label', () => {
    const withRelated = finding({
      location: at('main.tm', 1, 1),
      message: 'm',
      related: [{ location: at('gone.mk', 2, 1)!, messageId: 'defines', message: 'X is defined here' }],
    });
    const output = stylishReporter(reportInput({ findings: [withRelated], rules: [], readText: (file) => (file.endsWith('main.tm') ? 'x = 1\n' : undefined) }));
    expect(output).toContain('\n ::: gone.mk:2:1 X is defined here\n');
  });

  it('expands tabs and counts wide characters as two cells, so carets stay under the span', () => {
    const texts: Record<string, string> = { [`${ROOT}/main.tm`]: '\t캐시 = "$(X)"\n' };
    const marked = finding({ location: { file: `${ROOT}/main.tm`, range: { line: 1, column: 7, endLine: 1, endColumn: 13 } }, message: 'm' });
    const lines = stylishReporter(reportInput({ findings: [marked], rules: [], readText: (file) => texts[file] })).split('\n');
    expect(lines.slice(3, 5)).toEqual(['1 |     캐시 = "$(X)"', '  |            ^^^^^^']);
  });

  it('shows at most four lines of a long span', () => {
    const texts: Record<string, string> = { [`${ROOT}/main.tm`]: 'a\nb\nc\nd\ne\nf\n' };
    const long = finding({ location: { file: `${ROOT}/main.tm`, range: { line: 1, column: 1, endLine: 6, endColumn: 2 } }, message: 'm' });
    const lines = stylishReporter(reportInput({ findings: [long], rules: [], readText: (file) => texts[file] })).split('\n');
    expect(lines.slice(2, 12)).toEqual(['  |', '1 | a', '  | ^', '2 | b', '  | ^', '3 | c', '  | ^', '4 | d', '  | ^', '  | ...']);
  });

  it('wraps help to the terminal width when it has one', () => {
    const helpful = finding({ message: 'm', help: 'one two three four five six seven eight nine ten eleven twelve thirteen' });
    const wrapped = stylishReporter(reportInput({ findings: [helpful], rules: [], width: 40 })).split('\n');
    expect(wrapped.slice(2, 5)).toEqual(['  = help: one two three four five six', '          seven eight nine ten eleven', '          twelve thirteen']);
    expect(Math.max(...wrapped.slice(2, 5).map((line) => line.length))).toBeLessThanOrEqual(40);
    const unwrapped = stylishReporter(reportInput({ findings: [helpful], rules: [] })).split('\n');
    expect(unwrapped[2]).toBe('  = help: one two three four five six seven eight nine ten eleven twelve thirteen');
  });

  it('escapes control characters from the project (ESC, CSI, BEL, DEL, C1) everywhere, keeping the carets under the span', () => {
    const dir = `${ROOT}/stacks/d\u001b[2K\u009bx`;
    const file = `${dir}/ci\u001b]0;t\u0007.mk`;
    const variable = 'X\u001b[1A';
    const texts: Record<string, string> = { [file]: `${variable} := --enable-sharing\u007f\ninit:\n\tterramate run $(${variable}) -- terraform init\n` };
    const evil = finding({
      location: { file, range: { line: 3, column: 16, endLine: 3, endColumn: 16 + `$(${variable})`.length } },
      message: `init gets --enable-sharing via $(${variable})`,
      help: `Remove it from ${variable}\u009b2J.`,
      related: [
        { location: { file, range: { line: 1, column: 10, endLine: 1, endColumn: 26 } }, messageId: 'defines', message: `${variable} is defined here` },
        { location: { file: `${dir}/gone\u001b.mk`, range: { line: 1, column: 1, endLine: 1, endColumn: 2 } }, messageId: 'defines', message: `also \u001b[31mred` },
      ],
    });
    const output = stylishReporter(reportInput({ findings: [evil], rules: [], readText: (path) => texts[path] }));
    expect(output).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    expect(output.split('\n').slice(1, 13)).toEqual([
      'stacks/d\\x1b[2K\\u009bx/ci\\x1b]0;t\\x07.mk:3:16: warning: init gets --enable-sharing via $(X\\x1b[1A)  plugin-cache-dir',
      '  |',
      '3 |     terramate run $(X\\x1b[1A) -- terraform init',
      '  |                   ^^^^^^^^^^^',
      ' ::: stacks/d\\x1b[2K\\u009bx/ci\\x1b]0;t\\x07.mk:1:10',
      '  |',
      '1 | X\\x1b[1A := --enable-sharing\\x7f',
      `  | ${' '.repeat('X\\x1b[1A := '.length)}${'-'.repeat('--enable-sharing'.length)} X\\x1b[1A is defined here`,
      ' ::: stacks/d\\x1b[2K\\u009bx/gone\\x1b.mk:1:1 also \\x1b[31mred',
      '  = help: Remove it from X\\x1b[1A\\u009b2J.',
      '',
      '✖ 1 problem (0 errors, 1 warning, 0 infos)',
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
        '(environment): error: m  unknown-rule',
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
        '(environment): warning: m  plugin-cache-dir',
        '',
        '(environment): warning: m  plugin-cache-dir',
        '',
        '✖ 2 problems (0 errors, 2 warnings, 0 infos)',
        '  1 fixable with --fix',
        '',
      ].join('\n'),
    );
  });

  describe('names places relative to the working directory (cwd), as a terminal opens them', () => {
    it('at the root, or without a cwd: relative to the root (outside it, absolute)', () => {
      expect(stylishReporter(reportInput({ cwd: ROOT }))).toBe(stylishReporter(reportInput()));
    });

    it('below the root: relative to it, and absolute for every place outside it (related ones too), the root-relative order kept', () => {
      const atRoot = stylishReporter(reportInput());
      const inStacks = stylishReporter(reportInput({ cwd: `${ROOT}/stacks` }));
      const headers = (output: string) => output.split('\n').filter((line) => /: (error|warning|info): /.test(line));
      expect(headers(inStacks).map((line) => line.replace(/: (error|warning|info): .*/, ''))).toEqual([
        `${ROOT}/Makefile:9:1`,
        'a b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0',
        'a b/config.tm:3:5',
        '/home/dev/.terraformrc:1:1',
        '(environment)',
      ]);
      expect(inStacks).toContain(`\n ::: ${ROOT}/Makefile:3:12\n`);
      // Only the names change: the frames, messages, help and summary are the same.
      const names = (output: string) => output.replaceAll(`${ROOT}/`, '').replaceAll('a b/', 'stacks/a b/');
      expect(names(inStacks)).toBe(atRoot);
    });

    it('above the root: relative paths through the project directory', () => {
      const output = stylishReporter(reportInput({ cwd: '/work' }));
      expect(output).toContain('\nproject/Makefile:9:1: error: ');
      expect(output).toContain('\n ::: project/Makefile:3:12\n');
      expect(output).toContain('\nproject/stacks/a b/config.tm:3:5: warning: ');
      expect(output).toContain('\n/home/dev/.terraformrc:1:1: warning: ');
    });

    it('a file in the working directory itself is named by its name; the working directory as `.`', () => {
      const findings = [
        finding({ location: { file: `${ROOT}/stacks/a b`, range: null }, message: 'the stack' }),
        finding({ location: at('stacks/a b/config.tm', 1, 1), message: 'here', related: [{ location: at('Makefile', 2, 1)!, messageId: 'r', message: 'there' }] }),
      ];
      const output = stylishReporter(reportInput({ findings, rules: [], readText: () => undefined, cwd: `${ROOT}/stacks/a b` }));
      expect(output.split('\n').filter((line) => line !== '' && !line.startsWith('✖'))).toEqual([
        '.: warning: the stack  plugin-cache-dir',
        'config.tm:1:1: warning: here  plugin-cache-dir',
        ` ::: ${ROOT}/Makefile:2:1 there`,
      ]);
    });
  });

  it('colours only when asked, and the colours change nothing but escapes', () => {
    const plain = stylishReporter(reportInput());
    const coloured = stylishReporter(reportInput({ color: true }));
    expect(plain).not.toMatch(ANSI);
    expect(coloured).toMatch(ANSI);
    expect(coloured.replace(ANSI, '')).toBe(plain);
    expect(coloured).toContain('\u001b[1mMakefile:9:1\u001b[22m');
    expect(coloured).toContain('\u001b[31merror\u001b[39m');
    expect(coloured).toContain('\u001b[33mwarning\u001b[39m');
  });
});
