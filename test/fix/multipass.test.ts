import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { fixUntilStable } from '../../src/fix/multipass.js';
import { overlayView } from '../../src/fix/overlay.js';
import { DiskSnapshot, type Snapshot } from '../../src/analysis/snapshot.js';
import { writePlan } from '../../src/fix/write.js';
import type { Fix } from '../../src/types.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tm-doctor-passes-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A toy rule: every "aa" becomes "b" (its matches overlap, so some wait a pass). */
function pairsRule(file: string) {
  return (view: Snapshot): Fix[] => {
    const text = view.textOf(file) ?? '';
    const fixes: Fix[] = [];
    for (let at = text.indexOf('aa'); at >= 0; at = text.indexOf('aa', at + 1)) {
      fixes.push({ description: `pair at ${at}`, safe: true, changes: [{ kind: 'text', file, start: at, end: at + 2, text: 'b' }] });
    }
    return fixes;
  };
}

describe('fixUntilStable', () => {
  it('re-checks on the fixed text in memory until nothing applies, and leaves the disk alone', async () => {
    const file = path.join(root, 'main.tf');
    writeFileSync(file, 'aaaaa\n');
    const snapshot = new DiskSnapshot(root);
    snapshot.readText(file);
    const seen: string[] = [];
    const rule = pairsRule(file);
    const result = await fixUntilStable({
      snapshot,
      check: async (overlay) => {
        const view = overlayView(snapshot, overlay);
        seen.push(view.textOf(file) ?? '');
        return rule(view);
      },
    });
    // aaaaa -> pass 1 takes [0,2) and [2,4): bba -> no "aa" left.
    expect(seen).toEqual(['aaaaa\n', 'bba\n']);
    expect(result.passes).toBe(1);
    expect(result.stable).toBe(true);
    expect(result.checks).toBe(2);
    expect(result.plan.rewrites).toEqual([{ file, before: 'aaaaa\n', after: 'bba\n' }]);
    expect(readFileSync(file, 'utf8')).toBe('aaaaa\n');

    const report = await writePlan(result.plan, snapshot);
    expect(report.ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('bba\n');
  });

  it('applies a deferred fix on the next pass, recomputed against the new text', async () => {
    const file = path.join(root, 'terramate.tm.hcl');
    writeFileSync(file, 'env {\n}\n');
    const snapshot = new DiskSnapshot(root);
    snapshot.readText(file);
    const wanted = ['A = "1"\n', 'B = "2"\n'];
    const result = await fixUntilStable({
      snapshot,
      check: async (overlay) => {
        const view = overlayView(snapshot, overlay);
        const text = view.textOf(file) ?? '';
        const insertAt = text.indexOf('}');
        return wanted
          .filter((line) => !text.includes(line))
          .map((line) => ({ description: line.trim(), safe: true, changes: [{ kind: 'text' as const, file, start: insertAt, end: insertAt, text: line }] }));
      },
    });
    expect(result.passes).toBe(2);
    expect(result.stable).toBe(true);
    expect(result.plan.rewrites).toEqual([{ file, before: 'env {\n}\n', after: 'env {\nA = "1"\nB = "2"\n}\n' }]);
    expect(result.plan.applied.map((f) => f.description)).toEqual(['A = "1"', 'B = "2"']);
    expect(result.plan.deferred).toEqual([]);
  });

  it('turns a file created in one pass and edited in a later one into one creation', async () => {
    const file = path.join(root, 'terramate.tm.hcl');
    const snapshot = new DiskSnapshot(root);
    snapshot.readText(file);
    const result = await fixUntilStable({
      snapshot,
      check: async (overlay) => {
        const view = overlayView(snapshot, overlay);
        const text = view.textOf(file);
        if (text === undefined) return [{ description: 'create', safe: true, changes: [{ kind: 'create', file, text: 'terramate {\n}\n' }] }];
        if (!text.includes('config')) {
          const at = text.indexOf('}');
          return [{ description: 'config', safe: true, changes: [{ kind: 'text', file, start: at, end: at, text: '  config {}\n' }] }];
        }
        return [];
      },
    });
    expect(result.passes).toBe(2);
    expect(result.plan.rewrites).toEqual([]);
    expect(result.plan.creates).toEqual([{ kind: 'create', file, text: 'terramate {\n  config {}\n}\n' }]);
  });

  it('stops after maxPasses when fixes never settle, and says so', async () => {
    const file = path.join(root, 'flip.tf');
    writeFileSync(file, 'x');
    const snapshot = new DiskSnapshot(root);
    snapshot.readText(file);
    const flip = (view: Snapshot): Fix[] => {
      const text = view.textOf(file) ?? '';
      return [{ description: 'flip', safe: true, changes: [{ kind: 'text', file, start: 0, end: 1, text: text === 'x' ? 'y' : 'x' }] }];
    };
    const result = await fixUntilStable({ snapshot, check: async (overlay) => flip(overlayView(snapshot, overlay)), maxPasses: 3 });
    expect(result.passes).toBe(3);
    expect(result.checks).toBe(4);
    expect(result.stable).toBe(false);
    expect(result.plan.rewrites).toEqual([{ file, before: 'x', after: 'y' }]);
    expect(result.plan.deferred.map((d) => d.reason)).toEqual(['still applicable after 3 passes']);

    const tenfold = await fixUntilStable({ snapshot, check: async (overlay) => flip(overlayView(snapshot, overlay)) });
    expect(tenfold.passes).toBe(10);
    expect(tenfold.checks).toBe(11);
  });

  it('stops when fixes apply but change nothing', async () => {
    const file = path.join(root, 'same.tf');
    writeFileSync(file, 'abc');
    const snapshot = new DiskSnapshot(root);
    snapshot.readText(file);
    const result = await fixUntilStable({
      snapshot,
      check: async () => [{ description: 'noop', safe: true, changes: [{ kind: 'text', file, start: 0, end: 1, text: 'a' }] }],
    });
    expect(result).toMatchObject({ passes: 0, checks: 1, stable: true });
    expect(result.plan.rewrites).toEqual([]);
  });

  it('plans later passes against a view where moved-away paths are absent', async () => {
    const inside = path.join(root, 'cache', 'p', 'meta.json');
    const snapshot: Snapshot = {
      root,
      textOf: (file) => (file === inside ? '{}' : undefined),
      fingerprintOf: () => undefined,
    };
    const quarantine: Fix = { description: 'quarantine', safe: false, changes: [{ kind: 'move', from: path.join(root, 'cache', 'p'), to: path.join(root, 'q') }] };
    const edit: Fix = { description: 'edit', safe: true, changes: [{ kind: 'text', file: inside, start: 0, end: 2, text: '[]' }] };
    let checks = 0;
    const result = await fixUntilStable({ snapshot, check: async () => (checks++ === 0 ? [quarantine] : [quarantine, edit]) });
    expect(result.plan.moves).toEqual(quarantine.changes);
    expect(result.plan.rewrites).toEqual([]);
    expect([...result.plan.deferred, ...result.plan.rejected].map((setAside) => setAside.fix.description)).toEqual(['edit']);
  });
});
