import type { Node } from 'web-tree-sitter';
import { blocksAtPath, childAttributes, childBlocks, type BlockNode, type HclDocument } from '../parsers/hcl.js';
import type { Change } from '../types.js';

// Sets one attribute of `terramate { config { run { env { } } } }`: replaces the value of an
// existing definition (HCL rejects a second one), or inserts it, creating whichever blocks
// are missing, inside the existing ones, in the file's own indentation and line endings.
// Only that text changes: every other byte of the file stays as it was (but for the argument
// of a one-line block, which moves to a line of its own when the block opens up).

const PATH = ['terramate', 'config', 'run', 'env'];

interface Style {
  eol: string;
  unit: string;
}

function styleOf(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^([ \t]+)\S/m.exec(text);
  const unit = indented ? (indented[1].startsWith('\t') ? '\t' : indented[1].length >= 4 && indented[1].length % 4 === 0 ? '    ' : '  ') : '  ';
  return { eol, unit };
}

function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** The nested blocks from `levels` down, as text, each line starting with `indent`. */
function nestedBlocks(levels: string[], attribute: string, indent: string, style: Style): string[] {
  if (levels.length === 0) return [`${indent}${attribute}`];
  const [head, ...rest] = levels;
  return [`${indent}${head} {`, ...nestedBlocks(rest, attribute, indent + style.unit, style), `${indent}}`];
}

/** Pads `NAME =` to the column the env block's existing attributes use, when they align. */
function alignedAttribute(env: BlockNode | undefined, name: string, value: string): string {
  const existing = env ? childAttributes(env.body) : [];
  const columns = existing.map((attribute) => {
    const equals = attribute.node.text.indexOf('=');
    return equals - attribute.nameNode.text.length;
  });
  const widths = existing.map((attribute) => attribute.node.text.indexOf('='));
  const aligned = widths.length > 1 && widths.every((width) => width === widths[0]) && columns.some((gap) => gap > 1);
  const pad = aligned && widths[0] > name.length ? ' '.repeat(widths[0] - name.length) : ' ';
  return `${name}${pad}= ${value}`;
}

function insertInto(doc: HclDocument, block: BlockNode, levels: string[], attribute: string, style: Style): Change {
  const text = doc.text;
  const indent = lineIndent(text, block.node.startIndex);
  const close: Node = block.close;
  const closeLineStart = text.lastIndexOf('\n', close.startIndex - 1) + 1;
  const lines = nestedBlocks(levels, attribute, indent + style.unit, style);
  if (/^[ \t]*$/.test(text.slice(closeLineStart, close.startIndex))) {
    // `}` alone on its line: the new lines go right above it.
    return { kind: 'text', file: doc.file, start: closeLineStart, end: closeLineStart, text: lines.map((line) => line + style.eol).join('') };
  }
  // `name {}` or `name { x = 1 }` on one line: open it up before the `}`. HCL allows a one-line
  // block at most one argument and only on one line, so an argument there moves to a line of
  // its own (the one whitespace change outside the new lines).
  const held = text.slice(block.open.endIndex, close.startIndex).trim();
  if (held === '') {
    const start = block.open.endIndex;
    return { kind: 'text', file: doc.file, start, end: close.startIndex, text: `${style.eol}${lines.join(style.eol)}${style.eol}${indent}` };
  }
  const moved = `${indent}${style.unit}${held}`;
  return { kind: 'text', file: doc.file, start: block.open.endIndex, end: close.startIndex, text: `${style.eol}${[moved, ...lines].join(style.eol)}${style.eol}${indent}` };
}

/**
 * The change that defines `name = valueExpression` (an HCL expression, e.g. `"true"`) in the
 * run env of `file`. `doc` is null when the file does not exist yet.
 */
export function setRunEnv(file: string, doc: HclDocument | null, name: string, valueExpression: string): Change {
  if (!doc) {
    const style: Style = { eol: '\n', unit: '  ' };
    return { kind: 'create', file, text: nestedBlocks(PATH, `${name} = ${valueExpression}`, '', style).join('\n') + '\n' };
  }
  const defined = blocksAtPath(doc.tree, PATH)
    .flatMap((env) => childAttributes(env.body))
    .find((attribute) => attribute.name === name);
  if (defined) {
    return { kind: 'text', file, start: defined.expression.startIndex, end: defined.expression.endIndex, text: valueExpression };
  }
  const style = styleOf(doc.text);
  let level: BlockNode[] = childBlocks(doc.tree.rootNode, PATH[0]);
  let deepest: BlockNode | undefined;
  let depth = 0;
  while (level.length > 0) {
    deepest = level[0];
    depth += 1;
    if (depth === PATH.length) break;
    level = childBlocks(deepest.body, PATH[depth]);
  }
  if (!deepest) {
    const text = doc.text;
    const separator = text.length === 0 ? '' : text.endsWith('\n') ? style.eol : style.eol + style.eol;
    const block = nestedBlocks(PATH, `${name} = ${valueExpression}`, '', style).join(style.eol) + style.eol;
    return { kind: 'text', file, start: text.length, end: text.length, text: separator + block };
  }
  const attribute = depth === PATH.length ? alignedAttribute(deepest, name, valueExpression) : `${name} = ${valueExpression}`;
  return insertInto(doc, deepest, PATH.slice(depth), attribute, style);
}
