import { relative } from 'node:path';

import type { Report } from '../types.js';
import { inspectProviders, type InspectedPackage, type LockVerdict } from '../analysis/provider-inspection.js';
import { quarantineFix, subjectOf } from './providers/quarantine.js';
import { providerLabel, remedy, usedBy } from './providers/wording.js';
import { createRule } from './framework/create-rule.js';

const CACHED_PACKAGE_MISMATCH =
  'the cached package for {{provider}} {{version}} (in .terraform/providers) does not match any of the checksums recorded in the dependency lock file';

export const providerChecksum = createRule({
  id: 'provider-checksum',
  severity: 'error',
  fixable: true,
  summary: "An installed provider package's h1: hash is not among its lock file's h1: hashes.",
  messages: {
    mismatch:
      '{{label}} at {{packageDir}} hashes to {{h1}}, which {{lockFiles}} does not list; it was not started. ' +
      `Terraform would fail with: ${CACHED_PACKAGE_MISMATCH}. The package is {{usedBy}}. {{remedy}}`,
    unhashable:
      '{{label}} at {{packageDir}} cannot be hashed ({{reason}}); it was not started. Terraform would fail with: ' +
      'failed to calculate checksum for {{provider}} {{version}}. The package is {{usedBy}}. {{remedy}}',
    'no-h1':
      '{{label}} at {{packageDir}} cannot be checked: the lock entry in {{lockFile}} has no h1: hash (only zh:). ' +
      'Run `terraform providers lock -platform={{platform}}` (plus your other platforms) in {{stack}} and commit the lock file.',
  },
  async check(context) {
    const { project } = context;
    const inspection = await inspectProviders(context);
    const reports: Report[] = [];
    const relativeFile = (file: string): string => relative(project.root, file).split('\\').join('/');
    for (const inspected of inspection.packages) {
      if (inspected.locks.length === 0) continue;
      const found = inspected.package;
      const common = {
        label: providerLabel(found),
        provider: found.source,
        version: found.version,
        platform: found.platform,
        packageDir: found.packageDir,
        usedBy: usedBy(project, inspected),
        remedy: remedy(project, inspected),
      };
      const fix = () => quarantineFix(project, inspection, subjectOf(found));
      if (inspected.hashError !== null) {
        reports.push(at(inspected.locks[0], { messageId: 'unhashable', data: { ...common, reason: inspected.hashError }, fix: fix() }));
        continue;
      }
      const mismatches = inspected.locks.filter((verdict) => verdict.status === 'mismatch');
      if (mismatches.length > 0) {
        reports.push(
          at(mismatches[0], {
            messageId: 'mismatch',
            data: { ...common, h1: inspected.h1 ?? '', lockFiles: listFiles(mismatches.map((verdict) => relativeFile(verdict.lockFile))) },
            fix: fix(),
          }),
        );
        continue;
      }
      const unchecked = uncheckable(inspected);
      if (unchecked) {
        reports.push(
          at(unchecked, {
            messageId: 'no-h1',
            data: { ...common, lockFile: relativeFile(unchecked.lockFile), stack: relative(project.root, unchecked.stack.dir) || '.' },
            severity: 'info',
          }),
        );
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

function at(verdict: LockVerdict, report: Omit<Report, 'location' | 'stack'>): Report {
  return { ...report, location: { file: verdict.lockFile, range: verdict.range }, stack: verdict.stack.dir };
}

function listFiles(files: string[]): string {
  if (files.length === 1) return files[0];
  if (files.length <= 3) return `${files.slice(0, -1).join(', ')} and ${files[files.length - 1]}`;
  return `${files.slice(0, 2).join(', ')} and ${files.length - 2} more lock files`;
}
