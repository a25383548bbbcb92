import { join } from 'node:path';
import { displayPath } from '../util/path.js';
import type { Report } from '../types.js';
import { blockLocation } from './settings/locations.js';
import { launchTools } from '../analysis/launches.js';
import { createRule } from './framework/create-rule.js';

export const lockfilePlatformHashes = createRule({
  id: 'lockfile-platform-hashes',
  severity: 'info',
  fixable: false,
  summary: 'A stack has no .terraform.lock.hcl, or a provider entry has no h1: hash.',
  messages: {
    'no-lock-file':
      'Stack {{stack}} has no .terraform.lock.hcl: it cannot use the plugin cache safely and its providers cannot be verified. ' +
      'Run `{{tool}} providers lock -platform=linux_amd64 -platform=darwin_arm64` (your platforms) in it and commit the file.',
    'no-h1':
      'The lock entry for {{provider}} {{version}} has no h1: hash (only zh:), so the installed package cannot be verified and ' +
      '{{tool}} re-extracts it into the cache. Run `{{tool}} providers lock -platform=...` for your platforms.',
  },
  async check({ project }) {
    // The tool the project runs init with writes and reads its lock files.
    const [tool] = await launchTools(project);
    const reports: Report[] = [];
    for (const stack of await project.terraformStacks()) {
      const lock = await project.lockFile(stack.dir);
      const lockPath = join(stack.dir, '.terraform.lock.hcl');
      if (!lock) {
        if (project.sources.read(lockPath).ok) continue; // present but broken: parse-error says so
        reports.push({
          messageId: 'no-lock-file',
          data: { stack: displayPath(project.root, stack.dir), tool },
          location: await blockLocation(project, stack.file, 'stack'),
          stack: stack.dir,
        });
        continue;
      }
      for (const provider of lock.providers) {
        if (provider.hashes.some((hash) => hash.startsWith('h1:'))) continue;
        reports.push({
          messageId: 'no-h1',
          data: { provider: provider.address, version: provider.version ?? '(no version)', tool },
          location: { file: lock.file, range: provider.range },
          stack: stack.dir,
        });
      }
    }
    return reports;
  },
});
