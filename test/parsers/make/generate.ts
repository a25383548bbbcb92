// A seeded generator of makefiles over the constructs the evaluator supports, with every value
// known (command-line variables are passed), for differential tests against GNU make.
import { seededRandom } from '../../support/seeded-random.js';

export class Random {
  private readonly draw: () => number;
  constructor(seed: number) {
    this.draw = seededRandom(seed);
  }
  next(): number {
    return this.draw();
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const WORDS = ['a', 'b.c', 'x/y.o', 'foo', 'bar.c', '--flag', '-j', 'P', 'src/main.c', 'q.tar.gz', 'dir/', '.hidden', 'z'];
const VARIABLE_COUNT = 6;

export interface GeneratedMakefile {
  files: Record<string, string>;
  commandLine: Record<string, string>;
  target: string;
}

class Builder {
  constructor(private readonly random: Random) {}

  /** An expression that may reference variables V0..V(maxVariable-1), C0..C2, the goal. */
  expression(depth: number, maxVariable: number): string {
    const r = this.random;
    const parts: string[] = [];
    const count = 1 + r.int(3);
    for (let i = 0; i < count; i++) parts.push(this.atom(depth, maxVariable));
    return parts.join(r.pick([' ', ' ', '  ', '']));
  }

  private variable(maxVariable: number): string {
    const r = this.random;
    if (maxVariable > 0 && r.chance(0.7)) return `V${r.int(maxVariable)}`;
    return r.pick(['C0', 'C1', 'C2', 'MAKECMDGOALS', 'UNSET_BUT_DEFINED_LATER']);
  }

  private atom(depth: number, maxVariable: number): string {
    const r = this.random;
    const choice = depth <= 0 ? r.int(3) : r.int(12);
    const sub = (): string => this.expression(depth - 1, maxVariable);
    switch (choice) {
      case 0:
      case 1:
        return r.pick(WORDS);
      case 2: {
        const name = this.variable(maxVariable);
        return r.pick([`$(${name})`, `\${${name}}`]);
      }
      case 3:
        return `$(${this.variable(maxVariable)}:${r.pick(['.c=.o', '%.c=%.s', 'o=x', '%=[%]'])})`;
      case 4:
        return maxVariable > 0 ? `$($(NAME_OF_V0))` : 'nested';
      case 5:
        return `$(call F,${sub()},${sub()})`;
      case 6:
        return `$(foreach w,${sub()},<$(w)>)`;
      case 7: {
        const cond = r.pick([sub(), '', ' ', `$(filter P,${sub()})`, `$(findstring a,${sub()})`]);
        return r.chance(0.5) ? `$(if ${cond},${sub()},${sub()})` : `$(if ${cond},${sub()})`;
      }
      case 8:
        return r.pick([`$(or ${sub()},${sub()})`, `$(and ${sub()},${sub()})`, `$(or ,${sub()})`, `$(and ${sub()},,x)`]);
      case 9: {
        const fn = r.pick(['strip', 'words', 'firstword', 'lastword', 'sort', 'dir', 'notdir', 'basename', 'suffix']);
        return `$(${fn} ${sub()})`;
      }
      case 10: {
        const fn = r.pick([
          `filter %.c %.o,`,
          `filter-out a foo,`,
          `subst a,A,`,
          `patsubst %.c,%.o,`,
          `patsubst b.c,B,`,
          `findstring foo,`,
          `word 2,`,
          `wordlist 2,3,`,
          `addprefix p/,`,
          `addsuffix .s,`,
          `join 1 2 3,`,
        ]);
        return `$(${fn}${sub()})`;
      }
      default:
        return r.pick([`$(origin ${this.variable(maxVariable)})`, `$(flavor ${this.variable(maxVariable)})`, `$(value V${Math.max(0, maxVariable - 1)})`, '$$HOME', '\\#x']);
    }
  }

  assignment(index: number): string {
    const r = this.random;
    const name = `V${index}`;
    const op = r.pick(['=', ':=', '::=', '+=', '?=', '=', ':=', '+=']);
    const modifier = r.pick(['', '', '', 'override ', 'export ']);
    let value = this.expression(2, index);
    if (r.chance(0.15)) value += ` \\\n   ${this.expression(1, index)}`;
    if (r.chance(0.1)) value += ' # trailing comment';
    if (r.chance(0.1)) value += '  ';
    if (r.chance(0.1)) return `define ${name}${r.pick(['', ' =', ' :='])}\n${value}\n${this.expression(1, index)}\nendef`;
    return `${modifier}${name} ${op} ${value}`;
  }

  conditional(body: string, maxVariable: number): string {
    const r = this.random;
    const head = r.pick([
      `ifeq (${this.expression(1, maxVariable)},${r.pick(WORDS)})`,
      `ifneq ($(strip ${this.expression(1, maxVariable)}),)`,
      `ifdef ${this.variable(maxVariable)}`,
      `ifndef ${this.variable(maxVariable)}`,
      `ifeq "$(${this.variable(maxVariable)})" "a"`,
    ]);
    const otherwise = r.chance(0.5) ? `else\n${this.assignment(Math.max(0, maxVariable - 1))}\n` : '';
    return `${head}\n${body}\n${otherwise}endif`;
  }

  recipeLine(prefix: string): string {
    const r = this.random;
    const flags = r.pick(['', '', '@', '-', '@-', '@ ', ' @']);
    let line = `${prefix}${flags}echo ${this.expression(2, VARIABLE_COUNT)}`;
    if (r.chance(0.2)) line += ` \\\n${r.pick([prefix, '', '  '])}  ${this.expression(1, VARIABLE_COUNT)}`;
    if (r.chance(0.1)) line += ' "#not a comment"';
    if (r.chance(0.15)) line += ' $@ $< $^ $(@D) $(<F)';
    return line;
  }
}

export function generateMakefile(seed: number): GeneratedMakefile {
  const random = new Random(seed);
  const builder = new Builder(random);
  const lines: string[] = [];
  const commandLine: Record<string, string> = {
    C0: random.pick(['a b.c', 'P', '']),
    C1: random.pick(['x/y.o foo', '$(NAME_OF_V0)', 'q']),
    C2: random.pick(['--flag', ' spaced  out ', 'b.c']),
    MAKECMDGOALS: 't',
  };
  const files: Record<string, string> = {};
  const usePrefix = random.chance(0.15);
  const prefix = usePrefix ? '>' : '\t';
  if (usePrefix) lines.push('.RECIPEPREFIX := >');
  lines.push('NAME_OF_V0 := V0');
  lines.push('F = [$(1)|$(2)]');
  if (random.chance(0.3)) {
    files['inc.mk'] = `INCLUDED := from-include\nV0 ?= $(INCLUDED)\n`;
    lines.push('include inc.mk');
  }
  lines.push('-include missing.mk');
  for (let i = 0; i < VARIABLE_COUNT; i++) {
    const statements = 1 + random.int(3);
    for (let s = 0; s < statements; s++) {
      const assignment = builder.assignment(i);
      lines.push(random.chance(0.25) ? builder.conditional(assignment, i) : assignment);
    }
  }
  for (let i = 0; i < random.int(3); i++) {
    const index = random.int(VARIABLE_COUNT);
    const op = random.pick(['=', ':=', '+=', '?=']);
    lines.push(`${random.pick(['t', 't', '%', 't%'])}: ${random.chance(0.2) ? 'override ' : ''}V${index} ${op} ${builder.expression(1, index)}`);
  }
  lines.push('UNSET_BUT_DEFINED_LATER = late');
  lines.push('other: ; echo other');
  const recipe: string[] = [];
  const inline = random.chance(0.2) ? ` ; echo inline $(V1)` : '';
  recipe.push(`t: other${inline}`);
  const count = 1 + random.int(4);
  for (let i = 0; i < count; i++) {
    recipe.push(builder.recipeLine(prefix));
    if (random.chance(0.15)) recipe.push(random.pick(['', '# a make comment', `ifeq (1,1)\n${builder.recipeLine(prefix)}\nendif`]));
  }
  lines.push(...recipe);
  files['Makefile'] = `${lines.join('\n')}\n`;
  return { files, commandLine, target: 't' };
}
