// A launch inside a YAML file: a GitHub Actions `run:` step, a GitLab `script:` item, a Taskfile
// `cmds:` item. New commands go into the same block (`run: |` lines), or into a new step or
// item before the launch's own, which takes over where and how the step runs. Every edit is
// checked by reading the document again: it must read as before apart from what was added.

import type { InitLaunch } from '../../../analysis/launches.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node as YamlNode, type YAMLMap } from '../../../parsers/yaml.js';
import type { CiFileKind } from '../../../parsers/yaml-ci.js';
import type { TextEdit } from '../../../types.js';
import type { CommandFile, LaunchSite } from './site.js';
import { applyOne, commandFileOf, type CommandInText, commandSites, eolAt, insertion, launchCommandIn, linesBefore, lineStartOf } from './shell-text.js';

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

/** The document's data; undefined when it does not read, or holds no map, list or scalar. */
function yamlData(text: string): unknown {
  const doc = loadYaml(text);
  if (!doc || !(isMap(doc.contents) || isSeq(doc.contents) || isScalar(doc.contents))) return undefined;
  try {
    return doc.toJS({ maxAliasCount: -1 }) as unknown;
  } catch {
    return undefined;
  }
}

/** A CI or Taskfile for word edits: its `run:`/`script:`/`cmds:` shell texts, and the YAML data around them. */
export function yamlFile(file: string, kind: CiFileKind): CommandFile {
  return commandFileOf((text) => commandSites(file, text, kind), yamlData);
}

export function yamlSite(launch: InitLaunch, text: string, kind: CiFileKind): LaunchSite | null {
  const doc = loadYaml(text);
  const launchCommand = launchCommandIn(commandSites(launch.file, text, kind), launch.start, launch.end);
  if (!doc || !launchCommand) return null;
  const { located } = launchCommand;
  // Where the step or task starts: a working directory set anywhere in the file may be this one's.
  if ((kind === 'github-workflow' || kind === 'github-action') && /^[ \t-]*working-directory[ \t]*:/m.test(text)) return null;
  if (kind === 'taskfile' && /^[ \t-]*dir[ \t]*:/m.test(text)) return null;
  const place = scalarHolding(doc, launch.start);
  if (!place || !place.scalar.range || launch.end > place.scalar.range[1]) return null;
  const insertBefore = (commands: readonly string[], stepName: string): TextEdit | null => {
    if (commands.length === 0 || commands.some((command) => command.includes('\n'))) return null;
    if (place.scalar.type === 'BLOCK_LITERAL') return blockLines(launch, text, doc, place, located, commands);
    if (place.scalar.type !== 'PLAIN' && place.scalar.type !== 'QUOTE_SINGLE' && place.scalar.type !== 'QUOTE_DOUBLE') return null;
    // In a one-line scalar the new commands run as one: `a && b`.
    const joined = commands.join(' && ');
    return launch.context === 'github-step' ? newStep(launch, text, doc, place, located, joined, stepName) : newItem(launch, text, doc, place, located, joined);
  };
  return { located, makeRecipe: false, insertBefore };
}

/** Lines in the `run: |` / `- |` block, before the command's line, with its indentation. */
function blockLines(launch: InitLaunch, text: string, doc: Document.Parsed, place: ScalarPlace, located: CommandInText, commands: readonly string[]): TextEdit | null {
  const range = place.scalar.range!;
  const contentStart = text.indexOf('\n', range[0]) + 1;
  if (contentStart <= 0 || lineStartOf(text, located.start) < contentStart) return null;
  const edit = linesBefore(launch.file, text, located.start, commands, { prefixPattern: /^[ \t]*$/, before: (lineStart) => text.slice(contentStart, lineStart) });
  if (!edit) return null;
  const after = loadYaml(applyOne(text, edit));
  const value = after?.getIn(place.path, true);
  if (!after || !isScalar(value) || value.type !== 'BLOCK_LITERAL' || typeof value.value !== 'string') return null;
  // The block gained exactly the new lines, in one place; the rest of the document reads the same.
  const oldLines = String(place.scalar.value).split('\n');
  const newLines = value.value.split('\n');
  let first = 0;
  while (first < oldLines.length && oldLines[first] === newLines[first]) first++;
  const added = newLines.slice(first, first + commands.length).map((line) => line.trim());
  if (newLines.length !== oldLines.length + commands.length || added.some((line, i) => line !== commands[i])) return null;
  if (oldLines.slice(first).some((line, i) => line !== newLines[first + commands.length + i])) return null;
  const expected = dataOf(doc, (copy) => {
    const node = copy.getIn(place.path, true);
    if (!isScalar(node)) return false;
    node.value = value.value;
    return true;
  });
  return expected !== null && dataOf(after) === expected ? edit : null;
}

/** The scalar's one-line source with `replacement` where the launch is; null when the scalar holds more. */
function oneLineScalar(text: string, place: ScalarPlace, located: CommandInText, launch: InitLaunch, replacement: string): string | null {
  const [start, end] = place.scalar.range!;
  const source = text.slice(start, end);
  if (source.includes('\n')) return null;
  const quote = place.scalar.type === 'PLAIN' ? 0 : 1;
  if (text.slice(start + quote, located.start).trim() !== '' || text.slice(launch.end, end - quote).trim() !== '') return null;
  if (place.scalar.type === 'QUOTE_SINGLE' && replacement.includes("'")) return null;
  if (place.scalar.type === 'QUOTE_DOUBLE' && /["\\]/.test(replacement)) return null;
  if (place.scalar.type === 'PLAIN' && (/: | #/.test(replacement) || /^[-?:,[\]{}#&*!|>'"%@`]/.test(replacement))) return null;
  return text.slice(start, located.start) + replacement + text.slice(launch.end, end);
}

/** ` - <item>` before the item, at the item's indentation (GitLab script lists, Task cmds). */
function newItem(launch: InitLaunch, text: string, doc: Document.Parsed, place: ScalarPlace, located: CommandInText, command: string): TextEdit | null {
  const seq = place.parents[place.parents.length - 1];
  const index = place.path[place.path.length - 1];
  if (!seq || !isSeq(seq) || seq.flow || typeof index !== 'number') return null;
  const range = place.scalar.range!;
  const lineStart = lineStartOf(text, range[0]);
  const dash = /^( *)-( +)$/.exec(text.slice(lineStart, range[0]));
  const item = oneLineScalar(text, place, located, launch, command);
  if (!dash || item === null) return null;
  const edit = insertion(launch.file, lineStart, `${dash[1]}-${dash[2]}${item}${eolAt(text, range[0])}`);
  const after = loadYaml(applyOne(text, edit));
  const inserted = after?.getIn([...place.path.slice(0, -1), index], true);
  if (!after || !isScalar(inserted) || inserted.value !== command) return null;
  const expected = dataOf(doc, (copy) => {
    const list = copy.getIn(place.path.slice(0, -1), true);
    if (!isSeq(list)) return false;
    list.items.splice(index, 0, new Scalar(command));
    return true;
  });
  return expected !== null && dataOf(after) === expected ? edit : null;
}

/** Keys of a `run` step the new step takes over as they are (where and how it runs). */
const STEP_KEYS_COPIED = new Set(['if', 'env', 'shell', 'working-directory', 'continue-on-error', 'timeout-minutes']);
const STEP_KEYS_LEFT = new Set(['name', 'id', 'run']);

/** A whole step before the step: `- name: ...`, the step's if/env/shell/directory, `run:`. */
function newStep(launch: InitLaunch, text: string, doc: Document.Parsed, place: ScalarPlace, located: CommandInText, command: string, stepName: string): TextEdit | null {
  const step = place.parents[place.parents.length - 1];
  const steps = place.parents[place.parents.length - 2];
  const index = place.path[place.path.length - 2];
  if (!step || !steps || !isMap(step) || !isSeq(steps) || step.flow || steps.flow || typeof index !== 'number' || place.path[place.path.length - 1] !== 'run') return null;
  const map = step as YAMLMap;
  if (!map.range) return null;
  const lineStart = lineStartOf(text, map.range[0]);
  const dash = /^( *)-( +)$/.exec(text.slice(lineStart, map.range[0]));
  if (!dash) return null;
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
  const run = oneLineScalar(text, place, located, launch, command);
  if (run === null) return null;
  const head = `${dash[1]}-${dash[2]}name: ${stepName}${eol}`;
  const body = lines.map((line) => `${indent}${line}${eol}`).join('');
  const edit = insertion(launch.file, lineStart, `${head}${body}${indent}run: ${run}${eol}`);
  const after = loadYaml(applyOne(text, edit));
  const newRun = after?.getIn([...place.path.slice(0, -2), index, 'run'], true);
  if (!after || !isScalar(newRun) || newRun.value !== command) return null;
  const expected = dataOf(doc, (copy) => {
    const list = copy.getIn(place.path.slice(0, -2), true);
    const original = copy.getIn(place.path.slice(0, -1), true);
    if (!isSeq(list) || !isMap(original)) return false;
    const added = copy.createNode({}) as YAMLMap;
    added.set('name', stepName);
    for (const pair of original.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (STEP_KEYS_COPIED.has(key)) added.set(key, pair.value);
    }
    added.set('run', command);
    list.items.splice(index, 0, added);
    return true;
  });
  return expected !== null && dataOf(after) === expected ? edit : null;
}
