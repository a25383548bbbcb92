// The Makefile fix of no-sharing-on-init. Candidate edits, tried in this order:
//   1. the seed author's split: init reads a variable holding the other options (an existing
//      one, or one introduced next to the original definition);
//   2. a target-specific `init: VAR += --enable-sharing` loses the flag;
//   3. the general fix: each reference of the init recipe line the flags arrive through is
//      wrapped in `$(filter-out --enable-sharing% --mock-on-fail%,...)` (GNU make's `%` matches
//      any rest of the word, so `--enable-sharing=true` goes too), first the references
//      themselves, then the outermost expressions holding them, then every expression in
//      Terramate's option positions; literal flags are removed from the line. When the line
//      also runs for targets that keep sharing (`init plan:`), the wrap applies to init only
//      (`$(if $(filter init,$@),...)`).
// A candidate is offered only when the make evaluator, reading the edited files, shows that
// every variant of the init line reads as before with the sharing words gone and no flag left,
// and that every other recipe line of every target reads exactly as before. Words known only
// at run time in Terramate's option positions (`$(shell ...)`, a variable no makefile
// defines, a computed name) could be flags: then there is no fix, and the reason says why.

import { maskRecipeLine, type MaskedRecipeLine } from './masked-recipe.js';
import type { InitLaunch } from '../../analysis/launches.js';
import { evaluateMakefile, type MakeDatabase, type RecipeLine, type VariableDefinition } from '../../parsers/make/index.js';
import { parseShell, type ShellCommand } from '../../parsers/shell.js';
import { parseTerramateInvocation } from '../../parsers/terramate-cli.js';
import type { TextEdit } from '../../types.js';
import { key, SHARING_FLAG_WORD, SHARING_PATTERNS, shapesOf, stillShares, withoutSharing, type CommandShape } from './sharing-words.js';

/** Why a Makefile launch gets no fix. */
export type MakeNoFix =
  | { kind: 'shell' }
  | { kind: 'undefined'; variable: string }
  | { kind: 'computed-name' }
  | { kind: 'run-time'; what: string }
  | { kind: 'quoted' }
  | { kind: 'variants' }
  | { kind: 'unproven'; detail: string };

export type MakeFixStrategy = 'split' | 'target-specific' | 'filter-out';

export type MakeFixResult = { edits: TextEdit[]; strategy: MakeFixStrategy } | { edits: null; reason: MakeNoFix };

type ReadText = (file: string) => string | undefined;

/**
 * The variants compared per recipe line (the analysis reads 64 to find the flags), and the
 * bound tried when the init line has more: the evaluator reads each reference to a branchy
 * variable on its own, so a variable reached by several paths multiplies the readings.
 */
const MAX_VARIANTS = [512, 4096];

/** Make's reading of each analysed makefile, per bound, keyed by the analysis' definitions. */
const baselines = new WeakMap<VariableDefinition[], Map<number, MakeDatabase>>();

function baselineFor(make: NonNullable<InitLaunch['make']>, maxVariants: number, readText: ReadText): MakeDatabase {
  const byBound = baselines.get(make.definitions) ?? new Map<number, MakeDatabase>();
  baselines.set(make.definitions, byBound);
  let db = byBound.get(maxVariants);
  if (!db) {
    db = evaluateMakefile(make.entry, readText, { maxVariants });
    byBound.set(maxVariants, db);
  }
  return db;
}

const FUNCTION_LABELS = new Set(['foreach', 'call', 'value', 'origin', 'flavor', 'wildcard', 'file', 'eval', 'depth', 'if', 'or', 'and', 'filter', 'filter-out', 'subst', 'patsubst', 'word', 'wordlist', 'firstword', 'lastword', 'words', 'sort']);

// ---- Reading a variant -------------------------------------------------------------------------

const UNKNOWN_MARKER = /\uE000([^\uE001]*)\uE001/g;
const RUN_TIME_VARIABLE = /\$\{__tm_doctor_run_time_([0-9a-f]*)\}/g;

function hex(text: string): string {
  return [...text].map((char) => (char.codePointAt(0) ?? 0).toString(16).padStart(6, '0')).join('');
}

function unhex(text: string): string {
  let out = '';
  for (let i = 0; i + 6 <= text.length; i += 6) out += String.fromCodePoint(Number.parseInt(text.slice(i, i + 6), 16));
  return out;
}

/** A variant's commands, each of make's run-time values an unset shell variable named after it. */
function readVariant(text: string): CommandShape[] {
  return shapesOf(text.replace(UNKNOWN_MARKER, (_whole, label: string) => `\${__tm_doctor_run_time_${hex(label)}}`));
}

/** Where a run-time word in the init options comes from, as a reason. */
function runTimeReason(word: string): MakeNoFix {
  const labels = [...word.matchAll(RUN_TIME_VARIABLE)].map((match) => unhex(match[1]));
  const label = labels[0];
  if (label === undefined) return { kind: 'run-time', what: `the shell expansion \`${word}\`` };
  if (label === 'shell') return { kind: 'shell' };
  if (label === 'computed-name') return { kind: 'computed-name' };
  if (FUNCTION_LABELS.has(label)) return { kind: 'run-time', what: `the result of \`$(${label} ...)\`` };
  if (label === 'MAKECMDGOALS') return { kind: 'run-time', what: 'the goals given to make ($(MAKECMDGOALS))' };
  return { kind: 'undefined', variable: label };
}

// ---- Edits ---------------------------------------------------------------------------------------

function isBlank(text: string, at: number): number {
  if (text[at] === ' ' || text[at] === '\t') return 1;
  if (text[at] === '\\' && text[at + 1] === '\n') return 2;
  if (text[at] === '\\' && text[at + 1] === '\r' && text[at + 2] === '\n') return 3;
  return 0;
}

/**
 * The range to delete for a word of a command line: it and the blanks after it (continuations
 * included), or the blanks before it when it ends the command.
 */
export function wordRemovalRange(text: string, start: number, end: number): { start: number; end: number } {
  let after = end;
  let continued = false;
  for (let step = isBlank(text, after); step > 0; step = isBlank(text, after)) {
    // After a continuation, the next line's indentation is blank too.
    if (step > 1) continued = true;
    after += step;
  }
  let before = start;
  while (before > 0 && (text[before - 1] === ' ' || text[before - 1] === '\t')) before--;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // A word after others on a continued line: it goes with the blanks before it, so the line
  // keeps its continuation and the next line stays where it was.
  if (continued && before > lineStart && text[before - 1] !== '\n') return { start: before, end };
  const next = text[after];
  if (after > end && next !== undefined && !'\n\r;&|)#\'"'.includes(next)) return { start, end: after };
  return { start: before, end };
}

/** Edits of one file, overlapping removals merged into one. */
function merged(file: string, edits: Array<{ start: number; end: number; text: string }>): TextEdit[] {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TextEdit[] = [];
  for (const edit of sorted) {
    const last = out[out.length - 1];
    if (last && edit.start < last.end) {
      if (last.text !== '' || edit.text !== '') return [];
      last.end = Math.max(last.end, edit.end);
      continue;
    }
    out.push({ kind: 'text', file, start: edit.start, end: edit.end, text: edit.text });
  }
  return out;
}

/** A candidate's edits, file by file, overlapping removals merged; null when edits collide. */
function normalized(edits: readonly TextEdit[]): TextEdit[] | null {
  const files = [...new Set(edits.map((edit) => edit.file))];
  const out: TextEdit[] = [];
  for (const file of files) {
    const own = edits.filter((edit) => edit.file === file);
    const result = merged(file, own);
    if (result.length === 0) return null;
    // Two insertions at one place, or an insertion inside a replaced range: the order is a guess.
    for (let i = 1; i < result.length; i++) if (result[i].start < result[i - 1].end || (result[i].start === result[i - 1].start && result[i].start === result[i].end)) return null;
    out.push(...result);
  }
  return out;
}

function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let cursor = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}

// ---- The recipe line as the shell sees it, make expressions opaque -----------------------------


interface RawWord {
  /** Offsets in the file. */
  start: number;
  end: number;
  text: string;
  /** Holds a make expression. */
  expanded: boolean;
  /** The shell's value of the word, when known. */
  value: string | null;
}

interface LineCommand {
  command: ShellCommand;
  words: RawWord[];
  /** Index range of Terramate's option words in `words`, when the command reads as `terramate run`. */
  options: { from: number; to: number } | null;
  /** Indexes of literal sharing flag words and sharing variable prefixes. */
  literalFlags: RawWord[];
}

function lineCommands(text: string, recipe: RecipeLine, masked: MaskedRecipeLine): LineCommand[] | null {
  const parsed = parseShell(masked.text);
  const commands: LineCommand[] = [];
  for (const command of parsed.commands) {
    if (command.via.length > 0 || !command.exactOffsets) continue;
    const rawOf = (word: { start: number; end: number; value?: string | null }): RawWord => {
      const start = recipe.start + masked.from[word.start];
      const end = recipe.start + masked.to[word.end - 1];
      const wordText = text.slice(start, end);
      return { start, end, text: wordText, expanded: wordText.replace(/\$\$/g, '').includes('$'), value: typeof word.value === 'string' ? word.value : null };
    };
    if (command.argv.some((word) => word.start < 0 || word.end <= word.start)) return null;
    const words = command.argv.map(rawOf);
    const invocation = parseTerramateInvocation(command.argv, { env: command.environment });
    let options: LineCommand['options'] = null;
    const literalFlags: RawWord[] = [];
    if (invocation && invocation.kind === 'run') {
      const end = invocation.commandIndex < 0 ? words.length : invocation.commandIndex;
      options = { from: invocation.subcommandIndex + 1, to: end };
      for (const flag of invocation.flags) {
        if ((flag.name === 'enable-sharing' || flag.name === 'mock-on-fail') && !words[flag.index].expanded) literalFlags.push(words[flag.index]);
      }
      for (const assignment of command.assignments) {
        if (/^TM_ARG_RUN_(ENABLE_SHARING|MOCK_ON_FAIL)$/.test(assignment.name)) {
          const word = rawOf({ start: assignment.start, end: assignment.end, value: `${assignment.name}=${typeof assignment.value === 'string' ? assignment.value : ''}` });
          if (!word.expanded) literalFlags.push(word);
        }
      }
    }
    commands.push({ command, words, options, literalFlags });
  }
  return commands;
}

// ---- The split of the seed's author ---------------------------------------------------------------

interface ValueWord {
  text: string;
  start: number;
  end: number;
}

/** Words of a make value as written, keeping `$(...)`/`${...}` references whole. */
function valueWords(raw: string, offset: number): ValueWord[] {
  const words: ValueWord[] = [];
  let i = 0;
  while (i < raw.length) {
    const blank = isBlank(raw, i) || (raw[i] === '\n' ? 1 : 0);
    if (blank) {
      i += blank;
      continue;
    }
    const start = i;
    let depth = 0;
    while (i < raw.length && (depth > 0 || !(isBlank(raw, i) || raw[i] === '\n'))) {
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

function referenceName(word: string): string | null {
  const match = /^\$[({]([A-Za-z0-9_.-]+)[)}]$/.exec(word);
  return match ? match[1] : null;
}

function onlyDefinition(definitions: VariableDefinition[], name: string): VariableDefinition | null {
  const all = definitions.filter((definition) => definition.name === name);
  if (all.length !== 1) return null;
  const [definition] = all;
  if (definition.target || definition.conditional || !['=', ':=', '::='].includes(definition.op)) return null;
  return definition;
}

function freshName(definitions: VariableDefinition[], texts: string[], base: string): string | null {
  for (const candidate of [`${base}_INIT`, `${base}_NO_SHARING`]) {
    if (definitions.some((definition) => definition.name === candidate)) continue;
    if (texts.some((text) => text.includes(candidate))) continue;
    return candidate;
  }
  return null;
}

function lineEndAfter(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline;
}

function removal(file: string, text: string, start: number, end: number): TextEdit {
  return { kind: 'text', file, ...wordRemovalRange(text, start, end), text: '' };
}

/** `TM_OPTS := --enable-sharing --mock-on-fail $(TM_COMMON)`: init reads `$(TM_COMMON)` (or a new variable). */
function splitEdits(launch: InitLaunch, text: string, definitions: VariableDefinition[], literal: TextEdit[], readText: ReadText): TextEdit[] | null {
  const recipe = launch.make!.recipe;
  const viaVariable = launch.sharing.filter((origin) => origin.via.length > 0);
  if (viaVariable.length === 0) return null;
  const outer = viaVariable[0].via[0];
  if (viaVariable.some((origin) => origin.via[0].refStart !== outer.refStart || origin.via[0].refFile !== outer.refFile)) return null;
  if (outer.refFile !== recipe.file) return null;
  const definition = onlyDefinition(definitions, outer.name);
  const definitionText = definition ? readText(definition.file) : undefined;
  if (!definition || definitionText === undefined) return null;
  const words = valueWords(definitionText.slice(definition.valueStart, definition.valueEnd), definition.valueStart);
  const sharingReferences = new Set(viaVariable.filter((origin) => origin.via.length > 1).map((origin) => origin.via[1].name));
  for (const name of sharingReferences) {
    const inner = onlyDefinition(definitions, name);
    const innerText = inner ? readText(inner.file) : undefined;
    if (!inner || innerText === undefined) return null;
    const innerWords = valueWords(innerText.slice(inner.valueStart, inner.valueEnd), inner.valueStart);
    if (innerWords.length === 0 || !innerWords.every((word) => SHARING_FLAG_WORD.test(word.text))) return null;
  }
  const isSharing = (word: ValueWord) => SHARING_FLAG_WORD.test(word.text) || sharingReferences.has(referenceName(word.text) ?? '');
  if (viaVariable.some((origin) => origin.via.length === 1) && !words.some((word) => SHARING_FLAG_WORD.test(word.text))) return null;
  const rest = words.filter((word) => !isSharing(word));

  const reference = text.slice(outer.refStart, outer.refEnd);
  const [open, close] = reference.startsWith('${') ? ['${', '}'] : ['$(', ')'];
  if (rest.length === 0) return [...literal, removal(launch.file, text, outer.refStart, outer.refEnd)];
  const single = rest.length === 1 ? referenceName(rest[0].text) : null;
  if (single) return [...literal, { kind: 'text', file: launch.file, start: outer.refStart, end: outer.refEnd, text: `${open}${single}${close}` }];

  const allTexts = [...new Set(definitions.map((candidate) => candidate.file))].map((file) => readText(file) ?? '');
  const name = freshName(definitions, allTexts, outer.name);
  if (!name) return null;
  const insertAt = lineEndAfter(definitionText, definition.valueEnd);
  const crlf = definitionText[insertAt - 1] === '\r';
  const at = crlf ? insertAt - 1 : insertAt;
  const operator = definition.op === '=' ? '=' : ':=';
  return [
    ...literal,
    { kind: 'text', file: definition.file, start: at, end: at, text: `${crlf ? '\r\n' : '\n'}${name} ${operator} ${rest.map((word) => word.text).join(' ')}` },
    { kind: 'text', file: launch.file, start: outer.refStart, end: outer.refEnd, text: `${open}${name}${close}` },
  ];
}

/** `init: TM_OPTS += --enable-sharing`: the flag is removed where only init gets it. */
function targetSpecificEdits(launch: InitLaunch, definitions: VariableDefinition[], literal: TextEdit[], readText: ReadText): TextEdit[] | null {
  const origins = launch.sharing.filter((origin) => origin.via.length > 0);
  if (origins.length === 0) return null;
  const targets = launch.make!.recipe.targets;
  const edits = new Map<string, TextEdit>();
  const removedWords = new Map<VariableDefinition, Set<number>>();
  for (const origin of origins) {
    const defined = origin.via[origin.via.length - 1].definedAt;
    const definition = definitions.find(
      (candidate) => defined && candidate.file === defined.file && candidate.line === defined.line && candidate.target !== undefined,
    );
    if (!definition || !targets.includes(definition.target as string)) return null;
    const definitionText = readText(definition.file);
    if (definitionText === undefined) return null;
    const words = valueWords(definitionText.slice(definition.valueStart, definition.valueEnd), definition.valueStart);
    const flag = words.find((word) => word.text.replace(/=.*$/, '') === `--${origin.option}`);
    if (!flag) return null;
    edits.set(`${definition.file}:${flag.start}`, removal(definition.file, definitionText, flag.start, flag.end));
    const removed = removedWords.get(definition) ?? new Set<number>();
    removedWords.set(definition, removed.add(flag.start));
    if (removed.size === words.length) {
      // Nothing left to add: the whole `init: VAR += ...` line goes.
      for (const word of words) edits.delete(`${definition.file}:${word.start}`);
      const lineStart = definitionText.lastIndexOf('\n', definition.valueStart - 1) + 1;
      const newline = definitionText.indexOf('\n', definition.valueEnd);
      const lineEnd = newline < 0 ? definitionText.length : newline + 1;
      edits.set(`${definition.file}:line:${lineStart}`, { kind: 'text', file: definition.file, start: lineStart, end: lineEnd, text: '' });
    }
  }
  return [...literal, ...edits.values()];
}

// ---- The general fix: filter-out around what carries the flags -----------------------------------

interface Wrapper {
  wrap(expression: string): string | null;
  remove(word: string): string;
  conditional: boolean;
}

function wrapperFor(recipe: RecipeLine, targets: string[]): Wrapper {
  const filter = (expression: string) => `$(filter-out ${SHARING_PATTERNS},${expression})`;
  if (targets.length === recipe.targets.length) return { wrap: filter, remove: () => '', conditional: false };
  // The line also runs for targets that keep sharing: only init's expansion changes.
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

type Span = { start: number; end: number };

function wrapEdits(file: string, text: string, spans: Span[], literalFlags: RawWord[], wrapper: Wrapper): TextEdit[] | null {
  const edits: Array<{ start: number; end: number; text: string }> = [];
  // The same span once; a span inside another goes with it.
  const unique = [...new Map(spans.map((span) => [`${span.start}:${span.end}`, span])).values()];
  const outermost = unique.filter((span) => !unique.some((other) => other !== span && other.start <= span.start && span.end <= other.end));
  for (const span of outermost) {
    const wrapped = wrapper.wrap(text.slice(span.start, span.end));
    if (wrapped === null) return null;
    edits.push({ start: span.start, end: span.end, text: wrapped });
  }
  for (const word of literalFlags) {
    if (outermost.some((span) => span.start < word.end && word.start < span.end)) continue;
    if (wrapper.conditional) edits.push({ start: word.start, end: word.end, text: wrapper.remove(word.text) });
    else edits.push({ ...wordRemovalRange(text, word.start, word.end), text: '' });
  }
  if (edits.length === 0) return null;
  const result = merged(file, edits);
  return result.length > 0 ? result : null;
}

/** A shell word with quotes or escapes: `$(filter-out)` inside it would not see whole words. */
function quoted(word: RawWord): boolean {
  return /['"\\`]/.test(word.text);
}

// ---- Checking a candidate on make's own model -------------------------------------------------------

interface Baseline {
  db: MakeDatabase;
  index: number;
  /** Targets of the line whose init launch gets sharing in some variant. */
  targets: string[];
  /** The bound `db` was read with; the edited files are read with it too. */
  maxVariants: number;
}

function diagnosticsKey(db: MakeDatabase): string {
  return JSON.stringify(db.diagnostics.map((diagnostic) => `${diagnostic.file}\0${diagnostic.message}`).sort());
}

function variantKey(shapes: CommandShape[], strip: boolean): string {
  return shapes.map((shape) => key(strip ? withoutSharing(shape) : shape)).join('\n');
}

/**
 * Null when the edited files read right; else what is wrong. Edits confined to the init line
 * (wraps and removals there) leave every other line as it was: those are not compared.
 */
function verify(entry: string, baseline: Baseline, edits: TextEdit[], readText: ReadText): string | null {
  const initLine = baseline.db.recipes[baseline.index];
  const local = edits.every((edit) => edit.file === initLine.file && edit.start >= initLine.start && edit.end <= initLine.end);
  const byFile = new Map<string, TextEdit[]>();
  for (const edit of edits) byFile.set(edit.file, [...(byFile.get(edit.file) ?? []), edit]);
  const fixed = new Map<string, string>();
  for (const [file, fileEdits] of byFile) {
    const original = readText(file);
    if (original === undefined) return `cannot read ${file}`;
    fixed.set(file, applyTextEdits(original, fileEdits));
  }
  const after = evaluateMakefile(entry, (file) => fixed.get(file) ?? readText(file), { maxVariants: baseline.maxVariants });
  const before = baseline.db;
  if (diagnosticsKey(after) !== diagnosticsKey(before)) return 'make would read the edited files differently (new diagnostics)';
  if (after.recipes.length !== before.recipes.length) return 'the recipes would change';
  for (let j = 0; j < before.recipes.length; j++) {
    const b = before.recipes[j];
    const a = after.recipes[j];
    if (a.file !== b.file || a.targets.join(' ') !== b.targets.join(' ')) return 'the recipes would change';
    if (local && j !== baseline.index) continue;
    for (const target of b.targets) {
      const bv = b.byTarget[target];
      const av = a.byTarget[target];
      if (!av || bv.capped || av.capped) return 'too many variants to compare';
      if (j !== baseline.index || !baseline.targets.includes(target)) {
        if (av.variants.length !== bv.variants.length || av.variants.some((variant, k) => variant.text !== bv.variants[k].text)) {
          return `the recipe line ${b.line} would change for target ${target}`;
        }
        continue;
      }
      const expected = new Set(bv.variants.map((variant) => variantKey(readVariant(variant.text), true)));
      const seen = new Set<string>();
      for (const variant of av.variants) {
        const shapes = readVariant(variant.text);
        if (shapes.some(stillShares)) return 'a sharing flag would be left';
        if (shapes.some((shape) => (shape.launch?.runTimeWords.length ?? 0) > 0)) return 'a word known only at run time would be left in the options';
        const got = variantKey(shapes, false);
        if (!expected.has(got)) return 'the other words of the init line would change';
        seen.add(got);
      }
      if (seen.size !== expected.size) return 'a variant of the init line would be lost';
    }
  }
  return null;
}

// ---- The fix -------------------------------------------------------------------------------------

function recipePrefixOf(text: string, recipe: RecipeLine): string {
  const lineStart = text.lastIndexOf('\n', recipe.start - 1) + 1;
  return text.slice(lineStart, recipe.start).slice(0, 1) || '\t';
}

export function makefileSharingFix(launch: InitLaunch, readText: ReadText): MakeFixResult {
  const make = launch.make;
  const recipe = make?.recipe;
  const text = recipe ? readText(recipe.file) : undefined;
  const unproven = (detail: string): MakeFixResult => ({ edits: null, reason: { kind: 'unproven', detail } });
  if (!make || !recipe || text === undefined || text.slice(recipe.start, recipe.end) !== recipe.raw) return unproven('the makefile is not as it was read');
  if (/^\.ONESHELL[ \t]*:/m.test(text)) return unproven('with .ONESHELL the recipe is one script');

  // Launches of one makefile share its definitions: make reads it once for all of them.
  let maxVariants = MAX_VARIANTS[0];
  let db = baselineFor(make, maxVariants, readText);
  let index = db.recipes.findIndex((line) => line.file === recipe.file && line.start === recipe.start);
  if (db.recipes[index]?.capped) {
    maxVariants = MAX_VARIANTS[1];
    db = baselineFor(make, maxVariants, readText);
    index = db.recipes.findIndex((line) => line.file === recipe.file && line.start === recipe.start);
  }
  const line = db.recipes[index];
  if (!line || line.raw !== recipe.raw) return unproven('the recipe line is not as it was read');
  if (line.capped) return { edits: null, reason: { kind: 'variants' } };

  const targets: string[] = [];
  for (const target of line.targets) {
    const readings = line.byTarget[target].variants.map((variant) => readVariant(variant.text));
    const launches = readings.flat().filter((shape) => shape.launch !== null);
    const runTime = launches.flatMap((shape) => shape.launch?.runTimeWords ?? []);
    // A word known only at run time could be a flag: no edit can show it is not.
    if (runTime.length > 0) return { edits: null, reason: runTimeReason(runTime[0]) };
    if (launches.some(stillShares)) targets.push(target);
  }
  if (targets.length === 0) return unproven('make does not show the flags on the init line');
  const baseline: Baseline = { db, index, targets, maxVariants };

  const masked = maskRecipeLine(recipe.raw, recipePrefixOf(text, recipe));
  const commands = masked ? lineCommands(text, recipe, masked) : null;
  if (!masked || !commands) return unproven('the recipe line cannot be read as shell words');
  const literalFlags = commands.flatMap((command) => command.literalFlags);
  const wrapper = wrapperFor(recipe, targets);
  const literal = merged(launch.file, literalFlags.map((word) => ({ ...wordRemovalRange(text, word.start, word.end), text: '' })));

  const candidates: Array<{ strategy: MakeFixStrategy; edits: TextEdit[] | null }> = [
    { strategy: 'split', edits: splitEdits(launch, text, db.definitions, literal, readText) },
    { strategy: 'target-specific', edits: targetSpecificEdits(launch, db.definitions, literal, readText) },
  ];

  // The references the flags come through, as make recorded them.
  const onLine = (start: number, end: number) => start >= recipe.start && end <= recipe.end;
  const references = launch.sharing.flatMap((origin) => {
    const link = origin.via[0];
    return link && link.refFile === recipe.file && onLine(link.refStart, link.refEnd) ? [{ start: link.refStart, end: link.refEnd }] : [];
  });
  // A flag no reference brought and no literal word holds was made by a function on the line.
  const viaLess = launch.sharing.some((origin) => origin.via.length === 0 && !literalFlags.some((word) => word.value === origin.written));
  const expressions = masked.expressions.map((expression) => ({ start: recipe.start + expression.start, end: recipe.start + expression.end }));
  const holding = (span: Span) => expressions.find((expression) => expression.start <= span.start && span.end <= expression.end) ?? span;
  const quotedWords: RawWord[] = [];
  const optionWords: Span[] = [];
  for (const command of commands) {
    if (!command.options) continue;
    for (const word of command.words.slice(command.options.from, command.options.to)) {
      if (!word.expanded) continue;
      if (quoted(word)) quotedWords.push(word);
      else optionWords.push(word);
    }
  }
  const wraps: Span[][] = [];
  if (references.length > 0 && !viaLess) {
    wraps.push(references);
    wraps.push(references.map(holding));
  }
  if (references.length === 0 && literalFlags.length > 0 && !viaLess) wraps.push([]);
  if (optionWords.length > 0) wraps.push(optionWords);
  for (const spans of wraps) candidates.push({ strategy: 'filter-out', edits: wrapEdits(launch.file, text, spans, literalFlags, wrapper) });
  // `"$(SHARE)"`: the quotes make one word of the expansion, which is the flag itself or is not
  // read as one; the whole word goes (make's reading shows which).
  const carrying = quotedWords.filter((word) => viaLess || references.some((span) => word.start <= span.start && span.end <= word.end));
  if (carrying.length > 0) {
    const unquoted = references.filter((span) => !carrying.some((word) => word.start <= span.start && span.end <= word.end));
    candidates.push({ strategy: 'filter-out', edits: wrapEdits(launch.file, text, unquoted, [...literalFlags, ...carrying], wrapper) });
  }

  const tried = new Set<string>();
  let last = 'no edit reaches the flags';
  for (const candidate of candidates) {
    const edits = candidate.edits && candidate.edits.length > 0 ? normalized(candidate.edits) : null;
    if (!edits) continue;
    const id = JSON.stringify(edits);
    if (tried.has(id)) continue;
    tried.add(id);
    const problem = verify(make.entry, baseline, edits, readText);
    if (problem === null) return { edits, strategy: candidate.strategy };
    last = problem;
  }
  if (quotedWords.length > 0) return { edits: null, reason: { kind: 'quoted' } };
  return unproven(last);
}
