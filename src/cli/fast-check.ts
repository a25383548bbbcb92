// `tm-doctor check` without oclif, for the argument lists a pre-commit hook passes (see
// check-args.ts); with DEBUG set, or arguments it does not fully understand, oclif runs it.
import { parseCheckArgs } from './check-args.js';
import { REPORT_FORMATS } from '../reporters/formats.js';
import type { CommandEnd } from './check-run.js';

class Ending {
  constructor(
    readonly code: number,
    readonly error?: { message: string; options: { exit: number; suggestions?: string[] } },
  ) {}
}

/**
 * Runs `tm-doctor check ARGV` when the arguments are ones parseCheckArgs understands, and
 * exits as oclif would (errors are printed by oclif's own handler); returns false, having
 * done nothing, when oclif must take the command.
 */
export async function runFastCheck(argv: readonly string[]): Promise<boolean> {
  if (process.env.DEBUG) return false;
  const parsed = parseCheckArgs(argv, REPORT_FORMATS);
  if (!parsed) return false;
  const { runCheck } = await import('./check-run.js');
  const end: CommandEnd = {
    error: (message, options) => {
      throw new Ending(options.exit, { message, options });
    },
    exit: (code) => {
      throw new Ending(code);
    },
  };
  try {
    await runCheck(parsed.args, parsed.flags, end);
  } catch (thrown) {
    if (thrown instanceof Ending && !thrown.error) process.exit(thrown.code);
    // Failures are rare: oclif prints them, exactly as when it runs the command.
    const { Errors } = await import('@oclif/core');
    if (thrown instanceof Ending && thrown.error) {
      try {
        Errors.error(thrown.error.message, thrown.error.options);
      } catch (error) {
        await Errors.handle(error as Error);
      }
    }
    await Errors.handle(thrown as Error);
  }
  return true;
}
