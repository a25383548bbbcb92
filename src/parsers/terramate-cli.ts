// Recognises `terramate run` / `terramate script run` invocations in an argv and works out
// the run options Terramate itself would end up with.
//
// Flag set and parsing rules verified against Terramate's source, ui/tui/cli_spec.go
// (terramate-io/terramate at 9391082235a557f4ce2f315dc4e3006896ebf66c, kong v0.7.1 per go.mod),
// and kong v0.7.1 (alecthomas/kong: context.go trace/parseFlag, scanner.go, mapper.go, model.go):
// - Parent (global) flags are accepted after the subcommand too (Node.AllFlags walks parents);
//   run flags are not accepted before `run`.
// - `run`'s `cmd` positional is `passthrough`: the first non-flag word starts the command and
//   everything after it (flags included) belongs to the command; `--` also ends flag parsing.
// - Bool flags take a value only as `--flag=v` (true/1/yes, false/0/no, case-insensitive;
//   anything else is a parse error). `--enable-sharing true` sets true and `true` is the command.
// - `--parallel`/`-j` is a plain int (the bare-flag default of 5 was removed in March 2024,
//   commit 9e449be3 "support -j N syntax for parallel flag and remove default"): it needs a value
//   (`--parallel N`, `--parallel=N`, `-j N`, `-jN`); a value starting with `-` is refused unless
//   written `--parallel=-1`; `-j=4` is an error (the tail `=4` is not an int). The engine runs in
//   parallel only when the value is > 1 (engine/run.go).
// - Env vars (kong envprefix accumulates): run/script-run flags read `TM_ARG_RUN_<NAME>`, global
//   flags `TM_ARG_<NAME>`, and `--disable-safeguards` reads `TM_DISABLE_SAFEGUARDS`. An empty
//   env value is ignored; a non-empty one is parsed like `--flag=value`; a flag on the command
//   line overrides the env var.
// - `terramate script run` has no --enable-sharing/--mock-on-fail/--eval: sharing for scripts
//   is per command in the `script` block.

import { UNKNOWN, type Knowable, type Unknown } from '../util/unknown.js';
import { lookupVariable, parseShell, type ArgWord, type VariableMap, type VariableValue } from './shell.js';

export type CliArg = string | ArgWord;

type ValueKind = 'bool' | 'string' | 'int' | 'list' | 'counter';

interface FlagSpec {
  name: string;
  short?: string;
  kind: ValueKind;
  /** Environment variable kong reads for this flag. */
  env?: string;
}

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'version', kind: 'bool' },
  { name: 'chdir', short: 'C', kind: 'string', env: 'TM_ARG_CHDIR' },
  { name: 'git-change-base', short: 'B', kind: 'string', env: 'TM_ARG_GIT_CHANGE_BASE' },
  { name: 'changed', short: 'c', kind: 'bool', env: 'TM_ARG_CHANGED' },
  { name: 'tags', kind: 'list', env: 'TM_ARG_TAGS' },
  { name: 'no-tags', kind: 'list', env: 'TM_ARG_NO_TAGS' },
  { name: 'log-level', kind: 'string', env: 'TM_ARG_LOG_LEVEL' },
  { name: 'log-fmt', kind: 'string', env: 'TM_ARG_LOG_FMT' },
  { name: 'log-destination', kind: 'string', env: 'TM_ARG_LOG_DESTINATION' },
  { name: 'quiet', kind: 'bool', env: 'TM_ARG_QUIET' },
  { name: 'verbose', short: 'v', kind: 'counter', env: 'TM_ARG_VERBOSE' },
  { name: 'disable-check-git-untracked', kind: 'bool', env: 'TM_DISABLE_CHECK_GIT_UNTRACKED' },
  { name: 'disable-check-git-uncommitted', kind: 'bool', env: 'TM_DISABLE_CHECK_GIT_UNCOMMITTED' },
  { name: 'disable-checkpoint', kind: 'bool' },
  { name: 'disable-checkpoint-signature', kind: 'bool' },
  { name: 'cpu-profiling', kind: 'bool' },
  { name: 'help', short: 'h', kind: 'bool' },
];

const CLOUD_FILTER_FLAGS: FlagSpec[] = ['experimental-status', 'cloud-status', 'status', 'deployment-status', 'drift-status'].map(
  (name) => ({ name, kind: 'string' as const }),
);
const CHANGE_DETECTION_FLAGS: FlagSpec[] = [
  { name: 'enable-change-detection', kind: 'list' },
  { name: 'disable-change-detection', kind: 'list' },
];
const CLOUD_TARGET_FLAGS: FlagSpec[] = [
  { name: 'target', kind: 'string', env: 'TM_ARG_RUN_TARGET' },
  { name: 'from-target', kind: 'string', env: 'TM_ARG_RUN_FROM_TARGET' },
];
const COMMON_RUN_FLAGS: FlagSpec[] = [
  { name: 'no-recursive', kind: 'bool', env: 'TM_ARG_RUN_NO_RECURSIVE' },
  { name: 'continue-on-error', kind: 'bool', env: 'TM_ARG_RUN_CONTINUE_ON_ERROR' },
  { name: 'dry-run', kind: 'bool', env: 'TM_ARG_RUN_DRY_RUN' },
  { name: 'reverse', kind: 'bool', env: 'TM_ARG_RUN_REVERSE' },
  { name: 'parallel', short: 'j', kind: 'int', env: 'TM_ARG_RUN_PARALLEL' },
];
const SAFEGUARD_FLAGS: FlagSpec[] = [
  // Declared as name "disable-safeguards=all" short "X": only `-X` can reach it.
  { name: 'disable-safeguards=all', short: 'X', kind: 'bool' },
  { name: 'disable-safeguards', kind: 'list', env: 'TM_DISABLE_SAFEGUARDS' },
  { name: 'disable-check-gen-code', kind: 'bool', env: 'TM_DISABLE_CHECK_GEN_CODE' },
  { name: 'disable-check-git-remote', kind: 'bool', env: 'TM_DISABLE_CHECK_GIT_REMOTE' },
];
const OUTPUT_SHARING_FLAGS: FlagSpec[] = [
  'include-output-dependencies', 'only-output-dependencies', 'include-all-dependencies', 'include-direct-dependencies',
  'only-all-dependencies', 'only-direct-dependencies', 'exclude-all-dependencies', 'include-all-dependents',
  'include-direct-dependents', 'only-direct-dependents', 'only-all-dependents', 'exclude-all-dependents',
].map((name) => ({ name, kind: 'bool' as const }));

const RUN_FLAGS: FlagSpec[] = [
  ...CLOUD_FILTER_FLAGS,
  ...CHANGE_DETECTION_FLAGS,
  ...CLOUD_TARGET_FLAGS,
  { name: 'enable-sharing', kind: 'bool', env: 'TM_ARG_RUN_ENABLE_SHARING' },
  { name: 'mock-on-fail', kind: 'bool', env: 'TM_ARG_RUN_MOCK_ON_FAIL' },
  ...['cloud-sync-deployment', 'sync-deployment', 'cloud-sync-drift-status', 'sync-drift-status', 'cloud-sync-preview', 'sync-preview'].map(
    (name) => ({ name, kind: 'bool' as const, env: name.startsWith('sync-') ? `TM_ARG_RUN_${envName(name)}` : undefined }),
  ),
  { name: 'cloud-sync-layer', kind: 'string' },
  { name: 'layer', kind: 'string', env: 'TM_ARG_RUN_LAYER' },
  { name: 'cloud-sync-terraform-plan-file', kind: 'string' },
  { name: 'plan-render-timeout', kind: 'int', env: 'TM_ARG_RUN_PLAN_RENDER_TIMEOUT' },
  { name: 'terraform-plan-file', kind: 'string', env: 'TM_ARG_RUN_TERRAFORM_PLAN_FILE' },
  { name: 'tofu-plan-file', kind: 'string', env: 'TM_ARG_RUN_TOFU_PLAN_FILE' },
  { name: 'debug-preview-url', kind: 'string' },
  ...COMMON_RUN_FLAGS,
  { name: 'eval', kind: 'bool', env: 'TM_ARG_RUN_EVAL' },
  { name: 'terragrunt', kind: 'bool', env: 'TM_ARG_RUN_TERRAGRUNT' },
  ...SAFEGUARD_FLAGS,
  ...OUTPUT_SHARING_FLAGS,
];

const SCRIPT_RUN_FLAGS: FlagSpec[] = [
  ...CLOUD_FILTER_FLAGS,
  ...CHANGE_DETECTION_FLAGS,
  ...CLOUD_TARGET_FLAGS,
  ...COMMON_RUN_FLAGS,
  ...SAFEGUARD_FLAGS,
  ...OUTPUT_SHARING_FLAGS,
];

function envName(flag: string): string {
  return flag.toUpperCase().replace(/-/g, '_');
}

/** Environment variables that switch output sharing on for `terramate run`. */
export const SHARING_ENV_VARS = ['TM_ARG_RUN_ENABLE_SHARING', 'TM_ARG_RUN_MOCK_ON_FAIL'] as const;
export const PARALLEL_ENV_VAR = 'TM_ARG_RUN_PARALLEL';

/** How kong reads a bool from `--flag=value` or an env var. */
export function parseKongBool(value: string): boolean | null {
  switch (value.toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      return null;
  }
}

/** kong's int mapper: strconv.ParseInt(v, 10, 64). */
export function parseKongInt(value: string): number | null {
  return /^[+-]?[0-9]+$/.test(value) ? Number.parseInt(value, 10) : null;
}

export type SettingSource = 'default' | 'flag' | 'env';

export interface Setting<T> {
  /** UNKNOWN when the deciding word or env value cannot be known statically. */
  value: Knowable<T>;
  source: SettingSource;
  /** argv index of the deciding flag word (source 'flag'). */
  argIndex?: number;
  /** Env var that decided it (source 'env'). */
  envVar?: string;
}

export interface FlagWord {
  /** Canonical long name (`parallel` for `-j4`). */
  name: string;
  /** argv index of the flag word. */
  index: number;
  /** argv index of a separate value word, if the value was the next word. */
  valueIndex?: number;
  /** The value as given (null when unknown, undefined when the flag had none). */
  value?: string | null;
}

export interface RunOptions {
  enableSharing: Setting<boolean>;
  mockOnFail: Setting<boolean>;
  /** 0 when not set; the engine schedules in parallel only for values > 1. */
  parallel: Setting<number>;
  changed: Setting<boolean>;
  noRecursive: Setting<boolean>;
  continueOnError: Setting<boolean>;
  dryRun: Setting<boolean>;
  reverse: Setting<boolean>;
  eval: Setting<boolean>;
  /** `-X` */
  disableAllSafeguards: Setting<boolean>;
  disableSafeguards: string[];
  tags: string[];
  noTags: string[];
  chdir: string | null | Unknown;
}


export interface TerramateInvocation {
  kind: 'run' | 'script-run';
  /** argv index of the `run` word. */
  subcommandIndex: number;
  flags: FlagWord[];
  options: RunOptions;
  /** The command `terramate run` executes (kind 'run'). */
  command: ArgWord[];
  /** argv index of command[0] (-1 when there is no command). */
  commandIndex: number;
  /** Script label words (kind 'script-run'). */
  scriptLabels: string[];
  /** Flag words that could not be read (unknown expansions); options may be incomplete. */
  unknownWords: number[];
  /** Problems Terramate itself would refuse to run with (it would exit with an error). */
  errors: string[];
}

export interface ParseTerramateOptions {
  /** Environment the command runs with (TM_ARG_* variables). */
  env?: VariableMap;
}

export function toArgWord(arg: CliArg): ArgWord {
  if (typeof arg !== 'string') return arg;
  return { value: arg, text: arg, knownPrefix: arg, maySplit: false, start: -1, end: -1, charOffsets: null };
}

function basename(path: string): string {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(slash + 1);
}

export function isTerramateExecutable(word: ArgWord | undefined): boolean {
  if (word === undefined || word.value === null) return false;
  const name = basename(word.value).toLowerCase();
  return name === 'terramate' || name === 'terramate.exe';
}

function defaultOptions(): RunOptions {
  const off = (): Setting<boolean> => ({ value: false, source: 'default' });
  return {
    enableSharing: off(),
    mockOnFail: off(),
    parallel: { value: 0, source: 'default' },
    changed: off(),
    noRecursive: off(),
    continueOnError: off(),
    dryRun: off(),
    reverse: off(),
    eval: off(),
    disableAllSafeguards: off(),
    disableSafeguards: [],
    tags: [],
    noTags: [],
    chdir: null,
  };
}

const BOOL_OPTION_BY_FLAG: Record<string, keyof RunOptions> = {
  'enable-sharing': 'enableSharing',
  'mock-on-fail': 'mockOnFail',
  changed: 'changed',
  'no-recursive': 'noRecursive',
  'continue-on-error': 'continueOnError',
  'dry-run': 'dryRun',
  reverse: 'reverse',
  eval: 'eval',
  'disable-safeguards=all': 'disableAllSafeguards',
};

function applyEnv(options: RunOptions, specs: FlagSpec[], env: VariableMap | undefined, errors: string[]): void {
  for (const spec of specs) {
    if (spec.env === undefined) continue;
    const raw = lookupVariable(env, spec.env);
    if (raw === undefined || raw === '') continue;
    applyValue(options, spec, raw, { source: 'env', envVar: spec.env }, errors);
  }
}

function applyValue(
  options: RunOptions,
  spec: FlagSpec,
  raw: VariableValue | null | undefined,
  origin: Omit<Setting<unknown>, 'value'>,
  errors: string[],
): void {
  const key = BOOL_OPTION_BY_FLAG[spec.name];
  if (key !== undefined) {
    let value: Knowable<boolean>;
    if (raw === undefined) value = true;
    else if (raw === null || raw === UNKNOWN) value = UNKNOWN;
    else {
      const parsed = parseKongBool(raw);
      if (parsed === null) {
        errors.push(`--${spec.name}: bool value must be true, 1, yes, false, 0 or no but got "${raw}"`);
        return;
      }
      value = parsed;
    }
    (options[key] as Setting<boolean>) = { value, ...origin };
    return;
  }
  const known = raw === null || raw === UNKNOWN || raw === undefined ? null : raw;
  switch (spec.name) {
    case 'parallel': {
      if (known === null) {
        options.parallel = { value: UNKNOWN, ...origin };
        return;
      }
      const parsed = parseKongInt(known);
      if (parsed === null) errors.push(`--parallel: expected a valid 64 bit int but got "${known}"`);
      else options.parallel = { value: parsed, ...origin };
      return;
    }
    case 'tags':
    case 'no-tags': {
      if (known === null) return;
      const list = spec.name === 'tags' ? options.tags : options.noTags;
      // `tags` is sep:"none" (Terramate splits on commas later); `no-tags` is sep:",".
      list.push(...(spec.name === 'tags' ? [known] : known.split(',')));
      return;
    }
    case 'disable-safeguards':
      if (known !== null) options.disableSafeguards.push(...known.split(','));
      return;
    case 'chdir':
      options.chdir = known === null ? UNKNOWN : known;
      return;
    default:
  }
}

/**
 * Recognises `terramate [global flags] run|script run ...` in argv. Returns null when argv is
 * not such an invocation. Never throws.
 */
export function parseTerramateInvocation(argvInput: ReadonlyArray<CliArg>, options: ParseTerramateOptions = {}): TerramateInvocation | null {
  const argv = argvInput.map(toArgWord);
  if (!isTerramateExecutable(argv[0])) return null;
  const flags: FlagWord[] = [];
  const unknownWords: number[] = [];
  const errors: string[] = [];
  const runOptions = defaultOptions();

  // Before the subcommand only global flags are known.
  let active: FlagSpec[] = GLOBAL_FLAGS;
  let kind: 'run' | 'script-run' | null = null;
  let subcommandIndex = -1;
  let sawScript = false;
  let i = 1;
  const deferred: Array<() => void> = [];

  const readFlags = (): number => {
    for (; i < argv.length; i++) {
      const word = argv[i];
      if (word.value === null) {
        if (word.knownPrefix.startsWith('-')) {
          const consumed = tryFlag(word.knownPrefix, i, true);
          if (consumed >= 0) {
            i += consumed;
            continue;
          }
        }
        if (!word.knownPrefix.startsWith('-') && word.knownPrefix !== '') return i;
        // A whole unknown word (`$TM_OPTS`) in flag position: most likely flags, never claimed.
        unknownWords.push(i);
        continue;
      }
      const value = word.value;
      if (value === '--') return i;
      if (value.startsWith('-') && value !== '-') {
        const consumed = tryFlag(value, i, false);
        if (consumed < 0) {
          errors.push(`unknown flag ${value.split('=')[0]}`);
          continue;
        }
        i += consumed;
        continue;
      }
      return i;
    }
    return i;
  };

  /** Applies a flag word; returns how many extra words it consumed, or -1 if not a flag here. */
  const tryFlag = (text: string, index: number, partial: boolean): number => {
    if (text.startsWith('--')) {
      const eq = text.indexOf('=');
      const name = eq < 0 ? text.slice(2) : text.slice(2, eq);
      if (partial && eq < 0) return -1; // the name itself is not fully known
      const spec = active.find((candidate) => candidate.name === name);
      if (spec === undefined) return -1;
      const inline = eq < 0 ? undefined : partial ? null : text.slice(eq + 1);
      return takeValue(spec, index, inline);
    }
    // Short flags, possibly clustered: `-cX`, `-j4`, `-cj4`.
    let rest = text.slice(1);
    let consumed = 0;
    while (rest.length > 0) {
      const letter = rest[0];
      const spec = active.find((candidate) => candidate.short === letter);
      if (spec === undefined) return consumed === 0 && rest === text.slice(1) ? -1 : consumed;
      const tail = rest.slice(1);
      if (spec.kind === 'bool' || spec.kind === 'counter') {
        flags.push({ name: spec.name, index });
        deferred.push(() => applyValue(runOptions, spec, undefined, { source: 'flag', argIndex: index }, errors));
        if (partial && tail === '') return consumed;
        rest = tail;
        continue;
      }
      if (tail !== '') {
        // kong takes the rest of the cluster as the value (`-j4`; `-j=4` is refused by the int mapper).
        const value = partial ? null : tail;
        flags.push({ name: spec.name, index, value });
        deferred.push(() => applyValue(runOptions, spec, value, { source: 'flag', argIndex: index }, errors));
        return consumed;
      }
      if (partial) return consumed;
      return consumed + takeValue(spec, index, undefined);
    }
    return consumed;
  };

  const takeValue = (spec: FlagSpec, index: number, inline: string | null | undefined): number => {
    if (inline !== undefined || spec.kind === 'bool' || spec.kind === 'counter') {
      flags.push({ name: spec.name, index, value: inline });
      deferred.push(() => applyValue(runOptions, spec, inline, { source: 'flag', argIndex: index }, errors));
      return 0;
    }
    const next = argv[index + 1];
    if (next === undefined) {
      errors.push(`--${spec.name}: missing value`);
      flags.push({ name: spec.name, index });
      return 0;
    }
    // Lists pop any token; strings and ints refuse a value starting with '-'.
    const startsWithDash = (next.value ?? next.knownPrefix).startsWith('-');
    if (spec.kind !== 'list' && startsWithDash) {
      errors.push(`--${spec.name}: expected a value but got "${next.text}"`);
      flags.push({ name: spec.name, index });
      return 0;
    }
    flags.push({ name: spec.name, index, valueIndex: index + 1, value: next.value });
    deferred.push(() => applyValue(runOptions, spec, next.value, { source: 'flag', argIndex: index }, errors));
    return 1;
  };

  // Global flags, then the subcommand words.
  for (;;) {
    readFlags();
    const word = argv[i];
    if (word === undefined || word.value === null || word.value === '--') return null;
    if (!sawScript && word.value === 'run') {
      kind = 'run';
      subcommandIndex = i;
      active = [...GLOBAL_FLAGS, ...RUN_FLAGS];
      i++;
      break;
    }
    if (!sawScript && word.value === 'script') {
      sawScript = true;
      active = GLOBAL_FLAGS;
      i++;
      continue;
    }
    if (sawScript && word.value === 'run') {
      kind = 'script-run';
      subcommandIndex = i;
      active = [...GLOBAL_FLAGS, ...SCRIPT_RUN_FLAGS];
      i++;
      break;
    }
    return null;
  }

  // Env first, flags override (kong resets values from env before parsing flags).
  applyEnv(runOptions, GLOBAL_FLAGS, options.env, errors);
  applyEnv(runOptions, kind === 'run' ? RUN_FLAGS : SCRIPT_RUN_FLAGS, options.env, errors);

  readFlags();
  if (argv[i]?.value === '--') i++;
  const rest = argv.slice(i);
  for (const apply of deferred) apply();

  const invocation: TerramateInvocation = {
    kind: kind!,
    subcommandIndex,
    flags,
    options: runOptions,
    command: kind === 'run' ? rest : [],
    commandIndex: kind === 'run' && rest.length > 0 ? i : -1,
    scriptLabels: kind === 'script-run' ? rest.map((word) => word.value ?? word.text) : [],
    unknownWords,
    errors,
  };
  if (kind === 'run' && rest.length === 0) errors.push('expected "<cmd> ..."');
  if (kind === 'script-run' && rest.length === 0) errors.push('no script specified');
  return invocation;
}

const INIT_TOOLS: Record<string, 'terraform' | 'tofu'> = {
  terraform: 'terraform',
  'terraform.exe': 'terraform',
  tofu: 'tofu',
  'tofu.exe': 'tofu',
};

export interface InitMatch {
  tool: 'terraform' | 'tofu';
  /** argv index of the tool word and of the `init` word. */
  toolIndex: number;
  initIndex: number;
  toolWord: ArgWord;
  initWord: ArgWord;
}

/** `terraform [-chdir=DIR ...] init ...` / `tofu ... init`. */
export function isInitCommand(argvInput: ReadonlyArray<CliArg>): InitMatch | null {
  const argv = argvInput.map(toArgWord);
  const toolWord = argv[0];
  if (toolWord === undefined || toolWord.value === null) return null;
  const tool = INIT_TOOLS[basename(toolWord.value).toLowerCase()];
  if (tool === undefined) return null;
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i];
    if (word.value === null) return null;
    if (word.value.startsWith('-')) continue; // global options are all `-name[=value]`
    return word.value === 'init' ? { tool, toolIndex: 0, initIndex: i, toolWord, initWord: word } : null;
  }
  return null;
}

export interface InitInCommand extends InitMatch {
  /** The (possibly nested) argv the match indexes refer to. */
  argv: ArgWord[];
  /** Wrappers around it inside the run command (`sh -c`, `env`...). */
  via: string[];
}

/**
 * Finds `init` runs inside the command of a `terramate run`, looking through `sh -c '...'`,
 * `env A=b`, and the other wrappers the shell parser understands.
 */
export function findInitInRunCommand(command: ReadonlyArray<CliArg>, env?: VariableMap): InitInCommand[] {
  const argv = command.map(toArgWord);
  const direct = isInitCommand(argv);
  if (direct !== null) return [{ ...direct, argv, via: [] }];
  // Re-quote the known words and let the shell parser unwrap `sh -c`/`env`.
  if (argv.some((word) => word.value === null)) return [];
  const quotedWords = argv.map((word) => `'${(word.value ?? '').replace(/'/g, `'\\''`)}'`);
  const quoted = quotedWords.join(' ');
  // Where each original word starts in `quoted`, computed once for every word remapped.
  const starts: number[] = [];
  let cursor = 0;
  for (const word of quotedWords) {
    starts.push(cursor);
    cursor += word.length + 1;
  }
  const parsed = parseShell(quoted, { env });
  const matches: InitInCommand[] = [];
  for (const found of parsed.commands) {
    if (found.via.length === 0) continue;
    const match = isInitCommand(found.argv);
    if (match === null) continue;
    const remap = (word: ArgWord): ArgWord => remapWord(word, starts, quotedWords, argv);
    matches.push({
      ...match,
      toolWord: remap(match.toolWord),
      initWord: remap(match.initWord),
      argv: found.argv.map(remap),
      via: found.via,
    });
  }
  return matches;
}

/**
 * Maps a word found in the re-quoted text back to the original words' offsets. Each original
 * word occupies `quotedWords[i]` at `starts[i]` in the text, then a separating space.
 */
function remapWord(word: ArgWord, starts: readonly number[], quotedWords: readonly string[], original: ArgWord[]): ArgWord {
  // The last word starting at or before the found word's start (a binary search: scanning
  // every word per remapped word was quadratic in a long command).
  let low = 0;
  let high = starts.length - 1;
  let i = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (starts[mid] <= word.start) {
      i = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  if (i >= 0 && word.start < starts[i] + quotedWords[i].length) {
    const source = original[i];
    const cursor = starts[i];
    const innerStart = word.start - cursor - 1;
    const offsets = source.charOffsets;
    if (offsets !== null && !source.value!.includes("'")) {
      const start = offsets[innerStart] ?? source.start;
      const endIndex = word.end - cursor - 2;
      const end = offsets[endIndex] !== undefined ? offsets[endIndex] + 1 : source.end;
      return { ...word, start, end, charOffsets: null };
    }
    return { ...word, start: source.start, end: source.end, charOffsets: null };
  }
  return { ...word, start: -1, end: -1, charOffsets: null };
}
