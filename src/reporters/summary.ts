import type { Finding } from '../types.js';

/**
 * Counts over a report. Severity counts and fix counts cover what is left (findings not
 * yet fixed); `fixed` counts what `--fix` already repaired.
 */
export interface FindingCounts {
  errors: number;
  warnings: number;
  infos: number;
  /** Unfixed findings with any fix, safe or not. */
  fixable: number;
  /** Unfixed findings whose fix `--fix` applies on its own (and has not just failed to). */
  safelyFixable: number;
  /** Unfixed findings whose fix needs `--unsafe-fixes` (and has not just failed to apply). */
  unsafelyFixable: number;
  /** Unfixed findings whose fix this --fix run tried and could not apply. */
  refused: number;
  fixed: number;
}

export function countFindings(findings: readonly Finding[]): FindingCounts {
  const counts: FindingCounts = {
    errors: 0,
    warnings: 0,
    infos: 0,
    fixable: 0,
    safelyFixable: 0,
    unsafelyFixable: 0,
    refused: 0,
    fixed: 0,
  };
  for (const finding of findings) {
    if (finding.fixed) {
      counts.fixed++;
      continue;
    }
    if (finding.severity === 'error') counts.errors++;
    else if (finding.severity === 'warning') counts.warnings++;
    else counts.infos++;
    if (finding.fix) {
      counts.fixable++;
      // Offering --fix again for a fix it just could not apply would be a false promise.
      if (finding.fixRefused) counts.refused++;
      else if (finding.fix.safe) counts.safelyFixable++;
      else counts.unsafelyFixable++;
    }
  }
  return counts;
}

/** Findings still present after fixing: what machine formats report as problems. */
export function remainingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => !finding.fixed);
}
