// Where a lock entry's hashes are in the text of `.terraform.lock.hcl`, and the edits that
// replace or remove one of them without touching anything else. Terraform writes
//
//   provider "registry.terraform.io/hashicorp/aws" {
//     version     = "5.31.0"
//     constraints = "~> 5.31"
//     hashes = [
//       "h1:...",
//       "zh:...",
//     ]
//   }
//
// but a hand-edited file may put the list on one line or add comments: the scanner skips
// strings and comments and gives up (null) on anything it does not recognise.
import type { TextEdit } from '../../types.js';

export interface HashSpan {
  /** The string's value, e.g. `h1:...`. */
  hash: string;
  /** Offsets of the value inside its quotes. */
  start: number;
  end: number;
}

export interface EntryHashes {
  spans: HashSpan[];
}

/** Where a comment starting at `index` ends (`index` itself when none starts there); null when it is not closed. */
function commentEnd(text: string, index: number): number | null {
  const char = text[index];
  if (char === '#' || (char === '/' && text[index + 1] === '/')) return lineEnd(text, index);
  if (char === '/' && text[index + 1] === '*') {
    const close = text.indexOf('*/', index + 2);
    return close < 0 ? null : close + 2;
  }
  return index;
}

/** The hash strings of the `hashes` list of the lock entry for `address`; null when not found as Terraform writes it. */
export function lockEntryHashes(text: string, address: string): EntryHashes | null {
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const header = new RegExp(`^[ \\t]*provider[ \\t]+"${escaped}"[ \\t]*\\{`, 'm').exec(text);
  if (!header) return null;
  const bodyStart = header.index + header[0].length;
  // The block's body: to the matching `}`, at depth 0 the `hashes = [` list.
  let depth = 0;
  let index = bodyStart;
  let listStart = -1;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      const close = stringEnd(text, index);
      if (close < 0) return null;
      index = close + 1;
      continue;
    }
    const afterComment = commentEnd(text, index);
    if (afterComment === null) return null;
    if (afterComment !== index) {
      index = afterComment;
      continue;
    }
    if (char === '{' || char === '[' || char === '(') {
      if (depth === 0 && char === '[' && /(^|[\s;])hashes[ \t]*=[ \t]*$/.test(text.slice(lineStart(text, index), index))) listStart = index;
      depth += 1;
      if (listStart >= 0) break;
    } else if (char === '}' || char === ']' || char === ')') {
      if (depth === 0) return null; // the block ended without a hashes list
      depth -= 1;
    }
    index += 1;
  }
  if (listStart < 0) return null;
  const spans: HashSpan[] = [];
  index = listStart + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === ']') return { spans };
    if (char === '"') {
      const close = stringEnd(text, index);
      if (close < 0) return null;
      const value = text.slice(index + 1, close);
      if (value.includes('\\') || value.includes('${') || value.includes('%{')) return null;
      spans.push({ hash: value, start: index + 1, end: close });
      index = close + 1;
      continue;
    }
    const afterComment = commentEnd(text, index);
    if (afterComment === null) return null;
    if (afterComment !== index) {
      index = afterComment;
      continue;
    }
    if (!/[\s,]/.test(char)) return null; // not a plain list of strings
    index += 1;
  }
  return null;
}

/** Replaces one hash string's value (the quotes and the rest of the file stay). */
export function replaceHash(file: string, span: HashSpan, hash: string): TextEdit {
  return { kind: 'text', file, start: span.start, end: span.end, text: hash };
}

/**
 * Adds `hash` to the list just before the hash string at `span`: a line of its own with the
 * same indentation in Terraform's layout (one string a line), otherwise `"hash", ` in the line.
 */
export function insertHashBefore(file: string, text: string, span: HashSpan, hash: string): TextEdit {
  const quoteStart = span.start - 1;
  const from = lineStart(text, quoteStart);
  const indent = text.slice(from, quoteStart);
  if (indent.trim() === '') {
    const eol = text[lineEnd(text, quoteStart) - 1] === '\r' ? '\r\n' : '\n';
    return { kind: 'text', file, start: from, end: from, text: `${indent}"${hash}",${eol}` };
  }
  return { kind: 'text', file, start: quoteStart, end: quoteStart, text: `"${hash}", ` };
}

/**
 * Removes one hash from its list: its whole line when it is alone on it (Terraform's layout),
 * otherwise the string with the comma and blanks after it (or, last in a list, before it).
 */
export function removeHash(file: string, text: string, span: HashSpan): TextEdit {
  const quoteStart = span.start - 1;
  const quoteEnd = span.end + 1;
  const from = lineStart(text, quoteStart);
  const to = lineEnd(text, quoteEnd);
  if (text.slice(from, quoteStart).trim() === '' && /^[ \t]*,?[ \t]*\r?$/.test(text.slice(quoteEnd, to))) {
    return { kind: 'text', file, start: from, end: to < text.length ? to + 1 : to, text: '' };
  }
  const after = /^[ \t]*,[ \t]*/.exec(text.slice(quoteEnd));
  if (after) return { kind: 'text', file, start: quoteStart, end: quoteEnd + after[0].length, text: '' };
  const before = /,[ \t]*$/.exec(text.slice(0, quoteStart));
  return { kind: 'text', file, start: before ? quoteStart - before[0].length : quoteStart, end: quoteEnd, text: '' };
}

/** The index of the closing quote of the string opening at `open`; -1 when unterminated on its line. */
function stringEnd(text: string, open: number): number {
  for (let index = open + 1; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\\') index += 1;
    else if (char === '"') return index;
    else if (char === '\n') return -1;
  }
  return -1;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset of the line break ending the line of `offset` (the text's length on the last line). */
function lineEnd(text: string, offset: number): number {
  const next = text.indexOf('\n', offset);
  return next < 0 ? text.length : next;
}
