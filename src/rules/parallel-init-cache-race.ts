import type { Analysis } from '../analysis/analysis.js';
import type { InitLaunch } from '../analysis/launches.js';
import type { ParallelCondition } from '../analysis/parallelism.js';
import { CACHE_DIR_VAR, sourceLocation } from '../analysis/settings.js';
import type { Stack } from '../analysis/terramate.js';
import type { VersionEvidence } from '../analysis/tool-version.js';
import type { Location } from '../types.js';
import { listWithMore } from '../util/list.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { isKnown, UNKNOWN } from '../util/unknown.js';
import { createRule, type RelatedReport, type RuleMessage, type RuleReport } from './framework/create-rule.js';
import { warmUpFix } from './launches/warm-up-fix.js';

const messages = {
  always: '{{tool}} init ({{label}}) runs {{parallel}} stacks at a time on a shared plugin cache nothing locks',
  'by-default': '{{tool}} init ({{label}}) runs {{parallel}} at a time by default ({{variable}} ?=) on a shared, unlocked cache',
  goal: '{{tool}} init ({{label}}) is parallel when the goal {{goal}} is given ({{command}}), on a shared, unlocked cache',
  variable: '{{tool}} init ({{label}}) is parallel when {{variable}} is set ({{command}}), on a shared, unlocked cache',
  expression: '{{tool}} init ({{label}}) is parallel when a CI value is above 1, on a shared, unlocked cache',
  unknown: '{{tool}} init ({{label}}) may run in parallel on a shared, unlocked plugin cache',
} as const;

const help = {
  'cold-cache':
    'Whenever the cache lacks a package (a fresh CI runner, the first init after a provider bump, a new platform), every parallel init extracts it into the same cache directory at once, and one can start a binary another is still writing ("text file busy", truncated binaries, "Failed to read any lines from plugin\'s stdout").',
  exposed: '{{count}} of the {{shared}} stacks sharing the cache lack a lock file or an h1: hash ({{stacks}}): they re-extract providers on every init, so the window opens on every run.',
  'terraform-never-locks': 'Terraform does not lock its plugin cache, in any version.',
  'tofu-too-old': 'OpenTofu {{version}} ({{evidence}}) does not lock its plugin cache; OpenTofu 1.10 added the lock.',
  'tofu-unknown': 'The OpenTofu version is unknown (no .opentofu-version, .tool-versions, mise.toml, required_version in the stacks, nor a tofu binary to ask); OpenTofu locks its cache only from 1.10.',
  options:
    'Safe options: a serial warm-up init (`terramate run --parallel=1 -- {{tool}} init`) before the parallel one, a filesystem mirror (`provider_installation { filesystem_mirror { ... } }`), or OpenTofu >= 1.10, which locks its cache.',
  'expression-value': 'Its parallelism is {{expression}}, known only when the job runs.',
  'cache-on': 'the shared plugin cache is turned on here',
  'script-init': 'the script runs {{tool}} init here',
  'parallel-from': '{{variable}} sets the parallelism here',
} as const;

type Help = RuleMessage<typeof help>;
type Message = RuleMessage<typeof messages>;

/** The recipe, CI job or script a launch belongs to: a warm-up counts only within it. */
function blockOf(launch: InitLaunch): string {
  switch (launch.context) {
    case 'makefile':
      return `${launch.file}\0${launch.make?.recipe.targets.join(' ') ?? launch.label}`;
    case 'github-step':
      return `${launch.file}\0${launch.label.replace(/\.steps\[\d+\]$/, '')}`;
    case 'gitlab-script':
      return `${launch.file}\0${launch.label.replace(/\.(before_)?script$|\.after_script$/, '')}`;
    case 'shell':
      return launch.file;
    default:
      return `${launch.file}\0${launch.label}`;
  }
}

/** A serial init of the same tool earlier in the same recipe, job or script fills the cache first. */
function warmedUp(launch: InitLaunch, launches: InitLaunch[]): boolean {
  const block = blockOf(launch);
  return launches.some(
    (other) =>
      other !== launch &&
      other.file === launch.file &&
      other.tool === launch.tool &&
      other.start < launch.start &&
      isKnown(other.parallel) &&
      other.parallel <= 1 &&
      blockOf(other) === block,
  );
}

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

/** Stacks grouped by the cache directory they use; the groups of two or more share one. */
async function sharedCaches(analysis: Analysis, stacks: Stack[], tool: 'terraform' | 'tofu') {
  const groups = new Map<string | symbol, { stacks: Stack[]; settings: Location[] }>();
  for (const stack of stacks) {
    const cache = await analysis.setting(stack, tool, CACHE_DIR_VAR);
    if (!cache) continue;
    const key = cache.value === UNKNOWN ? UNKNOWN : cache.value;
    const group = groups.get(key) ?? { stacks: [], settings: [] };
    group.stacks.push(stack);
    const where = sourceLocation(cache.source);
    if (where?.range && !group.settings.some((known) => known.file === where.file && known.range?.line === where.range?.line)) group.settings.push(where);
    groups.set(key, group);
  }
  const shared = [...groups.values()].filter((group) => group.stacks.length >= 2);
  return { stacks: shared.flatMap((group) => group.stacks), settings: shared.flatMap((group) => group.settings) };
}

async function exposedStacks(analysis: Analysis, stacks: Stack[]): Promise<Stack[]> {
  const exposed: Stack[] = [];
  for (const stack of stacks) {
    const lock = await analysis.lockFile(stack.dir);
    if (!lock || lock.providers.some((provider) => !provider.hashes.some((hash) => hash.startsWith('h1:')))) exposed.push(stack);
  }
  return exposed;
}

export const parallelInitCacheRace = createRule({
  id: 'parallel-init-cache-race',
  severity: 'warning',
  fixable: true,
  summary: 'init runs in parallel over stacks that share a plugin cache the tool does not lock.',
  messages,
  help,
  async check({ analysis }) {
    const launches = await analysis.launches();
    const stacks = await analysis.terraformStacks();
    const config = await analysis.terramate();
    const reports: Array<RuleReport<typeof messages, typeof help>> = [];
    for (const launch of launches) {
      if (launch.context === 'terramate-script' || (isKnown(launch.parallel) && launch.parallel <= 1) || warmedUp(launch, launches)) continue;
      // Cheapest first: the shared cache; then what makes it parallel (a makefile read again per
      // goal or variable tried); then the tool's version (which may start the binary).
      const reached = stacks.filter((stack) => launch.scope === null || isInsideRoot(launch.scope, stack.dir));
      const shared = await sharedCaches(analysis, reached, launch.tool);
      if (shared.stacks.length < 2) continue;
      const condition = analysis.parallelCondition(launch);
      if (!condition) continue;
      const evidence = await analysis.toolVersion(launch.tool, shared.stacks.map((stack) => stack.dir));
      if (evidence.locksCache === true) continue;
      const exposed = await exposedStacks(analysis, shared.stacks);
      const source = analysis.files.read(launch.file);
      if (!source.ok) continue;
      const helpSentences: Help[] = [];
      if (exposed.length > 0) {
        helpSentences.push({
          messageId: 'exposed',
          data: { count: exposed.length, shared: shared.stacks.length, stacks: listWithMore(exposed.map((stack) => displayPath(analysis.root, stack.dir))) },
        });
      }
      if (condition.kind === 'expression') helpSentences.push({ messageId: 'expression-value', data: { expression: condition.text } });
      helpSentences.push({ messageId: 'cold-cache' }, evidenceHelp(evidence, analysis.root), { messageId: 'options', data: { tool: launch.tool } });
      const related: Array<RelatedReport<typeof help>> = [];
      for (const place of launch.scriptInits) {
        const script = analysis.files.read(place.file);
        if (script.ok) related.push({ location: { file: place.file, range: script.file.lines.range(place.start, place.end) }, label: { messageId: 'script-init', data: { tool: launch.tool } } });
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
        severity: exposed.length > 0 ? 'error' : undefined,
        fix: warmUpFix(launch, source.file.text, { scripts: config.scripts, readText: (file) => analysis.text(file) }),
      });
    }
    return reports;
  },
});
