import { describe, expect, it } from '@jest/globals';
import { jsonReporter } from '../../src/reporters/json.js';
import { FINDINGS, reportInput, ROOT } from './fixtures.js';

const EXPECTED = {
  version: 1,
  tool: { name: 'tm-doctor', version: '0.1.0' },
  root: '/work/project',
  findings: [
    {
      ruleId: 'plugin-cache-dir',
      severity: 'warning',
      message: 'Cache 50% set: dir=~/cache, relative, "~" not expanded',
      file: 'stacks/a b/config.tm',
      line: 3,
      column: 5,
      endLine: 5,
      endColumn: 2,
      stack: 'stacks/a b',
      messageId: 'example',
      help: '',
      related: [],
      fix: { description: 'Set TF_PLUGIN_CACHE_DIR', safe: true },
      fixed: false,
    },
    {
      ruleId: 'no-sharing-on-init',
      severity: 'error',
      message: 'terraform init runs with --enable-sharing (via $(TM_OPTS), defined at Makefile:3)',
      file: 'Makefile',
      line: 9,
      column: 1,
      endLine: 9,
      endColumn: 72,
      stack: null,
      messageId: 'example',
      help: 'Output sharing runs `terraform output` in every dependency stack before the command. Give init the options without sharing.',
      related: [{ file: 'Makefile', line: 3, column: 12, endLine: 3, endColumn: 43, message: 'TM_OPTS is defined here with --enable-sharing --mock-on-fail' }],
      fix: { description: 'Use $(TM_COMMON) for init', safe: true },
      fixed: false,
    },
    {
      ruleId: 'lockfile-cache-env',
      severity: 'warning',
      message: 'Lock files record one platform.\nRun terraform providers lock -platform=linux_amd64,darwin_arm64',
      file: '/home/dev/.terraformrc',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 30,
      stack: null,
      messageId: 'example',
      help: '',
      related: [],
      fix: { description: 'Add plugin_cache_may_break_dependency_lock_file', safe: false },
      fixed: false,
    },
    {
      ruleId: 'plugin-cache-dir',
      severity: 'info',
      message: 'No <cache> & "env" \'set\'',
      file: null,
      line: null,
      column: null,
      endLine: null,
      endColumn: null,
      stack: null,
      messageId: 'example',
      help: '',
      related: [],
      fix: null,
      fixed: false,
    },
    {
      ruleId: 'no-sharing-on-init',
      severity: 'error',
      message: 'terraform init runs with --mock-on-fail',
      file: 'Makefile',
      line: 20,
      column: 1,
      endLine: 20,
      endColumn: 40,
      stack: null,
      messageId: 'example',
      help: '',
      related: [],
      fix: { description: 'Use $(TM_COMMON) for init', safe: true },
      fixed: true,
    },
    {
      ruleId: 'provider-handshake',
      severity: 'error',
      message: 'terraform-provider-aws_v5.0.0 is empty (0 bytes)',
      file: 'stacks/a b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0',
      line: null,
      column: null,
      endLine: null,
      endColumn: null,
      stack: 'stacks/a b',
      messageId: 'example',
      help: '',
      related: [],
      fix: { description: 'Quarantine the package', safe: false },
      fixed: false,
    },
  ],
  summary: { errors: 2, warnings: 2, infos: 1, fixable: 4, fixed: 1 },
};

describe('jsonReporter', () => {
  it('prints the contract report, two-space indented, keys in contract order, with a trailing newline', () => {
    expect(jsonReporter(reportInput())).toBe(`${JSON.stringify(EXPECTED, null, 2)}\n`);
  });

  it('starts exactly like the contract example', () => {
    const text = jsonReporter(reportInput());
    expect(text.startsWith('{\n  "version": 1,\n  "tool": {\n    "name": "tm-doctor",\n    "version": "0.1.0"\n  },\n  "root": "/work/project",\n  "findings": [\n    {\n      "ruleId": "plugin-cache-dir",\n')).toBe(true);
    expect(text.endsWith('  }\n}\n')).toBe(true);
  });

  it('reports an empty project with zero counts', () => {
    expect(JSON.parse(jsonReporter(reportInput({ findings: [] })))).toEqual({
      version: 1,
      tool: { name: 'tm-doctor', version: '0.1.0' },
      root: ROOT,
      findings: [],
      summary: { errors: 0, warnings: 0, infos: 0, fixable: 0, fixed: 0 },
    });
  });

  it('counts a fixed finding only as fixed, whatever its severity and fix', () => {
    const onlyFixed = FINDINGS.filter((finding) => finding.fixed);
    expect(JSON.parse(jsonReporter(reportInput({ findings: onlyFixed }))).summary).toEqual({
      errors: 0,
      warnings: 0,
      infos: 0,
      fixable: 0,
      fixed: 1,
    });
  });
});
