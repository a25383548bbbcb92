// Shell text inside a file (a whole script, a CI `run:` value, a package.json script): finding
// a launching command in it again, the file offsets of its words, and the line arithmetic the
// site editors share.

import { parseShell, type ArgWord, type ShellCommand, type VariableMap } from '../../../parsers/shell.js';
import { extractCommandSites, positionInFile, type CiFileKind } from '../../../parsers/yaml-ci.js';
import type { TextEdit } from '../../../types.js';

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

function fileSpan(site: ShellSite, command: ShellCommand): { start: number; end: number } {
  return { start: site.toFile(command.start), end: site.toFile(Math.max(command.start, command.end - 1)) + 1 };
}

/** The top-level command of `sites` spanning exactly `[start, end)` of the file. */
export function commandAt(sites: readonly ShellSite[], start: number, end: number): FoundCommand | null {
  for (const site of sites) {
    for (const command of parseShell(site.text, { env: site.env }).commands) {
      if (command.via.length > 0) continue;
      const span = fileSpan(site, command);
      if (span.start === start && span.end === end) return { command, site };
    }
  }
  return null;
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
