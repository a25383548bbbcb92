// GNU make's builtin functions over variants of pieces. Functions whose result depends on the
// file system, the shell or evaluation side effects yield unknown text.

import type { Expander, ReferenceSite } from './expand.js';
import {
  EMPTY,
  combinations,
  concat,
  dedupe,
  joinWords,
  literal,
  rewrite,
  slicePieces,
  splitWords,
  textOf,
  trim,
  withLink,
  wordRanges,
  type Pieces,
} from './pieces.js';
import { sliceSource, type SourceText } from './source.js';
import { containsUnknown, withoutUnknown } from './unknown.js';
import { VariableScope, type Alternative } from './variables.js';
import { matchPattern, parsePattern, patternSubstitute } from './words.js';

export interface FunctionCall {
  name: string;
  source: SourceText;
  /** Argument ranges in `source.text`, unexpanded. */
  args: Array<{ start: number; end: number }>;
  scope: VariableScope;
  expander: Expander;
  site: ReferenceSite;
}

export interface FunctionSpec {
  minArgs: number;
  /** 0 means unlimited; the last argument takes the rest, commas included. */
  maxArgs: number;
  run(call: FunctionCall): Pieces[];
}

const WHITESPACE = /[ \t\n\v\f\r]/;

function expandArg(call: FunctionCall, index: number): Pieces[] {
  const arg = call.args[index];
  if (!arg) return [EMPTY];
  return call.expander.expandSlice(call.source, arg.start, arg.end, call.scope);
}

/** make strips blanks around a condition before expanding it. */
function expandTrimmedArg(call: FunctionCall, index: number): Pieces[] {
  const arg = call.args[index];
  if (!arg) return [EMPTY];
  let start = arg.start;
  let end = arg.end;
  while (start < end && WHITESPACE.test(call.source.text[start])) start++;
  while (end > start && WHITESPACE.test(call.source.text[end - 1])) end--;
  if (start === end) return [EMPTY];
  return call.expander.expandSlice(call.source, start, end, call.scope);
}

type Truth = 'empty' | 'nonempty' | 'unknown';

function truthOf(value: Pieces): Truth {
  const text = textOf(value);
  if (text === '') return 'empty';
  return withoutUnknown(text) === '' ? 'unknown' : 'nonempty';
}

function unknownResult(call: FunctionCall): Pieces[] {
  return [call.expander.unknown(call.name)];
}

/** Runs `compute` on every combination of the expanded arguments. */
function withExpandedArgs(call: FunctionCall, compute: (args: Pieces[]) => Pieces | 'unknown'): Pieces[] {
  const lists = call.args.map((_arg, index) => expandArg(call, index));
  const out: Pieces[] = [];
  for (const args of combinations(lists, call.expander.budget)) {
    call.expander.step();
    const result = compute(args);
    out.push(result === 'unknown' ? call.expander.unknown(call.name) : result);
  }
  return dedupe(out);
}

function words(value: Pieces): Pieces[] {
  return splitWords(value);
}

function isUnknownText(value: Pieces): boolean {
  return containsUnknown(textOf(value));
}

const funcIf = (call: FunctionCall): Pieces[] => {
  const out: Pieces[] = [];
  const branch = (index: number): Pieces[] => (call.args[index] ? expandArg(call, index) : [EMPTY]);
  let thenValues: Pieces[] | undefined;
  let elseValues: Pieces[] | undefined;
  for (const condition of expandTrimmedArg(call, 0)) {
    const truth = truthOf(condition);
    if (truth !== 'empty') out.push(...(thenValues ??= branch(1)));
    if (truth !== 'nonempty') out.push(...(elseValues ??= branch(2)));
  }
  return out;
};

const funcOr = (call: FunctionCall): Pieces[] => {
  const from = (index: number): Pieces[] => {
    if (index >= call.args.length) return [EMPTY];
    const out: Pieces[] = [];
    let rest: Pieces[] | undefined;
    for (const value of expandTrimmedArg(call, index)) {
      const truth = truthOf(value);
      if (truth !== 'empty') out.push(value);
      if (truth !== 'nonempty') out.push(...(rest ??= from(index + 1)));
    }
    return out;
  };
  return from(0);
};

const funcAnd = (call: FunctionCall): Pieces[] => {
  const from = (index: number): Pieces[] => {
    const out: Pieces[] = [];
    let rest: Pieces[] | undefined;
    const last = index === call.args.length - 1;
    for (const value of expandTrimmedArg(call, index)) {
      const truth = truthOf(value);
      if (truth !== 'nonempty') out.push(EMPTY);
      if (truth !== 'empty') out.push(...(last ? [value] : (rest ??= from(index + 1))));
    }
    return out;
  };
  return from(0);
};

function simpleAlternative(value: Pieces): Alternative {
  return {
    flavor: 'simple',
    origin: 'automatic',
    segments: [{ site: null, separator: 'never', raw: null, expanded: [value] }],
    appendsToOuter: false,
  };
}

const funcForeach = (call: FunctionCall): Pieces[] => {
  const out: Pieces[] = [];
  const bodyArg = call.args[2];
  const body = sliceSource(call.source, bodyArg.start, bodyArg.end);
  for (const [nameValue, listValue] of combinations([expandArg(call, 0), expandArg(call, 1)], call.expander.budget)) {
    const name = textOf(trim(nameValue));
    if (containsUnknown(name)) {
      out.push(call.expander.unknown('foreach'));
      continue;
    }
    const perWord = words(listValue).map((word) => {
      call.expander.step();
      const scope = new VariableScope(call.scope);
      scope.set(name, [simpleAlternative(word)]);
      return call.expander.expand(body, scope);
    });
    const lists: Pieces[][] = [];
    perWord.forEach((variants, index) => {
      if (index > 0) lists.push([literal(' ')]);
      lists.push(variants);
    });
    out.push(...call.expander.product(lists));
  }
  return out;
};

const MAX_MASKED_PARAMETERS = 9;

const funcCall = (call: FunctionCall): Pieces[] => {
  const lists = call.args.map((_arg, index) => expandArg(call, index));
  const out: Pieces[] = [];
  for (const args of combinations(lists, call.expander.budget)) {
    call.expander.step();
    const name = textOf(trim(args[0]));
    if (containsUnknown(name) || BUILTIN_FUNCTIONS.has(name)) {
      out.push(call.expander.unknown('call'));
      continue;
    }
    // A function calling itself on unknown arguments (make's recursive wildcard over
    // `$(wildcard)`'s unknown result) may stop anywhere: its result is unknown, not cut short.
    if (call.expander.isExpanding(name, call.scope) && args.slice(1).some(isUnknownText)) {
      out.push(call.expander.unknown('call'));
      continue;
    }
    const scope = new VariableScope(call.scope);
    scope.set('0', [simpleAlternative(literal(name))]);
    for (let k = 1; k < Math.max(args.length, MAX_MASKED_PARAMETERS + 1); k++) {
      scope.set(String(k), [simpleAlternative(args[k] ?? EMPTY)]);
    }
    out.push(...call.expander.callReference(name, scope, call.site));
  }
  return out;
};

const funcValue = (call: FunctionCall): Pieces[] =>
  expandArg(call, 0).flatMap((nameValue) => {
    const name = textOf(nameValue);
    if (containsUnknown(name)) return [call.expander.unknown('value')];
    const found = call.scope.find(name);
    if (!found) return [call.expander.env.isDefinedSomewhere(name) ? EMPTY : call.expander.unknown(name)];
    return found.alternatives.map((alternative) => {
      if (!alternative) return EMPTY;
      const parts: Pieces[] = [];
      for (const segment of alternative.segments) {
        const link = { name, definedAt: segment.site, refFile: call.site.file, refStart: call.site.start, refEnd: call.site.end };
        if (segment.separator !== 'never' && parts.length > 0) parts.push(literal(' '));
        parts.push(withLink(segment.raw ? literal(segment.raw.text) : (segment.expanded?.[0] ?? EMPTY), link));
      }
      return concat(...parts);
    });
  });

const funcOrigin = (call: FunctionCall): Pieces[] =>
  expandArg(call, 0).flatMap((nameValue) => {
    const name = textOf(nameValue);
    const found = containsUnknown(name) ? undefined : call.scope.find(name);
    if (!found) return [name === '' || !containsUnknown(name) ? undefinedOrUnknown(call, name) : call.expander.unknown('origin')];
    return found.alternatives.map((alternative) => (alternative ? literal(alternative.origin) : literal('undefined')));
  });

function undefinedOrUnknown(call: FunctionCall, name: string): Pieces {
  return call.expander.env.isDefinedSomewhere(name) ? literal('undefined') : call.expander.unknown(call.name);
}

const funcFlavor = (call: FunctionCall): Pieces[] =>
  expandArg(call, 0).flatMap((nameValue) => {
    const name = textOf(nameValue);
    const found = containsUnknown(name) ? undefined : call.scope.find(name);
    if (!found) return [undefinedOrUnknown(call, name)];
    return found.alternatives.map((alternative) => literal(alternative ? alternative.flavor : 'undefined'));
  });

function mapWords(value: Pieces, transform: (word: string) => string | null, keepEmpty: boolean): Pieces {
  const out: Pieces[] = [];
  for (const word of words(value)) {
    const result = transform(textOf(word));
    if (result === null || (result === '' && !keepEmpty)) continue;
    out.push(rewrite(word, result));
  }
  return joinWords(out);
}

function lastSlash(word: string): number {
  return word.lastIndexOf('/');
}

function parseCount(text: string): number | null {
  const trimmed = text.trim();
  if (!/^[0-9]+$/.test(trimmed)) return null;
  return Number(trimmed);
}

function filterWords(call: FunctionCall, keepMatches: boolean): Pieces[] {
  return withExpandedArgs(call, ([patternsValue, textValue]) => {
    if (isUnknownText(patternsValue)) return 'unknown';
    const patterns = words(patternsValue).map((word) => parsePattern(textOf(word)));
    const out: Pieces[] = [];
    for (const word of words(textValue)) {
      const text = textOf(word);
      if (containsUnknown(text)) {
        out.push(word);
        continue;
      }
      const matches = patterns.some((pattern) => matchPattern(pattern, text) !== null);
      if (matches === keepMatches) out.push(word);
    }
    return joinWords(out);
  });
}

/** How many times `from` occurs in `text` (make's subst replaces each), 0 for an empty `from`. */
function occurrences(text: string, from: string): number {
  if (from === '') return 0;
  let count = 0;
  for (let at = text.indexOf(from); at >= 0; at = text.indexOf(from, at + from.length)) count++;
  return count;
}

function substText(value: Pieces, from: string, to: string): Pieces {
  const whole = textOf(value);
  const replaced = from === '' ? whole : whole.split(from).join(to);
  const pieceWise = value.map((piece) => ({ text: from === '' ? piece.text : piece.text.split(from).join(to), via: piece.via }));
  if (textOf(pieceWise) === replaced) return concat(pieceWise);
  return rewrite(value, replaced);
}

const fileOrShell = (call: FunctionCall): Pieces[] => {
  expandArg(call, 0);
  return unknownResult(call);
};

const sideEffectOnly = (call: FunctionCall): Pieces[] => {
  expandArg(call, 0);
  return [EMPTY];
};

function spec(minArgs: number, maxArgs: number, run: (call: FunctionCall) => Pieces[]): FunctionSpec {
  return { minArgs, maxArgs, run };
}

export const BUILTIN_FUNCTIONS: ReadonlyMap<string, FunctionSpec> = new Map<string, FunctionSpec>([
  ['if', spec(2, 3, funcIf)],
  ['or', spec(1, 0, funcOr)],
  ['and', spec(1, 0, funcAnd)],
  ['foreach', spec(3, 3, funcForeach)],
  ['call', spec(1, 0, funcCall)],
  ['value', spec(0, 1, funcValue)],
  ['origin', spec(0, 1, funcOrigin)],
  ['flavor', spec(0, 1, funcFlavor)],
  ['shell', spec(0, 1, fileOrShell)],
  ['wildcard', spec(0, 1, fileOrShell)],
  ['eval', spec(0, 1, fileOrShell)],
  ['abspath', spec(0, 1, fileOrShell)],
  ['realpath', spec(0, 1, fileOrShell)],
  ['file', spec(1, 2, fileOrShell)],
  ['info', spec(0, 1, sideEffectOnly)],
  ['warning', spec(0, 1, sideEffectOnly)],
  ['error', spec(0, 1, sideEffectOnly)],
  ['filter', spec(2, 2, (call) => filterWords(call, true))],
  ['filter-out', spec(2, 2, (call) => filterWords(call, false))],
  [
    'subst',
    spec(3, 3, (call) =>
      withExpandedArgs(call, ([from, to, text]) => {
        if (isUnknownText(from) || isUnknownText(to)) return 'unknown';
        call.expander.meter.bytes(occurrences(textOf(text), textOf(from)) * textOf(to).length);
        return substText(text, textOf(from), textOf(to));
      }),
    ),
  ],
  [
    'patsubst',
    spec(3, 3, (call) =>
      withExpandedArgs(call, ([from, to, text]) => {
        if (isUnknownText(from) || isUnknownText(to)) return 'unknown';
        call.expander.meter.bytes(words(text).length * textOf(to).length);
        return patternSubstitute(text, textOf(trim(from)), textOf(trim(to)), false);
      }),
    ),
  ],
  ['strip', spec(0, 1, (call) => withExpandedArgs(call, ([text]) => joinWords(words(text))))],
  [
    'findstring',
    spec(2, 2, (call) =>
      withExpandedArgs(call, ([find, text]) => {
        if (isUnknownText(find)) return 'unknown';
        if (textOf(text).includes(textOf(find))) return find;
        return isUnknownText(text) ? 'unknown' : EMPTY;
      }),
    ),
  ],
  [
    'word',
    spec(2, 2, (call) =>
      withExpandedArgs(call, ([indexValue, text]) => {
        if (isUnknownText(indexValue)) return 'unknown';
        const index = parseCount(textOf(indexValue));
        if (index === null || index === 0) {
          call.expander.env.diagnose(call.site.file, call.site.start, index === null ? "non-numeric first argument to 'word' function" : "first argument to 'word' function must be greater than 0");
          return EMPTY;
        }
        const list = words(text);
        if (list.slice(0, index).some(isUnknownText)) return 'unknown';
        return list[index - 1] ?? EMPTY;
      }),
    ),
  ],
  [
    'wordlist',
    spec(3, 3, (call) =>
      withExpandedArgs(call, ([startValue, endValue, text]) => {
        if (isUnknownText(startValue) || isUnknownText(endValue)) return 'unknown';
        const start = parseCount(textOf(startValue));
        const end = parseCount(textOf(endValue));
        if (start === null || end === null || start === 0) {
          call.expander.env.diagnose(call.site.file, call.site.start, "invalid arguments to 'wordlist' function");
          return EMPTY;
        }
        const list = words(text);
        if (list.slice(0, end).some(isUnknownText)) return 'unknown';
        // make copies the text from the first word's start to the last word's end, spacing kept.
        const ranges = wordRanges(textOf(text));
        const first = ranges[start - 1];
        const last = ranges[Math.min(end, ranges.length) - 1];
        if (!first || !last || end < start) return EMPTY;
        return slicePieces(text, first.start, last.end);
      }),
    ),
  ],
  ['words', spec(0, 1, (call) => withExpandedArgs(call, ([text]) => (isUnknownText(text) ? 'unknown' : literal(String(words(text).length)))))],
  [
    'firstword',
    spec(0, 1, (call) =>
      withExpandedArgs(call, ([text]) => {
        const first = words(text)[0];
        return first && isUnknownText(first) ? 'unknown' : (first ?? EMPTY);
      }),
    ),
  ],
  [
    'lastword',
    spec(0, 1, (call) =>
      withExpandedArgs(call, ([text]) => {
        const list = words(text);
        const last = list[list.length - 1];
        return last && isUnknownText(last) ? 'unknown' : (last ?? EMPTY);
      }),
    ),
  ],
  [
    'sort',
    spec(0, 1, (call) =>
      withExpandedArgs(call, ([text]) => {
        const byText = new Map<string, Pieces>();
        for (const word of words(text)) if (!byText.has(textOf(word))) byText.set(textOf(word), word);
        const keys = [...byText.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return joinWords(keys.map((key) => byText.get(key) ?? EMPTY));
      }),
    ),
  ],
  [
    'addprefix',
    spec(2, 2, (call) =>
      withExpandedArgs(call, ([prefix, text]) => {
        const list = words(text);
        call.expander.meter.bytes(list.length * textOf(prefix).length);
        return joinWords(list.map((word) => concat(prefix, word)));
      }),
    ),
  ],
  [
    'addsuffix',
    spec(2, 2, (call) =>
      withExpandedArgs(call, ([suffix, text]) => {
        const list = words(text);
        call.expander.meter.bytes(list.length * textOf(suffix).length);
        return joinWords(list.map((word) => concat(word, suffix)));
      }),
    ),
  ],
  [
    'join',
    spec(2, 2, (call) =>
      withExpandedArgs(call, ([first, second]) => {
        const a = words(first);
        const b = words(second);
        const out: Pieces[] = [];
        for (let k = 0; k < Math.max(a.length, b.length); k++) out.push(concat(a[k] ?? EMPTY, b[k] ?? EMPTY));
        return joinWords(out);
      }),
    ),
  ],
  [
    'dir',
    spec(0, 1, (call) =>
      withExpandedArgs(call, ([text]) => mapWords(text, (word) => (lastSlash(word) < 0 ? './' : word.slice(0, lastSlash(word) + 1)), true)),
    ),
  ],
  ['notdir', spec(0, 1, (call) => withExpandedArgs(call, ([text]) => notdirWords(text)))],
  [
    'basename',
    spec(0, 1, (call) =>
      withExpandedArgs(call, ([text]) =>
        mapWords(
          text,
          (word) => {
            const dot = word.lastIndexOf('.');
            return dot > lastSlash(word) ? word.slice(0, dot) : word;
          },
          true,
        ),
      ),
    ),
  ],
  [
    'suffix',
    spec(0, 1, (call) =>
      withExpandedArgs(call, ([text]) =>
        mapWords(
          text,
          (word) => {
            const dot = word.lastIndexOf('.');
            return dot > lastSlash(word) ? word.slice(dot) : null;
          },
          false,
        ),
      ),
    ),
  ],
]);

/** notdir keeps a separator even for words that become empty (`a/ b` gives ` b`), as make does. */
function notdirWords(text: Pieces): Pieces {
  const out = words(text).map((word) => {
    const value = textOf(word);
    return rewrite(word, value.slice(lastSlash(value) + 1));
  });
  const parts: Pieces[] = [];
  out.forEach((word, index) => {
    if (index > 0) parts.push(literal(' '));
    parts.push(word);
  });
  return concat(...parts);
}
