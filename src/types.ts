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

/** A report after the engine has resolved severity and wording. */
export interface Finding {
  ruleId: string;
  /** The rule's message template this finding was worded from (stable, unlike the wording). */
  messageId: string;
  /** The arguments the message and its help were worded with (for tests and tools; not in the report). */
  data: Readonly<Record<string, string | number>>;
  severity: Severity;
  /** One sentence: what is wrong and, when short, where it comes from. */
  message: string;
  /** Why it matters, what to do, trade-offs (several sentences). */
  help: string;
  /** The rule's help template of each sentence, in order (for tests and tools; not in the report). */
  helpIds?: string[];
  location: Location | null;
  /** Other places that explain the finding, each with its label. */
  related: RelatedLocation[];
  stack: string | null;
  fix: Fix | null;
  fixed: boolean;
  /**
   * Set by --fix on a finding still present whose fix it tried but could not apply (the
   * write was refused or the plan set the fix aside; the run's notes say why).
   */
  fixRefused?: boolean;
}

export interface RelatedLocation {
  location: Location;
  /** The rule's label template (stable, like a finding's messageId). */
  messageId: string;
  message: string;
}

export interface RuleMeta {
  id: string;
  severity: Severity;
  fixable: boolean;
  /** One line, shown by `tm-doctor rules`. */
  summary: string;
  docsUrl: string;
  /** Message templates keyed by messageId, with `{{arg}}` placeholders. */
  messages: Readonly<Record<string, string>>;
  /** Help sentences and related-location labels, keyed by id, with placeholders. */
  help: Readonly<Record<string, string>>;
}

/** How the run may touch the machine: what rules and the provider inspection obey. */
export interface RunOptions {
  /** Never execute a provider binary. */
  noExec: boolean;
  /**
   * Start no provider for a handshake: the engine sets it when provider-handshake is not among
   * the selected rules (--rule, --disable, "off" in the config). Checksums and headers are
   * still checked for provider-checksum.
   */
  skipHandshakes?: boolean;
  handshakeTimeoutMs: number;
  /** Bypass the result cache (provider checksums and handshakes are recomputed). */
  noCache: boolean;
  /**
   * --unsafe-fixes was given: where a finding has both a safe fix and an unsafe one (outside
   * the project), the rule offers the unsafe one.
   */
  unsafeFixes?: boolean;
}
