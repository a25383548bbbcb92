import { createRule } from './framework/create-rule.js';

export const parseError = createRule({
  id: 'parse-error',
  severity: 'error',
  fixable: false,
  summary: 'A file tm-doctor has to read does not parse (or cannot be read).',
  messages: {
    problem: '{{summary}}',
    'cut-short': '{{summary}}',
  },
  help: {
    detail: '{{detail}}',
    why: 'tm-doctor cannot check the settings of a file it cannot read, and Terraform, Terramate or make would refuse it too; the other files are still checked.',
    'cut-short-why':
      'GNU make would spend minutes or all its memory on this expansion (a chain of variables that doubles at each step, deeply nested $(foreach) loops, a $(call) that never ends). tm-doctor stops an expansion at its budget (bytes of text built; steps: variable references, function calls and loop rounds; depth of nesting) and takes its value as unknown: what depends on it is not checked, the rest of the file and the other files are.',
  },
  async check({ analysis }) {
    // The load phase read and parsed every file before any rule ran.
    return analysis.problems.map((problem) => {
      const { summary, detail } = splitDiagnostic(problem.message);
      const why = problem.cutShort ? ('cut-short-why' as const) : ('why' as const);
      return {
        messageId: problem.cutShort ? ('cut-short' as const) : ('problem' as const),
        data: { summary },
        help: detail ? [{ messageId: 'detail' as const, data: { detail } }, { messageId: why }] : [{ messageId: why }],
        location: { file: problem.file, range: problem.range },
      };
    });
  },
});

const SHORT = 120;

/**
 * A parser's diagnostic as a short summary and the rest: HashiCorp's parser writes
 * "Summary; Detail", others one sentence, which is cut at a word when very long.
 */
function splitDiagnostic(message: string): { summary: string; detail: string } {
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim();
  const semicolon = oneLine.indexOf('; ');
  let summary = semicolon > 0 ? oneLine.slice(0, semicolon) : oneLine;
  let detail = semicolon > 0 ? oneLine.slice(semicolon + 2) : '';
  if (summary.length > SHORT) {
    const cut = summary.lastIndexOf(' ', SHORT - 1);
    const at = cut > SHORT / 2 ? cut : SHORT - 1;
    detail = `${summary}${detail ? ` ${detail}` : ''}`;
    summary = `${summary.slice(0, at)}…`;
  }
  return { summary, detail };
}
