import type { Node } from 'web-tree-sitter';
import { isMap, isScalar, isSeq, parseDocument } from '../../parsers/yaml.js';
import type { InitLaunch } from '../../analysis/launches.js';
import { TerramateConfig, type ScriptCommand } from '../../analysis/terramate.js';
import { parseHcl, type HclValue } from '../../parsers/hcl.js';
import { parseShell, type ShellCommand, type VariableMap } from '../../parsers/shell.js';
import { isInitCommand } from '../../parsers/terramate-cli.js';
import { extractCommandSites, positionInFile } from '../../parsers/yaml-ci.js';
import type { Fix, TextEdit } from '../../types.js';
import { makefileSharingFix, wordRemovalRange, type MakeNoFix } from './sharing-make-fix.js';
import { launchSiteKind } from './site-kind.js';
import { key, shapeOf, stillShares, withoutSharing, type CommandShape } from './sharing-words.js';

// The fix for no-sharing-on-init, per kind of launch. Every edit is confined to what carries
// the sharing options to init; plan/apply keep theirs. Each candidate is checked by reading the
// fixed text again the way the analysis reads it (make's expansion, the shell's words, YAML and
// JSON data, Terramate's script blocks): the init launch must have no sharing left and every
// other word as before. When that cannot be shown there is no fix, and the reason says why.

/** Why a launch gets no fix; the rule words it in the finding's help. */
export type NoFixReason =
  | MakeNoFix
  | { kind: 'environment'; variable: string }
  | { kind: 'shell-variable'; word: string }
  | { kind: 'shared-options'; command: string };

export type SharingFixResult = { fix: Fix; reason: null } | { fix: null; reason: NoFixReason };

export interface SharingFixContext {
  /** The text of a file as the analysis reads it (earlier fixes of the run included). */
  readText(file: string): string | undefined;
  /** The project root (Terramate scripts are read again with it). */
  root: string;
}

export async function sharingFix(launch: InitLaunch, context: SharingFixContext): Promise<SharingFixResult> {
  let result: { edits: TextEdit[] } | { edits: null; reason: NoFixReason };
  try {
    if (launch.context === 'makefile') result = makefileSharingFix(launch, (file) => context.readText(file));
    else if (launch.context === 'terramate-script') result = await scriptFix(launch, context);
    else result = commandSiteFix(launch, context);
  } catch (error) {
    result = { edits: null, reason: { kind: 'unproven', detail: error instanceof Error ? error.message : String(error) } };
  }
  if (result.edits === null) return { fix: null, reason: result.reason };
  return {
    fix: { description: `remove output sharing from the ${launch.tool} init launch (${launch.label})`, safe: true, changes: result.edits },
    reason: null,
  };
}

type EditsOrReason = { edits: TextEdit[] } | { edits: null; reason: NoFixReason };

const unproven = (detail: string): EditsOrReason => ({ edits: null, reason: { kind: 'unproven', detail } });

function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  let out = '';
  let cursor = 0;
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    if (edit.start < cursor) throw new Error('overlapping edits');
    out += text.slice(cursor, edit.start) + edit.text;
    cursor = edit.end;
  }
  return out + text.slice(cursor);
}

// ---- Shell scripts, CI steps, package.json scripts, Taskfile and justfile commands -----------------

interface Site {
  text: string;
  env?: VariableMap;
  toFile(offset: number): number;
}

interface SiteCommand {
  command: ShellCommand;
  site: Site;
  start: number;
  end: number;
}

/** The places of `text` a shell reads; null when the file does not read cleanly. */
function sitesOf(launch: InitLaunch, text: string): Site[] | null {
  if (launch.context === 'shell') return [{ text, toFile: (offset) => offset }];
  const kind = launchSiteKind(launch);
  if (!kind) return null;
  const extracted = extractCommandSites(launch.file, text, kind);
  if (extracted.diagnostics.length > 0) return null;
  return extracted.sites.map((site) => ({ text: site.text, env: site.env as VariableMap, toFile: (offset: number) => positionInFile(site, offset).offset }));
}

function commandsOf(sites: Site[]): SiteCommand[] {
  return sites.flatMap((site) =>
    parseShell(site.text, { env: site.env }).commands.map((command) => ({
      command,
      site,
      start: site.toFile(command.start),
      end: site.toFile(Math.max(command.start, command.end - 1)) + 1,
    })),
  );
}

/** The file text under `[start, end)` of a site's text, when it maps there character for character. */
function fileSpan(site: Site, text: string, start: number, end: number): { start: number; end: number } | null {
  const fileStart = site.toFile(start);
  const fileEnd = site.toFile(end - 1) + 1;
  return text.slice(fileStart, fileEnd) === site.text.slice(start, end) ? { start: fileStart, end: fileEnd } : null;
}

function commandSiteFix(launch: InitLaunch, context: SharingFixContext): EditsOrReason {
  const text = context.readText(launch.file);
  const sites = text === undefined ? null : sitesOf(launch, text);
  if (text === undefined || !sites) return unproven('the file does not read cleanly');
  const before = commandsOf(sites);
  const targets = before.filter((found) => found.start === launch.start && found.end === launch.end && stillShares(shapeOf(found.command)));
  if (targets.length === 0) return unproven('the launch is not where it was read');
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const { command, site } of targets) {
    const shape = shapeOf(command);
    const launchShape = shape.launch!;
    if (launchShape.runTimeWords.length > 0) {
      const word = command.argv.find((candidate) => candidate.text === launchShape.runTimeWords[0]);
      const span = word ? { start: site.toFile(word.start), end: site.toFile(word.end - 1) + 1 } : null;
      return { edits: null, reason: { kind: 'run-time', what: `\`${span ? text.slice(span.start, span.end) : launchShape.runTimeWords[0]}\`` } };
    }
    if (launchShape.flagWords.length === 0 && launchShape.envPrefixes.length === 0) {
      const variable = ['TM_ARG_RUN_ENABLE_SHARING', 'TM_ARG_RUN_MOCK_ON_FAIL'].find((name) => command.environment.has(name)) ?? 'TM_ARG_RUN_ENABLE_SHARING';
      return { edits: null, reason: { kind: 'environment', variable } };
    }
    const words = [
      ...launchShape.flagWords.map((index) => command.argv[index]),
      ...launchShape.envPrefixes.map((index) => {
        const assignment = command.assignments[index];
        return { start: assignment.start, end: assignment.end, text: site.text.slice(assignment.start, assignment.end), value: site.text.slice(assignment.start, assignment.end) };
      }),
    ];
    for (const word of words) {
      // The word must be written as it is read: a flag that arrives through `$OPTS` is not.
      if (word.start < 0 || site.text.slice(word.start, word.end).replace(/['"]/g, '') !== word.value) {
        return { edits: null, reason: { kind: 'shell-variable', word: word.start < 0 ? word.text : site.text.slice(word.start, word.end) } };
      }
      const span = fileSpan(site, text, word.start, word.end);
      if (!span) return unproven('the flag is written with escapes');
      edits.push({ ...wordRemovalRange(text, span.start, span.end), text: '' });
    }
  }
  const merged = mergeRemovals(launch.file, edits);
  if (!merged) return unproven('the edits overlap');
  const fixed = applyTextEdits(text, merged);
  const problem = checkCommands(launch, text, fixed, before, targets);
  return problem === null ? { edits: merged } : unproven(problem);
}

function mergeRemovals(file: string, edits: Array<{ start: number; end: number; text: string }>): TextEdit[] | null {
  const out: TextEdit[] = [];
  for (const edit of [...edits].sort((a, b) => a.start - b.start)) {
    const last = out[out.length - 1];
    if (last && edit.start < last.end) {
      if (edit.text !== '' || last.text !== '') return null;
      last.end = Math.max(last.end, edit.end);
    } else out.push({ kind: 'text', file, ...edit });
  }
  return out;
}

/** Null when the fixed file reads as the original with only the launch's sharing words gone. */
function checkCommands(launch: InitLaunch, text: string, fixed: string, before: SiteCommand[], targets: SiteCommand[]): string | null {
  const sitesAfter = sitesOf(launch, fixed);
  if (!sitesAfter) return 'the fixed file does not read cleanly';
  const after = commandsOf(sitesAfter);
  if (after.length !== before.length) return 'the commands would change';
  for (let i = 0; i < before.length; i++) {
    const was: CommandShape = shapeOf(before[i].command);
    const now: CommandShape = shapeOf(after[i].command);
    if (targets.includes(before[i])) {
      if (stillShares(now)) return 'a sharing flag would be left';
      if (key(now) !== key(withoutSharing(was))) return 'the other words of the launch would change';
    } else if (key(now) !== key(was)) return 'another command would change';
  }
  if (!sameDataApartFromStrings(launch, text, fixed)) return 'the file would change elsewhere';
  return null;
}

type Data = unknown;

function dataOf(launch: InitLaunch, text: string): Data | undefined {
  const kind = launchSiteKind(launch);
  try {
    if (kind === 'package-json') return JSON.parse(text) as Data;
    if (kind === 'github-workflow' || kind === 'github-action' || kind === 'gitlab-ci' || kind === 'taskfile') {
      const doc = parseDocument(text, { merge: true, uniqueKeys: false, strict: false });
      if (doc.errors.length > 0 || !(isMap(doc.contents) || isSeq(doc.contents) || isScalar(doc.contents))) return undefined;
      return doc.toJS({ maxAliasCount: -1 }) as Data;
    }
  } catch {
    return undefined;
  }
  return null;
}

/** The two documents hold the same data apart from one string (the command's). */
function sameDataApartFromStrings(launch: InitLaunch, text: string, fixed: string): boolean {
  const before = dataOf(launch, text);
  const after = dataOf(launch, fixed);
  if (before === undefined || after === undefined) return false;
  let changed = 0;
  const walk = (a: Data, b: Data): boolean => {
    if (typeof a === 'string' && typeof b === 'string') {
      if (a !== b) changed++;
      return true;
    }
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => walk(item, b[index]));
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const keysA = Object.keys(a);
      const keysB = Object.keys(b);
      return keysA.length === keysB.length && keysA.every((name, index) => name === keysB[index] && walk((a as Record<string, Data>)[name], (b as Record<string, Data>)[name]));
    }
    return Object.is(a, b);
  };
  return walk(before, after) && changed <= 1;
}

// ---- Terramate script commands -----------------------------------------------------------

const SCRIPT_SHARING_KEYS = new Set(['enable_sharing', 'mock_on_fail']);

function objectOf(command: Node): Node | null {
  const objects = command.descendantsOfType('object').filter((node): node is Node => node !== null);
  return objects[objects.length - 1] ?? null;
}

function keyOf(element: Node): string {
  return element.childForFieldName('key')?.text.replace(/^"|"$/g, '') ?? element.namedChildren[0]?.text.replace(/^"|"$/g, '') ?? '';
}

async function scriptFix(launch: InitLaunch, context: SharingFixContext): Promise<EditsOrReason> {
  const text = context.readText(launch.file);
  const script = launch.script;
  if (text === undefined || !script) return unproven('the file cannot be read');
  // In `["sh", "-c", "terraform init && terraform plan", {...}]` the options also serve plan:
  // they cannot be taken from init alone.
  const argv = script.command.argv.map((word) => (typeof word === 'string' ? word : ''));
  if (!isInitCommand(argv)) return { edits: null, reason: { kind: 'shared-options', command: `[${argv.map((word) => JSON.stringify(word)).join(', ')}]` } };
  const node = script.command.node;
  const object = node ? objectOf(node) : null;
  if (!node || !object || object.startIndex < launch.start || object.endIndex > launch.end) return unproven('the options object is not where it was read');
  const elements = object.namedChildren.filter((child): child is Node => child?.type === 'object_elem');
  const sharing = elements.filter((element) => SCRIPT_SHARING_KEYS.has(keyOf(element)));
  if (sharing.length === 0) return unproven('no sharing key on the command');
  const edits: Array<{ start: number; end: number; text: string }> = [];
  if (sharing.length === elements.length) {
    // Nothing left: the options object goes, with the comma before it.
    const element = object.parent?.parent;
    const tuple = element?.parent;
    if (!element || !tuple) return unproven('the command is not a list');
    const siblings = tuple.children.filter((child): child is Node => child !== null);
    const index = siblings.findIndex((child) => child.startIndex === element.startIndex && child.endIndex === element.endIndex);
    const previous = siblings.slice(0, index).reverse().find((child) => child.type === 'expression');
    if (!previous) return unproven('the options object stands alone');
    edits.push({ start: previous.endIndex, end: element.endIndex, text: '' });
  } else {
    for (const element of sharing) {
      const at = elements.indexOf(element);
      const next = elements.slice(at + 1).find((candidate) => !sharing.includes(candidate));
      const previous = elements.slice(0, at).reverse().find((candidate) => !sharing.includes(candidate));
      // Up to the next element kept (its separator goes), or from the previous one kept.
      if (next) edits.push({ start: element.startIndex, end: elements[at + 1].startIndex, text: '' });
      else if (previous) edits.push({ start: elements[at - 1].endIndex, end: element.endIndex, text: '' });
    }
  }
  const merged = mergeRemovals(launch.file, edits);
  if (!merged || merged.length === 0) return unproven('the edits overlap');
  const fixed = applyTextEdits(text, merged);
  const problem = await checkScripts(launch, context.root, text, fixed);
  return problem === null ? { edits: merged } : unproven(problem);
}

/** Script blocks as data: labels, and each command's words and options. */
function scriptsData(scripts: Array<{ labels: string[]; commands: ScriptCommand[] }>): Array<{ labels: string[]; commands: Array<{ argv: HclValue[]; options: { [key: string]: HclValue } | null }> }> {
  return scripts.map((definition) => ({ labels: definition.labels, commands: definition.commands.map((command) => ({ argv: command.argv, options: command.options })) }));
}

/** Null when the fixed file holds the same blocks, with the sharing keys gone from the launch's command only. */
async function checkScripts(launch: InitLaunch, root: string, text: string, fixed: string): Promise<string | null> {
  const before = await parseHcl(launch.file, text);
  const after = await parseHcl(launch.file, fixed);
  if (after.diagnostic || !after.body || !before.body) return 'the fixed file does not parse';
  const scriptsBefore = scriptsData(new TerramateConfig(root, [before]).scripts);
  const scriptsAfter = scriptsData(new TerramateConfig(root, [after]).scripts);
  const definition = launch.script!.definition;
  const target = launch.script!.command;
  const scriptIndex = new TerramateConfig(root, [before]).scripts.findIndex(
    (candidate) => candidate.labels.join('\0') === definition.labels.join('\0') && candidate.commands.some((command) => command.node?.startIndex === target.node?.startIndex),
  );
  if (scriptIndex < 0) return 'the script is not where it was read';
  const commandIndex = new TerramateConfig(root, [before]).scripts[scriptIndex].commands.findIndex((command) => command.node?.startIndex === target.node?.startIndex);
  const expected = scriptsBefore.map((script, i) => ({
    labels: script.labels,
    commands: script.commands.map((command, k) => {
      if (i !== scriptIndex || k !== commandIndex) return command;
      const options = Object.fromEntries(Object.entries(command.options ?? {}).filter(([name]) => !SCRIPT_SHARING_KEYS.has(name)));
      return { argv: command.argv, options: Object.keys(options).length > 0 ? options : null };
    }),
  }));
  if (JSON.stringify(scriptsAfter) !== JSON.stringify(expected)) return 'the script commands would change otherwise';
  // Everything else in the file reads the same (descriptions, names, lets, other blocks).
  return JSON.stringify(withoutSharingKeys(before.body)) === JSON.stringify(withoutSharingKeys(after.body)) ? null : 'the file would change elsewhere';
}

/** HCL data with the sharing keys gone, and option objects they leave empty dropped from their lists. */
function withoutSharingKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((item) => !(item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0 && Object.keys(item).every((name) => SCRIPT_SHARING_KEYS.has(name))))
      .map(withoutSharingKeys);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([name]) => !SCRIPT_SHARING_KEYS.has(name)).map(([name, item]) => [name, withoutSharingKeys(item)]));
  }
  return value;
}
