// Splits POSIX shell text into simple commands the way bash would see them, keeping the
// source span of every word so findings can point at the exact place. Anything whose value
// depends on run time (unset variables, command substitution, `$1`) stays marked unknown, so
// callers never claim a flag that might not be there.

/** Marks a value that cannot be known statically (CI input, unset variable, `$(...)`). */
import { LineIndex } from '../util/line-index.js';
import { UNKNOWN, type Unknown } from '../util/unknown.js';

export { UNKNOWN, type Unknown };

export type VariableValue = string | Unknown;
export type VariableMap = ReadonlyMap<string, VariableValue> | Readonly<Record<string, VariableValue>>;

/** One argv word after expansion. */
export interface ArgWord {
  /** The word's value, or null when part of it is unknown. */
  value: string | null;
  /** The value with unknown pieces shown as written (`--parallel=$N`): for messages only. */
  text: string;
  /** The known text before the first unknown piece (`--parallel=` for `--parallel=$N`). */
  knownPrefix: string;
  /** True when an unquoted unknown expansion could turn this into zero or several words. */
  maySplit: boolean;
  /** Span in the text given to `parseShell` (UTF-16 offsets, end exclusive). */
  start: number;
  end: number;
  /** Source offset of each character of `value` (only when `value` is known and exact). */
  charOffsets: number[] | null;
}

export interface Assignment {
  name: string;
  value: VariableValue;
  /** `+=` appends in bash. */
  append: boolean;
  start: number;
  end: number;
}

export interface AssignmentStatement extends Assignment {
  exported: boolean;
}

export interface ShellCommand {
  argv: ArgWord[];
  /** `VAR=value` words before the command name (they reach its environment). */
  assignments: Assignment[];
  /** Exported variables in effect for this command: options.env, `export`, prefixes, `env A=b`. */
  environment: Map<string, VariableValue>;
  /** Whole command span, prefixes and redirections included. */
  start: number;
  end: number;
  /** Wrappers this command was found inside, outermost first (`sh -c`, `env`, `sudo`, `$()`). */
  via: string[];
  /** False when offsets could only be mapped to an enclosing word (e.g. inside backticks with escapes). */
  exactOffsets: boolean;
}

export interface ShellDiagnostic {
  message: string;
  offset: number;
  line: number;
  column: number;
}

export interface ShellParseResult {
  commands: ShellCommand[];
  assignments: AssignmentStatement[];
  diagnostics: ShellDiagnostic[];
}

export interface ShellParseOptions {
  /** Exported environment the script starts with. */
  env?: VariableMap;
  /** Shell variables known but not exported. */
  variables?: VariableMap;
}

export function lookupVariable(map: VariableMap | undefined, name: string): VariableValue | undefined {
  if (map === undefined) return undefined;
  if (map instanceof Map) return map.get(name);
  const record = map as Readonly<Record<string, VariableValue>>;
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}

function toMap(map: VariableMap | undefined): Map<string, VariableValue> {
  if (map === undefined) return new Map();
  if (map instanceof Map) return new Map(map);
  return new Map(Object.entries(map as Record<string, VariableValue>));
}

/** 1-based line and UTF-16 column of an offset. */
export function positionAt(text: string, offset: number): { line: number; column: number } {
  return new LineIndex(text).position(Math.min(Math.max(offset, 0), text.length));
}

// ---------------------------------------------------------------------------------------------
// Words before expansion

interface LiteralPart {
  kind: 'literal';
  text: string;
  quoted: boolean;
  /** Source offset of each char (in the outer text). */
  offsets: number[];
}

interface ExpansionPart {
  kind: 'expansion';
  source: string;
  /** Plain `$NAME`/`${NAME}`, or `${NAME:-default}` style with a known default. */
  name: string | null;
  defaultValue: RawWord | null;
  defaultWhenEmpty: boolean;
  quoted: boolean;
  start: number;
  end: number;
}

type Part = LiteralPart | ExpansionPart;

interface RawWord {
  parts: Part[];
  start: number;
  end: number;
}

interface Redirection {
  start: number;
  end: number;
}

const METACHARS = new Set([' ', '\t', '\n', '|', '&', ';', '(', ')', '<', '>']);
const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '$', '!', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'ash', 'mksh']);
const RESERVED_PREFIX = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', '}', 'fi', 'done', 'esac']);

type OffsetMapper = (index: number) => number;

interface Context {
  env: Map<string, VariableValue>;
  variables: Map<string, VariableValue>;
  via: string[];
  exact: boolean;
  commands: ShellCommand[];
  assignments: AssignmentStatement[];
  diagnostics: ShellDiagnostic[];
  /** Text that diagnostics' line/column refer to (the outermost text). */
  outerText: string;
  /** Its line starts, built on the first diagnostic and shared with nested contexts. */
  outerLines: { index: LineIndex | null };
  depth: number;
}

interface Token {
  kind: 'word' | 'op' | 'eof';
  op?: string;
  word?: RawWord;
  start: number;
  end: number;
}

class Parser {
  private pos = 0;
  private pendingHeredocs: Array<{ delimiter: string; stripTabs: boolean }> = [];
  private peeked: Token | null = null;

  constructor(
    private readonly text: string,
    private readonly map: OffsetMapper,
    private readonly ctx: Context,
  ) {}

  parseAll(): void {
    this.parseList(new Set());
    const rest = this.peek();
    if (rest.kind !== 'eof') {
      this.diagnose(`unexpected '${rest.op ?? ''}'`, rest.start);
      this.next();
      this.parseAll();
    }
  }

  /** Parses commands until EOF or an operator in `stops` (left unconsumed). */
  private parseList(stops: Set<string>): void {
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') return;
      if (token.kind === 'op') {
        if (stops.has(token.op!)) return;
        if (token.op === '(') {
          this.next();
          this.parseList(new Set([')']));
          const close = this.peek();
          if (close.kind === 'op' && close.op === ')') this.next();
          else this.diagnose("unterminated '(' subshell", token.start);
          continue;
        }
        if (token.op === ')') {
          this.diagnose("unexpected ')'", token.start);
          this.next();
          continue;
        }
        // Separators and pipes between commands.
        this.next();
        continue;
      }
      this.parseSimpleCommand(stops);
    }
  }

  private parseSimpleCommand(stops: Set<string>): void {
    const words: RawWord[] = [];
    const redirections: Redirection[] = [];
    let start = -1;
    let end = -1;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') break;
      if (token.kind === 'op') {
        const op = token.op!;
        if (isRedirection(op)) {
          this.next();
          const target = this.peek();
          if (target.kind === 'word') {
            this.next();
            if (op === '<<' || op === '<<-') {
              this.pendingHeredocs.push({ delimiter: literalOf(target.word!), stripTabs: op === '<<-' });
            }
            redirections.push({ start: token.start, end: target.end });
            end = target.end;
          } else {
            this.diagnose(`missing target after '${op}'`, token.start);
          }
          if (start < 0) start = token.start;
          continue;
        }
        if (op === '(' && words.length === 1 && !stops.has('(')) {
          // `name() { ...; }`: a function definition; the body follows as more commands.
          this.next();
          const close = this.peek();
          if (close.kind === 'op' && close.op === ')') this.next();
          words.length = 0;
          start = -1;
          break;
        }
        break;
      }
      const word = token.word!;
      if (words.length === 0 && redirections.length === 0) {
        const keyword = plainWord(word);
        if (keyword !== null && RESERVED_PREFIX.has(keyword)) {
          this.next();
          continue;
        }
        if (keyword === 'case') {
          this.next();
          this.parseCase();
          return;
        }
        if (keyword === 'for' || keyword === 'select') {
          this.next();
          this.skipUntilSeparator();
          return;
        }
      }
      this.next();
      words.push(word);
      if (start < 0) start = word.start;
      end = word.end;
    }
    if (words.length === 0) return;
    this.ctx.depth++;
    try {
      buildCommand(words, start, end, this.ctx);
    } finally {
      this.ctx.depth--;
    }
  }

  private parseCase(): void {
    // case WORD in [(] PATTERN [| PATTERN] ) LIST ;; ... esac
    let token = this.peek();
    while (token.kind === 'word' && plainWord(token.word!) !== 'in') {
      this.next();
      token = this.peek();
    }
    if (token.kind === 'word') this.next();
    for (;;) {
      token = this.peek();
      if (token.kind === 'eof') return;
      if (token.kind === 'op' && (token.op === '\n' || token.op === ';;' || token.op === ';&' || token.op === ';;&' || token.op === ';')) {
        this.next();
        continue;
      }
      if (token.kind === 'word' && plainWord(token.word!) === 'esac') {
        this.next();
        return;
      }
      // Pattern list up to ')'.
      while (token.kind !== 'eof' && !(token.kind === 'op' && token.op === ')')) {
        this.next();
        token = this.peek();
        if (token.kind === 'op' && token.op === '\n') break;
      }
      if (token.kind === 'op' && token.op === ')') this.next();
      this.parseCaseBody();
    }
  }

  private parseCaseBody(): void {
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') return;
      if (token.kind === 'op' && (token.op === ';;' || token.op === ';&' || token.op === ';;&')) {
        this.next();
        return;
      }
      if (token.kind === 'word' && plainWord(token.word!) === 'esac') return;
      this.parseList(new Set([';;', ';&', ';;&', '\n']));
      const after = this.peek();
      if (after.kind === 'op' && after.op === '\n') {
        this.next();
        const following = this.peek();
        if (following.kind === 'word' && plainWord(following.word!) === 'esac') return;
      }
    }
  }

  private skipUntilSeparator(): void {
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') return;
      if (token.kind === 'op' && (token.op === ';' || token.op === '\n')) {
        this.next();
        return;
      }
      this.next();
    }
  }

  // ---- tokens -------------------------------------------------------------------------------

  private peek(): Token {
    if (this.peeked === null) this.peeked = this.readToken();
    return this.peeked;
  }

  private next(): Token {
    const token = this.peek();
    this.peeked = null;
    return token;
  }

  private readToken(): Token {
    const text = this.text;
    for (;;) {
      while (this.pos < text.length) {
        const c = text[this.pos];
        if (c === ' ' || c === '\t' || c === '\r') this.pos++;
        else if (c === '\\' && text[this.pos + 1] === '\n') this.pos += 2;
        else break;
      }
      if (this.pos >= text.length) return { kind: 'eof', start: text.length, end: text.length };
      if (text[this.pos] === '#') {
        while (this.pos < text.length && text[this.pos] !== '\n') this.pos++;
        continue;
      }
      break;
    }
    const start = this.pos;
    const c = text[start];
    if (c === '\n') {
      this.pos++;
      if (this.pendingHeredocs.length > 0) this.skipHeredocs();
      return { kind: 'op', op: '\n', start: this.map(start), end: this.map(start) + 1 };
    }
    if ((c === '<' || c === '>') && text[start + 1] === '(') {
      const word = this.readWord();
      return { kind: 'word', word, start: word.start, end: word.end };
    }
    if (/[0-9]/.test(c)) {
      // `2>&1`: a digit string directly before a redirection operator belongs to it.
      let i = start;
      while (i < text.length && /[0-9]/.test(text[i])) i++;
      if (text[i] === '<' || text[i] === '>') {
        this.pos = i;
        const op = this.readOperator();
        return { kind: 'op', op, start: this.map(start), end: this.mapEnd(this.pos) };
      }
    }
    if (METACHARS.has(c)) {
      const op = this.readOperator();
      return { kind: 'op', op, start: this.map(start), end: this.mapEnd(this.pos) };
    }
    const word = this.readWord();
    return { kind: 'word', word, start: word.start, end: word.end };
  }

  private readOperator(): string {
    const text = this.text;
    const candidates = [';;&', '<<<', '<<-', '&>>', '&&', '||', ';;', ';&', '|&', '<<', '>>', '<&', '>&', '<>', '>|', '&>', '|', '&', ';', '(', ')', '<', '>'];
    for (const op of candidates) {
      if (text.startsWith(op, this.pos)) {
        this.pos += op.length;
        return op;
      }
    }
    this.pos++;
    return text[this.pos - 1];
  }

  private skipHeredocs(): void {
    const text = this.text;
    for (const heredoc of this.pendingHeredocs) {
      let found = false;
      while (this.pos < text.length) {
        let lineEnd = text.indexOf('\n', this.pos);
        if (lineEnd < 0) lineEnd = text.length;
        let line = text.slice(this.pos, lineEnd);
        if (heredoc.stripTabs) line = line.replace(/^\t+/, '');
        this.pos = Math.min(lineEnd + 1, text.length);
        if (line === heredoc.delimiter || line.replace(/\r$/, '') === heredoc.delimiter) {
          found = true;
          break;
        }
      }
      if (!found) this.diagnose(`here-document delimited by '${heredoc.delimiter}' is not terminated`, text.length);
    }
    this.pendingHeredocs = [];
  }

  private mapEnd(index: number): number {
    return index <= 0 ? this.map(0) : this.map(index - 1) + 1;
  }

  private diagnose(message: string, outerOffset: number): void {
    const offset = Math.min(Math.max(outerOffset, 0), this.ctx.outerText.length);
    // One index per text: building it per diagnostic was quadratic in their number.
    const lines = (this.ctx.outerLines.index ??= new LineIndex(this.ctx.outerText));
    const { line, column } = lines.position(offset);
    this.ctx.diagnostics.push({ message, offset, line, column });
  }

  private diagnoseLocal(message: string, index: number): void {
    this.diagnose(message, index >= this.text.length ? this.mapEnd(this.text.length) : this.map(index));
  }

  /** Reads one word starting at this.pos (not at a metacharacter). */
  private readWord(): RawWord {
    const text = this.text;
    const startIndex = this.pos;
    const parts: Part[] = [];
    const pushLiteral = (ch: string, index: number, quoted: boolean): void => {
      const last = parts[parts.length - 1];
      if (last !== undefined && last.kind === 'literal' && last.quoted === quoted) {
        last.text += ch;
        last.offsets.push(this.map(index));
      } else {
        parts.push({ kind: 'literal', text: ch, quoted, offsets: [this.map(index)] });
      }
    };
    while (this.pos < text.length) {
      const c = text[this.pos];
      if ((c === '<' || c === '>') && text[this.pos + 1] === '(' && this.pos === startIndex) {
        const exprStart = this.pos;
        this.pos += 2;
        this.parseNested(')', `${c}()`);
        parts.push(this.unknownPart(exprStart, false));
        continue;
      }
      if (METACHARS.has(c)) break;
      if (c === '\\') {
        if (text[this.pos + 1] === '\n') {
          this.pos += 2;
          continue;
        }
        if (this.pos + 1 >= text.length) {
          pushLiteral('\\', this.pos, false);
          this.pos++;
          continue;
        }
        pushLiteral(text[this.pos + 1], this.pos + 1, true);
        this.pos += 2;
        continue;
      }
      if (c === "'") {
        const open = this.pos;
        this.pos++;
        const close = text.indexOf("'", this.pos);
        const stop = close < 0 ? text.length : close;
        if (close < 0) this.diagnoseLocal('unterminated single quote', open);
        // An empty '' still makes a (quoted) word.
        if (stop === this.pos) parts.push({ kind: 'literal', text: '', quoted: true, offsets: [] });
        for (let i = this.pos; i < stop; i++) pushLiteral(text[i], i, true);
        this.pos = close < 0 ? text.length : close + 1;
        continue;
      }
      if (c === '"') {
        this.readDoubleQuoted(parts, pushLiteral);
        continue;
      }
      if (c === '$') {
        if (text[this.pos + 1] === "'") {
          this.readAnsiC(parts, pushLiteral);
          continue;
        }
        if (text[this.pos + 1] === '"') {
          this.pos++;
          this.readDoubleQuoted(parts, pushLiteral);
          continue;
        }
        const part = this.readDollar(false);
        if (part === null) pushLiteral('$', this.pos - 1, false);
        else parts.push(part);
        continue;
      }
      if (c === '`') {
        parts.push(this.readBackticks(false));
        continue;
      }
      pushLiteral(c, this.pos, false);
      this.pos++;
    }
    return { parts, start: this.map(startIndex), end: this.mapEnd(this.pos) };
  }

  private readDoubleQuoted(parts: Part[], pushLiteral: (ch: string, index: number, quoted: boolean) => void): void {
    const text = this.text;
    const open = this.pos;
    this.pos++;
    let empty = true;
    while (this.pos < text.length && text[this.pos] !== '"') {
      const c = text[this.pos];
      if (c === '\\' && this.pos + 1 < text.length) {
        const n = text[this.pos + 1];
        if (n === '\n') {
          this.pos += 2;
          continue;
        }
        if (n === '$' || n === '`' || n === '"' || n === '\\') {
          pushLiteral(n, this.pos + 1, true);
          this.pos += 2;
          empty = false;
          continue;
        }
        pushLiteral('\\', this.pos, true);
        this.pos++;
        empty = false;
        continue;
      }
      if (c === '$') {
        const part = this.readDollar(true);
        if (part === null) pushLiteral('$', this.pos - 1, true);
        else parts.push(part);
        empty = false;
        continue;
      }
      if (c === '`') {
        parts.push(this.readBackticks(true));
        empty = false;
        continue;
      }
      pushLiteral(c, this.pos, true);
      this.pos++;
      empty = false;
    }
    if (this.pos >= text.length) this.diagnoseLocal('unterminated double quote', open);
    else this.pos++;
    if (empty) parts.push({ kind: 'literal', text: '', quoted: true, offsets: [] });
  }

  private readAnsiC(parts: Part[], pushLiteral: (ch: string, index: number, quoted: boolean) => void): void {
    const text = this.text;
    const open = this.pos;
    this.pos += 2;
    let empty = true;
    while (this.pos < text.length && text[this.pos] !== "'") {
      const at = this.pos;
      if (text[at] !== '\\') {
        pushLiteral(text[at], at, true);
        this.pos++;
        empty = false;
        continue;
      }
      const { value, length } = decodeAnsiEscape(text, at);
      this.pos += length;
      if (value === null) break; // \c@ / \0 end the string in bash
      for (const ch of value) pushLiteral(ch, at, true);
      empty = false;
    }
    if (this.pos >= text.length) this.diagnoseLocal("unterminated $'...' quote", open);
    else {
      // After a NUL escape bash ignores the rest of the $'...' string.
      const close = text.indexOf("'", this.pos);
      this.pos = close < 0 ? text.length : close + 1;
    }
    if (empty) parts.push({ kind: 'literal', text: '', quoted: true, offsets: [] });
  }

  private unknownPart(startIndex: number, quoted: boolean): ExpansionPart {
    return {
      kind: 'expansion',
      source: this.text.slice(startIndex, this.pos),
      name: null,
      defaultValue: null,
      defaultWhenEmpty: false,
      quoted,
      start: this.map(startIndex),
      end: this.mapEnd(this.pos),
    };
  }

  /** At a `$`; returns null (and consumes the `$`) when it is a literal dollar. */
  private readDollar(quoted: boolean): ExpansionPart | null {
    const text = this.text;
    const start = this.pos;
    const n = text[start + 1];
    if (n === '(' && text[start + 2] === '(') {
      this.pos = skipBalanced(text, start + 1, '(', ')');
      return this.unknownPart(start, quoted);
    }
    if (n === '(') {
      this.pos += 2;
      this.parseNested(')', '$()');
      return this.unknownPart(start, quoted);
    }
    if (n === '[') {
      this.pos = skipBalanced(text, start + 1, '[', ']');
      return this.unknownPart(start, quoted);
    }
    if (n === '{') {
      const close = findBraceEnd(text, start + 2);
      if (close < 0) {
        this.diagnoseLocal("unterminated '${'", start);
        this.pos = text.length;
        return this.unknownPart(start, quoted);
      }
      const inner = text.slice(start + 2, close);
      this.pos = close + 1;
      const part = this.unknownPart(start, quoted);
      const simple = /^([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner);
      if (simple) part.name = simple[1];
      const withDefault = /^([A-Za-z_][A-Za-z0-9_]*)(:?)-/.exec(inner);
      if (withDefault) {
        part.name = withDefault[1];
        part.defaultWhenEmpty = withDefault[2] === ':';
        const defaultStart = start + 2 + withDefault[0].length;
        const sub = new Parser(text.slice(0, close), this.map, this.ctx);
        sub.pos = defaultStart;
        part.defaultValue = sub.readWordUntilEnd();
      }
      return part;
    }
    if (n !== undefined && NAME_START.test(n)) {
      let i = start + 1;
      while (i < text.length && NAME_CHAR.test(text[i])) i++;
      this.pos = i;
      const part = this.unknownPart(start, quoted);
      part.name = text.slice(start + 1, i);
      return part;
    }
    if (n !== undefined && SPECIAL_PARAMS.has(n)) {
      this.pos = start + 2;
      return this.unknownPart(start, quoted);
    }
    this.pos = start + 1;
    return null;
  }

  /** A default value inside `${X:-...}`: the rest of this parser's text, quotes honoured. */
  private readWordUntilEnd(): RawWord {
    const parts: Part[] = [];
    const startIndex = this.pos;
    const pushLiteral = (ch: string, index: number, quoted: boolean): void => {
      const last = parts[parts.length - 1];
      if (last !== undefined && last.kind === 'literal' && last.quoted === quoted) {
        last.text += ch;
        last.offsets.push(this.map(index));
      } else parts.push({ kind: 'literal', text: ch, quoted, offsets: [this.map(index)] });
    };
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos];
      if (c === "'") {
        const close = text.indexOf("'", this.pos + 1);
        const stop = close < 0 ? text.length : close;
        for (let i = this.pos + 1; i < stop; i++) pushLiteral(text[i], i, true);
        this.pos = close < 0 ? text.length : close + 1;
      } else if (c === '"') this.readDoubleQuoted(parts, pushLiteral);
      else if (c === '$') {
        const part = this.readDollar(false);
        if (part === null) pushLiteral('$', this.pos - 1, false);
        else parts.push(part);
      } else if (c === '\\' && this.pos + 1 < text.length) {
        pushLiteral(text[this.pos + 1], this.pos + 1, true);
        this.pos += 2;
      } else {
        pushLiteral(c, this.pos, false);
        this.pos++;
      }
    }
    return { parts, start: this.map(startIndex), end: this.mapEnd(this.pos) };
  }

  /** Parses commands of `$( ... )` or `<( ... )` in place, leaving pos after the `)`. */
  private parseNested(close: string, label: string): void {
    const open = this.pos;
    const savedPeek = this.peeked;
    this.peeked = null;
    this.ctx.via.push(label);
    try {
      this.parseList(new Set([close]));
    } finally {
      this.ctx.via.pop();
    }
    const token = this.peek();
    if (token.kind === 'op' && token.op === close) this.peeked = null;
    else this.diagnoseLocal(`unterminated '${label}'`, open);
    this.peeked = savedPeek;
  }

  private readBackticks(quoted: boolean): ExpansionPart {
    const text = this.text;
    const open = this.pos;
    let i = open + 1;
    let inner = '';
    const innerOffsets: number[] = [];
    while (i < text.length && text[i] !== '`') {
      if (text[i] === '\\' && i + 1 < text.length && (text[i + 1] === '\\' || text[i + 1] === '`' || text[i + 1] === '$')) {
        inner += text[i + 1];
        innerOffsets.push(this.map(i + 1));
        i += 2;
        continue;
      }
      inner += text[i];
      innerOffsets.push(this.map(i));
      i++;
    }
    if (i >= text.length) this.diagnoseLocal('unterminated backquote', open);
    this.pos = Math.min(i + 1, text.length);
    const part = this.unknownPart(open, quoted);
    const fallback = part.start;
    const innerMap: OffsetMapper = (index) => innerOffsets[index] ?? (innerOffsets.length > 0 ? innerOffsets[innerOffsets.length - 1] + 1 : fallback);
    this.ctx.via.push('``');
    try {
      new Parser(inner, innerMap, this.ctx).parseAll();
    } finally {
      this.ctx.via.pop();
    }
    return part;
  }
}

function isRedirection(op: string): boolean {
  return ['<', '>', '>>', '<<', '<<-', '<<<', '<&', '>&', '<>', '>|', '&>', '&>>'].includes(op);
}

function skipBalanced(text: string, openIndex: number, open: string, close: string): number {
  let depth = 0;
  for (let i = openIndex; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return text.length;
      i = end;
      continue;
    }
    if (c === open) depth++;
    else if (c === close) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return text.length;
}

function findBraceEnd(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      continue;
    }
    if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

function decodeAnsiEscape(text: string, at: number): { value: string | null; length: number } {
  const n = text[at + 1];
  if (n === undefined) return { value: '\\', length: 1 };
  const simple: Record<string, string> = {
    a: '\x07', b: '\b', e: '\x1b', E: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
    '\\': '\\', "'": "'", '"': '"', '?': '?',
  };
  if (Object.prototype.hasOwnProperty.call(simple, n)) return { value: simple[n], length: 2 };
  if (/[0-7]/.test(n)) {
    let digits = '';
    let i = at + 1;
    while (i < text.length && digits.length < 3 && /[0-7]/.test(text[i])) digits += text[i++];
    const code = parseInt(digits, 8) & 0xff;
    return { value: code === 0 ? null : String.fromCharCode(code), length: 1 + digits.length };
  }
  if (n === 'x' || n === 'u' || n === 'U') {
    const max = n === 'x' ? 2 : n === 'u' ? 4 : 8;
    let digits = '';
    let i = at + 2;
    while (i < text.length && digits.length < max && /[0-9a-fA-F]/.test(text[i])) digits += text[i++];
    if (digits === '') return { value: '\\' + n, length: 2 };
    const code = parseInt(digits, 16);
    if (code === 0) return { value: null, length: 2 + digits.length };
    if (n === 'x') return { value: String.fromCharCode(code), length: 2 + digits.length };
    let value: string;
    try {
      value = String.fromCodePoint(code);
    } catch {
      value = '\ufffd';
    }
    return { value, length: 2 + digits.length };
  }
  if (n === 'c' && at + 2 < text.length) {
    const code = text.charCodeAt(at + 2) & 0x1f;
    return { value: code === 0 ? null : String.fromCharCode(code), length: 3 };
  }
  return { value: '\\' + n, length: 2 };
}

/** The word's text when it is entirely unquoted literal (keywords must be unquoted). */
function plainWord(word: RawWord): string | null {
  if (word.parts.length !== 1) return null;
  const part = word.parts[0];
  return part.kind === 'literal' && !part.quoted ? part.text : null;
}

/** Heredoc delimiters: quote removal only, no expansion. */
function literalOf(word: RawWord): string {
  return word.parts.map((part) => (part.kind === 'literal' ? part.text : part.source)).join('');
}

// ---------------------------------------------------------------------------------------------
// Expansion

interface FieldBuilder {
  value: string;
  known: boolean;
  text: string;
  knownPrefix: string;
  maySplit: boolean;
  offsets: number[];
  exact: boolean;
  hasContent: boolean;
}

function newField(): FieldBuilder {
  return { value: '', known: true, text: '', knownPrefix: '', maySplit: false, offsets: [], exact: true, hasContent: false };
}

function resolveVariable(name: string, ctx: Context): VariableValue | undefined {
  return ctx.variables.get(name) ?? ctx.env.get(name);
}

/** Value of a word without field splitting (assignments, `case` words). */
function expandToString(word: RawWord, ctx: Context): VariableValue {
  let value = '';
  for (const part of word.parts) {
    if (part.kind === 'literal') {
      value += part.text;
      continue;
    }
    const resolved = resolveExpansion(part, ctx);
    if (resolved === UNKNOWN) return UNKNOWN;
    value += resolved;
  }
  return value;
}

function resolveExpansion(part: ExpansionPart, ctx: Context): VariableValue {
  if (part.name === null) return UNKNOWN;
  const value = resolveVariable(part.name, ctx);
  if (part.defaultValue !== null) {
    if (value === UNKNOWN) return UNKNOWN;
    const useDefault = value === undefined || (part.defaultWhenEmpty && value === '');
    if (!useDefault) return value;
    // Unset in our map may still be set at run time: only a script-local unset is certain.
    if (value === undefined) return UNKNOWN;
    return expandToString(part.defaultValue, ctx);
  }
  return value ?? UNKNOWN;
}

function expandWord(word: RawWord, ctx: Context): ArgWord[] {
  const fields: FieldBuilder[] = [];
  let current = newField();
  const finish = (): void => {
    if (current.hasContent || !current.known) fields.push(current);
    current = newField();
  };
  for (const part of word.parts) {
    if (part.kind === 'literal') {
      current.value += part.text;
      current.text += part.text;
      if (current.known) current.knownPrefix += part.text;
      for (const offset of part.offsets) current.offsets.push(offset);
      if (part.quoted || part.text !== '') current.hasContent = true;
      continue;
    }
    const resolved = resolveExpansion(part, ctx);
    if (resolved === UNKNOWN) {
      current.known = false;
      current.text += part.source;
      current.exact = false;
      if (!part.quoted) current.maySplit = true;
      continue;
    }
    if (part.quoted) {
      appendResolved(current, resolved, part.start);
      current.hasContent = true;
      continue;
    }
    const pieces = resolved.split(/[ \t\n]+/);
    pieces.forEach((piece, index) => {
      if (index > 0) finish();
      if (piece !== '') {
        appendResolved(current, piece, part.start);
        current.hasContent = true;
      }
    });
  }
  finish();
  return fields.map((field) => ({
    value: field.known ? field.value : null,
    text: field.text,
    knownPrefix: field.known ? field.value : field.knownPrefix,
    maySplit: field.maySplit,
    start: word.start,
    end: word.end,
    charOffsets: field.known && field.exact && field.offsets.length === field.value.length ? field.offsets : null,
  }));
}

function appendResolved(field: FieldBuilder, value: string, offset: number): void {
  field.value += value;
  field.text += value;
  if (field.known) field.knownPrefix += value;
  for (let i = 0; i < value.length; i++) field.offsets.push(offset);
  field.exact = false;
}

// ---------------------------------------------------------------------------------------------
// Commands

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)(\+?)=/;

function leadingUnquoted(word: RawWord): string {
  const first = word.parts[0];
  return first !== undefined && first.kind === 'literal' && !first.quoted ? first.text : '';
}

function splitAssignment(word: RawWord, ctx: Context): Assignment | null {
  const match = ASSIGNMENT.exec(leadingUnquoted(word));
  if (match === null) return null;
  const first = word.parts[0] as LiteralPart;
  const rest: Part[] = [];
  const remainder = first.text.slice(match[0].length);
  if (remainder !== '') {
    rest.push({ kind: 'literal', text: remainder, quoted: false, offsets: first.offsets.slice(match[0].length) });
  }
  rest.push(...word.parts.slice(1));
  let value = expandToString({ parts: rest, start: word.start, end: word.end }, ctx);
  const name = match[1];
  const append = match[2] === '+';
  if (append && value !== UNKNOWN) {
    const previous = resolveVariable(name, ctx);
    value = previous === UNKNOWN ? UNKNOWN : (previous ?? '') + value;
  }
  return { name, value, append, start: word.start, end: word.end };
}

const DECLARATION_BUILTINS = new Set(['export', 'readonly', 'declare', 'typeset', 'local']);

function buildCommand(words: RawWord[], start: number, end: number, ctx: Context): void {
  if (ctx.depth > 40) return;
  const prefixes: Assignment[] = [];
  let index = 0;
  while (index < words.length) {
    const assignment = splitAssignment(words[index], ctx);
    if (assignment === null) break;
    prefixes.push(assignment);
    index++;
  }
  if (index === words.length) {
    // Assignments alone change the shell's own variables.
    for (const assignment of prefixes) {
      ctx.variables.set(assignment.name, assignment.value);
      const exported = ctx.env.has(assignment.name);
      if (exported) ctx.env.set(assignment.name, assignment.value);
      ctx.assignments.push({ ...assignment, exported });
    }
    return;
  }
  const name = plainWord(words[index]);
  if (name !== null && DECLARATION_BUILTINS.has(name)) {
    handleDeclaration(name, words.slice(index + 1), ctx);
    return;
  }
  const argv: ArgWord[] = [];
  for (const word of words.slice(index)) argv.push(...expandWord(word, ctx));
  const environment = new Map(ctx.env);
  for (const assignment of prefixes) environment.set(assignment.name, assignment.value);
  emitCommand({ argv, assignments: prefixes, environment, start, end, via: [...ctx.via], exactOffsets: ctx.exact }, ctx);
}

function handleDeclaration(builtin: string, words: RawWord[], ctx: Context): void {
  let exported = builtin === 'export';
  for (const word of words) {
    const text = plainWord(word);
    if (text !== null && text.startsWith('-')) {
      if (text.includes('x')) exported = true;
      continue;
    }
    const assignment = splitAssignment(word, ctx);
    if (assignment !== null) {
      ctx.variables.set(assignment.name, assignment.value);
      if (exported || ctx.env.has(assignment.name)) ctx.env.set(assignment.name, assignment.value);
      ctx.assignments.push({ ...assignment, exported: exported || ctx.env.has(assignment.name) });
      continue;
    }
    if (text !== null && exported && /^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) {
      const value = ctx.variables.get(text) ?? ctx.env.get(text);
      if (value !== undefined) ctx.env.set(text, value);
      else ctx.env.set(text, '');
    }
  }
}

function basename(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/** Options of wrappers that take a separate value word. */
const WRAPPER_VALUE_OPTIONS: Record<string, Set<string>> = {
  env: new Set(['-u', '--unset', '-C', '--chdir', '-S', '--split-string']),
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '--user', '--group', '--chdir', '--prompt', '--role', '--type', '--other-user', '--command-timeout', '--host', '--close-from']),
  exec: new Set(['-a']),
  time: new Set(['-f', '-o', '--format', '--output']),
  nice: new Set(['-n', '--adjustment']),
  timeout: new Set(['-s', '--signal', '-k', '--kill-after']),
  nohup: new Set(),
  command: new Set(),
  builtin: new Set(),
  stdbuf: new Set(['-i', '-o', '-e']),
};

function emitCommand(command: ShellCommand, ctx: Context): void {
  const first = command.argv[0];
  const name = first?.value === null || first === undefined ? null : basename(first.value);
  if (name !== null && SHELLS.has(name)) {
    if (recurseIntoShell(command, ctx)) return;
  }
  if (name !== null && Object.prototype.hasOwnProperty.call(WRAPPER_VALUE_OPTIONS, name)) {
    const inner = unwrap(command, name);
    if (inner !== null) {
      emitCommand(inner, ctx);
      return;
    }
  }
  ctx.commands.push(command);
}

function unwrap(command: ShellCommand, name: string): ShellCommand | null {
  const valueOptions = WRAPPER_VALUE_OPTIONS[name];
  const environment = new Map(command.environment);
  const assignments = [...command.assignments];
  let i = 1;
  if (name === 'command') {
    const option = command.argv[1]?.value;
    if (option === '-v' || option === '-V') return null;
  }
  if (name === 'env' && command.argv.slice(1).some((word) => word.value === '-i' || word.value === '--ignore-environment' || word.value === '-')) {
    environment.clear();
  }
  for (; i < command.argv.length; i++) {
    const word = command.argv[i];
    if (word.value === null) return null;
    if (word.value === '--') {
      i++;
      break;
    }
    if (name === 'timeout' && !word.value.startsWith('-')) {
      i++; // the duration
      break;
    }
    if (word.value.startsWith('-') && word.value !== '-') {
      if (valueOptions.has(word.value)) {
        if (name === 'env' && (word.value === '-u' || word.value === '--unset')) {
          const unset = command.argv[i + 1]?.value;
          if (unset) environment.delete(unset);
        }
        i++;
      }
      continue;
    }
    const assignment = name === 'env' || name === 'sudo' ? ASSIGNMENT.exec(word.value) : null;
    if (assignment !== null) {
      const value = word.value.slice(assignment[0].length);
      environment.set(assignment[1], value);
      assignments.push({ name: assignment[1], value, append: false, start: word.start, end: word.end });
      continue;
    }
    break;
  }
  if (i >= command.argv.length) return null;
  return {
    ...command,
    argv: command.argv.slice(i),
    assignments,
    environment,
    via: [...command.via, name],
  };
}

function recurseIntoShell(command: ShellCommand, ctx: Context): boolean {
  let hasCommandString = false;
  let i = 1;
  for (; i < command.argv.length; i++) {
    const value = command.argv[i].value;
    if (value === null) return false;
    if (value === '--' || value === '-') {
      i++;
      break;
    }
    if (value === '-o' || value === '+o' || value === '-O' || value === '+O') {
      i++;
      continue;
    }
    if (value.startsWith('--')) continue;
    if ((value.startsWith('-') || value.startsWith('+')) && value.length > 1) {
      if (value.startsWith('-') && value.includes('c')) hasCommandString = true;
      continue;
    }
    break;
  }
  if (!hasCommandString || i >= command.argv.length) return false;
  const script = command.argv[i];
  if (script.value === null) return false;
  const innerText = script.value;
  const offsets = script.charOffsets;
  const exact = offsets !== null && ctx.exact;
  const map: OffsetMapper = offsets !== null
    ? (index) => offsets[index] ?? (offsets.length > 0 ? offsets[offsets.length - 1] + 1 : script.start)
    : () => script.start;
  const inner: Context = {
    ...ctx,
    env: new Map(command.environment),
    variables: new Map(),
    via: [...command.via, `${basename(command.argv[0].value ?? 'sh')} -c`],
    exact,
    assignments: [],
  };
  new Parser(innerText, map, inner).parseAll();
  if (!exact) {
    for (const found of inner.commands) {
      if (found.via.length > command.via.length) found.exactOffsets = false;
    }
  }
  return true;
}

/** Splits shell text into simple commands. Never throws. */
export function parseShell(text: string, options: ShellParseOptions = {}): ShellParseResult {
  const ctx: Context = {
    env: toMap(options.env),
    variables: toMap(options.variables),
    via: [],
    exact: true,
    commands: [],
    assignments: [],
    diagnostics: [],
    outerText: text,
    outerLines: { index: null },
    depth: 0,
  };
  try {
    new Parser(text, (index) => index, ctx).parseAll();
  } catch (error) {
    // Defensive: a parser bug must not take the whole run down.
    const message = error instanceof Error ? error.message : String(error);
    ctx.diagnostics.push({ message: `internal shell parser error: ${message}`, offset: 0, line: 1, column: 1 });
  }
  return { commands: ctx.commands, assignments: ctx.assignments, diagnostics: ctx.diagnostics };
}
