import type { TextEdit } from '../../../types.js';
import type { CommandInText } from './shell-text.js';

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
   * as one insertion; null when the place cannot take them safely.
   */
  insertBefore(commands: readonly string[]): TextEdit | null;
}
