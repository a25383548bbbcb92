// Bounds on the work of one makefile evaluation. GNU make itself would expand a doubling chain
// of forty variables or eight nested `$(foreach)`s until memory runs out; the evaluator stops
// such an expansion, takes its value as unknown and says so on the line that asked for it.
//
// What is counted:
// - bytes: the text each expansion step builds (a reference's value copied into the text around
//   it, a function's result, a `+=` joined), text expanded at several levels counting at each;
//   each piece of the text (a run from one chain of references) also counts for the memory its
//   provenance takes (PIECE_BYTES, and LINK_BYTES per reference in its chain);
// - steps: variable references, function calls and `$(foreach)`/`$(call)` rounds evaluated;
// - depth: how deep expansions nest (references within references, `$(call)` within `$(call)`).
// Each reference or function call written in a line read (an assignment, a rule, a recipe line
// per target) has a budget of its own, so one bomb leaves the rest of its line and of its file
// known; all of them together within one evaluation of a makefile have a larger one.

export type BudgetKind = 'bytes' | 'steps' | 'depth';

export interface EvaluationLimits {
  /** Bytes one reference written in a line may build, nested expansions included. */
  referenceBytes: number;
  /** Steps one reference written in a line may take, nested expansions included. */
  referenceSteps: number;
  /** Bytes of one whole evaluation (every pass over the files, every recipe line and target). */
  totalBytes: number;
  totalSteps: number;
  /** Nesting of expansions (each level a reference's value or a function's argument). */
  depth: number;
}

/**
 * Measured on the differential corpus against GNU make (test/parsers/make/generate.ts: 400
 * makefiles of nested functions, with the command-line values they are compared under), the
 * sharing corpus (read with up to 4,096 variants) and the fixtures, the most any one line or
 * reference used was 1.7 MB and 799 steps, a whole reading 5.4 MB and 1,897 steps, and
 * expansions nested 14 deep: the limits leave more than three times that (budget.test.ts
 * reads the corpora within a third of them). A reference that uses its whole budget takes tens
 * of milliseconds, a whole evaluation a few hundred at most. Depth: Node's stack runs out
 * between 400 and 500 levels; 200 lets a `$(call)` recurse some 60 times.
 */
export const DEFAULT_LIMITS: EvaluationLimits = {
  referenceBytes: 8 << 20,
  referenceSteps: 10_000,
  totalBytes: 32 << 20,
  totalSteps: 50_000,
  depth: 200,
};

/**
 * What a piece of expanded text costs beyond its characters: an object, and its chain of
 * references, copied at each level it passes. A doubling chain builds pieces of one character
 * each, forty references deep: counting them as text alone would let it allocate a hundred
 * times the budget.
 */
export const PIECE_BYTES = 32;
export const LINK_BYTES = 8;

/** Thrown from deep inside an expansion; the outermost reference catches it. */
export class BudgetExceeded extends Error {
  constructor(
    readonly kind: BudgetKind,
    readonly limit: number,
    /** True when the whole evaluation's budget, not the reference's, ran out. */
    readonly whole: boolean,
  ) {
    super(`make evaluation budget exceeded: ${kind}`);
  }
}

export interface BudgetUse {
  bytes: number;
  steps: number;
  depth: number;
}

interface Frame {
  /** A reference written in a line, or the line's own joining of its parts. */
  reference: boolean;
  bytes: number;
  steps: number;
}

/**
 * One evaluation's counters. Expansions are synchronous, so the open budgets form a stack: a
 * line read (its own joining) and within it the reference being expanded. Work counts against
 * the innermost one and the whole evaluation's.
 */
export class EvaluationBudget {
  readonly limits: EvaluationLimits;
  private totalBytes = 0;
  private totalSteps = 0;
  private readonly frames: Frame[] = [];
  /** What ran out of the whole evaluation's budget, once it has. */
  private spent: BudgetKind | null = null;
  /** The most one line or reference used, and the deepest nesting: what calibrates the limits. */
  readonly peak: BudgetUse = { bytes: 0, steps: 0, depth: 0 };
  /** The messages of the expansions cut short, to tell them from other diagnostics. */
  readonly cutShortMessages = new Set<string>();

  constructor(limits: Partial<EvaluationLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  get used(): { bytes: number; steps: number } {
    return { bytes: this.totalBytes, steps: this.totalSteps };
  }

  /**
   * Opens the budget of a line read or of one reference written in it. A reference starts
   * only while the whole evaluation's budget lasts; a line's joining of its parts always
   * finishes (its parts are cut short then, and the rest is its literal text).
   */
  openFrame(reference: boolean): void {
    if (reference) this.checkWhole();
    this.frames.push({ reference, bytes: 0, steps: 0 });
  }

  closeFrame(): void {
    this.frames.pop();
  }

  bytes(count: number): void {
    if (count <= 0) return;
    this.totalBytes += count;
    const frame = this.frames[this.frames.length - 1];
    if (frame) {
      frame.bytes += count;
      if (frame.bytes > this.peak.bytes) this.peak.bytes = frame.bytes;
      if (frame.bytes > this.limits.referenceBytes) throw new BudgetExceeded('bytes', this.limits.referenceBytes, false);
    }
    if (this.spent === null && this.totalBytes > this.limits.totalBytes && frame?.reference !== false) this.spend('bytes');
  }

  step(count = 1): void {
    this.totalSteps += count;
    const frame = this.frames[this.frames.length - 1];
    if (frame) {
      frame.steps += count;
      if (frame.steps > this.peak.steps) this.peak.steps = frame.steps;
      if (frame.steps > this.limits.referenceSteps) throw new BudgetExceeded('steps', this.limits.referenceSteps, false);
    }
    if (this.spent === null && this.totalSteps > this.limits.totalSteps && frame?.reference !== false) this.spend('steps');
  }

  depth(level: number): void {
    if (level > this.peak.depth) this.peak.depth = level;
    if (level > this.limits.depth) throw new BudgetExceeded('depth', this.limits.depth, false);
  }

  /** Throws when the whole evaluation's budget is spent: each reference is then cut short. */
  private checkWhole(): void {
    if (this.spent !== null) throw this.wholeError(this.spent);
  }

  private spend(kind: BudgetKind): never {
    this.spent = kind;
    throw this.wholeError(kind);
  }

  private wholeError(kind: BudgetKind): BudgetExceeded {
    return new BudgetExceeded(kind, kind === 'bytes' ? this.limits.totalBytes : this.limits.totalSteps, true);
  }

  /** The diagnostic for `reference` (its text as written) cut short by `error`; remembered. */
  cutShort(reference: string, error: BudgetExceeded): string {
    const message = cutShortMessage(reference, error);
    this.cutShortMessages.add(message);
    return message;
  }
}

const SHOWN_REFERENCE = 36;

/** `$(A40)`, or the start of a long reference with an ellipsis, on one line. */
export function shownReference(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  if (oneLine.length <= SHOWN_REFERENCE) return oneLine;
  const close = oneLine.startsWith('$(') ? ')' : oneLine.startsWith('${') ? '}' : '';
  return `${oneLine.slice(0, SHOWN_REFERENCE - 1 - close.length)}…${close}`;
}

export function cutShortMessage(reference: string, error: BudgetExceeded): string {
  const limit = String(error.limit).replace(/\B(?=(?:\d{3})+$)/g, ',');
  const what = error.kind === 'depth' ? `nested more than ${limit} deep` : `more than ${limit} ${error.kind}`;
  return `expansion of ${shownReference(reference)} cut short: ${error.whole ? `the makefile used ${what}` : what}`;
}

let current: EvaluationBudget | null = null;

/**
 * Runs `evaluate` with `budget` as the one every expander created meanwhile uses (the reader's
 * and each recipe line's): one budget per evaluation without threading it through each layer.
 */
export function withEvaluationBudget<T>(budget: EvaluationBudget, evaluate: () => T): T {
  const previous = current;
  current = budget;
  try {
    return evaluate();
  } finally {
    current = previous;
  }
}

/** The budget of the evaluation under way, or a fresh one for an expander used on its own. */
export function currentEvaluationBudget(): EvaluationBudget {
  return current ?? new EvaluationBudget();
}
