// What makes an init launch parallel, when that depends on how it is invoked: a Make goal
// (`make init P`), a variable (`make init PNUM=4`), a default (`TM_PARALLEL ?= 8`), a CI
// input. For Makefiles GNU make's own reading decides: the makefile is evaluated again with
// the goals or the variable given, exactly as `make` would be invoked.
import { evaluateMakefile } from '../parsers/make/index.js';
import { isKnown, type Knowable } from '../util/unknown.js';
import { fromMakefile, type InitLaunch } from './launches.js';
import type { TerramateConfig } from './terramate.js';

export type ParallelCondition =
  /** Parallel however it is invoked. */
  | { kind: 'always'; parallel: number }
  /** Parallel unless a variable with a `?=` default is overridden. */
  | { kind: 'by-default'; parallel: number; variable: string; definedAt: { file: string; line: number } }
  | { kind: 'goal'; goal: string; command: string }
  | { kind: 'variable'; variable: string; command: string }
  /** A value only the CI system or the environment knows (`${{ inputs.n }}`). */
  | { kind: 'expression'; text: string }
  | { kind: 'unknown' };

/**
 * One analysis's view: the makefiles' evaluations are remembered per `config`, so `readText`
 * must give the same texts whenever it comes with the same `config`.
 */
export interface ParallelInputs {
  config: TerramateConfig;
  readText: (file: string) => string | undefined;
}

/** Goals and variables tried, at most: a makefile is evaluated once per candidate. */
const MAX_CANDIDATES = 40;
const TRIAL_PARALLELISM = '4';

function isParallel(value: Knowable<number>): value is number {
  return isKnown(value) && value > 1;
}

/** Why `launch` runs in parallel, or null when it never does. */
export function parallelCondition(launch: InitLaunch, inputs: ParallelInputs): ParallelCondition | null {
  if (isKnown(launch.parallel) && launch.parallel <= 1) return null;
  if (launch.make) return makeCondition(launch, launch.make, inputs);
  if (isParallel(launch.parallel)) return { kind: 'always', parallel: launch.parallel };
  const text = launch.parallelSpan ? inputs.readText(launch.file)?.slice(launch.parallelSpan.start, launch.parallelSpan.end) : undefined;
  return text ? { kind: 'expression', text } : { kind: 'unknown' };
}

/** One evaluation of a makefile as `make` with some goals and variables would read it. */
interface Evaluation {
  /** The parallelism of each init launch, by `file\0start`. */
  parallelAt: Map<string, Knowable<number>>;
  /** Its recipes' targets that can be given as goals, in order. */
  goals: string[];
}

/**
 * Evaluations already made, per Terramate configuration (one per analysis, so one set of file
 * texts): every launch of a recipe asks the same questions (`make init`, `make init P`...), and
 * evaluating the makefile again per launch would make a long recipe quadratic.
 */
const evaluations = new WeakMap<TerramateConfig, Map<string, Evaluation>>();

function evaluationsFor(config: TerramateConfig): Map<string, Evaluation> {
  let found = evaluations.get(config);
  if (!found) {
    found = new Map();
    evaluations.set(config, found);
  }
  return found;
}

function launchKey(file: string, start: number): string {
  return `${file}\0${start}`;
}

function makeCondition(launch: InitLaunch, make: NonNullable<InitLaunch['make']>, inputs: ParallelInputs): ParallelCondition {
  const target = make.recipe.targets.find((name) => !name.includes('%')) ?? make.recipe.targets[0];
  const memo = evaluationsFor(inputs.config);
  const evaluate = (goals: string[], variables: Record<string, string> = {}): { evaluation: Evaluation; parallel: Knowable<number> } => {
    const allVariables = { MAKECMDGOALS: goals.join(' '), ...variables };
    const key = `${make.entry}\0${JSON.stringify(Object.entries(allVariables))}`;
    let evaluation = memo.get(key);
    if (!evaluation) {
      const db = evaluateMakefile(make.entry, inputs.readText, { variables: allVariables });
      const parallelAt = new Map<string, Knowable<number>>();
      for (const other of fromMakefile({ entry: make.entry, db }, inputs.config)) {
        // The first launch at a place wins, as a search from the start would find it.
        const at = launchKey(other.file, other.start);
        if (!parallelAt.has(at)) parallelAt.set(at, other.parallel);
      }
      const goals = [...new Set(db.recipes.flatMap((recipe) => recipe.targets))].filter((goal) => !goal.includes('%') && !goal.startsWith('.'));
      evaluation = { parallelAt, goals };
      memo.set(key, evaluation);
    }
    return { evaluation, parallel: evaluation.parallelAt.get(launchKey(launch.file, launch.start)) ?? 0 };
  };
  const alone = evaluate([target]);
  if (isParallel(alone.parallel)) {
    const defaulted = launch.parallelVia
      .map((link) => make.definitions.find((definition) => definition.name === link.name && definition.op === '?=' && link.definedAt?.line === definition.line && link.definedAt.file === definition.file))
      .find((definition) => definition !== undefined);
    return defaulted
      ? { kind: 'by-default', parallel: alone.parallel, variable: defaulted.name, definedAt: { file: defaulted.file, line: defaulted.line } }
      : { kind: 'always', parallel: alone.parallel };
  }
  const goals: string[] = [];
  for (const goal of alone.evaluation.goals) {
    if (goals.length === MAX_CANDIDATES) break;
    if (goal !== target) goals.push(goal);
  }
  for (const goal of goals) {
    if (isParallel(evaluate([target, goal]).parallel)) return { kind: 'goal', goal, command: `make ${target} ${goal}` };
  }
  const unknownNames = new Set<string>();
  for (const variant of make.recipe.variants) {
    for (const match of variant.text.matchAll(/\uE000([A-Za-z_][A-Za-z0-9_]*)\uE001/g)) if (match[1] !== 'MAKECMDGOALS') unknownNames.add(match[1]);
  }
  for (const variable of [...unknownNames].slice(0, MAX_CANDIDATES)) {
    if (isParallel(evaluate([target], { [variable]: TRIAL_PARALLELISM }).parallel)) {
      return { kind: 'variable', variable, command: `make ${target} ${variable}=${TRIAL_PARALLELISM}` };
    }
  }
  return { kind: 'unknown' };
}
