import type { InitLaunch } from '../../../analysis/launches.js';
import { launchSiteKind } from '../site-kind.js';
import { justfileFile, justfileSite } from './justfile.js';
import { makefileSite } from './makefile.js';
import { packageJsonFile, packageJsonSite } from './package-json.js';
import { shellScriptFile, shellScriptSite } from './shell-script.js';
import type { CommandFile, LaunchSite } from './site.js';
import { yamlFile, yamlSite } from './yaml.js';

export type { CommandFile, LaunchSite } from './site.js';

/** The editor for the place `launch` sits in `text` (its file's current text); null when none fits. */
export function launchSite(launch: InitLaunch, text: string): LaunchSite | null {
  if (launch.end > text.length || launch.start >= launch.end) return null;
  switch (launch.context) {
    case 'makefile':
      return makefileSite(launch, text);
    case 'shell':
      return shellScriptSite(launch, text);
    case 'terramate-script':
      return null;
    default: {
      const kind = launchSiteKind(launch);
      if (kind === 'justfile') return justfileSite(launch, text);
      if (kind === 'package-json') return packageJsonSite(launch, text);
      return kind ? yamlSite(launch, text, kind) : null;
    }
  }
}

/**
 * The file `launch` sits in as shell commands, for the fixes that take words out of a launch;
 * null for a Makefile recipe or a Terramate script (edited by `makefile-words.ts` and
 * `terramate-script.ts`) and for a file whose kind does not match the launch.
 */
export function commandFile(launch: InitLaunch): CommandFile | null {
  if (launch.context === 'shell') return shellScriptFile();
  const kind = launchSiteKind(launch);
  if (kind === 'justfile') return justfileFile(launch.file);
  if (kind === 'package-json') return packageJsonFile(launch.file);
  return kind ? yamlFile(launch.file, kind) : null;
}
