// Pieces every input kind shares: the `terramate run ... -- terraform init` command as tokens
// (each kind quotes them or routes them through its own variables), suppression comments, and
// mutation of a text. Sizes are capped on purpose: a generated input stays a few hundred bytes
// to a few KB, so a run takes milliseconds and a known superlinear path (a very long recipe,
// exponential make expansion) cannot dominate the budget; the fuzzer looks for breakage.
import fc from 'fast-check';

export const RULE_IDS = [
  'no-sharing-on-init',
  'plugin-cache-dir',
  'lockfile-cache-env',
  'provider-handshake',
  'provider-checksum',
  'parallel-init-cache-race',
  'lockfile-platform-hashes',
  'parse-error',
] as const;

/** `tm-doctor-ignore: RULE[, RULE] [-- reason]`, with the near misses people write. */
export const suppressionBody: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('tm-doctor-ignore:', 'tm-doctor-ignore: ', 'tm-doctor-ignore :', 'tm-doctor-ignore', 'TM-DOCTOR-IGNORE:', 'tm-doctor-ignore-next-line:'),
    fc.uniqueArray(fc.oneof(fc.constantFrom(...RULE_IDS), fc.constantFrom('all', '*', 'no-such-rule', '')), { minLength: 0, maxLength: 3 }),
    fc.constantFrom(', ', ',', ' ', ' ,'),
    fc.option(fc.constantFrom(' -- reason', ' --', ' -- a: b, c -- d', '--x', ' # nested #'), { nil: '' }),
  )
  .map(([head, rules, separator, reason]) => `${head} ${rules.join(separator)}${reason}`);

/** A word that is not a flag: tags, paths, script names. */
export const plainWord = fc.constantFrom('dev', 'prd', 'stacks/dev', 'stacks', '.', './stacks/prd/blog', 'blog', 'a,b', 'x y', "it's", 'ü', '');

const INT = fc.oneof(fc.integer({ min: -2, max: 12 }), fc.constantFrom(0, 1, 2, 5, 64, 2147483648));

/** One Terramate flag, as one or two tokens. */
export const terramateFlag: fc.Arbitrary<readonly string[]> = fc.oneof(
  fc.constantFrom(
    ['--enable-sharing'],
    ['--mock-on-fail'],
    ['--enable-sharing=true'],
    ['--enable-sharing=false'],
    ['--enable-sharing=TRUE'],
    ['--mock-on-fail=yes'],
    ['--enable-sharing=maybe'],
    ['--no-recursive'],
    ['--continue-on-error'],
    ['--reverse'],
    ['--dry-run'],
    ['--eval'],
    ['--changed'],
    ['-c'],
    ['-X'],
    ['--quiet'],
    ['-v'],
    ['-vv'],
    ['--disable-safeguards=git'],
    ['--include-output-dependencies'],
    ['--parallel'],
    ['-j'],
    ['--unknown-flag'],
    ['--'],
  ),
  fc.tuple(fc.constantFrom('--tags', '--no-tags', '-C', '--chdir', '-B', '--log-level', '--layer'), plainWord).map(([flag, value]) => [flag, value]),
  fc.tuple(fc.constantFrom('--tags=', '--no-tags=', '--chdir=', '-C'), plainWord).map(([flag, value]) => [`${flag}${value}`]),
  INT.map((n) => [`--parallel`, String(n)]),
  INT.map((n) => [`--parallel=${n}`]),
  INT.map((n) => [`-j${n}`]),
  INT.map((n) => ['-j', String(n)]),
  INT.map((n) => [`-j=${n}`]),
);

/** What runs after `--`: init in its spellings, and the commands that are not init. */
export const toolCommand: fc.Arbitrary<readonly string[]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(['terraform', 'init'], ['tofu', 'init']) },
  {
    weight: 2,
    arbitrary: fc.tuple(
      fc.constantFrom(['terraform', 'init'], ['tofu', 'init'], ['terraform', '-chdir=x', 'init'], ['/usr/bin/terraform', 'init']),
      fc.array(fc.constantFrom('-upgrade', '-backend=false', '-input=false', '-reconfigure', '-plugin-dir=p', '-get=false', '-lockfile=readonly'), { maxLength: 3 }),
    ).map(([command, flags]) => [...command, ...flags]),
  },
  { weight: 1, arbitrary: fc.constantFrom(['terraform', 'plan'], ['terraform', 'apply', '-auto-approve'], ['tofu', 'validate'], ['echo', 'init'], ['terraform'], []) },
);

export interface TerramateCommand {
  /** Environment assignments before the command: `TM_ARG_RUN_PARALLEL=4`. */
  env: string[];
  tokens: string[];
}

/** `[ENV=v ...] terramate [global flags] run|script run NAME [flags] [--] COMMAND`, any flags. */
const noisyTerramateCommand: fc.Arbitrary<TerramateCommand> = fc
  .record({
    env: fc.array(
      fc.tuple(
        fc.constantFrom('TM_ARG_RUN_PARALLEL', 'TM_ARG_RUN_ENABLE_SHARING', 'TM_ARG_RUN_MOCK_ON_FAIL', 'TM_ARG_CHDIR', 'TF_PLUGIN_CACHE_DIR', 'TM_ARG_TAGS'),
        fc.constantFrom('4', '1', 'true', 'false', '', 'stacks', '$HOME/.cache'),
      ).map(([name, value]) => `${name}=${value}`),
      { maxLength: 2 },
    ),
    launcher: fc.constantFrom(['terramate'], ['terramate'], ['terramate'], ['/usr/local/bin/terramate'], ['env', 'terramate'], ['sudo', 'terramate'], ['exec', 'terramate']),
    global: fc.array(terramateFlag, { maxLength: 2 }),
    sub: fc.constantFrom(['run'], ['run'], ['run'], ['script', 'run'], ['run', '--help'], ['list']),
    flags: fc.array(terramateFlag, { maxLength: 4 }),
    separator: fc.boolean(),
    command: toolCommand,
  })
  .map(({ env, launcher, global, sub, flags, separator, command }) => ({
    env,
    tokens: [...launcher, ...global.flat(), ...sub, ...(sub[0] === 'script' ? ['init'] : []), ...flags.flat(), ...(separator ? ['--'] : []), ...command],
  }));

/** The launch as people write it: what the rules find, and what --fix edits. */
const plausibleTerramateCommand: fc.Arbitrary<TerramateCommand> = fc
  .record({
    env: fc.option(fc.constantFrom('TM_ARG_RUN_PARALLEL=4', 'TM_ARG_RUN_ENABLE_SHARING=true'), { nil: undefined, freq: 4 }),
    chdir: fc.option(fc.constantFrom(['-C', 'stacks/dev'], ['--chdir=stacks'], ['-C', 'stacks/prd/blog', '--no-recursive']), { nil: undefined, freq: 3 }),
    tags: fc.option(fc.constantFrom(['--tags=dev'], ['--tags', 'prd'], ['--changed']), { nil: undefined, freq: 3 }),
    parallel: fc.option(fc.constantFrom(['--parallel', '4'], ['-j', '5'], ['-j8'], ['--parallel=2']), { nil: undefined, freq: 2 }),
    sharing: fc.subarray(['--enable-sharing', '--mock-on-fail']),
    command: fc.constantFrom(['terraform', 'init'], ['terraform', 'init'], ['tofu', 'init'], ['terraform', 'init', '-upgrade'], ['terraform', 'plan']),
  })
  .map(({ env, chdir, tags, parallel, sharing, command }) => ({
    env: env === undefined ? [] : [env],
    tokens: ['terramate', ...(chdir ?? []), 'run', ...(tags ?? []), ...(parallel ?? []), ...sharing, '--', ...command],
  }));

export const terramateCommand: fc.Arbitrary<TerramateCommand> = fc.oneof({ weight: 2, arbitrary: plausibleTerramateCommand }, { weight: 2, arbitrary: noisyTerramateCommand });

// ---- Mutation --------------------------------------------------------------------------------

export type Mutation =
  | { op: 'delete'; at: number; length: number }
  | { op: 'insert'; at: number; fragment: string }
  | { op: 'duplicate'; at: number; length: number }
  | { op: 'truncate'; at: number }
  | { op: 'swap-lines'; a: number; b: number }
  | { op: 'repeat'; at: number; fragment: string; times: number }
  | { op: 'char'; at: number; code: number };

function mutationArbitrary(fragments: readonly string[]): fc.Arbitrary<Mutation> {
  const at = fc.nat({ max: 1_000_000 });
  return fc.oneof(
    fc.record({ op: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ op: fc.constant('insert' as const), at, fragment: fc.constantFrom(...fragments) }),
    fc.record({ op: fc.constant('duplicate' as const), at, length: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ op: fc.constant('truncate' as const), at }),
    fc.record({ op: fc.constant('swap-lines' as const), a: at, b: at }),
    fc.record({ op: fc.constant('repeat' as const), at, fragment: fc.constantFrom('{', '[', '(', '$(', '${', '"', '\\', '\t', '|', '- '), times: fc.integer({ min: 2, max: 64 }) }),
    fc.record({ op: fc.constant('char' as const), at, code: fc.oneof(fc.integer({ min: 0, max: 0x24f }), fc.constantFrom(0xfeff, 0x2028, 0xd800, 0x1f600)) }),
  );
}

/** Applies mutations in order; positions wrap around the text as it is at that step. */
export function applyMutations(text: string, mutations: readonly Mutation[]): string {
  let out = text;
  for (const mutation of mutations) {
    const position = (value: number) => value % (out.length + 1);
    switch (mutation.op) {
      case 'delete': {
        const start = position(mutation.at);
        out = out.slice(0, start) + out.slice(start + mutation.length);
        break;
      }
      case 'insert': {
        const start = position(mutation.at);
        out = out.slice(0, start) + mutation.fragment + out.slice(start);
        break;
      }
      case 'duplicate': {
        const start = position(mutation.at);
        const end = Math.min(out.length, start + mutation.length);
        out = out.slice(0, end) + out.slice(start, end) + out.slice(end);
        break;
      }
      case 'truncate':
        out = out.slice(0, position(mutation.at));
        break;
      case 'swap-lines': {
        const lines = out.split('\n');
        const a = mutation.a % lines.length;
        const b = mutation.b % lines.length;
        [lines[a], lines[b]] = [lines[b], lines[a]];
        out = lines.join('\n');
        break;
      }
      case 'repeat': {
        const start = position(mutation.at);
        out = out.slice(0, start) + mutation.fragment.repeat(mutation.times) + out.slice(start);
        break;
      }
      case 'char': {
        const start = position(mutation.at);
        out = out.slice(0, start) + String.fromCharCode(mutation.code) + out.slice(start);
        break;
      }
    }
  }
  return out;
}

/** Fragments that mean something in every kind of file. */
export const COMMON_FRAGMENTS = ['{', '}', '[', ']', '(', ')', '"', "'", '\\', '\\\n', '#', '\n', '\r\n', '\r', '\t', ' ', '\u0000', '\u001b[2J', '\uFEFF', 'ü', '--enable-sharing', '--mock-on-fail', '--parallel=', '-j 9', 'terramate run -- terraform init', '# tm-doctor-ignore: no-sharing-on-init'];

/** A base text damaged by 1 to 4 mutations; shrinks towards fewer and smaller mutations. */
export function mutated(base: fc.Arbitrary<string>, fragments: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(base, fc.array(mutationArbitrary([...COMMON_FRAGMENTS, ...fragments]), { minLength: 1, maxLength: 4 })).map(([text, mutations]) => applyMutations(text, mutations));
}

/** Lines joined with `\n`, with one of the line endings editors write. */
export function joinLines(lines: readonly string[], ending: string): string {
  return lines.join(ending) + ending;
}

export const lineEnding = rarely(fc.constant('\n'), fc.constant('\r\n'), 4);

/**
 * `usual`, and `rare` once in `odds + 1` draws. Unbiased: fast-check's bias favours the
 * extremes of a choice, which would make the rare branch (the last) common.
 */
export function rarely<T>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, odds: number): fc.Arbitrary<T> {
  return fc.noBias(fc.oneof({ weight: odds, arbitrary: usual }, { weight: 1, arbitrary: rare }));
}
