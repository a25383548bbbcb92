import { initLaunches, type InitLaunch, type SharingOrigin } from '../analysis/launches.js';
import type { Project } from '../analysis/analysis.js';
import { displayPath } from '../util/path.js';
import type { Report } from '../types.js';
import { createRule } from './framework/create-rule.js';
import { sharingFix } from './launches/sharing-fix.js';

function describeOrigin(project: Project, origin: SharingOrigin): string {
  if (origin.source === 'env') return `via ${origin.written} in its environment`;
  if (origin.source === 'script-option') return `via ${origin.written} on the script command`;
  const outer = origin.via[0];
  if (!outer) return 'written on the command';
  const where = outer.definedAt ? `, defined at ${displayPath(project.root, outer.definedAt.file)}:${outer.definedAt.line}` : '';
  return `via $(${outer.name})${where}`;
}

function describeFlags(origins: SharingOrigin[]): string {
  const flags = [...new Set(origins.map((origin) => `--${origin.option}`))];
  return flags.join(' and ');
}

function describeOrigins(project: Project, launch: InitLaunch): string {
  return [...new Set(launch.sharing.map((origin) => describeOrigin(project, origin)))].join('; ');
}

export const noSharingOnInit = createRule({
  id: 'no-sharing-on-init',
  severity: 'error',
  fixable: true,
  summary: 'terraform/tofu init launched by Terramate gets the output-sharing options.',
  messages: {
    sharing:
      '{{tool}} init ({{label}}) is launched with {{flags}} {{origins}}. Output sharing runs `{{tool}} output` in every ' +
      'dependency stack before the command: useless during init, and with --parallel it races their own init. ' +
      'Give init the options without sharing; plan/apply keep them.',
  },
  async check({ project }) {
    const reports: Report[] = [];
    for (const launch of await initLaunches(project)) {
      if (launch.sharing.length === 0) continue;
      const source = project.sources.read(launch.file);
      const range = source.ok ? source.file.lines.range(launch.start, launch.end) : null;
      reports.push({
        messageId: 'sharing',
        data: {
          tool: launch.tool,
          label: launch.label,
          flags: describeFlags(launch.sharing),
          origins: describeOrigins(project, launch),
        },
        location: { file: launch.file, range },
        fix: source.ok ? sharingFix(launch, source.file.text, (file) => project.text(file)) : null,
      });
    }
    return reports;
  },
});
