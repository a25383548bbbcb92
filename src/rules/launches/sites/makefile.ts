import type { InitLaunch } from '../../../analysis/launches.js';
import type { VariableDefinition } from '../../../parsers/make/index.js';
import { parseShell } from '../../../parsers/shell.js';
import { maskRecipeLine } from '../masked-recipe.js';
import type { LaunchSite } from './site.js';
import { eolAt, insertion, lineStartOf } from './shell-text.js';

/**
 * A launch on a Makefile recipe line. The line must hold the launch alone (make runs each line
 * in its own shell, so a line before it runs first and stops the recipe when it fails); new
 * lines take the recipe prefix and the line's own `@`/`-`/`+` flags.
 */
export function makefileSite(launch: InitLaunch, text: string): LaunchSite | null {
  const recipe = launch.make?.recipe;
  const definitions = launch.make?.definitions ?? [];
  if (!recipe || recipe.file !== launch.file || recipe.capped) return null;
  if (text.slice(recipe.start, recipe.end) !== recipe.raw) return null;
  // With .ONESHELL the recipe is one script and only its first line's @-+ are make's.
  if (/^\.ONESHELL[ \t]*:/m.test(text)) return null;
  const lineStart = lineStartOf(text, recipe.start);
  const prefix = text.slice(lineStart, recipe.start);
  if (!(prefix === '\t' || (prefix.length === 1 && definitions.some((definition: VariableDefinition) => definition.name === '.RECIPEPREFIX')))) return null;
  const masked = maskRecipeLine(recipe.raw, prefix);
  if (!masked) return null;
  const commands = parseShell(masked.text).commands;
  const command = commands[0];
  if (commands.length !== 1 || command.via.length > 0 || !command.exactOffsets || command.argv.some((word) => word.start < 0)) return null;
  if (masked.text.slice(0, command.start).trim() !== '' || masked.text.slice(command.end).trim() !== '') return null;
  const flags = /^[@+\- \t]*/.exec(recipe.raw)?.[0].replace(/[ \t]/g, '') ?? '';
  return {
    located: {
      command,
      wordStart: (word) => recipe.start + masked.from[word.start],
      wordEnd: (word) => recipe.start + masked.to[word.end - 1],
      start: recipe.start + masked.from[command.start],
    },
    makeRecipe: true,
    insertBefore: (lines) => {
      if (lines.some((line) => line.includes('\n'))) return null;
      const eol = eolAt(text, recipe.start);
      return insertion(launch.file, lineStart, lines.map((line) => `${prefix}${flags}${line}${eol}`).join(''));
    },
  };
}
