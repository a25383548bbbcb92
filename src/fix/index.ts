// What the engine and commands use from src/fix. A --fix run:
//   const snapshot = new DiskSnapshot(root);            // the project reader reads through it
//   const { plan } = await fixUntilStable({ snapshot, check: (view, overlay) => rulesFixes(view) });
//   --fix-dry-run: print renderPlanDiff(plan, root);   --fix: const report = await writePlan(plan, snapshot);
//   a finding's fix counts as done when isFixWritten(fix, report).
export { renderFileDiff, renderPlanDiff } from './diff.js';
export { DEFAULT_MAX_PASSES, FixSession, fixUntilStable, type FixLoopOptions, type FixLoopResult } from './multipass.js';
export { overlayView, type Overlay } from './overlay.js';
export { applyEdits, isEmptyPlan, planFixes, type FileRewrite, type FixPlan, type SetAsideFix } from './plan.js';
export { classifyFix, landingPath, realRoot, whyOutside, type Classified } from './confine.js';
export { DiskSnapshot, fingerprintBytes, hashBytes, type FileFingerprint, type Snapshot } from '../analysis/snapshot.js';
export { isFixWritten, removeDeadWritersTemps, removeStaleTemps, TEMP_MARKER, whyFileNotWritable, writePlan, type ChangeOutcome, type WriteHooks, type WriteOptions, type WriteReport } from './write.js';
