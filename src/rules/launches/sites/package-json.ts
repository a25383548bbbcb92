import type { InitLaunch } from '../../../analysis/launches.js';
import { parseShell } from '../../../parsers/shell.js';
import type { CommandFile, LaunchSite } from './site.js';
import { applyOne, commandFileOf, commandSites, insertion, launchCommandIn } from './shell-text.js';

/**
 * A launch in a package.json script: new commands are joined before it with `&&`
 * (`a && b` -> `a && new && b`, `a; b` -> `a; new && b` keep b's conditions; after `||` or a
 * pipe they would not, so there is no edit). The JSON must read the same apart from that script.
 */
export function packageJsonSite(launch: InitLaunch, text: string): LaunchSite | null {
  const launchCommand = launchCommandIn(commandSites(launch.file, text, 'package-json'), launch.start, launch.end);
  if (!launchCommand) return null;
  const { found, located } = launchCommand;
  return {
    located,
    makeRecipe: false,
    insertBefore: (commands) => {
      const previous = found.site.text.slice(0, found.command.start).trimEnd();
      const lastCommandEnd = Math.max(0, ...parseShell(found.site.text).commands.filter((command) => command.end <= found.command.start).map((command) => command.end));
      const separator = previous.slice(lastCommandEnd).trim();
      if (!['', '&&', ';'].includes(separator)) return null;
      // Each command becomes a JSON string's content: only text that needs no escaping there.
      if (commands.some((command) => /["\\\u0000-\u001f]/.test(command))) return null;
      const edit = insertion(launch.file, located.start, commands.map((command) => `${command} && `).join(''));
      return sameJsonApartFromOneScript(text, applyOne(text, edit)) ? edit : null;
    },
  };
}

/** A package.json for word edits: its scripts' shell texts, and the JSON data around them. */
export function packageJsonFile(file: string): CommandFile {
  return commandFileOf(
    (text) => commandSites(file, text, 'package-json'),
    (text) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    },
  );
}

function sameJsonApartFromOneScript(before: string, after: string): boolean {
  try {
    const a = JSON.parse(before) as Record<string, unknown>;
    const b = JSON.parse(after) as Record<string, unknown>;
    const scriptsA = a.scripts as Record<string, unknown>;
    const scriptsB = b.scripts as Record<string, unknown>;
    if (JSON.stringify({ ...a, scripts: null }) !== JSON.stringify({ ...b, scripts: null })) return false;
    const keysA = Object.keys(scriptsA);
    const keysB = Object.keys(scriptsB);
    if (keysA.length !== keysB.length || keysA.some((key, i) => key !== keysB[i])) return false;
    return keysA.filter((key) => scriptsA[key] !== scriptsB[key]).length === 1;
  } catch {
    return false;
  }
}
