// Finds the shell text CI and task-runner files hand to a shell, with a map from every
// character of that text back to its place in the file (block scalars strip indentation,
// quoted scalars decode escapes, so offsets are not a simple shift).

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Alias, type Document, type Node as YamlNode, type Scalar, type YAMLMap } from './yaml.js';
import { LineIndex } from '../util/line-index.js';
import { UNKNOWN } from '../util/unknown.js';
import type { VariableValue } from './shell.js';

export type CommandSiteContext = 'github-step' | 'gitlab-script' | 'npm-script' | 'task' | 'just';

export interface LineMap {
  /** File offset of each character of `text`, plus one entry for the end of the text. */
  fileOffsets: number[];
  /** The file's lines (shared by all sites of one file). */
  lines: LineIndex;
}

export interface CommandSite {
  file: string;
  /**
   * The shell text. Template expressions the CI system substitutes before the shell runs
   * (`${{ ... }}`, Task's `{{.X}}`, just's `{{x}}`) are replaced by same-length `${___}`
   * placeholders, which the shell parser treats as unknown variables.
   */
  text: string;
  /** File offset of text[0]. */
  textStart: number;
  lineMap: LineMap;
  env: Record<string, VariableValue>;
  context: CommandSiteContext;
  /** Where it sits, for messages: `jobs.plan.steps[2]`, `deploy.script`, `scripts.init`. */
  label: string;
}

export interface CiDiagnostic {
  file: string;
  message: string;
  offset: number;
  line: number;
  column: number;
}

export interface ExtractResult {
  sites: CommandSite[];
  diagnostics: CiDiagnostic[];
}

/** 1-based line/column in the file of an offset into `site.text`. */
export function positionInFile(site: CommandSite, textOffset: number): { offset: number; line: number; column: number } {
  const { fileOffsets, lines } = site.lineMap;
  const clamped = Math.min(Math.max(textOffset, 0), fileOffsets.length - 1);
  const offset = fileOffsets[clamped];
  return { offset, ...lines.position(offset) };
}

const PLACEHOLDER_PATTERNS: Record<CommandSiteContext, RegExp | null> = {
  'github-step': /\$\{\{[\s\S]*?\}\}/g,
  'gitlab-script': null,
  'npm-script': null,
  task: /\{\{[\s\S]*?\}\}/g,
  just: /\{\{[\s\S]*?\}\}/g,
};

function maskTemplates(text: string, context: CommandSiteContext): string {
  const pattern = PLACEHOLDER_PATTERNS[context];
  if (pattern === null) return text;
  return text.replace(pattern, (match) => (match.length >= 4 ? '${' + '_'.repeat(match.length - 3) + '}' : match));
}

function makeSite(
  file: string,
  rawText: string,
  offsets: number[],
  lines: LineIndex,
  env: Record<string, VariableValue>,
  context: CommandSiteContext,
  label: string,
): CommandSite {
  const text = maskTemplates(rawText, context);
  return { file, text, textStart: offsets[0] ?? 0, lineMap: { fileOffsets: offsets, lines }, env, context, label };
}

// ---------------------------------------------------------------------------------------------
// YAML scalars -> text with offsets

interface TextPiece {
  text: string;
  /** length text.length + 1 */
  offsets: number[];
}

function escapeLength(source: string, at: number): number {
  const n = source[at + 1];
  if (n === 'x') return 4;
  if (n === 'u') return 6;
  if (n === 'U') return 10;
  return 2;
}

/**
 * The indentation a block scalar's lines lose when its header has an indentation indicator
 * (`|2`, `>-1`): the digit counts from the parent node's indentation, which the yaml package
 * keeps on the scalar's source token; null without one (then the first content line decides).
 */
function explicitBlockIndent(node: Scalar, source: string, from: number): number | null {
  const header = /^[|>](?:([1-9])[-+]?|[-+]([1-9])?)?/.exec(source.slice(from, from + 3));
  const digit = header?.[1] ?? header?.[2];
  const token = (node as { srcToken?: { type?: string; indent?: unknown } }).srcToken;
  if (digit === undefined || token?.type !== 'block-scalar' || typeof token.indent !== 'number') return null;
  return token.indent + Number(digit);
}

/** Maps each character of a scalar's value to its offset in the source. */
function scalarPiece(node: Scalar, source: string): TextPiece | null {
  if (node.range === undefined || node.range === null) return null;
  const value = typeof node.value === 'string' ? node.value : node.value === null ? '' : String(node.value);
  const [from, to] = node.range;
  const style = node.type;
  const lines: Array<{ start: number; end: number }> = [];
  let lineStart = from;
  while (lineStart <= to) {
    let lineEnd = source.indexOf('\n', lineStart);
    if (lineEnd < 0 || lineEnd > to) lineEnd = to;
    lines.push({ start: lineStart, end: lineEnd });
    if (lineEnd >= to) break;
    lineStart = lineEnd + 1;
  }
  if (style === 'BLOCK_LITERAL' || style === 'BLOCK_FOLDED') {
    lines.shift(); // the `|`/`>` header line
    let indent = explicitBlockIndent(node, source, from) ?? Infinity;
    if (!Number.isFinite(indent)) {
      for (const line of lines) {
        const text = source.slice(line.start, line.end);
        if (text.trim() === '') continue;
        indent = Math.min(indent, text.length - text.trimStart().length);
      }
    }
    if (!Number.isFinite(indent)) indent = 0;
    for (const line of lines) line.start = Math.min(line.start + indent, line.end);
  } else {
    lines.forEach((line, index) => {
      if (index === 0) {
        if (style === 'QUOTE_DOUBLE' || style === 'QUOTE_SINGLE') line.start++;
        return;
      }
      while (line.start < line.end && (source[line.start] === ' ' || source[line.start] === '\t')) line.start++;
    });
  }
  const offsets: number[] = [];
  let li = 0;
  let p = lines[0]?.start ?? from;
  for (let k = 0; k < value.length; k++) {
    const c = value[k];
    let placed = false;
    for (let guard = 0; !placed && guard < 100000; guard++) {
      const line = lines[li];
      if (line === undefined) {
        offsets.push(to);
        placed = true;
        break;
      }
      if (p < line.end) {
        if (style === 'QUOTE_DOUBLE' && source[p] === '\\') {
          if (p + 1 >= line.end) {
            li++;
            p = lines[li]?.start ?? to;
            continue;
          }
          offsets.push(p);
          // \u escapes above U+FFFF give two UTF-16 units: keep them on the same offset.
          const length = escapeLength(source, p);
          if (length === 10 && k + 1 < value.length && /[\udc00-\udfff]/.test(value[k + 1])) offsets.push(p), k++;
          p += length;
          placed = true;
          break;
        }
        if (style === 'QUOTE_SINGLE' && source[p] === "'" && source[p + 1] === "'") {
          offsets.push(p);
          p += 2;
          placed = true;
          break;
        }
        if (source[p] === c) {
          offsets.push(p);
          p++;
          placed = true;
          break;
        }
        if (source[p] === ' ' || source[p] === '\t' || source[p] === '\r') {
          p++;
          continue;
        }
        offsets.push(p);
        p++;
        placed = true;
        break;
      }
      if (c === '\n' || c === ' ') {
        offsets.push(line.end);
        li++;
        p = lines[li]?.start ?? to;
        placed = true;
        break;
      }
      li++;
      p = lines[li]?.start ?? to;
    }
    if (!placed) offsets.push(to);
  }
  const last = offsets.length > 0 ? offsets[offsets.length - 1] + 1 : (lines[0]?.start ?? from);
  offsets.push(Math.min(last, Math.max(to, last)));
  return { text: value, offsets };
}

function joinPieces(pieces: TextPiece[]): TextPiece {
  let text = '';
  const offsets: number[] = [];
  pieces.forEach((piece, index) => {
    if (index > 0) {
      text += '\n';
      offsets.push(offsets.pop() ?? 0); // the joining newline sits at the previous piece's end
    }
    text += piece.text;
    offsets.push(...piece.offsets);
  });
  if (offsets.length === 0) offsets.push(0);
  return { text, offsets };
}

interface YamlFile {
  file: string;
  source: string;
  doc: Document.Parsed;
  lines: LineIndex;
  diagnostics: CiDiagnostic[];
}

function loadYaml(file: string, source: string): YamlFile {
  const lineCounter = new LineCounter();
  // keepSourceTokens: a block scalar's source token holds its parent's indentation (explicitBlockIndent).
  const doc = parseDocument(source, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: false, strict: false, keepSourceTokens: true });
  const lines = new LineIndex(source);
  const diagnostics: CiDiagnostic[] = [];
  for (const error of doc.errors) {
    const offset = error.pos[0];
    diagnostics.push({ file, message: error.message.split('\n')[0], offset, ...lines.position(offset) });
  }
  return { file, source, doc, lines, diagnostics };
}

function resolveNode(yaml: YamlFile, node: unknown, depth = 0): YamlNode | null {
  if (depth > 20 || node === null || node === undefined) return null;
  if (isAlias(node)) return resolveNode(yaml, (node as Alias).resolve(yaml.doc), depth + 1);
  if (isSeq(node) && node.tag === '!reference') return resolveReference(yaml, node.items, depth);
  return node as YamlNode;
}

/** GitLab `!reference [.job, key, ...]`. */
function resolveReference(yaml: YamlFile, path: unknown[], depth: number): YamlNode | null {
  let current: YamlNode | null = resolveNode(yaml, yaml.doc.contents, depth + 1);
  for (const item of path) {
    const key = isScalar(item) ? String(item.value) : null;
    if (key === null || current === null || !isMap(current)) return null;
    current = resolveNode(yaml, current.get(key, true), depth + 1);
  }
  return current;
}

function mapGet(yaml: YamlFile, map: YamlNode | null, key: string): YamlNode | null {
  if (map === null || !isMap(map)) return null;
  return resolveNode(yaml, (map as YAMLMap).get(key, true));
}

function scalarPieces(yaml: YamlFile, node: YamlNode | null, depth = 0): TextPiece[] {
  if (node === null || depth > 20) return [];
  if (isScalar(node)) {
    const piece = scalarPiece(node, yaml.source);
    return piece === null ? [] : [piece];
  }
  if (isSeq(node)) return node.items.flatMap((item) => scalarPieces(yaml, resolveNode(yaml, item), depth + 1));
  return [];
}

function envFrom(yaml: YamlFile, node: YamlNode | null, base: Record<string, VariableValue>, unknownIf: (value: string) => boolean): Record<string, VariableValue> {
  const env: Record<string, VariableValue> = Object.assign(Object.create(null) as Record<string, VariableValue>, base);
  if (node === null) return env;
  if (!isMap(node)) {
    // `env: ${{ fromJSON(...) }}` and the like: nothing about it is known.
    return env;
  }
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : null;
    if (key === null) continue;
    let value = resolveNode(yaml, pair.value);
    if (value !== null && isMap(value)) value = resolveNode(yaml, value.get('value', true)); // GitLab {value, description}
    if (value === null || !isScalar(value) || value.value === null || typeof value.value === 'object') {
      env[key] = value !== null && isScalar(value) && value.value === null ? '' : UNKNOWN;
      continue;
    }
    const text = String(value.value);
    env[key] = unknownIf(text) ? UNKNOWN : text;
  }
  return env;
}

// ---------------------------------------------------------------------------------------------
// GitHub Actions

const NON_POSIX_SHELLS = /^(pwsh|powershell|python|cmd|node)\b/;

type LoadedYaml = NonNullable<ReturnType<typeof safeLoad>>;

/** The `run:` steps of a job or of a composite action, each a site with its merged env. */
function githubStepSites(
  file: string,
  source: string,
  yaml: LoadedYaml,
  steps: YamlNode | null,
  outerEnv: Record<string, VariableValue>,
  labelPrefix: string,
): CommandSite[] {
  const sites: CommandSite[] = [];
  if (steps === null || !isSeq(steps)) return sites;
  const isExpression = (value: string): boolean => value.includes('${{');
  steps.items.forEach((item, index) => {
    const step = resolveNode(yaml, item);
    const run = mapGet(yaml, step, 'run');
    if (run === null || !isScalar(run)) return;
    const shell = mapGet(yaml, step, 'shell');
    if (shell !== null && isScalar(shell) && NON_POSIX_SHELLS.test(String(shell.value))) return;
    const piece = scalarPiece(run, source);
    if (piece === null) return;
    const env = envFrom(yaml, mapGet(yaml, step, 'env'), outerEnv, isExpression);
    sites.push(makeSite(file, piece.text, piece.offsets, yaml.lines, env, 'github-step', `${labelPrefix}.steps[${index}]`));
  });
  return sites;
}

export function extractGitHubWorkflow(file: string, source: string): ExtractResult {
  const sites: CommandSite[] = [];
  const yaml = safeLoad(file, source);
  if (yaml === null) return { sites, diagnostics: [internalError(file)] };
  const root = resolveNode(yaml, yaml.doc.contents);
  const isExpression = (value: string): boolean => value.includes('${{');
  const workflowEnv = envFrom(yaml, mapGet(yaml, root, 'env'), {}, isExpression);
  const jobs = mapGet(yaml, root, 'jobs');
  if (jobs !== null && isMap(jobs)) {
    for (const jobPair of jobs.items) {
      const jobId = isScalar(jobPair.key) ? String(jobPair.key.value) : '?';
      const job = resolveNode(yaml, jobPair.value);
      const jobEnv = envFrom(yaml, mapGet(yaml, job, 'env'), workflowEnv, isExpression);
      sites.push(...githubStepSites(file, source, yaml, mapGet(yaml, job, 'steps'), jobEnv, `jobs.${jobId}`));
    }
  }
  return { sites, diagnostics: yaml.diagnostics };
}

/** A composite GitHub Action (`action.yml` with `runs.using: composite`): its `run:` steps. */
export function extractGitHubAction(file: string, source: string): ExtractResult {
  const yaml = safeLoad(file, source);
  if (yaml === null) return { sites: [], diagnostics: [internalError(file)] };
  const runs = mapGet(yaml, resolveNode(yaml, yaml.doc.contents), 'runs');
  const using = mapGet(yaml, runs, 'using');
  if (using === null || !isScalar(using) || String(using.value) !== 'composite') return { sites: [], diagnostics: yaml.diagnostics };
  return { sites: githubStepSites(file, source, yaml, mapGet(yaml, runs, 'steps'), {}, 'runs'), diagnostics: yaml.diagnostics };
}

// ---------------------------------------------------------------------------------------------
// GitLab CI

const GITLAB_GLOBAL_KEYS = new Set(['stages', 'variables', 'default', 'include', 'workflow', 'image', 'services', 'cache', 'before_script', 'after_script', 'types']);

export function extractGitLabCi(file: string, source: string): ExtractResult {
  const sites: CommandSite[] = [];
  const yaml = safeLoad(file, source);
  if (yaml === null) return { sites, diagnostics: [internalError(file)] };
  const root = resolveNode(yaml, yaml.doc.contents);
  if (root === null || !isMap(root)) return { sites, diagnostics: yaml.diagnostics };
  const hasDollar = (value: string): boolean => value.includes('$');
  const globalEnv = envFrom(yaml, mapGet(yaml, root, 'variables'), {}, hasDollar);
  const defaults = mapGet(yaml, root, 'default');

  const jobs = new Map<string, YamlNode>();
  for (const pair of root.items) {
    const name = isScalar(pair.key) ? String(pair.key.value) : null;
    const job = resolveNode(yaml, pair.value);
    if (name === null || job === null || !isMap(job) || GITLAB_GLOBAL_KEYS.has(name)) continue;
    jobs.set(name, job);
  }

  /** A job key, following `extends` (later parents win, the job itself wins over all). */
  const lookup = (job: YamlNode, key: string, seen: Set<YamlNode> = new Set()): YamlNode | null => {
    if (seen.has(job)) return null;
    seen.add(job);
    const own = mapGet(yaml, job, key);
    if (own !== null) return own;
    const extendsNode = mapGet(yaml, job, 'extends');
    const parents = extendsNode === null ? [] : scalarPieces(yaml, extendsNode).map((piece) => piece.text);
    for (const parent of parents.reverse()) {
      const parentJob = jobs.get(parent);
      const found = parentJob === undefined ? null : lookup(parentJob, key, seen);
      if (found !== null) return found;
    }
    return null;
  };

  const jobVariables = (job: YamlNode, seen: Set<YamlNode> = new Set()): Record<string, VariableValue> => {
    if (seen.has(job)) return globalEnv;
    seen.add(job);
    let env = globalEnv;
    const extendsNode = mapGet(yaml, job, 'extends');
    for (const parent of extendsNode === null ? [] : scalarPieces(yaml, extendsNode).map((piece) => piece.text)) {
      const parentJob = jobs.get(parent);
      if (parentJob !== undefined) env = { ...env, ...jobVariables(parentJob, seen) };
    }
    return envFrom(yaml, mapGet(yaml, job, 'variables'), env, hasDollar);
  };

  for (const [name, job] of jobs) {
    if (name.startsWith('.')) continue; // hidden template: runs only through extends/!reference
    const env = jobVariables(job);
    const before = lookup(job, 'before_script') ?? mapGet(yaml, defaults, 'before_script') ?? mapGet(yaml, root, 'before_script');
    const script = lookup(job, 'script');
    const after = lookup(job, 'after_script') ?? mapGet(yaml, defaults, 'after_script') ?? mapGet(yaml, root, 'after_script');
    // before_script and script share one shell session; after_script gets a new one.
    const main = [...scalarPieces(yaml, before), ...scalarPieces(yaml, script)];
    if (main.length > 0) {
      const joined = joinPieces(main);
      sites.push(makeSite(file, joined.text, joined.offsets, yaml.lines, env, 'gitlab-script', `${name}.script`));
    }
    const afterPieces = scalarPieces(yaml, after);
    if (afterPieces.length > 0) {
      const joined = joinPieces(afterPieces);
      sites.push(makeSite(file, joined.text, joined.offsets, yaml.lines, env, 'gitlab-script', `${name}.after_script`));
    }
  }
  return { sites, diagnostics: yaml.diagnostics };
}

// ---------------------------------------------------------------------------------------------
// Taskfile

export function extractTaskfile(file: string, source: string): ExtractResult {
  const sites: CommandSite[] = [];
  const yaml = safeLoad(file, source);
  if (yaml === null) return { sites, diagnostics: [internalError(file)] };
  const root = resolveNode(yaml, yaml.doc.contents);
  const isTemplate = (value: string): boolean => value.includes('{{');
  const globalEnv = envFrom(yaml, mapGet(yaml, root, 'env'), {}, isTemplate);
  const tasks = mapGet(yaml, root, 'tasks');
  if (tasks !== null && isMap(tasks)) {
    for (const pair of tasks.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : '?';
      const task = resolveNode(yaml, pair.value);
      const env = envFrom(yaml, mapGet(yaml, task, 'env'), globalEnv, isTemplate);
      // A task may be just a list of commands or a single command string.
      const cmds = task !== null && (isSeq(task) || isScalar(task)) ? task : (mapGet(yaml, task, 'cmds') ?? mapGet(yaml, task, 'cmd'));
      const items = cmds === null ? [] : isSeq(cmds) ? cmds.items.map((item) => resolveNode(yaml, item)) : [cmds];
      items.forEach((item, index) => {
        const command = item !== null && isMap(item) ? mapGet(yaml, item, 'cmd') : item;
        if (command === null || !isScalar(command)) return;
        const piece = scalarPiece(command, source);
        if (piece === null) return;
        sites.push(makeSite(file, piece.text, piece.offsets, yaml.lines, env, 'task', `tasks.${name}.cmds[${index}]`));
      });
    }
  }
  return { sites, diagnostics: yaml.diagnostics };
}

function safeLoad(file: string, source: string): YamlFile | null {
  try {
    return loadYaml(file, source);
  } catch {
    return null;
  }
}

function internalError(file: string): CiDiagnostic {
  return { file, message: 'YAML parser failed on this file', offset: 0, line: 1, column: 1 };
}

// ---------------------------------------------------------------------------------------------
// package.json

interface JsonValue {
  kind: 'object' | 'array' | 'string' | 'other';
  start: number;
  end: number;
  members?: Array<{ key: string; value: JsonValue }>;
  text?: string;
  offsets?: number[];
}

class JsonScanner {
  pos = 0;
  constructor(private readonly source: string) {}

  fail(message: string): never {
    throw new JsonError(message, this.pos);
  }

  skip(): void {
    while (this.pos < this.source.length && /[ \t\r\n\ufeff]/.test(this.source[this.pos])) this.pos++;
  }

  value(depth = 0): JsonValue {
    if (depth > 200) this.fail('nesting too deep');
    this.skip();
    const c = this.source[this.pos];
    const start = this.pos;
    if (c === '{') {
      this.pos++;
      const members: Array<{ key: string; value: JsonValue }> = [];
      this.skip();
      if (this.source[this.pos] === '}') {
        this.pos++;
        return { kind: 'object', start, end: this.pos, members };
      }
      for (;;) {
        this.skip();
        if (this.source[this.pos] !== '"') this.fail('expected a property name');
        const key = this.string();
        this.skip();
        if (this.source[this.pos] !== ':') this.fail("expected ':'");
        this.pos++;
        members.push({ key: key.text!, value: this.value(depth + 1) });
        this.skip();
        if (this.source[this.pos] === ',') {
          this.pos++;
          continue;
        }
        if (this.source[this.pos] === '}') {
          this.pos++;
          return { kind: 'object', start, end: this.pos, members };
        }
        this.fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      this.pos++;
      this.skip();
      if (this.source[this.pos] === ']') {
        this.pos++;
        return { kind: 'array', start, end: this.pos };
      }
      for (;;) {
        this.value(depth + 1);
        this.skip();
        if (this.source[this.pos] === ',') {
          this.pos++;
          continue;
        }
        if (this.source[this.pos] === ']') {
          this.pos++;
          return { kind: 'array', start, end: this.pos };
        }
        this.fail("expected ',' or ']'");
      }
    }
    if (c === '"') return this.string();
    const match = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)/.exec(this.source.slice(this.pos, this.pos + 64));
    if (match === null) this.fail('unexpected token');
    this.pos += match[0].length;
    return { kind: 'other', start, end: this.pos };
  }

  string(): JsonValue {
    const start = this.pos;
    this.pos++;
    let text = '';
    const offsets: number[] = [];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    while (this.pos < this.source.length && this.source[this.pos] !== '"') {
      const c = this.source[this.pos];
      if (c === '\\') {
        const n = this.source[this.pos + 1];
        if (n === 'u') {
          const hex = this.source.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
          text += String.fromCharCode(parseInt(hex, 16));
          offsets.push(this.pos);
          this.pos += 6;
          continue;
        }
        if (n === undefined || !Object.prototype.hasOwnProperty.call(simple, n)) this.fail('bad escape');
        text += simple[n];
        offsets.push(this.pos);
        this.pos += 2;
        continue;
      }
      if (c === '\n') this.fail('unterminated string');
      text += c;
      offsets.push(this.pos);
      this.pos++;
    }
    if (this.pos >= this.source.length) this.fail('unterminated string');
    offsets.push(this.pos);
    this.pos++;
    return { kind: 'string', start, end: this.pos, text, offsets };
  }
}

class JsonError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export function extractPackageJson(file: string, source: string): ExtractResult {
  const sites: CommandSite[] = [];
  const lines = new LineIndex(source);
  let root: JsonValue;
  try {
    const scanner = new JsonScanner(source);
    root = scanner.value();
    scanner.skip();
    if (scanner.pos < source.length) scanner.fail('unexpected text after the JSON value');
  } catch (error) {
    const offset = error instanceof JsonError ? Math.min(error.offset, source.length) : 0;
    const message = error instanceof Error ? error.message : String(error);
    return { sites, diagnostics: [{ file, message, offset, ...lines.position(offset) }] };
  }
  const scripts = root.members?.filter((member) => member.key === 'scripts').pop()?.value;
  for (const member of scripts?.members ?? []) {
    if (member.value.kind !== 'string') continue;
    sites.push(makeSite(file, member.value.text!, member.value.offsets!, lines, Object.create(null) as Record<string, VariableValue>, 'npm-script', `scripts.${member.key}`));
  }
  return { sites, diagnostics: [] };
}

// ---------------------------------------------------------------------------------------------
// justfile (simple: recipe bodies are the indented lines under a `name ...:` header)

export function extractJustfile(file: string, source: string): ExtractResult {
  const sites: CommandSite[] = [];
  const lines = new LineIndex(source);
  const env: Record<string, VariableValue> = Object.create(null) as Record<string, VariableValue>;
  let recipe: string | null = null;
  let pending: { text: string; offsets: number[] } | null = null;
  const flush = (): void => {
    if (pending !== null && recipe !== null && pending.text.trim() !== '') {
      pending.offsets.push((pending.offsets[pending.offsets.length - 1] ?? 0) + 1);
      sites.push(makeSite(file, pending.text, pending.offsets, lines, { ...env }, 'just', `${recipe}`));
    }
    pending = null;
  };
  for (let index = 0; index < lines.lineCount; index++) {
    const start = lines.lineStart(index + 1);
    const end = lines.lineEnd(index + 1);
    const line = source.slice(start, end);
    const indented = /^[ \t]/.test(line);
    if (!indented) {
      flush();
      const exported = /^export\s+([A-Za-z_][A-Za-z0-9_-]*)\s*:=\s*(?:'([^']*)'|"([^"\\$]*)")\s*$/.exec(line);
      if (exported) env[exported[1]] = exported[2] ?? exported[3];
      const isAssignment = /^(export\s+)?[A-Za-z_][A-Za-z0-9_-]*\s*:=/.test(line);
      const header = isAssignment ? null : /^@?([A-Za-z_][A-Za-z0-9_-]*)[^:]*:(?!=)/.exec(line);
      recipe = header ? header[1] : line.trim() === '' || line.startsWith('#') ? recipe : null;
      continue;
    }
    if (recipe === null) continue;
    const contentStart = start + (line.length - line.trimStart().length);
    let content = source.slice(contentStart, end);
    let skipped = 0;
    if (pending === null) {
      // `@` (quiet) and `-` (ignore errors) prefixes are just's, not the shell's.
      while ((content.startsWith('@') || content.startsWith('-')) && skipped < 2) {
        content = content.slice(1);
        skipped++;
      }
      if (content.startsWith('#!')) {
        recipe = null; // shebang recipe: one script in another interpreter, not line-by-line
        continue;
      }
    }
    const offsets = Array.from({ length: content.length }, (_, i) => contentStart + skipped + i);
    const current: { text: string; offsets: number[] } = pending ?? { text: '', offsets: [] };
    if (pending !== null) {
      current.text += '\n';
      current.offsets.push(start - 1);
    }
    current.text += content;
    current.offsets.push(...offsets);
    pending = current;
    if (!content.endsWith('\\')) flush();
  }
  flush();
  return { sites, diagnostics: [] };
}

// ---------------------------------------------------------------------------------------------

export type CiFileKind = 'github-workflow' | 'github-action' | 'gitlab-ci' | 'package-json' | 'taskfile' | 'justfile';

/** Which extractor a path calls for (`/` separated, relative to the project root), or null. */
export function ciFileKind(relativePath: string): CiFileKind | null {
  const path = relativePath.replace(/\\/g, '/');
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return 'github-workflow';
  if (name === 'action.yml' || name === 'action.yaml') return 'github-action';
  if (name === '.gitlab-ci.yml' || name === '.gitlab-ci.yaml') return 'gitlab-ci';
  if (name === 'package.json') return 'package-json';
  if (/^taskfile(\.dist)?\.ya?ml$/i.test(name)) return 'taskfile';
  if (/^\.?justfile$/i.test(name)) return 'justfile';
  return null;
}

/** Extracts command sites from any supported file; never throws. */
export function extractCommandSites(file: string, source: string, kind: CiFileKind | null = ciFileKind(file)): ExtractResult {
  try {
    switch (kind) {
      case 'github-workflow':
        return extractGitHubWorkflow(file, source);
      case 'github-action':
        return extractGitHubAction(file, source);
      case 'gitlab-ci':
        return extractGitLabCi(file, source);
      case 'package-json':
        return extractPackageJson(file, source);
      case 'taskfile':
        return extractTaskfile(file, source);
      case 'justfile':
        return extractJustfile(file, source);
      default:
        return { sites: [], diagnostics: [] };
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { sites: [], diagnostics: [{ file, message: `internal error: ${message}`, offset: 0, line: 1, column: 1 }] };
  }
}
