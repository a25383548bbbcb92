import { basename, relative, resolve } from 'node:path';
import type { InspectionStats } from '../analysis/provider-inspection.js';
import { CacheDirectory } from '../cache/directory.js';
import { ResultStore } from '../cache/results.js';
import type { Analysis } from '../analysis/analysis.js';
import { classifyFix, fixUntilStable, isFixWritten, realRoot, removeDeadWritersTemps, renderPlanDiff, whyFileNotWritable, writePlan, type FixPlan, type WriteReport } from '../fix/index.js';
import type { Finding, Fix } from '../types.js';
import { noteUnrepeatable } from '../util/dependency-record.js';
import { displayPath } from '../util/path.js';
import { writerPidOf } from '../util/writer-temp.js';
import { analyse, prepareRun, runRules, type CheckRequest, type PreparedRun } from './check.js';

export interface FixRequest {
  fix?: boolean;
  dryRun?: boolean;
  unsafe?: boolean;
}

export interface PhaseRunner {
  /** Runs one phase; `work` may report what it is doing through `status`. */
  phase<T>(title: string, work: (status: (text: string) => void) => Promise<T>): Promise<T>;
}

export interface DoctorOutcome {
  root: string;
  /** What is left, plus (after --fix) what was fixed, marked `fixed`. */
  findings: Finding[];
  /** The unified diff of --fix-dry-run, else null. */
  diff: string | null;
  /** Things the user should know that are not findings (refused writes, empty project). */
  notes: string[];
  /** The text of a file as the findings left are placed in it: as read, or after --fix as written. */
  readText: (file: string) => string | undefined;
  /** What the provider inspection did (packages hashed, handshakes run...), when it ran. */
  providerStats: InspectionStats | null;
}

/** Runs the phases with no display. */
export const NO_PROGRESS: PhaseRunner = { phase: (_title, work) => work(() => {}) };

function identity(finding: Finding): string {
  return `${finding.ruleId}\0${finding.location?.file ?? ''}\0${finding.message}`;
}

/**
 * The rules' findings with each fix judged by where it writes, links resolved: one its rule
 * marked safe that lands outside the project is unsafe. `unsafeBecause` collects why.
 */
async function findingsOf(prepared: PreparedRun, analysis: Analysis, status?: (text: string) => void, unsafeBecause?: Map<Fix, string>): Promise<Finding[]> {
  const findings = await runRules(prepared, analysis, status);
  const resolvedRoot = realRoot(prepared.root);
  return findings.map((finding) => {
    if (!finding.fix) return finding;
    const { fix, unsafeBecause: reason } = classifyFix(finding.fix, prepared.root, resolvedRoot);
    if (reason === null) return finding;
    unsafeBecause?.set(fix, reason);
    return { ...finding, fix };
  });
}

async function checkOnce(prepared: PreparedRun, progress: PhaseRunner, unsafeBecause?: Map<Fix, string>) {
  const analysis = await progress.phase('Read and parse the project', () => analyse(prepared));
  const findings = await progress.phase('Run the rules', (status) => findingsOf(prepared, analysis, status, unsafeBecause));
  return { analysis, findings, stackCount: (await analysis.stacks()).length };
}

/** One `tm-doctor check`: find, optionally fix (in memory, re-checking, then one write), report. */
export async function runDoctor(request: CheckRequest, fixRequest: FixRequest = {}, progress: PhaseRunner = NO_PROGRESS): Promise<DoctorOutcome> {
  const cache = request.cache ?? ResultStore.open(CacheDirectory.open(request.env, { disabled: request.options.noCache }));
  try {
    return await doctor({ ...request, cache }, fixRequest, progress);
  } finally {
    // An unwritable cache only costs the next run time.
    await cache.save().catch(() => undefined);
  }
}

async function doctor(request: CheckRequest & { cache: ResultStore }, fixRequest: FixRequest, progress: PhaseRunner): Promise<DoctorOutcome> {
  const prepared = prepareRun(request);
  const madeUnsafe = new Map<Fix, string>();
  const first = await checkOnce(prepared, progress, madeUnsafe);
  const { root, session } = prepared;
  const snapshot = session.snapshot;
  const providerStats = () => session.inspections[session.inspections.length - 1]?.stats ?? null;
  const notes: string[] = [];
  if (first.stackCount === 0) notes.push(`no Terramate stacks found under ${request.dir} (no *.tm or *.tm.hcl file with a stack {} block)`);
  const readText = (file: string) => snapshot.textOf(file);
  // A killed --fix leaves temp files behind: whichever run walks their directory next removes them.
  // Whether it can depends on their writer being gone: a report that met them is not reused.
  if (first.analysis.writerTemps.length > 0) noteUnrepeatable('temp files of a tm-doctor --fix were found');
  for (const file of await removeDeadWritersTemps(first.analysis.writerTemps)) {
    notes.push(`removed ${displayPath(root, file)}, a temp file left by an interrupted tm-doctor --fix (process ${writerPidOf(basename(file))} is gone)`);
  }
  if (!fixRequest.fix && !fixRequest.dryRun) return { root, findings: first.findings, diff: null, notes, readText, providerStats: providerStats() };

  const wanted = (fix: Fix | null): fix is Fix => fix !== null && (fix.safe || Boolean(fixRequest.unsafe));
  if (!fixRequest.unsafe) {
    for (const [fix, reason] of madeUnsafe) notes.push(`fix not applied (${fix.description}): ${reason}; --unsafe-fixes applies it`);
  }
  let latest = first.findings;
  /** The text the latest pass read: what `latest` is placed in (the first pass read the disk). */
  let latestOverlay = new Map<string, string>();
  let passes = 0;
  // The finding each fix came from, over all passes: what is counted fixed is what was written.
  const findingOf = new Map<Fix, string>();
  // A fix that edits a file the writer would refuse is set aside before planning: a later pass
  // must not build on it (the lock-file variable is safe only once the warm-up is written).
  const unwritable = new Map<string, string | null>();
  /** The first set-aside fix of each finding, with the file that would refuse it. */
  const blockedFixes = new Map<string, { fix: Fix; file: string; reason: string }>();
  const writeBlocked = async (fix: Fix): Promise<{ file: string; reason: string } | null> => {
    for (const change of fix.changes) {
      if (change.kind !== 'text') continue;
      if (!unwritable.has(change.file)) unwritable.set(change.file, await whyFileNotWritable(change.file, relative(root, change.file) || change.file));
      const reason = unwritable.get(change.file);
      if (reason) return { file: change.file, reason };
    }
    return null;
  };
  const loop = await progress.phase('Fix', () =>
    fixUntilStable({
      snapshot,
      check: async (overlay) => {
        if (passes++ > 0) {
          latestOverlay = new Map(overlay);
          latest = await findingsOf(prepared, await analyse(prepared, latestOverlay));
        }
        const fixes: Fix[] = [];
        for (const finding of latest) {
          if (!wanted(finding.fix)) continue;
          findingOf.set(finding.fix, identity(finding));
          const refusal = await writeBlocked(finding.fix);
          if (refusal === null) fixes.push(finding.fix);
          else if (!blockedFixes.has(identity(finding))) blockedFixes.set(identity(finding), { fix: finding.fix, ...refusal });
        }
        return fixes;
      },
    }),
  );
  const plan: FixPlan = loop.plan;
  for (const note of new Set([...blockedFixes.values()].map(({ file, reason }) => `${relative(root, file) || file} left unchanged: ${reason}`))) notes.push(note);
  for (const { fix, reason } of [...plan.deferred, ...plan.rejected]) notes.push(`fix not applied (${fix.description}): ${reason}`);

  if (fixRequest.dryRun) {
    return { root, findings: first.findings, diff: renderPlanDiff(plan, root), notes, readText, providerStats: providerStats() };
  }

  const written = await writePlan(plan, snapshot, { allowOutside: Boolean(fixRequest.unsafe) });
  for (const outcome of written.outcomes) {
    if (outcome.status === 'refused') notes.push(`${relative(root, outcome.path) || outcome.path} left unchanged: ${outcome.reason}`);
  }
  // Findings whose fix this run tried and could not apply: set aside by the plan, or planned
  // and then refused (wholly or in part) by the writer.
  const owners = (fixes: Fix[]) => new Set(fixes.flatMap((fix) => findingOf.get(fix) ?? []));
  const writeRefused = owners(plan.applied.filter((fix) => !isFixWritten(fix, written)));
  const refused = new Set([...writeRefused, ...owners([...blockedFixes.values(), ...plan.deferred, ...plan.rejected].map(({ fix }) => fix))]);

  // The overlay models file text only: directories made, files moved or a write refused
  // leave the in-memory result short of what is on disk, so then the disk is checked again.
  const diskMoved = plan.directories.length > 0 || plan.moves.length > 0;
  // What is left is placed in the text as fixed: readText must give that text, not the text as
  // read, or stylish frames and SARIF fingerprints the wrong line. (Fixed findings keep their
  // places in the text as read; reporters show no text for them.)
  let remaining: Finding[];
  let remainingText: (file: string) => string | undefined;
  if (written.ok && !diskMoved) {
    remaining = latest;
    remainingText = (file) => latestOverlay.get(file) ?? snapshot.textOf(file);
  } else {
    const again = prepareRun(request);
    remaining = (await checkOnce(again, NO_PROGRESS)).findings;
    remainingText = (file) => again.session.snapshot.textOf(file);
  }
  // With a write refused, the disk may hold another process's work (a concurrent --fix): only
  // what this run's own writes remove from the project as it was read counts as fixed by it,
  // and never a finding whose own fix was refused, even in part.
  const ours = written.ok ? remaining : await findingsOf(prepared, await analyse(prepared, writtenText(plan, written)));
  const left = new Set(remaining.map(identity));
  const leftByUs = new Set(ours.map(identity));
  const gone = first.findings.filter((finding) => !left.has(identity(finding)));
  const byThisRun = (finding: Finding) => !leftByUs.has(identity(finding)) && !writeRefused.has(identity(finding));
  const fixed = gone.filter(byThisRun).map((finding) => ({ ...finding, fixed: true }));
  const fixedElsewhere = gone.length - fixed.length;
  if (fixedElsewhere > 0) {
    notes.push(
      `${fixedElsewhere === 1 ? '1 problem is' : `${fixedElsewhere} problems are`} gone from the disk but not counted as fixed: ` +
        "this run's own writes did not fix them (another process changed the files meanwhile)",
    );
  }
  const reported = remaining.map((finding) => (refused.has(identity(finding)) ? { ...finding, fixRefused: true } : finding));
  return { root, findings: [...reported, ...fixed], diff: null, notes, readText: remainingText, providerStats: providerStats() };
}

/** The text of every file this run wrote or created (what it changed, as far as text goes). */
function writtenText(plan: FixPlan, report: WriteReport): Map<string, string> {
  const written = new Set(report.outcomes.filter((outcome) => outcome.status === 'written').map((outcome) => outcome.path));
  const text = new Map<string, string>();
  for (const rewrite of plan.rewrites) if (written.has(resolve(rewrite.file))) text.set(resolve(rewrite.file), rewrite.after);
  for (const create of plan.creates) if (written.has(resolve(create.file))) text.set(resolve(create.file), create.text);
  return text;
}
