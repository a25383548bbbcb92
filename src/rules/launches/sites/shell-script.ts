import type { InitLaunch } from '../../../analysis/launches.js';
import type { LaunchSite } from './site.js';
import { commandAt, linesBefore, locate, wholeFileSite } from './shell-text.js';

/** A launch in a shell script: new lines go before the command's line, at its indentation. */
export function shellScriptSite(launch: InitLaunch, text: string): LaunchSite | null {
  const found = commandAt([wholeFileSite(text)], launch.start, launch.end);
  const located = found && locate(found);
  if (!located) return null;
  return {
    located,
    makeRecipe: false,
    insertBefore: (commands) => linesBefore(launch.file, text, located.start, commands, { prefixPattern: /^[ \t]*$/, before: (lineStart) => text.slice(0, lineStart) }),
  };
}
