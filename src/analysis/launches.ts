import { basename, dirname, resolve } from 'node:path';
import { evaluateMakefile, UNKNOWN_CLOSE, UNKNOWN_OPEN, type MakeDatabase, type RecipeLine, type RecipeVariant, type VariableDefinition, type ViaLink } from '../parsers/make/index.js';
import { parseShell, type ArgWord, type ShellCommand, type VariableMap } from '../parsers/shell.js';
import { findInitInRunCommand, parseTerramateInvocation, type TerramateInvocation } from '../parsers/terramate-cli.js';
import { isInsideRoot } from '../util/path.js';
import { isKnown, UNKNOWN, type Knowable } from '../util/unknown.js';
import { extractCommandSites, positionInFile, type CiFileKind, type CommandSite, type CommandSiteContext } from '../parsers/yaml-ci.js';
import type { ScriptCommand, ScriptDefinition, TerramateConfig } from './terramate.js';

// Every place the project launches `terraform init` / `tofu init` through Terramate, with the
// Terramate options that reach it, resolved the way make, the shell and Terramate would.

export type SharingOption = 'enable-sharing' | 'mock-on-fail';
export type LaunchContext = 'makefile' | 'shell' | CommandSiteContext | 'terramate-script';

export interface SharingOrigin {
  option: SharingOption;
  /** As written: `--enable-sharing`, `TM_ARG_RUN_MOCK_ON_FAIL=true`, `enable_sharing = true`. */
  written: string;
  source: 'flag' | 'env' | 'script-option';
  /** Make only: the variables the flag came through, outermost first. */
  via: ViaLink[];
  /** The flag's own text in `file` (`[start, end)`), or null when it cannot be pinned exactly. */
  span: { start: number; end: number } | null;
}

export interface InitLaunch {
  file: string;
  /** The launching command (a recipe line, a shell command, a script command) in `file`. */
  start: number;
  end: number;
  context: LaunchContext;
  /** Where it sits, for messages: `target init`, `jobs.plan.steps[2]`, `script "deploy"`. */
  label: string;
  tool: 'terraform' | 'tofu';
  sharing: SharingOrigin[];
  /** The largest parallelism any variant asks for; UNKNOWN when a value cannot be known. */
  parallel: Knowable<number>;
  /** Where the parallelism is written (`4`, `${{ inputs.n }}`, `-j4`), file offsets; null when not pinned. */
  parallelSpan: { start: number; end: number } | null;
  /** Make only: the variables the parallelism flag came through, outermost first. */
  parallelVia: ViaLink[];
  /** `entry`: the makefile make reads (the launch's file may be one it includes). */
  make?: { entry: string; recipe: RecipeLine; definitions: VariableDefinition[] };
  script?: { definition: ScriptDefinition; command: ScriptCommand };
  /** The directory whose stacks it runs in (`-C`, the Makefile's directory...); null when unknown. */
  scope: string | null;
  /** The directory the launching command starts in (the one `-C` is relative to). */
  base: string;
  /** False for `--no-recursive`: only the stack at `scope` itself runs. */
  recursive: boolean;
  /** The stack filters it runs with (tags as written, `--changed`); ignored by Terramate under `--no-recursive`. */
  filters: StackFilters;
  /** For `terramate script run NAME`: the script commands (in scope of the stacks reached) that run init. */
  scriptInits: ScriptPlace[];
}

export interface StackFilters {
  tags: string[];
  noTags: string[];
  changed: Knowable<boolean>;
}

const NO_FILTERS: StackFilters = { tags: [], noTags: [], changed: false };

function filtersOf(invocation: TerramateInvocation): StackFilters {
  return { tags: [...invocation.options.tags], noTags: [...invocation.options.noTags], changed: invocation.options.changed.value };
}

/** A command of a Terramate script block, `[start, end)` in `file`. */
export interface ScriptPlace {
  file: string;
  start: number;
  end: number;
}

/** Make's view of a makefile it reads first (by default, or a `.mk` file nothing includes). */
export interface EvaluatedMakefile {
  entry: string;
  db: MakeDatabase;
}

export interface LaunchInputs {
  root: string;
  config: TerramateConfig;
  makefiles: EvaluatedMakefile[];
  shellScripts: Array<{ file: string; text: string }>;
  commandSiteFiles: Array<{ file: string; sites: CommandSite[] }>;
}

/** Every init launch in the loaded files: Makefiles, shell scripts, CI files, Terramate scripts. */
export function collectLaunches(inputs: LaunchInputs): InitLaunch[] {
  const { config, root } = inputs;
  const launches: InitLaunch[] = [];
  for (const db of inputs.makefiles) launches.push(...fromMakefile(db, config));
  for (const { file, text } of inputs.shellScripts) launches.push(...fromShellScript(file, text, config, root));
  for (const { file, sites } of inputs.commandSiteFiles) launches.push(...fromCommandSites(file, sites, config, root));
  launches.push(...fromTerramateScripts(config));
  return launches;
}

// ---- What one shell command launches ---------------------------------------------------

interface CommandLaunch {
  invocation: TerramateInvocation;
  command: ShellCommand;
  tool: 'terraform' | 'tofu';
  parallel: Knowable<number>;
  /** The word that holds the parallelism (`4` of `--parallel 4`, or `-j4`), offsets in the parsed text; null when none or from the environment. */
  parallelWords: { start: number; end: number } | null;
  scope: string | null;
  base: string;
  recursive: boolean;
  filters: StackFilters;
  scriptInits: ScriptPlace[];
}

function parallelWordsOf(invocation: TerramateInvocation, command: ShellCommand): { start: number; end: number } | null {
  const setting = invocation.options.parallel;
  if (setting.source !== 'flag' || setting.argIndex === undefined) return null;
  const flag = invocation.flags.find((candidate) => candidate.index === setting.argIndex && candidate.name === 'parallel');
  const word = command.argv[flag?.valueIndex ?? setting.argIndex];
  return word && word.start >= 0 && word.end > word.start ? { start: word.start, end: word.end } : null;
}

/** Parallelism as Terramate reads it; a bare `--parallel` meant 5 before Terramate 0.6. */
function parallelOf(invocation: TerramateInvocation): Knowable<number> {
  const { value } = invocation.options.parallel;
  if (value === UNKNOWN) return UNKNOWN;
  if (value === 0 && invocation.flags.some((flag) => flag.name === 'parallel' && flag.value === undefined)) return 5;
  return value;
}

/** The tool a Terramate script command runs init with, looking through `sh -c '...'`. */
function scriptInitTool(command: ScriptCommand): 'terraform' | 'tofu' | null {
  const argv = command.argv.map((word) => (typeof word === 'string' ? word : ''));
  return findInitInRunCommand(argv)[0]?.tool ?? null;
}

/** Where Terramate runs: `-C DIR` from the directory the command starts in. */
function scopeOf(invocation: TerramateInvocation, base: string): string | null {
  const { chdir } = invocation.options;
  if (chdir === null) return base;
  return typeof chdir === 'string' ? resolve(base, chdir) : null;
}

/**
 * `terramate run ... init`, or `terramate script run NAME` where the script NAME in scope of
 * the stacks it reaches runs init. `base` is the directory the command starts in.
 */
function launchesIn(command: ShellCommand, config: TerramateConfig, base: string): CommandLaunch[] {
  const invocation = parseTerramateInvocation(command.argv, { env: command.environment });
  if (!invocation) return [];
  const parallel = parallelOf(invocation);
  const parallelWords = parallelWordsOf(invocation, command);
  const scope = scopeOf(invocation, base);
  const recursive = invocation.options.noRecursive.value !== true;
  const filters = filtersOf(invocation);
  if (invocation.kind === 'run') {
    const inits = findInitInRunCommand(invocation.command, command.environment);
    return inits.map((init) => ({ invocation, command, tool: init.tool, parallel, parallelWords, scope, base, recursive, filters, scriptInits: [] }));
  }
  const reached = scope === null ? config.stacks : config.stacks.filter((stack) => isInsideRoot(scope, stack.dir));
  const placesByTool = new Map<'terraform' | 'tofu', Map<string, ScriptPlace>>();
  for (const stack of reached) {
    const script = config.scriptFor(stack.dir, invocation.scriptLabels);
    for (const scriptCommand of script?.commands ?? []) {
      const tool = scriptInitTool(scriptCommand);
      if (!tool || !script) continue;
      const places = placesByTool.get(tool) ?? new Map<string, ScriptPlace>();
      placesByTool.set(tool, places);
      const node = scriptCommand.node;
      if (node) places.set(`${script.file}\0${node.startIndex}`, { file: script.file, start: node.startIndex, end: node.endIndex });
    }
  }
  return [...placesByTool].map(([tool, places]) => ({ invocation, command, tool, parallel, parallelWords, scope, base, recursive, filters, scriptInits: [...places.values()] }));
}

const OPTION_OF_ENV: Record<string, SharingOption> = { TM_ARG_RUN_ENABLE_SHARING: 'enable-sharing', TM_ARG_RUN_MOCK_ON_FAIL: 'mock-on-fail' };

/** The sharing options that are on, with the words that turned them on (offsets in the parsed text). */
function sharingWords(launch: CommandLaunch): Array<{ option: SharingOption; word: ArgWord | null; written: string; source: 'flag' | 'env' }> {
  const found: Array<{ option: SharingOption; word: ArgWord | null; written: string; source: 'flag' | 'env' }> = [];
  for (const [key, option] of [
    ['enableSharing', 'enable-sharing'],
    ['mockOnFail', 'mock-on-fail'],
  ] as const) {
    const setting = launch.invocation.options[key];
    if (setting.value !== true) continue;
    if (setting.source === 'flag' && setting.argIndex !== undefined) {
      const word = launch.command.argv[setting.argIndex];
      found.push({ option, word: word ?? null, written: word?.text ?? `--${option}`, source: 'flag' });
    } else if (setting.source === 'env' && setting.envVar) {
      const prefix = launch.command.assignments.find((assignment) => assignment.name === setting.envVar);
      const value = launch.command.environment.get(setting.envVar);
      found.push({
        option: OPTION_OF_ENV[setting.envVar] ?? option,
        word: prefix ? { value: null, text: '', knownPrefix: '', maySplit: false, start: prefix.start, end: prefix.end, charOffsets: null } : null,
        written: `${setting.envVar}=${typeof value === 'string' ? value : 'true'}`,
        source: 'env',
      });
    }
  }
  return found;
}

// ---- Makefiles -------------------------------------------------------------------------

/**
 * Make's unknown markers become undefined shell variables, named after what is unknown (so the
 * same unknown reads as the same word in two lines); `origin` maps offsets back.
 */
export function maskUnknowns(text: string): { text: string; origin: number[] } {
  let masked = '';
  const origin: number[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === UNKNOWN_OPEN) {
      const close = text.indexOf(UNKNOWN_CLOSE, i);
      const what = text.slice(i + 1, close < 0 ? text.length : close);
      const placeholder = `\${__tm_doctor_unknown_${Buffer.from(what).toString('hex')}}`;
      masked += placeholder;
      for (let k = 0; k < placeholder.length; k++) origin.push(i);
      i = close < 0 ? text.length : close;
      continue;
    }
    masked += text[i];
    origin.push(i);
  }
  origin.push(text.length);
  return { text: masked, origin };
}

/** Variants whose spans are non-empty, in order and apart (as make's expansion gives them). */
const orderedSpans = new WeakMap<RecipeVariant, boolean>();

function spansInOrder(variant: RecipeVariant): boolean {
  let ordered = orderedSpans.get(variant);
  if (ordered === undefined) {
    const { spans } = variant;
    ordered = spans.every((span, i) => span.start < span.end && (i === 0 || spans[i - 1].end <= span.start));
    orderedSpans.set(variant, ordered);
  }
  return ordered;
}

/** The provenance of the variant's text `[start, end)`: the covering span with the longest chain. */
function viaFor(variant: RecipeVariant, start: number, end: number): ViaLink[] {
  const { spans } = variant;
  if (end > start && spansInOrder(variant)) {
    // Spans apart: at most one covers the range, the last starting at or before it (a scan of
    // every span per flag made a line of many launches quadratic).
    let low = 0;
    let high = spans.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (spans[mid].start <= start) {
        found = mid;
        low = mid + 1;
      } else high = mid - 1;
    }
    const span = spans[found];
    return span && end <= span.end ? span.via : [];
  }
  const covering = spans.filter((span) => span.start <= start && end <= span.end);
  covering.sort((a, b) => b.via.length - a.via.length);
  return covering[0]?.via ?? [];
}

/** The init launches of one makefile as make reads it (`entry` and what it includes). */
export function fromMakefile({ entry, db }: EvaluatedMakefile, config: TerramateConfig): InitLaunch[] {
  return db.recipes.flatMap((recipe) => makeLaunch(entry, recipe, db.definitions, config) ?? []);
}

function makeLaunch(entry: string, recipe: RecipeLine, definitions: VariableDefinition[], config: TerramateConfig): InitLaunch | null {
  const sharing = new Map<string, SharingOrigin>();
  let parallel: Knowable<number> = 0;
  let parallelVia: ViaLink[] = [];
  let tool: 'terraform' | 'tofu' | null = null;
  let scope: string | null = null;
  let recursive = true;
  let filters = NO_FILTERS;
  const scriptInits = new Map<string, ScriptPlace>();
  for (const variant of recipe.variants) {
    const masked = maskUnknowns(variant.text);
    for (const command of parseShell(masked.text).commands) {
      // make runs recipes in the directory it was started in: the entry makefile's, whatever file a recipe comes from.
      for (const launch of launchesIn(command, config, dirname(entry))) {
        if (!tool) {
          recursive = launch.recursive;
          filters = launch.filters;
        }
        tool ??= launch.tool;
        scope ??= launch.scope;
        for (const place of launch.scriptInits) scriptInits.set(`${place.file}\0${place.start}`, place);
        const before: Knowable<number> = parallel;
        parallel = maxParallel(parallel, launch.parallel);
        if (parallel !== before && launch.parallelWords && parallelVia.length === 0) {
          parallelVia = viaFor(variant, masked.origin[launch.parallelWords.start], masked.origin[launch.parallelWords.end - 1] + 1);
        }
        for (const found of sharingWords(launch)) {
          const start = found.word ? masked.origin[found.word.start] : -1;
          const end = found.word ? masked.origin[found.word.end - 1] + 1 : -1;
          const via = start >= 0 ? viaFor(variant, start, end) : [];
          const key = `${found.option}\0${via.map((link) => `${link.name}@${link.refStart}`).join('>')}`;
          if (sharing.has(key)) continue;
          const rawAt = via.length === 0 && found.source === 'flag' ? recipe.raw.indexOf(found.written) : -1;
          sharing.set(key, {
            option: found.option,
            written: found.written,
            source: found.source,
            via,
            span: rawAt >= 0 ? { start: recipe.start + rawAt, end: recipe.start + rawAt + found.written.length } : null,
          });
        }
      }
    }
  }
  if (!tool) return null;
  return {
    file: recipe.file,
    start: recipe.start,
    end: recipe.end,
    context: 'makefile',
    label: `target ${recipe.targets.join(' ')}`,
    tool,
    sharing: [...sharing.values()],
    parallel,
    parallelSpan: null,
    parallelVia,
    make: { entry, recipe, definitions },
    scope,
    base: dirname(entry),
    recursive,
    filters,
    scriptInits: [...scriptInits.values()],
  };
}

/** A known parallelism above 1 wins; otherwise an unknown one stays unknown. */
function maxParallel(a: Knowable<number>, b: Knowable<number>): Knowable<number> {
  const best = Math.max(0, ...[a, b].filter((value): value is number => isKnown(value)));
  if (best > 1) return best;
  return a === UNKNOWN || b === UNKNOWN ? UNKNOWN : best;
}

// ---- Shell scripts and CI files ----------------------------------------------------------

function shellLaunches(
  file: string,
  commands: ShellCommand[],
  context: LaunchContext,
  label: string,
  toFile: (offset: number) => number,
  config: TerramateConfig,
  base: string,
): InitLaunch[] {
  const launches: InitLaunch[] = [];
  for (const command of commands) {
    for (const launch of launchesIn(command, config, base)) {
      const sharing: SharingOrigin[] = sharingWords(launch).map((found) => ({
        option: found.option,
        written: found.written,
        source: found.source,
        via: [],
        span: found.word && command.exactOffsets ? { start: toFile(found.word.start), end: toFile(found.word.end - 1) + 1 } : null,
      }));
      launches.push({
        file,
        start: toFile(command.start),
        end: toFile(Math.max(command.start, command.end - 1)) + 1,
        context,
        label,
        tool: launch.tool,
        sharing,
        parallel: launch.parallel,
        parallelSpan: launch.parallelWords && command.exactOffsets ? { start: toFile(launch.parallelWords.start), end: toFile(launch.parallelWords.end - 1) + 1 } : null,
        parallelVia: [],
        scope: launch.scope,
        base: launch.base,
        recursive: launch.recursive,
        filters: launch.filters,
        scriptInits: launch.scriptInits,
      });
    }
  }
  return launches;
}

// Scripts and CI jobs are taken to start at the repository root, where they usually run.
function fromShellScript(file: string, text: string, config: TerramateConfig, root: string): InitLaunch[] {
  return shellLaunches(file, parseShell(text).commands, 'shell', basename(file), (offset) => offset, config, root);
}

/** CI jobs start in the checkout (the repository root); npm, just and Task run in their file's directory. */
function siteBase(file: string, context: CommandSiteContext, root: string): string {
  return context === 'npm-script' || context === 'just' || context === 'task' ? dirname(file) : root;
}

function fromCommandSites(file: string, sites: CommandSite[], config: TerramateConfig, root: string): InitLaunch[] {
  return sites.flatMap((site) => {
    const parsed = parseShell(site.text, { env: site.env as VariableMap });
    return shellLaunches(file, parsed.commands, site.context, site.label, (offset) => positionInFile(site, offset).offset, config, siteBase(file, site.context, root));
  });
}

// ---- Terramate scripts -------------------------------------------------------------------

const SCRIPT_OPTIONS: Record<string, SharingOption> = { enable_sharing: 'enable-sharing', mock_on_fail: 'mock-on-fail' };

function fromTerramateScripts(config: TerramateConfig): InitLaunch[] {
  const launches: InitLaunch[] = [];
  for (const definition of config.scripts) {
    for (const command of definition.commands) {
      const tool = scriptInitTool(command);
      if (!tool || !command.node) continue;
      const sharing: SharingOrigin[] = Object.entries(command.options ?? {})
        .filter(([key, value]) => SCRIPT_OPTIONS[key] && value === true)
        .map(([key]) => ({ option: SCRIPT_OPTIONS[key], written: `${key} = true`, source: 'script-option', via: [], span: null }));
      launches.push({
        file: definition.file,
        start: command.node.startIndex,
        end: command.node.endIndex,
        context: 'terramate-script',
        label: `script "${definition.labels.join(' ')}"`,
        tool,
        sharing,
        parallel: 0,
        parallelSpan: null,
        parallelVia: [],
        script: { definition, command },
        scope: definition.dir,
        base: definition.dir,
        recursive: true,
        filters: NO_FILTERS,
        scriptInits: [],
      });
    }
  }
  return launches;
}

// ---- One file read again ------------------------------------------------------------------

export interface RelaunchInputs {
  root: string;
  config: TerramateConfig;
  /** The other makefiles make reads with this one (includes). */
  readText: (file: string) => string | undefined;
}

/**
 * The init launches of `launch.file` if it held `text`, read the way the analysis reads that
 * kind of file; null when the text does not read (a fix must never produce such a file).
 */
export function launchesOfFileText(launch: InitLaunch, text: string, inputs: RelaunchInputs, ciKind: CiFileKind | null): InitLaunch[] | null {
  switch (launch.context) {
    case 'makefile': {
      if (!launch.make) return null;
      const read = (file: string) => (file === launch.file ? text : inputs.readText(file));
      const db = evaluateMakefile(launch.make.entry, read);
      return fromMakefile({ entry: launch.make.entry, db }, inputs.config).filter((found) => found.file === launch.file);
    }
    case 'shell':
      return fromShellScript(launch.file, text, inputs.config, inputs.root);
    case 'terramate-script':
      return null;
    default: {
      if (!ciKind) return null;
      const extracted = extractCommandSites(launch.file, text, ciKind);
      if (extracted.diagnostics.length > 0) return null;
      return fromCommandSites(launch.file, extracted.sites, inputs.config, inputs.root);
    }
  }
}
