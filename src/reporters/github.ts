import type { Finding, Severity } from '../types.js';
import { displayPath } from '../util/path.js';
import { remainingFindings } from './summary.js';
import type { ReportInput } from './types.js';

// GitHub Actions workflow commands (`::error file=...::message`), escaped exactly as the
// Actions toolkit escapes them so the runner decodes the original text.

const COMMAND_OF: Record<Severity, 'error' | 'warning' | 'notice'> = {
  error: 'error',
  warning: 'warning',
  info: 'notice',
};

export function escapeCommandData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

function annotationProperties(root: string, finding: Finding): Array<[string, string]> {
  const properties: Array<[string, string]> = [];
  const location = finding.location;
  if (location) {
    properties.push(['file', displayPath(root, location.file)]);
    const range = location.range;
    if (range) {
      properties.push(['line', String(range.line)]);
      // The runner ignores columns on annotations that span several lines.
      if (range.line === range.endLine) properties.push(['col', String(range.column)]);
      properties.push(['endLine', String(range.endLine)]);
      if (range.line === range.endLine) properties.push(['endColumn', String(range.endColumn)]);
    }
  }
  properties.push(['title', finding.message]);
  return properties;
}

function workflowCommand(root: string, finding: Finding, docsUrl: string | undefined): string {
  const properties = annotationProperties(root, finding)
    .map(([key, value]) => `${key}=${escapeCommandProperty(value)}`)
    .join(',');
  const body = [finding.help || finding.message, docsUrl ? `${finding.ruleId}: ${docsUrl}` : finding.ruleId].join('\n');
  return `::${COMMAND_OF[finding.severity]} ${properties}::${escapeCommandData(body)}`;
}

/**
 * One annotation per finding still present (fixed findings need none): the message as its
 * title, the help as its body, then the rule and its documentation.
 */
export function githubReporter(input: ReportInput): string {
  const docsUrlOf = new Map(input.rules.map((rule) => [rule.id, rule.docsUrl]));
  return remainingFindings(input.findings)
    .map((finding) => `${workflowCommand(input.root, finding, docsUrlOf.get(finding.ruleId))}\n`)
    .join('');
}
