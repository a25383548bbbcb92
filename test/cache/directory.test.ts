// The cache directory's trust checks, one by one, on the real file system. The whole-run
// behaviour (nothing replayed, the findings of a full check) is in trust.test.ts.
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CacheDirectory } from '../../src/cache/directory.js';

const AS_ROOT = process.geteuid?.() === 0;
const NOBODY = 65534;
const DIST = resolve(import.meta.dirname, '../../dist');
const rootOnly = AS_ROOT ? it : it.skip;
if (!AS_ROOT) console.log('cache ownership cases skipped: they need root to give a file to another user');

let base: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'tm-doctor-cache-dir-'));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

let counter = 0;
/** A fresh parent directory (mode 0700) and the cache root below it, written once. */
function freshCache(): { parent: string; root: string; cache: CacheDirectory } {
  const parent = join(base, `p${counter++}`);
  mkdirSync(parent, { mode: 0o700 });
  const root = join(parent, 'tm-doctor');
  const cache = CacheDirectory.at(root);
  expect(cache.write('reports/a.json', 'A')).toBe(true);
  return { parent, root, cache };
}

const problemOf = (root: string, relative = 'reports/a.json') => {
  const cache = CacheDirectory.at(root);
  const content = cache.read(relative, 1024);
  return { content: content?.toString() ?? null, problem: cache.problem, usable: cache.usable };
};

describe('CacheDirectory', () => {
  it('creates directories 0700 and files 0600, and reads back what it wrote', () => {
    const { root } = freshCache();
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'reports')).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, 'reports', 'a.json')).mode & 0o777).toBe(0o600);
    expect(problemOf(root)).toEqual({ content: 'A', problem: null, usable: true });
    expect(readdirSync(join(root, 'reports'))).toEqual(['a.json']);
  });

  it.each([
    ['the cache directory group-writable', '', 0o770, 'is writable by its group'],
    ['the cache directory world-writable', '', 0o707, 'is writable by everyone'],
    ['a subdirectory world-writable', 'reports', 0o777, 'is writable by everyone'],
    ['a file group-writable', 'reports/a.json', 0o620, 'is writable by its group'],
  ])('is not used with %s, and stays unused for the run', (_name, relative, mode, reason) => {
    const { root } = freshCache();
    chmodSync(join(root, relative), mode);
    const cache = CacheDirectory.at(root);
    expect(cache.read('reports/a.json', 1024)).toBeNull();
    expect(cache.problem).toEqual(expect.objectContaining({ path: join(root, relative), reason }));
    expect(cache.write('reports/b.json', 'B')).toBe(false);
    expect(readdirSync(join(root, 'reports'))).toEqual(['a.json']);
  });

  it('is not used through a link in place of the directory, a subdirectory or a file', () => {
    for (const relative of ['', 'reports', 'reports/a.json']) {
      const { parent, root } = freshCache();
      const elsewhere = join(parent, 'elsewhere');
      const target = join(root, relative);
      rmSync(target, { recursive: true });
      if (relative.endsWith('.json')) writeFileSync(elsewhere, 'theirs');
      else {
        mkdirSync(join(elsewhere, relative === '' ? 'reports' : ''), { recursive: true, mode: 0o700 });
        writeFileSync(join(elsewhere, relative === '' ? 'reports/a.json' : 'a.json'), 'theirs', { mode: 0o600 });
      }
      symlinkSync(elsewhere, target);
      const { content, problem } = problemOf(root);
      expect(content).toBeNull();
      expect(problem).toEqual(expect.objectContaining({ path: target, reason: 'is a symbolic link' }));
      expect(lstatSync(target).isSymbolicLink()).toBe(true);
    }
  });

  it('takes a directory above that others may write only when it is sticky', () => {
    const { parent, root } = freshCache();
    chmodSync(parent, 0o777);
    expect(problemOf(root).problem).toEqual(expect.objectContaining({ path: parent, reason: 'is writable by everyone and not sticky', remedy: `run chmod go-w '${parent}'` }));
    chmodSync(parent, 0o1777);
    expect(problemOf(root)).toEqual({ content: 'A', problem: null, usable: true });
  });

  it('resolves a link above it and checks the directories it leads to', () => {
    const { parent } = freshCache();
    const link = join(base, `link${counter++}`);
    symlinkSync(parent, link);
    expect(problemOf(join(link, 'tm-doctor'))).toEqual({ content: 'A', problem: null, usable: true });
    chmodSync(parent, 0o777);
    expect(problemOf(join(link, 'tm-doctor')).problem).toEqual(expect.objectContaining({ path: parent }));
  });

  rootOnly('is not used when another user owns the directory, a file in it, or a directory above', () => {
    for (const relative of ['', 'reports', 'reports/a.json']) {
      const { root } = freshCache();
      chownSync(join(root, relative), NOBODY, NOBODY);
      expect(problemOf(root).problem).toEqual(expect.objectContaining({ path: join(root, relative), reason: `is owned by uid ${NOBODY}, not by you (uid 0)` }));
    }
    const { parent, root } = freshCache();
    chownSync(parent, NOBODY, NOBODY);
    expect(problemOf(root).problem).toEqual(expect.objectContaining({ path: parent }));
  });

  rootOnly('is not used when a file in it cannot be read by you (another user wrote it, mode 0600)', () => {
    const { parent, root } = freshCache();
    chmodSync(base, 0o755);
    chmodSync(parent, 0o755);
    chownSync(root, NOBODY, NOBODY);
    chownSync(join(root, 'reports'), NOBODY, NOBODY);
    // As nobody (root could read the file), through a copy of the built module that nobody can
    // reach wherever the checkout lives.
    const built = join(base, 'built');
    for (const module of ['cache/directory.js', 'util/errors.js']) cpSync(join(DIST, module), join(built, module), { recursive: true });
    writeFileSync(join(built, 'package.json'), '{ "type": "module" }\n');
    const script = `import { CacheDirectory } from ${JSON.stringify(join(built, 'cache', 'directory.js'))};
const cache = CacheDirectory.at(${JSON.stringify(root)});
process.stdout.write(JSON.stringify({ content: cache.read('reports/a.json', 1024), problem: cache.problem }));`;
    const run = spawnSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, '--input-type=module', '-e', script], { encoding: 'utf8', cwd: '/' });
    chmodSync(base, 0o700);
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ content: null, problem: expect.objectContaining({ path: join(root, 'reports', 'a.json'), reason: 'cannot be read by you' }) });
  });

  it('keeps a directory for another reader (the compile cache) closed to everyone else', () => {
    const { root } = freshCache();
    mkdirSync(join(root, 'compile-cache'), { mode: 0o755 });
    chmodSync(join(root, 'compile-cache'), 0o755);
    expect(CacheDirectory.at(root).subdirectory('compile-cache')).toBe(join(root, 'compile-cache'));
    expect(statSync(join(root, 'compile-cache')).mode & 0o777).toBe(0o700);
    chmodSync(join(root, 'compile-cache'), 0o775);
    const cache = CacheDirectory.at(root);
    expect(cache.subdirectory('compile-cache')).toBeNull();
    expect(cache.problem).toEqual(expect.objectContaining({ path: join(root, 'compile-cache'), reason: 'is writable by its group' }));
  });

  it('removes only names its caller calls its own, and a link as a link', () => {
    const { parent, root, cache } = freshCache();
    const theirs = join(parent, 'theirs.json');
    writeFileSync(theirs, 'keep');
    symlinkSync(theirs, join(root, 'reports', 'b.json'));
    const ours = /^[ab]\.json$/;
    expect(cache.list('reports', ours).map((entry) => entry.name)).toEqual(['a.json']);
    cache.remove('reports', 'b.json', ours);
    cache.remove('reports', 'c.json', ours);
    cache.remove('reports', '../../theirs.json', /.*/);
    expect(readdirSync(join(root, 'reports'))).toEqual(['a.json']);
    expect(readFileSync(theirs, 'utf8')).toBe('keep');
  });
});
