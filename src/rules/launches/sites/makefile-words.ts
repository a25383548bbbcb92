// Words of a Makefile, for the fixes that take words out of a make-run launch: the words of a
// recipe line as the shell will split them (make expressions kept as written), the words of a
// variable's value, and the make text that removes, renames, defines or filters them.

import type { RecipeLine, VariableDefinition } from '../../../parsers/make/index.js';
import { parseShell, type ShellCommand } from '../../../parsers/shell.js';
import type { TextEdit } from '../../../types.js';
import type { MaskedRecipeLine } from '../masked-recipe.js';
import { blankLength, mergedEdits, wordRemovalRange } from './shell-text.js';

type Span = { start: number; end: number };

// ---- The recipe line as the shell sees it, make expressions opaque -----------------------------

/** A shell word of a recipe line, as written in the file. */
export interface RawWord {
  /** Offsets in the file. */
  start: number;
  end: number;
  text: string;
  /** Holds a make expression. */
  expanded: boolean;
  /** The shell's value of the word, when known. */
  value: string | null;
}

export interface RecipeCommand {
  command: ShellCommand;
  /** Its argv, as written. */
  words: RawWord[];
  /** Its `NAME=value` prefixes as written, each valued `NAME=value` (an unknown value empty). */
  prefixes: RawWord[];
}

/** The line's top-level commands with exact offsets; null when one of them has a word the file does not hold. */
export function recipeCommands(text: string, recipe: RecipeLine, masked: MaskedRecipeLine): RecipeCommand[] | null {
  const parsed = parseShell(masked.text);
  const commands: RecipeCommand[] = [];
  for (const command of parsed.commands) {
    if (command.via.length > 0 || !command.exactOffsets) continue;
    const rawOf = (word: { start: number; end: number; value?: string | null }): RawWord => {
      const start = recipe.start + masked.from[word.start];
      const end = recipe.start + masked.to[word.end - 1];
      const wordText = text.slice(start, end);
      return { start, end, text: wordText, expanded: wordText.replace(/\$\$/g, '').includes('$'), value: typeof word.value === 'string' ? word.value : null };
    };
    if (command.argv.some((word) => word.start < 0 || word.end <= word.start)) return null;
    const prefixes = command.assignments.map((assignment) =>
      rawOf({ start: assignment.start, end: assignment.end, value: `${assignment.name}=${typeof assignment.value === 'string' ? assignment.value : ''}` }),
    );
    commands.push({ command, words: command.argv.map(rawOf), prefixes });
  }
  return commands;
}

/** A shell word with quotes or escapes: `$(filter-out)` inside it would not see whole words. */
export function quoted(word: RawWord): boolean {
  return /['"\\`]/.test(word.text);
}

/** The recipe prefix the line is written with (a tab, or `.RECIPEPREFIX`'s character). */
export function recipePrefixOf(text: string, recipe: RecipeLine): string {
  const lineStart = text.lastIndexOf('\n', recipe.start - 1) + 1;
  return text.slice(lineStart, recipe.start).slice(0, 1) || '\t';
}

// ---- Variables: their values' words, references, definitions --------------------------------------

export interface ValueWord {
  text: string;
  start: number;
  end: number;
}

/** Words of a make value as written, keeping `$(...)`/`${...}` references whole. */
function valueWords(raw: string, offset: number): ValueWord[] {
  const words: ValueWord[] = [];
  let i = 0;
  while (i < raw.length) {
    const blank = blankLength(raw, i) || (raw[i] === '\n' ? 1 : 0);
    if (blank) {
      i += blank;
      continue;
    }
    const start = i;
    let depth = 0;
    while (i < raw.length && (depth > 0 || !(blankLength(raw, i) || raw[i] === '\n'))) {
      if (raw[i] === '$' && (raw[i + 1] === '(' || raw[i + 1] === '{')) {
        depth++;
        i += 2;
        continue;
      }
      if (depth > 0 && (raw[i] === ')' || raw[i] === '}')) depth--;
      i++;
    }
    words.push({ text: raw.slice(start, i), start: offset + start, end: offset + i });
  }
  return words;
}

/** The words of a definition's value, file offsets in `text` (its file's text). */
export function definitionWords(definition: VariableDefinition, text: string): ValueWord[] {
  return valueWords(text.slice(definition.valueStart, definition.valueEnd), definition.valueStart);
}

/** `NAME` for a word that is exactly `$(NAME)` or `${NAME}`. */
export function referenceName(word: string): string | null {
  const match = /^\$[({]([A-Za-z0-9_.-]+)[)}]$/.exec(word);
  return match ? match[1] : null;
}

/** The one plain, unconditional, global definition of `name`; null when there are others. */
export function onlyDefinition(definitions: VariableDefinition[], name: string): VariableDefinition | null {
  const all = definitions.filter((definition) => definition.name === name);
  if (all.length !== 1) return null;
  const [definition] = all;
  if (definition.target || definition.conditional || !['=', ':=', '::='].includes(definition.op)) return null;
  return definition;
}

/** The first of `candidates` that no makefile defines or mentions (`texts`: the makefiles' texts). */
export function unusedName(definitions: VariableDefinition[], texts: string[], candidates: readonly string[]): string | null {
  for (const candidate of candidates) {
    if (definitions.some((definition) => definition.name === candidate)) continue;
    if (texts.some((text) => text.includes(candidate))) continue;
    return candidate;
  }
  return null;
}

/** The reference at `span` of `file` made to name `name`, in the same brackets. */
export function referenceTo(file: string, text: string, span: Span, name: string): TextEdit {
  const [open, close] = text.slice(span.start, span.end).startsWith('${') ? ['${', '}'] : ['$(', ')'];
  return { kind: 'text', file, start: span.start, end: span.end, text: `${open}${name}${close}` };
}

/** A new definition `name` holding `words`, on the line after `definition`'s, expanded the same way (`=` or `:=`). */
export function definitionAfter(definition: VariableDefinition, text: string, name: string, words: readonly ValueWord[]): TextEdit {
  const newline = text.indexOf('\n', definition.valueEnd);
  const insertAt = newline < 0 ? text.length : newline;
  const crlf = text[insertAt - 1] === '\r';
  const at = crlf ? insertAt - 1 : insertAt;
  const operator = definition.op === '=' ? '=' : ':=';
  return { kind: 'text', file: definition.file, start: at, end: at, text: `${crlf ? '\r\n' : '\n'}${name} ${operator} ${words.map((word) => word.text).join(' ')}` };
}

/** The removal of `definition`'s whole line (`init: VAR += ...`), its newline included. */
export function definitionLineRemoval(definition: VariableDefinition, text: string): TextEdit {
  const lineStart = text.lastIndexOf('\n', definition.valueStart - 1) + 1;
  const newline = text.indexOf('\n', definition.valueEnd);
  const lineEnd = newline < 0 ? text.length : newline + 1;
  return { kind: 'text', file: definition.file, start: lineStart, end: lineEnd, text: '' };
}

// ---- `$(filter-out ...)` around what carries words ----------------------------------------------

/** How a recipe line's expressions are filtered and its literal words removed. */
export interface Wrapper {
  wrap(expression: string): string | null;
  remove(word: string): string;
  conditional: boolean;
}

/**
 * `$(filter-out PATTERNS,...)` around an expression; when the line also runs for targets other
 * than `targets`, only their expansion changes (`$(if $(filter init,$@),...)`).
 */
export function filterOutWrapper(patterns: string, recipe: RecipeLine, targets: string[]): Wrapper {
  const filter = (expression: string) => `$(filter-out ${patterns},${expression})`;
  if (targets.length === recipe.targets.length) return { wrap: filter, remove: () => '', conditional: false };
  const condition = `$(filter ${targets.join(' ')},$@)`;
  return {
    wrap: (expression) => (topLevelComma(expression) ? null : `$(if ${condition},${filter(expression)},${expression})`),
    remove: (word) => `$(if ${condition},,${word})`,
    conditional: true,
  };
}

/** A comma outside parentheses would split the arguments of `$(if ...)`. */
function topLevelComma(text: string): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === '(' || char === '{') depth++;
    else if (char === ')' || char === '}') depth--;
    else if (char === ',' && depth === 0) return true;
  }
  return false;
}

/** The outermost of `spans` wrapped, and each of `words` outside them removed; null when none or they collide. */
export function wrapEdits(file: string, text: string, spans: Span[], words: RawWord[], wrapper: Wrapper): TextEdit[] | null {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  // The same span once; a span inside another goes with it.
  const unique = [...new Map(spans.map((span) => [`${span.start}:${span.end}`, span])).values()];
  const outermost = unique.filter((span) => !unique.some((other) => other !== span && other.start <= span.start && span.end <= other.end));
  for (const span of outermost) {
    const wrapped = wrapper.wrap(text.slice(span.start, span.end));
    if (wrapped === null) return null;
    edits.push({ start: span.start, end: span.end, text: wrapped });
  }
  for (const word of words) {
    if (outermost.some((span) => span.start < word.end && word.start < span.end)) continue;
    if (wrapper.conditional) edits.push({ start: word.start, end: word.end, text: wrapper.remove(word.text) });
    else edits.push({ ...wordRemovalRange(text, word.start, word.end), text: '' });
  }
  if (edits.length === 0) return null;
  const result = mergedEdits(file, edits);
  return result && result.length > 0 ? result : null;
}
