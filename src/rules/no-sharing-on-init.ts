import type { InitLaunch, SharingOrigin } from '../analysis/launches.js';
import { displayPath } from '../util/path.js';
import { listWithMore } from '../util/list.js';
import { createRule, type RuleMessage, type RuleReport } from './framework/create-rule.js';
import { sharingFix } from './launches/sharing-fix.js';

const WHY =
  'Output sharing runs `{{tool}} output` in every dependency stack before the command: useless during init, and with --parallel it races their own init. Give init the options without sharing; plan/apply keep them.';

const messages = {
  'via-variable': `{{tool}} init ({{label}}) is launched with {{flags}} via $({{variable}}), defined at {{definedAt}}. ${WHY}`,
  'via-undefined-variable': `{{tool}} init ({{label}}) is launched with {{flags}} via $({{variable}}), which no makefile defines. ${WHY}`,
  'on-command': `{{tool}} init ({{label}}) is launched with {{flags}} written on the command. ${WHY}`,
  'via-environment': `{{tool}} init ({{label}}) is launched with {{flags}} via {{assignment}} in its environment. ${WHY}`,
  'via-script-option': `{{tool}} init ({{label}}) is launched with {{flags}} via {{option}} on the script command. ${WHY}`,
} as const;

type Report = RuleReport<typeof messages>;
type Common = { tool: string; label: string; flags: string };

/** The message for where the first flag came from; the others are listed in the flags. */
function worded(root: string, origin: SharingOrigin, common: Common): RuleMessage<typeof messages> {
  if (origin.source === 'env') return { messageId: 'via-environment', data: { ...common, assignment: origin.written } };
  if (origin.source === 'script-option') return { messageId: 'via-script-option', data: { ...common, option: origin.written } };
  const outer = origin.via[0];
  if (!outer) return { messageId: 'on-command', data: common };
  if (!outer.definedAt) return { messageId: 'via-undefined-variable', data: { ...common, variable: outer.name } };
  return { messageId: 'via-variable', data: { ...common, variable: outer.name, definedAt: `${displayPath(root, outer.definedAt.file)}:${outer.definedAt.line}` } };
}

function flagsOf(launch: InitLaunch): string {
  return listWithMore([...new Set(launch.sharing.map((origin) => `--${origin.option}`))]);
}

export const noSharingOnInit = createRule({
  id: 'no-sharing-on-init',
  severity: 'error',
  fixable: true,
  summary: 'terraform/tofu init launched by Terramate gets the output-sharing options.',
  messages,
  async check({ analysis }) {
    const reports: Report[] = [];
    for (const launch of await analysis.launches()) {
      if (launch.sharing.length === 0) continue;
      const source = analysis.files.read(launch.file);
      const range = source.ok ? source.file.lines.range(launch.start, launch.end) : null;
      reports.push({
        ...worded(analysis.root, launch.sharing[0], { tool: launch.tool, label: launch.label, flags: flagsOf(launch) }),
        location: { file: launch.file, range },
        fix: source.ok ? sharingFix(launch, source.file.text, (file) => analysis.text(file)) : null,
      });
    }
    return reports;
  },
});
