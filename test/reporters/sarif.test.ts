import { describe, expect, it } from '@jest/globals';
import { lineFingerprints } from '../../src/reporters/fingerprint.js';
import { ENVIRONMENT_ARTIFACT_URI, buildSarifLog, sarifReporter } from '../../src/reporters/sarif.js';
import type { Finding } from '../../src/types.js';
import { compileSarifSchema } from '../support/sarif-schema.js';
import { FILE_TEXTS, FINDINGS, reportInput, ROOT, RULES } from './fixtures.js';

const validateSarif = compileSarifSchema();

function expectValidSarif(text: string): void {
  const valid = validateSarif(JSON.parse(text));
  expect(validateSarif.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

describe('sarifReporter', () => {
  it('produces a log the official SARIF 2.1.0 schema accepts', () => {
    expectValidSarif(sarifReporter(reportInput()));
    expectValidSarif(sarifReporter(reportInput({ findings: [] })));
    expectValidSarif(sarifReporter(reportInput({ rules: [], readText: undefined })));
    expectValidSarif(sarifReporter(reportInput({ tool: { name: 'tm-doctor', version: '0.1.0' } })));
  });

  it('the schema check is not vacuous: it rejects a broken log', () => {
    const log = JSON.parse(sarifReporter(reportInput()));
    log.runs[0].results[0].level = 'fatal';
    expect(validateSarif(log)).toBe(false);
    const relative = JSON.parse(sarifReporter(reportInput()));
    relative.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri = 'has space';
    expect(validateSarif(relative)).toBe(false);
  });

  it('describes the tool and every rule, with docs from ruleDocs', () => {
    const driver = buildSarifLog(reportInput()).runs[0].tool.driver;
    expect(driver.name).toBe('tm-doctor');
    expect(driver.version).toBe('0.1.0');
    expect(driver.informationUri).toBe('https://example.test/tm-doctor');
    expect(driver.rules.map((rule) => rule.id)).toEqual(RULES.map((rule) => rule.id));
    expect(driver.rules[0]).toEqual({
      id: 'no-sharing-on-init',
      name: 'NoSharingOnInit',
      shortDescription: { text: 'terraform init must not get output-sharing flags' },
      fullDescription: { text: 'Output sharing during `terraform init` is useless and races.' },
      help: {
        text: '# no-sharing-on-init\n\nOutput sharing during `terraform init`\nis useless and races.\n\n## Fix\n\nUse `$(TM_COMMON)`.\n',
        markdown: '# no-sharing-on-init\n\nOutput sharing during `terraform init`\nis useless and races.\n\n## Fix\n\nUse `$(TM_COMMON)`.\n',
      },
      helpUri: 'https://example.test/tm-doctor/docs/rules/no-sharing-on-init.md',
      defaultConfiguration: { level: 'error' },
      properties: { fixable: true },
    });
    expect(driver.rules[4].defaultConfiguration.level).toBe('note');
    expect(driver.rules[4].help.markdown).toBe(
      'Installed providers must match the lock file\n\nSee https://example.test/tm-doctor/docs/rules/provider-checksum.md',
    );
  });

  it('reports each unfixed finding with level, rule index and location', () => {
    const run = buildSarifLog(reportInput()).runs[0];
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///work/project/' } });
    expect(run.results.map((result) => [result.ruleId, result.ruleIndex, result.level])).toEqual([
      ['plugin-cache-dir', 1, 'warning'],
      ['no-sharing-on-init', 0, 'error'],
      ['lockfile-cache-env', 2, 'warning'],
      ['plugin-cache-dir', 1, 'note'],
      ['provider-handshake', 3, 'error'],
    ]);
    expect(run.results.map((result) => result.locations[0].physicalLocation)).toEqual([
      {
        artifactLocation: { uri: 'stacks/a%20b/config.tm', uriBaseId: '%SRCROOT%' },
        region: { startLine: 3, startColumn: 5, endLine: 5, endColumn: 2 },
      },
      {
        artifactLocation: { uri: 'Makefile', uriBaseId: '%SRCROOT%' },
        region: { startLine: 9, startColumn: 1, endLine: 9, endColumn: 72 },
      },
      {
        artifactLocation: { uri: 'file:///home/dev/.terraformrc' },
        region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 30 },
      },
      { artifactLocation: { uri: ENVIRONMENT_ARTIFACT_URI, uriBaseId: '%SRCROOT%' } },
      {
        artifactLocation: {
          uri: 'stacks/a%20b/.terraform/providers/registry.terraform.io/hashicorp/aws/5.0.0/linux_amd64/terraform-provider-aws_v5.0.0',
          uriBaseId: '%SRCROOT%',
        },
      },
    ]);
    expect(run.results[2].message.text).toBe(FINDINGS[2].message);
  });

  it('carries related locations with their labels, and the help after the message as markdown', () => {
    const log = buildSarifLog(reportInput());
    const sharing = log.runs[0].results.find((result) => result.ruleId === 'no-sharing-on-init');
    expect(sharing?.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: { artifactLocation: { uri: 'Makefile', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 12, endLine: 3, endColumn: 43 } },
        message: { text: 'TM_OPTS is defined here with --enable-sharing --mock-on-fail' },
      },
    ]);
    expect(sharing?.message.markdown).toBe(
      'terraform init runs with --enable-sharing (via $(TM\\_OPTS), defined at Makefile:3)\n\nOutput sharing runs `terraform output` in every dependency stack before the command. Give init the options without sharing.',
    );
    const withoutHelp = log.runs[0].results.find((result) => result.ruleId === 'plugin-cache-dir');
    expect(withoutHelp?.relatedLocations).toBeUndefined();
    expect(withoutHelp?.message).toEqual({ text: 'Cache 50% set: dir=~/cache, relative, "~" not expanded' });
    expectValidSarif(JSON.stringify(log));
  });

  it('gives every result a non-empty artifact location, as GitHub code scanning requires', () => {
    for (const result of buildSarifLog(reportInput()).runs[0].results) {
      expect(result.locations).toHaveLength(1);
      expect(result.locations[0].physicalLocation.artifactLocation.uri).not.toBe('');
    }
  });

  it('fingerprints results with a line in a readable file inside the root, as the upload action would', () => {
    const results = buildSarifLog(reportInput()).runs[0].results;
    expect(results.map((result) => result.partialFingerprints?.primaryLocationLineHash ?? null)).toEqual([
      lineFingerprints(FILE_TEXTS[`${ROOT}/stacks/a b/config.tm`])[2],
      lineFingerprints(FILE_TEXTS[`${ROOT}/Makefile`])[8],
      null,
      null,
      null,
    ]);
    // Pinned so a change of the algorithm cannot go unnoticed.
    expect(results[1].partialFingerprints?.primaryLocationLineHash).toBe('7b3593dde76ffb42:1');
  });

  it('omits fingerprints without readText, for unreadable files and for lines past the end', () => {
    expect(buildSarifLog(reportInput({ readText: undefined })).runs[0].results.some((result) => result.partialFingerprints)).toBe(false);
    expect(buildSarifLog(reportInput({ readText: () => undefined })).runs[0].results.some((result) => result.partialFingerprints)).toBe(false);
    const pastEnd: Finding = { ...FINDINGS[1], location: { file: `${ROOT}/Makefile`, range: { line: 99, column: 1, endLine: 99, endColumn: 2 } } };
    expect(buildSarifLog(reportInput({ findings: [pastEnd] })).runs[0].results[0].partialFingerprints).toBeUndefined();
  });

  it('reads each file once however many findings it has', () => {
    const reads: string[] = [];
    const findings = [FINDINGS[1], FINDINGS[1], FINDINGS[0]];
    buildSarifLog(reportInput({ findings, readText: (file) => (reads.push(file), FILE_TEXTS[file]) }));
    expect(reads).toEqual([`${ROOT}/Makefile`, `${ROOT}/stacks/a b/config.tm`]);
  });

  it('leaves out ruleIndex for a rule it does not know, and stays valid', () => {
    const stray: Finding = { ...FINDINGS[1], ruleId: 'not-a-rule' };
    const text = sarifReporter(reportInput({ findings: [stray] }));
    expectValidSarif(text);
    expect(JSON.parse(text).runs[0].results[0].ruleIndex).toBeUndefined();
  });

  it('is two-space indented JSON with a trailing newline', () => {
    const text = sarifReporter(reportInput());
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  });
});
