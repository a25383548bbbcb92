import type { InspectedPackage, LockVerdict } from '../analysis/provider-inspection.js';
import { listWithMore } from '../util/list.js';
import { displayPath } from '../util/path.js';
import { createRule, type RuleReport } from './framework/create-rule.js';
import { AFFECTED_MESSAGES, affectedDetails, providerLabel } from './providers/affected.js';
import { quarantineFix, subjectOf } from './providers/quarantine.js';

const messages = {
  mismatch: '{{label}} does not match the h1: hashes of its lock file',
  unhashable: '{{label}} cannot be hashed, so it cannot be verified',
  'no-h1': '{{label}} cannot be checked: its lock entry has no h1: hash',
} as const;

const help = {
  'mismatch-detail': 'It hashes to {{h1}}, which is not listed in {{lockFiles}}; it was not started.',
  'mismatch-terraform': 'Terraform would fail with: the cached package for {{provider}} {{version}} (in .terraform/providers) does not match any of the checksums recorded in the dependency lock file.',
  'unhashable-detail': '{{reason}}; it was not started.',
  'unhashable-terraform': 'Terraform would fail with: failed to calculate checksum for {{provider}} {{version}}.',
  'no-h1-detail': 'Package {{packageDir}}: the lock entry in {{lockFile}} has only zh: hashes, which describe release archives.',
  'no-h1-remedy': 'Run `terraform providers lock -platform={{platform}}` (plus your other platforms) in {{stack}} and commit the lock file.',
  package: 'Package {{packageDir}}.',
  'also-unlisted': 'this lock file does not list its hash either',
  ...AFFECTED_MESSAGES,
} as const;

type Report = RuleReport<typeof messages, typeof help>;

export const providerChecksum = createRule({
  id: 'provider-checksum',
  severity: 'error',
  fixable: true,
  summary: "An installed provider package's h1: hash is not among its lock file's h1: hashes.",
  messages,
  help,
  async check({ analysis, progress }) {
    const inspection = await analysis.providerInspection(progress);
    const reports: Report[] = [];
    for (const inspected of inspection.packages) {
      if (inspected.locks.length === 0) continue;
      const found = inspected.package;
      const label = providerLabel(found);
      const release = { provider: found.source, version: found.version };
      const affected = affectedDetails(analysis, inspected);
      const packageDir = { messageId: 'package', data: { packageDir: found.packageDir } } as const;
      const fix = () => quarantineFix(analysis, inspection, subjectOf(found));
      if (inspected.hashError !== null) {
        reports.push({
          ...at(inspected.locks[0]),
          messageId: 'unhashable',
          data: { label },
          help: [{ messageId: 'unhashable-detail', data: { reason: inspected.hashError } }, { messageId: 'unhashable-terraform', data: release }, packageDir, ...affected],
          fix: fix(),
        });
        continue;
      }
      const mismatches = inspected.locks.filter((verdict) => verdict.status === 'mismatch');
      if (mismatches.length > 0) {
        const lockFiles = listWithMore(mismatches.map((verdict) => displayPath(analysis.root, verdict.lockFile)), 2);
        reports.push({
          ...at(mismatches[0]),
          messageId: 'mismatch',
          data: { label },
          help: [{ messageId: 'mismatch-detail', data: { h1: inspected.h1 ?? '', lockFiles } }, { messageId: 'mismatch-terraform', data: release }, packageDir, ...affected],
          related: mismatches.slice(1).map((verdict) => ({ location: { file: verdict.lockFile, range: verdict.range }, label: { messageId: 'also-unlisted' as const } })),
          fix: fix(),
        });
        continue;
      }
      const unchecked = uncheckable(inspected);
      if (unchecked) {
        reports.push({
          ...at(unchecked),
          messageId: 'no-h1',
          data: { label },
          help: [
            { messageId: 'no-h1-detail', data: { packageDir: found.packageDir, lockFile: displayPath(analysis.root, unchecked.lockFile) } },
            { messageId: 'no-h1-remedy', data: { platform: found.platform, stack: displayPath(analysis.root, unchecked.stack.dir) } },
          ],
          severity: 'info',
        });
      }
    }
    return reports;
  },
});

/** The first lock entry without h1:, when no lock entry could vouch for the package. */
function uncheckable(inspected: InspectedPackage): LockVerdict | undefined {
  if (inspected.locks.some((verdict) => verdict.status === 'match')) return undefined;
  return inspected.locks.find((verdict) => verdict.status === 'no-h1');
}

function at(verdict: LockVerdict): Pick<Report, 'location' | 'stack'> {
  return { location: { file: verdict.lockFile, range: verdict.range }, stack: verdict.stack.dir };
}
