import { MAY_BREAK_LOCK_VAR } from '../analysis/settings.js';
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
    unset: `TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE is not set for {{count}} stack(s) ({{stacks}}): since Terraform 1.4 the \
plugin cache is skipped for every provider whose lock entry lacks this platform's checksum, so each stack downloads it again. \
Set it to "true" in the root Terramate config.run.env. Trade-off: lock files then record only the local platform's h1: hash; \
run \`terraform providers lock -platform=...\` to keep them portable.`,
  },
  async check({ analysis }) {
    const missing: Stack[] = [];
    const tools = await analysis.launchTools();
    for (const stack of await analysis.terraformStacks()) {
      for (const tool of tools) {
        if (await analysis.setting(stack, tool, MAY_BREAK_LOCK_VAR)) continue;
        missing.push(stack);
        break;
      }
    }
    if (missing.length === 0) return [];
    return [
      {
        messageId: 'unset',
        data: { count: missing.length, stacks: listWithMore(missing.map((stack) => displayPath(analysis.root, stack.dir))) },
        location: await configRootLocation(analysis),
        fix: await runEnvFix(analysis, MAY_BREAK_LOCK_VAR, '"true"', `set ${MAY_BREAK_LOCK_VAR} = "true" in the root Terramate config.run.env`),
      },
    ];
  },
});
