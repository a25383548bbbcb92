// The --fix loop (ESLint/tflint style): check, apply what does not collide, check again on the
// fixed text, until a pass applies nothing or the pass limit is reached. Everything stays in
// memory; the caller writes the final plan to disk once.
import path from 'node:path';
import type { Fix, MovePath } from '../types.js';
import { type Overlay, overlayView } from './overlay.js';
import { type FixPlan, type SetAsideFix, isEmptyPlan, planFixes } from './plan.js';
import type { Snapshot } from '../analysis/snapshot.js';

export const DEFAULT_MAX_PASSES = 10;

/** Accumulates the passes of one run on top of the snapshot read from disk. */
export class FixSession {
  /** Current text of every file edited or created so far; what the next check must read. */
  readonly overlay: Overlay = new Map();
  private readonly createdModes = new Map<string, number | undefined>();
  private readonly directories = new Set<string>();
  private readonly moves: MovePath[] = [];
  private readonly appliedFixes: Fix[] = [];

  constructor(readonly snapshot: Snapshot) {}

  /** The snapshot as the next pass sees it (overlay first; moved-away paths absent). */
  get view(): Snapshot {
    return overlayView(this.snapshot, this.overlay, this.moves.map((m) => m.from));
  }

  /** Adds a plan computed against `view`; false when it changes nothing new. */
  absorb(plan: FixPlan): boolean {
    let changed = false;
    for (const rewrite of plan.rewrites) {
      if (rewrite.before === rewrite.after) continue;
      this.overlay.set(rewrite.file, rewrite.after);
      changed = true;
    }
    for (const create of plan.creates) {
      this.overlay.set(create.file, create.text);
      this.createdModes.set(create.file, create.mode);
      changed = true;
    }
    for (const dir of plan.directories) {
      if (this.directories.has(dir)) continue;
      this.directories.add(dir);
      changed = true;
    }
    for (const move of plan.moves) {
      if (this.moves.some((m) => m.from === move.from && m.to === move.to)) continue;
      this.moves.push(move);
      changed = true;
    }
    if (changed) this.appliedFixes.push(...plan.applied);
    return changed;
  }

  /**
   * Everything applied so far as one plan against the disk: rewrites carry the text as read
   * and the final text; a file created in one pass and edited in a later one is one creation.
   */
  finalPlan(setAside: { deferred: SetAsideFix[]; rejected: SetAsideFix[] } = { deferred: [], rejected: [] }): FixPlan {
    const rewrites = [];
    const creates = [];
    for (const [file, text] of [...this.overlay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (this.createdModes.has(file)) {
        const mode = this.createdModes.get(file);
        creates.push(mode === undefined ? { kind: 'create' as const, file, text } : { kind: 'create' as const, file, text, mode });
        continue;
      }
      const before = this.snapshot.textOf(file) ?? '';
      if (before !== text) rewrites.push({ file, before, after: text });
    }
    return {
      rewrites,
      creates,
      directories: [...this.directories].sort((a, b) => a.split(path.sep).length - b.split(path.sep).length || (a < b ? -1 : a > b ? 1 : 0)),
      moves: [...this.moves],
      applied: [...this.appliedFixes],
      deferred: setAside.deferred,
      rejected: setAside.rejected,
    };
  }
}

export interface FixLoopOptions {
  snapshot: Snapshot;
  /**
   * Runs the rules with `overlay` (the text of every file this run's fixes changed so far)
   * read before the disk, and returns the fixes of their findings, already filtered (safe
   * only unless --unsafe-fixes). The last call always sees the final text, so findings kept
   * from it are what is left.
   */
  check: (overlay: ReadonlyMap<string, string>) => Promise<Fix[]>;
  maxPasses?: number;
}

export interface FixLoopResult {
  /** Write this once (writePlan) or show it (renderPlanDiff). */
  plan: FixPlan;
  /** Passes that changed something. */
  passes: number;
  /** False when the pass limit stopped the loop while fixes still applied. */
  stable: boolean;
  checks: number;
}

/**
 * `check` is called at most maxPasses + 1 times: once per pass, plus once after the last
 * pass that changed something. The plan's `deferred`/`rejected` are those of that last check.
 */
export async function fixUntilStable(options: FixLoopOptions): Promise<FixLoopResult> {
  const maxPasses = options.maxPasses ?? DEFAULT_MAX_PASSES;
  const session = new FixSession(options.snapshot);
  let passes = 0;
  let checks = 0;
  for (;;) {
    const view = session.view;
    const fixes = await options.check(session.overlay);
    checks += 1;
    const plan = planFixes(fixes, view);
    const setAside = { deferred: plan.deferred, rejected: plan.rejected };
    if (isEmptyPlan(plan) || plan.applied.length === 0) {
      return { plan: session.finalPlan(setAside), passes, stable: true, checks };
    }
    if (passes >= maxPasses) {
      // What would still apply is left for the user: report it as deferred.
      const leftOver = plan.applied.map((fix) => ({ fix, reason: `still applicable after ${maxPasses} passes` }));
      return { plan: session.finalPlan({ deferred: [...leftOver, ...plan.deferred], rejected: plan.rejected }), passes, stable: false, checks };
    }
    if (!session.absorb(plan)) return { plan: session.finalPlan(setAside), passes, stable: true, checks };
    passes += 1;
  }
}
