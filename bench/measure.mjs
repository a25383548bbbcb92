// How the benchmarks time a command: wall time, and peak RSS from GNU time's %M (else the
// child's own maxRSS, from a parent that only waits for it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true']).status === 0 ? '/usr/bin/time' : null;

export function median(list) {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// Without GNU time: a parent that waits for the child and prints the child's maxRSS.
const RSS_WRAPPER = `const { spawnSync } = require('node:child_process');
const r = spawnSync(process.argv[1], process.argv.slice(2), { stdio: 'inherit' });
process.stderr.write('rss-kb ' + process.resourceUsage().maxRSS + '\\n');
process.exit(r.status ?? 1);`;

/** Runs a command; wall time in ms, peak RSS in MB, stdout and stderr. */
export function measure(command, env, options = {}) {
  const rssFile = join(tmpdir(), `tm-doctor-bench-rss-${process.pid}`);
  const [file, args] = GNU_TIME ? [GNU_TIME, ['-f', '%M', '-o', rssFile, ...command]] : [process.execPath, ['-e', RSS_WRAPPER, ...command]];
  const start = process.hrtime.bigint();
  const result = spawnSync(file, args, { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  let rssKb;
  if (GNU_TIME) {
    rssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
    rmSync(rssFile, { force: true });
  } else {
    rssKb = Number(/rss-kb (\d+)/.exec(result.stderr)?.[1]);
  }
  return { ms, rssMb: rssKb / 1024, status: result.status, stdout: result.stdout, stderr: result.stderr };
}
