import type { LineIndex } from '../util/line-index.js';

// `# tm-doctor-ignore: RULE[, RULE] [-- reason]` on the offending line or the line above it.
// `//` works too, for HCL files written in that style.
const DIRECTIVE = /(?:#|\/\/)\s*tm-doctor-ignore:\s*([A-Za-z0-9_\-,\s]+?)\s*(?:--.*)?$/;

export function suppressedRules(lineText: string | undefined): string[] {
  if (lineText === undefined) return [];
  const match = DIRECTIVE.exec(lineText);
  if (!match) return [];
  return match[1]
    .split(',')
    .map((rule) => rule.trim())
    .filter(Boolean);
}

/** Whether the finding at 1-based `line` of the file is suppressed for `ruleId`. */
export function isSuppressed(lines: LineIndex, line: number, ruleId: string): boolean {
  const rules = [...suppressedRules(lines.lineText(line)), ...suppressedRules(lines.lineText(line - 1))];
  return rules.includes(ruleId) || rules.includes('all');
}
