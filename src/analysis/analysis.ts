import { join, relative, resolve, sep } from 'node:path';
import { existsSync } from 'node:fs';
import { DiskSnapshot } from './snapshot.js';
import { createHash } from 'node:crypto';
import { hclDocument, parseHclValues, type HclDocument } from '../parsers/hcl.js';
import type { Range } from '../types.js';
import { resolveCliConfig, type CliConfig, type JsonCliConfig, type Tool } from './cli-config.js';
import { discoverFiles, kindOf, type DiscoveredFiles, type FileKind } from './discover.js';
import { readLockFile, type LockFile } from './lockfile.js';
import { ResultCache } from './result-cache.js';
import { findProjectRoot } from './root.js';
import { SourceFiles } from './files.js';
import { TerramateConfig, type Stack } from './terramate.js';

export type Environment = Record<string, string | undefined>;

/** A file tm-doctor had to read but could not read or parse. */
export interface FileProblem {
  file: string;
  range: Range | null;
  message: string;
}

export interface ProjectOptions {
  /** The directory given on the command line. */
  dir: string;
  env: Environment;
  /** Text produced by fixes not yet written: read instead of the disk. */
  overlay?: ReadonlyMap<string, string>;
  /** What earlier passes read from disk; a new run starts an empty one. */
  snapshot?: DiskSnapshot;
  /** Results remembered across runs; none when not given. */
  cache?: ResultCache;
}

/**
 * The model of one run: where the project is, what its files say, and what Terraform would
 * read from the user's environment. Each file is read and parsed once, when first needed.
 */
export class Project {
  readonly sources: SourceFiles;
  private readonly problemsByFile = new Map<string, FileProblem>();
  private readonly hclCache = new Map<string, Promise<HclDocument | null>>();
  private terramateConfig?: Promise<TerramateConfig>;
  private terraformStackList?: Promise<Stack[]>;
  private readonly cliConfigs = new Map<Tool, Promise<CliConfig>>();

  private constructor(
    readonly root: string,
    readonly scanDir: string,
    readonly env: Environment,
    private readonly discovered: DiscoveredFiles,
    snapshot: DiskSnapshot,
    overlay: ReadonlyMap<string, string>,
    readonly cache: ResultCache,
  ) {
    this.sources = new SourceFiles(snapshot, overlay);
  }

  static async load(options: ProjectOptions): Promise<Project> {
    const root = findProjectRoot(options.dir);
    const scanDir = resolve(options.dir);
    const discovered = await discoverFiles(root, scanDir);
    // Files that fixes created in earlier passes exist only in the overlay so far.
    for (const file of options.overlay?.keys() ?? []) {
      const kind = file.startsWith(scanDir + sep) ? kindOf(relative(scanDir, file).split(sep).join('/')) : null;
      const list = kind ? (discovered.byKind.get(kind) ?? []) : null;
      if (kind && list && !list.includes(file)) discovered.byKind.set(kind, [...list, file].sort());
    }
    const cache = options.cache ?? (await ResultCache.open({ env: options.env, disabled: true }));
    return new Project(root, scanDir, options.env, discovered, options.snapshot ?? new DiskSnapshot(root), options.overlay ?? new Map(), cache);
  }

  filesOf(kind: FileKind): string[] {
    return this.discovered.byKind.get(kind) ?? [];
  }

  get problems(): FileProblem[] {
    return [...this.problemsByFile.values()];
  }

  reportProblem(problem: FileProblem): void {
    if (!this.problemsByFile.has(problem.file)) this.problemsByFile.set(problem.file, problem);
  }

  /** The file's text; an unreadable file is recorded as a problem and yields undefined. */
  text(file: string): string | undefined {
    const result = this.sources.read(file);
    if (result.ok) return result.file.text;
    if (!result.missing) this.reportProblem({ file, range: null, message: `cannot read: ${result.problem.reason}` });
    return undefined;
  }

  hcl(file: string): Promise<HclDocument | null> {
    let parsed = this.hclCache.get(file);
    if (!parsed) {
      parsed = (async () => {
        const text = this.text(file);
        if (text === undefined) return null;
        // HashiCorp's parser is the costly part of a run: its answer is remembered per content.
        const key = createHash('sha256').update(file).update('\0').update(text).digest('base64');
        let parse = this.cache.getParse(key);
        if (!parse) {
          parse = await parseHclValues(file, text);
          this.cache.setParse(key, parse);
        }
        const doc = await hclDocument(file, text, parse);
        if (doc.diagnostic) {
          const { line, column, endLine, endColumn, message } = doc.diagnostic;
          this.reportProblem({ file, range: { line, column, endLine: endLine ?? line, endColumn: endColumn ?? column }, message });
        }
        return doc;
      })();
      this.hclCache.set(file, parsed);
    }
    return parsed;
  }

  terramate(): Promise<TerramateConfig> {
    this.terramateConfig ??= (async () => {
      const docs = await Promise.all(this.filesOf('terramate').map((file) => this.hcl(file)));
      return new TerramateConfig(this.root, docs.filter((doc): doc is HclDocument => doc !== null));
    })();
    return this.terramateConfig;
  }

  async stacks(): Promise<Stack[]> {
    return (await this.terramate()).stacks;
  }

  /** The stacks Terraform runs in (a stack may hold only generated files of other kinds). */
  async terraformStacks(): Promise<Stack[]> {
    this.terraformStackList ??= this.terramate().then((config) => config.stacks.filter((stack) => config.runsTerraform(stack)));
    return this.terraformStackList;
  }

  async lockFile(stackDir: string): Promise<LockFile | null> {
    const doc = await this.hcl(join(stackDir, '.terraform.lock.hcl'));
    return doc?.body ? readLockFile(doc) : null;
  }

  /**
   * The CLI configuration Terraform/OpenTofu would load. Files outside the project are read
   * through the same store, so a broken `~/.terraformrc` is a parse-error like any other.
   */
  cliConfig(tool: Tool): Promise<CliConfig> {
    let config = this.cliConfigs.get(tool);
    if (!config) {
      // A file a fix created in an earlier pass exists only in the overlay so far.
      const exists = (path: string) => existsSync(path) || this.sources.read(path).ok;
      config = resolveCliConfig(tool, this.env, (path) => this.cliConfigFile(path), exists);
      this.cliConfigs.set(tool, config);
    }
    return config;
  }

  private async cliConfigFile(path: string): Promise<HclDocument | JsonCliConfig | null> {
    if (!path.endsWith('.json')) {
      const doc = await this.hcl(path);
      return doc?.body ? doc : null;
    }
    const text = this.text(path);
    if (text === undefined) return null;
    try {
      const values = JSON.parse(text) as unknown;
      if (values && typeof values === 'object' && !Array.isArray(values)) {
        return { kind: 'json', file: path, values: values as Record<string, unknown> };
      }
      this.reportProblem({ file: path, range: null, message: 'expected a JSON object' });
    } catch (error) {
      this.reportProblem({ file: path, range: null, message: (error as Error).message });
    }
    return null;
  }
}
