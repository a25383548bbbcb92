// Who a provider finding concerns, as data for the provider rules' messages: the stacks that
// use the package (or the caches holding an unused one) and the serial re-init commands.
import type { Analysis } from '../../analysis/analysis.js';
import type { InspectedPackage } from '../../analysis/provider-inspection.js';
import type { ProviderPackage } from '../../analysis/provider-packages.js';
import { listWithMore } from '../../util/list.js';
import { displayPath } from '../../util/path.js';
import { reinitCommand } from './quarantine.js';

/** The help sentences about who is affected and what to do, as help ids of the provider rules. */
export type AffectedDetails =
  | [{ messageId: 'used-by'; data: { stacks: string } }, { messageId: 'reinit'; data: { commands: string } }]
  | [{ messageId: 'unused-in-cache'; data: { caches: string } }, { messageId: 'quarantine-only' }]
  | [{ messageId: 'unused' }, { messageId: 'quarantine-only' }];

export function affectedDetails(analysis: Analysis, inspected: InspectedPackage): AffectedDetails {
  const stacks = inspected.stacks;
  if (stacks.length > 0) {
    return [
      { messageId: 'used-by', data: { stacks: listWithMore(stacks, 2, (stack) => displayPath(analysis.root, stack.dir)) } },
      { messageId: 'reinit', data: { commands: listWithMore(stacks, 3, (stack) => reinitCommand(analysis, stack.dir)) } },
    ];
  }
  const caches = inspected.package.inCaches;
  if (caches.length > 0) return [{ messageId: 'unused-in-cache', data: { caches: listWithMore(caches) } }, { messageId: 'quarantine-only' }];
  return [{ messageId: 'unused' }, { messageId: 'quarantine-only' }];
}

/** The help sentences every provider rule has about who is affected and what to do. */
export const AFFECTED_MESSAGES = {
  'used-by': 'The package is used by {{stacks}}.',
  'unused-in-cache': 'The package is used by no stack (in the plugin cache {{caches}}).',
  unused: 'The package is used by no stack.',
  reinit: 'Quarantine it with --fix --unsafe-fixes, then re-initialise one stack at a time: {{commands}}.',
  'quarantine-only': 'Quarantine it with --fix --unsafe-fixes; the next init that needs it downloads it again.',
} as const;

export function providerLabel(found: ProviderPackage): string {
  return `${found.source} ${found.version} (${found.platform})`;
}
