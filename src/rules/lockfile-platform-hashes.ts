import { join } from 'node:path';
import { displayPath } from '../util/path.js';
import { createRule, type RuleReport } from './framework/create-rule.js';
import { blockLocation } from './terramate-config/locations.js';

const messages = {
  'no-lock-file': 'Stack {{stack}} has no .terraform.lock.hcl',
  'no-h1': 'The lock entry for {{provider}} {{version}} has no h1: hash (only zh:)',
} as const;

const help = {
  'no-lock-file-why': 'Without a lock file the stack cannot use the plugin cache safely and its installed providers cannot be verified.',
  'no-h1-why': 'zh: hashes describe release archives, not the unpacked package: the installed provider cannot be verified, and {{tool}} re-extracts it into the cache.',
  lock: 'Run `{{tool}} providers lock -platform=linux_amd64 -platform=darwin_arm64` (your platforms) in the stack and commit the lock file.',
} as const;

export const lockfilePlatformHashes = createRule({
  id: 'lockfile-platform-hashes',
  severity: 'info',
  fixable: false,
  summary: 'A stack has no .terraform.lock.hcl, or a provider entry has no h1: hash.',
  messages,
  help,
  async check({ analysis }) {
    // The tool the project runs init with writes and reads its lock files.
    const [tool] = await analysis.launchTools();
    const reports: Array<RuleReport<typeof messages, typeof help>> = [];
    for (const stack of await analysis.terraformStacks()) {
      const lock = await analysis.lockFile(stack.dir);
      if (!lock) {
        if (analysis.files.read(join(stack.dir, '.terraform.lock.hcl')).ok) continue; // present but broken: parse-error says so
        reports.push({
          messageId: 'no-lock-file',
          data: { stack: displayPath(analysis.root, stack.dir) },
          help: [{ messageId: 'no-lock-file-why' }, { messageId: 'lock', data: { tool } }],
          location: await blockLocation(analysis, stack.file, 'stack'),
          stack: stack.dir,
        });
        continue;
      }
      for (const provider of lock.providers) {
        if (provider.hashes.some((hash) => hash.startsWith('h1:'))) continue;
        reports.push({
          messageId: 'no-h1',
          data: { provider: provider.address, version: provider.version ?? '(no version)' },
          help: [{ messageId: 'no-h1-why', data: { tool } }, { messageId: 'lock', data: { tool } }],
          location: { file: lock.file, range: provider.range },
          stack: stack.dir,
        });
      }
    }
    return reports;
  },
});
