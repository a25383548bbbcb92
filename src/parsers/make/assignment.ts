// Recognising variable assignments the way GNU make's parse_var_assignment does.

import type { VariableOperator } from './types.js';

export interface ParsedDefinition {
  nameStart: number;
  nameEnd: number;
  op: Exclude<VariableOperator, 'define'>;
  /** Index of the value's first character (leading blanks skipped). */
  valueStart: number;
}

export interface Modifiers {
  export: boolean;
  override: boolean;
  private: boolean;
}

export type ParsedAssignment =
  | { kind: 'assign'; modifiers: Modifiers; definition: ParsedDefinition }
  | { kind: 'define'; modifiers: Modifiers; rest: number }
  | { kind: 'undefine'; modifiers: Modifiers; rest: number };

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\v\f\r]/.test(c);

function skipSpace(text: string, from: number): number {
  let i = from;
  while (isSpace(text[i])) i++;
  return i;
}

function skipBlanks(text: string, from: number): number {
  let i = from;
  while (isBlank(text[i])) i++;
  return i;
}

/** make's parse_variable_definition: `NAME op value` starting at `from`, or null. */
export function parseVariableDefinition(text: string, from: number): ParsedDefinition | null {
  let p = skipSpace(text, from);
  const nameStart = p;
  let sawBlank = false;
  let nameEnd = -1;
  for (;;) {
    const c = text[p++];
    if (c === undefined || c === '#') return null;
    if (c === '$') {
      const open = text[p++];
      if (open === undefined) return null;
      if (open !== '(' && open !== '{') continue;
      const close = open === '(' ? ')' : '}';
      let count = 1;
      for (; p < text.length; p++) {
        if (text[p] === close && --count === 0) {
          p++;
          break;
        }
        if (text[p] === open) count++;
      }
      continue;
    }
    let current = c;
    if (isBlank(current)) {
      sawBlank = true;
      nameEnd = p - 1;
      p = skipSpace(text, p);
      const after = text[p];
      if (after === undefined) return null;
      current = after;
      p++;
    }
    if (current === '=') {
      if (!sawBlank) nameEnd = p - 1;
      return { nameStart, nameEnd, op: '=', valueStart: skipBlanks(text, p) };
    }
    if (text[p] === '=') {
      const op = current === ':' ? ':=' : current === '+' ? '+=' : current === '?' ? '?=' : current === '!' ? '!=' : null;
      if (op === null) {
        if (sawBlank) return null;
        continue;
      }
      if (!sawBlank) nameEnd = p - 1;
      p++;
      return { nameStart, nameEnd, op, valueStart: skipBlanks(text, p) };
    }
    if (current === ':') {
      if (text[p] !== ':' || text[p + 1] !== '=') return null;
      if (!sawBlank) nameEnd = p - 1;
      p += 2;
      return { nameStart, nameEnd, op: '::=', valueStart: skipBlanks(text, p) };
    }
    if (sawBlank) return null;
  }
}

function wordAt(text: string, from: number): { word: string; end: number } {
  let end = from;
  while (end < text.length && !isSpace(text[end])) end++;
  return { word: text.slice(from, end), end };
}

/** make's parse_var_assignment: modifiers (export, override, private) then a definition. */
export function parseAssignment(text: string, from: number): ParsedAssignment | null {
  const modifiers: Modifiers = { export: false, override: false, private: false };
  let p = skipSpace(text, from);
  if (p >= text.length) return null;
  for (;;) {
    const definition = parseVariableDefinition(text, p);
    if (definition) return { kind: 'assign', modifiers, definition };
    const { word, end } = wordAt(text, p);
    if (word === 'export' || word === 'unexport') modifiers.export = word === 'export';
    else if (word === 'override') modifiers.override = true;
    else if (word === 'private') modifiers.private = true;
    else if (word === 'define') return { kind: 'define', modifiers, rest: skipSpace(text, end) };
    else if (word === 'undefine') return { kind: 'undefine', modifiers, rest: skipSpace(text, end) };
    else return null;
    p = skipSpace(text, end);
    if (p >= text.length) return null;
  }
}
