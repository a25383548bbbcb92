import type { InitLaunch, SharingOrigin } from '../analysis/launches.js';
import type { Range } from '../types.js';
import type { LineIndex } from '../util/line-index.js';
import { createRule, type RelatedReport, type RuleMessage, type RuleReport } from './framework/create-rule.js';
import { flagSources } from './launches/flag-origins.js';
import { sharingFix, type NoFixReason } from './launches/sharing-fix.js';

const messages = {
  'via-variable': '{{tool}} init ({{label}}) gets {{flags}} via $({{variable}})',
  'via-undefined-variable': '{{tool}} init ({{label}}) gets {{flags}} via $({{variable}}), which no makefile defines',
  'on-command': '{{tool}} init ({{label}}) is launched with {{flags}}',
  'via-environment': '{{tool}} init ({{label}}) gets {{flags}} from {{assignment}} in its environment',
  'via-script-option': '{{tool}} init ({{label}}) gets {{flags}} from {{option}} on the script command',
} as const;

const help = {
  why: 'Output sharing runs `{{tool}} output` in every dependency stack before the command: useless during init, and with --parallel it races the dependencies\' own init.',
  remedy: 'Give init the options without sharing; plan and apply keep them.',
  defines: '{{variable}} is defined here with {{flags}}',
  'passes-on': '{{variable}} gets them from $({{from}}) here',
  'no-fix-shell': 'No automatic fix: the output of `$(shell ...)` reaches the init options, and whether it holds a sharing flag is known only when make runs.',
  'no-fix-undefined': 'No automatic fix: $({{name}}), which no makefile defines, reaches the init options; the environment or the make command line can put a sharing flag in it.',
  'no-fix-computed-name': 'No automatic fix: a variable whose name is computed when make runs reaches the init options, so which flags it holds is known only then.',
  'no-fix-run-time': 'No automatic fix: {{what}} reaches the init options and is known only at run time.',
  'no-fix-quoted': 'No automatic fix: the flags reach init inside shell quotes, where `$(filter-out ...)` would not see them as words.',
  'no-fix-variants': 'No automatic fix: the makefile reads in more ways (variants) than tm-doctor compares.',
  'no-fix-environment': 'No automatic fix: {{setting}} comes from the environment the command inherits (a CI env: block or an export), which other commands share; unset it for init only.',
  'no-fix-shell-variable': 'No automatic fix: the flag comes from {{word}}, which other commands may read too; give init its own value without the flags.',
  'no-fix-shared-options': 'No automatic fix: the options object of `{{command}}` also serves what it runs besides init; give init a command of its own.',
  'no-fix-unproven': 'No automatic fix: no edit could be shown to remove only the flags ({{detail}}).',
} as const;

type Report = RuleReport<typeof messages, typeof help>;
type Help = RuleMessage<typeof help>;

/** The help sentence saying why no fix is offered. */
function whyNoFix(reason: NoFixReason): Help {
  switch (reason.kind) {
    case 'shell':
      return { messageId: 'no-fix-shell' };
    case 'undefined':
      return { messageId: 'no-fix-undefined', data: { name: reason.variable } };
    case 'computed-name':
      return { messageId: 'no-fix-computed-name' };
    case 'run-time':
      return { messageId: 'no-fix-run-time', data: { what: reason.what } };
    case 'quoted':
      return { messageId: 'no-fix-quoted' };
    case 'variants':
      return { messageId: 'no-fix-variants' };
    case 'environment':
      return { messageId: 'no-fix-environment', data: { setting: reason.variable } };
    case 'shell-variable':
      return { messageId: 'no-fix-shell-variable', data: { word: reason.word } };
    case 'shared-options':
      return { messageId: 'no-fix-shared-options', data: { command: reason.command } };
    case 'unproven':
      return { messageId: 'no-fix-unproven', data: { detail: reason.detail } };
  }
}

type Common = { tool: string; label: string; flags: string };

/** The message for where the first flag came from; the others are listed in the flags. */
function worded(origin: SharingOrigin, common: Common): RuleMessage<typeof messages> {
  if (origin.source === 'env') return { messageId: 'via-environment', data: { ...common, assignment: origin.written } };
  if (origin.source === 'script-option') return { messageId: 'via-script-option', data: { ...common, option: origin.written } };
  const outer = origin.via[0];
  if (!outer) return { messageId: 'on-command', data: common };
  if (!outer.definedAt) return { messageId: 'via-undefined-variable', data: { ...common, variable: outer.name } };
  return { messageId: 'via-variable', data: { ...common, variable: outer.name } };
}

/**
 * The `$(VAR)` the flags arrive through when it sits on the launch's first line (where a
 * suppression comment goes), else the whole launch.
 */
function primaryRange(launch: InitLaunch, lines: LineIndex): Range {
  const whole = lines.range(launch.start, launch.end);
  const ref = launch.sharing[0]?.via[0];
  if (!ref || ref.refFile !== launch.file) return whole;
  const span = lines.range(ref.refStart, ref.refEnd);
  return span.line === whole.line && span.endLine === whole.line ? span : whole;
}

function flagsOf(launch: InitLaunch): string {
  return [...new Set(launch.sharing.map((origin) => `--${origin.option}`))].join(' ');
}

export const noSharingOnInit = createRule({
  id: 'no-sharing-on-init',
  severity: 'error',
  fixable: true,
  summary: 'terraform/tofu init launched by Terramate gets the output-sharing options.',
  messages,
  help,
  async check({ analysis, suppressed }) {
    const reports: Report[] = [];
    for (const launch of await analysis.launches()) {
      if (launch.sharing.length === 0) continue;
      const source = analysis.files.read(launch.file);
      const range = source.ok ? primaryRange(launch, source.file.lines) : null;
      // Its fix re-reads the whole makefile: a suppressed launch costs nothing.
      if (suppressed({ file: launch.file, range })) continue;
      const related: Array<RelatedReport<typeof help>> = flagSources(analysis, launch).map((found) =>
        found.kind === 'defines'
          ? { location: found.location, label: { messageId: 'defines', data: { variable: found.variable, flags: found.flags.join(' ') } } }
          : { location: found.location, label: { messageId: 'passes-on', data: { variable: found.variable, from: found.from } } },
      );
      const fixed = await sharingFix(launch, { readText: (file) => analysis.text(file), root: analysis.root });
      reports.push({
        ...worded(launch.sharing[0], { tool: launch.tool, label: launch.label, flags: flagsOf(launch) }),
        help: [{ messageId: 'why', data: { tool: launch.tool } }, { messageId: 'remedy' }, ...(fixed.reason ? [whyNoFix(fixed.reason)] : [])],
        related,
        location: { file: launch.file, range },
        fix: fixed.fix,
      });
    }
    return reports;
  },
});
