import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { beforeEach, describe, expect, it } from '@jest/globals';
import { emptyHome, FIXTURES, runCli, tempDir } from './run-cli.js';

// Stylish names places as a terminal or an editor opens them from where the user stands (the
// working directory, as ESLint, tsc and rustc do); machine formats name them from the project
// root, wherever tm-doctor runs. The seed project sits in a git repository at
// fixtures/seed-blog, as in this checkout: the root is the repository's top level.

/** A git repository holding fixtures/seed-blog; returns its top level. */
function repositoryWithSeed(): string {
  const repo = tempDir('tm-doctor-repo-');
  const init = spawnSync('git', ['init', '-q', repo], { encoding: 'utf8' });
  expect(init.status).toBe(0);
  mkdirSync(join(repo, 'fixtures'));
  cpSync(join(FIXTURES, 'seed-blog'), join(repo, 'fixtures', 'seed-blog'), { recursive: true });
  return repo;
}

interface Place {
  file: string;
  line: number;
  column: number;
  /** The source line the frame under it shows, when it shows one. */
  shown: string | null;
}

/** Every place stylish names (headers and `:::` lines), with the first frame line printed under it. */
function placesIn(report: string): Place[] {
  const lines = report.split('\n');
  const places: Place[] = [];
  lines.forEach((text, index) => {
    const match = /^(?: *::: )?(.+?):(\d+):(\d+)(?:: (?:error|warning|info): | |$)/.exec(text);
    if (!match || text.startsWith(' ') !== text.trimStart().startsWith(':::')) return;
    const frame = /^ *(\d+) \| (.*)$/.exec(lines[index + 2] ?? '');
    places.push({ file: match[1], line: Number(match[2]), column: Number(match[3]), shown: frame && Number(frame[1]) === Number(match[2]) ? frame[2] : null });
  });
  return places;
}

/** Asserts that each place opens from `cwd`: the file is there and holds the line the frame shows. */
function expectOpensFrom(cwd: string, places: Place[]): void {
  for (const place of places) {
    const file = resolve(cwd, place.file);
    expect({ place: place.file, exists: existsSync(file) }).toEqual({ place: place.file, exists: true });
    const text = readFileSync(file, 'utf8').split('\n')[place.line - 1];
    expect(text).toBeDefined();
    if (place.shown !== null) expect(place.shown).toBe(text.replaceAll('\t', '    '));
  }
}

describe('stylish names places from the working directory; machine formats from the root', () => {
  // Temp directories go after each test (run-cli.ts): each test makes its own.
  let repo: string;
  let seed: string;
  let home: string;
  beforeEach(() => {
    repo = repositoryWithSeed();
    seed = join(repo, 'fixtures', 'seed-blog');
    home = emptyHome();
  });

  it('from inside fixtures/seed-blog every place opens from there, relative to it', () => {
    const result = runCli(['check', '--no-exec', '--no-cache'], { cwd: seed, home });
    expect(result.status).toBe(1);
    const places = placesIn(result.stdout);
    // The seed's three findings and the two related places (README's "Sample output").
    expect(places.map(({ file, line, column }) => `${file}:${line}:${column}`)).toEqual([
      'Makefile:17:31',
      'Makefile:12:12',
      'terramate.tm.hcl:1:1',
      'Makefile:17:2',
      'terramate.tm.hcl:1:1',
    ]);
    expectOpensFrom(seed, places);
    expect(places.filter((place) => place.shown !== null)).toHaveLength(5);
  });

  it('from the repository root, the same places open from there, through fixtures/seed-blog', () => {
    const result = runCli(['check', 'fixtures/seed-blog', '--no-exec', '--no-cache'], { cwd: repo, home });
    expect(result.status).toBe(1);
    const places = placesIn(result.stdout);
    expect(places.map((place) => place.file)).toEqual(['Makefile', 'Makefile', 'terramate.tm.hcl', 'Makefile', 'terramate.tm.hcl'].map((file) => `fixtures/seed-blog/${file}`));
    expectOpensFrom(repo, places);
  });

  it('from fixtures/seed-blog/stacks, which the files are not under, they are named absolute', () => {
    const stacks = join(seed, 'stacks');
    const result = runCli(['check', '..', '--no-exec', '--no-cache'], { cwd: stacks, home });
    expect(result.status).toBe(1);
    const places = placesIn(result.stdout);
    expect(places).toHaveLength(5);
    for (const place of places) expect(isAbsolute(place.file)).toBe(true);
    expectOpensFrom(stacks, places);
  });

  it.each(['github', 'sarif', 'json', 'junit'])('--format %s is the same from inside fixtures/seed-blog as from the root: paths from the root', (format) => {
    const inside = runCli(['check', '--no-exec', '--no-cache', '--format', format], { cwd: seed, home });
    const atRoot = runCli(['check', 'fixtures/seed-blog', '--no-exec', '--no-cache', '--format', format], { cwd: repo, home });
    expect(inside.status).toBe(1);
    expect(inside.stdout).toBe(atRoot.stdout);
    expect(inside.stdout).toContain('fixtures/seed-blog/Makefile');
  });
});
