// A finding may name a file that is gone by the time the report is written, or a range that
// lies outside the file: every reporter still reports it, and none throws.
import { describe, expect, it } from '@jest/globals';
import { REPORT_FORMATS, reporters } from '../../src/reporters/index.js';
import type { Finding } from '../../src/types.js';
import { reportInput, ROOT } from './fixtures.js';

const TEXTS: Record<string, string> = { [`${ROOT}/short.tm`]: 'a = 1\n' };

function finding(file: string, line: number, column: number, endLine = line, endColumn = column + 3): Finding {
  return {
    ruleId: 'plugin-cache-dir',
    messageId: 'example',
    data: {},
    severity: 'warning',
    message: `problem in ${file}`,
    help: 'What to do.',
    location: { file: `${ROOT}/${file}`, range: { line, column, endLine, endColumn } },
    related: [{ location: { file: `${ROOT}/gone.mk`, range: { line: 7, column: 1, endLine: 7, endColumn: 2 } }, messageId: 'defines', message: 'defined here' }],
    stack: null,
    fix: null,
    fixed: false,
  };
}

const FINDINGS = [finding('deleted.tm', 3, 1), finding('short.tm', 40, 2), finding('short.tm', 1, 50), finding('short.tm', 2, 1, 9, 1), finding('short.tm', 0, 0)];

describe.each(REPORT_FORMATS)('%s reporter on places that cannot be shown', (format) => {
  it('reports every finding with its message and does not throw', () => {
    const output = reporters[format](reportInput({ findings: FINDINGS, readText: (file) => TEXTS[file] }));
    for (const { message } of FINDINGS) expect(output).toContain(message);
  });
});
