import type { InitLaunch } from '../../../analysis/launches.js';
import { launchSiteKind } from '../site-kind.js';
import { justfileSite } from './justfile.js';
import { makefileSite } from './makefile.js';
import { packageJsonSite } from './package-json.js';
import { shellScriptSite } from './shell-script.js';
import type { LaunchSite } from './site.js';
import { yamlSite } from './yaml.js';

export type { LaunchSite } from './site.js';

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
