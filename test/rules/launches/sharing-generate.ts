// A seeded generator of Makefiles whose init recipe may get the output-sharing flags, for the
// differential test of no-sharing-on-init's fix against GNU make. The flags reach init through
// the constructs real Makefiles use: `=`, `:=`, `?=`, `+=`, target-specific variables,
// `ifdef`/`ifeq` on the environment, `filter`, `filter-out`, `subst`, `patsubst`, `word`,
// `firstword`, `sort`, `foreach`, `call`, `if`, continuation lines, the `@`/`-`/`+` prefixes,
// `$(MAKE)` lines, a rule shared by init and plan; and, now and then, values known only when
// make runs (`$(shell ...)`, a variable no makefile defines, a computed variable name).

import { Random } from '../../parsers/make/generate.js';

/** A run-time source of text the generator put where it can reach init's options. */
export type RunTimeSource = 'shell' | 'undefined' | 'computed-name';

export interface SharingMakefile {
  seed: number;
  makefile: string;
  /** The goals to compare: init gets its flags removed, plan must print the same bytes. */
  init: string;
  plan: string;
  /** The run-time sources used in the makefile: the reasons a fix may be refused for. */
  runTime: RunTimeSource[];
  /** True when a run-time source prints a flag (`$(shell echo --enable-sharing)`): make sees it, the analysis cannot. */
  runTimeFlag: boolean;
  /** The environments to run make under: both of ENVIRONMENTS when the makefile reads them. */
  environments: ReadonlyArray<Record<string, string>>;
}

/** The environments make runs the generated makefiles under (PATH comes on top). */
export const ENVIRONMENTS: ReadonlyArray<Record<string, string>> = [{}, { CI: 'true', DEPLOY_ENV: 'prod' }];

export const SHARING_WORD = /^--(enable-sharing|mock-on-fail)(=.*)?$/;

// One word each: `$(sort ...)` or `$(word ...)` over `--parallel 2` would part the flag from its
// value and give Terramate a command line it refuses (then there is no init to fix).
const OPTIONS = ['--changed', '--reverse', '--continue-on-error', '--no-recursive', '--parallel=3', '-j4', '--tags=a', '--log-level=info', '--dry-run'];
/** Written on the recipe line itself, where no function reorders them. */
const LINE_OPTIONS = [...OPTIONS, '--parallel 2', '-j 3'];
const FLAGS = ['--enable-sharing', '--mock-on-fail', '--enable-sharing=true', '--mock-on-fail=true'];
/** Text functions turn into a flag. */
const MADE_FLAGS = ['$(subst @,-,@-enable-sharing)', '$(subst _,-,--mock_on_fail)', '$(patsubst %,--%,enable-sharing)', '$(patsubst %.x,--%,mock-on-fail.x)'];

class Builder {
  readonly runTime = new Set<RunTimeSource>();
  runTimeFlag = false;
  /**
   * Conditions on the environment left (`ifdef CI`, `$(if $(CI),...)`): each doubles the ways
   * make can read a value, and a value referenced twice doubles them again; a few keep the
   * makefiles as branchy as real ones.
   */
  private conditions: number;
  /** Set once a condition on the environment is written. */
  readsEnvironment = false;
  /** A quarter of the makefiles read values known only at run time. */
  private readonly readsRunTime: boolean;
  /** Definitions the generated text needs once (`F`, `FLAGS_prod`). */
  readonly helpers = new Set<string>();

  constructor(private readonly random: Random) {
    this.conditions = random.int(3);
    this.readsRunTime = random.chance(0.25);
  }

  private condition(): boolean {
    if (this.conditions <= 0) return false;
    this.conditions--;
    this.readsEnvironment = true;
    return true;
  }

  private option(): string {
    return this.random.pick(OPTIONS);
  }

  /** A reference to one of `names`, taken out of the list: each variable once per value. */
  private reference(names: string[]): string {
    const [name] = names.splice(this.random.int(names.length), 1);
    return this.random.chance(0.8) ? `$(${name})` : `\${${name}}`;
  }

  /** One to three words: options, flags, references to `names`, functions over them. */
  expression(depth: number, names: string[], flagChance: number): string {
    const r = this.random;
    const count = 1 + r.int(3);
    const atoms: string[] = [];
    for (let i = 0; i < count; i++) atoms.push(this.atom(depth, names, flagChance));
    return atoms.join(' ');
  }

  private atom(depth: number, names: string[], flagChance: number): string {
    const r = this.random;
    if (r.chance(flagChance)) return r.chance(0.85) ? r.pick(FLAGS) : r.pick(MADE_FLAGS);
    const choice = r.int(depth > 0 ? 10 : 4);
    const sub = () => this.expression(depth - 1, names, flagChance);
    switch (choice) {
      case 0:
      case 1:
        return this.option();
      case 2:
      case 3:
        return names.length > 0 ? this.reference(names) : this.option();
      case 4:
        return r.pick([`$(filter --%,${sub()})`, `$(filter-out --reverse --dry-run,${sub()})`, `$(filter-out --mock-on-fail,${sub()})`, `$(strip ${sub()})`]);
      case 5:
        return r.pick([`$(subst --reverse,--no-recursive,${sub()})`, `$(patsubst --tags=%,--tags=%,${sub()})`, `$(sort ${sub()})`]);
      case 6:
        return r.pick([`$(word 1,${sub()})`, `$(firstword ${sub()})`, `$(foreach w,${sub()},$(w))`]);
      case 7:
        this.helpers.add('F = $(1)');
        this.helpers.add('G = --changed $(1)');
        return r.pick([`$(call F,${sub()})`, `$(call G,${sub()})`]);
      case 8:
        if (!this.condition()) return `$(if ,--reverse,${sub()})`;
        return r.pick([`$(if $(CI),${sub()},${sub()})`, `$(if $(filter prod,$(DEPLOY_ENV)),${sub()})`]);
      default:
        return this.readsRunTime && r.chance(0.5) ? this.runTimeAtom() : this.option();
    }
  }

  private runTimeAtom(): string {
    const r = this.random;
    switch (r.int(3)) {
      case 0:
        this.runTime.add('shell');
        if (r.chance(0.5)) return '$(shell echo --changed)';
        this.runTimeFlag = true;
        return '$(shell echo --enable-sharing)';
      case 1:
        this.runTime.add('undefined');
        return '$(EXTRA_TM_FLAGS)';
      default:
        this.runTime.add('computed-name');
        this.helpers.add('FLAGS_prod := --mock-on-fail');
        return '$(FLAGS_$(STAGE))';
    }
  }

  /** `NAME op value`, sometimes continued, sometimes inside a conditional on the environment. */
  assignment(name: string, names: readonly string[], flagChance: number): string {
    const r = this.random;
    const op = r.pick(['=', ':=', '?=', '+=', '=', ':=']);
    // Each variable once in a value, as people write it (the evaluator, which does not know
    // that two `$(CI)` are the same, would multiply their readings).
    const unused = [...names];
    let value = this.expression(2, unused, flagChance);
    if (r.chance(0.15)) value += ` \\\n  ${this.expression(1, unused, flagChance)}`;
    const line = `${name} ${op} ${value}`;
    if (!r.chance(0.25) || !this.condition()) return line;
    const head = r.pick(['ifdef CI', 'ifndef CI', 'ifeq ($(DEPLOY_ENV),prod)', 'ifneq ($(CI),)']);
    const otherwise = r.chance(0.5) ? `else\n${name} ${r.pick(['=', '+='])} ${this.expression(1, [...names], flagChance)}\n` : '';
    return `${head}\n${line}\n${otherwise}endif`;
  }

  /** The words between `terramate run` and `--`, possibly over several lines. */
  runWords(names: readonly string[], flagChance: number, prefix: string): string {
    const r = this.random;
    const count = 1 + r.int(4);
    const unused = [...names];
    let out = '';
    for (let i = 0; i < count; i++) {
      const word =
        r.chance(0.55) && unused.length > 0
          ? this.reference(unused)
          : r.chance(0.3) && unused.length > 0
            ? `$(filter-out --reverse,${this.reference(unused)})`
            : r.chance(0.3)
              ? r.pick(LINE_OPTIONS)
              : this.atom(0, [], flagChance);
      out += i === 0 ? ` ${word}` : r.chance(0.2) ? ` \\\n${prefix}  ${word}` : ` ${word}`;
    }
    return out;
  }
}

export function generateSharingMakefile(seed: number): SharingMakefile {
  const r = new Random(seed * 7919 + 17);
  const b = new Builder(r);
  const lines: string[] = [];
  const names: string[] = [];
  const variableCount = 2 + r.int(4);
  for (let i = 0; i < variableCount; i++) {
    const name = r.pick([`V${i}`, `TM_OPTS${i}`, `SHARE${i}`]);
    const statements = 1 + r.int(2);
    for (let s = 0; s < statements; s++) lines.push(b.assignment(name, names, 0.25));
    names.push(name);
  }
  const shared = r.chance(0.15);
  const targetSpecific: string[] = [];
  const initNames = [...names];
  if (!shared && r.chance(0.3)) {
    targetSpecific.push(`init: TMFLAGS ${r.pick(['=', ':='])} ${b.expression(1, [...names], 0.2)}`);
    initNames.push('TMFLAGS');
  }
  if (r.chance(0.25)) targetSpecific.push(`init: ${r.pick(names)} += ${b.expression(0, [], 0.5)}`);
  if (r.chance(0.2)) targetSpecific.push(`plan: ${r.pick(names)} += ${r.pick(FLAGS)}`);
  lines.push(...targetSpecific);

  const prefix = '\t';
  const recipePrefix = () => r.pick(['', '', '@', '-', '+', '@-', '@+']);
  const cd = () => (r.chance(0.2) ? 'cd . && ' : '');
  lines.push('.PHONY: init plan noop', 'noop:', '\t@:');
  if (shared) {
    lines.push('init plan:', `${prefix}${recipePrefix()}${cd()}terramate run${b.runWords(names, 0.2, prefix)} -- terraform $@`);
  } else {
    lines.push('init:');
    if (r.chance(0.2)) lines.push(`${prefix}@echo initialising`);
    if (r.chance(0.15)) lines.push(`${prefix}${r.pick(['+', ''])}$(MAKE) -s --no-print-directory -f Makefile noop`);
    const separator = r.chance(0.5) ? ` \\\n${prefix}  ` : ' ';
    lines.push(`${prefix}${recipePrefix()}${cd()}terramate run${b.runWords(initNames, 0.25, prefix)}${separator}-- terraform init${r.pick(['', ' -upgrade', ' -input=false'])}`);
    lines.push('plan:', `${prefix}${recipePrefix()}terramate run${b.runWords(names, 0.2, prefix)} -- terraform plan`);
  }
  const makefile = `${[...b.helpers, ...lines].join('\n')}\n`;
  return { seed, makefile, init: 'init', plan: 'plan', runTime: [...b.runTime].sort(), runTimeFlag: b.runTimeFlag, environments: b.readsEnvironment ? ENVIRONMENTS : ENVIRONMENTS.slice(0, 1) };
}
