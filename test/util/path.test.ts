import { describe, expect, it } from '@jest/globals';
import { displayPath, displayPathOrNull, isInsideRoot } from '../../src/util/path.js';

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
