import { createRequire } from 'node:module';
import type { Language, Node, Parser, Tree } from 'web-tree-sitter';
import type { Range } from '../types.js';
import { pace } from '../util/pacing.js';

// Values come from HashiCorp's own parser (compiled to wasm) so that tm-doctor reads exactly
// what Terraform and Terramate read; positions come from tree-sitter, which keeps byte-exact
// ranges and comments. Both load lazily: the wasm modules cost ~200 ms at import.

const require = createRequire(import.meta.url);

export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };
export type HclBody = { [key: string]: HclValue };

export interface HclDiagnostic {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
}

export interface HclDocument {
  file: string;
  text: string;
  /** hcl2json's JSON form: blocks are arrays of bodies, labelled blocks nest by label. Null on a syntax error. */
  body: HclBody | null;
  diagnostic: HclDiagnostic | null;
  /** Parsed on first use. */
  readonly tree: Tree;
}

type Hcl2Json = { parse(filename: string, text: string): Promise<HclBody> };

let hcl2jsonLoading: Promise<Hcl2Json> | undefined;
let treeParserLoading: Promise<Parser> | undefined;

function loadHcl2Json(): Promise<Hcl2Json> {
  hcl2jsonLoading ??= import('@cdktf/hcl2json') as Promise<Hcl2Json>;
  return hcl2jsonLoading;
}

function loadTreeParser(): Promise<Parser> {
  treeParserLoading ??= (async () => {
    const { Parser: ParserClass, Language: LanguageClass } = await import('web-tree-sitter');
    await ParserClass.init();
    const language: Language = await LanguageClass.load(
      require.resolve('@tree-sitter-grammars/tree-sitter-hcl/tree-sitter-hcl.wasm'),
    );
    const parser = new ParserClass();
    parser.setLanguage(language);
    return parser;
  })();
  return treeParserLoading;
}

// hcl2json reports diagnostics as "parse config: [FILE:LINE,COL-ENDCOL: Summary; Detail. FILE:...]",
// the end being "ENDLINE,ENDCOL" when the range spans lines. The first one is reported.
const DIAGNOSTIC = /^(\d+),(\d+)-(?:(\d+),)?(\d+): ([^]*)$/;

export function parseHclDiagnostic(file: string, error: unknown): HclDiagnostic {
  const text = (error instanceof Error ? error.message : String(error)).trim();
  const inner = text.replace(/^parse config: \[/, '').replace(/\]$/, '');
  const first = inner.split(`${file}:`).filter((part) => part.trim() !== '')[0] ?? inner;
  const match = DIAGNOSTIC.exec(first.trim());
  if (!match) return { line: 1, column: 1, message: inner };
  const line = Number(match[1]);
  const endLine = match[3] ? Number(match[3]) : line;
  return {
    line,
    column: Number(match[2]),
    endLine,
    endColumn: Number(match[4]),
    message: match[5].trim(),
  };
}

/** What HashiCorp's parser says of a file: its value, or why it does not parse. */
export interface HclParse {
  body: HclBody | null;
  diagnostic: HclDiagnostic | null;
}

/** Runs HashiCorp's parser alone (no syntax tree). */
export function parseHclValues(file: string, text: string): Promise<HclParse> {
  const parse = parsing.then(() => parseNow(file, text));
  parsing = parse.then(
    () => undefined,
    () => undefined,
  );
  return parse;
}

/**
 * The parse in progress. The Go runtime in the wasm module runs each parse as a goroutine and
 * runs every goroutine queued when it next gets control: ten thousand parses asked for at once
 * would hold the thread for their whole duration. One at a time, each ends in its own turn of
 * the event loop (and, single-threaded as the module is, no slower).
 */
let parsing: Promise<unknown> = Promise.resolve();

async function parseNow(file: string, text: string): Promise<HclParse> {
  const hcl2json = await loadHcl2Json();
  await pace();
  try {
    return { body: await hcl2json.parse(file, text), diagnostic: null };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message.startsWith('parse config')) return { body: null, diagnostic: parseHclDiagnostic(file, error) };
    // The file parsed; only hcl2json's JSON form failed (it cannot hold `globals {}` beside
    // `globals "a" {}`). Each top-level item alone converts, so the file is read item by item.
    return { body: await convertItemByItem(hcl2json, file, text), diagnostic: null };
  }
}

async function convertItemByItem(hcl2json: Hcl2Json, file: string, text: string): Promise<HclBody> {
  const tree = (await loadTreeParser()).parse(text);
  const body: HclBody = {};
  const items = tree?.rootNode.children.find((child) => child?.type === 'body')?.children ?? [];
  for (const item of items) {
    if (!item || (item.type !== 'block' && item.type !== 'attribute')) continue;
    try {
      mergeInto(body, await hcl2json.parse(file, item.text));
    } catch {
      // This item alone still has no JSON form: what it says is not read.
    }
  }
  return body;
}

/**
 * Where hcl2json's form has no place for bodies beside deeper labels (`script "a" {}` next to
 * `script "a" "b" {}`), the bodies with no further label are kept under this key.
 */
export const NO_MORE_LABELS = '\u0000';

/** Blocks of one type concatenate, labels merge; bodies meeting deeper labels go under NO_MORE_LABELS. */
function mergeInto(target: { [key: string]: HclValue }, source: { [key: string]: HclValue }): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (existing === undefined) target[key] = value;
    else if (Array.isArray(existing) && Array.isArray(value)) existing.push(...value);
    else if (isObject(existing) && isObject(value)) mergeInto(existing, value);
    else if (Array.isArray(existing) && isObject(value)) target[key] = { [NO_MORE_LABELS]: existing, ...value };
    else if (isObject(existing) && Array.isArray(value)) mergeInto(existing, { [NO_MORE_LABELS]: value });
  }
}

function isObject(value: HclValue | undefined): value is { [key: string]: HclValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Loads the syntax-tree parser (a wasm module) once; `hclDocumentNow` needs it loaded. */
export async function treeParserReady(): Promise<void> {
  loadedTreeParser ??= await loadTreeParser();
}

let loadedTreeParser: Parser | undefined;

/**
 * A document from a parse (fresh or remembered from an earlier run), once `treeParserReady()`
 * has settled: no promise per file. The syntax tree is only needed where a finding or a fix
 * needs a position, so it is built on first use.
 */
export function hclDocumentNow(file: string, text: string, parse: HclParse): HclDocument {
  const treeParser = loadedTreeParser;
  if (!treeParser) throw new Error('the syntax-tree parser is not loaded yet (await treeParserReady() first)');
  return new ParsedDocument(file, text, parse.body, parse.diagnostic, treeParser);
}

/** A class, not an object with a closure: thousands are kept per run, each smaller this way. */
class ParsedDocument implements HclDocument {
  private parsedTree: Tree | undefined;

  constructor(
    readonly file: string,
    readonly text: string,
    readonly body: HclBody | null,
    readonly diagnostic: HclDiagnostic | null,
    private readonly treeParser: Parser,
  ) {}

  get tree(): Tree {
    this.parsedTree ??= this.treeParser.parse(this.text) ?? undefined;
    if (!this.parsedTree) throw new Error(`tree-sitter could not parse ${this.file}`);
    return this.parsedTree;
  }
}

export async function parseHcl(file: string, text: string): Promise<HclDocument> {
  const parse = await parseHclValues(file, text);
  await treeParserReady();
  return hclDocumentNow(file, text, parse);
}

// ---- Syntax-tree navigation -------------------------------------------------------------

/** A node's place as 1-based lines and columns, from `from`'s start to `to`'s end. */
export function nodeRange(from: Node, to: Node = from): Range {
  return {
    line: from.startPosition.row + 1,
    column: from.startPosition.column + 1,
    endLine: to.endPosition.row + 1,
    endColumn: to.endPosition.column + 1,
  };
}

export interface BlockNode {
  node: Node;
  type: string;
  labels: string[];
  /** The `body` node, absent for an empty block written `x {}`. */
  body: Node | null;
  /** The `{` and `}` nodes. */
  open: Node;
  close: Node;
}

function bodyOf(node: Node): Node | null {
  return node.type === 'body' ? node : (node.children.find((child) => child?.type === 'body') ?? null);
}

function stringLabel(node: Node): string {
  const literal = node.descendantsOfType('template_literal')[0];
  return literal ? literal.text : node.type === 'identifier' ? node.text : '';
}

function describeBlock(node: Node): BlockNode | null {
  const children = node.children.filter((child): child is Node => child !== null);
  const identifier = children[0];
  const open = children.find((child) => child.type === 'block_start');
  const close = children.find((child) => child.type === 'block_end');
  if (!identifier || !open || !close) return null;
  const labels = children
    .slice(1, children.indexOf(open))
    .filter((child) => child.type === 'string_lit' || child.type === 'identifier')
    .map(stringLabel);
  return { node, type: identifier.text, labels, body: bodyOf(node), open, close };
}

/** Blocks of the given type directly inside `container` (the file root or a block's body). */
export function childBlocks(container: Node | null, type?: string): BlockNode[] {
  const body = container ? bodyOf(container) : null;
  if (!body) return [];
  const blocks: BlockNode[] = [];
  for (const child of body.children) {
    if (child?.type !== 'block') continue;
    const block = describeBlock(child);
    if (block && (type === undefined || block.type === type)) blocks.push(block);
  }
  return blocks;
}

export interface AttributeNode {
  node: Node;
  name: string;
  nameNode: Node;
  expression: Node;
}

export function childAttributes(container: Node | null): AttributeNode[] {
  const body = container ? bodyOf(container) : null;
  if (!body) return [];
  const attributes: AttributeNode[] = [];
  for (const child of body.children) {
    if (child?.type !== 'attribute') continue;
    const nameNode = child.children.find((part) => part?.type === 'identifier');
    const expression = child.children.find((part) => part?.type === 'expression');
    if (nameNode && expression) attributes.push({ node: child, name: nameNode.text, nameNode, expression });
  }
  return attributes;
}

/** Follows a path of block types from the file root: every match at each level. */
export function blocksAtPath(tree: Tree, path: string[]): BlockNode[] {
  let level: BlockNode[] = childBlocks(tree.rootNode, path[0]);
  for (const type of path.slice(1)) level = level.flatMap((block) => childBlocks(block.body, type));
  return level;
}
