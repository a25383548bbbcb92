import { relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { Analysis, RunSession, type Environment } from '../analysis/analysis.js';
import type { ResultStore } from '../cache/results.js';
import type { AnyReport, Rule } from '../rules/framework/create-rule.js';
import { rules as allRules } from '../rules/index.js';
import type { Finding, Location, RuleMeta, RunOptions, Severity } from '../types.js';
import { pace } from '../util/pacing.js';
import { UsageError } from '../util/errors.js';
import { loadConfig, type DoctorConfig } from './config.js';
import { isSuppressed } from './suppressions.js';

export interface CheckRequest {
  dir: string;
  env: Environment;
  configFile?: string;
  only?: string[];
  disable?: string[];
  options: RunOptions;
  cache?: ResultStore;
}

export interface SelectedRule {
  rule: Rule;
  severity: Severity;
  /** True when the severity comes from the config file and so overrides per-report levels. */
  configured: boolean;
}

/** What stays the same for every pass of one run: the session, the config, the selected rules. */
export interface PreparedRun {
  request: CheckRequest;
  session: RunSession;
  root: string;
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

/** Finds the project root, reads the config and decides which rules run at which severity. */
export function prepareRun(request: CheckRequest & { cache: ResultStore }): PreparedRun {
  assertKnown(request.only, '--rule');
  assertKnown(request.disable, '--disable');
  const root = Analysis.rootFor(request.dir);
  const config = loadConfig(root, request.configFile, ruleIds);
  const selected: SelectedRule[] = [];
  for (const rule of allRules) {
    const id = rule.meta.id;
    if (request.only?.length && !request.only.includes(id)) continue;
    if (request.disable?.includes(id)) continue;
    const setting = config.rules[id];
    if (setting === 'off') continue;
    selected.push({ rule, severity: setting ?? rule.meta.severity, configured: setting !== undefined });
  }
  // Providers are only started for provider-handshake: without it, none is.
  const handshakes = selected.some((entry) => entry.rule.meta.id === 'provider-handshake');
  const options = { ...request.options, skipHandshakes: Boolean(request.options.skipHandshakes) || !handshakes };
  const session = new RunSession(request.env, options, request.cache, root);
  return { request: { ...request, options }, session, root, config, selected };
}

/** One pass's analysis: every file loaded and parsed, with `overlay` (earlier fixes) read first. */
export function analyse(prepared: PreparedRun, overlay?: ReadonlyMap<string, string>): Promise<Analysis> {
  return Analysis.load({ dir: prepared.request.dir, session: prepared.session, overlay });
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

function toFinding(selected: SelectedRule, report: AnyReport): Finding {
  const { rule } = selected;
  const worded = rule.word(report);
  return {
    ruleId: rule.meta.id,
    messageId: report.messageId,
    data: Object.assign({}, ...report.help.map((sentence) => sentence.data ?? {}), report.data ?? {}),
    severity: selected.configured ? selected.severity : (report.severity ?? selected.severity),
    message: worded.message,
    help: worded.help,
    helpIds: report.help.map((sentence) => sentence.messageId),
    location: report.location,
    related: worded.related,
    stack: report.stack ?? null,
    fix: report.fix ?? null,
    fixed: false,
  };
}

function relativePath(root: string, file: string): string {
  return relative(root, file).split(sep).join('/');
}

/** Runs the selected rules on one pass's analysis, then drops ignored and suppressed findings. */
export async function runRules(prepared: PreparedRun, analysis: Analysis, status: (text: string) => void = () => {}): Promise<Finding[]> {
  const { config, selected } = prepared;
  const findings: Finding[] = [];
  for (const entry of selected) {
    await pace();
    const id = entry.rule.meta.id;
    status(id);
    const context = {
      analysis,
      options: prepared.request.options,
      progress: (text: string) => status(`${id}: ${text}`),
      suppressed: (location: Location) => suppressedAt(analysis, location, id),
    };
    let reports: AnyReport[];
    try {
      reports = await entry.rule.check(context);
    } catch (error) {
      throw new RuleFailure(id, error);
    }
    findings.push(...reports.map((report) => toFinding(entry, report)));
  }
  const ignored = config.ignore.length > 0 ? picomatch(config.ignore, { dot: true }) : null;
  return findings
    .filter((finding) => {
      const location = finding.location;
      if (!location) return true;
      const rel = relativePath(analysis.root, location.file);
      if (ignored && !rel.startsWith('..') && ignored(rel)) return false;
      return !suppressedAt(analysis, location, finding.ruleId);
    })
    .sort(compareFindings);
}

/** Whether a `tm-doctor-ignore` comment on the location's line or the one above names `ruleId`. */
function suppressedAt(analysis: Analysis, location: Location, ruleId: string): boolean {
  if (!location.range) return false;
  const source = analysis.files.read(location.file);
  return source.ok && isSuppressed(source.file.lines, location.range.line, ruleId);
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
