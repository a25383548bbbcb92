import { isInsideRoot } from '../util/path.js';
import type { InitLaunch } from '../analysis/launches.js';
import { CACHE_DIR_VAR } from '../analysis/settings.js';
import type { Stack } from '../analysis/terramate.js';
import { listWithMore } from '../util/list.js';
import { isKnown } from '../util/unknown.js';
import { displayPath } from '../util/path.js';
import { createRule, type RuleReport } from './framework/create-rule.js';

const messages = {
  race: `terraform init ({{label}}) runs {{parallel}} stacks at a time while {{shared}} stack(s) share the plugin cache, and \
{{exposed}} ({{stacks}}) lack a lock file or an h1: hash, so they re-extract providers into the cache on every init. Terraform \
documents its plugin cache as not safe for concurrent use. Safe options: a serial warm-up init (\`terramate run -- terraform init\`) \
before the parallel one, complete lock files (\`terraform providers lock -platform=...\`), a filesystem mirror, or OpenTofu >= 1.10, \
which locks its cache.`,
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
  async check({ analysis }) {
    const launches = await analysis.launches();
    const parallelInits = launches.flatMap((launch) =>
      launch.tool === 'terraform' && isKnown(launch.parallel) && launch.parallel > 1 && !warmedUp(launch, launches) ? [{ launch, parallel: launch.parallel }] : [],
    );
    if (parallelInits.length === 0) return [];

    const sharing: Stack[] = [];
    const exposed = new Set<Stack>();
    for (const stack of await analysis.terraformStacks()) {
      if (!(await analysis.setting(stack, 'terraform', CACHE_DIR_VAR))) continue;
      sharing.push(stack);
      const lock = await analysis.lockFile(stack.dir);
      if (!lock || lock.providers.some((provider) => !provider.hashes.some((hash) => hash.startsWith('h1:')))) exposed.add(stack);
    }

    const reports: Array<RuleReport<typeof messages>> = [];
    for (const { launch, parallel } of parallelInits) {
      const reached = sharing.filter((stack) => launch.scope === null || isInsideRoot(launch.scope, stack.dir));
      const reachedExposed = reached.filter((stack) => exposed.has(stack));
      if (reached.length < 2 || reachedExposed.length === 0) continue;
      const source = analysis.files.read(launch.file);
      reports.push({
        messageId: 'race',
        data: {
          label: launch.label,
          parallel,
          shared: reached.length,
          exposed: reachedExposed.length,
          stacks: listWithMore(reachedExposed.map((stack) => displayPath(analysis.root, stack.dir))),
        },
        location: { file: launch.file, range: source.ok ? source.file.lines.range(launch.start, launch.end) : null },
      });
    }
    return reports;
  },
});
