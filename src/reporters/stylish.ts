import picocolors from 'picocolors';
import type { Finding, Severity } from '../types.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { countFindings, remainingFindings, type FindingCounts } from './summary.js';
import type { ReportInput } from './types.js';

// ESLint's stylish layout: findings grouped under their file's name, one aligned row
// each (`line:col  severity  message  rule`), then a summary. Fixed findings get no row:
// they are no longer problems; the summary counts them ("2 fixed"). Nothing at all is
// printed when there is nothing to say, so silence means a clean project.

export const ENVIRONMENT_HEADING = '(environment)';

type Colors = ReturnType<typeof picocolors.createColors>;

interface Group {
  heading: string;
  findings: Finding[];
}

interface Row {
  line: string;
  column: string;
  severity: Severity;
  messageLines: string[];
  ruleId: string;
}

const GROUP_RANK = { inside: 0, outside: 1, environment: 2 } as const;

// Terminal cells taken by wide characters (Hangul, CJK, full-width forms, emoji), so rows
// with Korean or Japanese messages still line up.
const WIDE_CHARACTER = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;

function textWidth(text: string): number {
  let width = 0;
  for (const character of text) width += WIDE_CHARACTER.test(character) ? 2 : 1;
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}

function padStart(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - textWidth(text))) + text;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Files inside the root by name, then files outside it, then the environment. */
function groupFindings(root: string, findings: Finding[]): Group[] {
  const groups = new Map<string, { rank: number; findings: Finding[] }>();
  for (const finding of findings) {
    const heading = finding.location ? displayPath(root, finding.location.file) : ENVIRONMENT_HEADING;
    const rank = !finding.location
      ? GROUP_RANK.environment
      : isInsideRoot(root, finding.location.file)
        ? GROUP_RANK.inside
        : GROUP_RANK.outside;
    const group = groups.get(heading) ?? { rank, findings: [] };
    group.findings.push(finding);
    groups.set(heading, group);
  }
  return [...groups]
    .sort(([leftHeading, left], [rightHeading, right]) => left.rank - right.rank || compareText(leftHeading, rightHeading))
    .map(([heading, group]) => ({ heading, findings: sortByPosition(group.findings) }));
}

/** Findings about the whole file first, then by line and column; ties keep their order. */
function sortByPosition(findings: Finding[]): Finding[] {
  const key = (finding: Finding): [number, number] => {
    const range = finding.location?.range;
    return range ? [range.line, range.column] : [0, 0];
  };
  return [...findings].sort((left, right) => {
    const [leftLine, leftColumn] = key(left);
    const [rightLine, rightColumn] = key(right);
    return leftLine - rightLine || leftColumn - rightColumn;
  });
}

function toRow(finding: Finding): Row {
  const range = finding.location?.range;
  return {
    line: range ? String(range.line) : '-',
    column: range ? String(range.column) : '',
    severity: finding.severity,
    messageLines: finding.message.split(/\r\n|\r|\n/),
    ruleId: finding.ruleId,
  };
}

function severityColor(colors: Colors, severity: Severity): (text: string) => string {
  if (severity === 'error') return colors.red;
  if (severity === 'warning') return colors.yellow;
  return colors.blue;
}

function renderGroup(group: Group, colors: Colors): string {
  const rows = group.findings.map(toRow);
  const lineWidth = Math.max(...rows.map((row) => textWidth(row.line)));
  const columnWidth = Math.max(...rows.map((row) => textWidth(row.column)));
  const severityWidth = Math.max(...rows.map((row) => textWidth(row.severity)));
  const messageWidth = Math.max(...rows.map((row) => textWidth(row.messageLines[0])));
  const messageIndent = ' '.repeat(2 + lineWidth + 1 + columnWidth + 2 + severityWidth + 2);
  const lines = [colors.underline(group.heading)];
  for (const row of rows) {
    const separator = row.column === '' ? ' ' : ':';
    const position = padStart(row.line, lineWidth) + separator + padEnd(row.column, columnWidth);
    const [firstLine, ...moreLines] = row.messageLines;
    lines.push(
      `  ${colors.dim(position)}  ${severityColor(colors, row.severity)(padEnd(row.severity, severityWidth))}  ` +
        `${padEnd(firstLine, messageWidth)}  ${colors.dim(row.ruleId)}`,
    );
    for (const moreLine of moreLines) lines.push(moreLine === '' ? '' : messageIndent + moreLine);
  }
  return lines.join('\n');
}

function plural(count: number, singular: string): string {
  return `${count} ${singular}${count === 1 ? '' : 's'}`;
}

function fixableLine(counts: FindingCounts): string | null {
  const { safelyFixable, unsafelyFixable } = counts;
  if (safelyFixable > 0 && unsafelyFixable > 0) {
    return `${safelyFixable} fixable with --fix, ${unsafelyFixable} more with --fix --unsafe-fixes`;
  }
  if (safelyFixable > 0) return `${safelyFixable} fixable with --fix`;
  if (unsafelyFixable > 0) return `${unsafelyFixable} fixable with --fix --unsafe-fixes`;
  return null;
}

function renderSummary(counts: FindingCounts, colors: Colors): string {
  const problems = counts.errors + counts.warnings + counts.infos;
  if (problems === 0) return colors.green(`✔ ${counts.fixed} fixed, no problems left`);
  const color = counts.errors > 0 ? colors.red : counts.warnings > 0 ? colors.yellow : colors.blue;
  const lines = [
    colors.bold(
      color(
        `✖ ${plural(problems, 'problem')} ` +
          `(${plural(counts.errors, 'error')}, ${plural(counts.warnings, 'warning')}, ${plural(counts.infos, 'info')})`,
      ),
    ),
  ];
  const fixable = fixableLine(counts);
  if (fixable) lines.push(color(`  ${fixable}`));
  if (counts.fixed > 0) lines.push(colors.green(`  ${counts.fixed} fixed`));
  return lines.join('\n');
}

/** Each rule with a finding left, with its documentation's address. */
function renderDocs(remaining: Finding[], input: ReportInput, colors: Colors): string | null {
  const docsUrlOf = new Map(input.rules.map((rule) => [rule.id, rule.docsUrl]));
  const ruleIds = [...new Set(remaining.map((finding) => finding.ruleId))]
    .filter((ruleId) => docsUrlOf.has(ruleId))
    .sort(compareText);
  if (ruleIds.length === 0) return null;
  const width = Math.max(...ruleIds.map(textWidth));
  return ['Rule docs:', ...ruleIds.map((ruleId) => `  ${padEnd(ruleId, width)}  ${colors.dim(docsUrlOf.get(ruleId))}`)].join(
    '\n',
  );
}

export function stylishReporter(input: ReportInput): string {
  const colors = picocolors.createColors(input.color);
  const counts = countFindings(input.findings);
  const remaining = remainingFindings(input.findings);
  if (remaining.length === 0 && counts.fixed === 0) return '';
  const sections = groupFindings(input.root, remaining).map((group) => renderGroup(group, colors));
  const docs = renderDocs(remaining, input, colors);
  if (docs) sections.push(docs);
  sections.push(renderSummary(counts, colors));
  return `\n${sections.join('\n\n')}\n`;
}
