import type { Project } from '../analysis/analysis.js';
import type { Stack } from '../analysis/terramate.js';
import type { Location, Report } from '../types.js';
import { inspectProviders, type ProviderInspection } from '../analysis/provider-inspection.js';
import { quarantineFix, reinitCommands, subjectOf } from './providers/quarantine.js';
import { handshakeWording, headerWording, providerLabel, remedy, stackName, usedBy, type FailureWording } from './providers/wording.js';
import { createRule } from './framework/create-rule.js';

export const providerHandshake = createRule({
  id: 'provider-handshake',
  severity: 'error',
  fixable: true,
  summary: 'An installed provider does not start (go-plugin handshake), or its executable is missing or unusable.',
  messages: {
    'does-not-start':
      '{{label}} does not start: {{cause}}. Terraform would fail with: {{terraformSays}}. Package {{packageDir}}, {{usedBy}}. {{remedy}}',
    'no-executable':
      '{{label}} has no executable: no file named {{expected}} in {{packageDir}}. Terraform would fail with: ' +
      'could not find executable file starting with terraform-provider-{{type}}. The package is {{usedBy}}. {{remedy}}',
    'dangling-link':
      'provider link {{link}} points to missing {{target}}. Terraform would fail with: there is no package for {{provider}} {{version}} ' +
      'cached in {{providersDir}}. Quarantine the link with --fix --unsafe-fixes, then re-initialise the stack: {{command}}.',
  },
  async check(context) {
    const { project, options } = context;
    const inspection = await inspectProviders(context);
    const reports: Report[] = [];
    for (const inspected of inspection.packages) {
      const found = inspected.package;
      const verdict = inspected.executable;
      let wording: FailureWording | null = null;
      if (verdict.kind === 'bad-header') wording = headerWording(found, verdict.header);
      else if (verdict.kind === 'started' && !verdict.result.ok) wording = handshakeWording(found, verdict.result, options.handshakeTimeoutMs);
      const common = { label: providerLabel(found), packageDir: found.packageDir, usedBy: usedBy(project, inspected), remedy: remedy(project, inspected) };
      if (verdict.kind === 'no-executable' && found.executable === null) {
        reports.push({
          messageId: 'no-executable',
          data: { ...common, expected: found.expectedExecutable, type: found.address.type },
          ...(await placeOf(project, inspected.stacks, found.source)),
          fix: quarantineFix(project, inspection, subjectOf(found)),
        });
      } else if (wording) {
        reports.push({
          messageId: 'does-not-start',
          data: { ...common, ...wording },
          ...(await placeOf(project, inspected.stacks, found.source)),
          fix: quarantineFix(project, inspection, subjectOf(found)),
        });
      }
    }
    reports.push(...(await danglingLinkReports(project, inspection)));
    return reports;
  },
});

async function danglingLinkReports(project: Project, inspection: ProviderInspection): Promise<Report[]> {
  return inspection.danglingLinks.map(({ problem, stack, lock }) => ({
    messageId: 'dangling-link',
    data: {
      link: stackName(project, problem.linkPath),
      target: problem.linkTarget,
      provider: problem.source,
      version: problem.version,
      providersDir: '.terraform/providers',
      command: reinitCommands(project, [stack.dir]),
    },
    location: lock,
    stack: stack.dir,
    fix: quarantineFix(project, inspection, {
      packageDir: null,
      source: problem.source,
      version: problem.version,
      platform: problem.platform,
      links: [{ stack: stack.dir, linkPath: problem.linkPath }],
    }),
  }));
}

/** The first using stack's lock entry for the provider, else no place but the stack. */
async function placeOf(project: Project, stacks: readonly Stack[], source: string): Promise<{ location: Location | null; stack: string | null }> {
  for (const stack of stacks) {
    const lock = await project.lockFile(stack.dir);
    const entry = lock?.providers.find((provider) => provider.address.toLowerCase() === source.toLowerCase());
    if (lock && entry) return { location: { file: lock.file, range: entry.range }, stack: stack.dir };
  }
  return { location: null, stack: stacks[0]?.dir ?? null };
}

