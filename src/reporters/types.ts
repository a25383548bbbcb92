import type { Finding, RuleMeta } from '../types.js';

/** Everything a reporter may use. Reporters know no rule by name. */
export interface ReportInput {
  /** Absolute project root. */
  root: string;
  tool: { name: string; version: string };
  findings: Finding[];
  /** Every known rule (also those that produced nothing), for SARIF's driver.rules etc. */
  rules: RuleMeta[];
  /** The markdown of docs/rules/ID.md, or null when missing. */
  ruleDocs: (ruleId: string) => string | null;
  /** Colour allowed (stylish only). */
  color: boolean;
}

export type Reporter = (input: ReportInput) => string;
