// The vocabulary every layer shares. Nothing here imports anything else from src/.

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';

export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** 1-based line and column; `column` counts UTF-16 code units, as editors and SARIF do. */
export interface Range {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** A place in a file. `file` is an absolute path. */
export interface Location {
  file: string;
  range: Range | null;
}

/**
 * A text edit: replace `[start, end)` of the file's text (UTF-16 offsets into the text as
 * it was read) with `text`. Insertion is start === end; removal is text === ''.
 */
export interface TextEdit {
  kind: 'text';
  file: string;
  start: number;
  end: number;
  text: string;
}

/** Create a file that does not exist yet (refused if it appears before the write). */
export interface CreateFile {
  kind: 'create';
  file: string;
  text: string;
  mode?: number;
}

export interface MakeDirectory {
  kind: 'mkdir';
  dir: string;
}

/** Move a file or directory (quarantine); refused if the destination exists. */
export interface MovePath {
  kind: 'move';
  from: string;
  to: string;
}

export type Change = TextEdit | CreateFile | MakeDirectory | MovePath;

export interface Fix {
  description: string;
  /** Safe fixes only edit text files inside the project. */
  safe: boolean;
  changes: Change[];
}

/** Arguments substituted into a rule's message template (`{{name}}`). */
export type MessageData = Record<string, string | number>;

/** What a rule reports: wording lives in the rule's `meta.messages`, not here. */
export interface Report {
  messageId: string;
  data?: MessageData;
  location: Location | null;
  /** Absolute stack directory the finding concerns, if any. */
  stack?: string | null;
  fix?: Fix | null;
  /** Overrides the rule's severity for this report (e.g. an info-level "cannot check"). */
  severity?: Severity;
}

/** A report after the engine has resolved severity and wording. */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location | null;
  stack: string | null;
  fix: Fix | null;
  fixed: boolean;
}

export interface RuleMeta {
  id: string;
  severity: Severity;
  fixable: boolean;
  /** One line, shown by `tm-doctor rules`. */
  summary: string;
  docsUrl: string;
  /** Message templates keyed by messageId, with `{{arg}}` placeholders. */
  messages: Record<string, string>;
}

/** A typed failure the CLI turns into a friendly message and exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
