// Public shapes of the GNU make evaluator. Offsets are UTF-16 offsets into the file text as read.

import type { EvaluationLimits } from './budget.js';

/** Returns a file's text, or undefined when it does not exist or cannot be read. */
export interface MakeReadFile {
  (absPath: string): string | undefined;
}

export interface MakeOptions {
  /** Known values, as `make VAR=value` would pass them (command-line origin). */
  variables?: Record<string, string>;
  /** Bound on the variants kept per recipe line; default 64. */
  maxVariants?: number;
  /** Bounds on the work of the evaluation (see budget.ts); the defaults suit every realistic makefile. */
  limits?: Partial<EvaluationLimits>;
}

export type VariableOperator = '=' | ':=' | '::=' | '+=' | '?=' | '!=' | 'define';

export interface VariableDefinition {
  name: string;
  flavor: 'recursive' | 'simple';
  op: VariableOperator;
  file: string;
  /** 1-based line of the assignment (of `define` for a define block). */
  line: number;
  /** `[valueStart, valueEnd)` holds the value text in the file (raw, continuations included). */
  valueStart: number;
  valueEnd: number;
  /** The value as make stores it before expansion (continuations collapsed, comment removed). */
  value: string;
  /** Set for a target- or pattern-specific definition. */
  target?: string;
  /** True when the definition sits in a conditional branch whose condition is unknown. */
  conditional?: boolean;
}

export interface ViaLink {
  name: string;
  /** Where the definition that produced this text is; null for unknown or command-line values. */
  definedAt: { file: string; line: number } | null;
  /** The `$(NAME)` reference's place: file and `[refStart, refEnd)` offsets in it. */
  refFile: string;
  refStart: number;
  refEnd: number;
}

export interface ExpansionSpan {
  /** `[start, end)` in the variant's text. */
  start: number;
  end: number;
  /** The chain of variable references that produced the text, outermost first. */
  via: ViaLink[];
}

export interface RecipeVariant {
  text: string;
  spans: ExpansionSpan[];
}

export interface RecipeLine {
  targets: string[];
  file: string;
  line: number;
  endLine: number;
  /** Offsets of the whole recipe line (continuations included, recipe prefix excluded). */
  start: number;
  end: number;
  raw: string;
  /** What the shell would receive, over every target of the rule; prefixes `@-+` stripped. */
  variants: RecipeVariant[];
  capped: boolean;
  /** The same per target (target-specific variables and `$@` differ between targets). */
  byTarget: Record<string, { variants: RecipeVariant[]; capped: boolean }>;
  /** True when the line sits in a conditional branch whose condition is unknown. */
  conditional: boolean;
  doubleColon: boolean;
}

export interface MakeDiagnostic {
  file: string;
  line: number;
  column: number;
  message: string;
  /**
   * Set when the evaluator, not GNU make, stopped here: an expansion passed the evaluation's
   * budget (make would run out of memory or time on it) and its value is taken as unknown.
   */
  cutShort?: true;
}

export interface MakeDatabase {
  files: string[];
  definitions: VariableDefinition[];
  recipes: RecipeLine[];
  diagnostics: MakeDiagnostic[];
}
