// The stack of ifeq/ifdef/else/endif, with a third state for conditions whose value is unknown:
// both branches are read, and what they define counts as possible rather than certain.

export type Activity = 'yes' | 'no' | 'maybe';

interface Level {
  /** State of the branch being read. */
  branch: Activity;
  /** An earlier branch of this conditional was certainly taken. */
  taken: boolean;
  /** An earlier branch may have been taken. */
  maybeTaken: boolean;
  sawElse: boolean;
  line: number;
}

export class ConditionalStack {
  private readonly levels: Level[] = [];

  get depth(): number {
    return this.levels.length;
  }

  activity(): Activity {
    let result: Activity = 'yes';
    for (const level of this.levels) {
      if (level.branch === 'no') return 'no';
      if (level.branch === 'maybe') result = 'maybe';
    }
    return result;
  }

  /** Activity of the enclosing levels, i.e. whether a new condition would be evaluated. */
  private outerActivity(): Activity {
    let result: Activity = 'yes';
    for (let i = 0; i < this.levels.length - 1; i++) {
      const branch = this.levels[i].branch;
      if (branch === 'no') return 'no';
      if (branch === 'maybe') result = 'maybe';
    }
    return result;
  }

  /** Opens a conditional; `condition` is null when it is not evaluated (inside an ignored branch). */
  open(condition: Activity | null, line: number): void {
    const branch = condition ?? 'no';
    this.levels.push({ branch, taken: branch === 'yes', maybeTaken: branch !== 'no', sawElse: false, line });
  }

  /** Whether an `else [if ...]` here needs its condition evaluated. */
  elseNeedsCondition(): boolean {
    const level = this.levels[this.levels.length - 1];
    return level !== undefined && !level.taken && this.outerActivity() !== 'no';
  }

  /** Returns an error message, or null. */
  elseBranch(condition: Activity | null, plainElse: boolean): string | null {
    const level = this.levels[this.levels.length - 1];
    if (!level) return "extraneous 'else'";
    if (level.sawElse) return "only one 'else' per conditional";
    if (plainElse) level.sawElse = true;
    const wanted = condition ?? 'no';
    let branch: Activity;
    if (level.taken || this.outerActivity() === 'no') branch = 'no';
    else if (wanted === 'no') branch = 'no';
    else if (level.maybeTaken || wanted === 'maybe') branch = 'maybe';
    else branch = 'yes';
    level.branch = branch;
    if (branch === 'yes') level.taken = true;
    if (branch !== 'no') level.maybeTaken = true;
    return null;
  }

  close(): string | null {
    if (this.levels.length === 0) return "extraneous 'endif'";
    this.levels.pop();
    return null;
  }

  /** Line numbers of conditionals still open. */
  openLines(): number[] {
    return this.levels.map((level) => level.line);
  }
}
