import type { Finding } from '../types.js';
import { displayPath, displayPathOrNull } from '../util/path.js';
import { countFindings } from './summary.js';
import type { ReportInput } from './types.js';

/** One finding in the contract's JSON report (docs: spec "JSON report"). */
export interface JsonFinding {
  ruleId: string;
  severity: Finding['severity'];
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  stack: string | null;
  /** The rule's message template (stable: tools key on ruleId + messageId, never on wording). */
  messageId: string;
  help: string;
  related: JsonRelated[];
  fix: { description: string; safe: boolean } | null;
  fixed: boolean;
}

export interface JsonRelated {
  file: string;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  message: string;
}

export interface JsonReport {
  version: 1;
  tool: { name: string; version: string };
  root: string;
  findings: JsonFinding[];
  summary: { errors: number; warnings: number; infos: number; fixable: number; fixed: number };
}

function toJsonFinding(root: string, finding: Finding): JsonFinding {
  const range = finding.location?.range ?? null;
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    file: finding.location ? displayPath(root, finding.location.file) : null,
    line: range?.line ?? null,
    column: range?.column ?? null,
    endLine: range?.endLine ?? null,
    endColumn: range?.endColumn ?? null,
    stack: displayPathOrNull(root, finding.stack),
    messageId: finding.messageId,
    help: finding.help,
    related: finding.related.map(({ location, message }) => ({
      file: displayPath(root, location.file),
      line: location.range?.line ?? null,
      column: location.range?.column ?? null,
      endLine: location.range?.endLine ?? null,
      endColumn: location.range?.endColumn ?? null,
      message,
    })),
    fix: finding.fix ? { description: finding.fix.description, safe: finding.fix.safe } : null,
    fixed: finding.fixed,
  };
}

/** Fixed findings stay in the list (with `fixed: true`); the summary counts them apart. */
export function buildJsonReport(input: ReportInput): JsonReport {
  const counts = countFindings(input.findings);
  return {
    version: 1,
    tool: { name: input.tool.name, version: input.tool.version },
    root: input.root,
    findings: input.findings.map((finding) => toJsonFinding(input.root, finding)),
    summary: {
      errors: counts.errors,
      warnings: counts.warnings,
      infos: counts.infos,
      fixable: counts.fixable,
      fixed: counts.fixed,
    },
  };
}

export function jsonReporter(input: ReportInput): string {
  return `${JSON.stringify(buildJsonReport(input), null, 2)}\n`;
}
