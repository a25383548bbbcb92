import { readdirSync } from '../util/observed-fs.js';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { Node } from 'web-tree-sitter';
import { isInsideRoot } from '../util/path.js';
import { memoized } from '../util/memo.js';
import { UNKNOWN, type Knowable } from '../util/unknown.js';
import { blocksAtPath, childAttributes, childBlocks, NO_MORE_LABELS, type HclBody, type HclDocument, type HclValue } from '../parsers/hcl.js';

/** A run env value; UNKNOWN for a global, a function call, an unset variable. */
export type EnvValue = Knowable<string>;

export interface Stack {
  /** Absolute directory. */
  dir: string;
  /** The file holding the `stack {}` block. */
  file: string;
}

export interface EnvDefinition {
  dir: string;
  file: string;
  name: string;
  /** null or `unset`: removes an inherited definition. */
  value: HclValue;
  node: Node;
}

export interface ScriptCommand {
  argv: HclValue[];
  options: { [key: string]: HclValue } | null;
  node: Node | null;
}

export interface ScriptDefinition {
  dir: string;
  file: string;
  labels: string[];
  commands: ScriptCommand[];
  node: Node;
}

function bodies(value: HclValue | undefined): HclBody[] {
  return Array.isArray(value) ? (value.filter((item) => item && typeof item === 'object' && !Array.isArray(item)) as HclBody[]) : [];
}

function blockBodies(body: HclBody | null, path: string[]): HclBody[] {
  let level: HclBody[] = body ? [body] : [];
  for (const key of path) level = level.flatMap((item) => bodies(item[key]));
  return level;
}

/** Labelled blocks in hcl2json form: nested objects per label, ending in an array of bodies. */
function labelledBodies(value: HclValue | undefined, labels: string[] = []): Array<{ labels: string[]; body: HclBody }> {
  if (Array.isArray(value)) return bodies(value).map((body) => ({ labels, body }));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([label, inner]) => labelledBodies(inner, label === NO_MORE_LABELS ? labels : [...labels, label]));
}

function tupleElements(expression: Node): Node[] {
  const tuple = expression.descendantsOfType('tuple')[0];
  if (!tuple) return [];
  return tuple.namedChildren.filter((child): child is Node => child?.type === 'expression');
}

/** The files an `import { source = "..." }` block names: `/` is the project root. */
function importedDocuments(root: string, doc: HclDocument, documents: HclDocument[]): HclDocument[] {
  const sources = bodies(doc.body?.import)
    .map((body) => body.source)
    .filter((source): source is string => typeof source === 'string' && !source.includes('${'));
  if (sources.length === 0) return [];
  const patterns = sources.map((source) => (source.startsWith('/') ? join(root, source) : join(dirname(doc.file), source)));
  const matches = picomatch(patterns);
  return documents.filter((candidate) => candidate !== doc && matches(candidate.file));
}

/** The Terramate configuration of the project: every `.tm`/`.tm.hcl` file, parsed once. */
export class TerramateConfig {
  readonly stacks: Stack[] = [];
  readonly envDefinitions: EnvDefinition[] = [];
  readonly scripts: ScriptDefinition[] = [];
  /** Files holding a `terramate` block, shallowest directory first. */
  readonly terramateBlockFiles: string[] = [];

  /** Directories whose `generate_hcl` blocks write Terraform code into the stacks below. */
  private readonly generatesTerraform = new Set<string>();
  /** `envDefinitions` by directory and the envs derived from it, built on first use (a lookup walks a stack's ancestors, not every definition). */
  private envIndex: EnvIndex | undefined;
  private scriptIndex: { size: number; byLabels: Map<string, Map<string, ScriptDefinition>> } | undefined;

  /**
   * `listDir` names the entries of a directory when the caller already listed it (the
   * discovery walk), so that deciding whether a stack runs Terraform costs no system call.
   */
  constructor(
    readonly root: string,
    documents: HclDocument[],
    private readonly listDir: (dir: string) => readonly string[] | undefined = () => undefined,
  ) {
    const stackDirs = new Set<string>();
    for (const doc of documents) {
      if (!doc.body) continue;
      const dir = dirname(doc.file);
      if (bodies(doc.body.stack).length > 0 && !stackDirs.has(dir)) {
        stackDirs.add(dir);
        this.stacks.push({ dir, file: doc.file });
      }
      if (bodies(doc.body.terramate).length > 0) this.terramateBlockFiles.push(doc.file);
      this.collectSettings(doc, dir);
      // `import` makes another file's blocks count as if written in this directory.
      for (const imported of importedDocuments(root, doc, documents)) this.collectSettings(imported, dir);
    }
    // By code unit (Terramate, in Go, compares bytes: the same order but above U+FFFF), never by the user's locale.
    this.stacks.sort((a, b) => byCodeUnit(a.dir, b.dir));
    this.terramateBlockFiles.sort((a, b) => a.split(sep).length - b.split(sep).length || byCodeUnit(a, b));
  }

  private collectSettings(doc: HclDocument, dir: string): void {
    this.collectEnv(doc, dir);
    this.collectScripts(doc, dir);
    if (labelledBodies(doc.body?.generate_hcl).some(({ labels }) => /\.tf(\.json)?$/.test(labels[0] ?? ''))) this.generatesTerraform.add(dir);
  }

  /** Whether Terraform runs in the stack: it has `.tf` files, or Terramate generates them. */
  runsTerraform(stack: Stack): boolean {
    if ([...this.generatesTerraform].some((dir) => isInsideRoot(dir, stack.dir))) return true;
    try {
      return (this.listDir(stack.dir) ?? readdirSync(stack.dir)).some((name) => name.endsWith('.tf') || name.endsWith('.tf.json'));
    } catch {
      return false;
    }
  }

  private collectEnv(doc: HclDocument, dir: string): void {
    const valueBodies = blockBodies(doc.body, ['terramate', 'config', 'run', 'env']);
    if (valueBodies.length === 0) return;
    const nodes = blocksAtPath(doc.tree, ['terramate', 'config', 'run', 'env']).flatMap((block) => childAttributes(block.body));
    for (const body of valueBodies) {
      for (const [name, value] of Object.entries(body)) {
        const node = nodes.find((attribute) => attribute.name === name);
        if (node) this.envDefinitions.push({ dir, file: doc.file, name, value, node: node.node });
      }
    }
  }

  private collectScripts(doc: HclDocument, dir: string): void {
    if (doc.body?.script === undefined) return;
    const scriptNodes = childBlocks(doc.tree.rootNode, 'script');
    const defined = labelledBodies(doc.body?.script);
    defined.forEach(({ labels, body }, index) => {
      const blockNode = scriptNodes.find((block) => block.labels.join('\0') === labels.join('\0')) ?? scriptNodes[index];
      if (!blockNode) return;
      const jobNodes = childBlocks(blockNode.body, 'job');
      const commands: ScriptCommand[] = [];
      // `lets` with a literal value (`provisioner = "terraform"`) are known here; others are not.
      const lets = new Map<string, string>();
      for (const block of bodies(body.lets)) {
        for (const [name, value] of Object.entries(block)) if (typeof value === 'string' && !value.includes('${')) lets.set(name, value);
      }
      const toCommand = (argv: HclValue[], node: Node | null): ScriptCommand => {
        const command = toScriptCommand(argv, node);
        const known = (word: HclValue) => (typeof word === 'string' ? (lets.get(/^\$\{let\.([A-Za-z_][A-Za-z0-9_-]*)\}$/.exec(word)?.[1] ?? '') ?? word) : word);
        return { ...command, argv: command.argv.map(known) };
      };
      bodies(body.job).forEach((job, jobIndex) => {
        const attributes = childAttributes(jobNodes[jobIndex]?.body ?? null);
        const single = attributes.find((attribute) => attribute.name === 'command');
        const multiple = attributes.find((attribute) => attribute.name === 'commands');
        if (Array.isArray(job.command)) commands.push(toCommand(job.command, single?.expression ?? null));
        if (Array.isArray(job.commands)) {
          const elements = multiple ? tupleElements(multiple.expression) : [];
          job.commands.forEach((command, i) => {
            if (Array.isArray(command)) commands.push(toCommand(command, elements[i] ?? multiple?.expression ?? null));
          });
        }
      });
      this.scripts.push({ dir, file: doc.file, labels, commands, node: blockNode.node });
    });
  }

  /** The stack's `config.run.env`: definitions from the root down, the nearest winning. */
  envFor(stackDir: string, processEnv: Record<string, string | undefined>): RunEnv {
    // Asked per stack by several rules: computed once per stack (the map is shared, not to be changed).
    const index = this.envIndexed();
    return memoized(memoized(index.envByStack, processEnv, () => new Map()), stackDir, () => {
      const chain = this.definitionsAt(resolve(stackDir), index);
      if (chain.namesStack) return this.envOf(chain, stackDir, processEnv);
      // Thousands of stacks below one group directory see the same definitions and values.
      return memoized(memoized(index.envByChain, processEnv, () => new Map()), chain, () => this.envOf(chain, stackDir, processEnv));
    });
  }

  /** The env a chain of definitions gives the stack, evaluated for it. */
  private envOf(chain: DefinitionChain, stackDir: string, processEnv: Record<string, string | undefined>): RunEnv {
    const env: RunEnv = new Map();
    for (const definition of chain.definitions) {
      if (definition.value === null || definition.value === '${unset}') env.delete(definition.name);
      else env.set(definition.name, { value: this.evaluate(definition.value, stackDir, processEnv), definition });
    }
    return env;
  }

  /**
   * The definitions that apply in `dir` (absolute), the root's first; a directory without
   * definitions of its own shares its parent's chain (the same object).
   */
  private definitionsAt(dir: string, index: EnvIndex): DefinitionChain {
    return memoized(index.chains, dir, () => {
      const parent = dirname(dir);
      const inherited = parent === dir ? NO_DEFINITIONS : this.definitionsAt(parent, index);
      const own = index.byDir.get(dir);
      if (!own) return inherited;
      return {
        definitions: [...inherited.definitions, ...own],
        namesStack: inherited.namesStack || own.some((definition) => typeof definition.value === 'string' && definition.value.includes('terramate.stack.')),
      };
    });
  }

  /** Scripts in scope for a directory with these labels: the nearest definition wins. */
  scriptFor(dir: string, labels: string[]): ScriptDefinition | null {
    const byDir = this.scriptsByLabels().get(labels.join(' '));
    if (!byDir) return null;
    for (const candidate of ancestorsOf(dir)) {
      const script = byDir.get(candidate);
      if (script) return script;
    }
    return null;
  }

  /** The definitions by directory and what is derived from them, made again when definitions were added. */
  private envIndexed(): EnvIndex {
    if (this.envIndex?.size !== this.envDefinitions.length) {
      const byDir = new Map<string, EnvDefinition[]>();
      for (const definition of this.envDefinitions) {
        const dir = resolve(definition.dir);
        const list = byDir.get(dir);
        if (list) list.push(definition);
        else byDir.set(dir, [definition]);
      }
      this.envIndex = { size: this.envDefinitions.length, byDir, chains: new Map(), envByStack: new WeakMap(), envByChain: new WeakMap() };
    }
    return this.envIndex;
  }

  /** Per label list, the first script defined in each directory. */
  private scriptsByLabels(): Map<string, Map<string, ScriptDefinition>> {
    if (this.scriptIndex?.size !== this.scripts.length) {
      const byLabels = new Map<string, Map<string, ScriptDefinition>>();
      for (const script of this.scripts) {
        const key = script.labels.join(' ');
        const byDir = byLabels.get(key) ?? new Map<string, ScriptDefinition>();
        byLabels.set(key, byDir);
        const dir = resolve(script.dir);
        if (!byDir.has(dir)) byDir.set(dir, script);
      }
      this.scriptIndex = { size: this.scripts.length, byLabels };
    }
    return this.scriptIndex.byLabels;
  }

  // Terramate evaluates these with its own functions and globals; only the metadata and
  // `env.*` are knowable here, anything else stays UNKNOWN rather than guessed.
  private evaluate(value: HclValue, stackDir: string, processEnv: Record<string, string | undefined>): EnvValue {
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value !== 'string') return UNKNOWN;
    if (!value.includes('${')) return value;
    let known: Record<string, string> | undefined;
    const knownValues = (): Record<string, string> => {
      const stackPath = `/${relative(this.root, stackDir).split(sep).join('/')}`.replace(/\/$/, '') || '/';
      return {
        'terramate.root.path.fs.absolute': this.root,
        'terramate.stack.path.absolute': stackPath,
        'terramate.stack.path.relative': relative(this.root, stackDir).split(sep).join('/') || '.',
        'terramate.stack.path.basename': basename(stackDir),
      };
    };
    let unknown = false;
    const result = value.replace(/\$\{([^}]*)\}/g, (_, expression: string) => {
      const name = expression.trim();
      known ??= knownValues();
      if (name in known) return known[name];
      const envMatch = /^env\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(name);
      if (envMatch && processEnv[envMatch[1]] !== undefined) return processEnv[envMatch[1]] as string;
      unknown = true;
      return '';
    });
    return unknown ? UNKNOWN : result;
  }
}

/** A stack's `config.run.env`: each variable's value and the definition it comes from. */
type RunEnv = Map<string, { value: EnvValue; definition: EnvDefinition }>;

interface EnvIndex {
  /** How many definitions it was built from. */
  size: number;
  byDir: Map<string, EnvDefinition[]>;
  chains: Map<string, DefinitionChain>;
  /** Per process environment, each stack's env. */
  envByStack: WeakMap<object, Map<string, RunEnv>>;
  /** Per process environment, the env of each chain whose values name nothing of the stack. */
  envByChain: WeakMap<object, Map<DefinitionChain, RunEnv>>;
}

/** The definitions that apply in a directory, and whether any value names the stack (`terramate.stack.*`). */
interface DefinitionChain {
  definitions: readonly EnvDefinition[];
  namesStack: boolean;
}

const NO_DEFINITIONS: DefinitionChain = { definitions: [], namesStack: false };

/** `dir` (made absolute) and every directory above it, nearest first. */
function ancestorsOf(dir: string): string[] {
  const chain: string[] = [];
  for (let current = resolve(dir); ; ) {
    chain.push(current);
    const parent = dirname(current);
    if (parent === current) return chain;
    current = parent;
  }
}

function toScriptCommand(argv: HclValue[], node: Node | null): ScriptCommand {
  const last = argv[argv.length - 1];
  const options = last && typeof last === 'object' && !Array.isArray(last) ? (last as { [key: string]: HclValue }) : null;
  return { argv: options ? argv.slice(0, -1) : argv, options, node };
}

function byCodeUnit(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
