import { Args, Command } from '@oclif/core';
import { ruleIds } from '../engine/check.js';
import { ruleDoc } from '../cli/package-info.js';

export default class Explain extends Command {
  static override description = "Print a rule's documentation: what it finds, why it matters, examples, the fix, how to suppress it.";

  static override args = {
    rule: Args.string({ required: true, description: 'rule id (see `tm-doctor rules`)' }),
  };

  async run(): Promise<void> {
    const { args } = await this.parse(Explain);
    if (!ruleIds.includes(args.rule)) {
      this.error(`unknown rule "${args.rule}". Known rules: ${ruleIds.join(', ')}`, { exit: 2 });
    }
    const doc = ruleDoc(args.rule);
    if (doc === null) this.error(`the documentation of ${args.rule} is missing from this installation`, { exit: 2 });
    process.stdout.write(doc.endsWith('\n') ? doc : `${doc}\n`);
  }
}
