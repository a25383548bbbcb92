// The first thing `tm-doctor check` tries (bin/run.js): the stored report of an identical
// earlier run whose every dependency is unchanged (src/cache/reports.ts), printed without
// loading the analysis. A cache that is not trusted is left to the check, which says why.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCheckArgs } from './check-args.js';
import { reportCacheable, reportKey } from './report-key.js';
import { CacheDirectory } from '../cache/directory.js';
import { replayableReport, type StoredReport } from '../cache/reports.js';
import { REPORT_FORMATS } from '../reporters/formats.js';
import { escapeControlCharacters } from '../util/control-characters.js';
import { describeErrno } from '../util/errors.js';

/**
 * Prints the stored report of `tm-doctor check ARGV` and sets the exit code when nothing it
 * depended on changed; false (nothing printed) when a check must run.
 */
export function replayStoredReport(argv: readonly string[]): boolean {
  let stored: StoredReport | null;
  let reportFile: string | null;
  try {
    const parsed = parseCheckArgs(argv, REPORT_FORMATS);
    if (!parsed || !reportCacheable(parsed.flags)) return false;
    stored = replayableReport(CacheDirectory.open(process.env), reportKey(parsed.args.dir, parsed.flags));
    if (!stored) return false;
    // Where this run's arguments send the report (the key holds them too), not where the file says.
    reportFile = parsed.flags.output === undefined ? null : resolve(parsed.flags.output);
  } catch {
    return false; // whatever went wrong (a build directory vanishing under us), the check runs
  }
  if (reportFile !== null) {
    try {
      writeFileSync(reportFile, stored.report);
    } catch {
      return false; // the full run reports why it cannot write it
    }
  }
  if (process.env.TM_DOCTOR_STATS === '1') {
    process.stderr.write(`tm-doctor stats: files read 0 (0 bytes), absent 0; stored report reused after ${stored.answers.length} answers compared\n`);
  }
  process.stderr.write(stored.stderr);
  process.exitCode = stored.exitCode;
  if (reportFile === null && stored.report !== '') {
    process.stdout.on('error', (error) => {
      process.stderr.write(`tm-doctor: ${escapeControlCharacters(`cannot write the report to stdout: ${describeErrno(error)}`)}\n`);
      process.exitCode = 2;
    });
    process.stdout.write(stored.report);
  }
  return true;
}
