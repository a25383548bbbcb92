import type { Project } from '../../analysis/analysis.js';
import type { Report, RuleMeta, Severity } from '../../types.js';

export interface RunOptions {
  /** Never execute a provider binary. */
  noExec: boolean;
  handshakeTimeoutMs: number;
  /** Bypass the provider result cache. */
  noCache: boolean;
  /**
   * --unsafe-fixes was given: where a finding has both a safe fix and an unsafe one (outside
   * the project), the rule offers the unsafe one.
   */
  unsafeFixes?: boolean;
}

export interface RuleContext {
  project: Project;
  options: RunOptions;
  /** Shows what a long rule is doing (e.g. "handshakes 3/12"); a no-op without a display. */
  progress: (status: string) => void;
}

export interface Rule {
  meta: RuleMeta;
  check(context: RuleContext): Promise<Report[]>;
}

export const DOCS_BASE_URL = 'https://github.com/tm-doctor/tm-doctor/blob/main/docs/rules/';

export interface RuleDefinition {
  id: string;
  severity: Severity;
  fixable: boolean;
  summary: string;
  messages: Record<string, string>;
  check(context: RuleContext): Promise<Report[]>;
}

/** Builds a rule; the docs URL is derived from the id so no rule can point elsewhere. */
export function createRule(definition: RuleDefinition): Rule {
  const { check, ...meta } = definition;
  return { meta: { ...meta, docsUrl: `${DOCS_BASE_URL}${meta.id}.md` }, check };
}
