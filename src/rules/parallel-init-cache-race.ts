import { initLaunches } from '../project/invocations.js';
import { CACHE_DIR_VAR, effectiveSetting, listStacks } from '../project/plugin-cache.js';
import type { Stack } from '../project/terramate.js';
import type { Report } from '../types.js';
import { createRule } from './rule.js';

export const parallelInitCacheRace = createRule({
  id: 'parallel-init-cache-race',
  severity: 'warning',
  fixable: false,
  summary: 'terraform init runs in parallel over stacks that share a plugin cache Terraform does not lock.',
  messages: {
    race:
      'terraform init ({{label}}) runs {{parallel}} stacks at a time while {{shared}} stack(s) share the plugin cache, and {{exposed}} ' +
      '({{stacks}}) lack a lock file or an h1: hash, so they re-extract providers into the cache on every init. Terraform documents its ' +
      'plugin cache as not safe for concurrent use. Safe options: a serial warm-up init (`terramate run -- terraform init`) before the ' +
      'parallel one, complete lock files (`terraform providers lock -platform=...`), a filesystem mirror, or OpenTofu >= 1.10, which locks its cache.',
  },
  async check({ project }) {
    const parallelInits = (await initLaunches(project)).filter(
      (launch) => launch.tool === 'terraform' && typeof launch.parallel === 'number' && launch.parallel > 1,
    );
    if (parallelInits.length === 0) return [];

    const sharing: Stack[] = [];
    const exposed: Stack[] = [];
    for (const stack of await project.stacks()) {
      if (!(await effectiveSetting(project, stack, 'terraform', CACHE_DIR_VAR))) continue;
      sharing.push(stack);
      const lock = await project.lockFile(stack.dir);
      if (!lock || lock.providers.some((provider) => !provider.hashes.some((hash) => hash.startsWith('h1:')))) exposed.push(stack);
    }
    if (sharing.length < 2 || exposed.length === 0) return [];

    return parallelInits.map((launch): Report => {
      const source = project.sources.read(launch.file);
      return {
        messageId: 'race',
        data: { label: launch.label, parallel: launch.parallel, shared: sharing.length, exposed: exposed.length, stacks: listStacks(project, exposed) },
        location: { file: launch.file, range: source.ok ? source.file.lines.range(launch.start, launch.end) : null },
      };
    });
  },
});
