import { pathToFileURL } from 'node:url';
import type { Finding, Location, RuleMeta, Severity } from '../types.js';
import { lineFingerprints } from './fingerprint.js';
import { displayPath, isInsideRoot } from '../util/path.js';
import { remainingFindings } from './summary.js';
import type { ReportInput } from './types.js';

const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
const SOURCE_ROOT = '%SRCROOT%';
/**
 * Where a finding about the environment alone is anchored. GitHub code scanning rejects
 * the whole upload when a result has no location, no artifactLocation or an empty uri,
 * but accepts a relative uri naming no file in the repository (OpenSSF Scorecard anchors
 * repository-level results the same way), shown as that path without a preview.
 */
export const ENVIRONMENT_ARTIFACT_URI = '(environment)';

type SarifLevel = 'error' | 'warning' | 'note';

const LEVEL_OF: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

interface SarifLocation {
  id?: number;
  physicalLocation: { artifactLocation: SarifArtifactLocation; region?: SarifRegion };
  message?: { text: string };
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: SarifLevel;
  /** The message; the help follows it in `markdown`, as GitHub shows it under the alert. */
  message: { text: string; markdown?: string };
  locations: SarifLocation[];
  relatedLocations?: SarifLocation[];
  partialFingerprints?: { primaryLocationLineHash: string };
  properties?: { fix: { description: string; safe: boolean } };
}

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  helpUri: string;
  defaultConfiguration: { level: SarifLevel };
  properties: { fixable: boolean };
}

export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: Array<{
    tool: {
      driver: {
        name: string;
        version: string;
        semanticVersion: string;
        informationUri?: string;
        rules: SarifRule[];
      };
    };
    originalUriBaseIds: Record<string, { uri: string }>;
    columnKind: 'utf16CodeUnits';
    results: SarifResult[];
  }>;
}

/** Text shown as markdown: characters markdown would interpret are escaped, code spans kept. */
function escapeMarkdown(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/([\\*_[\]<>#|])/g, '\\$1')))
    .join('');
}

/** `no-sharing-on-init` becomes `NoSharingOnInit`: SARIF's name is an identifier, not prose. */
function ruleName(ruleId: string): string {
  return ruleId
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('');
}

/** The first paragraph of the rule's documentation that is not a heading. */
function firstParagraph(markdown: string): string | null {
  for (const block of markdown.split(/\r?\n\s*\r?\n/)) {
    const text = block.trim();
    if (text !== '' && !text.startsWith('#')) return text.replace(/\s*\r?\n\s*/g, ' ');
  }
  return null;
}

function toSarifRule(rule: RuleMeta, docs: string | null): SarifRule {
  const fallbackHelp = `${rule.summary}\n\nSee ${rule.docsUrl}`;
  return {
    id: rule.id,
    name: ruleName(rule.id),
    shortDescription: { text: rule.summary },
    fullDescription: { text: (docs && firstParagraph(docs)) || rule.summary },
    help: { text: docs ?? fallbackHelp, markdown: docs ?? fallbackHelp },
    helpUri: rule.docsUrl,
    defaultConfiguration: { level: LEVEL_OF[rule.severity] },
    properties: { fixable: rule.fixable },
  };
}

/** A relative path as a URI reference: each segment percent-encoded, `/` kept. */
function relativeUri(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}

function directoryUri(absDir: string): string {
  const href = pathToFileURL(absDir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

function artifactLocation(root: string, absFile: string): SarifArtifactLocation {
  if (!isInsideRoot(root, absFile)) return { uri: pathToFileURL(absFile).href };
  return { uri: relativeUri(displayPath(root, absFile)), uriBaseId: SOURCE_ROOT };
}

function toLocation(root: string, location: Location | null): SarifLocation {
  if (!location) {
    return { physicalLocation: { artifactLocation: { uri: ENVIRONMENT_ARTIFACT_URI, uriBaseId: SOURCE_ROOT } } };
  }
  const { file, range } = location;
  const physicalLocation: SarifLocation['physicalLocation'] = { artifactLocation: artifactLocation(root, file) };
  if (range) {
    physicalLocation.region = {
      startLine: range.line,
      startColumn: range.column,
      endLine: range.endLine,
      endColumn: range.endColumn,
    };
  }
  return { physicalLocation };
}

/**
 * The upload action fingerprints only results with a start line in a file inside the
 * checkout; doing the same here keeps its check of existing values quiet.
 */
function fingerprintFor(input: ReportInput, finding: Finding, cache: Map<string, string[] | null>): string | null {
  const location = finding.location;
  if (!location?.range || !input.readText || !isInsideRoot(input.root, location.file)) return null;
  let fingerprints = cache.get(location.file);
  if (fingerprints === undefined) {
    const text = input.readText(location.file);
    fingerprints = text === undefined ? null : lineFingerprints(text);
    cache.set(location.file, fingerprints);
  }
  return fingerprints?.[location.range.line - 1] ?? null;
}

export function buildSarifLog(input: ReportInput): SarifLog {
  const ruleIndex = new Map(input.rules.map((rule, index) => [rule.id, index]));
  const fingerprintCache = new Map<string, string[] | null>();
  const results = remainingFindings(input.findings).map((finding): SarifResult => {
    const index = ruleIndex.get(finding.ruleId);
    const fingerprint = fingerprintFor(input, finding, fingerprintCache);
    return {
      ruleId: finding.ruleId,
      ...(index === undefined ? {} : { ruleIndex: index }),
      level: LEVEL_OF[finding.severity],
      message: finding.help === '' ? { text: finding.message } : { text: finding.message, markdown: `${escapeMarkdown(finding.message)}\n\n${escapeMarkdown(finding.help)}` },
      locations: [toLocation(input.root, finding.location)],
      ...(finding.related.length === 0
        ? {}
        : { relatedLocations: finding.related.map((entry, id) => ({ id, ...toLocation(input.root, entry.location), message: { text: entry.message } })) }),
      ...(fingerprint === null ? {} : { partialFingerprints: { primaryLocationLineHash: fingerprint } }),
      ...(finding.fix ? { properties: { fix: { description: finding.fix.description, safe: finding.fix.safe } } } : {}),
    };
  });
  const driver: SarifLog['runs'][number]['tool']['driver'] = {
    name: input.tool.name,
    version: input.tool.version,
    semanticVersion: input.tool.version,
    ...(input.tool.informationUri ? { informationUri: input.tool.informationUri } : {}),
    rules: input.rules.map((rule) => toSarifRule(rule, input.ruleDocs(rule.id))),
  };
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver },
        originalUriBaseIds: { [SOURCE_ROOT]: { uri: directoryUri(input.root) } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function sarifReporter(input: ReportInput): string {
  return `${JSON.stringify(buildSarifLog(input), null, 2)}\n`;
}
