import { CACHE_DIR_VAR, MAY_BREAK_LOCK_VAR, sourceLocation } from '../analysis/settings.js';
import type { Location } from '../types.js';
import type { Stack } from '../analysis/terramate.js';
import { displayPath } from '../util/path.js';
import { listWithMore } from '../util/list.js';
import { createRule } from './framework/create-rule.js';
import { configRootLocation } from './terramate-config/locations.js';
import { runEnvFix } from './terramate-config/run-env-fix.js';

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
    return [
      {
        messageId: 'unset',
        data: { count: missing.length },
        help: [
          { messageId: 'why' },
          { messageId: 'remedy' },
          { messageId: 'trade-off' },
          { messageId: 'stacks', data: { stacks: listWithMore(missing.map((stack) => displayPath(analysis.root, stack.dir))) } },
        ],
        related: [...cacheSettings.values()].map((location) => ({ location, label: { messageId: 'cache-on' } })),
        location: await configRootLocation(analysis),
        fix: await runEnvFix(analysis, MAY_BREAK_LOCK_VAR, '"true"', `set ${MAY_BREAK_LOCK_VAR} = "true" in the root Terramate config.run.env`),
      },
    ];
  },
});
