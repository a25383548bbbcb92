// Expands each recipe line as make would run it for each target of its rule: target- and
// pattern-specific variables, automatic variables, then the `@`, `-`, `+` prefixes removed.

import { Expander } from './expand.js';
import { concatList, dedupe, literal, textOf, VariantBudget, type Piece, type Pieces } from './pieces.js';
import type { ReadResult, RuleRecord } from './reader.js';
import type { ExpansionSpan, RecipeLine, RecipeVariant, ViaLink } from './types.js';
import { unknownToken } from './unknown.js';
import { VariableScope, type Alternative } from './variables.js';
import { matchPattern, parsePattern } from './words.js';

export interface RecipeExpansionOptions {
  maxVariants: number;
  isDefinedSomewhere(name: string): boolean;
  diagnose(file: string, offset: number, message: string): void;
}

function automatic(value: Pieces): Alternative[] {
  return [{ flavor: 'simple', origin: 'automatic', segments: [{ site: null, separator: 'never', raw: null, expanded: [value] }], appendsToOuter: false }];
}

function directoryPart(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash < 0 ? '.' : slash === 0 ? '/' : word.slice(0, slash);
}

function filePart(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function setAutomatic(scope: VariableScope, name: string, words: string[] | null): void {
  if (words === null) {
    const unknown = automatic([{ text: unknownToken(name), via: [] }]);
    for (const suffix of ['', 'D', 'F']) scope.set(name + suffix, unknown);
    return;
  }
  scope.set(name, automatic(literal(words.join(' '))));
  scope.set(`${name}D`, automatic(literal(words.map(directoryPart).join(' '))));
  scope.set(`${name}F`, automatic(literal(words.map(filePart).join(' '))));
}

/** Variables in effect while running `target`'s recipe. */
export function recipeScope(result: ReadResult, rule: RuleRecord, target: string): VariableScope {
  let scope: VariableScope = result.globals;
  for (const { pattern, scope: patternScope } of result.patternScopes) {
    // As in pattern rules, `%` stands for a non-empty stem here.
    const stem = matchPattern(parsePattern(pattern), target);
    if (stem !== null && stem !== '') scope = patternScope.rebase(scope);
  }
  const targetScope = result.targetScopes.get(target);
  if (targetScope) scope = targetScope.rebase(scope);
  const automaticScope = new VariableScope(scope);
  const unique = [...new Set(rule.prerequisites)];
  setAutomatic(automaticScope, '@', [target]);
  setAutomatic(automaticScope, '<', rule.prerequisites.length > 0 ? [rule.prerequisites[0]] : []);
  setAutomatic(automaticScope, '^', unique);
  setAutomatic(automaticScope, '+', rule.prerequisites);
  setAutomatic(automaticScope, '|', rule.orderOnly);
  setAutomatic(automaticScope, '%', []);
  setAutomatic(automaticScope, '?', null);
  setAutomatic(automaticScope, '*', null);
  return automaticScope;
}

/**
 * make runs each line of an expanded recipe line (split at newlines not escaped by a
 * backslash) as its own command, skipping blanks and the `@`, `-`, `+` flags before it, and
 * dropping commands left empty.
 */
export function stripRecipePrefixes(pieces: Pieces): Pieces {
  const text = textOf(pieces);
  const commands: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && (text[i] !== '\n' || text[i - 1] === '\\')) continue;
    let from = start;
    while (from < i && '@-+ \t'.includes(text[from])) from++;
    if (from < i) commands.push({ start: from, end: i });
    start = i + 1;
  }
  if (commands.length === 1 && commands[0].start === 0 && commands[0].end === text.length) return pieces;
  // The commands are in order: one walk over the pieces cuts them all (slicing the whole
  // line per command was quadratic in a line that expands to many commands).
  const parts: Pieces[] = [];
  let index = 0;
  let pieceStart = 0;
  for (const command of commands) {
    if (parts.length > 0) parts.push(literal('\n'));
    while (index < pieces.length && pieceStart + pieces[index].text.length <= command.start) pieceStart += pieces[index++].text.length;
    const cut: Piece[] = [];
    for (let k = index, offset = pieceStart; k < pieces.length && offset < command.end; offset += pieces[k++].text.length) {
      const piece = pieces[k];
      const from = Math.max(command.start, offset);
      const to = Math.min(command.end, offset + piece.text.length);
      if (from < to) cut.push({ text: piece.text.slice(from - offset, to - offset), via: piece.via });
    }
    parts.push(cut);
  }
  return concatList(parts);
}

export function toVariant(pieces: Pieces): RecipeVariant {
  const spans: ExpansionSpan[] = [];
  let offset = 0;
  for (const piece of pieces) {
    const end = offset + piece.text.length;
    // Links are shared, not copied: chains can be long and are never mutated here.
    if (piece.via.length > 0) spans.push({ start: offset, end, via: piece.via as ViaLink[] });
    offset = end;
  }
  return { text: textOf(pieces), spans };
}

export function expandRecipes(result: ReadResult, options: RecipeExpansionOptions): RecipeLine[] {
  const lines: RecipeLine[] = [];
  for (const rule of result.rules) {
    const scopes = new Map(rule.targets.map((target) => [target, recipeScope(result, rule, target)]));
    for (const raw of rule.lines) {
      const byTarget: RecipeLine['byTarget'] = {};
      const all: Pieces[] = [];
      let capped = false;
      for (const target of rule.targets) {
        const budget = new VariantBudget(options.maxVariants);
        const expander = new Expander({ budget, isDefinedSomewhere: options.isDefinedSomewhere, diagnose: options.diagnose });
        const variants = budget.limit(dedupe(expander.expand(raw.source, scopes.get(target) ?? result.globals).map(stripRecipePrefixes)));
        byTarget[target] = { variants: variants.map(toVariant), capped: budget.capped };
        capped ||= budget.capped;
        all.push(...variants);
      }
      const union = dedupe(all);
      const limited = union.slice(0, options.maxVariants);
      lines.push({
        targets: [...rule.targets],
        file: raw.file,
        line: raw.line,
        endLine: raw.endLine,
        start: raw.start,
        end: raw.end,
        raw: raw.raw,
        variants: limited.map(toVariant),
        capped: capped || union.length > limited.length,
        byTarget,
        conditional: raw.conditional,
        doubleColon: rule.doubleColon,
      });
    }
  }
  return lines;
}

