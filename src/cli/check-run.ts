// What `tm-doctor check` does once its arguments are parsed, without oclif: the oclif command
// (src/commands/check.ts) and the fast entry (src/cli/fast-check.ts, which spares a pre-commit
// run oclif's start-up) both run it, so they behave the same.
import { writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { runDoctor, type DoctorOutcome } from '../engine/doctor.js';
import { exitCodeFor, type FailOn } from '../engine/exit-code.js';
import { packageHomepage, packageVersion, ruleDoc } from './package-info.js';
import { reporters, type ReportFormat } from '../reporters/index.js';
import { escapeControlCharacters } from '../util/control-characters.js';
import { describeErrno, errnoCode, UsageError } from '../util/errors.js';
import { ruleMetas } from '../engine/check.js';
import { withProgress } from './progress.js';
import { installInterruptHandlers, onInterrupt } from '../util/interrupts.js';
import { formatReadStats } from '../util/read-stats.js';
import type { CheckFlags } from './check-args.js';
import { reportCacheable, reportKey } from './report-key.js';
import { CacheDirectory, describeCacheProblem } from '../cache/directory.js';
import { recordReport, type ReportRecording } from '../cache/reports.js';
import { ResultStore } from '../cache/results.js';

/** How the run ends: oclif's `this.error` / `this.exit`, or the same without oclif. */
export interface CommandEnd {
  error(message: string, options: { exit: number; suggestions?: string[] }): never;
  exit(code: number): never;
}

export async function runCheck(args: { dir: string }, flags: CheckFlags, end: CommandEnd): Promise<void> {
  const format = flags.format as ReportFormat;
  const toTerminal = !flags.output && process.stdout.isTTY === true;
  const showProgress = toTerminal && format === 'stylish' && !flags.quiet;
  const color = flags.color && toTerminal && !process.env.NO_COLOR;

  // SIGINT/SIGTERM stop whatever the run started, remove its temp files and exit 130/143
  // (util/interrupts.ts); the progress display hid the cursor.
  const removeInterruptHandlers = installInterruptHandlers();
  const forgetCursor = showProgress ? onInterrupt(() => void process.stdout.write('\u001B[?25h')) : () => {};
  // Results and the report, with what it depended on, are kept for the next run (src/cache/).
  const cache = CacheDirectory.open(process.env, { disabled: !flags.cache });
  const recording = reportCacheable(flags) ? recordReport(cache, reportKey(args.dir, flags)) : null;
  try {
    await checkAndReport(args, flags, end, { cache, recording }, { showProgress, color, toTerminal, format });
  } finally {
    recording?.stop();
    forgetCursor();
    removeInterruptHandlers();
  }
}

async function checkAndReport(
  args: { dir: string },
  flags: CheckFlags,
  end: CommandEnd,
  { cache, recording }: { cache: CacheDirectory; recording: ReportRecording | null },
  output: { showProgress: boolean; color: boolean; toTerminal: boolean; format: ReportFormat },
): Promise<void> {
  const { showProgress, color, toTerminal, format } = output;
  let outcome: DoctorOutcome;
  try {
    outcome = await withProgress(showProgress, (progress) =>
      runDoctor(
        {
          dir: args.dir,
          env: recording?.env ?? { ...process.env },
          cache: ResultStore.open(cache),
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
    failWith(error, end);
  }

  if (process.env.TM_DOCTOR_STATS === '1') process.stderr.write(formatReadStats());
  if (outcome.diff !== null) await emit(outcome.diff, null, 'the diff', end);
  const notes = outcome.notes.map((note) => `tm-doctor: ${escapeControlCharacters(note)}\n`).join('');
  process.stderr.write(notes);

  const report = reporters[format]({
    root: outcome.root,
    cwd: workingDirectory(),
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
  else await emit(report, flags.output ?? null, 'the report', end);
  // The last line a person reads; a report for tools on stderr stays parseable without it.
  if (flags['fix-dry-run'] && (format === 'stylish' || flags.output)) process.stderr.write(`tm-doctor: ${dryRunLine(outcome.diff ?? '')}\n`);
  const exitCode = exitCodeFor(outcome.findings, flags['fail-on'] as FailOn);
  recording?.store({ report, stderr: notes, exitCode });
  // Last: storing the report may be what first finds the cache untrusted.
  if (cache.problem) process.stderr.write(`tm-doctor: ${escapeControlCharacters(describeCacheProblem(cache.problem))}\n`);
  end.exit(exitCode);
}

/** The last word of a dry run: nothing was written, and how to write it. */
function dryRunLine(diff: string): string {
  if (diff === '') return 'dry run: no fix to apply, nothing was written';
  return 'dry run: nothing was written; to apply the diff, run the same command with --fix instead of --fix-dry-run';
}

/** The working directory stylish names files from; undefined (the root) when it is gone. */
function workingDirectory(): string | undefined {
  try {
    return process.cwd();
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` to FILE or stdout. A report that cannot be written is a failure of the run
 * (exit 2, one line on stderr), never "findings" (1) nor a stack trace.
 */
async function emit(text: string, file: string | null, what: string, end: CommandEnd): Promise<void> {
  try {
    if (file !== null) writeFileSync(file, text);
    else if (text !== '') await writeToStdout(text);
  } catch (error) {
    const reason = errnoCode(error) === 'ENOENT' && file !== null ? `directory ${dirname(resolve(file))} does not exist` : describeErrno(error);
    process.stderr.write(`tm-doctor: ${escapeControlCharacters(`cannot write ${what} to ${file ?? 'stdout'}: ${reason}`)}\n`);
    end.exit(2);
  }
}

function failWith(error: unknown, end: CommandEnd): never {
  if (process.env.DEBUG && /tm-doctor/.test(process.env.DEBUG)) console.error(error);
  if (error instanceof UsageError) {
    end.error(escapeControlCharacters(error.message), { exit: 2, suggestions: error.hint ? [escapeControlCharacters(error.hint)] : undefined });
  }
  const message = error instanceof Error ? error.message : String(error);
  end.error(`internal failure: ${escapeControlCharacters(message)}`, {
    exit: 2,
    suggestions: ['Run again with DEBUG=tm-doctor* for details, and report it with the output.'],
  });
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
