// A launch in a Terramate `script` block, for the fixes that take options out of its command:
// the command is a list whose last element may be an options object,
// `["terramate", "run", "--", "terraform", "init", { enable_sharing = true }]`. Its elements are
// removed as HCL with their separators, and the edited file is read again as Terramate reads it.

import type { Node } from 'web-tree-sitter';
import type { InitLaunch } from '../../../analysis/launches.js';
import { TerramateConfig, type ScriptCommand } from '../../../analysis/terramate.js';
import { parseHcl, type HclValue } from '../../../parsers/hcl.js';

function objectOf(command: Node): Node | null {
  const objects = command.descendantsOfType('object').filter((node): node is Node => node !== null);
  return objects[objects.length - 1] ?? null;
}

/** The key an element of an options object sets (`enable_sharing`, `"enable_sharing"`). */
export function optionKey(element: Node): string {
  return element.childForFieldName('key')?.text.replace(/^"|"$/g, '') ?? element.namedChildren[0]?.text.replace(/^"|"$/g, '') ?? '';
}

export interface ScriptOptions {
  object: Node;
  /** Its `key = value` elements, in order. */
  elements: Node[];
}

/** The options object of the launch's script command; null when it is not within the launch as read. */
export function scriptOptions(launch: InitLaunch): ScriptOptions | null {
  const node = launch.script?.command.node;
  const object = node ? objectOf(node) : null;
  if (!node || !object || object.startIndex < launch.start || object.endIndex > launch.end) return null;
  return { object, elements: object.namedChildren.filter((child): child is Node => child?.type === 'object_elem') };
}

/**
 * The removals that take `removed` (elements of `options`) out of the command: each up to the
 * next element kept (its separator goes) or from the previous one kept; when none is kept, the
 * whole object with the comma before it. A string says why there is none.
 */
export function optionsRemoval(options: ScriptOptions, removed: readonly Node[]): Array<{ start: number; end: number; text: string }> | string {
  const { object, elements } = options;
  const edits: Array<{ start: number; end: number; text: string }> = [];
  if (removed.length === elements.length) {
    // Nothing left: the options object goes, with the comma before it.
    const element = object.parent?.parent;
    const tuple = element?.parent;
    if (!element || !tuple) return 'the command is not a list';
    const siblings = tuple.children.filter((child): child is Node => child !== null);
    const index = siblings.findIndex((child) => child.startIndex === element.startIndex && child.endIndex === element.endIndex);
    const previous = siblings.slice(0, index).reverse().find((child) => child.type === 'expression');
    if (!previous) return 'the options object stands alone';
    edits.push({ start: previous.endIndex, end: element.endIndex, text: '' });
  } else {
    for (const element of removed) {
      const at = elements.indexOf(element);
      const next = elements.slice(at + 1).find((candidate) => !removed.includes(candidate));
      const previous = elements.slice(0, at).reverse().find((candidate) => !removed.includes(candidate));
      // Up to the next element kept (its separator goes), or from the previous one kept.
      if (next) edits.push({ start: element.startIndex, end: elements[at + 1].startIndex, text: '' });
      else if (previous) edits.push({ start: elements[at - 1].endIndex, end: element.endIndex, text: '' });
    }
  }
  return edits;
}

/** Script blocks as data: labels, and each command's words and options. */
function scriptsData(scripts: Array<{ labels: string[]; commands: ScriptCommand[] }>): Array<{ labels: string[]; commands: Array<{ argv: HclValue[]; options: { [key: string]: HclValue } | null }> }> {
  return scripts.map((definition) => ({ labels: definition.labels, commands: definition.commands.map((command) => ({ argv: command.argv, options: command.options })) }));
}

/**
 * Null when `fixed` holds the blocks of `text` with the `keys` gone from the launch's command
 * only (an options object they leave empty gone too), and reads the same elsewhere; else what
 * differs.
 */
export async function onlyOptionsRemoved(launch: InitLaunch, root: string, text: string, fixed: string, keys: ReadonlySet<string>): Promise<string | null> {
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
      const options = Object.fromEntries(Object.entries(command.options ?? {}).filter(([name]) => !keys.has(name)));
      return { argv: command.argv, options: Object.keys(options).length > 0 ? options : null };
    }),
  }));
  if (JSON.stringify(scriptsAfter) !== JSON.stringify(expected)) return 'the script commands would change otherwise';
  // Everything else in the file reads the same (descriptions, names, lets, other blocks).
  return JSON.stringify(withoutKeys(before.body, keys)) === JSON.stringify(withoutKeys(after.body, keys)) ? null : 'the file would change elsewhere';
}

/** HCL data with the `keys` gone, and option objects they leave empty dropped from their lists. */
function withoutKeys(value: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((item) => !(item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0 && Object.keys(item).every((name) => keys.has(name))))
      .map((item) => withoutKeys(item, keys));
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([name]) => !keys.has(name)).map(([name, item]) => [name, withoutKeys(item, keys)]));
  }
  return value;
}
