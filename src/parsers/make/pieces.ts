// Expanded text as a list of pieces, each remembering the chain of variable references
// that produced it; and bounded sets of alternative expansions ("variants").

import type { ViaLink } from './types.js';

export interface Piece {
  readonly text: string;
  /** Outermost reference first; empty for text written literally where it is expanded. */
  readonly via: readonly ViaLink[];
}

export type Pieces = readonly Piece[];

/** Shared bound on how many variants an expansion may produce; remembers when it cut. */
export class VariantBudget {
  capped = false;
  constructor(readonly max: number) {}

  limit<T>(items: T[]): T[] {
    if (items.length <= this.max) return items;
    this.capped = true;
    return items.slice(0, this.max);
  }
}

export const EMPTY: Pieces = [];

export function textOf(pieces: Pieces): string {
  let text = '';
  for (const piece of pieces) text += piece.text;
  return text;
}

export function literal(text: string): Pieces {
  return text === '' ? EMPTY : [{ text, via: [] }];
}

export function withLink(pieces: Pieces, link: ViaLink): Pieces {
  return pieces.map((piece) => ({ text: piece.text, via: [link, ...piece.via] }));
}

function sameVia(a: readonly ViaLink[], b: readonly ViaLink[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== y && (x.name !== y.name || x.refStart !== y.refStart || x.refFile !== y.refFile || x.definedAt?.line !== y.definedAt?.line || x.definedAt?.file !== y.definedAt?.file)) {
      return false;
    }
  }
  return true;
}

/** Joins pieces, merging neighbours with the same provenance and dropping empty ones. */
export function concat(...parts: Pieces[]): Pieces {
  return concatList(parts);
}

/** concat over a list (spreading a long list into arguments overflows the stack). */
export function concatList(parts: readonly Pieces[]): Pieces {
  const out: Piece[] = [];
  for (const part of parts) {
    for (const piece of part) {
      if (piece.text === '') continue;
      const last = out[out.length - 1];
      if (last && sameVia(last.via, piece.via)) out[out.length - 1] = { text: last.text + piece.text, via: last.via };
      else out.push(piece);
    }
  }
  return out;
}

/** Removes variants whose text repeats an earlier one. */
export function dedupe(variants: readonly Pieces[]): Pieces[] {
  const seen = new Set<string>();
  const out: Pieces[] = [];
  for (const variant of variants) {
    const key = textOf(variant);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(variant);
  }
  return out;
}

/** Every combination of one variant from each list, in order, bounded by the budget. */
export function product(lists: readonly (readonly Pieces[])[], budget: VariantBudget): Pieces[] {
  // Runs of single-variant lists are joined once: copying a growing prefix per part is quadratic.
  let acc: Pieces[] = [EMPTY];
  let run: Pieces[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const joined = concatList(run);
    acc = acc.length === 1 ? [concat(acc[0], joined)] : acc.map((prefix) => concat(prefix, joined));
    run = [];
  };
  for (const list of lists) {
    if (list.length === 1) {
      run.push(list[0]);
      continue;
    }
    flush();
    acc = combineDistinct(acc, list, budget);
  }
  flush();
  return acc;
}

/** prefix × option, distinct by text, stopping (and marking the budget) once it is full. */
function combineDistinct(prefixes: readonly Pieces[], options: readonly Pieces[], budget: VariantBudget): Pieces[] {
  const optionTexts = options.map(textOf);
  const seen = new Set<string>();
  const out: Pieces[] = [];
  for (const prefix of prefixes) {
    const prefixText = textOf(prefix);
    for (let k = 0; k < options.length; k++) {
      const key = prefixText + optionTexts[k];
      if (seen.has(key)) continue;
      if (out.length >= budget.max) {
        budget.capped = true;
        return out;
      }
      seen.add(key);
      out.push(concat(prefix, options[k]));
    }
  }
  return out;
}

/** Every combination of one value from each list (for function arguments). */
export function combinations<T>(lists: readonly (readonly T[])[], budget: VariantBudget): T[][] {
  let acc: T[][] = [[]];
  for (const list of lists) {
    const next: T[][] = [];
    for (const prefix of acc) for (const option of list) next.push([...prefix, option]);
    acc = budget.limit(next);
  }
  return acc;
}

const WHITESPACE = /[ \t\n\v\f\r]/;

export function isWhitespace(c: string): boolean {
  return WHITESPACE.test(c);
}

/** Splits into make words (whitespace separated), each keeping its pieces' provenance. */
export function splitWords(pieces: Pieces): Pieces[] {
  const words: Pieces[] = [];
  let current: Piece[] = [];
  for (const piece of pieces) {
    let wordStart = -1;
    for (let i = 0; i <= piece.text.length; i++) {
      const atEnd = i === piece.text.length;
      const blank = !atEnd && WHITESPACE.test(piece.text[i]);
      if (!atEnd && !blank) {
        if (wordStart < 0) wordStart = i;
        continue;
      }
      if (wordStart >= 0) {
        current.push({ text: piece.text.slice(wordStart, i), via: piece.via });
        wordStart = -1;
      }
      if (blank && current.length > 0) {
        words.push(concat(current));
        current = [];
      }
    }
  }
  if (current.length > 0) words.push(concat(current));
  return words;
}

export function joinWords(words: readonly Pieces[], separator = ' '): Pieces {
  const parts: Pieces[] = [];
  words.forEach((word, index) => {
    if (index > 0) parts.push(literal(separator));
    parts.push(word);
  });
  return concatList(parts);
}

/** A word whose text a function changed: keeps the provenance of its most significant piece. */
export function rewrite(word: Pieces, text: string): Pieces {
  if (textOf(word) === text) return word;
  if (text === '') return EMPTY;
  let best: Piece | undefined;
  for (const piece of word) if (!best || piece.via.length > best.via.length || piece.text.length > best.text.length) best = piece;
  return [{ text, via: best?.via ?? [] }];
}

/** Strips leading and trailing whitespace, keeping provenance. */
export function trim(pieces: Pieces): Pieces {
  // Blanks are found by walking, not by `/\s+$/`: a regular expression anchored only at the
  // end is tried from every position of a blank run, the square of its length.
  let first = 0;
  let head = '';
  for (; first < pieces.length; first++) {
    head = pieces[first].text.slice(leadingBlanks(pieces[first].text));
    if (head !== '') break;
  }
  if (first === pieces.length) return [];
  let last = pieces.length - 1;
  let tail = '';
  for (; last > first; last--) {
    tail = pieces[last].text.slice(0, trailingBlanksStart(pieces[last].text));
    if (tail !== '') break;
  }
  if (last === first) return [{ text: head.slice(0, trailingBlanksStart(head)), via: pieces[first].via }];
  const out: Piece[] = [{ text: head, via: pieces[first].via }];
  for (let i = first + 1; i < last; i++) out.push({ text: pieces[i].text, via: pieces[i].via });
  out.push({ text: tail, via: pieces[last].via });
  return out;
}

function leadingBlanks(text: string): number {
  let i = 0;
  while (i < text.length && isWhitespace(text[i])) i++;
  return i;
}

function trailingBlanksStart(text: string): number {
  let i = text.length;
  while (i > 0 && isWhitespace(text[i - 1])) i--;
  return i;
}

/** Removes `count` characters from the start, keeping provenance of the rest. */
export function dropPrefix(pieces: Pieces, count: number): Pieces {
  let left = count;
  const out: Piece[] = [];
  for (const piece of pieces) {
    if (left >= piece.text.length) {
      left -= piece.text.length;
      continue;
    }
    out.push(left > 0 ? { text: piece.text.slice(left), via: piece.via } : piece);
    left = 0;
  }
  return out;
}

/** The pieces covering characters `[start, end)` of their text. */
export function slicePieces(pieces: Pieces, start: number, end: number): Pieces {
  const out: Piece[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const pieceEnd = offset + piece.text.length;
    const from = Math.max(start, offset);
    const to = Math.min(end, pieceEnd);
    if (from < to) out.push({ text: piece.text.slice(from - offset, to - offset), via: piece.via });
    offset = pieceEnd;
  }
  return out;
}

/** Character ranges of the words of a text. */
export function wordRanges(text: string): Array<{ start: number; end: number }> {
  const ranges: Array<{ start: number; end: number }> = [];
  const pattern = /[^ \t\n\v\f\r]+/g;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) ranges.push({ start: match.index, end: match.index + match[0].length });
  return ranges;
}
