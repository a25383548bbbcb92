import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from '@jest/globals';
import { junitReporter } from '../../src/reporters/junit.js';
import type { Finding } from '../../src/types.js';
import { FINDINGS, reportInput, ROOT } from './fixtures.js';

interface ParsedFailure {
  '#text'?: string;
  '@_type': string;
  '@_message': string;
}

interface ParsedTestCase {
  '@_classname': string;
  '@_name': string;
  failure?: ParsedFailure[];
}

interface ParsedSuite {
  '@_name': string;
  '@_tests': string;
  '@_failures': string;
  testcase: ParsedTestCase[];
}

interface ParsedReport {
  testsuites: { '@_tests': string; '@_failures': string; '@_name': string; testsuite?: ParsedSuite[] };
}

function parseJunit(xml: string): ParsedReport {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    parseAttributeValue: false,
    parseTagValue: false,
    trimValues: false,
    processEntities: true,
    htmlEntities: true,
    isArray: (name) => ['testsuite', 'testcase', 'failure'].includes(name),
  });
  return parser.parse(xml) as ParsedReport;
}

function failuresOf(report: ParsedReport): ParsedFailure[] {
  return (report.testsuites.testsuite ?? []).flatMap((suite) => suite.testcase.flatMap((testCase) => testCase.failure ?? []));
}

describe('junitReporter', () => {
  it('has one failure per unfixed finding, one suite per rule, one case per rule and file', () => {
    const report = parseJunit(junitReporter(reportInput()));
    const unfixed = FINDINGS.filter((finding) => !finding.fixed);
    expect(failuresOf(report)).toHaveLength(unfixed.length);
    const suites = report.testsuites.testsuite ?? [];
    expect(suites.map((suite) => suite['@_name'])).toEqual([
      'no-sharing-on-init',
      'plugin-cache-dir',
      'lockfile-cache-env',
      'provider-handshake',
      'provider-checksum',
    ]);
    expect(suites.map((suite) => suite.testcase.map((testCase) => testCase['@_name']))).toEqual([
      ['Makefile'],
      ['(environment)', 'stacks/a b/config.tm'],
      ['/home/dev/.terraformrc'],
      ['stacks/a b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0'],
      ['(project)'],
    ]);
    expect(suites[4].testcase[0].failure).toBeUndefined();
    expect(report.testsuites['@_tests']).toBe('6');
    expect(report.testsuites['@_failures']).toBe('5');
  });

  it('keeps the special characters of messages intact through escaping', () => {
    const report = parseJunit(junitReporter(reportInput()));
    const environment = report.testsuites.testsuite?.[1].testcase[0].failure?.[0];
    expect(environment?.['@_message']).toBe('No <cache> & "env" \'set\'');
    expect(environment?.['@_type']).toBe('info');
    expect(environment?.['#text']).toBe(
      'info at (environment)\nNo <cache> & "env" \'set\'\nDocs: https://example.test/tm-doctor/docs/rules/plugin-cache-dir.md',
    );
    const multiLine = report.testsuites.testsuite?.[2].testcase[0].failure?.[0];
    expect(multiLine?.['@_message']).toBe('Lock files record one platform.');
    expect(multiLine?.['#text']).toContain('Run terraform providers lock -platform=linux_amd64,darwin_arm64\n');
  });

  it('puts the help and the related places in the failure body', () => {
    const report = parseJunit(junitReporter(reportInput()));
    const sharing = report.testsuites.testsuite?.[0].testcase[0].failure?.[0];
    expect(sharing?.['#text']).toBe(
      [
        'error at Makefile:9:1',
        'terraform init runs with --enable-sharing (via $(TM_OPTS), defined at Makefile:3)',
        'help: Output sharing runs `terraform output` in every dependency stack before the command. Give init the options without sharing.',
        'related: Makefile:3:12: TM_OPTS is defined here with --enable-sharing --mock-on-fail',
        'Docs: https://example.test/tm-doctor/docs/rules/no-sharing-on-init.md',
      ].join('\n'),
    );
  });

  it('puts several findings of one rule and file into one testcase', () => {
    const findings: Finding[] = [1, 2, 3].map((line) => ({
      ruleId: 'no-sharing-on-init',
      messageId: 'example',
      data: {},
      help: '',
      related: [],
      severity: 'error',
      message: `init at ${line} <&>`,
      location: { file: `${ROOT}/Makefile`, range: { line, column: 1, endLine: line, endColumn: 5 } },
      stack: null,
      fix: null,
      fixed: false,
    }));
    const report = parseJunit(junitReporter(reportInput({ findings })));
    const suite = report.testsuites.testsuite?.[0];
    expect(suite?.['@_tests']).toBe('1');
    expect(suite?.['@_failures']).toBe('1');
    expect(suite?.testcase[0].failure?.map((failure) => failure['@_message'])).toEqual([
      'init at 1 <&>',
      'init at 2 <&>',
      'init at 3 <&>',
    ]);
    expect(failuresOf(report)).toHaveLength(3);
    expect(report.testsuites['@_tests']).toBe('5');
    expect(report.testsuites['@_failures']).toBe('1');
  });

  it('stays well-formed with characters XML cannot carry and with attribute whitespace', () => {
    const findings: Finding[] = [
      {
        ruleId: 'odd"rule',
        messageId: 'example',
        data: {},
        help: '',
        related: [],
        severity: 'warning',
        message: 'bell\u0007 nul\u0000 lone\uD800 tab\tcr\rnl\n]]> end',
        location: { file: `${ROOT}/we<ird>&"file'`, range: null },
        stack: null,
        fix: null,
        fixed: false,
      },
    ];
    const xml = junitReporter(reportInput({ findings, rules: [] }));
    const report = parseJunit(xml);
    const suite = report.testsuites.testsuite?.[0];
    expect(suite?.['@_name']).toBe('odd"rule');
    expect(suite?.testcase[0]['@_name']).toBe('we<ird>&"file\'');
    expect(suite?.testcase[0].failure?.[0]['@_message']).toBe('bell\uFFFD nul\uFFFD lone\uFFFD tab\tcr');
    expect(suite?.testcase[0].failure?.[0]['#text']).toBe(
      'warning at we<ird>&"file\'\nbell\uFFFD nul\uFFFD lone\uFFFD tab\tcr\rnl\n]]> end',
    );
  });

  it('lists every rule as passing for a clean project', () => {
    const report = parseJunit(junitReporter(reportInput({ findings: [] })));
    expect(failuresOf(report)).toHaveLength(0);
    expect(report.testsuites['@_tests']).toBe('5');
    expect(report.testsuites['@_failures']).toBe('0');
  });

  it('is a valid document even without rules or findings', () => {
    expect(junitReporter(reportInput({ findings: [], rules: [] }))).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="tm-doctor" tests="0" failures="0" errors="0">\n</testsuites>\n',
    );
  });
});
