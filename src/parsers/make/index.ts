// A static evaluator of GNU make (4.3) makefiles: what each recipe line runs after expansion,
// as bounded variants when values are unknown, with the provenance of every expanded piece.

import { LineIndex } from '../../util/line-index.js';
import { EvaluationBudget, withEvaluationBudget } from './budget.js';
import { VariantBudget } from './pieces.js';
import { AUTOMATIC_NAMES, MakefileReader, type ReadResult } from './reader.js';
import { expandRecipes, type RecipeExpansionOptions } from './recipes.js';
import type { MakeDatabase, MakeDiagnostic, MakeOptions, MakeReadFile } from './types.js';

export type {
  ExpansionSpan,
  MakeDatabase,
  MakeDiagnostic,
  MakeOptions,
  MakeReadFile,
  RecipeLine,
  RecipeVariant,
  VariableDefinition,
  VariableOperator,
  ViaLink,
} from './types.js';
export { DEFAULT_LIMITS, type EvaluationLimits } from './budget.js';
export { containsUnknown, describeUnknown, UNKNOWN_CLOSE, UNKNOWN_OPEN, unknownToken, withoutUnknown } from './unknown.js';

const DEFAULT_MAX_VARIANTS = 64;
/** Passes until the set of assigned names stops growing (names can be computed). */
const MAX_PASSES = 3;

function readAll(entry: string, read: MakeReadFile, variables: Record<string, string>, maxVariants: number, assignedSomewhere: Set<string> | null, budget: EvaluationBudget): ReadResult {
  return withEvaluationBudget(budget, () => {
    const reader = new MakefileReader(read, { variables, budget: new VariantBudget(maxVariants), assignedSomewhere });
    return reader.readEntry(entry);
  });
}

/**
 * Reads `entry` (an absolute path) and every makefile it includes through `read`, and expands
 * every recipe line. Never throws on bad input: problems GNU make would reject are diagnostics.
 * The work is bounded (`options.limits`): an expansion past the budget is unknown and is
 * reported as a diagnostic with `cutShort` set, on the line that asked for it.
 */
export function evaluateMakefile(entry: string, read: MakeReadFile, options: MakeOptions = {}): MakeDatabase {
  const variables = options.variables ?? {};
  const maxVariants = Math.max(1, options.maxVariants ?? DEFAULT_MAX_VARIANTS);
  // One budget per evaluation (each entry, goal or set of variables tried has its own): the
  // last reading pass and the recipes share it. An earlier pass, which only collects the names
  // assigned, has one of its own: what it spends must not starve the pass that counts.
  let budget = new EvaluationBudget(options.limits);
  try {
    let known: Set<string> | null = null;
    // The first pass only collects assigned names: one variant each keeps it cheap.
    let result = readAll(entry, read, variables, 1, known, budget);
    for (let pass = 1; pass < MAX_PASSES; pass++) {
      const names: Set<string> = result.assignedNames;
      const grew = known === null || [...names].some((name) => !known?.has(name));
      if (!grew) break;
      known = new Set([...(known ?? []), ...names]);
      budget = new EvaluationBudget(options.limits);
      result = readAll(entry, read, variables, maxVariants, known, budget);
    }
    const assigned = new Set([...(known ?? []), ...result.assignedNames]);
    const diagnostics: MakeDiagnostic[] = [...result.diagnostics];
    const recipeOptions: RecipeExpansionOptions = {
      maxVariants,
      isDefinedSomewhere: (name) => {
        if (name === 'MAKECMDGOALS') return name in variables;
        return AUTOMATIC_NAMES.includes(name) || /^[0-9]+$/.test(name) || assigned.has(name);
      },
      diagnose: (file, offset, message) => diagnostics.push({ ...locate(read, file, offset), message }),
    };
    const recipes = withEvaluationBudget(budget, () => expandRecipes(result, recipeOptions));
    const cutShort = budget.cutShortMessages;
    const marked = diagnostics.map((diagnostic) => (cutShort.has(diagnostic.message) ? { ...diagnostic, cutShort: true as const } : diagnostic));
    return { files: result.files, definitions: result.definitions, recipes, diagnostics: dedupeDiagnostics(marked) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { files: [], definitions: [], recipes: [], diagnostics: [{ file: entry, line: 0, column: 0, message: `internal error: ${message}` }] };
  }
}

function locate(read: MakeReadFile, file: string, offset: number): { file: string; line: number; column: number } {
  let text: string | undefined;
  try {
    text = read(file);
  } catch {
    text = undefined;
  }
  if (text === undefined) return { file, line: 0, column: 0 };
  return { file, ...new LineIndex(text).position(offset) };
}

function dedupeDiagnostics(diagnostics: MakeDiagnostic[]): MakeDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.file}:${d.line}:${d.column}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
