// The fix for parallel-init-cache-race: a serial warm-up init before the parallel one. The
// warm-up is the launching command itself, made serial: a copy with `--parallel=1` where
// Terramate's flags end (before `--`, before the command word, before the script labels) and
// without literal `--enable-sharing`/`--mock-on-fail`. Every edit is one insertion, and it is
// checked before it is offered: the fixed text is parsed again the way the analysis parses it
// (make expanded, YAML decoded, the shell split) and the new command must read as the old one
// with only the parallelism changed to 1. When that cannot be shown, there is no fix.
//
// Why `--parallel=1` after the existing flags is serial (kong, Terramate's CLI parser, v0.7.1):
// each occurrence of a flag decodes into the one value kept per flag (context.go parseFlag ->
// Value.Parse -> intDecoder's target.SetInt, into c.getValue(flag.Value)), and Context.Apply
// copies that value once, so the last occurrence wins: `-j 5 ... --parallel=1` runs serially.
// The `=` form is used because Terramate before 0.5.0 (custom kongParallelFlag decoder, removed
// in commit 9e449be3) only read a value given as `--parallel=N` and took `--parallel 1` as a
// bare `--parallel` (5) followed by the command `1`; `--parallel=1` means 1 in every version.

import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node as YamlNode, type YAMLMap } from '../../parsers/yaml.js';
import type { InitLaunch } from '../../analysis/launches.js';
import type { ScriptDefinition } from '../../analysis/terramate.js';
import { evaluateMakefile, UNKNOWN_CLOSE, UNKNOWN_OPEN, type RecipeLine, type VariableDefinition } from '../../parsers/make/index.js';
import { parseShell, type ArgWord, type ShellCommand } from '../../parsers/shell.js';
import { isInitCommand, parseTerramateInvocation, type TerramateInvocation } from '../../parsers/terramate-cli.js';
import { extractCommandSites, positionInFile, type CiFileKind, type CommandSite } from '../../parsers/yaml-ci.js';
import type { Fix, TextEdit } from '../../types.js';
import { maskRecipeLine } from './masked-recipe.js';
import { launchSiteKind } from './site-kind.js';

/** The flag the warm-up adds: last among Terramate's flags, so it decides the parallelism. */
export const SERIAL_FLAG = '--parallel=1';
export const WARM_UP_STEP_NAME = 'Warm up the plugin cache (serial init)';

const SHARING_FLAGS = new Set(['enable-sharing', 'mock-on-fail']);

export interface WarmUpOptions {
  /**
   * The project's Terramate scripts (`TerramateConfig.scripts`). A `terramate script run`
   * launch gets a fix only when every script with its labels runs nothing but init: a serial
   * copy of a script that also plans or applies would run those twice.
   */
  scripts?: readonly ScriptDefinition[];
  /** Reads the other makefiles make reads with this one (includes), through the analysis' file store. */
  readText: (file: string) => string | undefined;
}

/**
 * A serial warm-up init inserted before `launch` (a parallel `terramate run ... init` or
 * `terramate script run`), in `launch.file` whose current text is `text`; null when the place
 * or the command cannot be shown right.
 */
export function warmUpFix(launch: InitLaunch, text: string, options: WarmUpOptions): Fix | null {
  let edit: TextEdit | null;
  try {
    edit = warmUpEdit(launch, text, options);
  } catch {
    edit = null;
  }
  if (!edit) return null;
  return {
    description:
      `insert a serial warm-up init before the parallel one (${launch.label}): one init at a time fills the plugin cache first; ` +
      `this changes behaviour: it adds one serial init run (\`${SERIAL_FLAG}\`) before the parallel one`,
    safe: true,
    changes: [edit],
  };
}

function warmUpEdit(launch: InitLaunch, text: string, options: WarmUpOptions): TextEdit | null {
  if (text.slice(launch.start, launch.end).length === 0 || launch.end > text.length) return null;
  switch (launch.context) {
    case 'makefile':
      return makefileEdit(launch, text, options);
    case 'shell':
      return shellScriptEdit(launch, text, options);
    case 'github-step':
    case 'gitlab-script':
    case 'task':
      return yamlEdit(launch, text, options);
    case 'npm-script':
      return packageJsonEdit(launch, text, options);
    case 'just':
      return justfileEdit(launch, text, options);
    default:
      // A Terramate script command: the serial form is a `terramate script run` elsewhere.
      return null;
  }
}

// ---- The serial copy of a command ------------------------------------------------------

interface SerialCopy {
  /** The launching command's text with the serial flag added and sharing flags left out. */
  copy: string;
  /** The literal sharing flag words left out, as written. */
  removed: string[];
}

interface CommandInText {
  command: ShellCommand;
  /** File offset where a word starts. */
  wordStart(word: ArgWord): number;
  /** What the shell reads between word i and word i + 1 (to check it is only blanks). */
  between(i: number): string;
}

/**
 * The copy of `text[copyStart, copyEnd)` (the command) made serial. `allowUnknownFlags`: flag
 * words that cannot be read here (make references) are accepted; the caller checks the result
 * after expansion.
 */
function serialCopy(
  text: string,
  copyStart: number,
  copyEnd: number,
  located: CommandInText,
  options: WarmUpOptions,
  allowUnknownFlags: boolean,
): SerialCopy | null {
  const { argv } = located.command;
  const invocation = parseTerramateInvocation(argv, { env: located.command.environment });
  if (!invocation || invocation.errors.length > 0) return null;
  if (!allowUnknownFlags && invocation.unknownWords.length > 0) return null;
  // A warm-up must not report a second deployment or drift run to Terramate Cloud.
  if (invocation.flags.some((flag) => /^(cloud-)?sync-/.test(flag.name))) return null;
  if (!runsOnlyInit(invocation, options.scripts)) return null;
  const insertIndex = flagsEnd(invocation, argv);
  if (insertIndex < 0) return null;

  const edits: Array<{ start: number; end: number; text: string }> = [];
  const at = located.wordStart(argv[insertIndex]);
  if (at < copyStart || at >= copyEnd) return null;
  edits.push({ start: at, end: at, text: `${SERIAL_FLAG} ` });
  const removed: string[] = [];
  for (const flag of invocation.flags) {
    if (!SHARING_FLAGS.has(flag.name) || flag.index >= insertIndex) continue;
    const word = argv[flag.index];
    const next = argv[flag.index + 1];
    if (word.value === null || !next || flag.valueIndex !== undefined) return null;
    if (!/^(?:[ \t]|\\\r?\n)*$/.test(located.between(flag.index))) return null;
    const start = located.wordStart(word);
    const end = located.wordStart(next);
    if (start < copyStart || end > copyEnd || start >= end) return null;
    edits.push({ start, end, text: '' });
    removed.push(word.text);
  }
  edits.sort((a, b) => a.start - b.start || b.end - b.start - (a.end - a.start));
  let copy = '';
  let cursor = copyStart;
  for (const edit of edits) {
    if (edit.start < cursor) return null;
    copy += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  copy += text.slice(cursor, copyEnd);
  return { copy, removed };
}

/** argv index of the word Terramate's flags end at: `--`, the command word, the first script label. */
function flagsEnd(invocation: TerramateInvocation, argv: readonly ArgWord[]): number {
  const argc = argv.length;
  const rest = invocation.kind === 'run' ? invocation.command.length : invocation.scriptLabels.length;
  if (rest === 0) return -1;
  const index = argc - rest;
  const claimed = (i: number) => invocation.flags.some((flag) => flag.index === i || flag.valueIndex === i);
  // The separator, when there is one, is where the flags end.
  return index - 1 > invocation.subcommandIndex && !claimed(index - 1) && argv[index - 1]?.value === '--' ? index - 1 : index;
}

/** `terramate run ... -- terraform init ...`, or a script run whose every definition only inits. */
function runsOnlyInit(invocation: TerramateInvocation, scripts: readonly ScriptDefinition[] | undefined): boolean {
  if (invocation.kind === 'run') return isInitCommand(invocation.command) !== null;
  if (!scripts) return false;
  const labels = invocation.scriptLabels.join(' ');
  const definitions = scripts.filter((script) => script.labels.join(' ') === labels);
  return (
    definitions.length > 0 &&
    definitions.every(
      (script) =>
        script.commands.length > 0 &&
        script.commands.every((command) => command.argv.every((word) => typeof word === 'string') && isInitCommand(command.argv as string[]) !== null),
    )
  );
}

// ---- What the fixed text must say ----------------------------------------------------------

function texts(words: readonly ArgWord[]): string[] {
  return words.map((word) => word.text);
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

function assignmentsOf(command: ShellCommand): string[] {
  return command.assignments.map((assignment) => `${assignment.name}=${typeof assignment.value === 'string' ? assignment.value : '?'}`);
}

/**
 * `serial` reads as `original` with the literal flags `removed` left out and the serial flag
 * last among Terramate's flags, deciding the parallelism.
 */
function isSerialCopy(original: ShellCommand, serial: ShellCommand, removed: readonly string[]): boolean {
  const before = parseTerramateInvocation(original.argv, { env: original.environment });
  const after = parseTerramateInvocation(serial.argv, { env: serial.environment });
  if (!before || !after || before.kind !== after.kind || before.subcommandIndex !== after.subcommandIndex) return false;
  if (after.unknownWords.length > 0 || after.errors.length !== before.errors.length) return false;
  if (!sameList(assignmentsOf(original), assignmentsOf(serial))) return false;
  if (!sameList(texts(original.argv.slice(0, before.subcommandIndex + 1)), texts(serial.argv.slice(0, after.subcommandIndex + 1)))) return false;
  if (before.kind === 'run' ? !sameList(texts(before.command), texts(after.command)) : !sameList(before.scriptLabels, after.scriptLabels)) return false;

  const { parallel } = after.options;
  if (parallel.value !== 1 || parallel.source !== 'flag' || parallel.argIndex === undefined) return false;
  if (serial.argv[parallel.argIndex]?.text !== SERIAL_FLAG) return false;
  const beforeEnd = flagsEnd(before, original.argv);
  const afterEnd = flagsEnd(after, serial.argv);
  if (beforeEnd < 0 || afterEnd < 0 || parallel.argIndex !== afterEnd - 1) return false;
  const expected = texts(original.argv.slice(before.subcommandIndex + 1, beforeEnd));
  for (const word of removed) {
    const at = expected.lastIndexOf(word);
    if (at < 0) return false;
    expected.splice(at, 1);
  }
  const got = texts(serial.argv.slice(after.subcommandIndex + 1, afterEnd - 1));
  return sameList([...expected].sort(), [...got].sort());
}

// ---- Lines -------------------------------------------------------------------------------------

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function eolAt(text: string, offset: number): string {
  const newline = text.indexOf('\n', offset);
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * True when the shell text before a line (`before`) leaves a command unfinished, so a line
 * inserted there would join it: a continuation backslash, `&&`, `||`, a pipe.
 */
function continuesIntoNextLine(before: string): boolean {
  const lines = before.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/ #/.test(line)) return true; // a comment after code: too unsure to read the line's end
    const backslashes = /\\*$/.exec(trimmed)?.[0].length ?? 0;
    if (backslashes % 2 === 1) return true;
    return /(&&|\|\||\||\|&)$/.test(trimmed);
  }
  return false;
}

function insertion(file: string, at: number, text: string): TextEdit {
  return { kind: 'text', file, start: at, end: at, text };
}

function applyOne(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

// ---- Shell commands found in a text ------------------------------------------------------------

interface FoundCommand {
  command: ShellCommand;
  site: ShellSite;
}

interface ShellSite {
  text: string;
  env?: CommandSite['env'];
  toFile(offset: number): number;
}

function fileSpan(site: ShellSite, command: ShellCommand): { start: number; end: number } {
  return { start: site.toFile(command.start), end: site.toFile(Math.max(command.start, command.end - 1)) + 1 };
}

/** The top-level command of `sites` spanning exactly `[start, end)` of the file. */
function commandAt(sites: readonly ShellSite[], start: number, end: number): FoundCommand | null {
  for (const site of sites) {
    for (const command of parseShell(site.text, { env: site.env }).commands) {
      if (command.via.length > 0) continue;
      const span = fileSpan(site, command);
      if (span.start === start && span.end === end) return { command, site };
    }
  }
  return null;
}

function locate(found: FoundCommand): CommandInText | null {
  const { command, site } = found;
  if (!command.exactOffsets || command.argv.some((word) => word.start < 0)) return null;
  return {
    command,
    wordStart: (word) => site.toFile(word.start),
    between: (i) => site.text.slice(command.argv[i].end, command.argv[i + 1]?.start ?? command.argv[i].end),
  };
}

function wholeFileSite(text: string): ShellSite {
  return { text, toFile: (offset) => offset };
}

function commandSites(file: string, text: string, kind: CiFileKind): ShellSite[] | null {
  const extracted = extractCommandSites(file, text, kind);
  if (extracted.diagnostics.length > 0) return null;
  return extracted.sites.map((site) => ({ text: site.text, env: site.env, toFile: (offset: number) => positionInFile(site, offset).offset }));
}

/** The command before the fix and the serial copy after it, both found again in the fixed text. */
function checkFixed(
  sitesAfter: readonly ShellSite[] | null,
  original: ShellCommand,
  serial: { start: number; end: number },
  moved: { start: number; end: number },
  removed: readonly string[],
): boolean {
  if (!sitesAfter) return false;
  const copy = commandAt(sitesAfter, serial.start, serial.end);
  const kept = commandAt(sitesAfter, moved.start, moved.end);
  if (!copy || !kept) return false;
  if (!sameList(texts(kept.command.argv), texts(original.argv)) || !sameList(assignmentsOf(kept.command), assignmentsOf(original))) return false;
  return isSerialCopy(original, copy.command, removed);
}

// ---- Shell scripts -------------------------------------------------------------------------------

function shellScriptEdit(launch: InitLaunch, text: string, options: WarmUpOptions): TextEdit | null {
  const site = wholeFileSite(text);
  return lineBeforeEdit(launch, text, [site], options, {
    prefixPattern: /^[ \t]*$/,
    before: (lineStart) => text.slice(0, lineStart),
    reparse: (fixed) => [wholeFileSite(fixed)],
  });
}

interface LineRules {
  /** What may stand on the line before the command (indentation, recipe flags). */
  prefixPattern: RegExp;
  /** The shell text before the line (to see that no command continues into it). */
  before(lineStart: number): string;
  reparse(fixed: string): ShellSite[] | null;
  /** Further checks on the fixed text (YAML structure). */
  verify?(fixed: string): boolean;
}

/** A new line before the command's line: its indentation, the serial copy. */
function lineBeforeEdit(launch: InitLaunch, text: string, sites: readonly ShellSite[], options: WarmUpOptions, rules: LineRules): TextEdit | null {
  const found = commandAt(sites, launch.start, launch.end);
  const located = found && locate(found);
  if (!found || !located) return null;
  const lineStart = lineStartOf(text, launch.start);
  const prefix = text.slice(lineStart, launch.start);
  if (!rules.prefixPattern.test(prefix)) return null;
  if (continuesIntoNextLine(rules.before(lineStart))) return null;
  const serial = serialCopy(text, launch.start, launch.end, located, options, false);
  if (!serial) return null;
  const edit = insertion(launch.file, lineStart, `${prefix}${serial.copy}${eolAt(text, launch.start)}`);
  const fixed = applyOne(text, edit);
  const shift = edit.text.length;
  const ok =
    checkFixed(
      rules.reparse(fixed),
      found.command,
      { start: launch.start, end: launch.start + serial.copy.length },
      { start: launch.start + shift, end: launch.end + shift },
      serial.removed,
    ) && (rules.verify?.(fixed) ?? true);
  return ok ? edit : null;
}

// ---- justfile -------------------------------------------------------------------------------------

function justfileEdit(launch: InitLaunch, text: string, options: WarmUpOptions): TextEdit | null {
  const sites = commandSites(launch.file, text, 'justfile');
  if (!sites) return null;
  // Each recipe line runs in its own shell: the command must start its line (after the
  // indentation and just's `@`/`-`), so the whole line is the command.
  return lineBeforeEdit(launch, text, sites, options, {
    prefixPattern: /^[ \t]+[@-]{0,2}$/,
    before: (lineStart) => text.slice(0, lineStart),
    reparse: (fixed) => commandSites(launch.file, fixed, 'justfile'),
  });
}

// ---- package.json -----------------------------------------------------------------------------------

/** `"init": "<serial> && <parallel>"`: the serial copy joined before the command with `&&`. */
function packageJsonEdit(launch: InitLaunch, text: string, options: WarmUpOptions): TextEdit | null {
  const sites = commandSites(launch.file, text, 'package-json');
  const found = sites && commandAt(sites, launch.start, launch.end);
  const located = found && locate(found);
  if (!sites || !found || !located) return null;
  // `a && b` -> `a && s && b` and `a; b` -> `a; s && b` keep b's conditions; after `||` or a
  // pipe they would not.
  const previous = found.site.text.slice(0, found.command.start).trimEnd();
  const lastCommandEnd = Math.max(0, ...parseShell(found.site.text).commands.filter((command) => command.end <= found.command.start).map((command) => command.end));
  const separator = previous.slice(lastCommandEnd).trim();
  if (!['', '&&', ';'].includes(separator)) return null;
  const serial = serialCopy(text, launch.start, launch.end, located, options, false);
  if (!serial) return null;
  const edit = insertion(launch.file, launch.start, `${serial.copy} && `);
  const fixed = applyOne(text, edit);
  const shift = edit.text.length;
  return checkFixed(
    commandSites(launch.file, fixed, 'package-json'),
    found.command,
    { start: launch.start, end: launch.start + serial.copy.length },
    { start: launch.start + shift, end: launch.end + shift },
    serial.removed,
  ) && sameJsonApartFromScripts(text, fixed)
    ? edit
    : null;
}

function sameJsonApartFromScripts(before: string, after: string): boolean {
  try {
    const a = JSON.parse(before) as Record<string, unknown>;
    const b = JSON.parse(after) as Record<string, unknown>;
    const scriptsA = a.scripts as Record<string, unknown>;
    const scriptsB = b.scripts as Record<string, unknown>;
    if (JSON.stringify({ ...a, scripts: null }) !== JSON.stringify({ ...b, scripts: null })) return false;
    const changed = Object.keys(scriptsA).filter((key) => scriptsA[key] !== scriptsB[key]);
    return changed.length === 1 && sameList(Object.keys(scriptsA), Object.keys(scriptsB));
  } catch {
    return false;
  }
}

// ---- YAML (GitHub steps, GitLab scripts, Taskfile cmds) -------------------------------------------

type PathKey = string | number;

interface ScalarPlace {
  scalar: Scalar;
  /** Keys and indices from the document root to the scalar. */
  path: PathKey[];
  /** The collections on the way, outermost first (parallel to path). */
  parents: YamlNode[];
}

function loadYaml(text: string): Document.Parsed | null {
  try {
    const doc = parseDocument(text, { lineCounter: new LineCounter(), merge: true, prettyErrors: false, uniqueKeys: false, strict: false });
    return doc.errors.length === 0 ? doc : null;
  } catch {
    return null;
  }
}

/** The scalar whose source holds `offset`, reached without aliases. */
function scalarHolding(doc: Document.Parsed, offset: number): ScalarPlace | null {
  const walk = (node: unknown, path: PathKey[], parents: YamlNode[]): ScalarPlace | null => {
    if (isScalar(node)) {
      const range = node.range;
      return range && range[0] <= offset && offset < range[1] ? { scalar: node, path, parents } : null;
    }
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? pair.key.value : null;
        if (typeof key !== 'string' && typeof key !== 'number') continue;
        const found = walk(pair.value, [...path, String(key)], [...parents, node]);
        if (found) return found;
      }
      return null;
    }
    if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = walk(node.items[i], [...path, i], [...parents, node]);
        if (found) return found;
      }
    }
    return null;
  };
  return walk(doc.contents, [], []);
}

function yamlEdit(launch: InitLaunch, text: string, options: WarmUpOptions): TextEdit | null {
  const kind = launchSiteKind(launch);
  const doc = loadYaml(text);
  const sites = kind && commandSites(launch.file, text, kind);
  if (!kind || !doc || !sites) return null;
  const place = scalarHolding(doc, launch.start);
  if (!place || !place.scalar.range || launch.end > place.scalar.range[1]) return null;
  const reparse = (fixed: string) => commandSites(launch.file, fixed, kind);
  if (place.scalar.type === 'BLOCK_LITERAL') return blockLineEdit(launch, text, doc, place, sites, options, reparse);
  if (place.scalar.type === 'PLAIN' || place.scalar.type === 'QUOTE_SINGLE' || place.scalar.type === 'QUOTE_DOUBLE') {
    return launch.context === 'github-step' ? newStepEdit(launch, text, doc, place, sites, options, reparse) : newItemEdit(launch, text, doc, place, sites, options, reparse);
  }
  return null;
}

/** The document as data, after `change` (applied to a copy); null when it cannot be read. */
function dataOf(doc: Document.Parsed, change?: (copy: Document.Parsed) => boolean): string | null {
  try {
    const copy = doc.clone() as Document.Parsed;
    if (change && !change(copy)) return null;
    return JSON.stringify(copy.toJS({ maxAliasCount: -1 }));
  } catch {
    return null;
  }
}

/** A line in the `run: |` / `- |` block, before the command's line, with its indentation. */
function blockLineEdit(
  launch: InitLaunch,
  text: string,
  doc: Document.Parsed,
  place: ScalarPlace,
  sites: ShellSite[],
  options: WarmUpOptions,
  reparse: (fixed: string) => ShellSite[] | null,
): TextEdit | null {
  const range = place.scalar.range!;
  const contentStart = text.indexOf('\n', range[0]) + 1;
  if (contentStart <= 0 || lineStartOf(text, launch.start) < contentStart) return null;
  const oldValue = String(place.scalar.value);
  return lineBeforeEdit(launch, text, sites, options, {
    prefixPattern: /^[ \t]*$/,
    before: (lineStart) => text.slice(contentStart, lineStart),
    reparse,
    verify: (fixed) => {
      const after = loadYaml(fixed);
      const value = after?.getIn(place.path, true);
      if (!after || !isScalar(value) || value.type !== 'BLOCK_LITERAL' || typeof value.value !== 'string') return false;
      // The block gained lines, in one place; the rest of the document reads the same.
      const oldLines = oldValue.split('\n');
      const newLines = value.value.split('\n');
      const added = newLines.length - oldLines.length;
      let first = 0;
      while (first < oldLines.length && oldLines[first] === newLines[first]) first++;
      if (added <= 0 || !sameList(oldLines.slice(first), newLines.slice(first + added))) return false;
      return dataOf(after) === dataOf(doc, (copy) => setScalar(copy, place.path, value.value as string));
    },
  });
}

function setScalar(doc: Document.Parsed, path: PathKey[], value: string): boolean {
  const node = doc.getIn(path, true);
  if (!isScalar(node)) return false;
  node.value = value;
  return true;
}

/** The command is the whole of a one-line scalar: the scalar's source, with the copy in it. */
function oneLineScalar(text: string, place: ScalarPlace, launch: InitLaunch, copy: string): string | null {
  const [start, end] = place.scalar.range!;
  const source = text.slice(start, end);
  if (source.includes('\n')) return null;
  const quote = place.scalar.type === 'PLAIN' ? 0 : 1;
  if (text.slice(start + quote, launch.start).trim() !== '' || text.slice(launch.end, end - quote).trim() !== '') return null;
  return text.slice(start, launch.start) + copy + text.slice(launch.end, end);
}

/** ` - <item>` before the item, at the item's indentation (GitLab script lists, Task cmds). */
function newItemEdit(
  launch: InitLaunch,
  text: string,
  doc: Document.Parsed,
  place: ScalarPlace,
  sites: ShellSite[],
  options: WarmUpOptions,
  reparse: (fixed: string) => ShellSite[] | null,
): TextEdit | null {
  const seq = place.parents[place.parents.length - 1];
  const index = place.path[place.path.length - 1];
  if (!seq || !isSeq(seq) || seq.flow || typeof index !== 'number') return null;
  const range = place.scalar.range!;
  const lineStart = lineStartOf(text, range[0]);
  const dash = /^( *)-( +)$/.exec(text.slice(lineStart, range[0]));
  const found = commandAt(sites, launch.start, launch.end);
  const located = found && locate(found);
  if (!dash || !found || !located) return null;
  const serial = serialCopy(text, launch.start, launch.end, located, options, false);
  const item = serial && oneLineScalar(text, place, launch, serial.copy);
  if (!serial || item === null) return null;
  const head = `${dash[1]}-${dash[2]}`;
  const edit = insertion(launch.file, lineStart, `${head}${item}${eolAt(text, range[0])}`);
  const fixed = applyOne(text, edit);
  const serialStart = lineStart + head.length + (launch.start - range[0]);
  const after = loadYaml(fixed);
  const inserted = after?.getIn([...place.path.slice(0, -1), index], true);
  if (!after || !isScalar(inserted) || typeof inserted.value !== 'string') return null;
  const expected = dataOf(doc, (copy) => {
    const list = copy.getIn(place.path.slice(0, -1), true);
    if (!isSeq(list)) return false;
    list.items.splice(index, 0, new Scalar(inserted.value));
    return true;
  });
  const ok =
    expected !== null &&
    dataOf(after) === expected &&
    checkFixed(
      reparse(fixed),
      found.command,
      { start: serialStart, end: serialStart + serial.copy.length },
      { start: launch.start + edit.text.length, end: launch.end + edit.text.length },
      serial.removed,
    );
  return ok ? edit : null;
}

/** Keys of a `run` step the warm-up step takes over as they are (where and how it runs). */
const STEP_KEYS_COPIED = new Set(['if', 'env', 'shell', 'working-directory', 'continue-on-error', 'timeout-minutes']);
const STEP_KEYS_LEFT = new Set(['name', 'id', 'run']);

/** A whole step before the step: `- name: Warm up...`, the step's if/env/shell/directory, `run:`. */
function newStepEdit(
  launch: InitLaunch,
  text: string,
  doc: Document.Parsed,
  place: ScalarPlace,
  sites: ShellSite[],
  options: WarmUpOptions,
  reparse: (fixed: string) => ShellSite[] | null,
): TextEdit | null {
  const step = place.parents[place.parents.length - 1];
  const steps = place.parents[place.parents.length - 2];
  const index = place.path[place.path.length - 2];
  if (!step || !steps || !isMap(step) || !isSeq(steps) || step.flow || steps.flow || typeof index !== 'number' || place.path[place.path.length - 1] !== 'run') return null;
  const map = step as YAMLMap;
  if (!map.range) return null;
  const lineStart = lineStartOf(text, map.range[0]);
  const dash = /^( *)-( +)$/.exec(text.slice(lineStart, map.range[0]));
  const found = commandAt(sites, launch.start, launch.end);
  const located = found && locate(found);
  if (!dash || !found || !located) return null;
  const eol = eolAt(text, map.range[0]);
  const indent = `${dash[1]} ${dash[2].replace(/./g, ' ')}`;
  const lines: string[] = [];
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? pair.key.value : null;
    if (typeof key !== 'string' || !isScalar(pair.key) || !pair.key.range) return null;
    if (STEP_KEYS_LEFT.has(key)) continue;
    if (!STEP_KEYS_COPIED.has(key)) return null;
    const value = pair.value as YamlNode | null;
    if (!value || !value.range || (pair.key.type !== 'PLAIN' && pair.key.type !== undefined)) return null;
    lines.push(text.slice(pair.key.range[0], value.range[1]).replace(/[ \t\r\n]+$/, ''));
  }
  const serial = serialCopy(text, launch.start, launch.end, located, options, false);
  const run = serial && oneLineScalar(text, place, launch, serial.copy);
  if (!serial || run === null) return null;
  const head = `${dash[1]}-${dash[2]}name: ${WARM_UP_STEP_NAME}${eol}`;
  const body = lines.map((line) => `${indent}${line}${eol}`).join('');
  const runLine = `${indent}run: `;
  const edit = insertion(launch.file, lineStart, `${head}${body}${runLine}${run}${eol}`);
  const fixed = applyOne(text, edit);
  const serialStart = lineStart + head.length + body.length + runLine.length + (launch.start - place.scalar.range![0]);
  const after = loadYaml(fixed);
  const newRun = after?.getIn([...place.path.slice(0, -2), index, 'run'], true);
  if (!after || !isScalar(newRun) || typeof newRun.value !== 'string') return null;
  const expected = dataOf(doc, (copy) => {
    const list = copy.getIn(place.path.slice(0, -2), true);
    const original = copy.getIn(place.path.slice(0, -1), true);
    if (!isSeq(list) || !isMap(original)) return false;
    const added = copy.createNode({}) as YAMLMap;
    added.set('name', WARM_UP_STEP_NAME);
    for (const pair of original.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (STEP_KEYS_COPIED.has(key)) added.set(key, pair.value);
    }
    added.set('run', newRun.value);
    list.items.splice(index, 0, added);
    return true;
  });
  const ok =
    expected !== null &&
    dataOf(after) === expected &&
    checkFixed(
      reparse(fixed),
      found.command,
      { start: serialStart, end: serialStart + serial.copy.length },
      { start: launch.start + edit.text.length, end: launch.end + edit.text.length },
      serial.removed,
    );
  return ok ? edit : null;
}

// ---- Makefiles ---------------------------------------------------------------------------------------


function recipeEntry(launch: InitLaunch): string {
  return launch.make?.entry ?? launch.file;
}

/** A recipe line inserted before the launching one: the same prefix, the line made serial. */
function makefileEdit(launch: InitLaunch, text: string, options: WarmUpOptions): TextEdit | null {
  const recipe = launch.make?.recipe;
  const definitions = launch.make?.definitions ?? [];
  if (!recipe || recipe.file !== launch.file || recipe.capped) return null;
  if (text.slice(recipe.start, recipe.end) !== recipe.raw) return null;
  // With .ONESHELL the recipe is one script and only its first line's @-+ are make's.
  if (/^\.ONESHELL[ \t]*:/m.test(text)) return null;
  const lineStart = lineStartOf(text, recipe.start);
  const prefix = text.slice(lineStart, recipe.start);
  if (!(prefix === '\t' || (prefix.length === 1 && definitions.some((definition: VariableDefinition) => definition.name === '.RECIPEPREFIX')))) return null;

  const masked = maskRecipeLine(recipe.raw, prefix);
  if (!masked) return null;
  const commands = parseShell(masked.text).commands;
  // The line is copied whole: it must be the launch, after nothing but `cd DIR &&`.
  const launchCommand = commands[commands.length - 1];
  if (!launchCommand || commands.some((command) => command.via.length > 0 || !command.exactOffsets)) return null;
  let cursor = 0;
  for (const command of commands) {
    const gap = masked.text.slice(cursor, command.start).trim();
    if (gap !== (cursor === 0 ? '' : '&&')) return null;
    if (command !== launchCommand && !(command.argv.length === 2 && command.argv.every((word) => word.value !== null) && command.argv[0].value === 'cd')) return null;
    cursor = command.end;
  }
  if (masked.text.slice(cursor).trim() !== '') return null;

  const located: CommandInText = {
    command: launchCommand,
    wordStart: (word) => recipe.start + masked.from[word.start],
    between: (i) => masked.text.slice(launchCommand.argv[i].end, launchCommand.argv[i + 1]?.start ?? launchCommand.argv[i].end),
  };
  const serial = serialCopy(text, recipe.start, recipe.end, located, options, true);
  if (!serial) return null;
  const edit = insertion(launch.file, lineStart, `${prefix}${serial.copy}${eolAt(text, recipe.start)}`);
  return makeShowsSerialFirst(launch, recipe, applyOne(text, edit), lineStart + prefix.length, edit.text.length, serial.removed, options) ? edit : null;
}

/** Make's own reading of the fixed makefile: the new line is each variant of the old one, made serial. */
function makeShowsSerialFirst(
  launch: InitLaunch,
  recipe: RecipeLine,
  fixed: string,
  serialStart: number,
  shift: number,
  removed: readonly string[],
  options: WarmUpOptions,
): boolean {
  const read = (file: string) => (file === launch.file ? fixed : options.readText(file));
  const db = evaluateMakefile(recipeEntry(launch), read);
  const serialLine = db.recipes.find((line) => line.file === launch.file && line.start === serialStart);
  const originalLine = db.recipes.find((line) => line.file === launch.file && line.start === recipe.start + shift);
  if (!serialLine || !originalLine || serialLine.capped || originalLine.capped) return false;
  if (originalLine.raw !== recipe.raw || !sameList(serialLine.targets, originalLine.targets)) return false;
  // Read in the same context as the analysis read it, or not at all.
  if (!sameList(originalLine.variants.map((variant) => variant.text), recipe.variants.map((variant) => variant.text))) return false;
  if (serialLine.variants.length !== originalLine.variants.length || serialLine.variants.length === 0) return false;
  return serialLine.variants.every((variant, i) => variantIsSerialCopy(originalLine.variants[i].text, variant.text, removed));
}

/** Make's unknown markers as unset shell variables (as the analysis reads them). */
function unknownsAsVariables(text: string): string {
  let counter = 0;
  return text.replace(new RegExp(`${UNKNOWN_OPEN}[^${UNKNOWN_CLOSE}]*${UNKNOWN_CLOSE}`, 'g'), () => `\${__tm_doctor_unknown_${counter++}}`);
}

function variantIsSerialCopy(original: string, serial: string, removed: readonly string[]): boolean {
  const before = parseShell(unknownsAsVariables(original)).commands;
  const after = parseShell(unknownsAsVariables(serial)).commands;
  if (before.length !== after.length || before.length === 0) return false;
  let launches = 0;
  for (let i = 0; i < before.length; i++) {
    if (parseTerramateInvocation(before[i].argv, { env: before[i].environment })) {
      launches++;
      if (!isSerialCopy(before[i], after[i], removed)) return false;
    } else if (!sameList(texts(before[i].argv), texts(after[i].argv)) || !sameList(assignmentsOf(before[i]), assignmentsOf(after[i]))) {
      return false;
    }
  }
  return launches === 1;
}
