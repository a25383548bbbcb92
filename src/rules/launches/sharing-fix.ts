import type { Node } from 'web-tree-sitter';
import type { VariableDefinition } from '../../parsers/make/index.js';
import { isInitCommand } from '../../parsers/terramate-cli.js';
import type { InitLaunch, SharingOrigin } from '../../analysis/launches.js';
import type { Fix, TextEdit } from '../../types.js';

// The fix for no-sharing-on-init, per kind of launch. Every edit is confined to what carries
// the sharing options to init; plan/apply keep theirs. When the shape is not one we can prove
// right, there is no fix rather than a guess.

const SHARING_FLAG = /^--(enable-sharing|mock-on-fail)(=.*)?$/;

export function sharingFix(launch: InitLaunch, text: string, readText: (file: string) => string | undefined): Fix | null {
  const changes =
    launch.context === 'makefile'
      ? makefileEdits(launch, text, readText)
      : launch.context === 'terramate-script'
        ? scriptEdits(launch)
        : wordRemovals(launch.file, text, launch.sharing);
  if (!changes || changes.length === 0) return null;
  return { description: `remove output sharing from the ${launch.tool} init launch (${launch.label})`, safe: true, changes };
}

// ---- Words on a command line -----------------------------------------------------------

function isBlank(text: string, at: number): number {
  if (text[at] === ' ' || text[at] === '\t') return 1;
  if (text[at] === '\\' && text[at + 1] === '\n') return 2;
  if (text[at] === '\\' && text[at + 1] === '\r' && text[at + 2] === '\n') return 3;
  return 0;
}

/** The range to delete for a word: it and the blanks after it, or before it when it ends the line. */
function wordRemoval(file: string, text: string, start: number, end: number): TextEdit {
  let after = end;
  for (let step = isBlank(text, after); step > 0; step = isBlank(text, after)) after += step;
  const next = text[after];
  if (after > end && next !== undefined && !'\n\r;&|)#'.includes(next)) return { kind: 'text', file, start, end: after, text: '' };
  let before = start;
  while (before > 0 && (text[before - 1] === ' ' || text[before - 1] === '\t')) before--;
  return { kind: 'text', file, start: before, end, text: '' };
}

function wordRemovals(file: string, text: string, origins: SharingOrigin[]): TextEdit[] | null {
  if (origins.some((origin) => origin.span === null)) return null;
  const spans = new Map(origins.map((origin) => [`${origin.span!.start}`, origin.span!]));
  return [...spans.values()].sort((a, b) => a.start - b.start).map((span) => wordRemoval(file, text, span.start, span.end));
}

// ---- Makefiles ---------------------------------------------------------------------------

interface ValueWord {
  text: string;
  start: number;
  end: number;
}

/** Words of a make value as written, keeping `$(...)`/`${...}` references whole. */
function valueWords(raw: string, offset: number): ValueWord[] {
  const words: ValueWord[] = [];
  let i = 0;
  while (i < raw.length) {
    const blank = isBlank(raw, i) || (raw[i] === '\n' ? 1 : 0);
    if (blank) {
      i += blank;
      continue;
    }
    const start = i;
    let depth = 0;
    while (i < raw.length && (depth > 0 || !(isBlank(raw, i) || raw[i] === '\n'))) {
      if (raw[i] === '$' && (raw[i + 1] === '(' || raw[i + 1] === '{')) {
        depth++;
        i += 2;
        continue;
      }
      if (depth > 0 && (raw[i] === ')' || raw[i] === '}')) depth--;
      i++;
    }
    words.push({ text: raw.slice(start, i), start: offset + start, end: offset + i });
  }
  return words;
}

function referenceName(word: string): string | null {
  const match = /^\$[({]([A-Za-z0-9_.-]+)[)}]$/.exec(word);
  return match ? match[1] : null;
}

function onlyDefinition(definitions: VariableDefinition[], name: string): VariableDefinition | null {
  const all = definitions.filter((definition) => definition.name === name);
  if (all.length !== 1) return null;
  const [definition] = all;
  if (definition.target || definition.conditional || !['=', ':=', '::='].includes(definition.op)) return null;
  return definition;
}

function freshName(definitions: VariableDefinition[], base: string): string | null {
  for (const candidate of [`${base}_INIT`, `${base}_NO_SHARING`]) {
    if (!definitions.some((definition) => definition.name === candidate)) return candidate;
  }
  return null;
}

function lineEndAfter(text: string, offset: number): number {
  const newline = text.indexOf('\n', offset);
  return newline < 0 ? text.length : newline;
}

function makefileEdits(launch: InitLaunch, text: string, readText: (file: string) => string | undefined): TextEdit[] | null {
  const { recipe, definitions } = launch.make!;
  const direct = launch.sharing.filter((origin) => origin.via.length === 0);
  const viaVariable = launch.sharing.filter((origin) => origin.via.length > 0);
  const edits: TextEdit[] = [];
  if (direct.length > 0) {
    const removals = wordRemovals(launch.file, text, direct);
    if (!removals) return null;
    edits.push(...removals);
  }
  if (viaVariable.length === 0) return edits;

  const outer = viaVariable[0].via[0];
  if (viaVariable.some((origin) => origin.via[0].refStart !== outer.refStart || origin.via[0].refFile !== outer.refFile)) return null;
  if (outer.refFile !== recipe.file) return null;

  const targetSpecific = targetSpecificEdits(launch, viaVariable, definitions, readText);
  if (targetSpecific) return [...edits, ...targetSpecific];

  const definition = onlyDefinition(definitions, outer.name);
  const definitionText = definition ? readText(definition.file) : undefined;
  if (!definition || definitionText === undefined) return null;
  const words = valueWords(definitionText.slice(definition.valueStart, definition.valueEnd), definition.valueStart);
  const sharingReferences = new Set(viaVariable.filter((origin) => origin.via.length > 1).map((origin) => origin.via[1].name));
  for (const name of sharingReferences) {
    const inner = onlyDefinition(definitions, name);
    const innerText = inner ? readText(inner.file) : undefined;
    if (!inner || innerText === undefined) return null;
    const innerWords = valueWords(innerText.slice(inner.valueStart, inner.valueEnd), inner.valueStart);
    if (innerWords.length === 0 || !innerWords.every((word) => SHARING_FLAG.test(word.text))) return null;
  }
  const isSharing = (word: ValueWord) => SHARING_FLAG.test(word.text) || sharingReferences.has(referenceName(word.text) ?? '');
  if (viaVariable.some((origin) => origin.via.length === 1) && !words.some((word) => SHARING_FLAG.test(word.text))) return null;
  const rest = words.filter((word) => !isSharing(word));

  const reference = text.slice(outer.refStart, outer.refEnd);
  const [open, close] = reference.startsWith('${') ? ['${', '}'] : ['$(', ')'];
  if (rest.length === 0) return [...edits, wordRemoval(launch.file, text, outer.refStart, outer.refEnd)];
  const single = rest.length === 1 ? referenceName(rest[0].text) : null;
  if (single) return [...edits, { kind: 'text', file: launch.file, start: outer.refStart, end: outer.refEnd, text: `${open}${single}${close}` }];

  const name = freshName(definitions, outer.name);
  if (!name) return null;
  const insertAt = lineEndAfter(definitionText, definition.valueEnd);
  const eol = definitionText[insertAt - 1] === '\r' ? '\r\n' : '\n';
  const at = definitionText[insertAt - 1] === '\r' ? insertAt - 1 : insertAt;
  const operator = definition.op === '=' ? '=' : ':=';
  return [
    ...edits,
    { kind: 'text', file: definition.file, start: at, end: at, text: `${eol}${name} ${operator} ${rest.map((word) => word.text).join(' ')}` },
    { kind: 'text', file: launch.file, start: outer.refStart, end: outer.refEnd, text: `${open}${name}${close}` },
  ];
}

/** `init: TM_OPTS += --enable-sharing`: the flag is removed where only init gets it. */
function targetSpecificEdits(
  launch: InitLaunch,
  origins: SharingOrigin[],
  definitions: VariableDefinition[],
  readText: (file: string) => string | undefined,
): TextEdit[] | null {
  const targets = launch.make!.recipe.targets;
  const edits = new Map<string, TextEdit>();
  for (const origin of origins) {
    const defined = origin.via[origin.via.length - 1].definedAt;
    const definition = definitions.find(
      (candidate) => defined && candidate.file === defined.file && candidate.line === defined.line && candidate.target !== undefined,
    );
    if (!definition || !targets.includes(definition.target as string)) return null;
    const definitionText = readText(definition.file);
    if (definitionText === undefined) return null;
    const words = valueWords(definitionText.slice(definition.valueStart, definition.valueEnd), definition.valueStart);
    const flag = words.find((word) => word.text.replace(/=.*$/, '') === `--${origin.option}`);
    if (!flag) return null;
    edits.set(`${definition.file}:${flag.start}`, wordRemoval(definition.file, definitionText, flag.start, flag.end));
  }
  return [...edits.values()];
}

// ---- Terramate script commands -----------------------------------------------------------

const SCRIPT_SHARING_KEYS = new Set(['enable_sharing', 'mock_on_fail']);

function objectOf(command: Node): Node | null {
  const objects = command.descendantsOfType('object').filter((node): node is Node => node !== null);
  return objects[objects.length - 1] ?? null;
}

function scriptEdits(launch: InitLaunch): TextEdit[] | null {
  // In `["sh", "-c", "terraform init && terraform plan", {...}]` the options also serve plan:
  // they cannot be taken from init alone.
  const argv = launch.script?.command.argv.map((word) => (typeof word === 'string' ? word : '')) ?? [];
  if (!isInitCommand(argv)) return null;
  const node = launch.script?.command.node;
  const object = node ? objectOf(node) : null;
  if (!object) return null;
  const elements = object.namedChildren.filter((child): child is Node => child?.type === 'object_elem');
  const keyOf = (element: Node) => element.childForFieldName('key')?.text.replace(/^"|"$/g, '') ?? '';
  const kept = elements.filter((element) => !SCRIPT_SHARING_KEYS.has(keyOf(element)));
  if (kept.length === elements.length) return null;
  const file = launch.file;
  if (kept.length > 0) {
    return [{ kind: 'text', file, start: object.startIndex, end: object.endIndex, text: `{ ${kept.map((element) => element.text).join(', ')} }` }];
  }
  // Nothing left: the option object goes, with the comma before it.
  const element = object.parent?.parent;
  const tuple = element?.parent;
  if (!element || !tuple) return null;
  const siblings = tuple.children.filter((child): child is Node => child !== null);
  const index = siblings.findIndex((child) => child.startIndex === element.startIndex && child.endIndex === element.endIndex);
  const previous = siblings.slice(0, index).reverse().find((child) => child.type === 'expression');
  if (!previous) return null;
  return [{ kind: 'text', file, start: previous.endIndex, end: element.endIndex, text: '' }];
}
