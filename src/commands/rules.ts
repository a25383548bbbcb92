import { Command, Flags } from '@oclif/core';
import { ruleMetas } from '../engine/check.js';

export default class Rules extends Command {
  static override description = 'List every rule: id, default severity, whether it can be fixed, and what it finds.';

  static override flags = {
    format: Flags.string({ char: 'f', options: ['table', 'json'], default: 'table', description: 'output format' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Rules);
    const rules = ruleMetas();
    if (flags.format === 'json') {
      const rows = rules.map(({ id, severity, fixable, summary, docsUrl }) => ({ id, severity, fixable, summary, docsUrl }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return;
    }
    const idWidth = Math.max(...rules.map((rule) => rule.id.length));
    const lines = rules.map(
      (rule) => `${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(7)}  ${(rule.fixable ? 'fixable' : '').padEnd(7)}  ${rule.summary}`,
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
