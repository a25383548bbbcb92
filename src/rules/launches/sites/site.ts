import type { TextEdit } from '../../../types.js';
import type { CommandInFile, CommandInText } from './shell-text.js';

/**
 * Where a launch sits, as an editor of that kind of file: the launching command found again
 * with the file offsets of its words, and the edits the launch fixes make there.
 */
export interface LaunchSite {
  located: CommandInText;
  /** A Makefile recipe line: words may be make references, which make expands per goal. */
  makeRecipe: boolean;
  /**
   * Shell commands that run before the launch, in the same recipe, job, step list or script,
   * as one insertion (`stepName` names a new CI step where one is needed); null when the place
   * cannot take them safely.
   */
  insertBefore(commands: readonly string[], stepName: string): TextEdit | null;
}

/**
 * A file whose launches are shell commands written in it (a shell script, a justfile, a
 * package.json, a CI file, a Taskfile), read whole for the fixes that take words out of a
 * launch (`argvWordRemoval`, `prefixRemoval`): its commands in any version of its text, and
 * what must read the same around them.
 */
export interface CommandFile {
  /** Every command of the file's shell texts in `text`, in order, with its file span; null when the file does not read. */
  commands(text: string): CommandInFile[] | null;
  /** True when `fixed` holds the data of `text` (the YAML or JSON around the commands) apart from one string at most. */
  sameDataApartFromOneString(text: string, fixed: string): boolean;
}
