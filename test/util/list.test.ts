import { describe, expect, it } from '@jest/globals';
import { listWithMore } from '../../src/util/list.js';

describe('listWithMore', () => {
  it('lists up to `shown` items in full, and counts the rest', () => {
    expect(listWithMore([])).toBe('');
    expect(listWithMore(['a'])).toBe('a');
    expect(listWithMore(['a', 'b'])).toBe('a and b');
    expect(listWithMore(['a', 'b', 'c'])).toBe('a, b and c');
    expect(listWithMore(['a', 'b', 'c', 'd'])).toBe('a, b, c and 1 more');
    expect(listWithMore(['a', 'b', 'c'], 2)).toBe('a, b and 1 more');
  });

  it('names only the items it shows', () => {
    const named: number[] = [];
    const name = (item: number) => {
      named.push(item);
      return `#${item}`;
    };
    const items = Array.from({ length: 5000 }, (_, i) => i);
    expect(listWithMore(items, 3, name)).toBe('#0, #1, #2 and 4997 more');
    expect(named).toEqual([0, 1, 2]);
    named.length = 0;
    expect(listWithMore([7, 8], 3, name)).toBe('#7 and #8');
    expect(named).toEqual([7, 8]);
  });
});
