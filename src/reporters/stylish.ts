import picocolors from 'picocolors';
import type { Finding, Location, Range, Severity } from '../types.js';
import { escapeControlCharacters } from '../util/control-characters.js';
import { LineIndex } from '../util/line-index.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { countFindings, remainingFindings, type FindingCounts } from './summary.js';
import type { ReportInput } from './types.js';

// Diagnostics as a compiler prints them (rustc, ruff, biome): for each finding a header
// (`file:line:col: severity: message  rule`), a frame of the offending line(s) with line
// numbers and the span underlined, each related place with its own frame and label, then
// `help:`. Fixed findings get no entry (the summary counts them); nothing at all is printed
// when there is nothing to say, so silence means a clean project. Whatever comes from the
// project (names, messages quoting it, file text) has its control characters escaped. Places
// are named relative to the working directory, as ESLint, tsc and rustc name them, so that
// a click or a copy opens them; messages and help keep the rules' wording, relative to the root.

export const ENVIRONMENT_HEADING = '(environment)';

type Colors = ReturnType<typeof picocolors.createColors>;

/** Lines of a span shown at most; a longer span shows its first lines and `...`. */
const MAX_FRAME_LINES = 4;
const TAB = '    ';

// Terminal cells taken by wide characters (Hangul, CJK, full-width forms, emoji), so carets
// stay under Korean or Japanese text.
const WIDE_CHARACTER = /[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA960-\uA97F\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{1F300}-\u{1FAFF}\u{20000}-\u{3FFFD}]/u;

function textWidth(text: string): number {
  let width = 0;
  for (const character of text) width += WIDE_CHARACTER.test(character) ? 2 : 1;
  return width;
}

function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - textWidth(text)));
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function severityColor(colors: Colors, severity: Severity): (text: string) => string {
  if (severity === 'error') return colors.red;
  if (severity === 'warning') return colors.yellow;
  return colors.blue;
}

/**
 * A location as the terminal opens it: the file relative to the working directory (`base`),
 * absolute outside it. Messages and help are worded by the rules, relative to the root.
 */
function where(base: string, location: Location | null): string {
  if (!location) return ENVIRONMENT_HEADING;
  const file = escapeControlCharacters(displayPath(base, location.file));
  const range = location.range;
  return range ? `${file}:${range.line}:${range.column}` : file;
}

/**
 * Words of `text` on lines of at most `width` cells once indented (the first line's prefix is
 * as wide as `indent`), the later ones starting with `indent`; as is without a width.
 */
function wrap(text: string, width: number | undefined, indent: string): string[] {
  if (!width || width <= indent.length + 20) return [text];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    const candidate = current === '' ? word : `${current} ${word}`;
    if (current !== '' && textWidth(candidate) + indent.length > width) {
      lines.push(current);
      current = word;
    } else current = candidate;
  }
  lines.push(current);
  return lines.map((line, index) => (index === 0 ? line : indent + line));
}

interface FrameLine {
  number: number;
  text: string;
  /** Cells to underline on this line: [start, end) after tab expansion. */
  mark: [number, number] | null;
}

/**
 * The last text's line index: a finding may cite thousands of lines of one file (every launch
 * of a long recipe), and indexing the file again per frame made the report quadratic.
 */
let lastIndexed: LineIndex | null = null;

function lineIndexOf(text: string): LineIndex {
  if (lastIndexed?.text !== text) lastIndexed = new LineIndex(text);
  return lastIndexed;
}

/** The span's lines with their marks, or null when the file or the range cannot be shown. */
function frameLines(location: Location, readText: ReportInput['readText']): FrameLine[] | null {
  const range: Range | null = location.range;
  const text = range ? readText?.(location.file) : undefined;
  if (!range || text === undefined) return null;
  const lines = lineIndexOf(text);
  if (range.line < 1 || range.line > lines.lineCount || range.endLine < range.line || range.endLine > lines.lineCount) return null;
  const result: FrameLine[] = [];
  const last = Math.min(range.endLine, range.line + MAX_FRAME_LINES - 1);
  for (let number = range.line; number <= last; number++) {
    const raw = lines.lineText(number) ?? '';
    const from = number === range.line ? range.column - 1 : leadingBlank(raw);
    const to = number === range.endLine ? range.endColumn - 1 : raw.length;
    if (from < 0 || from > raw.length) return null;
    const shown = displayed(raw);
    const start = textWidth(displayed(raw.slice(0, from)));
    const end = Math.max(start + 1, textWidth(displayed(raw.slice(0, Math.min(Math.max(to, from), raw.length)))));
    result.push({ number, text: shown, mark: [start, end] });
  }
  return result;
}

function oneLine(text: string): string {
  return text.replace(/\s*(\r\n|\r|\n)\s*/g, ' ');
}

function leadingBlank(text: string): number {
  return text.length - text.trimStart().length;
}

function expandTabs(text: string): string {
  return text.replaceAll('\t', TAB);
}

/** A line of a file as the frame shows it: tabs expanded, control characters escaped. */
function displayed(text: string): string {
  return escapeControlCharacters(expandTabs(text));
}

/** A frame: the gutter is as wide as the largest line number of the whole finding. */
function renderFrame(frame: FrameLine[], gutter: number, marker: string, label: string | null, colorMark: (text: string) => string, colors: Colors, more: boolean): string[] {
  const bar = colors.dim(`${' '.repeat(gutter)} |`);
  const out = [bar];
  frame.forEach((line, index) => {
    out.push(`${colors.dim(`${String(line.number).padStart(gutter)} |`)} ${line.text}`);
    if (!line.mark) return;
    const [start, end] = line.mark;
    const underline = ' '.repeat(start) + marker.repeat(end - start);
    const isLast = index === frame.length - 1;
    out.push(`${bar} ${colorMark(underline)}${isLast && label ? ` ${colorMark(label)}` : ''}`);
  });
  if (more) out.push(`${bar} ...`);
  return out;
}

function spanLineCount(location: Location): number {
  return location.range ? location.range.endLine - location.range.line + 1 : 0;
}

function renderFinding(finding: Finding, input: ReportInput, colors: Colors, width: number | undefined): string {
  const color = severityColor(colors, finding.severity);
  const base = input.cwd ?? input.root;
  const out = [`${colors.bold(where(base, finding.location))}: ${color(finding.severity)}: ${colors.bold(escapeControlCharacters(oneLine(finding.message)))}  ${colors.dim(finding.ruleId)}`];
  const primary = finding.location ? frameLines(finding.location, input.readText) : null;
  const related = finding.related.map((entry) => ({ entry, frame: frameLines(entry.location, input.readText) }));
  const numbers = [...(primary ?? []), ...related.flatMap(({ frame }) => frame ?? [])].map((line) => String(line.number).length);
  const gutter = Math.max(1, ...numbers);
  if (primary && finding.location) out.push(...renderFrame(primary, gutter, '^', null, color, colors, spanLineCount(finding.location) > primary.length));
  for (const { entry, frame } of related) {
    const heading = `${' '.repeat(gutter)}${colors.dim('::: ')}${where(base, entry.location)}`;
    if (!frame) {
      out.push(`${heading} ${colors.cyan(escapeControlCharacters(oneLine(entry.message)))}`);
      continue;
    }
    out.push(heading, ...renderFrame(frame, gutter, '-', escapeControlCharacters(oneLine(entry.message)), colors.cyan, colors, spanLineCount(entry.location) > frame.length));
  }
  if (finding.help !== '') {
    const prefix = `${' '.repeat(gutter)} = `;
    const helpIndent = ' '.repeat(prefix.length + 'help: '.length);
    const [first, ...rest] = wrap(escapeControlCharacters(finding.help), width === undefined ? undefined : width, helpIndent);
    out.push(`${prefix}${colors.bold('help:')} ${first}`, ...rest);
  }
  return out.join('\n');
}

/**
 * Files inside the root by name, then files outside it, then the environment; by position in a
 * file. Names relative to the root: the order is the same from any working directory.
 */
function byPlace(root: string, findings: Finding[]): Finding[] {
  const key = (finding: Finding) => {
    const location = finding.location;
    const rank = !location ? 2 : isInsideRoot(root, location.file) ? 0 : 1;
    return { rank, file: location ? displayPath(root, location.file) : '', line: location?.range?.line ?? 0, column: location?.range?.column ?? 0 };
  };
  return findings
    .map((finding, index) => ({ finding, index, key: key(finding) }))
    .sort((a, b) => a.key.rank - b.key.rank || compareText(a.key.file, b.key.file) || a.key.line - b.key.line || a.key.column - b.key.column || a.index - b.index)
    .map(({ finding }) => finding);
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
  if (counts.refused > 0) lines.push(color(`  ${counts.refused === 1 ? '1 fix' : `${counts.refused} fixes`} could not be applied (the notes on stderr say why)`));
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
  return ['Rule docs:', ...ruleIds.map((ruleId) => `  ${padEnd(ruleId, width)}  ${colors.dim(docsUrlOf.get(ruleId))}`)].join('\n');
}

export function stylishReporter(input: ReportInput): string {
  const colors = picocolors.createColors(input.color);
  const counts = countFindings(input.findings);
  const remaining = remainingFindings(input.findings);
  if (remaining.length === 0 && counts.fixed === 0) return '';
  const sections = byPlace(input.root, remaining).map((finding) => renderFinding(finding, input, colors, input.width));
  const docs = renderDocs(remaining, input, colors);
  if (docs) sections.push(docs);
  sections.push(renderSummary(counts, colors));
  return `\n${sections.join('\n\n')}\n`;
}
