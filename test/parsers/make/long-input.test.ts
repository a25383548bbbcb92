// Long makefiles read as short ones do: the paths made linear (continuations collapsed, the
// diagnostics' lines, a recipe line cut into its commands, blanks trimmed) give the same
// values, lines and provenance at any length. No timing is asserted.

import { describe, expect, it } from '@jest/globals';
import { evaluateMakefile, type MakeDatabase } from '../../../src/parsers/make/index.js';
import { literal, textOf, trim, type Pieces } from '../../../src/parsers/make/pieces.js';

function evaluate(text: string): MakeDatabase {
  return evaluateMakefile('/p/Makefile', (file) => (file === '/p/Makefile' ? text : undefined));
}

describe('a long makefile', () => {
  it('collapses a value continued over thousands of lines, blanks around each joint to one space', () => {
    const lines = 5000;
    const db = evaluate(`X := ${'a   \\\n   '.repeat(lines)}b\nall:\n\techo $(X)\n`);
    const value = `${'a '.repeat(lines)}b`;
    expect(db.definitions.map((definition) => [definition.name, definition.value])).toEqual([['X', value]]);
    expect(db.recipes[0].variants.map((variant) => variant.text)).toEqual([`echo ${value}`]);
    expect(db.diagnostics).toEqual([]);
  });

  it('collapses a rule line continued over thousands of lines into its prerequisites', () => {
    const db = evaluate(`all: ${Array.from({ length: 3000 }, (_, i) => `p${i % 1000}   \\\n   `).join('')}\n\techo $^\n`);
    // Prerequisites are kept once each ($^), in order.
    expect(db.recipes[0].variants[0].text).toBe(`echo ${Array.from({ length: 1000 }, (_, i) => `p${i}`).join(' ')}`);
  });

  it('puts each of thousands of diagnostics on its own line and column', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(i % 2 === 0 ? `X${i} := $(A${i}` : `Y${i} := fine`);
    const db = evaluate(`${lines.join('\n')}\n`);
    const expected = lines.flatMap((line, index) => (index % 2 === 0 ? [`${index + 1}:${line.indexOf('$') + 1}:unterminated variable reference`] : []));
    expect(db.diagnostics.map((diagnostic) => `${diagnostic.line}:${diagnostic.column}:${diagnostic.message}`)).toEqual(expected);
  });

  it('cuts a line that expands to thousands of commands, prefixes dropped and provenance kept', () => {
    const steps = 2000;
    const body = Array.from({ length: steps }, (_, i) => `${'@-+'[i % 3]}echo step${i} $(V)`).join('\n');
    const db = evaluate(`V := v\ndefine STEPS\n${body}\nendef\nall:\n\t$(STEPS)\n`);
    const [variant] = db.recipes[0].variants;
    expect(variant.text).toBe(Array.from({ length: steps }, (_, i) => `echo step${i} v`).join('\n'));
    const fromV = variant.spans.filter((span) => span.via.map((link) => link.name).join('>') === 'STEPS>V');
    expect(fromV).toHaveLength(steps);
    expect(fromV.every((span) => variant.text.slice(span.start, span.end) === 'v')).toBe(true);
    // Every other character came through STEPS alone (the newlines between commands are make's own).
    const covered = variant.spans.reduce((sum, span) => sum + span.end - span.start, 0);
    expect(covered).toBe(variant.text.length - (steps - 1));
  });
});

describe('trim', () => {
  const via = (name: string) => [{ name, definedAt: null, refFile: '/p/Makefile', refStart: 0, refEnd: 0 }];
  const pieces = (...texts: string[]): Pieces => texts.map((text, index) => ({ text, via: via(`P${index}`) }));
  const shown = (result: Pieces) => result.map((piece) => `${piece.via[0]?.name ?? ''}:${JSON.stringify(piece.text)}`);

  it('drops blank pieces at both ends and the blanks of the first and last pieces left', () => {
    expect(shown(trim(pieces(' ', ' \t a ', 'b', ' \n', ' ')))).toEqual(['P1:"a "', 'P2:"b"']);
    expect(shown(trim(pieces('  x  ')))).toEqual(['P0:"x"']);
    expect(shown(trim(pieces(' ', '\t')))).toEqual([]);
    expect(trim(literal(''))).toEqual([]);
  });

  it('keeps a long run of blanks inside, and trims one at the end', () => {
    const blanks = ' '.repeat(100_000);
    expect(textOf(trim(pieces(`a${blanks}b`)))).toBe(`a${blanks}b`);
    expect(textOf(trim(pieces(`${blanks}a${blanks}`, blanks)))).toBe('a');
  });
});
