// Benchmarks provider-checksum + provider-handshake through the engine (runDoctor) on 500
// stacks linked to 3 real go-plugin packages in a plugin cache, cold and then warm (result cache).
// Usage: npm run build && node bench/providers.mjs
// (TM_DOCTOR_DIST=/other/dist points it at another compiled copy of src/.)
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.TM_DOCTOR_DIST ?? join(repo, 'dist');
const { runDoctor } = await import(join(dist, 'engine/doctor.js'));
const { sha256File } = await import(join(dist, 'providers/dirhash.js'));

const STACKS = Number(process.env.BENCH_STACKS ?? 500);
const PACKAGE_BYTES = Number(process.env.BENCH_PACKAGE_MB ?? 100) * 1024 * 1024;
const VERSION = '1.0.0';

const buildTool = (tool) => execFileSync(join(repo, 'test/support/build-provider.sh'), [tool], { encoding: 'utf8' }).trim();
const provider = buildTool('provider');
const goDirhash = buildTool('dirhash');

const base = mkdtempSync(join(tmpdir(), 'tm-doctor-bench-'));
try {
  const home = join(base, 'home');
  const cache = join(home, '.terraform.d/plugin-cache');
  const root = join(base, 'project');
  const bins = join(base, 'bins');
  for (const dir of [cache, root, bins, join(base, 'tmp')]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(home, '.terraformrc'), `plugin_cache_dir = "${cache}"\n`);
  writeFileSync(join(root, 'terramate.tm.hcl'), 'terramate {\n  required_version = ">= 0.9"\n}\n');

  const packages = ['aws', 'google', 'random'].map((type, index) => {
    // The executable is a link to a binary outside the package, so the `.runs` file the test
    // provider appends to on each start (counting handshakes) does not change the package hash.
    const binary = join(bins, `${type}-provider`);
    copyFileSync(provider, binary);
    // Trailing bytes keep an ELF runnable; they make each copy distinct and realistically large.
    appendFileSync(binary, Buffer.alloc(PACKAGE_BYTES - statSync(binary).size, index + 1));
    writeFileSync(`${binary}.runs`, '');
    const dir = join(cache, 'registry.terraform.io/hashicorp', type, VERSION, 'linux_amd64');
    mkdirSync(dir, { recursive: true });
    symlinkSync(binary, join(dir, `terraform-provider-${type}_v${VERSION}_x5`));
    const h1 = execFileSync(goDirhash, [dir], { encoding: 'utf8' }).trim();
    return { type, dir, binary, h1 };
  });
  for (let index = 0; index < STACKS; index += 1) {
    const stack = join(root, 'stacks', `stack-${index}`);
    const { type, dir, h1 } = packages[index % packages.length];
    const parent = join(stack, '.terraform/providers/registry.terraform.io/hashicorp', type, VERSION);
    mkdirSync(parent, { recursive: true });
    symlinkSync(dir, join(parent, 'linux_amd64'));
    writeFileSync(join(stack, 'stack.tm.hcl'), 'stack {}\n');
    writeFileSync(
      join(stack, '.terraform.lock.hcl'),
      `provider "registry.terraform.io/hashicorp/${type}" {\n  version = "${VERSION}"\n  hashes = [\n    "${h1}",\n  ]\n}\n`,
    );
  }
  const env = { PATH: '/usr/bin:/bin', HOME: home, TMPDIR: join(base, 'tmp'), XDG_CACHE_HOME: join(base, 'xdg-cache') };
  const runs = () => packages.reduce((sum, entry) => sum + readFileSync(`${entry.binary}.runs`, 'utf8').split('\n').filter(Boolean).length, 0);

  const check = async () => {
    const runsBefore = runs();
    const started = performance.now();
    const outcome = await runDoctor({
      dir: root,
      env,
      only: ['provider-checksum', 'provider-handshake'],
      options: { noExec: false, handshakeTimeoutMs: 10_000, noCache: false },
    });
    const ms = Math.round(performance.now() - started);
    const stats = outcome.providerStats;
    return {
      ms,
      findings: outcome.findings.length,
      packages: stats.packages,
      handshakes: stats.handshakesRun,
      providerStarts: runs() - runsBefore,
      handshakesFromCache: stats.handshakesFromCache,
      filesHashed: stats.filesHashed,
      mbHashed: Math.round(stats.bytesHashed / 2 ** 20),
      hashesFromCache: stats.hashesFromCache,
      inspectionMs: stats.elapsedMs,
    };
  };

  const first = await check();
  const second = await check();

  const files = packages.map((entry) => entry.binary);
  const totalMb = files.reduce((sum, file) => sum + statSync(file).size, 0) / 2 ** 20;
  let started = performance.now();
  for (const file of files) await sha256File(file);
  const oursMbps = totalMb / ((performance.now() - started) / 1000);
  started = performance.now();
  execFileSync('sha256sum', files);
  const sha256sumMbps = totalMb / ((performance.now() - started) / 1000);

  console.log(`${STACKS} stacks, 3 packages of ${PACKAGE_BYTES / 2 ** 20} MB, rules provider-checksum + provider-handshake through runDoctor`);
  console.log(`first run (cold):  ${JSON.stringify(first)}`);
  console.log(`second run (warm): ${JSON.stringify(second)}`);
  console.log(`second/first wall time: ${(second.ms / first.ms).toFixed(3)}; provider inspection alone: ${(second.inspectionMs / first.inspectionMs).toFixed(3)}`);
  console.log(`hashing ${totalMb.toFixed(0)} MB: tm-doctor ${oursMbps.toFixed(0)} MB/s, sha256sum ${sha256sumMbps.toFixed(0)} MB/s (ratio ${(oursMbps / sha256sumMbps).toFixed(2)})`);
} finally {
  rmSync(base, { recursive: true, force: true });
}
