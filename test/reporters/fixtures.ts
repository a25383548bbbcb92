import type { Finding, RuleMeta } from '../../src/types.js';
import type { ReportInput } from '../../src/reporters/types.js';

export const ROOT = '/work/project';

const DOCS_BASE = 'https://example.test/tm-doctor/docs/rules';

function rule(id: string, severity: RuleMeta['severity'], fixable: boolean, summary: string): RuleMeta {
  return { id, severity, fixable, summary, docsUrl: `${DOCS_BASE}/${id}.md`, messages: {}, help: {} };
}

export const RULES: RuleMeta[] = [
  rule('no-sharing-on-init', 'error', true, 'terraform init must not get output-sharing flags'),
  rule('plugin-cache-dir', 'warning', true, 'A provider cache must be in effect'),
  rule('lockfile-cache-env', 'warning', true, 'The cache needs TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE'),
  rule('provider-handshake', 'error', true, 'Installed providers must start'),
  rule('provider-checksum', 'info', false, 'Installed providers must match the lock file'),
];

export const RULE_DOCS: Record<string, string> = {
  'no-sharing-on-init':
    '# no-sharing-on-init\n\nOutput sharing during `terraform init`\nis useless and races.\n\n## Fix\n\nUse `$(TM_COMMON)`.\n',
};

export const FINDINGS: Finding[] = [
  {
    ruleId: 'plugin-cache-dir',
    messageId: 'example',
    data: {},
    help: '',
    related: [],
    severity: 'warning',
    message: 'Cache 50% set: dir=~/cache, relative, "~" not expanded',
    location: { file: `${ROOT}/stacks/a b/config.tm`, range: { line: 3, column: 5, endLine: 5, endColumn: 2 } },
    stack: `${ROOT}/stacks/a b`,
    fix: { description: 'Set TF_PLUGIN_CACHE_DIR', safe: true, changes: [] },
    fixed: false,
  },
  {
    ruleId: 'no-sharing-on-init',
    messageId: 'example',
    data: {},
    help: 'Output sharing runs `terraform output` in every dependency stack before the command. Give init the options without sharing.',
    related: [
      {
        location: { file: `${ROOT}/Makefile`, range: { line: 3, column: 12, endLine: 3, endColumn: 43 } },
        messageId: 'defines',
        message: 'TM_OPTS is defined here with --enable-sharing --mock-on-fail',
      },
    ],
    severity: 'error',
    message: 'terraform init runs with --enable-sharing (via $(TM_OPTS), defined at Makefile:3)',
    location: { file: `${ROOT}/Makefile`, range: { line: 9, column: 1, endLine: 9, endColumn: 72 } },
    stack: null,
    fix: { description: 'Use $(TM_COMMON) for init', safe: true, changes: [] },
    fixed: false,
  },
  {
    ruleId: 'lockfile-cache-env',
    messageId: 'example',
    data: {},
    help: '',
    related: [],
    severity: 'warning',
    message: 'Lock files record one platform.\nRun terraform providers lock -platform=linux_amd64,darwin_arm64',
    location: { file: '/home/dev/.terraformrc', range: { line: 1, column: 1, endLine: 1, endColumn: 30 } },
    stack: null,
    fix: { description: 'Add plugin_cache_may_break_dependency_lock_file', safe: false, changes: [] },
    fixed: false,
  },
  {
    ruleId: 'plugin-cache-dir',
    messageId: 'example',
    data: {},
    help: '',
    related: [],
    severity: 'info',
    message: 'No <cache> & "env" \'set\'',
    location: null,
    stack: null,
    fix: null,
    fixed: false,
  },
  {
    ruleId: 'no-sharing-on-init',
    messageId: 'example',
    data: {},
    help: '',
    related: [],
    severity: 'error',
    message: 'terraform init runs with --mock-on-fail',
    location: { file: `${ROOT}/Makefile`, range: { line: 20, column: 1, endLine: 20, endColumn: 40 } },
    stack: null,
    fix: { description: 'Use $(TM_COMMON) for init', safe: true, changes: [] },
    fixed: true,
  },
  {
    ruleId: 'provider-handshake',
    messageId: 'example',
    data: {},
    help: '',
    related: [],
    severity: 'error',
    message: 'terraform-provider-aws_v5.0.0 is empty (0 bytes)',
    location: {
      file: `${ROOT}/stacks/a b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0`,
      range: null,
    },
    stack: `${ROOT}/stacks/a b`,
    fix: { description: 'Quarantine the package', safe: false, changes: [] },
    fixed: false,
  },
];

export const FILE_TEXTS: Record<string, string> = {
  [`${ROOT}/Makefile`]:
    'TM_COMMON := --parallel 5\n\nTM_OPTS := --enable-sharing --mock-on-fail $(TM_COMMON)\n\n\n\n\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\n',
  [`${ROOT}/stacks/a b/config.tm`]: 'terramate {\n  config {\n    run {\n      env {}\n    }\n  }\n}\n',
  '/home/dev/.terraformrc': 'plugin_cache_dir = "~/cache"\n',
};

export function reportInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    root: ROOT,
    tool: { name: 'tm-doctor', version: '0.1.0', informationUri: 'https://example.test/tm-doctor' },
    findings: FINDINGS,
    rules: RULES,
    ruleDocs: (ruleId) => RULE_DOCS[ruleId] ?? null,
    color: false,
    readText: (absPath) => FILE_TEXTS[absPath],
    ...overrides,
  };
}
