import type { InitLaunch } from '../../analysis/launches.js';
import { ciFileKind, type CiFileKind } from '../../parsers/yaml-ci.js';

/**
 * The kind of file a CI, task-runner or npm launch sits in, when its context and its file
 * agree (a `github-step` in a workflow or action file...); null for any other launch.
 */
export function launchSiteKind(launch: InitLaunch): CiFileKind | null {
  const kind = ciFileKind(launch.file);
  switch (launch.context) {
    case 'github-step':
      return kind === 'github-workflow' || kind === 'github-action' ? kind : null;
    case 'gitlab-script':
      return kind === 'gitlab-ci' ? kind : null;
    case 'task':
      return kind === 'taskfile' ? kind : null;
    case 'npm-script':
      return kind === 'package-json' ? kind : null;
    case 'just':
      return kind === 'justfile' ? kind : null;
    default:
      return null;
  }
}
