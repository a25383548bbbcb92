#!/usr/bin/env node
// How soon Ctrl-C and SIGTERM end a check of a generated monorepo: the check is timed whole,
// then interrupted at points spread evenly over that time (SIGINT and SIGTERM in turn), and
// the time from the signal to the exit printed for each, with the largest.
// Usage: node bench/interrupt.mjs [--points N] [stacks]   (default 12 points, 6000 stacks)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateMonorepo } from './generate-monorepo.mjs';
import { median } from './measure.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({ allowPositionals: true, options: { points: { type: 'string', default: '12' } } });
const stacks = Number(positionals[0] ?? 6000);
const points = Number(values.points);

/** Runs the check; with `signal`, sends it `afterMs` after the start. Milliseconds from the signal (or start) to the exit. */
function check(project, env, signal) {
  const child = spawn(process.execPath, [join(repo, 'bin', 'run.js'), 'check', project, '--no-exec', '--no-cache', '--format', 'json'], { env, stdio: 'ignore' });
  let from = performance.now();
  const timer = signal && setTimeout(() => ((from = performance.now()), child.kill(signal.name)), signal.afterMs);
  return new Promise((done) =>
    child.once('exit', (code, exitSignal) => {
      clearTimeout(timer);
      done({ ms: performance.now() - from, status: code ?? exitSignal });
    }),
  );
}

const project = generateMonorepo(stacks);
const home = mkdtempSync(join(tmpdir(), 'tm-doctor-bench-interrupt-'));
const env = { PATH: process.env.PATH, HOME: home, XDG_CACHE_HOME: join(home, 'cache') };
try {
  const whole = await check(project, env);
  console.log(`${process.version}; ${stacks} stacks; the whole check ${whole.ms.toFixed(0)} ms (exit ${whole.status})`);
  const latencies = [];
  for (let index = 0; index < points; index++) {
    const signal = { name: index % 2 === 0 ? 'SIGINT' : 'SIGTERM', afterMs: Math.round((whole.ms * (index + 0.5)) / points) };
    const run = await check(project, env, signal);
    if (run.status === 1) {
      console.log(`  ${signal.name} at ${signal.afterMs} ms: the check had ended`);
      continue;
    }
    latencies.push(run.ms);
    console.log(`  ${signal.name} at ${signal.afterMs} ms: exit ${run.status} after ${run.ms.toFixed(0)} ms`);
  }
  console.log(`signal to exit: median ${median(latencies).toFixed(0)} ms, largest ${Math.max(...latencies).toFixed(0)} ms over ${latencies.length} interrupts`);
} finally {
  rmSync(project, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
