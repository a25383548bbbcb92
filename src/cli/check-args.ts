// The arguments of `tm-doctor check` as oclif would parse them, for the entries that run
// without oclif (src/cli/fast-check.ts, src/cli/replay.ts): loading oclif costs more than
// a warm check of a small project. Anything this parser does not fully understand (help, an
// unknown or repeated flag, a value oclif would refuse, a greedy `--rule a b`, `--`, a flag
// combination the command refuses...) is left to oclif, which then parses and reports it.

/** The flags as oclif's parser hands them over: a flag not given and without a default is absent. */
export interface CheckFlags {
  format: string;
  output?: string;
  fix?: boolean;
  'fix-dry-run'?: boolean;
  'unsafe-fixes'?: boolean;
  rule?: string[];
  disable?: string[];
  exec: boolean;
  cache: boolean;
  'handshake-timeout': number;
  'fail-on': string;
  config?: string;
  quiet?: boolean;
  color: boolean;
}

/** Defaults of the flags that have one: the oclif command declares the same. */
export const CHECK_DEFAULTS = {
  format: 'stylish',
  exec: true,
  cache: true,
  handshakeTimeout: 10_000,
  failOn: 'warning',
  color: true,
} as const;

/** The largest delay Node's timers honour (2^31-1 ms, about 24.8 days): --handshake-timeout's maximum. */
export const MAX_TIMER_MS = 2_147_483_647;
const FAIL_ON = ['error', 'warning', 'info', 'never'];

type Kind = 'string' | 'multiple' | 'integer' | 'boolean' | 'negatable';
const FLAGS: Record<string, Kind> = {
  format: 'string',
  output: 'string',
  fix: 'boolean',
  'fix-dry-run': 'boolean',
  'unsafe-fixes': 'boolean',
  rule: 'multiple',
  disable: 'multiple',
  exec: 'negatable',
  cache: 'negatable',
  'handshake-timeout': 'integer',
  'fail-on': 'string',
  config: 'string',
  quiet: 'boolean',
  color: 'negatable',
};
const SHORT: Record<string, string> = { f: 'format', o: 'output', c: 'config', q: 'quiet' };

/**
 * Why the check command refuses this combination of fix flags (exit 2, this one line), as
 * ESLint refuses `--fix` with `--fix-dry-run` and `--fix-type` without either; null when it is
 * fine. A dry run changes nothing, so it cannot also apply the fixes; `--unsafe-fixes` only
 * widens what `--fix`/`--fix-dry-run` do, and alone would be silently ignored.
 */
export function refusedFixFlags(flags: Pick<CheckFlags, 'fix' | 'fix-dry-run' | 'unsafe-fixes'>): string | null {
  if (flags.fix && flags['fix-dry-run']) return '--fix and --fix-dry-run cannot be used together';
  if (flags['unsafe-fixes'] && !flags.fix && !flags['fix-dry-run']) return '--unsafe-fixes requires --fix or --fix-dry-run';
  return null;
}

/**
 * The arguments and flags oclif would hand the check command for `argv` (what follows
 * `check`), or null when this parser leaves `argv` to oclif. `formats` are the report formats.
 */
export function parseCheckArgs(argv: readonly string[], formats: readonly string[]): { args: { dir: string }; flags: CheckFlags } | null {
  const given: Record<string, string | boolean | string[] | number> = {};
  let dir: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const token = argv[index];
    if (!token.startsWith('-')) {
      if (dir !== undefined) return null;
      dir = token;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (token.startsWith('--')) {
      const equals = token.indexOf('=');
      name = equals < 0 ? token.slice(2) : token.slice(2, equals);
      inline = equals < 0 ? undefined : token.slice(equals + 1);
    } else if (token.length === 2 && SHORT[token[1]]) {
      name = SHORT[token[1]];
    } else {
      return null;
    }
    let kind = FLAGS[name];
    let negated = false;
    if (kind === undefined && name.startsWith('no-') && FLAGS[name.slice(3)] === 'negatable') {
      name = name.slice(3);
      kind = 'negatable';
      negated = true;
    }
    if (kind === undefined) return null;
    if (kind === 'boolean' || kind === 'negatable') {
      if (inline !== undefined || name in given) return null;
      given[name] = !negated;
      continue;
    }
    if (negated) return null;
    let value = inline;
    if (value === undefined) {
      value = argv[index + 1];
      if (value === undefined || value.startsWith('-')) return null;
      index++;
    }
    if (value === '') return null;
    if (kind === 'multiple') {
      // oclif's multiple flags take the words that follow too: those lists are oclif's.
      const next = argv[index + 1];
      if (next !== undefined && !next.startsWith('-')) return null;
      given[name] = [...((given[name] as string[] | undefined) ?? []), value];
      continue;
    }
    if (name in given) return null;
    if (kind === 'integer') {
      if (!/^[0-9]+$/.test(value)) return null;
      const number = Number(value);
      if (number < 1 || number > MAX_TIMER_MS) return null;
      given[name] = number;
      continue;
    }
    if (name === 'format' && !formats.includes(value)) return null;
    if (name === 'fail-on' && !FAIL_ON.includes(value)) return null;
    given[name] = value;
  }
  const flags = {
    format: CHECK_DEFAULTS.format,
    exec: CHECK_DEFAULTS.exec,
    cache: CHECK_DEFAULTS.cache,
    'handshake-timeout': CHECK_DEFAULTS.handshakeTimeout,
    'fail-on': CHECK_DEFAULTS.failOn,
    color: CHECK_DEFAULTS.color,
    ...given,
  } as CheckFlags;
  // The command refuses it, with oclif's error output: oclif runs it (src/commands/check.ts).
  if (refusedFixFlags(flags) !== null) return null;
  return { args: { dir: dir ?? '.' }, flags };
}
