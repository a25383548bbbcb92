// How make turns a recipe line as read into the text it expands (job.c new_job): the recipe
// prefix after a backslash-newline is dropped, and inside `$(...)` a backslash-newline with
// the whitespace around it becomes one space. Outside references, backslash-newline stays.

import { SourceBuilder, type SourceText } from './source.js';

const isSpace = (c: string | undefined): boolean => c !== undefined && /[ \t\n\v\f\r]/.test(c);

export function dropContinuationPrefixes(source: SourceText, prefix: string): SourceText {
  const text = source.text;
  if (!text.includes('\n')) return source;
  const out = new SourceBuilder(source.file);
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n' && text[i + 1] === prefix) {
      out.append(source, from, i + 1);
      from = i + 2;
      i++;
    }
  }
  out.append(source, from, text.length);
  return out.build(source.offsets[text.length]);
}

export function collapseInsideReferences(source: SourceText): SourceText {
  const text = source.text;
  if (!text.includes('\\\n')) return source;
  const out = new SourceBuilder(source.file);
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) break;
    out.append(source, i, dollar + 1);
    i = dollar + 1;
    const open = text[i];
    if (open !== '(' && open !== '{') continue;
    const close = open === '(' ? ')' : '}';
    out.append(source, i, i + 1);
    i++;
    const referenceStart = out.length;
    let count = 0;
    while (i < text.length) {
      const c = text[i];
      if (c === close && --count < 0) break;
      if (c === '\\' && text[i + 1] === '\n') {
        let quoted = false;
        for (let k = i - 1; k > dollar + 1 && text[k] === '\\'; k--) quoted = !quoted;
        if (quoted) {
          out.append(source, i, i + 1);
          i++;
          continue;
        }
        const at = source.offsets[i];
        i += 2;
        while (isSpace(text[i])) i++;
        while (out.length > referenceStart && (out.lastChar() === ' ' || out.lastChar() === '\t')) out.dropLast();
        out.appendSynthetic(' ', at);
        continue;
      }
      if (c === open) count++;
      out.append(source, i, i + 1);
      i++;
    }
  }
  out.append(source, i, text.length);
  return out.build(source.offsets[text.length]);
}
