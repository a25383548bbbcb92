import { createRule } from './framework/create-rule.js';

export const parseError = createRule({
  id: 'parse-error',
  severity: 'error',
  fixable: false,
  summary: 'A file tm-doctor has to read does not parse (or cannot be read).',
  messages: {
    problem: '{{message}}',
  },
  async check({ project }) {
    // Parsing is lazy; make sure every configuration file has been looked at.
    await project.terramate();
    await Promise.all(project.filesOf('lockfile').map((file) => project.hcl(file)));
    return project.problems.map((problem) => ({
      messageId: 'problem',
      data: { message: problem.message },
      location: { file: problem.file, range: problem.range },
    }));
  },
});
