import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { directiveIn, SuppressionIndex, suppressedRules } from '../../src/engine/suppressions.js';
import { LineIndex } from '../../src/util/line-index.js';
import { check, copyFixture } from '../support/project.js';
import { seededRandom } from '../support/seeded-random.js';

// What a directive says, as the README and the rule docs write it; directiveIn must find the
// same match without running it (its backtracking is quadratic in a run of blanks).
const DIRECTIVE = /(?:#|\/\/)\s*tm-doctor-ignore:\s*([A-Za-z0-9_\-,\s]+?)\s*(?:--.*)?$/;

describe('reading a directive', () => {
  it('takes the rules listed after `#` or `//`, up to a `--` reason', () => {
    expect(suppressedRules('\tterramate run -- terraform init # tm-doctor-ignore: no-sharing-on-init')).toEqual(['no-sharing-on-init']);
    expect(suppressedRules('  // tm-doctor-ignore: plugin-cache-dir,lockfile-cache-env -- set in CI')).toEqual(['plugin-cache-dir', 'lockfile-cache-env']);
    expect(suppressedRules('#tm-doctor-ignore:all')).toEqual(['all']);
    expect(suppressedRules('# tm-doctor-ignore: a, , b  ')).toEqual(['a', 'b']);
    expect(suppressedRules('# tm-doctor-ignore: no-sharing-on-init!')).toEqual([]);
    expect(suppressedRules('tm-doctor-ignore: no-sharing-on-init')).toEqual([]);
    expect(suppressedRules('# tm-doctor-ignore no-sharing-on-init')).toEqual([]);
    // The first marker that reads wins; one that does not leaves the next its chance.
    expect(suppressedRules('# tm-doctor-ignore: a! // tm-doctor-ignore: b')).toEqual(['b']);
    expect(suppressedRules(undefined)).toEqual([]);
  });

  it('finds what the documented expression finds, line by line (seeded random lines)', () => {
    const tokens = ['#', '/', '//', ' ', '  ', '\t', '-', '--', ',', 'a', 'Z9', '_', '!', '\r', '\u2028', '\u00a0', '\u3000', 'all', 'no-sharing-on-init', 'tm-doctor-ignore', MARKER, '\ud83d'];
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      for (let n = 0; n < 4000; n++) {
        let line = '';
        const length = 1 + Math.floor(random() * 14);
        for (let k = 0; k < length; k++) line += tokens[Math.floor(random() * tokens.length)];
        if (random() < 0.7) {
          const at = Math.floor(random() * line.length);
          line = `${line.slice(0, at)}${random() < 0.5 ? '# ' : '//'}${MARKER}${line.slice(Math.floor(random() * line.length))}`;
        }
        const expected = DIRECTIVE.exec(line)?.[1] ?? null;
        if (directiveIn(line) !== expected) throw new Error(`seed ${seed}: ${JSON.stringify(line)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(directiveIn(line))}`);
      }
    }
  });

  it('reads a line with a long run of blanks', () => {
    const blanks = ' '.repeat(200_000);
    expect(suppressedRules(`# tm-doctor-ignore: no-sharing-on-init${blanks}!`)).toEqual([]);
    expect(suppressedRules(`# tm-doctor-ignore: no-sharing-on-init${blanks}-- why`)).toEqual(['no-sharing-on-init']);
    expect(suppressedRules(`# tm-doctor-ignore:${blanks}`)).toEqual([]);
  });
});

describe('a file of directives', () => {
  it('suppresses on the directive line and the line below it only', () => {
    const text = ['a # tm-doctor-ignore: r1', 'b', 'c // tm-doctor-ignore: all -- why', 'd', 'e', 'f # tm-doctor-ignore: r2, r3\r', 'g'].join('\n');
    const index = new SuppressionIndex(new LineIndex(text));
    const suppressed = (rule: string) => [1, 2, 3, 4, 5, 6, 7, 8].filter((line) => index.suppresses(line, rule));
    expect(suppressed('r1')).toEqual([1, 2, 3, 4]);
    expect(suppressed('r2')).toEqual([3, 4, 6, 7]);
    expect(suppressed('r3')).toEqual([3, 4, 6, 7]);
    expect(suppressed('other')).toEqual([3, 4]);
  });
});

const MARKER = 'tm-doctor-ignore:';

/**
 * An init recipe of many launches with sharing options, in six kinds of line: a directive at
 * the end of the line; on a comment line above (a recipe or a make comment); `all` (which
 * covers the launch below it too); one naming another rule; none; and one two lines above
 * (too far). Returns the Makefile and the lines no-sharing-on-init must report.
 */
function manyLaunches(count: number): { text: string; reported: number[] } {
  const lines = ['TM_OPTS := --enable-sharing --mock-on-fail', '', 'init:'];
  const reported: number[] = [];
  for (let i = 0; i < count; i++) {
    const launch = i % 2 === 0 ? '\tterramate run --parallel 4 --enable-sharing -- terraform init' : '\tterramate run --parallel 4 $(TM_OPTS) -- terraform init -upgrade';
    switch (i % 6) {
      case 0:
        lines.push(`${launch} # tm-doctor-ignore: no-sharing-on-init`, '\techo done');
        break;
      case 1:
        lines.push(i % 4 === 1 ? '\t# tm-doctor-ignore: no-sharing-on-init -- outputs needed' : '# tm-doctor-ignore: plugin-cache-dir, no-sharing-on-init', launch);
        break;
      case 2:
        lines.push(`${launch} # tm-doctor-ignore: all`, launch, '\techo done');
        break;
      case 3:
        lines.push(`${launch} # tm-doctor-ignore: plugin-cache-dir`);
        reported.push(lines.length);
        break;
      case 4:
        lines.push(launch);
        reported.push(lines.length);
        break;
      default:
        lines.push('\t# tm-doctor-ignore: no-sharing-on-init', '\techo next', launch);
        reported.push(lines.length);
    }
  }
  return { text: `${lines.join('\n')}\n`, reported };
}

describe('suppressions in a check', () => {
  it('drops exactly the suppressed findings of a long recipe, and keeps the others', async () => {
    const project = copyFixture('seed-blog');
    const { text, reported } = manyLaunches(90);
    writeFileSync(join(project, 'Makefile'), text);
    const outcome = await check(project, { rules: ['no-sharing-on-init'] });
    const found = outcome.findings.map((finding) => ({ rule: finding.ruleId, messageId: finding.messageId, file: finding.location?.file, line: finding.location?.range?.line }));
    const makefile = join(project, 'Makefile');
    expect(found).toEqual(
      reported.map((line) => ({
        rule: 'no-sharing-on-init',
        messageId: (text.split('\n')[line - 1] ?? '').includes('$(TM_OPTS)') ? 'via-variable' : 'on-command',
        file: makefile,
        line,
      })),
    );
    // 105 launches, 60 of them suppressed.
    expect(reported).toHaveLength(45);
  }, 120_000);

  it('honours `//` above a Terramate block and `all` for every rule on its line', async () => {
    const project = copyFixture('seed-blog');
    const config = join(project, 'terramate.tm.hcl');
    const original = readFileSync(config, 'utf8');
    const rules = async () => (await check(project, { rules: ['plugin-cache-dir', 'lockfile-cache-env'] })).findings.map((finding) => `${finding.ruleId}:${finding.location?.range?.line}`);
    expect(await rules()).toEqual(['lockfile-cache-env:1', 'plugin-cache-dir:1']);
    writeFileSync(config, `// tm-doctor-ignore: plugin-cache-dir -- a cache is set in CI\n${original}`);
    expect(await rules()).toEqual(['lockfile-cache-env:2']);
    writeFileSync(config, `# tm-doctor-ignore: all\n${original}`);
    expect(await rules()).toEqual([]);
    writeFileSync(config, `# tm-doctor-ignore: all\n\n${original}`);
    expect(await rules()).toEqual(['lockfile-cache-env:3', 'plugin-cache-dir:3']);
  }, 60_000);
});
