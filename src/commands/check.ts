import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Args, Command, Flags } from '@oclif/core';
import { runDoctor, type DoctorOutcome } from '../engine/doctor.js';
import { exitCodeFor, type FailOn } from '../engine/exit-code.js';
import { packageHomepage, packageVersion, ruleDoc } from '../cli/package-info.js';
import { REPORT_FORMATS, reporters, type ReportFormat } from '../reporters/index.js';
import { escapeControlCharacters } from '../util/control-characters.js';
import { describeErrno, errnoCode, UsageError } from '../util/errors.js';
import { ruleMetas } from '../engine/check.js';
import { withProgress } from '../cli/progress.js';
import { installInterruptHandlers } from '../providers/supervisor.js';
import { formatReadStats } from '../util/read-stats.js';

/** The largest delay Node's timers honour (2^31-1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

export default class Check extends Command {
  static override description = 'Scan the Terramate project containing DIR for configuration that corrupts providers during parallel init.';

  static override args = {
    dir: Args.string({ default: '.', description: 'a directory inside the Terramate project' }),
  };

  static override flags = {
    format: Flags.string({ char: 'f', options: [...REPORT_FORMATS], default: 'stylish', description: 'report format' }),
    output: Flags.string({ char: 'o', description: 'write the report to FILE instead of stdout' }),
    fix: Flags.boolean({ description: 'apply safe fixes, then report what is left' }),
    'fix-dry-run': Flags.boolean({ description: 'print the fixes as a unified diff; change nothing' }),
    'unsafe-fixes': Flags.boolean({ description: 'with --fix/--fix-dry-run, also apply fixes outside the project' }),
    rule: Flags.string({ multiple: true, description: 'run only this rule (repeatable)' }),
    disable: Flags.string({ multiple: true, description: 'skip this rule (repeatable)' }),
    exec: Flags.boolean({ default: true, allowNo: true, description: 'execute provider binaries for the handshake check (--no-exec: never)' }),
    cache: Flags.boolean({ default: true, allowNo: true, description: 'reuse provider results from earlier runs (--no-cache: recompute)' }),
    // Node's timers hold at most 2^31-1 ms; a larger value would silently become 1 ms.
    'handshake-timeout': Flags.integer({ default: 10_000, min: 1, max: MAX_TIMER_MS, description: 'per-binary handshake limit in milliseconds (1 to 2147483647)' }),
    'fail-on': Flags.string({ options: ['error', 'warning', 'info', 'never'], default: 'warning', description: 'lowest severity that makes the exit code 1' }),
    config: Flags.string({ char: 'c', description: 'config file (default: .tm-doctor.json at the project root)' }),
    quiet: Flags.boolean({ char: 'q', description: 'no progress display' }),
    color: Flags.boolean({ default: true, allowNo: true, description: 'ANSI colour (off when NO_COLOR is set or stdout is not a TTY)' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Check);
    const format = flags.format as ReportFormat;
    const toTerminal = !flags.output && process.stdout.isTTY === true;
    const showProgress = toTerminal && format === 'stylish' && !flags.quiet;
    const color = flags.color && toTerminal && !process.env.NO_COLOR;

    // While providers (and `tofu version`) may run, SIGINT/SIGTERM stop them all, remove their
    // temp dirs and exit 130/143 (src/providers/supervisor.ts); the progress display hid the cursor.
    const removeInterruptHandlers = installInterruptHandlers(() => {
      if (showProgress) process.stdout.write('\u001B[?25h');
    });
    let outcome: DoctorOutcome;
    try {
      outcome = await withProgress(showProgress, (progress) =>
        runDoctor(
          {
            dir: args.dir,
            env: { ...process.env },
            configFile: flags.config,
            only: flags.rule,
            disable: flags.disable,
            options: {
              noExec: !flags.exec,
              handshakeTimeoutMs: flags['handshake-timeout'],
              noCache: !flags.cache,
              unsafeFixes: flags['unsafe-fixes'],
            },
          },
          { fix: flags.fix, dryRun: flags['fix-dry-run'], unsafe: flags['unsafe-fixes'] },
          progress,
        ),
      );
    } catch (error) {
      this.failWith(error);
    } finally {
      removeInterruptHandlers();
    }

    if (process.env.TM_DOCTOR_STATS === '1') process.stderr.write(formatReadStats());
    if (outcome.diff !== null) await this.emit(outcome.diff, null, 'the diff');
    for (const note of outcome.notes) process.stderr.write(`tm-doctor: ${escapeControlCharacters(note)}\n`);

    const report = reporters[format]({
      root: outcome.root,
      tool: { name: 'tm-doctor', version: packageVersion(), informationUri: packageHomepage() },
      findings: outcome.findings,
      rules: ruleMetas(),
      ruleDocs: ruleDoc,
      color,
      width: toTerminal ? process.stdout.columns : undefined,
      readText: outcome.readText,
    });
    // With --fix-dry-run stdout carries the diff alone, so that it can be piped to `git apply`.
    if (flags['fix-dry-run'] && !flags.output) process.stderr.write(report);
    else await this.emit(report, flags.output ?? null, 'the report');
    this.exit(exitCodeFor(outcome.findings, flags['fail-on'] as FailOn));
  }

  /**
   * Writes `text` to FILE or stdout. A report that cannot be written is a failure of the run
   * (exit 2, one line on stderr), never "findings" (1) nor a stack trace.
   */
  private async emit(text: string, file: string | null, what: string): Promise<void> {
    try {
      if (file !== null) writeFileSync(file, text);
      else if (text !== '') await writeToStdout(text);
    } catch (error) {
      const reason = errnoCode(error) === 'ENOENT' && file !== null ? `directory ${dirname(resolve(file))} does not exist` : describeErrno(error);
      process.stderr.write(`tm-doctor: ${escapeControlCharacters(`cannot write ${what} to ${file ?? 'stdout'}: ${reason}`)}\n`);
      this.exit(2);
    }
  }

  private failWith(error: unknown): never {
    if (process.env.DEBUG && /tm-doctor/.test(process.env.DEBUG)) console.error(error);
    if (error instanceof UsageError) {
      this.error(escapeControlCharacters(error.message), { exit: 2, suggestions: error.hint ? [escapeControlCharacters(error.hint)] : undefined });
    }
    const message = error instanceof Error ? error.message : String(error);
    this.error(`internal failure: ${escapeControlCharacters(message)}`, {
      exit: 2,
      suggestions: ['Run again with DEBUG=tm-doctor* for details, and report it with the output.'],
    });
  }
}

/** Resolves once stdout took `text`; rejects with the write error (ENOSPC, EPIPE...). */
function writeToStdout(text: string): Promise<void> {
  // The error also comes as an event, which oclif's listener rethrows (a stack trace, exit 1)
  // for anything but EPIPE: the callback below reports it instead.
  process.stdout.removeAllListeners('error');
  process.stdout.on('error', () => {});
  return new Promise((resolvePromise, reject) => {
    process.stdout.write(text, (error) => (error ? reject(error) : resolvePromise()));
  });
}
