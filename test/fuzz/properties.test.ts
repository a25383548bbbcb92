// Property-based fuzzing with fast-check (test/fuzz/properties.ts): Makefiles, shell scripts,
// GitHub workflows and Terramate files, from grammars and as mutated fixtures, through the
// engine (every input) and the CLI (a sample). CI runs fixed seeds and bounded runs;
// `npm run bench:fuzz` runs the same properties longer (see README, "Fuzzing").
import { afterAll, describe, it } from '@jest/globals';
import { anyInput, assertProperty, cliProperty, engineProperty, fixProperty, FUZZ, grammarInput, KINDS, LONG_RUN, mutantInput, stopWatchdog } from './properties.js';

// A long run sets its own pace; the watchdog (not Jest) catches a hang.
const TIMEOUT = LONG_RUN ? 2_147_483_647 : 240_000;

afterAll(() => stopWatchdog());

describe(`fast-check fuzzing (seed ${FUZZ.seed})`, () => {
  for (const kind of KINDS) {
    describe(kind, () => {
      it(`engine: ${kind} from the grammar`, () => assertProperty(`engine ${kind} grammar`, engineProperty(grammarInput(kind)), FUZZ.runs), TIMEOUT);
      it(`engine: ${kind} mutated`, () => assertProperty(`engine ${kind} mutated`, engineProperty(mutantInput(kind)), FUZZ.runs), TIMEOUT);
      it(`engine --fix: ${kind}`, () => assertProperty(`fix ${kind}`, fixProperty(anyInput(kind)), FUZZ.fixRuns), TIMEOUT);
      it(`CLI: ${kind}`, () => assertProperty(`cli ${kind}`, cliProperty(anyInput(kind)), FUZZ.cliRuns), TIMEOUT);
    });
  }
});
