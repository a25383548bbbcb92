import type { InspectedPackage, LockVerdict } from '../analysis/provider-inspection.js';
import { listWithMore } from '../util/list.js';
import { displayPath } from '../util/path.js';
import { createRule, type RuleReport } from './framework/create-rule.js';
import { AFFECTED_MESSAGES, affectedDetails, providerLabel } from './providers/affected.js';
import { quarantineFix, subjectOf } from './providers/quarantine.js';

const messages = {
  mismatch: `{{label}} at {{packageDir}} hashes to {{h1}}, which {{lockFiles}} does not list; it was not started. Terraform would \
fail with: the cached package for {{provider}} {{version}} (in .terraform/providers) does not match any of the checksums recorded \
in the dependency lock file.`,
  unhashable: `{{label}} at {{packageDir}} cannot be hashed ({{reason}}); it was not started. Terraform would fail with: failed to \
calculate checksum for {{provider}} {{version}}.`,
  'no-h1': `{{label}} at {{packageDir}} cannot be checked: the lock entry in {{lockFile}} has no h1: hash (only zh:). Run \
\`terraform providers lock -platform={{platform}}\` (plus your other platforms) in {{stack}} and commit the lock file.`,
  ...AFFECTED_MESSAGES,
} as const;

type Report = RuleReport<typeof messages>;

export const providerChecksum = createRule({
  id: 'provider-checksum',
  severity: 'error',
  fixable: true,
  summary: "An installed provider package's h1: hash is not among its lock file's h1: hashes.",
  messages,
  async check({ analysis, progress }) {
    const inspection = await analysis.providerInspection(progress);
    const reports: Report[] = [];
    for (const inspected of inspection.packages) {
      if (inspected.locks.length === 0) continue;
      const found = inspected.package;
      const common = { label: providerLabel(found), provider: found.source, version: found.version, packageDir: found.packageDir };
      const details = affectedDetails(analysis, inspected);
      const fix = () => quarantineFix(analysis, inspection, subjectOf(found));
      if (inspected.hashError !== null) {
        reports.push({ ...at(inspected.locks[0]), messageId: 'unhashable', data: { ...common, reason: inspected.hashError }, details, fix: fix() });
        continue;
      }
      const mismatches = inspected.locks.filter((verdict) => verdict.status === 'mismatch');
      if (mismatches.length > 0) {
        const lockFiles = listWithMore(mismatches.map((verdict) => displayPath(analysis.root, verdict.lockFile)), 2);
        reports.push({ ...at(mismatches[0]), messageId: 'mismatch', data: { ...common, h1: inspected.h1 ?? '', lockFiles }, details, fix: fix() });
        continue;
      }
      const unchecked = uncheckable(inspected);
      if (unchecked) {
        reports.push({
          ...at(unchecked),
          messageId: 'no-h1',
          data: {
            label: common.label,
            packageDir: found.packageDir,
            platform: found.platform,
            lockFile: displayPath(analysis.root, unchecked.lockFile),
            stack: displayPath(analysis.root, unchecked.stack.dir),
          },
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
