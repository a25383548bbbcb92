import { relative, sep } from 'node:path';
import picomatch from 'picomatch';
import type { DiskSnapshot } from '../analysis/snapshot.js';
import type { ResultCache } from '../analysis/result-cache.js';
import { Project, type Environment } from '../analysis/analysis.js';
import { rules as allRules } from '../rules/index.js';
import type { Rule, RunOptions } from '../rules/framework/create-rule.js';
import { UsageError, type Finding, type Report, type RuleMeta, type Severity } from '../types.js';
import { loadConfig, type DoctorConfig } from './config.js';
import { formatMessage } from '../rules/framework/messages.js';
import { isSuppressed } from './suppressions.js';

export interface CheckRequest {
  dir: string;
  env: Environment;
  configFile?: string;
  only?: string[];
  disable?: string[];
  options: RunOptions;
  overlay?: ReadonlyMap<string, string>;
  /** Shared by the passes of a --fix run, so each file is read from disk once. */
  snapshot?: DiskSnapshot;
  cache?: ResultCache;
}

export interface SelectedRule {
  rule: Rule;
  severity: Severity;
  /** True when the severity comes from the config file and so overrides per-report levels. */
  configured: boolean;
}

export interface PreparedCheck {
  request: CheckRequest;
  project: Project;
  config: DoctorConfig;
  selected: SelectedRule[];
}

export const ruleIds = allRules.map((rule) => rule.meta.id);

export function ruleMetas(): RuleMeta[] {
  return allRules.map((rule) => rule.meta);
}

function assertKnown(ids: string[] | undefined, flag: string): void {
  for (const id of ids ?? []) {
    if (!ruleIds.includes(id)) throw new UsageError(`${flag} ${id}: unknown rule`, `Known rules: ${ruleIds.join(', ')}.`);
  }
}

/** Finds the project, reads the config and decides which rules run at which severity. */
export async function prepareCheck(request: CheckRequest): Promise<PreparedCheck> {
  assertKnown(request.only, '--rule');
  assertKnown(request.disable, '--disable');
  const project = await Project.load({ dir: request.dir, env: request.env, overlay: request.overlay, snapshot: request.snapshot, cache: request.cache });
  const config = loadConfig(project.root, request.configFile, ruleIds);
  const selected: SelectedRule[] = [];
  for (const rule of allRules) {
    const id = rule.meta.id;
    if (request.only?.length && !request.only.includes(id)) continue;
    if (request.disable?.includes(id)) continue;
    const setting = config.rules[id];
    if (setting === 'off') continue;
    selected.push({ rule, severity: setting ?? rule.meta.severity, configured: setting !== undefined });
  }
  return { request, project, config, selected };
}

export class RuleFailure extends Error {
  constructor(
    readonly ruleId: string,
    readonly cause: unknown,
  ) {
    super(`rule ${ruleId} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RuleFailure';
  }
}

function toFinding(selected: SelectedRule, report: Report): Finding {
  const { meta } = selected.rule;
  return {
    ruleId: meta.id,
    severity: selected.configured ? selected.severity : (report.severity ?? selected.severity),
    message: formatMessage(meta, report.messageId, report.data),
    location: report.location,
    stack: report.stack ?? null,
    fix: report.fix ?? null,
    fixed: false,
  };
}

function relativePath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** Runs the selected rules in order (parse-error last, so it sees every file's problems). */
export async function runRules(prepared: PreparedCheck, status: (text: string) => void = () => {}): Promise<Finding[]> {
  const { project, config, selected } = prepared;
  const ordered = [...selected].sort((a, b) => Number(a.rule.meta.id === 'parse-error') - Number(b.rule.meta.id === 'parse-error'));
  const findings: Finding[] = [];
  for (const entry of ordered) {
    const id = entry.rule.meta.id;
    status(id);
    const context = { project, options: prepared.request.options, progress: (text: string) => status(`${id}: ${text}`) };
    let reports: Report[];
    try {
      reports = await entry.rule.check(context);
    } catch (error) {
      throw new RuleFailure(entry.rule.meta.id, error);
    }
    findings.push(...reports.map((report) => toFinding(entry, report)));
  }
  const ignored = config.ignore.length > 0 ? picomatch(config.ignore, { dot: true }) : null;
  return findings
    .filter((finding) => {
      const location = finding.location;
      if (!location) return true;
      const rel = relativePath(project.root, location.file);
      if (ignored && !rel.startsWith('..') && ignored(rel)) return false;
      if (!location.range) return true;
      const text = project.sources.text(location.file);
      return text === undefined || !isSuppressed(text.split(/\r?\n/), location.range.line, finding.ruleId);
    })
    .sort(compareFindings);
}

export function compareFindings(a: Finding, b: Finding): number {
  const fileA = a.location?.file ?? '';
  const fileB = b.location?.file ?? '';
  if (fileA !== fileB) return fileA < fileB ? -1 : 1;
  const lineA = a.location?.range?.line ?? 0;
  const lineB = b.location?.range?.line ?? 0;
  if (lineA !== lineB) return lineA - lineB;
  const columnA = a.location?.range?.column ?? 0;
  const columnB = b.location?.range?.column ?? 0;
  if (columnA !== columnB) return columnA - columnB;
  return a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0;
}
