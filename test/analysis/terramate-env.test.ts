import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseHcl } from '../../src/parsers/hcl.js';
import { TerramateConfig } from '../../src/analysis/terramate.js';
import { UNKNOWN } from '../../src/util/unknown.js';

// A stack's config.run.env: the definitions of the root, then of each directory down to the
// stack, the nearest winning; `null` or "${unset}" removes a variable. Stacks below one
// directory share what they see unless a value names the stack (terramate.stack.*). Checked
// against the rule written out plainly, over generated trees.

const ROOT = '/p';
type Written = { kind: 'literal'; text: string } | { kind: 'stack-path' } | { kind: 'root-path' } | { kind: 'env' } | { kind: 'unset' } | { kind: 'null' } | { kind: 'unknown' };

function hclOf(value: Written): string {
  switch (value.kind) {
    case 'literal':
      return `"${value.text}"`;
    case 'stack-path':
      return '"${terramate.stack.path.absolute}/cache"';
    case 'root-path':
      return '"${terramate.root.path.fs.absolute}/.cache"';
    case 'env':
      return '"${env.HOME}/x"';
    case 'unset':
      return '"${unset}"';
    case 'null':
      return 'null';
    case 'unknown':
      return '"${global.somewhere}"';
  }
}

/** What Terramate gives the stack for this written value; undefined: removed. */
function expected(value: Written, stackDir: string, home: string): string | typeof UNKNOWN | undefined {
  switch (value.kind) {
    case 'literal':
      return value.text;
    case 'stack-path':
      return `${stackDir.slice(ROOT.length)}/cache`;
    case 'root-path':
      return `${ROOT}/.cache`;
    case 'env':
      return `${home}/x`;
    case 'unset':
    case 'null':
      return undefined;
    case 'unknown':
      return UNKNOWN;
  }
}

/** A small deterministic generator (the same trees on every run). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('TerramateConfig.envFor', () => {
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('matches the plain rule on generated tree %i', async (seed) => {
    const next = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)];
    const NAMES = ['A', 'B', 'C'];
    const KINDS: Array<Written['kind']> = ['literal', 'literal', 'stack-path', 'root-path', 'env', 'unset', 'null', 'unknown'];
    const dirs = [ROOT, `${ROOT}/g1`, `${ROOT}/g2`, `${ROOT}/g1/sub`];
    const stacks = [`${ROOT}/g1/s1`, `${ROOT}/g1/s2`, `${ROOT}/g1/sub/s3`, `${ROOT}/g1/sub/s4`, `${ROOT}/g2/s5`, `${ROOT}/s6`];
    const written = new Map<string, Array<[string, Written]>>();
    for (const dir of [...dirs, ...stacks]) {
      if (dir !== ROOT && next() < 0.4) continue;
      const chosen = NAMES.filter(() => next() < 0.6).map((name): [string, Written] => {
        const kind = pick(KINDS);
        return [name, kind === 'literal' ? { kind, text: `${name}-${dir.slice(ROOT.length) || 'root'}` } : ({ kind } as Written)];
      });
      if (chosen.length > 0) written.set(dir, chosen);
    }
    const documents = await Promise.all(
      [...dirs, ...stacks].map((dir) => {
        const env = (written.get(dir) ?? []).map(([name, value]) => `        ${name} = ${hclOf(value)}\n`).join('');
        const config = env ? `terramate {\n  config {\n    run {\n      env {\n${env}      }\n    }\n  }\n}\n` : '';
        return parseHcl(`${dir}/config.tm.hcl`, `${stacks.includes(dir) ? 'stack {}\n' : ''}${config}`);
      }),
    );
    const config = new TerramateConfig(ROOT, documents);
    const home = '/home/someone';
    for (const stackDir of stacks) {
      const want = new Map<string, string | typeof UNKNOWN>();
      for (const dir of [...dirs, ...stacks].filter((candidate) => stackDir === candidate || stackDir.startsWith(`${candidate}/`)).sort((a, b) => a.length - b.length)) {
        for (const [name, value] of written.get(dir) ?? []) {
          const result = expected(value, stackDir, home);
          if (result === undefined) want.delete(name);
          else want.set(name, result);
        }
      }
      const got = config.envFor(stackDir, { HOME: home });
      expect([stackDir, new Map([...got].map(([name, { value }]) => [name, value]))]).toEqual([stackDir, want]);
    }
  });

  it('reads the clean fixture as Terramate does: every stack gets the root run.env, nothing else', async () => {
    const root = join(import.meta.dirname, '../../fixtures/clean');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((file) => /\.tm(\.hcl)?$/.test(file));
    const documents = await Promise.all(files.map((file) => parseHcl(join(root, file), readFileSync(join(root, file), 'utf8'))));
    const config = new TerramateConfig(root, documents);
    const stacks = config.stacks.map((stack) => stack.dir);
    expect(stacks.map((dir) => dir.slice(root.length))).toEqual(['/stacks/dev/blog', '/stacks/dev/network', '/stacks/prd/blog', '/stacks/prd/network']);
    for (const stackDir of stacks) {
      const env = config.envFor(stackDir, { HOME: '/h' });
      expect([stackDir, [...env].map(([name, { value, definition }]) => [name, value, dirname(definition.file)])]).toEqual([
        stackDir,
        [['TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE', 'true', root]],
      ]);
    }
  });

  it('gives stacks below one directory the same answer, and a stack-path value its own', async () => {
    const documents = await Promise.all([
      parseHcl(`${ROOT}/config.tm.hcl`, 'terramate {\n  config {\n    run {\n      env {\n        SHARED = "x"\n        OWN = "${terramate.stack.path.absolute}"\n      }\n    }\n  }\n}\n'),
      parseHcl(`${ROOT}/a/stack.tm.hcl`, 'stack {}\n'),
      parseHcl(`${ROOT}/b/stack.tm.hcl`, 'stack {}\n'),
    ]);
    const config = new TerramateConfig(ROOT, documents);
    const env = { HOME: '/h' };
    expect(config.envFor(`${ROOT}/a`, env).get('OWN')?.value).toBe('/a');
    expect(config.envFor(`${ROOT}/b`, env).get('OWN')?.value).toBe('/b');
    expect(config.envFor(`${ROOT}/b`, env).get('SHARED')?.value).toBe('x');
  });
});
