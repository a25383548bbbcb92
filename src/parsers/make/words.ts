// make's `%` patterns over words (filter, patsubst, substitution references).

import { concat, EMPTY, joinWords, rewrite, splitWords, textOf, type Pieces } from './pieces.js';

export interface Pattern {
  prefix: string;
  suffix: string;
  hasPercent: boolean;
}

export function parsePattern(text: string): Pattern {
  const percent = text.indexOf('%');
  if (percent < 0) return { prefix: text, suffix: '', hasPercent: false };
  return { prefix: text.slice(0, percent), suffix: text.slice(percent + 1), hasPercent: true };
}

/** The stem if `word` matches, else null. */
export function matchPattern(pattern: Pattern, word: string): string | null {
  if (!pattern.hasPercent) return word === pattern.prefix ? '' : null;
  if (word.length < pattern.prefix.length + pattern.suffix.length) return null;
  if (!word.startsWith(pattern.prefix) || !word.endsWith(pattern.suffix)) return null;
  return word.slice(pattern.prefix.length, word.length - pattern.suffix.length);
}

export function applyReplacement(replacement: string, stem: string): string {
  const percent = replacement.indexOf('%');
  return percent < 0 ? replacement : replacement.slice(0, percent) + stem + replacement.slice(percent + 1);
}

/**
 * patsubst; with `substitutionReference`, a `from` without `%` means a suffix (`$(X:.c=.o)`).
 * Words that become empty are dropped, as make drops their separator.
 */
export function patternSubstitute(value: Pieces, from: string, to: string, substitutionReference: boolean): Pieces {
  let pattern = from;
  let replacement = to;
  if (substitutionReference && !from.includes('%')) {
    pattern = `%${from}`;
    replacement = `%${to}`;
  }
  const parsed = parsePattern(pattern);
  if (!parsed.hasPercent) return replaceWholeWords(value, pattern, replacement);
  const replacementHasPercent = parsed.hasPercent && replacement.includes('%');
  const out: Pieces[] = [];
  for (const word of splitWords(value)) {
    const stem = matchPattern(parsed, textOf(word));
    if (stem === null) {
      out.push(word);
      continue;
    }
    const replaced = replacementHasPercent ? applyReplacement(replacement, stem) : replacement;
    if (replaced !== '') out.push(rewrite(word, replaced));
  }
  return out.length === 0 ? EMPTY : joinWords(out);
}

/** patsubst without `%`: replaces whole words equal to `word`, keeping the whitespace as is. */
function replaceWholeWords(value: Pieces, word: string, replacement: string): Pieces {
  if (word === '') return value;
  const whole = replaceWordInText(textOf(value), word, replacement);
  const pieceWise = value.map((piece) => ({ text: replaceWordInText(piece.text, word, replacement), via: piece.via }));
  // Piece boundaries can fall inside words; trust the piece-wise result only when it agrees.
  return textOf(pieceWise) === whole ? concat(pieceWise) : rewrite(value, whole);
}

function replaceWordInText(text: string, word: string, replacement: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const found = text.indexOf(word, i);
    if (found < 0) break;
    const before = found === 0 || /[ \t\n]/.test(text[found - 1]);
    const afterIndex = found + word.length;
    const after = afterIndex >= text.length || /[ \t\n]/.test(text[afterIndex]);
    out += text.slice(i, found) + (before && after ? replacement : word);
    i = afterIndex;
  }
  return out + text.slice(i);
}
