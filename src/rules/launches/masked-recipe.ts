// A Makefile recipe line as the shell will read it, for the fixes that edit recipe lines: make's
// `$(...)`/`${...}`/`$x` references become opaque unset shell variables (`$$` a `$`), the recipe
// flags and continuation prefixes are dropped, and each masked offset maps back to the raw line.

export interface MaskedRecipeLine {
  /** The line with each top-level make expression an unset shell variable. */
  text: string;
  /** Raw offset (in the recipe line) where the masked character at each offset starts, and ends. */
  from: number[];
  to: number[];
  /** Top-level make expressions, raw offsets in the recipe line. */
  expressions: Array<{ start: number; end: number }>;
}

/** Null when a reference is not closed: nothing can be shown about such a line. */
export function maskRecipeLine(raw: string, recipePrefix: string): MaskedRecipeLine | null {
  let text = '';
  const from: number[] = [];
  const to: number[] = [];
  const expressions: Array<{ start: number; end: number }> = [];
  const push = (chars: string, start: number, end: number) => {
    for (const char of chars) {
      text += char;
      from.push(start);
      to.push(end);
    }
  };
  let i = 0;
  // make strips the recipe flags and blanks before the command.
  while (i < raw.length && '@-+ \t'.includes(raw[i])) push(' ', i, ++i);
  while (i < raw.length) {
    const c = raw[i];
    if (c === '\\' && raw[i + 1] === '\n') {
      push('\\\n', i, i + 2);
      i += raw[i + 2] === recipePrefix ? 3 : 2;
      continue;
    }
    if (c !== '$') {
      push(c, i, i + 1);
      i++;
      continue;
    }
    const next = raw[i + 1];
    if (next === undefined) return null;
    if (next === '$') {
      push('$', i, i + 2);
      i += 2;
      continue;
    }
    let end = i + 2;
    if (next === '(' || next === '{') {
      const close = next === '(' ? ')' : '}';
      let depth = 1;
      for (; end < raw.length && depth > 0; end++) {
        if (raw[end] === next) depth++;
        else if (raw[end] === close) depth--;
      }
      if (depth > 0) return null;
    }
    push(`\${__tm_doctor_make_${expressions.length}}`, i, end);
    expressions.push({ start: i, end });
    i = end;
  }
  from.push(raw.length);
  to.push(raw.length);
  return { text, from, to, expressions };
}
