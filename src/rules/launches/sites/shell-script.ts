import type { InitLaunch } from '../../../analysis/launches.js';
import type { CommandFile, LaunchSite } from './site.js';
import { commandFileOf, launchCommandIn, linesBefore, wholeFileSite } from './shell-text.js';

/** A launch in a shell script: new lines go before the command's line, at its indentation. */
export function shellScriptSite(launch: InitLaunch, text: string): LaunchSite | null {
  const launchCommand = launchCommandIn([wholeFileSite(text)], launch.start, launch.end);
  if (!launchCommand) return null;
  const { located } = launchCommand;
  return {
    located,
    makeRecipe: false,
    insertBefore: (commands) => linesBefore(launch.file, text, located.start, commands, { prefixPattern: /^[ \t]*$/, before: (lineStart) => text.slice(0, lineStart) }),
  };
}

/** A shell script as a whole, for word edits: one shell text, no data around it. */
export function shellScriptFile(): CommandFile {
  return commandFileOf((text) => [wholeFileSite(text)]);
}
