import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { displayPath, displayPathOrNull, isInsideRoot, isNormalAbsolute } from '../../src/util/path.js';

describe('displayPath', () => {
  it('shows files inside the root relative to it with / separators', () => {
    expect(displayPath('/work/project', '/work/project/stacks/a/main.tm')).toBe('stacks/a/main.tm');
    expect(displayPath('/work/project/', '/work/project/Makefile')).toBe('Makefile');
  });

  it('shows the root itself as .', () => {
    expect(displayPath('/work/project', '/work/project')).toBe('.');
  });

  it('keeps files outside the root absolute, including siblings sharing a name prefix', () => {
    expect(displayPath('/work/project', '/home/dev/.terraformrc')).toBe('/home/dev/.terraformrc');
    expect(displayPath('/work/project', '/work/project2/Makefile')).toBe('/work/project2/Makefile');
    expect(displayPath('/work/project', '/work/Makefile')).toBe('/work/Makefile');
  });

  it('treats a name that merely starts with two dots as inside', () => {
    expect(isInsideRoot('/work/project', '/work/project/..hidden/x')).toBe(true);
    expect(displayPath('/work/project', '/work/project/..hidden/x')).toBe('..hidden/x');
  });

  it('passes null through', () => {
    expect(displayPathOrNull('/work/project', null)).toBeNull();
    expect(displayPathOrNull('/work/project', '/work/project/stacks/a')).toBe('stacks/a');
  });
});

describe('isNormalAbsolute', () => {
  // The claim: true exactly when path.resolve would return the path unchanged.
  const alphabet = ['/', '.', 'a', '..', '-', '.a', 'a.'];
  const generated: string[] = [];
  const grow = (prefix: string, depth: number): void => {
    generated.push(prefix);
    if (depth === 0) return;
    for (const part of alphabet) grow(prefix + part, depth - 1);
  };
  grow('', 5);
  it.each([['generated', generated]])('agrees with path.resolve on %s paths', (_name, paths) => {
    const disagreements = paths.filter((file) => isNormalAbsolute(file) !== (file === path.resolve(file)));
    expect(disagreements).toEqual([]);
    expect(paths.length).toBeGreaterThan(10_000);
  });

  it('agrees with path.resolve on real-looking paths', () => {
    for (const file of ['/', '/work', '/work/project/stacks/a/main.tf', '/work//x', '/work/./x', '/work/../x', '/work/x/', '/work/x/.', '/work/x/..', '/work/.hidden/..x/x..', 'relative/x', '']) {
      expect([file, isNormalAbsolute(file)]).toEqual([file, file === path.resolve(file)]);
    }
  });
});
