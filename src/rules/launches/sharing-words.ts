// What a fix of no-sharing-on-init must preserve, in words: each command of a shell text with
// its wrappers, environment prefixes and argv, and for every `terramate run ... init` the
// sharing flags and variables it gets. A fixed text is right when its commands read as the
// original's with exactly those sharing words gone from the init launches in question.

import { parseShell, type ShellCommand, type VariableMap } from '../../parsers/shell.js';
import { findInitInRunCommand, parseTerramateInvocation, SHARING_ENV_VARS } from '../../parsers/terramate-cli.js';

const SHARING_FLAG_NAMES = new Set(['enable-sharing', 'mock-on-fail']);
const SHARING_ENV = new Set<string>(SHARING_ENV_VARS);

/** A sharing flag as a word: `--enable-sharing`, `--mock-on-fail=true`. */
export const SHARING_FLAG_WORD = /^--(enable-sharing|mock-on-fail)(=.*)?$/;

/** The `$(filter-out ...)` patterns that remove exactly the sharing flag words. */
export const SHARING_PATTERNS = '--enable-sharing% --mock-on-fail%';

export interface CommandShape {
  /** `sh -c`, `env`... the command was found inside. */
  via: string[];
  /** `NAME=value` prefixes as written. */
  assignments: string[];
  words: string[];
  /** Set for `terramate run ... init`. */
  launch: LaunchShape | null;
}

export interface LaunchShape {
  /** argv indexes of the sharing flag words. */
  flagWords: number[];
  /** Indexes (in `assignments`) of TM_ARG_RUN_ENABLE_SHARING / TM_ARG_RUN_MOCK_ON_FAIL prefixes. */
  envPrefixes: number[];
  /** True when sharing is on or may be on (a flag, a prefix, an exported variable). */
  sharing: boolean;
  /** The words in Terramate's option positions whose value is known only at run time. */
  runTimeWords: string[];
}

function assignmentText(command: ShellCommand, index: number): string {
  const assignment = command.assignments[index];
  return `${assignment.name}${assignment.append ? '+=' : '='}${typeof assignment.value === 'string' ? assignment.value : '<unknown>'}`;
}

/** The shape of one command as the shell and Terramate read it. */
export function shapeOf(command: ShellCommand): CommandShape {
  const words = command.argv.map((word) => word.text);
  const assignments = command.assignments.map((_, index) => assignmentText(command, index));
  const invocation = parseTerramateInvocation(command.argv, { env: command.environment });
  if (!invocation || invocation.kind !== 'run' || findInitInRunCommand(invocation.command, command.environment).length === 0) {
    return { via: command.via, assignments, words, launch: null };
  }
  const flags = invocation.flags.filter((flag) => SHARING_FLAG_NAMES.has(flag.name));
  const runTimeWords = invocation.unknownWords.map((index) => command.argv[index].text);
  for (const flag of flags) if (flag.value === null) runTimeWords.push(command.argv[flag.index].text);
  const { enableSharing, mockOnFail } = invocation.options;
  return {
    via: command.via,
    assignments,
    words,
    launch: {
      flagWords: flags.map((flag) => flag.index),
      envPrefixes: command.assignments.map((assignment, index) => (SHARING_ENV.has(assignment.name) ? index : -1)).filter((index) => index >= 0),
      sharing: enableSharing.value !== false || mockOnFail.value !== false,
      runTimeWords,
    },
  };
}

export function shapesOf(text: string, env?: VariableMap): CommandShape[] {
  return parseShell(text, { env }).commands.map(shapeOf);
}

/** The shape with the sharing words of a launch left out (other commands as they are). */
export function withoutSharing(shape: CommandShape): CommandShape {
  if (!shape.launch) return shape;
  const { flagWords, envPrefixes } = shape.launch;
  return {
    ...shape,
    words: shape.words.filter((_, index) => !flagWords.includes(index)),
    assignments: shape.assignments.filter((_, index) => !envPrefixes.includes(index)),
  };
}

/** The words that matter for comparing: wrappers, prefixes, argv. */
export function key(shape: CommandShape): string {
  return JSON.stringify([shape.via, shape.assignments, shape.words]);
}

/** True when a launch still gets sharing, or its options hold a word known only at run time. */
export function stillShares(shape: CommandShape): boolean {
  return shape.launch !== null && (shape.launch.sharing || shape.launch.flagWords.length > 0 || shape.launch.envPrefixes.length > 0);
}
