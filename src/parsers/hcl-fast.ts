import type { HclBody, HclValue } from './hcl.js';

// A fast path in front of HashiCorp's parser (hcl2json: HCL v2.23 and tmccombs/hcl2json v0.6.5
// compiled to wasm, see hcl.ts), which costs 0.4 to 1 ms per small file. parseHclFast reads a
// subset of HCL's native syntax and returns exactly what hcl2json's `parse` returns for it (the
// same values, keys in the same order), or null whenever the text uses anything outside that
// subset, or anything that might be a syntax error: the caller then asks hcl2json, which stays
// the judge (and produces the diagnostics). When in doubt, it declines.
//
// What hcl2json makes of a file (tmccombs/hcl2json convert.go):
// - a body is an object of its attributes and blocks, keys sorted (Go's JSON encoding sorts map
//   keys by their UTF-8 bytes, which is UTF-16 order for text without surrogates, and JSON.parse
//   then puts integer-like keys first, as any JS object does);
// - a block `type "l1" "l2" { }` is `{type: {l1: {l2: [body]}}}`; blocks at the same path append
//   to the array; a path that is both a leaf and a prefix of another fails the conversion;
// - a literal is its value (a number through big.Float with 512 bits, printed exactly, parsed
//   back by JSON.parse), `-` before a number literal negates it;
// - a quoted string or heredoc is its decoded text (HCL escapes; NFC-normalized by cty), each
//   literal run with `${` and `%{` escaped again as `$${` and `%%{`, and each interpolation of a
//   non-literal expression as `${` + its source text + `}`;
// - a tuple is an array, an object an object (a bare key is its name, a quoted one its string;
//   the last of duplicate keys wins);
// - any other expression (a traversal, a function call, ...) is `${` + its source text + `}`.
//
// The subset read here: `#`, `//` and `/* */` comments; attributes; blocks with quoted or bare
// labels, multi-line or single-line (`a { b = 1 }`); numbers (at most 40 digits, exponent within
// ±250), `true`, `false`, `null`; quoted strings with the escapes \n \r \t \" \\ \uXXXX and
// \UXXXXXXXX (below U+10000), `$${`, `%%{` and interpolations of traversals and function calls;
// heredocs (`<<EOT`, and `<<-EOT` on ASCII text) with such interpolations, each on one line;
// tuples and objects (newlines and trailing commas as HCL allows them); traversals `a.b[0]["k"]
// [c.d].e` and function calls with such arguments, as values and inside interpolations.
// Declined (null): anything else, e.g. operators, conditionals, parentheses, `for`, splats,
// legacy `a.0` indexes, `...` arguments, `%{` directives, `~` strip markers, `::` namespaced
// functions, spaces inside a traversal, non-ASCII text outside strings and comments, any
// UTF-16 surrogate, a carriage return not followed by a newline, text whose NFC form differs,
// `__proto__` keys, an attribute set twice or named like a block beside it, label paths
// hcl2json cannot convert, and nesting deeper than MAX_DEPTH.

/** Thrown to abandon the fast path; never escapes parseHclFast. */
const DECLINED: unique symbol = Symbol('declined');

function decline(): never {
  throw DECLINED;
}

const MAX_DEPTH = 128;

// Character codes.
const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const DOLLAR = 36;
const PERCENT = 37;
const STAR = 42;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const LT = 60;
const EQUALS = 61;
const GT = 62;
const UPPER_E = 69;
const UPPER_U = 85;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const UNDERSCORE = 95;
const LOWER_E = 101;
const LOWER_N = 110;
const LOWER_R = 114;
const LOWER_T = 116;
const LOWER_U = 117;
const LBRACE = 123;
const RBRACE = 125;
const TILDE = 126;
const LPAREN = 40;
const RPAREN = 41;
const BOM = 0xfeff;

const SURROGATE = /[\uD800-\uDFFF]/;
const LONE_CR = /\r(?!\n)/;
// Sticky scanners for the runs that make most of a file (native from the first call, where a
// character loop runs in V8's interpreter until it gets hot).
const IDENT_REST = /[A-Za-z0-9_-]*/y;
const SPACES = /[ \t]*/y;
/** Characters of a quoted string that stand for themselves, ASCII. */
const QUOTED_ASCII_RUN = /[^"\\$%\r\n\u0080-\uffff]*/y;
const QUOTED_RUN = /[^"\\$%\r\n]*/y;

/** Where the sticky `pattern` (which matches the empty string too) stops matching from `at`. */
function runEnd(pattern: RegExp, text: string, at: number): number {
  pattern.lastIndex = at;
  pattern.test(text);
  return pattern.lastIndex;
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === UNDERSCORE;
}

function isIdentPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= ZERO && c <= NINE) || c === UNDERSCORE || c === MINUS;
}

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Go's unicode.IsSpace. */
function isGoSpace(c: number): boolean {
  if (c <= 0xff) return c === SPACE || (c >= TAB && c <= CR) || c === 0x85 || c === 0xa0;
  return c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Go's bytes.TrimSpace. */
function goTrimSpace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isGoSpace(text.charCodeAt(start))) start++;
  while (end > start && isGoSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

/** hcl2json's escapeLiteral: a literal run must not read as a template sequence. */
function escapeLiteral(text: string): string {
  if (text.indexOf('{') === -1) return text;
  // split/join: a replacement string would read `$$` as one `$`.
  return text.split('${').join('$${').split('%{').join('%%{');
}

/** A literal run as cty keeps it: NFC. Declines a run that normalization would change. */
function literalRun(text: string, nonAscii: boolean): string {
  if (nonAscii && text.normalize('NFC') !== text) decline();
  return escapeLiteral(text);
}

type JsonObject = { [key: string]: HclValue };

/** What becomes one JSON object: keys in insertion order, with their values. */
class Entries {
  readonly keys: string[] = [];
  readonly values = new Map<string, HclValue | Entries>();

  set(key: string, value: HclValue | Entries): void {
    if (!this.values.has(key)) this.keys.push(key);
    this.values.set(key, value);
  }
}

/** An object with the keys inserted in Go's sorted order, as JSON.parse builds it. */
function sortedObject(entries: Entries): JsonObject {
  // An insertion sort: objects have few keys. `<` on strings is UTF-16 order, which is the
  // UTF-8 order Go sorts by for text without surrogates (declined).
  const keys = entries.keys;
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i];
    let j = i - 1;
    for (; j >= 0 && keys[j] > key; j--) keys[j + 1] = keys[j];
    keys[j + 1] = key;
  }
  const object: JsonObject = {};
  for (const key of keys) {
    if (key === '__proto__') decline();
    const value = entries.values.get(key)!;
    object[key] = value instanceof Entries ? sortedObject(value) : value;
  }
  return object;
}

type Block = { type: string; labels: string[]; body: JsonObject };

/** One line of a heredoc: its literal runs and interpolations, in order. */
type HeredocLine = { parts: Array<{ literal: string } | { interpolation: string }>; start: number; end: number };

class FastParser {
  private pos = 0;
  private readonly length: number;

  constructor(private readonly text: string) {
    this.length = text.length;
    if (text.charCodeAt(0) === BOM) this.pos = 1;
  }

  private code(at: number): number {
    return at < this.length ? this.text.charCodeAt(at) : -1;
  }

  // ---- Trivia ------------------------------------------------------------------------------

  /** Spaces, tabs and block comments (which never count as newlines, whatever they hold). */
  private spaces(): void {
    const text = this.text;
    for (;;) {
      const c = this.code(this.pos);
      if (c === SPACE || c === TAB) this.pos = runEnd(SPACES, text, this.pos + 1);
      else if (c === SLASH && text.charCodeAt(this.pos + 1) === STAR) {
        const end = text.indexOf('*/', this.pos + 2);
        if (end === -1) decline();
        this.pos = end + 2;
      } else return;
    }
  }

  /** A newline, or a line comment with the newline ending it; false (nothing consumed) if none here. */
  private newline(): boolean {
    const c = this.code(this.pos);
    if (c === LF) {
      this.pos++;
      return true;
    }
    if (c === CR && this.text.charCodeAt(this.pos + 1) === LF) {
      this.pos += 2;
      return true;
    }
    if (c === HASH || (c === SLASH && this.text.charCodeAt(this.pos + 1) === SLASH)) {
      const end = this.text.indexOf('\n', this.pos);
      this.pos = end === -1 ? this.length : end + 1;
      return true;
    }
    return false;
  }

  /** Everything between tokens where newlines do not count: inside brackets, parentheses, interpolations. */
  private trivia(): void {
    do this.spaces();
    while (this.newline());
  }

  /** The end of an attribute or block: a newline (or line comment) or the end of the file. */
  private endOfItem(): void {
    this.spaces();
    if (this.pos < this.length && !this.newline()) decline();
  }

  private ident(): string {
    const text = this.text;
    const start = this.pos;
    if (!isIdentStart(this.code(start))) decline();
    const at = runEnd(IDENT_REST, text, start + 1);
    // A non-ASCII character could continue the identifier (Unicode ID_Continue).
    if (this.code(at) >= 0x80) decline();
    this.pos = at;
    return text.slice(start, at);
  }

  /** `=` introducing a value (not `==` or `=>`). */
  private equals(): void {
    if (this.code(this.pos) !== EQUALS) decline();
    const next = this.code(this.pos + 1);
    if (next === EQUALS || next === GT) decline();
    this.pos++;
  }

  // ---- Bodies and blocks -------------------------------------------------------------------

  file(): HclBody {
    return this.body(false, 0);
  }

  /** Items up to the end of the file, or up to and including `}`. */
  private body(braced: boolean, depth: number): JsonObject {
    if (depth > MAX_DEPTH) decline();
    const blocks: Block[] = [];
    const attributes = new Entries();
    for (;;) {
      this.spaces();
      if (this.newline()) continue;
      if (this.pos >= this.length) {
        if (braced) decline();
        break;
      }
      const c = this.text.charCodeAt(this.pos);
      if (c === RBRACE) {
        if (!braced) decline();
        this.pos++;
        break;
      }
      const name = this.ident();
      this.spaces();
      const next = this.code(this.pos);
      if (next === EQUALS) {
        this.equals();
        this.spaces();
        if (attributes.values.has(name)) decline();
        attributes.set(name, this.value(depth + 1));
        this.endOfItem();
      } else if (next === QUOTE || next === LBRACE || isIdentStart(next)) {
        blocks.push(this.block(name, depth + 1));
      } else decline();
    }
    return convertBody(blocks, attributes);
  }

  private block(type: string, depth: number): Block {
    if (depth > MAX_DEPTH) decline();
    const labels: string[] = [];
    for (;;) {
      this.spaces();
      const c = this.code(this.pos);
      if (c === QUOTE) labels.push(this.quoted('label', depth));
      else if (isIdentStart(c)) labels.push(this.ident());
      else if (c === LBRACE) {
        this.pos++;
        break;
      } else decline();
    }
    this.spaces();
    const c = this.code(this.pos);
    let body: JsonObject;
    if (c === RBRACE || c === LF || c === CR || c === HASH || (c === SLASH && this.code(this.pos + 1) === SLASH)) {
      body = this.body(true, depth + 1);
    } else {
      // A single-line block holds exactly one attribute: `a { b = 1 }`.
      const name = this.ident();
      this.spaces();
      this.equals();
      this.spaces();
      const value = this.value(depth + 1);
      this.spaces();
      if (this.code(this.pos) !== RBRACE) decline();
      this.pos++;
      const attributes = new Entries();
      attributes.set(name, value);
      body = convertBody([], attributes);
    }
    this.endOfItem();
    return { type, labels, body };
  }

  // ---- Expressions -------------------------------------------------------------------------

  /** An expression of the subset, as hcl2json converts it. Leaves what follows it unread. */
  private value(depth: number): HclValue {
    if (depth > MAX_DEPTH) decline();
    const c = this.code(this.pos);
    if (c === QUOTE) return this.quoted('template', depth);
    if (c === LBRACKET) return this.tuple(depth);
    if (c === LBRACE) return this.object(depth);
    if (isDigit(c) || (c === MINUS && isDigit(this.code(this.pos + 1)))) return this.number();
    if (c === LT && this.code(this.pos + 1) === LT) return this.heredoc(depth);
    if (isIdentStart(c)) {
      const start = this.pos;
      const name = this.ident();
      if (name === 'true') return true;
      if (name === 'false') return false;
      if (name === 'null') return null;
      this.pos = start;
      return this.wrapped(depth);
    }
    return decline();
  }

  /**
   * A traversal or function call (with traversal steps after it): hcl2json writes its source
   * text. Every step is written without spaces; whatever follows is the caller's to check.
   */
  private wrapped(depth: number): string {
    if (depth > MAX_DEPTH) decline();
    const start = this.pos;
    const name = this.ident();
    if (name === 'true' || name === 'false' || name === 'null' || name === 'for') decline();
    if (this.code(this.pos) === LPAREN) {
      this.pos++;
      for (;;) {
        this.trivia();
        if (this.code(this.pos) === RPAREN) {
          this.pos++;
          break;
        }
        this.value(depth + 1);
        this.trivia();
        const c = this.code(this.pos);
        if (c === COMMA) this.pos++;
        else if (c === RPAREN) {
          this.pos++;
          break;
        } else decline();
      }
    }
    for (;;) {
      const c = this.code(this.pos);
      if (c === DOT) {
        // `.name`; not the legacy `.0` index nor the `.*` splat.
        if (!isIdentStart(this.code(this.pos + 1))) decline();
        this.pos++;
        this.ident();
      } else if (c === LBRACKET) {
        this.pos++;
        this.trivia();
        if (this.code(this.pos) === STAR) decline();
        this.value(depth + 1);
        this.trivia();
        if (this.code(this.pos) !== RBRACKET) decline();
        this.pos++;
      } else break;
    }
    // hcl2json takes one more `)` when one follows the range: only possible inside a function
    // call's parentheses here, where the converted text is not used (the call's is).
    return `\${${this.text.slice(start, this.pos)}}`;
  }

  private number(): number {
    const text = this.text;
    const start = this.pos;
    let at = start;
    if (text.charCodeAt(at) === MINUS) at++;
    let digits = 0;
    while (isDigit(this.code(at))) {
      at++;
      digits++;
    }
    if (this.code(at) === DOT && isDigit(this.code(at + 1))) {
      at++;
      while (isDigit(this.code(at))) {
        at++;
        digits++;
      }
    }
    const e = this.code(at);
    if (e === LOWER_E || e === UPPER_E) {
      let q = at + 1;
      const sign = this.code(q);
      if (sign === PLUS || sign === MINUS) q++;
      if (isDigit(this.code(q))) {
        const exponentStart = q;
        while (isDigit(this.code(q))) q++;
        if (q - exponentStart > 3 || Number(text.slice(exponentStart, q)) > 250) decline();
        at = q;
      }
    }
    // At most 40 digits: their decimal value is what HCL's 512-bit float prints back exactly,
    // so JSON.parse of hcl2json's text and Number of the literal round the same real number.
    if (digits > 40) decline();
    this.pos = at;
    return Number(text.slice(start, at));
  }

  private tuple(depth: number): HclValue[] {
    this.pos++;
    const items: HclValue[] = [];
    for (;;) {
      this.trivia();
      if (this.code(this.pos) === RBRACKET) {
        this.pos++;
        return items;
      }
      items.push(this.value(depth + 1));
      this.trivia();
      const c = this.code(this.pos);
      if (c === COMMA) this.pos++;
      else if (c === RBRACKET) {
        this.pos++;
        return items;
      } else decline();
    }
  }

  private object(depth: number): JsonObject {
    this.pos++;
    const entries = new Entries();
    for (;;) {
      this.trivia();
      const c = this.code(this.pos);
      if (c === RBRACE) {
        this.pos++;
        break;
      }
      let key: string;
      if (c === QUOTE) key = this.quoted('key', depth);
      else {
        key = this.ident();
        if (key === 'for' || key === 'true' || key === 'false' || key === 'null') decline();
      }
      this.spaces();
      const separator = this.code(this.pos);
      if (separator === COLON) {
        if (this.code(this.pos + 1) === COLON) decline();
        this.pos++;
      } else this.equals();
      this.spaces();
      entries.set(key, this.value(depth + 1));
      this.spaces();
      const after = this.code(this.pos);
      if (after === RBRACE) {
        this.pos++;
        break;
      }
      if (after === COMMA) this.pos++;
      else if (!this.newline()) decline();
    }
    return sortedObject(entries);
  }

  /**
   * A quoted string: a template (literal runs escaped, interpolations as source), an object
   * key (a template without interpolations) or a block label (decoded text as it is).
   */
  private quoted(kind: 'template' | 'key' | 'label', depth: number): string {
    const text = this.text;
    this.pos++;
    let out = '';
    let run = '';
    let nonAscii = false;
    for (;;) {
      if (this.pos >= this.length) decline();
      const c = text.charCodeAt(this.pos);
      if (c === QUOTE) {
        this.pos++;
        break;
      }
      if (c === BACKSLASH) {
        const selector = this.code(this.pos + 1);
        if (selector === LOWER_N) run += '\n';
        else if (selector === LOWER_R) run += '\r';
        else if (selector === LOWER_T) run += '\t';
        else if (selector === QUOTE) run += '"';
        else if (selector === BACKSLASH) run += '\\';
        else if (selector === LOWER_U || selector === UPPER_U) {
          const count = selector === LOWER_U ? 4 : 8;
          let point = 0;
          for (let i = 0; i < count; i++) {
            const digit = hexValue(this.code(this.pos + 2 + i));
            if (digit < 0) decline();
            point = point * 16 + digit;
          }
          if (point >= 0xd800 && point <= 0xdfff) decline();
          if (point > 0xffff) decline();
          if (point >= 0x80) nonAscii = true;
          run += String.fromCharCode(point);
          this.pos += 2 + count;
          continue;
        } else decline();
        this.pos += 2;
        continue;
      }
      if (c === DOLLAR || c === PERCENT) {
        const next = this.code(this.pos + 1);
        if (next === LBRACE) {
          if (c === PERCENT || kind !== 'template') decline();
          if (run !== '') {
            out += literalRun(run, nonAscii);
            run = '';
            nonAscii = false;
          }
          out += this.interpolation(depth);
          continue;
        }
        run += this.templateMarkerText(c);
        continue;
      }
      if (c === LF || c === CR) decline();
      const start = this.pos;
      let at = runEnd(QUOTED_ASCII_RUN, text, start);
      if (this.code(at) >= 0x80) {
        nonAscii = true;
        at = runEnd(QUOTED_RUN, text, at);
      }
      run += text.slice(start, at);
      this.pos = at;
    }
    if (kind === 'label') return run;
    if (run !== '') out += literalRun(run, nonAscii);
    return out;
  }

  /**
   * At a `$` or `%` that opens no interpolation: `$${` and `%%{` are the escapes of `${` and
   * `%{` (three characters), anything else is the character itself.
   */
  private templateMarkerText(c: number): string {
    if (this.code(this.pos + 1) === c && this.code(this.pos + 2) === LBRACE) {
      this.pos += 3;
      return c === DOLLAR ? '${' : '%{';
    }
    this.pos++;
    return c === DOLLAR ? '$' : '%';
  }

  /** `${` expression `}` where the expression is written as source: its converted form. */
  private interpolation(depth: number): string {
    this.pos += 2;
    if (this.code(this.pos) === TILDE) decline();
    this.trivia();
    const converted = this.wrapped(depth + 1);
    this.trivia();
    if (this.code(this.pos) !== RBRACE) decline();
    this.pos++;
    return converted;
  }

  private heredoc(depth: number): string {
    const text = this.text;
    let at = this.pos + 2;
    const flush = this.code(at) === MINUS;
    if (flush) at++;
    const markerStart = at;
    if (!isIdentStart(this.code(at))) decline();
    while (isIdentPart(this.code(at))) at++;
    const marker = text.slice(markerStart, at);
    if (this.code(at) === CR) at++;
    if (this.code(at) !== LF) decline();
    this.pos = at + 1;

    const lines: HeredocLine[] = [];
    let nonAscii = false;
    for (;;) {
      const lineStart = this.pos;
      const lineEnd = text.indexOf('\n', lineStart);
      if (lineEnd === -1) decline();
      if (goTrimSpace(text.slice(lineStart, lineEnd + 1)) === marker) {
        // The closing marker; the newline after it is the next token.
        this.pos = text.charCodeAt(lineEnd - 1) === CR && lineEnd - 1 >= lineStart ? lineEnd - 1 : lineEnd;
        break;
      }
      const line: HeredocLine = { parts: [], start: lineStart, end: lineEnd + 1 };
      let run = '';
      while (this.pos <= lineEnd) {
        const c = text.charCodeAt(this.pos);
        if (c === DOLLAR || c === PERCENT) {
          const next = this.code(this.pos + 1);
          if (next === LBRACE) {
            if (c === PERCENT) decline();
            if (run !== '') line.parts.push({ literal: run });
            run = '';
            line.parts.push({ interpolation: this.interpolation(depth) });
            // An interpolation spanning lines would change where lines start: not read here.
            if (this.pos > lineEnd) decline();
            continue;
          }
          run += this.templateMarkerText(c);
          continue;
        }
        const start = this.pos;
        let end = start;
        for (; end <= lineEnd; end++) {
          const d = text.charCodeAt(end);
          if (d === DOLLAR || d === PERCENT) break;
          if (d >= 0x80) nonAscii = true;
        }
        run += text.slice(start, end);
        this.pos = end;
      }
      if (run !== '') line.parts.push({ literal: run });
      lines.push(line);
    }

    if (flush) {
      if (nonAscii) decline();
      flushHeredoc(text, lines);
    }

    let out = '';
    let run = '';
    for (const line of lines) {
      for (const part of line.parts) {
        if ('literal' in part) run += part.literal;
        else {
          if (run !== '') out += literalRun(run, nonAscii);
          run = '';
          out += part.interpolation;
        }
      }
    }
    if (run !== '') out += literalRun(run, nonAscii);
    return out;
  }
}

/**
 * `<<-` heredocs: HCL removes from each line that starts with literal text the smallest number
 * of leading spaces among such lines (and lines starting with an interpolation, which count as
 * none); lines of spaces alone count for nothing and keep their spaces. ASCII text only.
 */
function flushHeredoc(text: string, lines: HeredocLine[]): void {
  let least = Infinity;
  const adjusted: HeredocLine[] = [];
  for (const line of lines) {
    const first = line.parts[0];
    if (first === undefined || !('literal' in first)) {
      least = 0;
      continue;
    }
    let spaces = 0;
    while (line.start + spaces < line.end && isGoSpace(text.charCodeAt(line.start + spaces))) spaces++;
    // All spaces up to and including the newline: a blank line.
    if (line.start + spaces === line.end) continue;
    least = Math.min(least, spaces);
    adjusted.push(line);
  }
  if (least === Infinity || least === 0) return;
  for (const line of adjusted) {
    const first = line.parts[0] as { literal: string };
    first.literal = first.literal.slice(least);
  }
}

function convertBody(blocks: Block[], attributes: Entries): JsonObject {
  const out = new Entries();
  for (const { type, labels, body } of blocks) {
    let level = out;
    let key = type;
    for (const label of labels) {
      const existing = level.values.get(key);
      if (existing === undefined) {
        const next = new Entries();
        level.set(key, next);
        level = next;
      } else if (existing instanceof Entries) level = existing;
      else decline();
      key = label;
    }
    const existing = level.values.get(key);
    if (existing === undefined) level.set(key, [body]);
    else if (Array.isArray(existing)) existing.push(body);
    else decline();
  }
  for (const name of attributes.keys) {
    if (out.values.has(name)) decline();
    out.set(name, attributes.values.get(name)!);
  }
  return sortedObject(out);
}

/**
 * hcl2json's JSON form of `text` (`parse(file, text)` of @cdktf/hcl2json), or null when the
 * text is outside the subset read here: then only hcl2json can say what it holds.
 */
export function parseHclFast(file: string, text: string): HclBody | null {
  void file;
  if (SURROGATE.test(text) || LONE_CR.test(text)) return null;
  try {
    return new FastParser(text).file();
  } catch {
    // DECLINED, or a case this parser does not foresee: hcl2json decides.
    return null;
  }
}
