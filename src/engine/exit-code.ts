import { SEVERITY_RANK, type Finding, type Severity } from '../types.js';

export type FailOn = Severity | 'never';

/** 1 when a finding that is still there reaches the `--fail-on` level, else 0. */
export function exitCodeFor(findings: Finding[], failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const threshold = SEVERITY_RANK[failOn];
  return findings.some((finding) => !finding.fixed && SEVERITY_RANK[finding.severity] >= threshold) ? 1 : 0;
}
