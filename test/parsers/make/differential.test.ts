// Differential test: GNU make itself (`make -n`) decides what each generated recipe runs.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { containsUnknown, evaluateMakefile, type MakeDatabase } from '../../../src/parsers/make/index.js';
import { generateMakefile } from './generate.js';

const CASES = Number(process.env.MAKE_DIFF_CASES ?? 400);
const workspace = mkdtempSync(path.join(tmpdir(), 'make-diff-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

function runMake(dir: string, target: string, variables: Record<string, string>): { stdout: string; stderr: string; status: number | null } {
  const args = ['-n', '-R', '-r', '--no-print-directory', '-f', 'Makefile', target];
  for (const [name, value] of Object.entries(variables)) if (name !== 'MAKECMDGOALS') args.push(`${name}=${value}`);
  const result = spawnSync('make', args, { cwd: dir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, encoding: 'utf8' });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}

/** What `make -n` prints for `target` (after its prerequisite `other`), from our database. */
function predicted(database: MakeDatabase, targets: string[]): { text: string; problems: string[] } {
  const out: string[] = [];
  const problems: string[] = [];
  for (const target of targets) {
    for (const recipe of database.recipes.filter((line) => line.targets.includes(target))) {
      const variants = recipe.byTarget[target].variants;
      if (variants.length !== 1) problems.push(`line ${recipe.line}: ${variants.length} variants`);
      const text = variants[0]?.text ?? '';
      if (containsUnknown(text)) problems.push(`line ${recipe.line}: unknown in ${JSON.stringify(text)}`);
      if (text !== '') out.push(text);
    }
  }
  return { text: out.length > 0 ? `${out.join('\n')}\n` : '', problems };
}

describe('differential against GNU make -n', () => {
  it(`agrees on ${CASES} generated makefiles`, () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= CASES; seed++) {
      const generated = generateMakefile(seed);
      const dir = path.join(workspace, String(seed));
      spawnSync('mkdir', ['-p', dir]);
      for (const [name, text] of Object.entries(generated.files)) writeFileSync(path.join(dir, name), text);
      const make = runMake(dir, generated.target, generated.commandLine);
      if (make.status !== 0) {
        failures.push(`seed ${seed}: make failed: ${make.stderr}\n${generated.files.Makefile}`);
        continue;
      }
      const entry = path.join(dir, 'Makefile');
      const database = evaluateMakefile(entry, (file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch {
          return undefined;
        }
      }, { variables: generated.commandLine });
      const ours = predicted(database, ['other', generated.target]);
      if (ours.text !== make.stdout || ours.problems.length > 0 || database.diagnostics.length > 0) {
        failures.push(
          `seed ${seed}:\n--- make\n${make.stdout}--- ours\n${ours.text}--- problems ${ours.problems.join('; ')} ${JSON.stringify(database.diagnostics)}\n--- Makefile\n${generated.files.Makefile}`,
        );
      }
    }
    expect(failures.slice(0, 3).join('\n\n')).toBe('');
    expect(failures.length).toBe(0);
  });
});
