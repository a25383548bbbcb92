import type { InitLaunch } from '../../../analysis/launches.js';
import type { CommandFile, LaunchSite } from './site.js';
import { commandFileOf, commandSites, launchCommandIn, linesBefore } from './shell-text.js';

/**
 * A launch in a justfile recipe. Each recipe line runs in its own shell: the command must start
 * its line (after the indentation and just's `@`/`-`), and new lines take the same lead.
 */
export function justfileSite(launch: InitLaunch, text: string): LaunchSite | null {
  const launchCommand = launchCommandIn(commandSites(launch.file, text, 'justfile'), launch.start, launch.end);
  if (!launchCommand) return null;
  const { located } = launchCommand;
  return {
    located,
    makeRecipe: false,
    insertBefore: (commands) => linesBefore(launch.file, text, located.start, commands, { prefixPattern: /^[ \t]+[@-]{0,2}$/, before: (lineStart) => text.slice(0, lineStart) }),
  };
}

/** A justfile for word edits: its recipe lines' shell texts; nothing else in it is compared. */
export function justfileFile(file: string): CommandFile {
  return commandFileOf((text) => commandSites(file, text, 'justfile'));
}
