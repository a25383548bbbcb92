// Long shell texts and command lines read as short ones do: the shell parser's diagnostics,
// the words of a command found through `env`, and the provenance of the sharing flags of a
// recipe line of many launches keep their exact places at any length. No timing is asserted.

import { describe, expect, it } from '@jest/globals';
import { fromMakefile } from '../../src/analysis/launches.js';
import { TerramateConfig } from '../../src/analysis/terramate.js';
import { evaluateMakefile } from '../../src/parsers/make/index.js';
import { parseShell } from '../../src/parsers/shell.js';
import { findInitInRunCommand, parseTerramateInvocation } from '../../src/parsers/terramate-cli.js';

/** Offsets of every occurrence of `needle` in `text`. */
function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) found.push(at);
  return found;
}

describe('a long shell text', () => {
  it('puts each of thousands of diagnostics on its own line and column', () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i % 7)}step${i} >`);
    const { diagnostics } = parseShell(`${lines.join('\n')}\n`);
    expect(diagnostics.map((diagnostic) => `${diagnostic.line}:${diagnostic.column}`)).toEqual(lines.map((line, index) => `${index + 1}:${line.indexOf('>') + 1}`));
    expect(diagnostics.every((diagnostic) => diagnostic.message === "missing target after '>'")).toBe(true);
  });
});

describe('a long command run by terramate', () => {
  it('maps every word of an init found through `env` back to where it is written', () => {
    const assignments = Array.from({ length: 1000 }, (_, i) => `A${i}=${i}`).join(' ');
    const variables = Array.from({ length: 1000 }, (_, i) => `-var=x${i}=${i}`).join(' ');
    const text = `terramate run -- env ${assignments} terraform init ${variables}`;
    const [command] = parseShell(text).commands;
    const invocation = parseTerramateInvocation(command.argv);
    const found = findInitInRunCommand(invocation?.command ?? []);
    expect(found).toHaveLength(1);
    const [init] = found;
    expect(init.via).toEqual(['env']);
    const tool = text.indexOf('terraform');
    expect([init.toolWord.start, init.toolWord.end]).toEqual([tool, tool + 'terraform'.length]);
    expect([init.initWord.start, init.initWord.end]).toEqual([tool + 'terraform '.length, tool + 'terraform init'.length]);
    const words = text.slice(tool).split(' ');
    let at = tool;
    const expected = words.map((word) => {
      const span = [word, at, at + word.length];
      at += word.length + 1;
      return span;
    });
    expect(init.argv.map((word) => [word.value, word.start, word.end])).toEqual(expected);
  });
});

describe('a recipe line of many launches', () => {
  it('keeps each sharing flag with the reference it came through', () => {
    const commands = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? 'terramate run --mock-on-fail -- terraform init' : 'terramate run -j $(N) $(OPTS) -- terraform init'));
    const text = `N := 4\nOPTS := --enable-sharing\ninit:\n\t${commands.join('; ')}\n`;
    const db = evaluateMakefile('/p/Makefile', (file) => (file === '/p/Makefile' ? text : undefined));
    const launches = fromMakefile({ entry: '/p/Makefile', db }, new TerramateConfig('/p', []));
    expect(launches).toHaveLength(1);
    const [launch] = launches;
    expect(launch.parallel).toBe(4);
    expect(launch.parallelVia.map((link) => [link.name, link.refStart])).toEqual([['N', text.indexOf('$(N)')]]);
    const mock = text.indexOf('--mock-on-fail');
    expect(launch.sharing.map((origin) => [origin.option, origin.via.map((link) => `${link.name}@${link.refStart}`).join('>'), origin.span])).toEqual([
      ['mock-on-fail', '', { start: mock, end: mock + '--mock-on-fail'.length }],
      ...occurrences(text, '$(OPTS)').map((at) => ['enable-sharing', `OPTS@${at}`, null]),
    ]);
  });
});
