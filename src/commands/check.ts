import { Args, Command, Flags } from '@oclif/core';
import { runCheck } from '../cli/check-run.js';
import { CHECK_DEFAULTS, MAX_TIMER_MS, refusedFixFlags } from '../cli/check-args.js';
import { REPORT_FORMATS } from '../reporters/index.js';

export default class Check extends Command {
  static override description = 'Scan the Terramate project containing DIR for configuration that corrupts providers during parallel init.';

  static override args = {
    dir: Args.string({ default: '.', description: 'a directory inside the Terramate project' }),
  };

  static override flags = {
    format: Flags.string({ char: 'f', options: [...REPORT_FORMATS], default: CHECK_DEFAULTS.format, description: 'report format' }),
    output: Flags.string({ char: 'o', description: 'write the report to FILE instead of stdout' }),
    fix: Flags.boolean({ description: 'apply safe fixes, then report what is left' }),
    'fix-dry-run': Flags.boolean({ description: 'print the fixes as a unified diff; change nothing (not with --fix)' }),
    'unsafe-fixes': Flags.boolean({ description: 'with --fix or --fix-dry-run (required), also apply fixes outside the project' }),
    rule: Flags.string({ multiple: true, description: 'run only this rule (repeatable)' }),
    disable: Flags.string({ multiple: true, description: 'skip this rule (repeatable)' }),
    exec: Flags.boolean({ default: CHECK_DEFAULTS.exec, allowNo: true, description: 'execute provider binaries for the handshake check (--no-exec: never)' }),
    cache: Flags.boolean({ default: CHECK_DEFAULTS.cache, allowNo: true, description: 'reuse results and reports of earlier runs (--no-cache: recompute)' }),
    // Node's timers hold at most 2^31-1 ms; a larger value would silently become 1 ms.
    'handshake-timeout': Flags.integer({ default: CHECK_DEFAULTS.handshakeTimeout, min: 1, max: MAX_TIMER_MS, description: 'per-binary handshake limit in milliseconds (1 to 2147483647)' }),
    'fail-on': Flags.string({ options: ['error', 'warning', 'info', 'never'], default: CHECK_DEFAULTS.failOn, description: 'lowest severity that makes the exit code 1' }),
    config: Flags.string({ char: 'c', description: 'config file (default: .tm-doctor.json at the project root)' }),
    quiet: Flags.boolean({ char: 'q', description: 'no progress display' }),
    color: Flags.boolean({ default: CHECK_DEFAULTS.color, allowNo: true, description: 'ANSI colour (off when NO_COLOR is set or stdout is not a TTY)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Check);
    // The fast path (src/cli/check-args.ts) leaves these combinations here, so this is the one refusal.
    const refused = refusedFixFlags(flags);
    if (refused !== null) this.error(refused, { exit: 2 });
    await runCheck(args, flags, { error: (message, options) => this.error(message, options), exit: (code) => this.exit(code) });
  }
}
