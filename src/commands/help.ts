import { Args, Command, loadHelpClass } from '@oclif/core';

// `tm-doctor help [COMMAND]`, as @oclif/plugin-help's command does it (without the dependency):
// oclif itself only answers `--help`. Being a command that takes arguments is what makes oclif
// read `help check` as the command `help` with the argument `check` (topicSeparator " "):
// without it the two words became the command id `help:check`, which does not exist.
export default class Help extends Command {
  static override description = 'Display help for tm-doctor or one of its commands.';

  static override args = {
    command: Args.string({ required: false, description: 'the command to show help for' }),
  };

  static override strict = false;

  async run(): Promise<void> {
    const { argv } = await this.parse(Help);
    const HelpClass = await loadHelpClass(this.config);
    await new HelpClass(this.config).showHelp(argv as string[]);
  }
}
