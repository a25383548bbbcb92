import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { applyEdits, planFixes } from '../../src/fix/plan.js';
import type { FileFingerprint, Snapshot } from '../../src/analysis/snapshot.js';
import type { Fix, TextEdit } from '../../src/types.js';

const ROOT = '/project';
const FILE = '/project/main.tf';

function memorySnapshot(files: Record<string, string>, lossy: string[] = []): Snapshot {
  return {
    root: ROOT,
    textOf: (file) => files[file],
    fingerprintOf: (file): FileFingerprint | undefined =>
      files[file] === undefined ? undefined : { hash: 'h', size: 0, mtimeMs: 0, mode: 0o644, lossless: !lossy.includes(file) },
  };
}

function edit(start: number, end: number, text: string, file = FILE): TextEdit {
  return { kind: 'text', file, start, end, text };
}

function fix(description: string, ...changes: Fix['changes']): Fix {
  return { description, safe: true, changes };
}

describe('planFixes', () => {
  it('defers the later of two overlapping fixes and applies the other', () => {
    const snapshot = memorySnapshot({ [FILE]: 'abcdefghij' });
    const first = fix('first', edit(2, 5, 'X'));
    const second = fix('second', edit(4, 7, 'Y'));
    const plan = planFixes([second, first], snapshot);
    expect(plan.rewrites).toEqual([{ file: FILE, before: 'abcdefghij', after: 'abXfghij' }]);
    expect(plan.applied).toEqual([first]);
    expect(plan.deferred).toEqual([{ fix: second, reason: 'its edit in main.tf overlaps one of "first"' }]);
    expect(plan.rejected).toEqual([]);
  });

  it('takes a fix whole or not at all', () => {
    const snapshot = memorySnapshot({ [FILE]: '0123456789' });
    const taken = fix('taken', edit(0, 1, 'A'));
    const partlyColliding = fix('two edits', edit(0, 1, 'B'), edit(8, 9, 'C'));
    const plan = planFixes([taken, partlyColliding], snapshot);
    expect(plan.rewrites[0].after).toBe('A123456789');
    expect(plan.deferred.map((d) => d.fix)).toEqual([partlyColliding]);
  });

  it('merges identical edits from two fixes instead of calling them a conflict', () => {
    const snapshot = memorySnapshot({ [FILE]: 'key = 1\n' });
    const a = fix('a', edit(6, 7, '2'));
    const b = fix('b', edit(6, 7, '2'), edit(8, 8, 'other = 3\n'));
    const plan = planFixes([a, b], snapshot);
    expect(plan.rewrites[0].after).toBe('key = 2\nother = 3\n');
    expect(plan.applied).toEqual([a, b]);
    expect(plan.deferred).toEqual([]);
  });

  it('merges identical insertions at the same point', () => {
    const snapshot = memorySnapshot({ [FILE]: 'ab' });
    const plan = planFixes([fix('a', edit(1, 1, '-')), fix('b', edit(1, 1, '-'))], snapshot);
    expect(plan.rewrites[0].after).toBe('a-b');
    expect(plan.applied).toHaveLength(2);
  });

  it('applies adjacent (touching) edits from different fixes', () => {
    const snapshot = memorySnapshot({ [FILE]: 'aaabbbccc' });
    const plan = planFixes([fix('b', edit(3, 6, 'B')), fix('a', edit(0, 3, 'A')), fix('c', edit(6, 9, 'C'))], snapshot);
    expect(plan.rewrites[0].after).toBe('ABC');
    expect(plan.applied.map((f) => f.description)).toEqual(['a', 'b', 'c']);
  });

  it('defers one of two different insertions at the same offset', () => {
    const snapshot = memorySnapshot({ [FILE]: 'ab' });
    const x = fix('x', edit(1, 1, 'X'));
    const y = fix('y', edit(1, 1, 'Y'));
    const plan = planFixes([x, y], snapshot);
    expect(plan.rewrites[0].after).toBe('aXb');
    expect(plan.applied).toEqual([x]);
    expect(plan.deferred).toEqual([{ fix: y, reason: 'its edit in main.tf overlaps one of "x"' }]);
  });

  it('puts an insertion at the start of a replaced range before the replacement, and at its end after it', () => {
    const snapshot = memorySnapshot({ [FILE]: 'abcdef' });
    const plan = planFixes([fix('replace', edit(2, 4, 'XY')), fix('before', edit(2, 2, '<')), fix('after', edit(4, 4, '>'))], snapshot);
    expect(plan.rewrites[0].after).toBe('ab<XY>ef');
    expect(plan.deferred).toEqual([]);
  });

  it('defers an insertion strictly inside a replaced range', () => {
    const snapshot = memorySnapshot({ [FILE]: 'abcdef' });
    const plan = planFixes([fix('replace', edit(1, 5, '')), fix('inside', edit(3, 3, '!'))], snapshot);
    expect(plan.rewrites[0].after).toBe('af');
    expect(plan.deferred.map((d) => d.fix.description)).toEqual(['inside']);
  });

  it('rejects a fix whose own edits overlap, an edit past the end, an unread file, and lossy text', () => {
    const other = '/project/other.tf';
    const binary = '/project/binary.tf';
    const snapshot = memorySnapshot({ [FILE]: 'abc', [binary]: '\ufffd' }, [binary]);
    const plan = planFixes(
      [
        fix('self overlap', edit(0, 2, 'x'), edit(1, 3, 'y')),
        fix('too far', edit(2, 4, 'x')),
        fix('unread', edit(0, 0, 'x', other)),
        fix('backwards', edit(2, 1, 'x')),
        fix('lossy', edit(0, 0, 'x', binary)),
      ],
      snapshot,
    );
    expect(plan.rejected.map((r) => [r.fix.description, r.reason])).toEqual([
      ['self overlap', 'its own edits overlap in main.tf'],
      ['too far', 'edit [2, 4) runs past the end of main.tf (3 characters)'],
      ['unread', 'other.tf was not read, so its offsets mean nothing'],
      ['backwards', 'invalid edit range [2, 1) in main.tf'],
      ['lossy', 'binary.tf is not valid UTF-8; rewriting it would corrupt it'],
    ]);
    expect(plan.rewrites).toEqual([]);
    expect(plan.applied).toEqual([]);
  });

  it('rejects a safe fix that reaches outside the project or moves files', () => {
    const snapshot = memorySnapshot({ [FILE]: '' });
    const outside: Fix = { description: 'rc', safe: true, changes: [{ kind: 'create', file: '/home/u/.terraformrc', text: 'x' }] };
    const move: Fix = { description: 'mv', safe: true, changes: [{ kind: 'move', from: '/project/a', to: '/project/b' }] };
    const unsafeOutside: Fix = { ...outside, safe: false };
    const plan = planFixes([outside, move, unsafeOutside], snapshot);
    expect(plan.rejected.map((r) => r.reason)).toEqual([
      'marked safe but changes /home/u/.terraformrc, outside the project',
      'marked safe but moves a',
    ]);
    expect(plan.applied).toEqual([unsafeOutside]);
    expect(plan.creates).toEqual([{ kind: 'create', file: '/home/u/.terraformrc', text: 'x' }]);
  });

  it('handles creations: existing file rejected, identical duplicates merged, different content deferred', () => {
    const snapshot = memorySnapshot({ [FILE]: 'x' });
    const create = (description: string, file: string, text: string): Fix => fix(description, { kind: 'create', file, text });
    const plan = planFixes(
      [
        create('exists', FILE, 'y'),
        create('one', '/project/new.tm.hcl', 'A'),
        create('same', '/project/new.tm.hcl', 'A'),
        create('different', '/project/new.tm.hcl', 'B'),
      ],
      snapshot,
    );
    expect(plan.rejected.map((r) => [r.fix.description, r.reason])).toEqual([['exists', 'main.tf already exists']]);
    expect(plan.applied.map((f) => f.description)).toEqual(['one', 'same']);
    expect(plan.deferred.map((d) => [d.fix.description, d.reason])).toEqual([
      ['different', '"one" creates new.tm.hcl with other content'],
    ]);
    expect(plan.creates).toEqual([{ kind: 'create', file: '/project/new.tm.hcl', text: 'A' }]);
  });

  it('keeps moves apart from edits under the moved path, and from each other', () => {
    const inCache = '/project/cache/p/file';
    const snapshot = memorySnapshot({ [inCache]: 'abc' });
    const move = (description: string, from: string, to: string): Fix => ({ description, safe: false, changes: [{ kind: 'move', from, to }] });
    const plan = planFixes(
      [
        fix('edit', edit(0, 1, 'X', inCache)),
        move('quarantine', '/project/cache/p', '/q/p'),
        move('again', '/project/cache/p', '/q/p'),
        move('nested', '/project/cache/p/inner', '/q/inner'),
        { description: 'dirs', safe: false, changes: [{ kind: 'mkdir', dir: '/q/b' }, { kind: 'mkdir', dir: '/q' }] },
      ],
      snapshot,
    );
    expect(plan.applied.map((f) => f.description)).toEqual(['edit', 'nested', 'dirs']);
    expect(plan.deferred.map((d) => d.reason)).toEqual([
      'it moves cache/p, which holds cache/p/file, changed by another fix',
      'it moves cache/p, which holds cache/p/file, changed by another fix',
    ]);
    expect(plan.directories).toEqual(['/q', '/q/b']);
    const nested = plan.applied[1];
    const movesOnly = planFixes([...plan.deferred.map((d) => d.fix), nested], snapshot);
    expect(movesOnly.applied.map((f) => f.description)).toEqual(['quarantine', 'again']);
    expect(movesOnly.moves).toEqual([{ kind: 'move', from: '/project/cache/p', to: '/q/p' }]);
    expect(movesOnly.deferred.map((d) => d.reason)).toEqual(['its move of cache/p/inner collides with "quarantine"']);
  });

  it('is independent of the order fixes arrive in (earliest position wins, like ESLint)', () => {
    const snapshot = memorySnapshot({ [FILE]: 'abcdef' });
    const early = fix('early', edit(1, 3, 'E'));
    const late = fix('late', edit(2, 5, 'L'));
    expect(planFixes([late, early], snapshot).rewrites[0].after).toBe('aEdef');
    expect(planFixes([early, late], snapshot).rewrites[0].after).toBe('aEdef');
  });
});

/** Reference semantics: apply from the end of the file backwards (never shifts an offset). */
function applyBackwards(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const e of sorted) result = result.slice(0, e.start) + e.text + result.slice(e.end);
  return result;
}

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('planFixes on generated fixes', () => {
  it('agrees with backwards application and every deferral names a real collision (2000 cases)', () => {
    for (let seed = 1; seed <= 2000; seed += 1) {
      const random = seeded(seed);
      const length = Math.floor(random() * 30);
      const text = Array.from({ length }, () => 'ab\n\r\t€'[Math.floor(random() * 6)]).join('');
      const fixes: Fix[] = Array.from({ length: 1 + Math.floor(random() * 5) }, (_, index) => {
        const edits: TextEdit[] = [];
        const count = 1 + Math.floor(random() * 3);
        let cursor = 0;
        for (let i = 0; i < count && cursor <= length; i += 1) {
          const start = cursor + Math.floor(random() * (length - cursor + 1));
          const end = Math.min(length, start + Math.floor(random() * 4));
          edits.push(edit(start, end, random() < 0.3 ? '' : `<${index}>`));
          cursor = end + 1;
        }
        return fix(`fix ${index}`, ...edits);
      });
      const plan = planFixes(fixes, memorySnapshot({ [FILE]: text }));
      expect(plan.rejected).toEqual([]);
      expect(plan.applied.length + plan.deferred.length).toBe(fixes.length);

      const taken: TextEdit[] = [];
      for (const applied of plan.applied) {
        for (const change of applied.changes as TextEdit[]) {
          if (!taken.some((t) => t.start === change.start && t.end === change.end && t.text === change.text)) taken.push(change);
        }
      }
      const expected = applyBackwards(text, taken);
      const actual = plan.rewrites[0]?.after ?? text;
      expectWithMessage(actual, `seed ${seed}`).toBe(expected);
      expect(applyEdits(text, taken)).toBe(expected);

      for (const { fix: waiting } of plan.deferred) {
        const collides = (waiting.changes as TextEdit[]).some((w) =>
          taken.some((t) => !(w.start === t.start && w.end === t.end && w.text === t.text) && (w.start === w.end && t.start === t.end ? w.start === t.start : w.start < t.end && t.start < w.end)),
        );
        expectWithMessage(collides, `seed ${seed}: ${waiting.description} deferred without a collision`).toBe(true);
      }
    }
  });
});
