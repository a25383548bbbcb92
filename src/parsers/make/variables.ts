// Variable storage. A variable may hold several alternative values at once: assignments made
// inside a conditional branch whose condition is unknown add an alternative instead of replacing.

import type { Pieces } from './pieces.js';
import type { SourceText } from './source.js';

export type Origin = 'default' | 'file' | 'command line' | 'override' | 'automatic';

export interface DefinitionSite {
  file: string;
  line: number;
}

/** One part of a value: `+=` appends parts. Raw parts expand at use; expanded parts are copied. */
export interface Segment {
  site: DefinitionSite | null;
  /**
   * Separator before the part: always, never, only when the text so far is non-empty, or only
   * when both the text so far and this part are non-empty.
   */
  separator: 'always' | 'never' | 'if-nonempty' | 'if-both-nonempty';
  raw: SourceText | null;
  expanded: Pieces[] | null;
}

export interface Alternative {
  flavor: 'recursive' | 'simple';
  origin: Origin;
  segments: Segment[];
  /** Target-specific `+=`: the value continues the one visible outside the target. */
  appendsToOuter: boolean;
}

/** `null` stands for "not defined" among the alternatives. */
export type Alternatives = Array<Alternative | null>;

const MAX_ALTERNATIVES = 16;

export class VariableScope {
  constructor(
    readonly outer: VariableScope | null,
    private readonly table: Map<string, Alternatives> = new Map(),
  ) {}

  /** The same variables (shared, not copied) seen in front of another outer scope. */
  rebase(outer: VariableScope | null): VariableScope {
    return new VariableScope(outer, this.table);
  }

  /** The alternatives and the scope holding them, searching outward. */
  find(name: string): { alternatives: Alternatives; scope: VariableScope } | undefined {
    for (let scope: VariableScope | null = this; scope; scope = scope.outer) {
      const alternatives = scope.table.get(name);
      if (alternatives) return { alternatives, scope };
    }
    return undefined;
  }

  own(name: string): Alternatives | undefined {
    return this.table.get(name);
  }

  set(name: string, alternatives: Alternatives): void {
    this.table.set(name, alternatives.slice(0, MAX_ALTERNATIVES));
  }

  delete(name: string): void {
    this.table.delete(name);
  }

  names(): string[] {
    return [...this.table.keys()];
  }
}

/** Make's rule for `+=` and `?=`: a raw value counts as non-empty before expansion. */
export function rawIsEmpty(alternative: Alternative): boolean {
  return alternative.segments.every((segment) =>
    segment.raw ? segment.raw.text === '' : (segment.expanded ?? []).every((variant) => variant.length === 0),
  );
}

/** Merges alternatives, dropping repeats of the same object. */
export function mergeAlternatives(a: Alternatives, b: Alternatives): Alternatives {
  const out: Alternatives = [];
  for (const alternative of [...a, ...b]) if (!out.includes(alternative)) out.push(alternative);
  return out;
}
