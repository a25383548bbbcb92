import { createRule } from './framework/create-rule.js';

export const parseError = createRule({
  id: 'parse-error',
  severity: 'error',
  fixable: false,
  summary: 'A file tm-doctor has to read does not parse (or cannot be read).',
  messages: {
    problem: '{{message}}',
  },
  async check({ analysis }) {
    // The load phase read and parsed every file before any rule ran.
    return analysis.problems.map((problem) => ({
      messageId: 'problem' as const,
      data: { message: problem.message },
      location: { file: problem.file, range: problem.range },
    }));
  },
});
