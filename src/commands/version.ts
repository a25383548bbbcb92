import { Command } from '@oclif/core';

// `tm-doctor version` prints what `tm-doctor --version` prints (oclif's user agent line), as
// other oclif CLIs do. bin/run.js answers both without loading oclif where it can.
export default class Version extends Command {
  static override description = 'Print the version of tm-doctor, the platform and Node.js (as --version does).';

  async run(): Promise<void> {
    await this.parse(Version);
    this.log(this.config.userAgent);
  }
}
