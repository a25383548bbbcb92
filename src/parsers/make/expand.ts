// GNU make's variable_expand_string, over text with source offsets, producing bounded
// variants of pieces with provenance. Unknown values stay as placeholders (see unknown.ts).

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
  /** Whether the makefiles define the name somewhere (then "undefined here" means empty). */
  isDefinedSomewhere(name: string): boolean;
  diagnose(file: string, offset: number, message: string): void;
}

const MAX_DEPTH = 200;
const PLACEHOLDER_SITE: ReferenceSite = { file: '', start: -1, end: -1 };

export class Expander {
  private readonly active = new Set<Alternative>();
  private depth = 0;
  /** Values of recursive alternatives per scope; valid until a variable changes. */
  private cache = new Map<Alternative, Map<VariableScope, Pieces[]>>();

  constructor(readonly env: ExpandEnvironment) {}

  get budget(): VariantBudget {
    return this.env.budget;
  }

  expand(source: SourceText, scope: VariableScope): Pieces[] {
    return this.expandRange(source, 0, source.text.length, scope);
  }

  expandRange(source: SourceText, start: number, end: number, scope: VariableScope): Pieces[] {
    if (this.depth > MAX_DEPTH) return [this.unknown('depth')];
    this.depth++;
    try {
      return this.scan(source, start, end, scope);
    } finally {
      this.depth--;
    }
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
        parts.push(this.reference(next, scope, this.site(source, dollar, dollar + 2)));
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
          const names = this.expandRange(source, nameStart, matched, scope);
          const results: Pieces[] = [];
          for (const name of names) results.push(...this.namedReference(textOf(name), scope, site));
          parts.push(this.budget.limit(dedupe(results)));
          i = matched + 1;
          continue;
        }
      }
      parts.push(this.namedReference(text.slice(nameStart, firstClose), scope, this.site(source, dollar, firstClose + 1)));
      i = firstClose + 1;
    }
    flush();
    return product(parts, this.budget);
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
    parts.push(this.budget.limit(dedupe(spec.run(call))));
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
    return values.map((value) => (textOf(value) === '' ? EMPTY : patternSubstitute(value, from, to, true)));
  }

  /** The variants of a variable's value, each piece linked to this reference. */
  reference(name: string, scope: VariableScope, site: ReferenceSite): Pieces[] {
    return this.valueOf(name, scope, scope, site);
  }

  private valueOf(name: string, lookup: VariableScope | null, scope: VariableScope, site: ReferenceSite): Pieces[] {
    const found = lookup?.find(name);
    if (!found) return [this.undefinedValue(name, site)];
    const out: Pieces[] = [];
    for (const alternative of found.alternatives) {
      if (alternative === null) out.push(this.undefinedValue(name, site));
      else out.push(...this.alternativeValue(name, alternative, found.scope, scope, site));
    }
    return this.budget.limit(dedupe(out));
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
    if (cached) return cached.map((value) => relink(value, link));
    const computed = this.computeAlternative(name, alternative, owner, scope, site);
    if (!perScope) {
      perScope = new Map();
      this.cache.set(alternative, perScope);
    }
    perScope.set(scope, computed);
    return computed.map((value) => relink(value, link));
  }

  private computeAlternative(name: string, alternative: Alternative, owner: VariableScope, scope: VariableScope, site: ReferenceSite): Pieces[] {
    if (this.active.has(alternative)) {
      this.env.diagnose(site.file, site.start, `Recursive variable '${name}' references itself (eventually)`);
      return [this.unknown(name)];
    }
    this.active.add(alternative);
    try {
      let acc: Pieces[] = alternative.appendsToOuter ? this.valueOf(name, owner.outer, scope, PLACEHOLDER_SITE) : [EMPTY];
      for (const segment of alternative.segments) {
        const link: ViaLink = { name, definedAt: segment.site, refFile: '', refStart: -1, refEnd: -1 };
        const values = segment.raw ? this.expand(segment.raw, scope) : (segment.expanded ?? [EMPTY]);
        const linked = values.map((value) => withLink(value, link));
        const separator = literal(' ').map((piece) => ({ text: piece.text, via: [link] }));
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
      this.active.delete(alternative);
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
