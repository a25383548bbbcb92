import type { Finding, RuleMeta } from '../types.js';

/** Everything a reporter may use. Reporters know no rule by name. */
export interface ReportInput {
  /** Absolute project root. */
  root: string;
  /**
   * The absolute working directory: human formats (stylish) name files relative to it, so that
   * a terminal or an editor opens them from there (absolute when outside it); the root when
   * absent. Machine formats ignore it: their paths are relative to `root`.
   */
  cwd?: string;
  /** `informationUri` is the tool's home page, shown by SARIF consumers; omitted when unknown. */
  tool: { name: string; version: string; informationUri?: string };
  findings: Finding[];
  /** Every known rule (also those that produced nothing), for SARIF's driver.rules etc. */
  rules: RuleMeta[];
  /** The markdown of docs/rules/ID.md, or null when missing. */
  ruleDocs: (ruleId: string) => string | null;
  /** Colour allowed (stylish only). */
  color: boolean;
  /** Terminal width to wrap help to (stylish, on a TTY only); no wrapping when absent. */
  width?: number;
  /**
   * The text of a file decoded as UTF-8 with any BOM kept, or undefined when it
   * cannot be read. SARIF uses it for GitHub's line fingerprints; without it they are omitted.
   */
  readText?: (absPath: string) => string | undefined;
}

export type Reporter = (input: ReportInput) => string;
