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

// How a Makefile's words are read and edited (recipe line words, variable values, references,
// the filter-out wrap) lives in `sites/makefile-words.ts`; this file says which words go, and
// checks the result on make's own reading.

import { maskRecipeLine, type MaskedRecipeLine } from './masked-recipe.js';
import type { InitLaunch } from '../../analysis/launches.js';
import { applyEdits } from '../../fix/plan.js';
import { evaluateMakefile, type MakeDatabase, type RecipeLine, type VariableDefinition } from '../../parsers/make/index.js';
import { parseTerramateInvocation } from '../../parsers/terramate-cli.js';
import type { TextEdit } from '../../types.js';
import { key, SHARING_FLAG_WORD, SHARING_PATTERNS, shapesOf, stillShares, withoutSharing, type CommandShape } from './sharing-words.js';
import {
  definitionAfter,
  definitionLineRemoval,
  definitionWords,
  filterOutWrapper,
  onlyDefinition,
  quoted,
  recipeCommands,
  recipePrefixOf,
  referenceName,
  referenceTo,
  unusedName,
  wrapEdits,
  type RawWord,
  type RecipeCommand,
  type ValueWord,
} from './sites/makefile-words.js';
import { mergedEdits, wordRemovalEdit } from './sites/shell-text.js';

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

type Span = { start: number; end: number };

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

/** A candidate's edits, file by file, overlapping removals merged; null when edits collide. */
function normalized(edits: readonly TextEdit[]): TextEdit[] | null {
  const files = [...new Set(edits.map((edit) => edit.file))];
  const out: TextEdit[] = [];
  for (const file of files) {
    const own = edits.filter((edit) => edit.file === file);
    const result = mergedEdits(file, own);
    if (!result || result.length === 0) return null;
    // Two insertions at one place, or an insertion inside a replaced range: the order is a guess.
    for (let i = 1; i < result.length; i++) if (result[i].start < result[i - 1].end || (result[i].start === result[i - 1].start && result[i].start === result[i].end)) return null;
    out.push(...result);
  }
  return out;
}

// ---- The recipe line's Terramate options and literal sharing words ---------------------------------

interface LineCommand extends RecipeCommand {
  /** Index range of Terramate's option words in `words`, when the command reads as `terramate run`. */
  options: { from: number; to: number } | null;
  /** Literal sharing flag words and sharing variable prefixes. */
  literalFlags: RawWord[];
}

function lineCommands(text: string, recipe: RecipeLine, masked: MaskedRecipeLine): LineCommand[] | null {
  const commands = recipeCommands(text, recipe, masked);
  if (!commands) return null;
  return commands.map((line) => {
    const { command, words, prefixes } = line;
    const invocation = parseTerramateInvocation(command.argv, { env: command.environment });
    let options: LineCommand['options'] = null;
    const literalFlags: RawWord[] = [];
    if (invocation && invocation.kind === 'run') {
      const end = invocation.commandIndex < 0 ? words.length : invocation.commandIndex;
      options = { from: invocation.subcommandIndex + 1, to: end };
      for (const flag of invocation.flags) {
        if ((flag.name === 'enable-sharing' || flag.name === 'mock-on-fail') && !words[flag.index].expanded) literalFlags.push(words[flag.index]);
      }
      command.assignments.forEach((assignment, index) => {
        if (/^TM_ARG_RUN_(ENABLE_SHARING|MOCK_ON_FAIL)$/.test(assignment.name) && !prefixes[index].expanded) literalFlags.push(prefixes[index]);
      });
    }
    return { ...line, options, literalFlags };
  });
}

// ---- The split of the seed's author ---------------------------------------------------------------

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
  const words = definitionWords(definition, definitionText);
  const sharingReferences = new Set(viaVariable.filter((origin) => origin.via.length > 1).map((origin) => origin.via[1].name));
  for (const name of sharingReferences) {
    const inner = onlyDefinition(definitions, name);
    const innerText = inner ? readText(inner.file) : undefined;
    if (!inner || innerText === undefined) return null;
    const innerWords = definitionWords(inner, innerText);
    if (innerWords.length === 0 || !innerWords.every((word) => SHARING_FLAG_WORD.test(word.text))) return null;
  }
  const isSharing = (word: ValueWord) => SHARING_FLAG_WORD.test(word.text) || sharingReferences.has(referenceName(word.text) ?? '');
  if (viaVariable.some((origin) => origin.via.length === 1) && !words.some((word) => SHARING_FLAG_WORD.test(word.text))) return null;
  const rest = words.filter((word) => !isSharing(word));

  const reference = { start: outer.refStart, end: outer.refEnd };
  if (rest.length === 0) return [...literal, wordRemovalEdit(launch.file, text, reference.start, reference.end)];
  const single = rest.length === 1 ? referenceName(rest[0].text) : null;
  if (single) return [...literal, referenceTo(launch.file, text, reference, single)];

  const allTexts = [...new Set(definitions.map((candidate) => candidate.file))].map((file) => readText(file) ?? '');
  const name = unusedName(definitions, allTexts, [`${outer.name}_INIT`, `${outer.name}_NO_SHARING`]);
  if (!name) return null;
  return [...literal, definitionAfter(definition, definitionText, name, rest), referenceTo(launch.file, text, reference, name)];
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
    const words = definitionWords(definition, definitionText);
    const flag = words.find((word) => word.text.replace(/=.*$/, '') === `--${origin.option}`);
    if (!flag) return null;
    edits.set(`${definition.file}:${flag.start}`, wordRemovalEdit(definition.file, definitionText, flag.start, flag.end));
    const removed = removedWords.get(definition) ?? new Set<number>();
    removedWords.set(definition, removed.add(flag.start));
    if (removed.size === words.length) {
      // Nothing left to add: the whole `init: VAR += ...` line goes.
      for (const word of words) edits.delete(`${definition.file}:${word.start}`);
      const line = definitionLineRemoval(definition, definitionText);
      edits.set(`${definition.file}:line:${line.start}`, line);
    }
  }
  return [...literal, ...edits.values()];
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
    fixed.set(file, applyEdits(original, fileEdits));
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
  const wrapper = filterOutWrapper(SHARING_PATTERNS, recipe, targets);
  const literal = mergedEdits(launch.file, literalFlags.map((word) => wordRemovalEdit(launch.file, text, word.start, word.end))) ?? [];

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
