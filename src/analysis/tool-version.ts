// Which version of Terraform or OpenTofu a project runs, and whether that version locks the
// provider plugin cache: OpenTofu does since 1.10.0 (opentofu/opentofu PR 1878); Terraform
// never does. The evidence comes from version-manager files, then from the stacks'
// `required_version` constraints (read with HashiCorp go-version's semantics, ported below),
// then from the binary on PATH.
import { noteUnrepeatable } from '../util/dependency-record.js';
import { readdirSync, statSync } from '../util/observed-fs.js';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

import { blocksAtPath, childAttributes, nodeRange, type HclDocument } from '../parsers/hcl.js';
import { readAt } from '../providers/header.js';
import { findOnPath, runTool } from '../providers/run-tool.js';
import type { Tool } from './cli-config.js';

export type { Tool } from './cli-config.js';

/** The first OpenTofu release that locks the plugin cache. */
export const TOFU_CACHE_LOCK_VERSION = '1.10.0';

export type VersionSource =
  | { kind: 'version-file'; file: string; line: number }
  | { kind: 'tool-versions'; file: string; line: number }
  | { kind: 'mise'; file: string; line: number }
  | { kind: 'required-version'; file: string; line: number; constraint: string }
  | { kind: 'binary'; command: string }
  | { kind: 'none' };

export interface VersionEvidence {
  tool: Tool;
  /** The version named (e.g. "1.9.1"), or the lowest version a constraint allows, or null. */
  version: string | null;
  source: VersionSource;
  /** true: every version the evidence allows locks the cache; false: it does not; null: unknown. */
  locksCache: boolean | null;
}

export interface VersionInputs {
  tool: Tool;
  /** Project root (absolute). */
  root: string;
  /** Absolute directories of the stacks the init reaches. */
  stackDirs: string[];
  /** The project's file store: undefined when missing or unreadable. */
  readText: (file: string) => string | undefined;
  /** HashiCorp's parse of an HCL file (the Analysis's `hcl`); null when unreadable. */
  hcl: (file: string) => Promise<HclDocument | null>;
  /**
   * The entries of a directory the caller already listed (isFile null: a link, to be
   * followed); undefined when it did not, and the directory is read.
   */
  listDir?: (dir: string) => ReadonlyArray<{ name: string; isFile: boolean | null }> | undefined;
  /** PATH is used to find the binary, and is the only variable the binary sees. */
  env: Record<string, string | undefined>;
  /** false under --no-exec: the binary is never run. */
  exec: boolean;
  /** Limit for `<tool> version -json`; default 10 s. */
  timeoutMs?: number;
  /** Where the binary's private temp dir is made; default os.tmpdir(). */
  tempRoot?: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Evidence in this order: the version-manager file (`.opentofu-version` /
 * `.terraform-version`), asdf's `.tool-versions`, mise's `mise.toml` / `.mise.toml`, the
 * stacks' `required_version` constraints, then `<tool> version -json`. The first source that
 * decides whether the cache is locked wins; a source that only partly answers (a stack it does
 * not cover, constraints that allow versions on both sides of 1.10.0) lets the later ones
 * decide, and is returned when none does.
 */
export async function versionEvidence(inputs: VersionInputs): Promise<VersionEvidence> {
  const root = resolve(inputs.root);
  const stacks = unique(inputs.stackDirs.length > 0 ? inputs.stackDirs.map((dir) => resolve(dir)) : [root]);
  // Each stack's directories up to the root, computed once for the three kinds of pin.
  let chains: Map<string, string[]> | undefined;
  const chainsOf = () => (chains ??= new Map(stacks.map((stack) => [stack, dirsUpTo(stack, root)])));
  const sources: Array<() => Promise<VersionEvidence | null> | VersionEvidence | null> = [
    () => pinEvidence(inputs.tool, 'version-file', chainsOf(), (dir) => versionFilePin(inputs, dir)),
    () => pinEvidence(inputs.tool, 'tool-versions', chainsOf(), (dir) => toolVersionsPin(inputs, dir)),
    () => pinEvidence(inputs.tool, 'mise', chainsOf(), (dir) => misePin(inputs, dir)),
    () => (inputs.stackDirs.length > 0 ? requiredVersionEvidence(inputs, stacks) : null),
    () => (inputs.exec ? binaryEvidence(inputs) : null),
  ];
  let partial: VersionEvidence | null = null;
  for (const source of sources) {
    const evidence = await source();
    if (!evidence) continue;
    if (evidence.locksCache !== null) return evidence;
    partial ??= evidence;
  }
  return partial ?? { tool: inputs.tool, version: null, source: { kind: 'none' }, locksCache: inputs.tool === 'terraform' ? false : null };
}

/**
 * What is known without any evidence: Terraform never locks its plugin cache, whatever its
 * version, so no file need be read (nor the binary run) to know it; null for OpenTofu.
 */
export function evidenceNotNeeded(tool: Tool): VersionEvidence | null {
  return tool === 'terraform' ? { tool, version: null, source: { kind: 'none' }, locksCache: false } : null;
}

/** Whether a tool at this version locks the cache (a pre-release of 1.10.0 comes before 1.10.0). */
export function versionLocksCache(tool: Tool, version: GoVersion): boolean {
  return tool === 'tofu' && compareVersions(version, LOCK_VERSION) >= 0;
}

// ---- Version-manager files ----------------------------------------------------------------

interface Pin {
  file: string;
  line: number;
  version: GoVersion;
  /** As written, without a leading `v`. */
  text: string;
}

type PinKind = 'version-file' | 'tool-versions' | 'mise';

/** Each stack's nearest pin (the stack dir, then its ancestors up to the root); the lowest wins. */
function pinEvidence(tool: Tool, kind: PinKind, chains: Map<string, string[]>, pinIn: (dir: string) => Pin | null): VersionEvidence | null {
  // Stacks share their ancestors: each directory is looked at once.
  const seen = new Map<string, Pin | null>();
  const pinOf = (dir: string): Pin | null => {
    let pin = seen.get(dir);
    if (pin === undefined) {
      pin = pinIn(dir);
      seen.set(dir, pin);
    }
    return pin;
  };
  const found = [...chains.values()].map((chain) => {
    for (const dir of chain) {
      const pin = pinOf(dir);
      if (pin) return pin;
    }
    return null;
  });
  const pins = found.filter((pin): pin is Pin => pin !== null);
  if (pins.length === 0) return null;
  const lowest = pins.reduce((low, pin) => (compareVersions(pin.version, low.version) < 0 ? pin : low));
  const everyStack = pins.length === found.length;
  return {
    tool,
    version: lowest.text,
    source: { kind, file: lowest.file, line: lowest.line },
    locksCache: decide(tool, versionLocksCache(tool, lowest.version), everyStack),
  };
}

/** Terraform never locks; OpenTofu below 1.10 does not; at or above, only if every stack is covered. */
function decide(tool: Tool, locks: boolean, everyStack: boolean): boolean | null {
  if (tool === 'terraform' || !locks) return false;
  return everyStack ? true : null;
}

const VERSION_FILE: Record<Tool, string> = { tofu: '.opentofu-version', terraform: '.terraform-version' };
const ASDF_NAME: Record<Tool, string> = { tofu: 'opentofu', terraform: 'terraform' };
const MISE_FILES = ['mise.toml', '.mise.toml'];

/** tofuenv/tfenv read the file's content as the version: its first line, trimmed; `latest...`, `min-required` are not versions. */
function versionFilePin(inputs: VersionInputs, dir: string): Pin | null {
  const file = join(dir, VERSION_FILE[inputs.tool]);
  const text = inputs.readText(file);
  if (text === undefined) return null;
  const pinned = parsePinnedVersion(text.split('\n')[0] ?? '');
  return pinned ? { file, line: 1, ...pinned } : null;
}

/** asdf: `opentofu 1.9.1 [fallback...]`, `#` starts a comment; the first version counts. */
function toolVersionsPin(inputs: VersionInputs, dir: string): Pin | null {
  const file = join(dir, '.tool-versions');
  const text = inputs.readText(file);
  if (text === undefined) return null;
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const words = lines[index].replace(/#.*/, '').trim().split(/\s+/);
    if (words[0] !== ASDF_NAME[inputs.tool] || words.length < 2) continue;
    const pinned = parsePinnedVersion(words[1]);
    return pinned ? { file, line: index + 1, ...pinned } : null;
  }
  return null;
}

function misePin(inputs: VersionInputs, dir: string): Pin | null {
  for (const name of MISE_FILES) {
    const file = join(dir, name);
    const text = inputs.readText(file);
    if (text === undefined) continue;
    const entry = miseToolVersion(text, inputs.tool);
    const pinned = entry ? parsePinnedVersion(entry.value) : null;
    if (entry && pinned) return { file, line: entry.line, ...pinned };
  }
  return null;
}

/**
 * A version as a version manager takes it: digits first (an optional `v` before them), then
 * what go-version accepts. `latest`, `latest:^1.10`, `min-required`, `system`, `ref:...`,
 * `prefix:1.9` are requests, not versions.
 */
export function parsePinnedVersion(raw: string): { version: GoVersion; text: string } | null {
  const text = raw.trim().replace(/^v(?=[0-9])/, '');
  if (!/^[0-9]/.test(text)) return null;
  const version = parseVersion(text);
  return version ? { version, text } : null;
}

function dirsUpTo(dir: string, root: string): string[] {
  const rel = relative(root, dir);
  if (rel.startsWith('..') || isAbsolute(rel)) return [dir];
  const dirs = [dir];
  let current = dir;
  while (current !== root) {
    const parent = dirname(current);
    if (parent === current) break;
    dirs.push(parent);
    current = parent;
  }
  return dirs;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

// ---- mise.toml (just enough TOML) ----------------------------------------------------------

/**
 * The version mise reads for the tool from a mise.toml: `[tools]` with `opentofu = "1.10.0"`,
 * `"opentofu" = ...`, a backend-qualified key (`"aqua:opentofu/opentofu"`), an array (the
 * first entry), an inline table or a `[tools.opentofu]` table (its `version`), or a dotted
 * `tools.opentofu = ...` at the top level. Anything else is not read.
 */
export function miseToolVersion(text: string, tool: Tool): { value: string; line: number } | null {
  const lines = text.split(/\r?\n/);
  let table: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = stripTomlComment(lines[index]);
    if (line === null) {
      // A multi-line string starts here: skip to its end.
      const delimiter = lines[index].includes("'''") && !lines[index].includes('"""') ? "'''" : '"""';
      while (++index < lines.length && !lines[index].includes(delimiter));
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '') continue;
    if (trimmed.startsWith('[[')) {
      table = ['[[]]'];
      continue;
    }
    if (trimmed.startsWith('[')) {
      const header = /^\[(.*)\]$/.exec(trimmed);
      table = (header && parseTomlKey(header[1])) ?? ['[invalid]'];
      continue;
    }
    const equals = findTomlEquals(trimmed);
    if (equals < 0) continue;
    const key = parseTomlKey(trimmed.slice(0, equals));
    if (!key) continue;
    let valueText = trimmed.slice(equals + 1).trim();
    const keyLine = index + 1;
    // Arrays and inline tables may span lines.
    while (!balanced(valueText) && index + 1 < lines.length) {
      index++;
      valueText += ' ' + (stripTomlComment(lines[index]) ?? '');
    }
    const path = [...table, ...key];
    const value = parseTomlValue(valueText);
    if (path.length === 2 && path[0] === 'tools' && isMiseToolKey(path[1], tool)) {
      const version = versionOfMiseValue(value);
      if (version !== null) return { value: version, line: keyLine };
    }
    if (path.length === 3 && path[0] === 'tools' && isMiseToolKey(path[1], tool) && path[2] === 'version' && typeof value === 'string') {
      return { value, line: keyLine };
    }
  }
  return null;
}

function isMiseToolKey(key: string, tool: Tool): boolean {
  const name = ASDF_NAME[tool];
  return key === name || new RegExp(`^[a-z0-9-]+:(?:[^/]+/)*${name}$`).test(key);
}

function versionOfMiseValue(value: TomlValue | undefined): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return versionOfMiseValue(value[0]);
  if (value && typeof value === 'object' && typeof value.version === 'string') return value.version;
  return null;
}

type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue } | null;

/** The line without its comment; null when a multi-line string opens on it. */
function stripTomlComment(line: string): string | null {
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (quote === '"' && char === '\\') i++;
      else if (char === quote) quote = null;
      continue;
    }
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      const delimiter = line.slice(i, i + 3);
      const end = line.indexOf(delimiter, i + 3);
      if (end < 0) return null;
      i = end + 2;
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === '#') return line.slice(0, i);
  }
  return line;
}

function findTomlEquals(line: string): number {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '=') return i;
  }
  return -1;
}

/** `a.b`, `"a".'b'`, ` tools . opentofu ` → its parts; null when not a key. */
function parseTomlKey(text: string): string[] | null {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^"((?:[^"\\]|\\.)*)"/.exec(rest))) parts.push(unescapeTomlBasic(match[1]));
    else if ((match = /^'([^']*)'/.exec(rest))) parts.push(match[1]);
    else if ((match = /^[A-Za-z0-9_-]+/.exec(rest))) parts.push(match[0]);
    else return null;
    rest = rest.slice(match[0].length).trim();
    if (rest === '') break;
    if (!rest.startsWith('.')) return null;
    rest = rest.slice(1).trim();
    if (rest === '') return null;
  }
  return parts.length > 0 ? parts : null;
}

function balanced(text: string): boolean {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (quote === '"' && char === '\\') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '[' || char === '{') depth++;
    else if (char === ']' || char === '}') depth--;
  }
  return depth <= 0;
}

function parseTomlValue(text: string): TomlValue | undefined {
  const parsed = tomlValueAt(text, 0);
  return parsed && text.slice(parsed.end).trim() === '' ? parsed.value : undefined;
}

function tomlValueAt(text: string, start: number): { value: TomlValue; end: number } | null {
  let i = skipSpace(text, start);
  const char = text[i];
  if (char === '"') {
    const match = /^"((?:[^"\\]|\\.)*)"/.exec(text.slice(i));
    return match ? { value: unescapeTomlBasic(match[1]), end: i + match[0].length } : null;
  }
  if (char === "'") {
    const end = text.indexOf("'", i + 1);
    return end < 0 ? null : { value: text.slice(i + 1, end), end: end + 1 };
  }
  if (char === '[') {
    const items: TomlValue[] = [];
    i = skipSpace(text, i + 1);
    while (text[i] !== ']') {
      const item = tomlValueAt(text, i);
      if (!item) return null;
      items.push(item.value);
      i = skipSpace(text, item.end);
      if (text[i] === ',') i = skipSpace(text, i + 1);
      else if (text[i] !== ']') return null;
    }
    return { value: items, end: i + 1 };
  }
  if (char === '{') {
    const table: { [key: string]: TomlValue } = {};
    i = skipSpace(text, i + 1);
    while (text[i] !== '}') {
      const equals = findTomlEquals(text.slice(i));
      if (equals < 0) return null;
      const key = parseTomlKey(text.slice(i, i + equals));
      const item = tomlValueAt(text, i + equals + 1);
      if (!key || !item) return null;
      if (key.length === 1) table[key[0]] = item.value;
      i = skipSpace(text, item.end);
      if (text[i] === ',') i = skipSpace(text, i + 1);
      else if (text[i] !== '}') return null;
    }
    return { value: table, end: i + 1 };
  }
  const bare = /^[A-Za-z0-9_+.:-]+/.exec(text.slice(i));
  if (!bare) return null;
  const word = bare[0];
  const value: TomlValue = word === 'true' ? true : word === 'false' ? false : Number.isFinite(Number(word)) ? Number(word) : null;
  return { value, end: i + word.length };
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

function unescapeTomlBasic(text: string): string {
  return text.replace(/\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)/g, (_, escape: string) => {
    if (escape.length > 1) return String.fromCodePoint(parseInt(escape.slice(1), 16));
    return { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' }[escape] ?? escape;
  });
}

// ---- required_version ---------------------------------------------------------------------

interface ConstraintEntry {
  file: string;
  line: number;
  /** The required_version string as written. */
  text: string;
}

interface StackConstraints {
  dir: string;
  /** 'none': no required_version; 'unknown': a file or a constraint that does not parse. */
  status: 'ok' | 'none' | 'unknown';
  entries: ConstraintEntry[];
}

/**
 * Each stack's `terraform { required_version }`: every constraint of the module's files holds
 * at once (Terraform checks each); one in an override file replaces them (`override.tf`,
 * `*_override.tf`, in name order). OpenTofu also reads `.tofu` files, which hide the `.tf`
 * file of the same name.
 */
async function stackConstraints(inputs: VersionInputs, dir: string): Promise<StackConstraints> {
  const extensions = inputs.tool === 'tofu' ? ['.tf', '.tf.json', '.tofu', '.tofu.json'] : ['.tf', '.tf.json'];
  let names: string[];
  try {
    const listed = inputs.listDir?.(dir);
    const wanted = (name: string) => extensions.some((ext) => name.endsWith(ext));
    names = listed
      ? listed.filter((entry) => wanted(entry.name) && (entry.isFile ?? isFile(join(dir, entry.name)))).map((entry) => entry.name)
      : readdirSync(dir).filter((name) => wanted(name) && isFile(join(dir, name)));
  } catch {
    return { dir, status: 'unknown', entries: [] };
  }
  names.sort();
  if (inputs.tool === 'tofu') {
    const present = new Set(names);
    names = names.filter((name) => !(name.endsWith('.tf') && present.has(`${name.slice(0, -3)}.tofu`)));
    names = names.filter((name) => !(name.endsWith('.tf.json') && present.has(`${name.slice(0, -8)}.tofu.json`)));
  }
  const isOverride = (name: string): boolean => /(^|_)override$/.test(name.replace(/\.(tf|tofu)(\.json)?$/, ''));
  let entries: ConstraintEntry[] = [];
  let unknown = false;
  for (const name of names.filter((name) => !isOverride(name))) {
    const found = await fileConstraints(inputs, join(dir, name));
    if (found === null) unknown = true;
    else entries.push(...found);
  }
  for (const name of names.filter(isOverride)) {
    const found = await fileConstraints(inputs, join(dir, name));
    if (found === null) unknown = true;
    else if (found.length > 0) entries = found;
  }
  if (unknown || entries.some((entry) => parseConstraints(entry.text) === null)) return { dir, status: 'unknown', entries };
  return { dir, status: entries.length > 0 ? 'ok' : 'none', entries };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file's required_version strings with their lines; null when it does not parse or holds something else. */
async function fileConstraints(inputs: VersionInputs, file: string): Promise<ConstraintEntry[] | null> {
  if (file.endsWith('.json')) return jsonFileConstraints(inputs, file);
  const doc = await inputs.hcl(file);
  if (!doc || !doc.body) return null;
  const blocks = doc.body.terraform;
  if (blocks === undefined) return [];
  const values: unknown[] = [];
  for (const block of Array.isArray(blocks) ? blocks : [blocks]) {
    if (block && typeof block === 'object' && !Array.isArray(block) && 'required_version' in block) values.push(block.required_version);
  }
  if (values.some((value) => typeof value !== 'string')) return null;
  // Lines need the syntax tree: found only for the entry evidence cites, not for every stack.
  let lines: number[] | undefined;
  const lineOf = (index: number): number => {
    if (lines === undefined) {
      lines = [];
      try {
        lines = blocksAtPath(doc.tree, ['terraform']).flatMap((block) =>
          childAttributes(block.body)
            .filter((attribute) => attribute.name === 'required_version')
            .map((attribute) => nodeRange(attribute.node).line),
        );
      } catch {
        // No syntax tree: the lines fall back to the first.
      }
    }
    return lines.length === values.length ? lines[index] : (lines[0] ?? 1);
  };
  return (values as string[]).map((text, index) => ({
    file,
    get line() {
      return lineOf(index);
    },
    text,
  }));
}

function jsonFileConstraints(inputs: VersionInputs, file: string): ConstraintEntry[] | null {
  const text = inputs.readText(file);
  if (text === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const blocks = (parsed as Record<string, unknown>).terraform;
  if (blocks === undefined) return [];
  const values: unknown[] = [];
  for (const block of Array.isArray(blocks) ? blocks : [blocks]) {
    if (block && typeof block === 'object' && 'required_version' in block) values.push((block as Record<string, unknown>).required_version);
  }
  if (values.some((value) => typeof value !== 'string')) return null;
  const lines: number[] = [];
  for (const match of text.matchAll(/"required_version"\s*:/g)) lines.push(text.slice(0, match.index).split('\n').length);
  return (values as string[]).map((value, index) => ({ file, line: lines.length === values.length ? lines[index] : (lines[0] ?? 1), text: value }));
}

interface StackVerdict {
  stack: StackConstraints;
  /** Every version the stack's constraints allow is >= 1.10.0. */
  atLeast: boolean;
  /** Every version they allow is < 1.10.0. */
  below: boolean;
  /** The highest lower bound (from =, >, >=, ~>) and the entry it comes from; null when there is none. */
  lowerBound: { version: GoVersion; text: string; entry: ConstraintEntry } | null;
}

async function requiredVersionEvidence(inputs: VersionInputs, stacks: string[]): Promise<VersionEvidence | null> {
  const all = await Promise.all(stacks.map((dir) => stackConstraints(inputs, dir)));
  // Thousands of stacks usually repeat a few constraint lists: each list is judged once.
  const judged = new Map<string, Judgement>();
  const verdicts = all.filter((stack) => stack.status === 'ok').map((stack) => judgeStack(stack, judged));
  if (verdicts.length === 0) return null;
  const everyStack = verdicts.length === stacks.length;
  // Lowest lower bound first; no lower bound at all is lowest.
  const byLowerBound = [...verdicts].sort((a, b) => {
    if (!a.lowerBound || !b.lowerBound) return (a.lowerBound ? 1 : 0) - (b.lowerBound ? 1 : 0);
    return compareVersions(a.lowerBound.version, b.lowerBound.version);
  });
  let cited: StackVerdict;
  let locksCache: boolean | null;
  const below = verdicts.find((verdict) => verdict.below);
  if (inputs.tool === 'terraform') {
    cited = byLowerBound[0];
    locksCache = false;
  } else if (below) {
    cited = below;
    locksCache = false;
  } else {
    cited = byLowerBound.find((verdict) => !verdict.atLeast) ?? byLowerBound[0];
    locksCache = everyStack && verdicts.every((verdict) => verdict.atLeast) ? true : null;
  }
  const entry = cited.lowerBound?.entry ?? cited.stack.entries[0];
  return {
    tool: inputs.tool,
    version: cited.lowerBound?.text ?? null,
    source: { kind: 'required-version', file: entry.file, line: entry.line, constraint: entry.text },
    locksCache,
  };
}

/** What a list of constraint texts says, whichever stack it comes from. */
interface Judgement {
  atLeast: boolean;
  below: boolean;
  /** The highest lower bound and the index of the entry it comes from. */
  lowerBound: { version: GoVersion; text: string; index: number } | null;
}

function judgeStack(stack: StackConstraints, memo: Map<string, Judgement>): StackVerdict {
  const key = stack.entries.map((entry) => entry.text).join('\0');
  let judgement = memo.get(key);
  if (!judgement) {
    judgement = judge(stack.entries.map((entry) => entry.text));
    memo.set(key, judgement);
  }
  const { atLeast, below, lowerBound } = judgement;
  return { stack, atLeast, below, lowerBound: lowerBound && { version: lowerBound.version, text: lowerBound.text, entry: stack.entries[lowerBound.index] } };
}

function judge(texts: string[]): Judgement {
  const perEntry = texts.map((text) => parseConstraints(text) ?? []);
  const constraints = perEntry.flat();
  let lowerBound: Judgement['lowerBound'] = null;
  perEntry.forEach((own, index) => {
    const bound = lowestAllowedBound(own);
    if (bound && (!lowerBound || compareVersions(bound.version, lowerBound.version) > 0)) lowerBound = { ...bound, index };
  });
  const atLeast = everyAllowedAtLeast(constraints, LOCK_VERSION);
  const below = everyAllowedBelow(constraints, LOCK_VERSION);
  // Constraints no version satisfies (init fails) say nothing about the version in use.
  if (atLeast && below) return { atLeast: false, below: false, lowerBound };
  return { atLeast, below, lowerBound };
}

// ---- The binary ---------------------------------------------------------------------------

async function binaryEvidence(inputs: VersionInputs): Promise<VersionEvidence | null> {
  const executable = findOnPath(inputs.tool, inputs.env.PATH);
  if (!executable) return null;
  const result = await runTool(executable, {
    args: ['version', '-json'],
    path: inputs.env.PATH,
    timeoutMs: inputs.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    tempRoot: inputs.tempRoot,
  });
  // What the binary said is a fact of its file (recorded by the PATH lookup) unless a version
  // manager's shim (a script) chooses the binary from elsewhere, or the run failed for a reason
  // of the moment (a timeout, a lack of resources).
  if (await isScript(executable)) noteUnrepeatable(`${executable} is a script (a version manager's shim?)`);
  if (!result.ok) noteUnrepeatable(`${executable} version: ${result.cause}`);
  if (!result.ok || result.exitCode !== 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    return null;
  }
  if (!parsed || typeof parsed !== 'object') return null;
  const reported = (parsed as Record<string, unknown>).terraform_version;
  const pinned = typeof reported === 'string' ? parsePinnedVersion(reported) : null;
  if (!pinned) return null;
  return {
    tool: inputs.tool,
    version: pinned.text,
    source: { kind: 'binary', command: `${executable} version -json` },
    locksCache: decide(inputs.tool, versionLocksCache(inputs.tool, pinned.version), true),
  };
}

async function isScript(executable: string): Promise<boolean> {
  try {
    return (await readAt(executable, 0, 2)).toString('latin1') === '#!';
  } catch {
    return false;
  }
}

// ---- HashiCorp go-version, ported ---------------------------------------------------------
// hashicorp/go-version version.go (NewVersion, Compare, comparePrereleases, comparePart) and
// constraint.go (NewConstraint, prereleaseCheck, the constraint functions), quirks included:
// a pre-release satisfies >, >=, <, <= and ~> only when the constraint names a pre-release of
// the very same segments; `~> 1.2` is >= 1.2, < 2.0 and `~> 1.2.3` is >= 1.2.3, < 1.3.0.

export interface GoVersion {
  /** Numeric segments, padded with zeros to at least three. */
  segments: bigint[];
  /** How many segments were written. */
  si: number;
  pre: string;
  metadata: string;
  original: string;
}

export type ConstraintOperator = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~>';

export interface GoConstraint {
  operator: ConstraintOperator;
  check: GoVersion;
  original: string;
}

const VERSION_PATTERN =
  String.raw`v?([0-9]+(\.[0-9]+)*?)` +
  String.raw`(-([0-9]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)|(-?([A-Za-z\-~]+[0-9A-Za-z\-~]*(\.[0-9A-Za-z\-~]+)*)))?` +
  String.raw`(\+([0-9A-Za-z\-~]+(\.[0-9A-Za-z\-~]+)*))?` +
  '?';
const VERSION_REGEXP = new RegExp(`^${VERSION_PATTERN}$`);
// Go's \s is [\t\n\f\r ]; JavaScript's is wider.
const GO_SPACE = '[\\t\\n\\f\\r ]';
const CONSTRAINT_REGEXP = new RegExp(`^${GO_SPACE}*(~>|!=|>=|<=|=|>|<|)${GO_SPACE}*(${VERSION_PATTERN})${GO_SPACE}*$`);

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

/** strconv.ParseInt(text, 10, 64): null where Go returns an error. */
function parseInt64(text: string): bigint | null {
  if (!/^[+-]?[0-9]+$/.test(text)) return null;
  const value = BigInt(text);
  return value > INT64_MAX || value < INT64_MIN ? null : value;
}

/** version.NewVersion; null where it returns an error. */
export function parseVersion(text: string): GoVersion | null {
  const match = VERSION_REGEXP.exec(text);
  if (!match) return null;
  const written = match[1].split('.');
  const segments: bigint[] = [];
  for (const part of written) {
    const value = parseInt64(part);
    if (value === null) return null;
    segments.push(value);
  }
  while (segments.length < 3) segments.push(0n);
  return { segments, si: written.length, pre: match[7] || match[4] || '', metadata: match[10] ?? '', original: text };
}

/** version.String(): segments, then -pre, then +metadata. */
export function formatVersion(version: GoVersion): string {
  return version.segments.join('.') + (version.pre ? `-${version.pre}` : '') + (version.metadata ? `+${version.metadata}` : '');
}

function equalSegments(a: GoVersion, b: GoVersion): boolean {
  return a.segments.length === b.segments.length && a.segments.every((segment, index) => segment === b.segments[index]);
}

/** (*Version).Compare: -1, 0 or 1. */
export function compareVersions(a: GoVersion, b: GoVersion): -1 | 0 | 1 {
  if (formatVersion(a) === formatVersion(b)) return 0;
  if (equalSegments(a, b)) {
    if (a.pre === '' && b.pre === '') return 0;
    if (a.pre === '') return 1;
    if (b.pre === '') return -1;
    return comparePrereleases(a.pre, b.pre);
  }
  const longest = Math.max(a.segments.length, b.segments.length);
  for (let i = 0; i < longest; i++) {
    if (i > a.segments.length - 1) return b.segments.slice(i).every((segment) => segment === 0n) ? 0 : -1;
    if (i > b.segments.length - 1) return a.segments.slice(i).every((segment) => segment === 0n) ? 0 : 1;
    if (a.segments[i] === b.segments[i]) continue;
    return a.segments[i] < b.segments[i] ? -1 : 1;
  }
  return 0;
}

function comparePart(self: string, other: string): -1 | 0 | 1 {
  if (self === other) return 0;
  const selfInt = parseInt64(self);
  const otherInt = parseInt64(other);
  if (self === '') return otherInt !== null ? -1 : 1;
  if (other === '') return selfInt !== null ? 1 : -1;
  if (selfInt !== null && otherInt === null) return -1;
  if (selfInt === null && otherInt !== null) return 1;
  if (selfInt === null && otherInt === null) return self > other ? 1 : -1;
  return (selfInt as bigint) > (otherInt as bigint) ? 1 : -1;
}

function comparePrereleases(self: string, other: string): -1 | 0 | 1 {
  if (self === other) return 0;
  const selfParts = self.split('.');
  const otherParts = other.split('.');
  const longest = Math.max(selfParts.length, otherParts.length);
  for (let i = 0; i < longest; i++) {
    const compared = comparePart(selfParts[i] ?? '', otherParts[i] ?? '');
    if (compared !== 0) return compared;
  }
  return 0;
}

/** version.NewConstraint: comma means AND; null where it returns an error. */
export function parseConstraints(text: string): GoConstraint[] | null {
  const constraints: GoConstraint[] = [];
  for (const single of text.split(',')) {
    const match = CONSTRAINT_REGEXP.exec(single);
    if (!match) return null;
    const check = parseVersion(match[2]);
    if (!check) return null;
    constraints.push({ operator: (match[1] || '=') as ConstraintOperator, check, original: single });
  }
  return constraints;
}

function prereleaseCheck(v: GoVersion, c: GoVersion): boolean {
  const vPre = v.pre !== '';
  const cPre = c.pre !== '';
  if (cPre && vPre) return equalSegments(c, v);
  if (!cPre && vPre) return false;
  return true;
}

/** (*Constraint).Check. */
export function constraintAllows(constraint: GoConstraint, v: GoVersion): boolean {
  const c = constraint.check;
  switch (constraint.operator) {
    case '=':
      return compareVersions(v, c) === 0;
    case '!=':
      return compareVersions(v, c) !== 0;
    case '>':
      return prereleaseCheck(v, c) && compareVersions(v, c) === 1;
    case '<':
      return prereleaseCheck(v, c) && compareVersions(v, c) === -1;
    case '>=':
      return prereleaseCheck(v, c) && compareVersions(v, c) >= 0;
    case '<=':
      return prereleaseCheck(v, c) && compareVersions(v, c) <= 0;
    case '~>': {
      if (!prereleaseCheck(v, c) || (c.pre !== '' && v.pre === '')) return false;
      if (compareVersions(v, c) < 0) return false;
      const cs = c.segments.length;
      if (cs > v.segments.length) return false;
      for (let i = 0; i < c.si - 1; i++) if (v.segments[i] !== c.segments[i]) return false;
      return !(c.segments[cs - 1] > v.segments[cs - 1]);
    }
  }
}

/** Constraints.Check. */
export function constraintsAllow(constraints: readonly GoConstraint[], v: GoVersion): boolean {
  return constraints.every((constraint) => constraintAllows(constraint, v));
}

const LOCK_VERSION = parseVersion(TOFU_CACHE_LOCK_VERSION) as GoVersion;

/** Above this many comma-separated parts the search below is not attempted (real constraints have a few). */
const MAX_SEARCHED_CONSTRAINTS = 16;

/**
 * A version the constraints allow inside `region`, or null when there is none. Whether a
 * constraint holds only changes at the versions the constraints name (and where `~>` stops),
 * so these versions, each with extra zero segments, the version just above each, and the
 * pre-releases the constraints name (and just above them), stand for every version there is.
 * `boundaries` are versions `region` changes at. Over MAX_SEARCHED_CONSTRAINTS parts: throws.
 */
export function findAllowedVersion(
  constraints: readonly GoConstraint[],
  region: (v: GoVersion) => boolean,
  boundaries: readonly GoVersion[],
): GoVersion | null {
  if (constraints.length > MAX_SEARCHED_CONSTRAINTS) throw new Error('too many constraints to search');
  const points: bigint[][] = [[0n, 0n, 0n], ...boundaries.map((v) => v.segments)];
  for (const { operator, check } of constraints) {
    points.push(check.segments);
    if (operator === '~>' && check.si >= 2) {
      const next = check.segments.slice(0, check.si - 1);
      next[next.length - 1] += 1n;
      while (next.length < 3) next.push(0n);
      points.push(next);
    }
  }
  const longest = Math.max(...points.map((segments) => segments.length));
  const numeric = new Map<string, bigint[]>();
  const add = (segments: bigint[]): void => void numeric.set(segments.join('.'), segments);
  for (const point of points) {
    let significant = point.length;
    while (significant > 3 && point[significant - 1] === 0n) significant--;
    for (let length = significant; length <= longest + 1; length++) add(padded(point, length));
    add([...padded(point, longest), 1n]);
  }
  const pres = new Set<string>(['0', 'a']);
  for (const { check } of constraints) {
    if (check.pre === '') continue;
    for (const suffix of ['', '.0', '.1', '.a']) pres.add(check.pre + suffix);
  }
  for (const segments of numeric.values()) {
    for (const pre of ['', ...pres]) {
      const candidate: GoVersion = { segments, si: segments.length, pre, metadata: '', original: '' };
      candidate.original = formatVersion(candidate);
      if (region(candidate) && constraintsAllow(constraints, candidate)) return candidate;
    }
  }
  return null;
}

function padded(segments: bigint[], length: number): bigint[] {
  const result = segments.slice(0, Math.max(length, 3));
  while (result.length < length) result.push(0n);
  return result;
}

/** Every version the constraints allow is >= floor (vacuously true when they allow none). */
export function everyAllowedAtLeast(constraints: readonly GoConstraint[], floor: GoVersion): boolean {
  if (constraints.length > MAX_SEARCHED_CONSTRAINTS) return false;
  return findAllowedVersion(constraints, (v) => compareVersions(v, floor) < 0, [floor]) === null;
}

/** Every version the constraints allow is < ceiling (vacuously true when they allow none). */
export function everyAllowedBelow(constraints: readonly GoConstraint[], ceiling: GoVersion): boolean {
  if (constraints.length > MAX_SEARCHED_CONSTRAINTS) return false;
  return findAllowedVersion(constraints, (v) => compareVersions(v, ceiling) >= 0, [ceiling]) === null;
}

/** The highest version a =, >, >= or ~> part names: the lowest version the constraints could allow. */
export function lowestAllowedBound(constraints: readonly GoConstraint[]): { version: GoVersion; text: string } | null {
  let bound: GoVersion | null = null;
  for (const { operator, check } of constraints) {
    if (operator === '!=' || operator === '<' || operator === '<=') continue;
    if (!bound || compareVersions(check, bound) > 0) bound = check;
  }
  return bound ? { version: bound, text: bound.original.replace(/^v/, '') } : null;
}
