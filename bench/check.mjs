#!/usr/bin/env node
// How long `tm-doctor check` takes on a monorepo of realistic size: a CLI run with an empty
// result cache, CLI runs with it (what a pre-commit hook pays), and the engine alone.
// Usage: npm run build && node bench/check.mjs [stacks...]   (default: 50 500)
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './measure.mjs';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runDoctor } = await import(join(repo, 'dist/engine/doctor.js'));
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const seed = join(repo, 'fixtures/seed-blog');

function makeProject(stacks) {
  const dir = mkdtempSync(join(tmpdir(), 'tm-doctor-bench-'));
  cpSync(join(seed, 'Makefile'), join(dir, 'Makefile'));
  cpSync(join(seed, 'terramate.tm.hcl'), join(dir, 'terramate.tm.hcl'));
  cpSync(join(seed, 'sharing.tm.hcl'), join(dir, 'sharing.tm.hcl'));
  const stackFiles = ['stack.tm.hcl', 'main.tf', '.terraform.lock.hcl'];
  for (let i = 0; i < stacks; i++) {
    const stack = join(dir, 'stacks', `team-${i % 10}`, `svc-${i}`);
    mkdirSync(stack, { recursive: true });
    for (const file of stackFiles) {
      const text = readFileSync(join(seed, 'stacks/dev/network', file), 'utf8').replaceAll('dev-network', `svc-${i}`);
      writeFileSync(join(stack, file), text);
    }
  }
  mkdirSync(join(dir, '.github/workflows'), { recursive: true });
  writeFileSync(
    join(dir, '.github/workflows/ci.yml'),
    'on: push\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: terramate run --parallel 4 -- terraform init\n      - run: terramate run --enable-sharing -- terraform plan\n',
  );
  return dir;
}


console.log(`tm-doctor check --no-exec (${process.version}, ${execFileSync('nproc').toString().trim()} cores)`);
for (const stacks of sizes.length ? sizes : [50, 500]) {
  const dir = makeProject(stacks);
  const home = mkdtempSync(join(tmpdir(), 'tm-doctor-bench-home-'));
  const env = { PATH: process.env.PATH, HOME: home };
  const cli = () => {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [join(repo, 'bin/run.js'), 'check', dir, '--no-exec', '--format', 'json'], { env });
    if (result.status !== 1) throw new Error(`unexpected exit ${result.status}: ${result.stderr}`);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  const first = cli();
  const warm = Array.from({ length: 5 }, cli);
  const engine = [];
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    await runDoctor({ dir, env, options: { noExec: true, handshakeTimeoutMs: 10_000, noCache: true } });
    engine.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  console.log(
    `${String(stacks).padStart(5)} stacks: CLI first run ${first.toFixed(0)} ms, CLI with the result cache ${median(warm).toFixed(0)} ms (median of 5), ` +
      `engine without cache in a warm process ${median(engine).toFixed(0)} ms`,
  );
  rmSync(dir, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
}
const start = process.hrtime.bigint();
spawnSync(process.execPath, [join(repo, 'bin/run.js'), '--version'], { env: { PATH: process.env.PATH } });
console.log(`start-up alone (tm-doctor --version): ${(Number(process.hrtime.bigint() - start) / 1e6).toFixed(0)} ms`);
