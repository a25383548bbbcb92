import { CACHE_DIR_VAR, MAY_BREAK_LOCK_VAR, sourceLocation } from '../analysis/settings.js';
import type { Location } from '../types.js';
import type { Stack } from '../analysis/terramate.js';
import { displayPath } from '../util/path.js';
import { listWithMore } from '../util/list.js';
import { createRule } from './framework/create-rule.js';
import { configRootLocation } from './terramate-config/locations.js';
import { runEnvFix } from './terramate-config/run-env-fix.js';
import { unwarmedParallelInits } from './launches/race.js';

export const lockfileCacheEnv = createRule({
  id: 'lockfile-cache-env',
  severity: 'warning',
  fixable: true,
  summary: 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE is not set, so Terraform >= 1.4 bypasses the plugin cache.',
  messages: {
    unset: 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE is not set for {{count}} stack(s)',
  },
  help: {
    why: "Since Terraform 1.4 the plugin cache is skipped for every provider whose lock entry lacks this platform's checksum, so each stack downloads it again.",
    remedy: 'Set it to "true" in the root Terramate config.run.env.',
    'trade-off': "Trade-off: lock files then record only the local platform's h1: hash; run `terraform providers lock -platform=...` to keep them portable.",
    stacks: 'Stacks: {{stacks}}.',
    'cache-on': 'the plugin cache is turned on here',
    'unwarmed-race':
      'No fix is offered on its own: {{label}} runs init in parallel on this cache without a warm-up, and there the variable is no cure: a late init takes a half-written cache entry as it is and records its hash (measured with Terraform 1.11.4 on a cold cache: 5 to 64 of 100 lock files wrong with it; none in 150 after a warm-up). parallel-init-cache-race\'s fix sets it together with the warm-up.',
    'parallel-init': 'this init runs in parallel without a warm-up',
  },

  async check({ analysis }) {
    const missing: Stack[] = [];
    const cacheSettings = new Map<string, Location>();
    const tools = await analysis.launchTools();
    for (const stack of await analysis.terraformStacks()) {
      for (const tool of tools) {
        const cache = await analysis.setting(stack, tool, CACHE_DIR_VAR);
        const where = cache ? sourceLocation(cache.source) : null;
        if (where?.range) cacheSettings.set(`${where.file}:${where.range.line}`, where);
        if (await analysis.setting(stack, tool, MAY_BREAK_LOCK_VAR)) continue;
        missing.push(stack);
        break;
      }
    }
    if (missing.length === 0) return [];
    const unwarmed = await unwarmedParallelInits(analysis);
    const racing = [];
    for (const launch of unwarmed) {
      const source = analysis.files.read(launch.file);
      if (source.ok) racing.push({ location: { file: launch.file, range: source.file.lines.range(launch.start, launch.end) }, label: { messageId: 'parallel-init' as const } });
    }
    return [
      {
        messageId: 'unset',
        data: { count: missing.length },
        help: [
          { messageId: 'why' },
          { messageId: 'remedy' },
          { messageId: 'trade-off' },
          { messageId: 'stacks', data: { stacks: listWithMore(missing, 3, (stack) => displayPath(analysis.root, stack.dir)) } },
          ...(unwarmed.length > 0 ? [{ messageId: 'unwarmed-race' as const, data: { label: unwarmed[0].label } }] : []),
        ],
        related: [...[...cacheSettings.values()].map((location) => ({ location, label: { messageId: 'cache-on' as const } })), ...racing],
        location: await configRootLocation(analysis),
        fix: unwarmed.length > 0 ? null : await runEnvFix(analysis, MAY_BREAK_LOCK_VAR, '"true"', `set ${MAY_BREAK_LOCK_VAR} = "true" in the root Terramate config.run.env`),
      },
    ];
  },
});
