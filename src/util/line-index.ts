import type { Range } from '../types.js';

/** Offsets of each line's first character, for turning offsets into 1-based positions. */
export class LineIndex {
  // Every file read gets an index; most are never asked (only files with findings are): built on first use.
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  private get starts(): number[] {
    if (this.lineStarts === undefined) {
      const starts = [0];
      for (let at = this.text.indexOf('\n'); at !== -1; at = this.text.indexOf('\n', at + 1)) starts.push(at + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid] <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low] + 1 };
  }

  range(start: number, end: number): Range {
    const from = this.position(start);
    const to = this.position(end);
    return { line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
  }

  /** Offset of a 1-based line's first character (the text's end past the last line). */
  lineStart(line: number): number {
    return this.starts[line - 1] ?? this.text.length;
  }

  lineEnd(line: number): number {
    const next = this.starts[line];
    if (next === undefined) return this.text.length;
    return this.text[next - 2] === '\r' ? next - 2 : next - 1;
  }

  /** The 1-based line's text without its line break; undefined outside the text. */
  lineText(line: number): string | undefined {
    if (line < 1 || line > this.starts.length) return undefined;
    return this.text.slice(this.lineStart(line), this.lineEnd(line));
  }

  get lineCount(): number {
    return this.starts.length;
  }
}
