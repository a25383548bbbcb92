// Shell text inside a file (a whole script, a CI `run:` value, a package.json script): finding
// a launching command in it again, the file offsets of its words, taking words out of a command
// line, and the line arithmetic and text edits the site editors share.

import { parseShell, type ArgWord, type ShellCommand, type VariableMap } from '../../../parsers/shell.js';
import { extractCommandSites, positionInFile, type CiFileKind } from '../../../parsers/yaml-ci.js';
import type { TextEdit } from '../../../types.js';
import type { CommandFile } from './site.js';

/** Shell text and where each of its offsets sits in the file. */
export interface ShellSite {
  text: string;
  env?: VariableMap;
  toFile(offset: number): number;
}

export interface FoundCommand {
  command: ShellCommand;
  site: ShellSite;
}

/** A command with the file offsets of its words. */
export interface CommandInText {
  command: ShellCommand;
  /** File offset where a word starts, and ends. */
  wordStart(word: ArgWord): number;
  wordEnd(word: ArgWord): number;
  /** File offset where the command starts (its `VAR=value` prefixes included). */
  start: number;
}

export function wholeFileSite(text: string): ShellSite {
  return { text, toFile: (offset) => offset };
}

/** The shell sites of a CI, task-runner or package.json file; null when the file does not read. */
export function commandSites(file: string, text: string, kind: CiFileKind): ShellSite[] | null {
  const extracted = extractCommandSites(file, text, kind);
  if (extracted.diagnostics.length > 0) return null;
  return extracted.sites.map((site) => ({ text: site.text, env: site.env as VariableMap | undefined, toFile: (offset: number) => positionInFile(site, offset).offset }));
}

/** A command of a shell site with its file span `[start, end)`. */
export interface CommandInFile extends FoundCommand {
  start: number;
  end: number;
}

function fileSpan(site: ShellSite, command: ShellCommand): { start: number; end: number } {
  return { start: site.toFile(command.start), end: site.toFile(Math.max(command.start, command.end - 1)) + 1 };
}

/** Every command of `sites` in order, those found inside `sh -c`, `env`... too, each read when reached. */
export function* commandsIn(sites: readonly ShellSite[]): Generator<CommandInFile> {
  for (const site of sites) {
    for (const command of parseShell(site.text, { env: site.env }).commands) yield { command, site, ...fileSpan(site, command) };
  }
}

/** The top-level command of `sites` spanning exactly `[start, end)` of the file. */
export function commandAt(sites: readonly ShellSite[], start: number, end: number): FoundCommand | null {
  for (const found of commandsIn(sites)) {
    if (found.command.via.length === 0 && found.start === start && found.end === end) return found;
  }
  return null;
}

/**
 * A file of shell texts (`sitesOf` finds them in a version of its text), for word edits; with
 * `dataOf`, the data the file holds around them (undefined where a text does not read).
 */
export function commandFileOf(sitesOf: (text: string) => ShellSite[] | null, dataOf?: (text: string) => unknown): CommandFile {
  return {
    commands: (text) => {
      const sites = sitesOf(text);
      return sites && [...commandsIn(sites)];
    },
    sameDataApartFromOneString: (text, fixed) => !dataOf || sameDataApartFromOneString(dataOf(text), dataOf(fixed)),
  };
}

/** Commands that change the working directory of the shell they run in (or may: a sourced file). */
const DIRECTORY_CHANGERS = new Set(['cd', 'pushd', 'popd', 'source', '.']);

/**
 * A command before `found` in its shell text changes the directory the launch starts in, so a
 * path that names a stack from where the text starts would be read from elsewhere.
 */
export function movesBefore(found: FoundCommand): boolean {
  return parseShell(found.site.text, { env: found.site.env }).commands.some(
    (command) => command.end <= found.command.start && command.via.length === 0 && DIRECTORY_CHANGERS.has(command.argv[0]?.value ?? ''),
  );
}

/**
 * The launch's command among `sites`, with its words' file offsets, when a path in it can be
 * read from where its shell text starts (nothing before it changes directory).
 */
export function launchCommandIn(sites: readonly ShellSite[] | null, start: number, end: number): { found: FoundCommand; located: CommandInText } | null {
  const found = sites && commandAt(sites, start, end);
  const located = found && locate(found);
  return found && located && !movesBefore(found) ? { found, located } : null;
}

export function locate(found: FoundCommand): CommandInText | null {
  const { command, site } = found;
  if (!command.exactOffsets || command.argv.some((word) => word.start < 0)) return null;
  return {
    command,
    wordStart: (word) => site.toFile(word.start),
    wordEnd: (word) => site.toFile(Math.max(word.start, word.end - 1)) + 1,
    start: site.toFile(command.start),
  };
}

/** The file range `[start, end)` of a site's text maps to (its first and last characters' places). */
function fileRange(site: ShellSite, start: number, end: number): { start: number; end: number } {
  return { start: site.toFile(start), end: site.toFile(end - 1) + 1 };
}

/** The file text a word of a site's text is written as. */
export function writtenWord(found: FoundCommand, text: string, word: ArgWord): string {
  const range = fileRange(found.site, word.start, word.end);
  return text.slice(range.start, range.end);
}

/**
 * How a word of a command comes out of the file: the range to delete (the word and the blanks
 * that go with it); `indirect` when the word is not written as the shell reads it (a flag that
 * arrives through `$OPTS`), with what is written in its place; `escaped` when the file writes it
 * with escapes the site's text does not show character for character.
 */
export type WordRemoval = { kind: 'range'; start: number; end: number } | { kind: 'indirect'; written: string } | { kind: 'escaped' };

/** The removal of argv word `index` of a found command, in the file whose text is `text`. */
export function argvWordRemoval(found: FoundCommand, text: string, index: number): WordRemoval {
  return removal(found.site, text, found.command.argv[index]);
}

/** The removal of the command's `NAME=value` prefix `index`. */
export function prefixRemoval(found: FoundCommand, text: string, index: number): WordRemoval {
  const assignment = found.command.assignments[index];
  const written = found.site.text.slice(assignment.start, assignment.end);
  return removal(found.site, text, { start: assignment.start, end: assignment.end, text: written, value: written });
}

function removal(site: ShellSite, text: string, word: { start: number; end: number; text: string; value: string | null }): WordRemoval {
  // The word must be written as it is read: a flag that arrives through `$OPTS` is not.
  if (word.start < 0 || site.text.slice(word.start, word.end).replace(/['"]/g, '') !== word.value) {
    return { kind: 'indirect', written: word.start < 0 ? word.text : site.text.slice(word.start, word.end) };
  }
  const range = fileRange(site, word.start, word.end);
  if (text.slice(range.start, range.end) !== site.text.slice(word.start, word.end)) return { kind: 'escaped' };
  return { kind: 'range', ...wordRemovalRange(text, range.start, range.end) };
}

/** Blank characters at `at` on a command line: 1 for a space or tab, 2 or 3 for a continuation (`\\` newline); 0 for none. */
export function blankLength(text: string, at: number): number {
  if (text[at] === ' ' || text[at] === '\t') return 1;
  if (text[at] === '\\' && text[at + 1] === '\n') return 2;
  if (text[at] === '\\' && text[at + 1] === '\r' && text[at + 2] === '\n') return 3;
  return 0;
}

/**
 * The range to delete for a word of a command line: it and the blanks after it (continuations
 * included), or the blanks before it when it ends the command.
 */
export function wordRemovalRange(text: string, start: number, end: number): { start: number; end: number } {
  let after = end;
  let continued = false;
  for (let step = blankLength(text, after); step > 0; step = blankLength(text, after)) {
    // After a continuation, the next line's indentation is blank too.
    if (step > 1) continued = true;
    after += step;
  }
  let before = start;
  while (before > 0 && (text[before - 1] === ' ' || text[before - 1] === '\t')) before--;
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  // A word after others on a continued line: it goes with the blanks before it, so the line
  // keeps its continuation and the next line stays where it was.
  if (continued && before > lineStart && text[before - 1] !== '\n') return { start: before, end };
  const next = text[after];
  if (after > end && next !== undefined && !'\n\r;&|)#\'"'.includes(next)) return { start, end: after };
  return { start: before, end };
}

/** The edit deleting the word `[start, end)` of a command line of `file`, with its blanks. */
export function wordRemovalEdit(file: string, text: string, start: number, end: number): TextEdit {
  return { kind: 'text', file, ...wordRemovalRange(text, start, end), text: '' };
}

export function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

export function eolAt(text: string, offset: number): string {
  const newline = text.indexOf('\n', offset);
  return newline > 0 && text[newline - 1] === '\r' ? '\r\n' : '\n';
}

/**
 * True when the shell text before a line (`before`) leaves a command unfinished, so a line
 * inserted there would join it: a continuation backslash, `&&`, `||`, a pipe.
 */
export function continuesIntoNextLine(before: string): boolean {
  const lines = before.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (/ #/.test(line)) return true; // a comment after code: too unsure to read the line's end
    const backslashes = /\\*$/.exec(trimmed)?.[0].length ?? 0;
    if (backslashes % 2 === 1) return true;
    return /(&&|\|\||\||\|&)$/.test(trimmed);
  }
  return false;
}

export function insertion(file: string, at: number, text: string): TextEdit {
  return { kind: 'text', file, start: at, end: at, text };
}

export function applyOne(text: string, edit: TextEdit): string {
  return text.slice(0, edit.start) + edit.text + text.slice(edit.end);
}

/** Edits of one file in order, overlapping removals merged into one; null when an edit that writes text overlaps another. */
export function mergedEdits(file: string, edits: ReadonlyArray<{ start: number; end: number; text: string }>): TextEdit[] | null {
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TextEdit[] = [];
  for (const edit of sorted) {
    const last = out[out.length - 1];
    if (last && edit.start < last.end) {
      if (last.text !== '' || edit.text !== '') return null;
      last.end = Math.max(last.end, edit.end);
      continue;
    }
    out.push({ kind: 'text', file, start: edit.start, end: edit.end, text: edit.text });
  }
  return out;
}

/**
 * True when two readings of a file's data (YAML, JSON; undefined where the text does not read)
 * are the same apart from one string at most: the shell text a word edit changed.
 */
export function sameDataApartFromOneString(before: unknown, after: unknown): boolean {
  if (before === undefined || after === undefined) return false;
  let changed = 0;
  const walk = (a: unknown, b: unknown): boolean => {
    if (typeof a === 'string' && typeof b === 'string') {
      if (a !== b) changed++;
      return true;
    }
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, index) => walk(item, b[index]));
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const keysA = Object.keys(a);
      const keysB = Object.keys(b);
      return keysA.length === keysB.length && keysA.every((name, index) => name === keysB[index] && walk((a as Record<string, unknown>)[name], (b as Record<string, unknown>)[name]));
    }
    return Object.is(a, b);
  };
  return walk(before, after) && changed <= 1;
}

export interface LineRules {
  /** What may stand on the line before the command (indentation, recipe flags). */
  prefixPattern: RegExp;
  /** The shell text before the line (to see that no command continues into it). */
  before(lineStart: number): string;
}

/**
 * New lines before the line the command at `start` begins, each `indent + command`: they run
 * first, in the same shell. Null when the line holds more than the command or a command above
 * continues into it.
 */
export function linesBefore(file: string, text: string, start: number, commands: readonly string[], rules: LineRules, indent?: string): TextEdit | null {
  const lineStart = lineStartOf(text, start);
  const prefix = text.slice(lineStart, start);
  if (!rules.prefixPattern.test(prefix) || continuesIntoNextLine(rules.before(lineStart))) return null;
  const eol = eolAt(text, start);
  const lead = indent ?? prefix;
  return insertion(file, lineStart, commands.map((command) => `${lead}${command}${eol}`).join(''));
}
