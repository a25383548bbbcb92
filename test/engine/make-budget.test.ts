// A Makefile GNU make would spend minutes or all its memory on, in the seed project: the run
// completes, the line that asked for the expansion gets a cut-short finding, and the value cut
// short, unknown, adds no other finding. Completion is asserted, never time.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { JsonFinding } from '../../src/reporters/json.js';
import type { Finding } from '../../src/types.js';
import { check, copyFixture, tempDir } from '../support/project.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');
const INIT = '\tterramate run --parallel 4 -- terraform init';

/** `A0 = x` ... `A40 = $(A39) $(A39)`: 2^40 words, used by the init recipe (line 43). */
const DOUBLING_BOMB = ['A0 = x', ...Array.from({ length: 40 }, (_v, i) => `A${i + 1} = $(A${i}) $(A${i})`), 'init:', `${INIT} $(A40)`, ''].join('\n');

/** Eight `$(foreach)`s over ten words each around the init's options (line 3): 10^8 rounds. */
const NESTED_FOREACH = (() => {
  let expression = '$(a)$(b)$(c)$(d)$(e)$(f)$(g)$(h)';
  for (const name of [...'hgfedcba']) expression = `$(foreach ${name},$(W),${expression})`;
  return ['W = 0 1 2 3 4 5 6 7 8 9', 'init:', `${INIT} ${expression}`, ''].join('\n');
})();

/** The seed project with its Makefile replaced. */
function seedWith(makefile: string): string {
  const dir = copyFixture('seed-blog');
  writeFileSync(join(dir, 'Makefile'), makefile);
  return dir;
}

function brief(findings: Finding[], dir: string) {
  return findings.map((finding) => ({
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    file: finding.location ? relative(dir, finding.location.file) : null,
    line: finding.location?.range?.line ?? null,
  }));
}

/** What the seed project reports with a plain parallel init (no plugin cache, no lock-file setting). */
const SEED_CONFIG_FINDINGS = [
  { ruleId: 'lockfile-cache-env', messageId: 'unset', file: 'terramate.tm.hcl', line: 1 },
  { ruleId: 'plugin-cache-dir', messageId: 'none', file: 'terramate.tm.hcl', line: 1 },
];

describe('a Makefile whose expansion GNU make could not finish', () => {
  it('a plain parallel init: the findings the bombs below must add to, and no more', async () => {
    const dir = seedWith(`init:\n${INIT}\n`);
    expect(brief((await check(dir)).findings, dir)).toEqual(SEED_CONFIG_FINDINGS);
  });

  it.each([
    ['the doubling bomb', DOUBLING_BOMB, 43, /^expansion of \$\(A40\) cut short: more than [\d,]+ bytes$/],
    ['eight nested $(foreach)', NESTED_FOREACH, 3, /^expansion of \$\(foreach a,\$\(W\),\$\(foreach b,\$\(W\),…\) cut short: more than [\d,]+ (bytes|steps)$/],
  ])('%s: a cut-short finding on the line that used it, through the engine', async (_name, makefile, line, message) => {
    const dir = seedWith(makefile);
    const outcome = await check(dir);
    expect(brief(outcome.findings, dir)).toEqual([{ ruleId: 'parse-error', messageId: 'cut-short', file: 'Makefile', line }, ...SEED_CONFIG_FINDINGS]);
    const [cut] = outcome.findings;
    expect(cut.message).toMatch(message);
    expect(cut.severity).toBe('error');
    expect(cut.helpIds).toEqual(['cut-short-why']);
    // The column is the reference's: after the recipe prefix and the command before it.
    expect(cut.location?.range?.column).toBe(INIT.length + 2);
  });

  it('the CLI on both: exit 1, the cut-short findings, and it finishes', () => {
    const cases = [
      { dir: seedWith(DOUBLING_BOMB), line: 43 },
      { dir: seedWith(NESTED_FOREACH), line: 3 },
    ];
    for (const { dir, line } of cases) {
      const result = spawnSync(process.execPath, [BIN, 'check', dir, '--no-exec', '--format', 'json'], {
        env: { PATH: process.env.PATH ?? '', HOME: tempDir('tm-doctor-home-'), XDG_CACHE_HOME: tempDir('tm-doctor-cache-') },
        encoding: 'utf8',
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      expect(result.signal).toBeNull();
      expect(result.stderr).toBe('');
      expect(result.status).toBe(1);
      const { findings } = JSON.parse(result.stdout) as { findings: JsonFinding[] };
      expect(findings.map(({ ruleId, messageId, file, line: at }) => ({ ruleId, messageId, file, line: at }))).toEqual([
        { ruleId: 'parse-error', messageId: 'cut-short', file: 'Makefile', line },
        ...SEED_CONFIG_FINDINGS,
      ]);
    }
  });
});
