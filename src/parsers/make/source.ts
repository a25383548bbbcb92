// Text that remembers where each of its characters came from in a file, so that
// transformations (continuation collapsing, comment removal) keep exact source offsets.

export interface SourceText {
  readonly file: string;
  readonly text: string;
  /** offsets[i] is the file offset of text[i]; offsets[text.length] is the end offset. */
  readonly offsets: readonly number[];
}

export function sourceFromFile(file: string, fileText: string, start: number, end: number): SourceText {
  const offsets: number[] = [];
  for (let i = start; i <= end; i++) offsets.push(i);
  return { file, text: fileText.slice(start, end), offsets };
}

/** Text that does not come from any file position (command-line values, computed names). */
export function detachedSource(file: string, text: string, offset = 0): SourceText {
  return { file, text, offsets: new Array<number>(text.length + 1).fill(offset) };
}

export function sliceSource(source: SourceText, start: number, end: number): SourceText {
  return { file: source.file, text: source.text.slice(start, end), offsets: source.offsets.slice(start, end + 1) };
}

export function startOffset(source: SourceText): number {
  return source.offsets[0] ?? 0;
}

export function endOffset(source: SourceText): number {
  return source.offsets[source.text.length] ?? 0;
}

/**
 * Builds a SourceText piece by piece. The text is kept as chunks joined once at the end:
 * reading the last character of (or cutting one off) a string built with `+=` flattens it
 * first, which made collapsing a line of many continuations quadratic.
 */
export class SourceBuilder {
  private readonly chunks: string[] = [];
  private readonly offsets: number[] = [];
  private endAt = 0;

  constructor(private readonly file: string) {}

  append(source: SourceText, start: number, end: number): void {
    if (end > start) this.chunks.push(source.text.slice(start, end));
    for (let i = start; i < end; i++) this.offsets.push(source.offsets[i]);
    this.endAt = source.offsets[end];
  }

  appendSynthetic(text: string, offset: number): void {
    if (text !== '') this.chunks.push(text);
    for (let i = 0; i < text.length; i++) this.offsets.push(offset);
    this.endAt = offset;
  }

  get length(): number {
    return this.offsets.length;
  }

  lastChar(): string {
    const last = this.chunks[this.chunks.length - 1];
    return last === undefined ? '' : last[last.length - 1];
  }

  dropLast(): void {
    const last = this.chunks.pop();
    if (last === undefined) return;
    if (last.length > 1) this.chunks.push(last.slice(0, -1));
    this.offsets.pop();
  }

  build(endOffsetOverride?: number): SourceText {
    return { file: this.file, text: this.chunks.join(''), offsets: [...this.offsets, endOffsetOverride ?? this.endAt] };
  }
}

export interface LogicalLine {
  /** Physical lines joined; a joint is `\\\n` (the backslash kept), CR before LF dropped. */
  source: SourceText;
  line: number;
  endLine: number;
  /** File offsets of the line's first character and just past its last. */
  start: number;
  end: number;
}

/** Splits a file into physical lines: [start, end) without the newline (and without a CR before it). */
export function physicalLines(fileText: string): Array<{ start: number; end: number }> {
  const lines: Array<{ start: number; end: number }> = [];
  let start = 0;
  while (start <= fileText.length) {
    let newline = fileText.indexOf('\n', start);
    if (newline < 0) {
      if (start < fileText.length) lines.push({ start, end: fileText.length });
      break;
    }
    const end = newline > start && fileText[newline - 1] === '\r' ? newline - 1 : newline;
    lines.push({ start, end });
    start = newline + 1;
    newline = -1;
  }
  return lines;
}

export function endsWithOddBackslashes(text: string, start: number, end: number): boolean {
  let count = 0;
  for (let i = end - 1; i >= start && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** Reads the logical line starting at physical line `index`; returns it and the next index. */
export function readLogicalLine(
  file: string,
  fileText: string,
  lines: ReadonlyArray<{ start: number; end: number }>,
  index: number,
): { logical: LogicalLine; next: number } {
  const only = lines[index];
  if (!(endsWithOddBackslashes(fileText, only.start, only.end) && index + 1 < lines.length)) {
    // One physical line (most are): its text and offsets as they are in the file.
    return { logical: { source: sourceFromFile(file, fileText, only.start, only.end), line: index + 1, endLine: index + 1, start: only.start, end: only.end }, next: index + 1 };
  }
  const builder = new SourceBuilder(file);
  let i = index;
  for (;;) {
    const physical = lines[i];
    builder.append(sourceFromFile(file, fileText, physical.start, physical.end), 0, physical.end - physical.start);
    const continues = endsWithOddBackslashes(fileText, physical.start, physical.end) && i + 1 < lines.length;
    if (!continues) break;
    builder.appendSynthetic('\n', physical.end);
    i++;
  }
  const first = lines[index];
  const last = lines[i];
  return {
    logical: {
      source: builder.build(last.end),
      line: index + 1,
      endLine: i + 1,
      start: first.start,
      end: last.end,
    },
    next: i + 1,
  };
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * GNU make's collapse_continuations: each backslash-newline, the blanks before it and the
 * blanks after it become one space; other backslashes before a newline are halved.
 */
export function collapseContinuations(source: SourceText): SourceText {
  const text = source.text;
  if (!text.includes('\n')) return source;
  const out = new SourceBuilder(source.file);
  let from = 0;
  for (;;) {
    const newline = text.indexOf('\n', from);
    if (newline < 0) break;
    let backslashes = 0;
    for (let i = newline - 1; i >= from && text[i] === '\\'; i--) backslashes++;
    const keep = newline - from - backslashes + Math.floor(backslashes / 2);
    out.append(source, from, from + keep);
    from = newline + 1;
    if (backslashes % 2 === 1) {
      while (isBlank(text[from])) from++;
      while (out.length > 0 && isBlank(out.lastChar())) out.dropLast();
      out.appendSynthetic(' ', source.offsets[newline]);
    } else {
      out.append(source, newline, newline + 1);
    }
  }
  out.append(source, from, text.length);
  return out.build(source.offsets[text.length]);
}

/**
 * GNU make 4.3's remove_comments: cut at the first `#` outside variable references that is not
 * escaped by a backslash; backslashes right before a `#` examined are halved (`\#` is a `#`).
 */
export function removeComments(source: SourceText): SourceText {
  const text = source.text;
  if (!text.includes('#')) return source;
  const out = new SourceBuilder(source.file);
  let from = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '$') {
      const open = text[i + 1];
      if (open === undefined) break;
      i += 2;
      if (open !== '(' && open !== '{') continue;
      const close = open === '(' ? ')' : '}';
      let count = 1;
      while (i < text.length) {
        if (text[i] === open) count++;
        else if (text[i] === close && --count === 0) {
          i++;
          break;
        }
        i++;
      }
      continue;
    }
    if (c !== '#') {
      i++;
      continue;
    }
    let backslashes = 0;
    for (let k = i - 1; k >= from && text[k] === '\\'; k--) backslashes++;
    out.append(source, from, i - backslashes + Math.floor(backslashes / 2));
    if (backslashes % 2 === 0) return out.build(source.offsets[i]);
    from = i;
    i++;
  }
  out.append(source, from, text.length);
  return out.build(source.offsets[text.length]);
}

/** Index of the first non-blank (space/tab) character at or after `from`. */
export function skipBlanks(text: string, from: number): number {
  let i = from;
  while (isBlank(text[i])) i++;
  return i;
}

export function isBlankChar(c: string | undefined): boolean {
  return isBlank(c);
}
