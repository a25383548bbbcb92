// GNU make's variable_expand_string, over text with source offsets, producing bounded
// variants of pieces with provenance. Unknown values stay as placeholders (see unknown.ts).

import { BudgetExceeded, currentEvaluationBudget, LINK_BYTES, PIECE_BYTES, type EvaluationBudget } from './budget.js';
import { BUILTIN_FUNCTIONS, type FunctionCall } from './functions.js';
import { EMPTY, concat, dedupe, literal, product, textOf, withLink, type Pieces, type VariantBudget } from './pieces.js';
import { detachedSource, sliceSource, type SourceText } from './source.js';
import { containsUnknown, unknownToken } from './unknown.js';
import type { ViaLink } from './types.js';
import { patternSubstitute } from './words.js';
import type { Alternative, VariableScope } from './variables.js';

export interface ReferenceSite {
  file: string;
  start: number;
  end: number;
}

export interface ExpandEnvironment {
  budget: VariantBudget;
  /** The evaluation's work budget; by default the one of the evaluation under way (budget.ts). */
  evaluation?: EvaluationBudget;
  /** Whether the makefiles define the name somewhere (then "undefined here" means empty). */
  isDefinedSomewhere(name: string): boolean;
  diagnose(file: string, offset: number, message: string): void;
}

/** Label of the unknown text an expansion cut short leaves: never a variable's name. */
export const CUT_SHORT_LABEL = 'cut-short';
const PLACEHOLDER_SITE: ReferenceSite = { file: '', start: -1, end: -1 };

export class Expander {
  /** Values being expanded, with how many times over (a `$(call)` may expand one again). */
  private readonly active = new Map<Alternative, number>();
  /** Values a `$(call)` under way lets expand again while they expand (make's exp_count). */
  private readonly reentrant = new Set<Alternative>();
  private depth = 0;
  /** Values of recursive alternatives per scope; valid until a variable changes. */
  private cache = new Map<Alternative, Map<VariableScope, Pieces[]>>();

  /** The work budget of the evaluation (bytes, steps, depth), shared with other expanders. */
  readonly meter: EvaluationBudget;

  constructor(readonly env: ExpandEnvironment) {
    this.meter = env.evaluation ?? currentEvaluationBudget();
  }

  get budget(): VariantBudget {
    return this.env.budget;
  }

  expand(source: SourceText, scope: VariableScope): Pieces[] {
    return this.expandRange(source, 0, source.text.length, scope);
  }

  expandRange(source: SourceText, start: number, end: number, scope: VariableScope): Pieces[] {
    if (this.depth === 0) {
      // What is cut short inside a reference of this text is caught there (see `outermost`);
      // what is left is the text's own joining, counted against the whole evaluation.
      const site = { file: source.file, start: source.offsets[start] ?? -1, end: source.offsets[end] ?? -1 };
      return this.outermost(site, source.text.slice(start, end), false, () => this.nested(source, start, end, scope));
    }
    return this.nested(source, start, end, scope);
  }

  private nested(source: SourceText, start: number, end: number, scope: VariableScope): Pieces[] {
    this.meter.depth(this.depth + 1);
    this.depth++;
    try {
      return this.scan(source, start, end, scope);
    } finally {
      this.depth--;
    }
  }

  /**
   * Runs `compute`, the expansion of `text` written at `site` in a line being read, within a
   * budget of its own; when it runs out, the value is unknown and the line gets a diagnostic.
   */
  private outermost(site: ReferenceSite, text: string, reference: boolean, compute: () => Pieces[]): Pieces[] {
    let opened = false;
    try {
      this.meter.openFrame(reference);
      opened = true;
      return compute();
    } catch (error) {
      // The depth budget keeps the stack well within Node's; a caller deep in its own stack
      // may still overflow it first, which is the same thing.
      const cut = error instanceof BudgetExceeded ? error : isStackOverflow(error) ? new BudgetExceeded('depth', Math.min(this.meter.limits.depth, this.meter.peak.depth), false) : null;
      if (!cut) throw error;
      this.env.diagnose(site.file, site.start, this.meter.cutShort(text, cut));
      return [this.unknown(CUT_SHORT_LABEL, [{ name: CUT_SHORT_LABEL, definedAt: null, refFile: site.file, refStart: site.start, refEnd: site.end }])];
    } finally {
      if (opened) this.meter.closeFrame();
    }
  }

  /** `outermost` for a reference or call written in the text being read; as is deeper. */
  private guarded(source: SourceText, start: number, end: number, compute: () => Pieces[]): Pieces[] {
    if (this.depth !== 1) return compute();
    return this.outermost(this.site(source, start, end), source.text.slice(start, end), true, compute);
  }

  /** Counts `count` steps (references, calls, rounds) against the budget. */
  step(count = 1): void {
    this.meter.step(count);
  }

  /** Counts the bytes of `values` as built, against the budget. */
  charge(values: readonly Pieces[]): void {
    let bytes = 0;
    for (const value of values) bytes += sizeOf(value);
    this.meter.bytes(bytes);
  }

  /** `product` of `lists` once its largest possible size fits the budget. */
  product(lists: readonly (readonly Pieces[])[]): Pieces[] {
    this.chargeCombined(lists, this.budget.max);
    return product(lists, this.budget);
  }

  /** Counts the most bytes that combining one value of each list, `cap` times at most, builds. */
  private chargeCombined(lists: readonly (readonly Pieces[])[], cap: number): void {
    let combinations = 1;
    let longest = 0;
    for (const list of lists) {
      combinations = Math.min(combinations * list.length, cap);
      let most = 0;
      for (const value of list) most = Math.max(most, sizeOf(value));
      longest += most;
    }
    this.meter.bytes(combinations * longest);
  }

  unknown(label: string, via: readonly ViaLink[] = []): Pieces {
    return [{ text: unknownToken(label), via }];
  }

  private scan(source: SourceText, start: number, end: number, scope: VariableScope): Pieces[] {
    const text = source.text;
    const parts: Pieces[][] = [];
    let literalText = '';
    const flush = (): void => {
      if (literalText !== '') parts.push([literal(literalText)]);
      literalText = '';
    };
    let i = start;
    while (i < end) {
      const dollar = text.indexOf('$', i);
      if (dollar < 0 || dollar >= end) {
        literalText += text.slice(i, end);
        break;
      }
      literalText += text.slice(i, dollar);
      if (dollar + 1 >= end) {
        i = end;
        break;
      }
      const next = text[dollar + 1];
      if (next === '$') {
        literalText += '$';
        i = dollar + 2;
        continue;
      }
      if (next !== '(' && next !== '{') {
        flush();
        parts.push(this.guarded(source, dollar, dollar + 2, () => this.reference(next, scope, this.site(source, dollar, dollar + 2))));
        i = dollar + 2;
        continue;
      }
      const close = next === '(' ? ')' : '}';
      const functionEnd = this.tryFunction(source, dollar, end, next, close, scope, parts, flush);
      if (functionEnd !== null) {
        i = functionEnd;
        continue;
      }
      const firstClose = text.indexOf(close, dollar + 2);
      if (firstClose < 0 || firstClose >= end) {
        this.env.diagnose(source.file, source.offsets[dollar], 'unterminated variable reference');
        literalText += text.slice(dollar, end);
        i = end;
        break;
      }
      flush();
      const nameStart = dollar + 2;
      const innerDollar = text.indexOf('$', nameStart);
      if (innerDollar >= 0 && innerDollar < firstClose) {
        const matched = matchingClose(text, nameStart, end, next, close);
        if (matched >= 0) {
          const site = this.site(source, dollar, matched + 1);
          parts.push(
            this.guarded(source, dollar, matched + 1, () => {
              const names = this.expandRange(source, nameStart, matched, scope);
              const results: Pieces[] = [];
              for (const name of names) results.push(...this.namedReference(textOf(name), scope, site));
              return this.budget.limit(dedupe(results));
            }),
          );
          i = matched + 1;
          continue;
        }
      }
      parts.push(this.guarded(source, dollar, firstClose + 1, () => this.namedReference(text.slice(nameStart, firstClose), scope, this.site(source, dollar, firstClose + 1))));
      i = firstClose + 1;
    }
    flush();
    return this.product(parts);
  }

  private site(source: SourceText, start: number, end: number): ReferenceSite {
    return { file: source.file, start: source.offsets[start], end: source.offsets[end - 1] + 1 };
  }

  /** Handles `$(fn args)` when `fn` is a builtin; returns the index after it, or null. */
  private tryFunction(
    source: SourceText,
    dollar: number,
    end: number,
    open: string,
    close: string,
    scope: VariableScope,
    parts: Pieces[][],
    flush: () => void,
  ): number | null {
    const text = source.text;
    let nameEnd = dollar + 2;
    while (nameEnd < end && /[a-z-]/.test(text[nameEnd])) nameEnd++;
    const name = text.slice(dollar + 2, nameEnd);
    const spec = BUILTIN_FUNCTIONS.get(name);
    if (!spec || nameEnd >= end || !/[ \t\n]/.test(text[nameEnd])) return null;
    let argsStart = nameEnd;
    while (argsStart < end && /[ \t\n\v\f\r]/.test(text[argsStart])) argsStart++;
    let count = 0;
    let argsEnd = -1;
    for (let j = argsStart; j < end; j++) {
      if (text[j] === open) count++;
      else if (text[j] === close && --count < 0) {
        argsEnd = j;
        break;
      }
    }
    flush();
    if (argsEnd < 0) {
      this.env.diagnose(source.file, source.offsets[dollar], `unterminated call to function '${name}': missing '${close}'`);
      parts.push([literal(text.slice(dollar, end))]);
      return end;
    }
    const args: Array<{ start: number; end: number }> = [];
    let argStart = argsStart;
    for (;;) {
      const last = spec.maxArgs > 0 && args.length + 1 === spec.maxArgs;
      const comma = last ? -1 : nextArgument(text, argStart, argsEnd, open, close);
      if (comma < 0) {
        args.push({ start: argStart, end: argsEnd });
        break;
      }
      args.push({ start: argStart, end: comma });
      argStart = comma + 1;
    }
    const site = this.site(source, dollar, argsEnd + 1);
    if (args.length < spec.minArgs) {
      this.env.diagnose(source.file, source.offsets[dollar], `insufficient number of arguments (${args.length}) to function '${name}'`);
      parts.push([EMPTY]);
      return argsEnd + 1;
    }
    const call: FunctionCall = { name, source, args, scope, expander: this, site };
    parts.push(
      this.guarded(source, dollar, argsEnd + 1, () => {
        this.step();
        return this.budget.limit(dedupe(spec.run(call)));
      }),
    );
    return argsEnd + 1;
  }

  /** `$(NAME)` or `$(NAME:from=to)` once the name text is known. */
  private namedReference(nameText: string, scope: VariableScope, site: ReferenceSite): Pieces[] {
    if (containsUnknown(nameText)) return [this.unknown('computed-name', [{ name: nameText, definedAt: null, refFile: site.file, refStart: site.start, refEnd: site.end }])];
    const colon = nameText.indexOf(':');
    const equals = colon >= 0 ? nameText.indexOf('=', colon + 1) : -1;
    if (colon < 0 || equals < 0) return this.reference(nameText, scope, site);
    const name = nameText.slice(0, colon);
    const from = nameText.slice(colon + 1, equals);
    const to = nameText.slice(equals + 1);
    const values = this.reference(name, scope, site);
    // Each word may become `to`: a long `to` over many words multiplies the text.
    for (const value of values) this.meter.bytes(to.length * countWords(textOf(value)));
    return values.map((value) => (textOf(value) === '' ? EMPTY : patternSubstitute(value, from, to, true)));
  }

  /** The variants of a variable's value, each piece linked to this reference. */
  reference(name: string, scope: VariableScope, site: ReferenceSite): Pieces[] {
    if (this.depth === 0) {
      const written = `$(${name})`;
      return this.outermost(site, written, true, () => this.valueOf(name, scope, scope, site));
    }
    return this.valueOf(name, scope, scope, site);
  }

  private valueOf(name: string, lookup: VariableScope | null, scope: VariableScope, site: ReferenceSite): Pieces[] {
    this.step();
    const found = lookup?.find(name);
    if (!found) return [this.undefinedValue(name, site)];
    const out: Pieces[] = [];
    for (const alternative of found.alternatives) {
      if (alternative === null) out.push(this.undefinedValue(name, site));
      else out.push(...this.alternativeValue(name, alternative, found.scope, scope, site));
    }
    return this.budget.limit(dedupe(out));
  }

  /** True when a value of `name` (as seen from `scope`) is being expanded: a call would recurse. */
  isExpanding(name: string, scope: VariableScope): boolean {
    return (scope.find(name)?.alternatives ?? []).some((alternative) => alternative !== null && this.active.has(alternative));
  }

  /**
   * `$(call NAME,...)`'s reference to NAME: as in make (func_call sets exp_count), the value
   * may expand again within itself, a recursion that the depth budget bounds.
   */
  callReference(name: string, scope: VariableScope, site: ReferenceSite): Pieces[] {
    const opened: Alternative[] = [];
    for (const alternative of scope.find(name)?.alternatives ?? []) {
      if (alternative === null || this.reentrant.has(alternative)) continue;
      this.reentrant.add(alternative);
      opened.push(alternative);
    }
    try {
      return this.reference(name, scope, site);
    } finally {
      for (const alternative of opened) this.reentrant.delete(alternative);
    }
  }

  private undefinedValue(name: string, site: ReferenceSite): Pieces {
    if (this.env.isDefinedSomewhere(name)) return EMPTY;
    return this.unknown(name, [{ name, definedAt: null, refFile: site.file, refStart: site.start, refEnd: site.end }]);
  }

  /** Forgets cached values; call whenever a variable is assigned. */
  invalidate(): void {
    if (this.cache.size > 0) this.cache = new Map();
  }

  private alternativeValue(name: string, alternative: Alternative, owner: VariableScope, scope: VariableScope, site: ReferenceSite): Pieces[] {
    const link: ViaLink = { name, definedAt: null, refFile: site.file, refStart: site.start, refEnd: site.end };
    let perScope = this.cache.get(alternative);
    const cached = perScope?.get(scope);
    if (cached) {
      this.charge(cached);
      return cached.map((value) => relink(value, link));
    }
    const computed = this.computeAlternative(name, alternative, owner, scope, site);
    this.charge(computed);
    if (!perScope) {
      perScope = new Map();
      this.cache.set(alternative, perScope);
    }
    perScope.set(scope, computed);
    return computed.map((value) => relink(value, link));
  }

  private computeAlternative(name: string, alternative: Alternative, owner: VariableScope, scope: VariableScope, site: ReferenceSite): Pieces[] {
    const running = this.active.get(alternative) ?? 0;
    if (running > 0 && !this.reentrant.has(alternative)) {
      this.env.diagnose(site.file, site.start, `Recursive variable '${name}' references itself (eventually)`);
      return [this.unknown(name)];
    }
    this.active.set(alternative, running + 1);
    try {
      let acc: Pieces[] = alternative.appendsToOuter ? this.valueOf(name, owner.outer, scope, PLACEHOLDER_SITE) : [EMPTY];
      for (const segment of alternative.segments) {
        const link: ViaLink = { name, definedAt: segment.site, refFile: '', refStart: -1, refEnd: -1 };
        const values = segment.raw ? this.expand(segment.raw, scope) : (segment.expanded ?? [EMPTY]);
        const linked = values.map((value) => withLink(value, link));
        const separator = literal(' ').map((piece) => ({ text: piece.text, via: [link] }));
        this.chargeCombined([acc, [separator], linked], Number.POSITIVE_INFINITY);
        const next: Pieces[] = [];
        for (const prefix of acc) {
          for (const value of linked) {
            const needsSeparator =
              segment.separator === 'always' ||
              (segment.separator === 'if-nonempty' && textOf(prefix) !== '') ||
              (segment.separator === 'if-both-nonempty' && textOf(prefix) !== '' && textOf(value) !== '');
            next.push(needsSeparator ? concat(prefix, separator, value) : concat(prefix, value));
          }
        }
        acc = this.budget.limit(dedupe(next));
      }
      return acc;
    } finally {
      if (running === 0) this.active.delete(alternative);
      else this.active.set(alternative, running);
    }
  }

  /** Expands text that is not in any file (e.g. a computed value), with no provenance. */
  expandDetached(text: string, scope: VariableScope, file = '<computed>'): Pieces[] {
    return this.expand(detachedSource(file, text), scope);
  }

  expandSlice(source: SourceText, start: number, end: number, scope: VariableScope): Pieces[] {
    return this.expand(sliceSource(source, start, end), scope);
  }
}

/**
 * Values are cached with a placeholder reference site (start -1); the first link of each
 * piece from this reference gets the real site on the way out.
 */
function relink(value: Pieces, site: ViaLink): Pieces {
  return value.map((piece) => {
    const first = piece.via[0];
    if (!first || first.refStart !== -1) return piece;
    return { text: piece.text, via: [{ ...first, refFile: site.refFile, refStart: site.refStart, refEnd: site.refEnd }, ...piece.via.slice(1)] };
  });
}

/** Index of the parenthesis closing one opened just before `from`, counting only that kind. */
export function matchingClose(text: string, from: number, end: number, open: string, close: string): number {
  let count = 0;
  for (let j = from; j < end; j++) {
    if (text[j] === open) count++;
    else if (text[j] === close && --count < 0) return j;
  }
  return -1;
}

function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** The bytes a value takes: its text, and the memory of its provenance (budget.ts). */
function sizeOf(value: Pieces): number {
  let bytes = 0;
  for (const piece of value) bytes += piece.text.length + PIECE_BYTES + LINK_BYTES * piece.via.length;
  return bytes;
}

function countWords(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const blank = text[i] === ' ' || text[i] === '\t' || text[i] === '\n';
    if (!blank && !inWord) count++;
    inWord = !blank;
  }
  return count;
}

/** make's find_next_argument: the next top-level comma before `end`, or -1. */
function nextArgument(text: string, from: number, end: number, open: string, close: string): number {
  let count = 0;
  for (let j = from; j < end; j++) {
    if (text[j] === open) count++;
    else if (text[j] === close) {
      if (--count < 0) return -1;
    } else if (text[j] === ',' && count === 0) return j;
  }
  return -1;
}
