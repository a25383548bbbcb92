// What a stored report is filed under besides the file system and the environment (those are
// compared answer by answer, src/cache/reports.ts): the arguments, the working directory, the
// terminal, the user and the build of tm-doctor itself.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CheckFlags } from './check-args.js';
import { statNow } from '../util/dependency-record.js';

const FORMAT_VERSION = 1;
/** The bundles scripts/bundle.mjs writes for the check path (bin/run.js loads them). */
export const BUNDLES = ['fast-check.js', 'replay.js'];
const BUILD_IDENTITY = Symbol.for('tm-doctor.build-identity');

/**
 * The files that make up this build: a rebuild, a reinstall or an updated dependency is another
 * tool. A packed build (scripts/bundle.mjs wrote `bundled.json` after the bundles) is its two
 * bundles; a development build (tsc, maybe --watch rewriting single files) every file under
 * dist. Both: package.json, the schema, the rule docs (SARIF embeds them) and the package.json
 * of each runtime dependency, found as Node finds it. Asked once per process: a run that finds
 * no stored report asks again when it records, from the other bundle (hence globalThis).
 */
function buildIdentity(): string {
  const memo = globalThis as Record<symbol, string | undefined>;
  return (memo[BUILD_IDENTITY] ??= computeBuildIdentity());
}

function computeBuildIdentity(): string {
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const marker = statNow(join(packageRoot, 'dist', 'cli', 'bundled.json'));
  const bundles = BUNDLES.map((name) => statNow(join(packageRoot, 'dist', 'cli', name)));
  const lines = [marker.answer, ...bundles.map((bundle) => bundle.answer), ...dependencyIdentities(packageRoot)];
  const bundled = marker.stats && bundles.every((bundle) => bundle.stats && bundle.stats.mtimeMs <= marker.stats!.mtimeMs);
  const visit = (path: string): void => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      lines.push(`${path} absent`);
      return;
    }
    if (stats.isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else lines.push(`${path} ${stats.ino} ${stats.size} ${stats.mtimeMs} ${stats.ctimeMs}`);
  };
  for (const part of [...(bundled ? [] : ['dist']), 'schema', join('docs', 'rules')]) visit(join(packageRoot, part));
  return createHash('sha256').update(lines.join('\n')).digest('hex');
}

/** package.json of the package and of each runtime dependency (the nearest node_modules that has it). */
function dependencyIdentities(packageRoot: string): string[] {
  const manifest = join(packageRoot, 'package.json');
  const lines = [statNow(manifest).answer];
  const { dependencies = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> };
  for (const name of Object.keys(dependencies).sort()) {
    for (let dir = packageRoot; ; dir = dirname(dir)) {
      const found = statNow(join(dir, 'node_modules', name, 'package.json'));
      if (found.stats || dirname(dir) === dir) {
        lines.push(`${name} ${found.answer}`);
        break;
      }
    }
  }
  return lines;
}

/** Whether a check with these flags may be answered from, and stored into, the cache. */
export function reportCacheable(flags: CheckFlags): boolean {
  return flags.cache && !flags.fix && !flags['fix-dry-run'];
}

/** Everything besides the file system and the environment that shapes the report. */
export function reportKey(dir: string, flags: CheckFlags): string {
  const toTerminal = !flags.output && process.stdout.isTTY === true;
  return JSON.stringify({
    format: FORMAT_VERSION,
    build: buildIdentity(),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    // Who asks decides what may be read: ids and every group.
    user: [process.getuid?.(), process.geteuid?.(), process.getgid?.(), process.getegid?.(), process.getgroups?.().sort((a, b) => a - b)],
    cwd: process.cwd(),
    dir: resolve(dir),
    output: flags.output === undefined ? null : resolve(flags.output),
    flags: Object.entries(flags).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)),
    terminal: toTerminal ? [process.stdout.columns ?? null, process.env.NO_COLOR ?? null] : null,
  });
}
