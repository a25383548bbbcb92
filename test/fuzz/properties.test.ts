// Property-based fuzzing with fast-check (test/fuzz/properties.ts): Makefiles, shell scripts,
// GitHub workflows and Terramate files, from grammars and as mutated fixtures, through the
// engine (every input), --fix and the CLI (samples). CI runs fixed seeds and bounded runs;
// `npm run bench:fuzz` runs the same properties longer (see README, "Fuzzing").
import { afterAll, describe, it } from '@jest/globals';
import type fc from 'fast-check';
import { anyInput, assertProperty, cliProperty, engineProperty, fixProperty, FUZZ, grammarInput, KINDS, LONG_RUN, mutantInput, stopWatchdog, type FuzzInput } from './properties.js';

// A long run sets its own pace; the watchdog (not Jest) catches a hang.
const TIMEOUT = LONG_RUN ? 2_147_483_647 : 240_000;

afterAll(() => stopWatchdog());

/** One property as one test; its title is the name a replay selects it by (`--only`). */
function property(title: string, check: fc.IAsyncPropertyWithHooks<[FuzzInput]>, runs: number): void {
  it(title, () => assertProperty(title, check, runs), TIMEOUT);
}

describe(`fast-check fuzzing (seed ${FUZZ.seed})`, () => {
  for (const kind of KINDS) {
    describe(kind, () => {
      property(`engine: ${kind} from the grammar`, engineProperty(grammarInput(kind)), FUZZ.runs);
      property(`engine: ${kind} mutated`, engineProperty(mutantInput(kind)), FUZZ.runs);
      property(`engine --fix: ${kind}`, fixProperty(anyInput(kind)), FUZZ.fixRuns);
      property(`CLI: ${kind}`, cliProperty(anyInput(kind)), FUZZ.cliRuns);
    });
  }
});
