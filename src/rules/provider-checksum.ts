import type { Analysis } from '../analysis/analysis.js';
import type { InspectedPackage, LockVerdict } from '../analysis/provider-inspection.js';
import type { Fix, Location, TextEdit } from '../types.js';
import { LineIndex } from '../util/line-index.js';
import { listWithMore } from '../util/list.js';
import { displayPath } from '../util/path.js';
import { createRule, type RuleReport } from './framework/create-rule.js';
import { AFFECTED_MESSAGES, affectedDetails, providerLabel } from './providers/affected.js';
import { LockConsensus, type ConsensusEntry, type ProviderVersionLocks } from './providers/lock-consensus.js';
import { insertHashBefore, lockEntryHashes, removeHash, replaceHash, type HashSpan } from './providers/lock-hashes.js';
import { quarantineFix, subjectOf } from './providers/quarantine.js';

const messages = {
  mismatch: '{{label}} does not match the h1: hashes of its lock file',
  unhashable: '{{label}} cannot be hashed, so it cannot be verified',
  'no-h1': '{{label}} cannot be checked: its lock entry has no h1: hash',
  'lock-damaged': '{{label}}: this lock file records an h1: hash no installed package has',
  'lock-lacks-hash': '{{label}}: this lock file lacks its h1: hash, which other lock files list',
  'lock-extra-hash': '{{label}}: this lock file lists an h1: hash no other lock file has',
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
  'damaged-detail': 'It records {{recorded}}, which no installed package of {{provider}} {{version}} has: what a parallel `terraform init` racing on a shared plugin cache leaves (the hash of a half-written package).',
  'damaged-vouched': 'The package itself is intact: {{packageDir}} hashes to {{h1}}, which {{vouchers}} other lock file(s) record ({{voucherFiles}}); do not quarantine it.',
  'damaged-terraform': 'The next `terraform plan` or `validate` in {{stack}} fails with: the cached package for {{provider}} {{version}} (in .terraform/providers) does not match any of the checksums recorded in the dependency lock file.',
  'damaged-fix': '--fix replaces the wrong hash with {{h1}} and changes nothing else.',
  'damaged-fix-add': '--fix adds {{h1}} and leaves the unknown hash, which could be a platform only this stack locks; once the lock file lists the package, that hash is reported as an extra and --fix --unsafe-fixes removes it.',
  'damaged-remedy': 'By hand: run `terraform providers lock -platform={{platform}}` (plus your other platforms) in {{stack}}, or remove the provider "{{address}}" block from the lock file and run `terraform init` once in {{stack}} alone, not in parallel with other stacks.',
  'lacks-detail': 'Every h1: hash it records ({{recorded}}) is also listed by other lock files (another platform\'s), none is this package\'s: the lock file lacks the hash for {{platform}}.',
  'lacks-remedy': 'Run `terraform providers lock -platform={{platform}}` (plus your other platforms) in {{stack}}, or `terraform init` there alone, and commit the lock file.',
  'extra-detail': '{{extra}} is listed in no other lock file for {{provider}} {{version}}; this one also lists {{h1}}, the hash of the installed package {{packageDir}}, as other lock files do without any extra hash.',
  'extra-why': 'A parallel `terraform init` racing on a shared plugin cache adds such a hash (that of a half-written package): nothing fails, but the lock file vouches for a package that never existed.',
  'extra-platform': 'It can also be the hash of a platform only this stack locks: if so, ignore this finding.',
  'extra-half-written': '{{extra}} is the hash of the installed package with a file still empty, as a racing extraction leaves it for a moment: it is no platform\'s hash.',
  'extra-remedy-safe': '--fix removes the hash line; `terraform providers lock -platform={{platform}}` (plus your other platforms) in {{stack}} rewrites the entry from the source.',
  'extra-remedy': 'With --fix --unsafe-fixes the hash line is removed; `terraform providers lock -platform={{platform}}` (plus your other platforms) in {{stack}} rewrites the entry from the source.',
  'vouching-lock': "this lock file records the package's hash",
  'agreeing-lock': 'this lock file lists the same package without the extra hash',
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
    const consensus = await LockConsensus.of(analysis);
    // First what every installed package says about its provider version's lock files: its
    // hash, and the entries that fail it (those cannot vouch for other platforms' hashes).
    for (const inspected of inspection.packages) {
      if (inspected.h1 === null) continue;
      const failing = inspected.locks.filter((verdict) => verdict.status === 'mismatch').flatMap((verdict) => entryOf(consensus, inspected, verdict) ?? []);
      const locks = consensus.version(inspected.package.source, inspected.package.version);
      locks.noteInstalled(inspected.h1, failing);
      locks.noteHalfWritten(inspected.halfWrittenH1s);
    }
    const reports: Report[] = [];
    const reported = new Set<ConsensusEntry>();
    for (const inspected of inspection.packages) {
      if (inspected.locks.length === 0) continue;
      const found = inspected.package;
      const label = providerLabel(found);
      const release = { provider: found.source, version: found.version };
      const affected = affectedDetails(analysis, inspected);
      const packageDir = { messageId: 'package', data: { packageDir: found.packageDir } } as const;
      const fix = () => quarantineFix(analysis, inspection, subjectOf(found));
      if (inspected.hashError !== null || inspected.h1 === null) {
        reports.push({
          ...at(inspected.locks[0]),
          messageId: 'unhashable',
          data: { label },
          help: [{ messageId: 'unhashable-detail', data: { reason: inspected.hashError ?? 'no hash' } }, { messageId: 'unhashable-terraform', data: release }, packageDir, ...affected],
          fix: fix(),
        });
        continue;
      }
      const h1 = inspected.h1;
      const locks = consensus.version(found.source, found.version);
      const vouchers = locks.vouchersOf(h1);
      const mismatches = inspected.locks.filter((verdict) => verdict.status === 'mismatch');
      if (mismatches.length > 0 && vouchers.length === 0) {
        // Nothing vouches for the package: it may really be damaged.
        const lockFiles = listWithMore(mismatches, 2, (verdict) => displayPath(analysis.root, verdict.lockFile));
        reports.push({
          ...at(mismatches[0]),
          messageId: 'mismatch',
          data: { label },
          help: [{ messageId: 'mismatch-detail', data: { h1, lockFiles } }, { messageId: 'mismatch-terraform', data: release }, packageDir, ...affected],
          related: mismatches.slice(1).map((verdict) => ({ location: { file: verdict.lockFile, range: verdict.range }, label: { messageId: 'also-unlisted' as const } })),
          fix: fix(),
        });
        continue;
      }
      // Other lock files vouch for the package: the lock files that do not list it are wrong.
      for (const verdict of mismatches) {
        const entry = entryOf(consensus, inspected, verdict);
        if (!entry || reported.has(entry)) continue;
        reported.add(entry);
        reports.push(lockFailingReport(analysis, inspected, verdict, entry, locks, vouchers));
      }
      const unchecked = vouchers.length === 0 ? inspected.locks.find((verdict) => verdict.status === 'no-h1') : undefined;
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
      for (const verdict of inspected.locks) {
        if (verdict.status !== 'match') continue;
        const entry = entryOf(consensus, inspected, verdict);
        if (!entry || reported.has(entry)) continue;
        const extra = extraHashReport(analysis, inspected, verdict, entry, locks);
        if (!extra) continue;
        reported.add(entry);
        reports.push(extra);
      }
    }
    return reports;
  },
});

/**
 * A lock entry that does not list a package other lock files vouch for: race damage when it
 * records a hash nothing accounts for (fixed by replacing that hash), else a lock file that
 * lacks this platform's hash.
 */
function lockFailingReport(
  analysis: Analysis,
  inspected: InspectedPackage,
  verdict: LockVerdict,
  entry: ConsensusEntry,
  locks: ProviderVersionLocks,
  vouchers: ConsensusEntry[],
): Report {
  const found = inspected.package;
  const h1 = inspected.h1 ?? '';
  const label = providerLabel(found);
  const stack = displayPath(analysis.root, verdict.stack.dir);
  const voucherFiles = listWithMore(vouchers, 2, (voucher) => displayPath(analysis.root, voucher.file));
  const related = [{ location: { file: vouchers[0].file, range: vouchers[0].range }, label: { messageId: 'vouching-lock' as const } }];
  const wrong = locks.unaccountedInFailing(entry);
  if (wrong.length === 0) {
    return {
      ...at(verdict),
      messageId: 'lock-lacks-hash',
      data: { label },
      help: [
        { messageId: 'lacks-detail', data: { recorded: listWithMore(entry.h1s), platform: found.platform } },
        { messageId: 'damaged-vouched', data: { packageDir: found.packageDir, h1, vouchers: vouchers.length, voucherFiles } },
        { messageId: 'damaged-terraform', data: { stack, provider: found.source, version: found.version } },
        { messageId: 'lacks-remedy', data: { platform: found.platform, stack } },
      ],
      related,
    };
  }
  const text = analysis.text(verdict.lockFile);
  const hashes = text === undefined ? null : lockEntryHashes(text, entry.address);
  const spans = hashes?.spans.filter((span) => wrong.includes(span.hash)) ?? [];
  const fixable = text !== undefined && spans.length > 0 && hashes?.spans.every((span) => span.hash !== h1);
  // Only a hash known to be the package's half-written one is replaced; any other stays beside the
  // added one (it could be a platform only this stack locks) and is reported again as an extra.
  const certain = spans.filter((span) => locks.isHalfWritten(span.hash));
  const lockFile = displayPath(analysis.root, verdict.lockFile);
  const fix: Fix | null =
    fixable && text !== undefined
      ? certain.length === spans.length
        ? {
            description: `replace ${spans.length === 1 ? 'the h1: hash' : `the ${spans.length} h1: hashes`} of a half-written package in ${lockFile} with ${h1}, which ${vouchers.length} other lock file(s) record`,
            safe: true,
            changes: [replaceHash(verdict.lockFile, spans[0], h1), ...spans.slice(1).map((span): TextEdit => removeHash(verdict.lockFile, text, span))],
          }
        : {
            description: `add ${h1}, which ${vouchers.length} other lock file(s) record, to ${lockFile}${certain.length > 0 ? ` and remove the half-written package's ${certain.length === 1 ? 'hash' : 'hashes'}` : ''}`,
            safe: true,
            changes: [insertHashBefore(verdict.lockFile, text, spans[0], h1), ...certain.map((span): TextEdit => removeHash(verdict.lockFile, text, span))],
          }
      : null;
  return {
    ...atFirstHash(verdict, text, spans),
    messageId: 'lock-damaged',
    data: { label },
    help: [
      { messageId: 'damaged-detail', data: { recorded: listWithMore(wrong), provider: found.source, version: found.version } },
      { messageId: 'damaged-vouched', data: { packageDir: found.packageDir, h1, vouchers: vouchers.length, voucherFiles } },
      { messageId: 'damaged-terraform', data: { stack, provider: found.source, version: found.version } },
      ...(fix ? [certain.length === spans.length ? { messageId: 'damaged-fix' as const, data: { h1 } } : { messageId: 'damaged-fix-add' as const, data: { h1 } }] : []),
      { messageId: 'damaged-remedy', data: { platform: found.platform, stack, address: entry.address } },
    ],
    related,
    fix,
  };
}

/**
 * A lock entry that lists the package's hash and others that only it lists, while another
 * lock file for the same provider version lists the package's hash without any such hash.
 */
function extraHashReport(analysis: Analysis, inspected: InspectedPackage, verdict: LockVerdict, entry: ConsensusEntry, locks: ProviderVersionLocks): Report | null {
  const h1 = inspected.h1 ?? '';
  const extras = locks.onlyHere(entry).filter((hash) => hash !== h1);
  if (extras.length === 0) return null;
  // A half-written package's hash is damage for certain; any other extra only beside a lock
  // file that lists the package without extras.
  const certain = extras.every((hash) => locks.isHalfWritten(hash));
  const agreeing = locks.entries.find((other) => other !== entry && other.h1s.includes(h1) && locks.onlyHere(other).every((hash) => hash === h1));
  if (!agreeing && !certain) return null;
  const found = inspected.package;
  const label = providerLabel(found);
  const stack = displayPath(analysis.root, verdict.stack.dir);
  const text = analysis.text(verdict.lockFile);
  const spans = text === undefined ? [] : (lockEntryHashes(text, entry.address)?.spans.filter((span) => extras.includes(span.hash)) ?? []);
  const fix: Fix | null =
    text !== undefined && spans.length === extras.length
      ? {
          description: `remove ${extras.length === 1 ? 'the h1: hash' : `the ${extras.length} h1: hashes`} only ${displayPath(analysis.root, verdict.lockFile)} lists for ${found.source} ${found.version}`,
          safe: certain,
          changes: spans.map((span) => removeHash(verdict.lockFile, text, span)),
        }
      : null;
  return {
    ...atFirstHash(verdict, text, spans),
    messageId: 'lock-extra-hash',
    data: { label },
    help: [
      { messageId: 'extra-detail', data: { extra: listWithMore(extras), provider: found.source, version: found.version, h1, packageDir: found.packageDir } },
      { messageId: 'extra-why' },
      certain ? { messageId: 'extra-half-written', data: { extra: listWithMore(extras) } } : { messageId: 'extra-platform' },
      certain ? { messageId: 'extra-remedy-safe', data: { platform: found.platform, stack } } : { messageId: 'extra-remedy', data: { platform: found.platform, stack } },
    ],
    related: agreeing ? [{ location: { file: agreeing.file, range: agreeing.range }, label: { messageId: 'agreeing-lock' } }] : [],
    // Certain damage warns; an extra that may be a platform only this stack locks informs.
    severity: certain ? 'warning' : 'info',
    fix,
  };
}

function entryOf(consensus: LockConsensus, inspected: InspectedPackage, verdict: LockVerdict): ConsensusEntry | undefined {
  return consensus.entry(verdict.lockFile, inspected.package.source);
}

function at(verdict: LockVerdict): Pick<Report, 'location' | 'stack'> {
  return { location: { file: verdict.lockFile, range: verdict.range }, stack: verdict.stack.dir };
}

/** The place of a hash string, quotes included. */
/** At the first of the hash strings reported (quotes included), else at the lock entry. */
function atFirstHash(verdict: LockVerdict, text: string | undefined, spans: readonly HashSpan[]): Pick<Report, 'location' | 'stack'> {
  if (spans.length === 0 || text === undefined) return at(verdict);
  const location: Location = { file: verdict.lockFile, range: new LineIndex(text).range(spans[0].start - 1, spans[0].end + 1) };
  return { location, stack: verdict.stack.dir };
}
