import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { discoverFiles, kindOf, PATTERNS, type FileKind } from '../../src/analysis/discover.js';

// kindOf tests a path's last segment first and the whole pattern only when needed; the claim
// is that it answers exactly as picomatch does on the whole path, kind by kind in order.
const REFERENCE = Object.entries(PATTERNS).map(([kind, patterns]) => ({ kind: kind as FileKind, matches: picomatch([...patterns], { dot: true }) }));
const byPicomatch = (path: string): FileKind | null => REFERENCE.find(({ matches }) => matches(path))?.kind ?? null;

// Names near every pattern: each literal, each suffix, with and without a leading dot, case
// changed, a character more or less, and ordinary names.
const NAMES = [
  ...new Set(
    Object.values(PATTERNS)
      .flat()
      .map((pattern) => pattern.slice(pattern.lastIndexOf('/') + 1))
      .flatMap((segment) => {
        const plain = segment.replaceAll('*', '');
        return [plain, `x${plain}`, `.${plain}`, `${plain}x`, plain.slice(1), plain.toUpperCase(), `a.b${plain}`, `${plain}.bak`];
      }),
  ),
  'main.tf',
  'stack.tm.hcl',
  '.tm',
  'tm',
  '.hcl',
  'x.tm.hcl.bak',
  'workflows',
  '.github',
  'Makefile.mk',
  'a b.yml',
  '.terraform.lock.hcl',
  'é.sh',
];
// Line terminators: picomatch's `*` matches them in a name, its `**/` never in a directory.
const TERMINATORS = ['\n', '\r', '\u2028', '\u2029'];
NAMES.push(...TERMINATORS.flatMap((character) => [`a${character}b.tm`, `Make${character}.mk`, `${character}.sh`, `.x${character}y.tm-doctor-1-ab`]));
const DIRS = ['', 'a/', '.github/', '.github/workflows/', 'x/.github/workflows/', 'workflows/', '.github/x/workflows/', 'a/b/c/', '.hidden/', 'github/workflows/', ...TERMINATORS.map((character) => `d${character}/`), '.github/work\u2028flows/'];

describe('kindOf', () => {
  it('answers as picomatch on the whole path, for every name in every kind of directory', () => {
    const paths = DIRS.flatMap((dir) => NAMES.filter((name) => name !== '').map((name) => dir + name));
    const disagreements = paths.filter((path) => kindOf(path) !== byPicomatch(path)).map((path) => [path, kindOf(path), byPicomatch(path)]);
    expect(disagreements).toEqual([]);
    // The test means something only if every kind is met.
    expect(new Set(paths.map(byPicomatch))).toEqual(new Set([null, ...Object.keys(PATTERNS)]));
    expect(paths.length).toBeGreaterThan(1_500);
  });
});

describe('discoverFiles', () => {
  it('lists, by kind, exactly the files picomatch matches among all it walks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-doctor-discover-'));
    try {
      const files = ['stacks/a/stack.tm.hcl', 'stacks/a/main.tf', 'stacks/a/.terraform.lock.hcl', 'Makefile', 'mk/x.mk', '.github/workflows/ci.yml', '.github/workflows/README.md', 'ci/action.yaml', 'scripts/run.sh', 'package.json', 'Justfile', 'taskfile.yml', '.gitlab-ci.yml', 'x.tm', 'notes.txt', 'a\u2028b.tm', 'mk/Make\u2029.mk', 'stacks/b/s\u2028.tm.hcl'];
      for (const file of files) {
        mkdirSync(join(dir, file, '..'), { recursive: true });
        writeFileSync(join(dir, file), '');
      }
      const discovered = await discoverFiles(dir, dir);
      const expected = new Map<FileKind, string[]>();
      for (const file of [...files].sort()) {
        const kind = byPicomatch(file);
        if (kind) expected.set(kind, [...(expected.get(kind) ?? []), join(dir, file)]);
      }
      expect(new Map([...discovered.byKind].sort())).toEqual(new Map([...expected].sort()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
