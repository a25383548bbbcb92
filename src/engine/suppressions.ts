import type { LineIndex } from '../util/line-index.js';

// `# tm-doctor-ignore: RULE[, RULE] [-- reason]` on the offending line or the line above it.
// `//` works too, for HCL files written in that style.
//
// A line says what this expression finds in it (the first marker that matches, the shortest
// rule list):
//   /(?:#|\/\/)\s*tm-doctor-ignore:\s*([A-Za-z0-9_\-,\s]+?)\s*(?:--.*)?$/
// It is not run as written: its lazy group, then `\s*`, backtracks over every split of a run
// of blanks, so a long line would cost the square of its length. `directiveIn` finds the same
// match in one pass over the line; a file's directives are found once, and each finding then
// looks up two lines.

const MARKER = 'tm-doctor-ignore:';
const SPACE = /\s/;

/** `\s` of a regular expression: Unicode blanks and line terminators too. */
function isSpace(c: string): boolean {
  const code = c.charCodeAt(0);
  return code < 128 ? code === 32 || (code >= 9 && code <= 13) : SPACE.test(c);
}

/** `[A-Za-z0-9_\-,\s]` (UTF-16 units, as the expression without the `u` flag reads them). */
function isRuleChar(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_' || c === '-' || c === ',' || isSpace(c);
}

/** What `.` does not match. */
function isLineTerminator(c: string): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029';
}

/** The rule list the directive expression captures in `line`, or null when it does not match. */
export function directiveIn(line: string): string | null {
  let marker = line.indexOf(MARKER);
  if (marker < 0) return null;
  const n = line.length;
  // tail[i]: line.slice(i) matches `\s*(?:--.*)?$`; nextTail[i]: the first j >= i where it does
  // (tail[n] always); runEnd[i]: where the run of rule characters starting at i ends.
  const tail = new Uint8Array(n + 1);
  const nextTail = new Int32Array(n + 2);
  const runEnd = new Int32Array(n + 1);
  tail[n] = 1;
  nextTail[n] = n;
  nextTail[n + 1] = n + 1;
  runEnd[n] = n;
  let terminatorAfter = false; // a line terminator at i or after it
  for (let i = n - 1; i >= 0; i--) {
    const c = line[i];
    if (isLineTerminator(c)) terminatorAfter = true;
    const dashes = c === '-' && line[i + 1] === '-' && !terminatorAfter;
    tail[i] = (isSpace(c) && tail[i + 1] === 1) || dashes ? 1 : 0;
    nextTail[i] = tail[i] === 1 ? i : nextTail[i + 1];
    runEnd[i] = isRuleChar(c) ? runEnd[i + 1] : i;
  }
  for (; marker >= 0; marker = line.indexOf(MARKER, marker + MARKER.length)) {
    // The opener: `#` or `//`, then blanks, then the marker.
    let opener = marker;
    while (opener > 0 && isSpace(line[opener - 1])) opener--;
    if (!(line[opener - 1] === '#' || (line[opener - 1] === '/' && line[opener - 2] === '/'))) continue;
    const after = marker + MARKER.length;
    let group = after;
    while (group < n && isSpace(line[group])) group++;
    // The shortest non-empty group from the first non-blank whose rest matches the tail...
    if (group < n) {
      const end = nextTail[group + 1];
      if (end <= runEnd[group]) return line.slice(group, end);
    }
    // ...else the last blank before it alone, when the tail matches from there.
    if (group > after && tail[group] === 1) return line.slice(group - 1, group);
  }
  return null;
}

export function suppressedRules(lineText: string | undefined): string[] {
  if (lineText === undefined) return [];
  const group = directiveIn(lineText);
  if (group === null) return [];
  return group
    .split(',')
    .map((rule) => rule.trim())
    .filter(Boolean);
}

/** The rules each line of one file suppresses (lines without a directive are absent). */
export class SuppressionIndex {
  private readonly byLine = new Map<number, readonly string[]>();

  constructor(lines: LineIndex) {
    const text = lines.text;
    let line = 1;
    let read = 0;
    for (let at = text.indexOf(MARKER); at >= 0; at = text.indexOf(MARKER, at + MARKER.length)) {
      // Markers come in order: the line only moves forward, and each line is read once.
      while (line < lines.lineCount && lines.lineStart(line + 1) <= at) line++;
      if (line === read) continue;
      read = line;
      const rules = suppressedRules(lines.lineText(line));
      if (rules.length > 0) this.byLine.set(line, rules);
    }
  }

  /** Whether a finding of `ruleId` at 1-based `line` is suppressed: by its own line or the one above. */
  suppresses(line: number, ruleId: string): boolean {
    for (const rules of [this.byLine.get(line), this.byLine.get(line - 1)]) {
      if (rules && (rules.includes(ruleId) || rules.includes('all'))) return true;
    }
    return false;
  }
}

const indexes = new WeakMap<LineIndex, SuppressionIndex>();

/** A file's suppressions, read once per text (its LineIndex). */
export function suppressionsOf(lines: LineIndex): SuppressionIndex {
  let index = indexes.get(lines);
  if (!index) {
    index = new SuppressionIndex(lines);
    indexes.set(lines, index);
  }
  return index;
}

/** Whether the finding at 1-based `line` of the file is suppressed for `ruleId`. */
export function isSuppressed(lines: LineIndex, line: number, ruleId: string): boolean {
  return suppressionsOf(lines).suppresses(line, ruleId);
}
