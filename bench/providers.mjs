// Benchmarks the provider machinery on 500 stacks linked to 3 real go-plugin packages.
// Usage: npm run build && node bench/providers.mjs
// (TM_DOCTOR_DIST=/other/dist points it at another compiled copy of src/.)
import { execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = process.env.TM_DOCTOR_DIST ?? join(repo, 'dist');
const { discoverProviderPackages } = await import(join(dist, 'project/provider-packages.js'));
const { hashPackageDir, listPackageFiles, sha256File } = await import(join(dist, 'providers/dirhash.js'));
const { runHandshakes } = await import(join(dist, 'providers/handshake-pool.js'));
const { ResultCache, fileSetKey, identityKey } = await import(join(dist, 'providers/result-cache.js'));

const STACKS = 500;
const PACKAGE_BYTES = 25 * 1024 * 1024;

const provider = execFileSync(join(repo, 'test/support/build-provider.sh'), ['provider'], { encoding: 'utf8' }).trim();
const root = mkdtempSync(join(tmpdir(), 'tm-doctor-bench-'));
try {
  const cache = join(root, 'plugin-cache');
  const packageDirs = ['aws', 'google', 'random'].map((type, index) => {
    const dir = join(cache, 'registry.terraform.io/hashicorp', type, '1.0.0', 'linux_amd64');
    mkdirSync(dir, { recursive: true });
    const executable = join(dir, `terraform-provider-${type}_v1.0.0_x5`);
    copyFileSync(provider, executable);
    // Trailing bytes keep an ELF runnable; they make each copy distinct and realistically large.
    appendFileSync(executable, Buffer.alloc(PACKAGE_BYTES - statSync(executable).size, index + 1));
    return { type, dir, executable };
  });
  const stacks = [];
  for (let index = 0; index < STACKS; index += 1) {
    const stack = join(root, 'stacks', `stack-${index}`);
    const { type, dir } = packageDirs[index % packageDirs.length];
    const parent = join(stack, '.terraform/providers/registry.terraform.io/hashicorp', type, '1.0.0');
    mkdirSync(parent, { recursive: true });
    symlinkSync(dir, join(parent, 'linux_amd64'));
    stacks.push(stack);
  }
  const env = { XDG_CACHE_HOME: join(root, 'xdg-cache') };

  const check = async () => {
    const started = performance.now();
    const results = await ResultCache.open({ env });
    const { packages } = await discoverProviderPackages({ stacks, pluginCacheDirs: [cache] });
    let filesHashed = 0;
    let bytesHashed = 0;
    for (const found of packages) {
      const listing = await listPackageFiles(found.packageDir);
      const key = fileSetKey(listing.files);
      if (results.getHash(key) === undefined) {
        const { h1 } = await hashPackageDir(found.packageDir, { listing });
        filesHashed += listing.files.length;
        bytesHashed += listing.files.reduce((sum, file) => sum + file.size, 0);
        results.setHash(key, h1);
      }
    }
    const executables = packages.flatMap((found) => found.usedBy.map((use) => join(use.linkPath, found.executable.path.split('/').pop())));
    const identities = new Map(packages.map((found) => [`${found.executable.dev}:${found.executable.ino}`, identityKey(found.executable)]));
    const entries = await runHandshakes(executables, {
      timeoutMs: 10_000,
      lookup: (identity) => results.getHandshake(identities.get(identity) ?? identity),
    });
    for (const entry of entries) if (entry.ran) results.setHandshake(identities.get(entry.identity) ?? entry.identity, entry.result);
    await results.save();
    return {
      ms: Math.round(performance.now() - started),
      stacks: stacks.length,
      packages: packages.length,
      executablePaths: executables.length,
      handshakes: entries.filter((entry) => entry.ran).length,
      healthy: entries.filter((entry) => entry.result.ok).length,
      filesHashed,
      mbHashed: Math.round(bytesHashed / 2 ** 20),
    };
  };

  const first = await check();
  const second = await check();

  const files = packageDirs.map((entry) => entry.executable);
  const totalMb = files.reduce((sum, file) => sum + statSync(file).size, 0) / 2 ** 20;
  let started = performance.now();
  for (const file of files) await sha256File(file);
  const oursMbps = totalMb / ((performance.now() - started) / 1000);
  started = performance.now();
  execFileSync('sha256sum', files);
  const sha256sumMbps = totalMb / ((performance.now() - started) / 1000);

  console.log(`first run (cold):  ${JSON.stringify(first)}`);
  console.log(`second run (warm): ${JSON.stringify(second)}`);
  console.log(`hashing ${totalMb.toFixed(0)} MB: tm-doctor ${oursMbps.toFixed(0)} MB/s, sha256sum ${sha256sumMbps.toFixed(0)} MB/s`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
