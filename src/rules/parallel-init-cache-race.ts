import { isInsideRoot } from '../util/path.js';
import type { InitLaunch } from '../analysis/launches.js';
import { CACHE_DIR_VAR, sourceLocation } from '../analysis/settings.js';
import type { Location } from '../types.js';
import type { Stack } from '../analysis/terramate.js';
import { listWithMore } from '../util/list.js';
import { isKnown } from '../util/unknown.js';
import { displayPath } from '../util/path.js';
import { createRule, type RuleReport } from './framework/create-rule.js';

const messages = {
  race: 'terraform init ({{label}}) runs {{parallel}} stacks at a time on a plugin cache Terraform does not lock',
} as const;

const help = {
  exposed: '{{shared}} stack(s) share the cache, and {{exposed}} ({{stacks}}) lack a lock file or an h1: hash, so they re-extract providers into it on every init.',
  why: 'Terraform documents its plugin cache as not safe for concurrent use: one init can start a binary another is still writing.',
  options: 'Safe options: a serial warm-up init (`terramate run -- terraform init`) before the parallel one, complete lock files (`terraform providers lock -platform=...`), a filesystem mirror, or OpenTofu >= 1.10, which locks its cache.',
  'cache-on': 'the shared plugin cache is turned on here',
  'script-init': 'the script runs terraform init here',
} as const;

/** A serial init earlier in the same file is the warm-up the message recommends. */
function warmedUp(launch: InitLaunch, launches: InitLaunch[]): boolean {
  return launches.some(
    (other) =>
      other.file === launch.file &&
      other.tool === launch.tool &&
      other.start < launch.start &&
      other.context !== 'terramate-script' &&
      isKnown(other.parallel) &&
      other.parallel <= 1,
  );
}

export const parallelInitCacheRace = createRule({
  id: 'parallel-init-cache-race',
  severity: 'warning',
  fixable: false,
  summary: 'terraform init runs in parallel over stacks that share a plugin cache Terraform does not lock.',
  messages,
  help,
  async check({ analysis }) {
    const launches = await analysis.launches();
    const parallelInits = launches.flatMap((launch) =>
      launch.tool === 'terraform' && isKnown(launch.parallel) && launch.parallel > 1 && !warmedUp(launch, launches) ? [{ launch, parallel: launch.parallel }] : [],
    );
    if (parallelInits.length === 0) return [];

    const sharing: Stack[] = [];
    const exposed = new Set<Stack>();
    const cacheSettingOf = new Map<Stack, Location>();
    for (const stack of await analysis.terraformStacks()) {
      const cache = await analysis.setting(stack, 'terraform', CACHE_DIR_VAR);
      if (!cache) continue;
      const where = sourceLocation(cache.source);
      if (where?.range) cacheSettingOf.set(stack, where);
      sharing.push(stack);
      const lock = await analysis.lockFile(stack.dir);
      if (!lock || lock.providers.some((provider) => !provider.hashes.some((hash) => hash.startsWith('h1:')))) exposed.add(stack);
    }

    const reports: Array<RuleReport<typeof messages, typeof help>> = [];
    for (const { launch, parallel } of parallelInits) {
      const reached = sharing.filter((stack) => launch.scope === null || isInsideRoot(launch.scope, stack.dir));
      const reachedExposed = reached.filter((stack) => exposed.has(stack));
      if (reached.length < 2 || reachedExposed.length === 0) continue;
      const source = analysis.files.read(launch.file);
      reports.push({
        messageId: 'race',
        data: { label: launch.label, parallel },
        help: [
          {
            messageId: 'exposed',
            data: {
              shared: reached.length,
              exposed: reachedExposed.length,
              stacks: listWithMore(reachedExposed.map((stack) => displayPath(analysis.root, stack.dir))),
            },
          },
          { messageId: 'why' },
          { messageId: 'options' },
        ],
        related: [
          ...launch.scriptInits.flatMap((place) => {
            const script = analysis.files.read(place.file);
            return script.ok ? [{ location: { file: place.file, range: script.file.lines.range(place.start, place.end) }, label: { messageId: 'script-init' as const } }] : [];
          }),
          ...uniqueLocations(reached.map((stack) => cacheSettingOf.get(stack))).map((location) => ({ location, label: { messageId: 'cache-on' as const } })),
        ],
        location: { file: launch.file, range: source.ok ? source.file.lines.range(launch.start, launch.end) : null },
      });
    }
    return reports;
  },
});

function uniqueLocations(locations: Array<Location | undefined>): Location[] {
  const unique = new Map<string, Location>();
  for (const location of locations) if (location?.range) unique.set(`${location.file}:${location.range.line}`, location);
  return [...unique.values()];
}
