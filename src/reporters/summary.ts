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
  /** Unfixed findings whose fix `--fix` applies on its own. */
  safelyFixable: number;
  /** Unfixed findings whose fix needs `--unsafe-fixes`. */
  unsafelyFixable: number;
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
      if (finding.fix.safe) counts.safelyFixable++;
      else counts.unsafelyFixable++;
    }
  }
  return counts;
}

/** Findings still present after fixing: what machine formats report as problems. */
export function remainingFindings(findings: readonly Finding[]): Finding[] {
  return findings.filter((finding) => !finding.fixed);
}
