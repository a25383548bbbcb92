import type { Finding } from '../types.js';
import { displayPath } from '../util/path.js';
import { remainingFindings } from './summary.js';
import type { ReportInput } from './types.js';
import { escapeXmlAttribute, escapeXmlText } from './xml.js';

// One <testsuite> per rule, one <testcase> per rule and file, one <failure> per finding
// still present. A rule without findings gets one passing testcase, "(project)", so CI
// dashboards list every check that ran. The `failures` attributes count failed
// testcases (the JUnit meaning), not <failure> elements.

export const ENVIRONMENT_TESTCASE = '(environment)';
export const PASSING_TESTCASE = '(project)';

interface TestCase {
  name: string;
  findings: Finding[];
}

interface TestSuite {
  ruleId: string;
  testCases: TestCase[];
}

function testCaseName(root: string, finding: Finding): string {
  return finding.location ? displayPath(root, finding.location.file) : ENVIRONMENT_TESTCASE;
}

function positionOf(root: string, finding: Finding): string {
  if (!finding.location) return ENVIRONMENT_TESTCASE;
  const file = displayPath(root, finding.location.file);
  const range = finding.location.range;
  return range ? `${file}:${range.line}:${range.column}` : file;
}

/** Suites in the order of `input.rules`, then rules only findings mention; cases by name. */
function buildSuites(input: ReportInput): TestSuite[] {
  const byRule = new Map<string, Map<string, Finding[]>>();
  for (const rule of input.rules) byRule.set(rule.id, new Map());
  for (const finding of remainingFindings(input.findings)) {
    let cases = byRule.get(finding.ruleId);
    if (!cases) {
      cases = new Map();
      byRule.set(finding.ruleId, cases);
    }
    const name = testCaseName(input.root, finding);
    const findings = cases.get(name) ?? [];
    findings.push(finding);
    cases.set(name, findings);
  }
  return [...byRule].map(([ruleId, cases]) => ({
    ruleId,
    testCases:
      cases.size === 0
        ? [{ name: PASSING_TESTCASE, findings: [] }]
        : [...cases]
            .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))
            .map(([name, findings]) => ({ name, findings })),
  }));
}

function failureElement(root: string, finding: Finding, docsUrl: string | undefined): string {
  const firstLine = finding.message.split(/\r\n|\r|\n/)[0];
  const body = [`${finding.severity} at ${positionOf(root, finding)}`, finding.message];
  if (finding.help) body.push(`help: ${finding.help}`);
  for (const { location, message } of finding.related) {
    const range = location.range;
    body.push(`related: ${displayPath(root, location.file)}${range ? `:${range.line}:${range.column}` : ''}: ${message}`);
  }
  if (docsUrl) body.push(`Docs: ${docsUrl}`);
  return (
    `      <failure type="${escapeXmlAttribute(finding.severity)}" message="${escapeXmlAttribute(firstLine)}">` +
    `${escapeXmlText(body.join('\n'))}</failure>\n`
  );
}

function testCaseElement(root: string, ruleId: string, testCase: TestCase, docsUrl: string | undefined): string {
  const opening = `    <testcase classname="${escapeXmlAttribute(ruleId)}" name="${escapeXmlAttribute(testCase.name)}"`;
  if (testCase.findings.length === 0) return `${opening}/>\n`;
  const failures = testCase.findings.map((finding) => failureElement(root, finding, docsUrl)).join('');
  return `${opening}>\n${failures}    </testcase>\n`;
}

function failedCount(testCases: TestCase[]): number {
  return testCases.filter((testCase) => testCase.findings.length > 0).length;
}

export function junitReporter(input: ReportInput): string {
  const docsUrlOf = new Map(input.rules.map((rule) => [rule.id, rule.docsUrl]));
  const suites = buildSuites(input);
  const allCases = suites.flatMap((suite) => suite.testCases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<testsuites name="${escapeXmlAttribute(input.tool.name)}" tests="${allCases.length}" ` +
      `failures="${failedCount(allCases)}" errors="0">\n`,
  ];
  for (const suite of suites) {
    const docsUrl = docsUrlOf.get(suite.ruleId);
    lines.push(
      `  <testsuite name="${escapeXmlAttribute(suite.ruleId)}" tests="${suite.testCases.length}" ` +
        `failures="${failedCount(suite.testCases)}" errors="0" skipped="0">\n`,
    );
    for (const testCase of suite.testCases) lines.push(testCaseElement(input.root, suite.ruleId, testCase, docsUrl));
    lines.push('  </testsuite>\n');
  }
  lines.push('</testsuites>\n');
  return lines.join('');
}
