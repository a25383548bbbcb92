import type { Analysis } from '../analysis/analysis.js';
import { launchesOfFileText, type InitLaunch } from '../analysis/launches.js';
import type { ParallelCondition } from '../analysis/parallelism.js';
import { MAY_BREAK_LOCK_VAR } from '../analysis/settings.js';
import type { Stack, TerramateConfig } from '../analysis/terramate.js';
import type { VersionEvidence } from '../analysis/tool-version.js';
import type { Fix } from '../types.js';
import { listWithMore } from '../util/list.js';
import { displayPath } from '../util/path.js';
import { createRule, type RelatedReport, type RuleMessage, type RuleReport } from './framework/create-rule.js';
import { racingLaunches, requirementKey, unwarmedParallelInits, type WarmUpState } from './launches/race.js';
import { launchSiteKind } from './launches/site-kind.js';
import { warmUpFix } from './launches/warm-up-fix.js';
import { runEnvFix } from './terramate-config/run-env-fix.js';

const messages = {
  always: '{{tool}} init ({{label}}) runs {{parallel}} stacks at a time on a shared plugin cache nothing locks',
  'by-default': '{{tool}} init ({{label}}) runs {{parallel}} at a time by default ({{variable}} ?=) on a shared, unlocked cache',
  goal: '{{tool}} init ({{label}}) is parallel when the goal {{goal}} is given ({{command}}), on a shared, unlocked cache',
  variable: '{{tool}} init ({{label}}) is parallel when {{variable}} is set ({{command}}), on a shared, unlocked cache',
  expression: '{{tool}} init ({{label}}) is parallel when a CI value is above 1, on a shared, unlocked cache',
  unknown: '{{tool}} init ({{label}}) may run in parallel on a shared, unlocked plugin cache',
} as const;

// Every figure below was measured with Terraform 1.11.4 (10 stacks, a 200 MB provider from a
// filesystem mirror, 5 at a time, 10 trials a row), in two series: ../notes/toolchain.md and
// bench/race.mjs (the oracle in test/oracle). Where they differ, both ends are given.
const help = {
  symptoms:
    'What users see: most often nothing at first: init exits 0 and the lock file records the hash of a half-written provider, so a later plan fails with "the cached package for PROVIDER VERSION (in .terraform/providers) does not match any of the checksums recorded in the dependency lock file"; also "open .../terraform-provider-...: text file busy" at init, "fork/exec .terraform/providers/...: text file busy" at plan, and "Error while importing ... from the shared cache directory: the provider cache at .terraform/providers has a copy of ... that doesn\'t match any of the checksums recorded in the dependency lock file".',
  'cold-cache':
    'Whenever the cache lacks a package (a fresh CI runner, the first init after a provider bump, a new platform), the parallel inits extract it into the same cache file at once: Terraform unzips in place, with no lock (measured with complete lock files: 2 of 100 stacks broken, 7 to 23 of 100 lock files given a second, wrong h1:).',
  exposed:
    '{{count}} of the {{shared}} stacks sharing the cache lack a lock file or an h1: hash ({{stacks}}): Terraform ignores the cached package for them and extracts it again on every init, so the window opens on every run (measured on a cold cache: 30 to 40 of 100 lock files recorded a wrong hash, init exiting 0).',
  'variable-no-cure':
    'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE is in effect for {{count}} of them: it is no cure without a warm-up, since a late init then takes a half-written cache entry as it is and records its hash (measured on a cold cache: 5 to 64 of 100 lock files wrong with it).',
  'warm-up-misses':
    'The serial init before it warms {{warmed}} of the {{total}} distinct provider requirements of these stacks; stacks needing the others ({{stacks}}) still extract into the cache in parallel.',
  'warm-up-bypassed':
    '{{count}} stack(s) have no lock entry with an h1: hash and TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE is not in effect for them ({{stacks}}): they ignore the warmed cache entry and extract the package again, in parallel (measured after a warm-up with no lock files: 22 to 28 of 100 lock files recorded a wrong hash; with the variable: none in 150).',
  'terraform-never-locks': 'Terraform does not lock its plugin cache, in any version.',
  'tofu-too-old': 'OpenTofu {{version}} ({{evidence}}) does not lock its plugin cache; OpenTofu 1.10 added the lock.',
  'tofu-unknown': 'The OpenTofu version is unknown (no .opentofu-version, .tool-versions, mise.toml, required_version in the stacks, nor a tofu binary to ask); OpenTofu locks its cache only from 1.10.',
  options:
    'The cure keeps the parallelism: warm the cache first with one serial `{{tool}} init -backend=false` per distinct provider requirement (the fix), with TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE set where stacks have no h1: lock entry; the parallel inits then only link what is cached. Otherwise: OpenTofu >= 1.10, which locks its cache, or no shared cache. A filesystem mirror is no way out while the cache is shared (measured: 13 to 15 of 100 stacks failed).',
  'expression-value': 'Its parallelism is {{expression}}, known only when the job runs.',
  'cache-on': 'the shared plugin cache is turned on here',
  'script-init': 'the script runs {{tool}} init here',
  'parallel-from': '{{variable}} sets the parallelism here',
  'warm-up-here': 'this serial init warms the cache first',
} as const;

type Help = RuleMessage<typeof help>;
type Message = RuleMessage<typeof messages>;

function conditionMessage(condition: ParallelCondition, common: { tool: string; label: string }): Message {
  switch (condition.kind) {
    case 'always':
      return { messageId: 'always', data: { ...common, parallel: condition.parallel } };
    case 'by-default':
      return { messageId: 'by-default', data: { ...common, parallel: condition.parallel, variable: condition.variable } };
    case 'goal':
      return { messageId: 'goal', data: { ...common, goal: condition.goal, command: condition.command } };
    case 'variable':
      return { messageId: 'variable', data: { ...common, variable: condition.variable, command: condition.command } };
    case 'expression':
      return { messageId: 'expression', data: common };
    case 'unknown':
      return { messageId: 'unknown', data: common };
  }
}

function evidenceHelp(evidence: VersionEvidence, root: string): Help {
  if (evidence.tool === 'terraform') return { messageId: 'terraform-never-locks' };
  if (evidence.version === null || evidence.source.kind === 'none') return { messageId: 'tofu-unknown' };
  return { messageId: 'tofu-too-old', data: { version: evidence.version, evidence: describeSource(evidence.source, root) } };
}

/** Where a version came from, as a place name. */
function describeSource(source: VersionEvidence['source'], root: string): string {
  switch (source.kind) {
    case 'binary':
      return `\`${source.command}\``;
    case 'required-version':
      return `required_version "${source.constraint}" in ${displayPath(root, source.file)}`;
    case 'none':
      return 'no evidence';
    default:
      return displayPath(root, source.file);
  }
}

export const parallelInitCacheRace = createRule({
  id: 'parallel-init-cache-race',
  severity: 'warning',
  fixable: true,
  summary: 'init runs in parallel over stacks that share a plugin cache the tool does not lock.',
  messages,
  help,
  async check({ analysis }) {
    const config = await analysis.terramate();
    const reports: Array<RuleReport<typeof messages, typeof help>> = [];
    for (const { launch, shared, cacheAssumed, state, condition, evidence } of await racingLaunches(analysis)) {
      // No cache yet: plugin-cache-dir reports that; the race starts once its fix adds one.
      if (cacheAssumed) continue;
      const source = analysis.files.read(launch.file);
      if (!source.ok) continue;
      const shown = (list: Stack[]) => listWithMore(list, 3, (stack) => displayPath(analysis.root, stack.dir));
      const helpSentences: Help[] = [{ messageId: 'symptoms' }];
      const warmed = state.warmUps.length > 0;
      if (!warmed && state.bypassing.length > 0) {
        helpSentences.push({ messageId: 'exposed', data: { count: state.bypassing.length, shared: shared.stacks.length, stacks: shown(state.bypassing) } });
      }
      if (!warmed && state.variableInEffect.length > 0) helpSentences.push({ messageId: 'variable-no-cure', data: { count: state.variableInEffect.length } });
      if (warmed && state.unwarmed.length > 0) {
        const total = new Set(await Promise.all(shared.stacks.map((stack) => requirementKey(analysis, stack)))).size;
        helpSentences.push({ messageId: 'warm-up-misses', data: { warmed: total - state.unwarmed.length, total, stacks: shown(state.unwarmed) } });
      }
      if (warmed && state.bypassing.length > 0) helpSentences.push({ messageId: 'warm-up-bypassed', data: { count: state.bypassing.length, stacks: shown(state.bypassing) } });
      if (condition.kind === 'expression') helpSentences.push({ messageId: 'expression-value', data: { expression: condition.text } });
      if (!warmed) helpSentences.push({ messageId: 'cold-cache' });
      helpSentences.push(evidenceHelp(evidence, analysis.root), { messageId: 'options', data: { tool: launch.tool } });
      const related: Array<RelatedReport<typeof help>> = [];
      for (const place of launch.scriptInits) {
        const script = analysis.files.read(place.file);
        if (script.ok) related.push({ location: { file: place.file, range: script.file.lines.range(place.start, place.end) }, label: { messageId: 'script-init', data: { tool: launch.tool } } });
      }
      for (const warmUp of state.warmUps) {
        related.push({ location: { file: warmUp.file, range: source.file.lines.range(warmUp.start, warmUp.end) }, label: { messageId: 'warm-up-here' } });
      }
      if (condition.kind === 'by-default') {
        const definition = analysis.files.read(condition.definedAt.file);
        if (definition.ok) {
          const start = definition.file.lines.lineStart(condition.definedAt.line);
          related.push({
            location: { file: condition.definedAt.file, range: definition.file.lines.range(start, definition.file.lines.lineEnd(condition.definedAt.line)) },
            label: { messageId: 'parallel-from', data: { variable: condition.variable } },
          });
        }
      }
      for (const location of shared.settings) related.push({ location, label: { messageId: 'cache-on' } });
      reports.push({
        ...conditionMessage(condition, { tool: launch.tool, label: launch.label }),
        help: helpSentences,
        related,
        location: { file: launch.file, range: source.file.lines.range(launch.start, launch.end) },
        severity: state.bypassing.length > 0 ? 'error' : undefined,
        fix: await raceFix(analysis, launch, source.file.text, state, config),
      });
    }
    return reports;
  },
});

/**
 * The warm-ups the launch lacks, and the lock-file variable where stacks would bypass the
 * warmed cache: both or nothing (the variable alone is no cure for a cold parallel init).
 */
async function raceFix(analysis: Analysis, launch: InitLaunch, text: string, state: WarmUpState, config: TerramateConfig): Promise<Fix | null> {
  const changes: Fix['changes'] = [];
  const descriptions: string[] = [];
  if (state.unwarmed.length > 0) {
    const relaunch = (fixed: string) => launchesOfFileText(launch, fixed, { root: analysis.root, config, readText: (file) => analysis.text(file) }, launchSiteKind(launch));
    const warmUp = warmUpFix(launch, text, { targets: state.unwarmed, relaunch });
    if (!warmUp) return null;
    changes.push(...warmUp.changes);
    descriptions.push(warmUp.description);
  }
  // The variable goes into the root config.run.env, so it reaches every launch: only once no
  // other parallel init on a shared cache is left without a warm-up.
  const othersUnwarmed = (await unwarmedParallelInits(analysis)).filter((other) => other !== launch);
  if (state.bypassing.length > 0 && othersUnwarmed.length === 0) {
    const variable = await runEnvFix(
      analysis,
      MAY_BREAK_LOCK_VAR,
      '"true"',
      `set ${MAY_BREAK_LOCK_VAR} = "true" in the root Terramate config.run.env, so stacks without an h1: lock entry reuse the warmed cache (lock files then record only this platform's h1: hash)`,
    );
    if (!variable) return null;
    changes.push(...variable.changes);
    descriptions.push(variable.description);
  }
  return changes.length > 0 ? { description: descriptions.join('; '), safe: true, changes } : null;
}
