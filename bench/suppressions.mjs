#!/usr/bin/env node
// Is a check linear in the number of recipe lines? The seed project with its Makefile replaced
// by one init recipe of N launch lines: 1,000 and 4,000 lines that each pass --enable-sharing
// and carry `# tm-doctor-ignore: no-sharing-on-init` (as the issue measured), the same without
// the flag, and 16,000 lines of neither. Each is checked
// --no-exec --no-cache (median of --runs runs): wall time and peak RSS, and the ratio of the
// 4,000-line time to the 1,000-line one, measured in this run (4 is linear; startup makes it less).
// Usage: node bench/suppressions.mjs [--runs N]
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GNU_TIME, measure, median } from './measure.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Math.max(1, Number(values.runs));

const LAUNCH = 'terramate run --parallel 4 -- terraform init';
const SHARING = 'terramate run --parallel 4 --enable-sharing -- terraform init';
const cases = [
  { name: '1,000 suppressed', lines: 1000, launch: SHARING, suppressed: true },
  { name: '4,000 suppressed', lines: 4000, launch: SHARING, suppressed: true },
  { name: '1,000 no flag', lines: 1000, launch: LAUNCH, suppressed: true },
  { name: '4,000 no flag', lines: 4000, launch: LAUNCH, suppressed: true },
  { name: '16,000 plain', lines: 16000, launch: LAUNCH, suppressed: false },
];

function makefile(lines, launch, suppressed) {
  const line = `\t${launch}${suppressed ? ' # tm-doctor-ignore: no-sharing-on-init' : ''}\n`;
  return `init:\n${line.repeat(lines)}`;
}

const base = mkdtempSync(join(tmpdir(), 'tm-doctor-suppressions-'));
const env = { PATH: process.env.PATH, HOME: base, XDG_CACHE_HOME: join(base, 'cache') };
const results = [];
try {
  for (const entry of cases) {
    const project = join(base, `project-${results.length}`);
    cpSync(join(repo, 'fixtures', 'seed-blog'), project, { recursive: true });
    writeFileSync(join(project, 'Makefile'), makefile(entry.lines, entry.launch, entry.suppressed));
    const command = [process.execPath, join(repo, 'bin', 'run.js'), 'check', project, '--no-exec', '--no-cache', '--format', 'json'];
    const measured = [];
    for (let run = 0; run < runs; run++) {
      const result = measure(command, env);
      // The seed's stacks have no plugin cache: the check finds that, and exits 1.
      if (result.status !== 1) throw new Error(`${entry.name}: check exited ${result.status}: ${result.stderr}`);
      measured.push(result);
    }
    const findings = JSON.parse(measured[0].stdout).findings;
    results.push({ ...entry, ms: median(measured.map((run) => run.ms)), rssMb: median(measured.map((run) => run.rssMb)), findings: findings.length });
  }
} finally {
  rmSync(base, { recursive: true, force: true });
}

console.log(`${process.version}; the seed project, one init recipe of N launch lines; median of ${runs}; peak RSS from ${GNU_TIME ?? 'resourceUsage()'}`);
console.log('case                    ms   RSS MB  findings');
for (const result of results) {
  console.log(`${result.name.padEnd(18)} ${result.ms.toFixed(0).padStart(7)} ${result.rssMb.toFixed(1).padStart(8)} ${String(result.findings).padStart(9)}`);
}
const [thousand, fourThousand, thousandNoFlag, fourThousandNoFlag, plain] = results;
console.log(`4,000 / 1,000 suppressed: ${(fourThousand.ms / thousand.ms).toFixed(2)}x with --enable-sharing, ${(fourThousandNoFlag.ms / thousandNoFlag.ms).toFixed(2)}x without (linear is 4x or less; the goal is within 4x)`);
console.log(`16,000 plain lines: ${(plain.ms / 1000).toFixed(2)} s (the goal is within 5 s)`);
