import { createHash } from 'node:crypto';
import { existsSync } from '../util/observed-fs.js';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { evaluateMakefile } from '../parsers/make/index.js';
import { hclDocumentNow, parseHclValues, treeParserReady, type HclDocument } from '../parsers/hcl.js';
import { parseHclFast } from '../parsers/hcl-fast.js';
import { extractCommandSites, type CiFileKind, type CommandSite } from '../parsers/yaml-ci.js';
import type { Range, RunOptions } from '../types.js';
import { bracketDepth, MAX_NESTING, yamlDepth } from '../util/bounded-read.js';
import { normalAbsolute } from '../util/path.js';
import { resolveCliConfig, type CliConfig, type JsonCliConfig, type Tool } from './cli-config.js';
import { discoverFiles, kindOf, type DiscoveredFiles, type FileKind } from './discover.js';
import { FileStore } from './files.js';
import { collectLaunches, type EvaluatedMakefile, type InitLaunch } from './launches.js';
import { readLockFile, type LockFile } from './lockfile.js';
import { parallelCondition, type ParallelCondition } from './parallelism.js';
import { providerRequirements, type ProviderRequirements } from './provider-requirements.js';
import { inspectProviders, type ProviderInspection } from './provider-inspection.js';
import { memoized } from '../util/memo.js';
import { pace, takeTurn } from '../util/pacing.js';
import type { ResultStore } from '../cache/results.js';
import { findProjectRoot } from './root.js';
import { effectiveSetting, type EffectiveSetting, type SettingName } from './settings.js';
import { DiskSnapshot } from './snapshot.js';
import { TerramateConfig, type Stack } from './terramate.js';
import { evidenceNotNeeded, versionEvidence, type VersionEvidence } from './tool-version.js';

export type Environment = Record<string, string | undefined>;

/** A file tm-doctor had to read but could not read or parse: data for `parse-error`. */
export interface FileProblem {
  file: string;
  range: Range | null;
  message: string;
  /** The make evaluator stopped an expansion at its budget there (the file itself may be valid). */
  cutShort?: true;
}

/**
 * What lasts for one `tm-doctor check` across the passes of a --fix run: the bytes read from
 * disk, the cache of results across runs, and facts that only change with the disk (provider
 * inspection, keyed by what it was computed from).
 */
export class RunSession {
  readonly snapshot: DiskSnapshot;
  /** Every provider inspection the run computed, in order (benchmarks read their stats). */
  readonly inspections: ProviderInspection[] = [];
  private readonly facts = new Map<string, Promise<unknown>>();

  constructor(
    readonly env: Environment,
    readonly options: RunOptions,
    readonly cache: ResultStore,
    /** The project root, found once for the run (Analysis.rootFor). */
    readonly root: string,
  ) {
    this.snapshot = new DiskSnapshot(root);
  }

  /** The fact computed once per run for `key`. */
  fact<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return memoized(this.facts, key, compute) as Promise<T>;
  }
}

export interface AnalysisOptions {
  /** The directory given on the command line. */
  dir: string;
  session: RunSession;
  /** Text produced by fixes not yet written (earlier fix passes): read instead of the disk. */
  overlay?: ReadonlyMap<string, string>;
}

const COMMAND_SITE_KINDS: CiFileKind[] = ['github-workflow', 'github-action', 'gitlab-ci', 'package-json', 'taskfile', 'justfile'];
const MAKEFILE_NAMES = ['GNUmakefile', 'makefile', 'Makefile'];

export interface CommandSiteFile {
  file: string;
  kind: CiFileKind;
  sites: CommandSite[];
}

/**
 * One pass's facts about the project. `load` discovers and parses every file the rules may
 * need (parse problems are data, in `problems`); derived facts are computed on first use and
 * kept for the pass. Nothing here is shared between passes except through the session.
 */
/**
 * path.dirname of a normal absolute path, by one slice on POSIX below the root (most paths a
 * check asks about lie in a listed directory: their parent is the only one looked at).
 */
function parentDir(path: string): string {
  const slash = path.lastIndexOf('/');
  return sep === '/' && slash > 0 ? path.slice(0, slash) : dirname(path);
}

export class Analysis {
  readonly files: FileStore;
  private readonly problemsByFile = new Map<string, FileProblem>();
  private loading = true;
  private readonly facts = new Map<string, Promise<unknown>>();
  private readonly hclByFile = new Map<string, Promise<HclDocument | null>>();
  private readonly lockFiles = new Map<string, Promise<LockFile | null>>();
  private readonly requirementsByStack = new Map<string, Promise<ProviderRequirements>>();
  private readonly settings = new Map<Tool, Map<SettingName, Map<string, Promise<EffectiveSetting | null>>>>();
  private readonly conditions = new Map<InitLaunch, ParallelCondition | null>();
  private readonly listedNames = new Map<string, Set<string>>();
  private readonly walkedFiles: ReadonlySet<string>;
  private terramateLoaded: TerramateConfig | null = null;
  /** Make's view of each default makefile (and of `.mk` files nothing includes). */
  makefiles: EvaluatedMakefile[] = [];
  commandSiteFiles: CommandSiteFile[] = [];

  private constructor(
    readonly root: string,
    readonly scanDir: string,
    readonly session: RunSession,
    private readonly discovered: DiscoveredFiles,
    overlay: ReadonlyMap<string, string>,
  ) {
    this.walkedFiles = new Set([...discovered.byKind.values()].flat());
    this.files = new FileStore(session.snapshot, overlay, (path) => this.knownAbsent(path));
  }

  /**
   * The entries of a directory the discovery walk read (isFile null for a link, which the
   * caller follows); undefined for a directory it did not read.
   */
  listDir(dir: string): Array<{ name: string; isFile: boolean | null }> | undefined {
    return this.discovered.listings
      .get(normalAbsolute(dir))
      ?.map((entry) => ({ name: entry.name, isFile: entry.isFile() ? true : entry.isDirectory() ? false : null }));
  }

  /** True when a directory the walk read shows that `path` does not exist (no system call). */
  knownAbsent(path: string): boolean {
    // Most files read are those the walk found (the same strings, whose hashes are kept).
    if (this.walkedFiles.has(path)) return false;
    let child = normalAbsolute(path);
    for (let dir = parentDir(child); dir !== child; child = dir, dir = parentDir(dir)) {
      const listed = this.isListedIn(dir, child.slice(dir.length + (dir.endsWith(sep) ? 0 : 1)));
      if (listed !== undefined) return !listed;
    }
    return false;
  }

  /** Whether the walk saw `name` in `dir`; undefined for a directory it did not read. */
  private isListedIn(dir: string, name: string): boolean | undefined {
    const entries = this.discovered.listings.get(dir);
    if (!entries) return undefined;
    // A stack directory holds a handful of entries: a scan costs less than a set built for it.
    if (entries.length <= 16) return entries.some((entry) => entry.name === name);
    let names = this.listedNames.get(dir);
    if (!names) {
      names = new Set(entries.map((entry) => entry.name));
      this.listedNames.set(dir, names);
    }
    return names.has(name);
  }

  /** The session's root for a directory argument: what a new RunSession needs. */
  static rootFor(dir: string): string {
    return findProjectRoot(dir);
  }

  static async load(options: AnalysisOptions): Promise<Analysis> {
    // The root was found once for the run (Terramate's own rule reads the ancestors' files).
    const root = options.session.root;
    const scanDir = resolve(options.dir);
    // The syntax-tree parser (wasm) loads while the walk reads directories; its failure is met when awaited.
    treeParserReady().catch(() => {});
    const discovered = await discoverFiles(root, scanDir);
    // Files that fixes created in earlier passes exist only in the overlay so far.
    for (const file of options.overlay?.keys() ?? []) {
      const kind = file.startsWith(scanDir + sep) ? kindOf(relative(scanDir, file).split(sep).join('/')) : null;
      const list = kind ? (discovered.byKind.get(kind) ?? []) : null;
      if (kind && list && !list.includes(file)) discovered.byKind.set(kind, [...list, file].sort());
    }
    const analysis = new Analysis(root, scanDir, options.session, discovered, options.overlay ?? new Map());
    await analysis.parseEverything();
    analysis.loading = false;
    return analysis;
  }

  get env(): Environment {
    return this.session.env;
  }

  get options(): RunOptions {
    return this.session.options;
  }

  get cache(): ResultStore {
    return this.session.cache;
  }

  filesOf(kind: FileKind): string[] {
    return this.discovered.byKind.get(kind) ?? [];
  }

  /** Temp files of the fix writer found by the walk (a killed --fix leaves them behind). */
  get writerTemps(): readonly string[] {
    return this.discovered.writerTemps;
  }

  /** Every file that could not be read or parsed, in the order met. */
  get problems(): FileProblem[] {
    return [...this.problemsByFile.values()];
  }

  /** The file's text; undefined when missing or unreadable (the load phase reported it). */
  text(file: string): string | undefined {
    const result = this.files.read(file);
    if (result.ok) return result.file.text;
    if (!result.missing) this.record({ file, range: null, message: `cannot read: ${result.problem.reason}` });
    return undefined;
  }

  // ---- The load phase ---------------------------------------------------------------------

  /** Problems are collected while loading only, so every selection of rules sees the same ones. */
  private record(problem: FileProblem): void {
    if (this.loading && !this.problemsByFile.has(problem.file)) this.problemsByFile.set(problem.file, problem);
  }

  private async parseEverything(): Promise<void> {
    for (const { path, reason } of this.discovered.unwalked) this.record({ file: path, range: null, message: reason });
    await this.hclAll([...this.filesOf('terramate'), ...this.filesOf('lockfile')]);
    this.makefiles = this.evaluateMakefiles();
    for (const kind of COMMAND_SITE_KINDS) {
      for (const file of this.filesOf(kind)) {
        await pace();
        const text = this.text(file);
        if (text === undefined) continue;
        // Deep YAML exhausts the parser's stack (a V8 abort, not an exception): refuse first.
        if ((kind === 'package-json' || kind === 'justfile' ? bracketDepth(text) : yamlDepth(text)) > MAX_NESTING) {
          this.record({ file, range: null, message: `nested deeper than ${MAX_NESTING} levels; not parsed` });
          continue;
        }
        const extracted = extractCommandSites(file, text, kind);
        for (const { line, column, message } of extracted.diagnostics) this.record({ file, range: { line, column, endLine: line, endColumn: column }, message });
        this.commandSiteFiles.push({ file, kind, sites: extracted.sites });
      }
    }
    for (const file of this.filesOf('shell')) this.text(file);
    // The CLI configuration depends on the tool the project runs, known from the files above.
    await Promise.all((await this.launchTools()).map((tool) => this.cliConfig(tool)));
  }

  private evaluateMakefiles(): EvaluatedMakefile[] {
    const files = this.filesOf('makefile');
    const byDir = new Map<string, string[]>();
    for (const file of files) byDir.set(dirname(file), [...(byDir.get(dirname(file)) ?? []), file]);
    const entries: string[] = [];
    for (const [dir, inDir] of byDir) {
      const chosen = MAKEFILE_NAMES.map((name) => join(dir, name)).find((path) => inDir.includes(path));
      if (chosen) entries.push(chosen);
    }
    const included = new Set<string>();
    const databases: EvaluatedMakefile[] = [];
    const read = (path: string) => this.text(path);
    for (const entry of [...entries.sort(), ...files.filter((file) => file.endsWith('.mk'))]) {
      if (included.has(entry)) continue;
      const db = evaluateMakefile(entry, read);
      for (const file of db.files) if (file !== entry) included.add(file);
      for (const { file, line, column, message, cutShort } of db.diagnostics) {
        if (line > 0) this.record({ file, range: { line, column, endLine: line, endColumn: column }, message, ...(cutShort ? { cutShort } : {}) });
      }
      databases.push({ entry, db });
    }
    return databases;
  }

  // ---- Parsed files -----------------------------------------------------------------------

  /** HashiCorp's parse of an HCL file (with a syntax tree for positions); null when unreadable. */
  hcl(file: string): Promise<HclDocument | null> {
    return memoized(this.hclByFile, file, async () => {
      await takeTurn();
      await treeParserReady();
      return this.parseHclFile(file);
    });
  }

  /** `hcl` for many files, each parsed in turn without a promise of its own when the fast reader answers. */
  private async hclAll(files: readonly string[]): Promise<void> {
    // A project without HCL files never needs the syntax-tree parser (nor fails for want of it).
    if (files.length === 0) return;
    await treeParserReady();
    const pending: Array<Promise<HclDocument | null>> = [];
    for (const file of files) {
      const turn = pace();
      if (turn) await turn;
      if (this.hclByFile.has(file)) continue;
      const parsed = this.parseHclFile(file);
      if (parsed instanceof Promise) {
        // Handled now (Promise.all below reports it): a parse failing while the loop yields
        // would otherwise be an unhandled rejection, which ends the process.
        parsed.catch(() => {});
        pending.push(parsed);
        this.hclByFile.set(file, parsed);
      } else this.hclByFile.set(file, Promise.resolve(parsed));
    }
    await Promise.all(pending);
  }

  /** The parse of a file (the tree parser loaded): known at once unless HashiCorp's parser must answer. */
  private parseHclFile(file: string): HclDocument | null | Promise<HclDocument> {
    const text = this.text(file);
    if (text === undefined) return null;
    // HashiCorp's parser (Go in wasm) aborts the process on very deep nesting: refuse first.
    if (bracketDepth(text) > MAX_NESTING) {
      this.record({ file, range: null, message: `nested deeper than ${MAX_NESTING} levels; not parsed` });
      return null;
    }
    // HashiCorp's parser is the costly part of a run (0.4 to 1 ms a file). The fast reader
    // answers what it reads exactly as HashiCorp's parser does, and declines the rest: those
    // go to HashiCorp's parser, whose answer is remembered per content.
    const fast = parseHclFast(file, text);
    if (fast) return hclDocumentNow(file, text, { body: fast, diagnostic: null });
    return this.parseWithHashiCorp(file, text);
  }

  private async parseWithHashiCorp(file: string, text: string): Promise<HclDocument> {
    const content = createHash('sha256').update(text).digest('base64');
    let parse = this.cache.getParse(file, content);
    if (!parse) {
      parse = await parseHclValues(file, text);
      this.cache.setParse(file, content, parse);
    }
    const doc = hclDocumentNow(file, text, parse);
    if (doc.diagnostic) {
      const { line, column, endLine, endColumn, message } = doc.diagnostic;
      this.record({ file, range: { line, column, endLine: endLine ?? line, endColumn: endColumn ?? column }, message });
    }
    return doc;
  }

  // ---- Derived facts, each computed once per pass -----------------------------------------

  private fact<T>(key: string, compute: () => Promise<T>): Promise<T> {
    return memoized(this.facts, key, compute) as Promise<T>;
  }

  terramate(): Promise<TerramateConfig> {
    return this.fact('terramate', async () => {
      const docs = await Promise.all(this.filesOf('terramate').map((file) => this.hcl(file)));
      this.terramateLoaded = new TerramateConfig(
        this.root,
        docs.filter((doc): doc is HclDocument => doc !== null),
        (dir) => this.listDir(dir)?.map((entry) => entry.name),
      );
      return this.terramateLoaded;
    });
  }

  /** The Terramate configuration, which the load phase has always read. */
  private terramateConfigLoaded(): TerramateConfig {
    if (!this.terramateLoaded) throw new Error('the Terramate configuration is read in the load phase');
    return this.terramateLoaded;
  }

  async stacks(): Promise<Stack[]> {
    return (await this.terramate()).stacks;
  }

  /** The stacks Terraform runs in (a stack may hold only generated files of other kinds). */
  terraformStacks(): Promise<Stack[]> {
    return this.fact('terraform-stacks', async () => {
      const config = await this.terramate();
      return config.stacks.filter((stack) => config.runsTerraform(stack));
    });
  }

  /** The stack's lock file, read once per pass (half a dozen rules ask for every stack's). */
  lockFile(stackDir: string): Promise<LockFile | null> {
    return memoized(this.lockFiles, stackDir, async () => {
      const doc = await this.hcl(join(stackDir, '.terraform.lock.hcl'));
      return doc?.body ? readLockFile(doc) : null;
    });
  }

  /** The provider packages a stack's init installs (lock file, else `required_providers`). */
  providerRequirements(stack: Stack): Promise<ProviderRequirements> {
    return memoized(this.requirementsByStack, stack.dir, async () => {
      const lock = await this.lockFile(stack.dir);
      const locked = lock ? providerRequirements(lock, null) : null;
      if (locked?.key) return locked;
      const listed = this.listDir(stack.dir);
      // JSON configuration is not read here: such a stack is a requirement of its own.
      if (!listed || listed.some((entry) => entry.name.endsWith('.tf.json'))) return providerRequirements(null, null);
      const names = listed.filter((entry) => entry.isFile !== false && entry.name.endsWith('.tf')).map((entry) => entry.name);
      const docs = await Promise.all(names.sort().map((name) => this.hcl(join(stack.dir, name))));
      return providerRequirements(null, docs, stack.dir);
    });
  }

  /** Every place the project launches `terraform init` / `tofu init` through Terramate. */
  launches(): Promise<InitLaunch[]> {
    return this.fact('launches', async () =>
      collectLaunches({
        root: this.root,
        config: await this.terramate(),
        makefiles: this.makefiles,
        shellScripts: this.filesOf('shell').flatMap((file) => {
          const text = this.text(file);
          return text === undefined ? [] : [{ file, text }];
        }),
        commandSiteFiles: this.commandSiteFiles,
      }),
    );
  }

  /** The tools the project's init launches use; Terraform when none is found. */
  launchTools(): Promise<Tool[]> {
    return this.fact('launch-tools', async () => {
      const tools = new Set((await this.launches()).map((launch) => launch.tool));
      return tools.size === 0 ? ['terraform' as const] : [...tools].sort();
    });
  }

  /**
   * The CLI configuration Terraform/OpenTofu would load. Files outside the project are read
   * through the same store, so a broken `~/.terraformrc` is a parse problem like any other.
   */
  cliConfig(tool: Tool): Promise<CliConfig> {
    return this.fact(`cli-config:${tool}`, () => {
      // A file a fix created in an earlier pass exists only in the overlay so far.
      const exists = (path: string) => existsSync(path) || this.files.read(path).ok;
      return resolveCliConfig(tool, this.env, (path) => this.cliConfigFile(path), exists);
    });
  }

  /** What the tool sees for `variable` in `stack` (Terramate run env over environment over CLI config). */
  setting(stack: Stack, tool: Tool, variable: SettingName): Promise<EffectiveSetting | null> {
    // Asked per stack by several rules: keyed without building a string per question.
    const byStack = memoized(memoized(this.settings, tool, () => new Map()), variable, () => new Map<string, Promise<EffectiveSetting | null>>());
    return memoized(byStack, stack.dir, async () =>
      effectiveSetting({ terramate: await this.terramate(), cliConfig: await this.cliConfig(tool), env: this.env }, stack, variable),
    );
  }

  /** Why a launch runs in parallel (a Make goal, a variable, a CI input...), or null when it never does. */
  parallelCondition(launch: InitLaunch): ParallelCondition | null {
    let condition = this.conditions.get(launch);
    if (condition === undefined) {
      condition = parallelCondition(launch, { config: this.terramateConfigLoaded(), readText: (file) => this.text(file) });
      this.conditions.set(launch, condition);
    }
    return condition;
  }

  /**
   * Which version of the tool runs the given stacks, and whether it locks the plugin cache.
   * Asking the binary is done once per run (through the session), never under --no-exec.
   * The evidence tells OpenTofu's versions apart; Terraform locks the cache in no version, so
   * its answer (version unknown) reads no file and starts no binary.
   */
  toolVersion(tool: Tool, stackDirs: string[]): Promise<VersionEvidence> {
    const known = evidenceNotNeeded(tool);
    if (known) return Promise.resolve(known);
    const key = `tool-version:${tool}\0${[...stackDirs].sort().join('\0')}`;
    return this.session.fact(key, () =>
      versionEvidence({
        tool,
        root: this.root,
        stackDirs,
        readText: (file) => this.text(file),
        hcl: (file) => this.hcl(file),
        listDir: (dir) => this.listDir(dir),
        env: this.env,
        exec: !this.options.noExec,
      }),
    );
  }

  /**
   * The one look at installed provider packages per run: the passes of a --fix run share it
   * (through the session) while its inputs are unchanged, so no binary starts twice.
   */
  providerInspection(progress: (status: string) => void = () => {}): Promise<ProviderInspection> {
    return this.fact('provider-inspection', () => inspectProviders(this, progress));
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
      this.record({ file: path, range: null, message: 'expected a JSON object' });
    } catch (error) {
      this.record({ file: path, range: null, message: (error as Error).message });
    }
    return null;
  }
}
