// What makes an init launch parallel, when that depends on how it is invoked: a Make goal
// (`make init P`), a variable (`make init PNUM=4`), a default (`TM_PARALLEL ?= 8`), a CI
// input. For Makefiles GNU make's own reading decides: the makefile is evaluated again with
// the goals or the variable given, exactly as `make` would be invoked.
import { evaluateMakefile, type MakeDatabase } from '../parsers/make/index.js';
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

function makeCondition(launch: InitLaunch, make: NonNullable<InitLaunch['make']>, inputs: ParallelInputs): ParallelCondition {
  const target = make.recipe.targets.find((name) => !name.includes('%')) ?? make.recipe.targets[0];
  const evaluate = (goals: string[], variables: Record<string, string> = {}): { db: MakeDatabase; parallel: Knowable<number> } => {
    const db = evaluateMakefile(make.entry, inputs.readText, { variables: { MAKECMDGOALS: goals.join(' '), ...variables } });
    const same = fromMakefile({ entry: make.entry, db }, inputs.config).find((other) => other.file === launch.file && other.start === launch.start);
    return { db, parallel: same?.parallel ?? 0 };
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
  const goals = [...new Set(alone.db.recipes.flatMap((recipe) => recipe.targets))].filter((goal) => goal !== target && !goal.includes('%') && !goal.startsWith('.'));
  for (const goal of goals.slice(0, MAX_CANDIDATES)) {
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
