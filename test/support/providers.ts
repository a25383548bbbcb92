// Helpers for tests that run real provider executables: building the Go test provider,
// laying out packages, and proving nothing was left running or lying around afterwards.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from '@jest/globals';
import { TERRAFORM_MAGIC_COOKIE } from '../../src/providers/handshake.js';

const supportDir = dirname(fileURLToPath(import.meta.url));
const builtTools = new Map<string, string>();

/** Path of the compiled Go program (built once, reused while its source is unchanged). */
export function buildGoTool(tool: 'provider' | 'dirhash'): string {
  const known = builtTools.get(tool);
  if (known) return known;
  const output = execFileSync(resolve(supportDir, 'build-provider.sh'), [tool], { encoding: 'utf8' }).trim();
  builtTools.set(tool, output);
  return output;
}

export function makeTempDir(label: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), `tm-doctor-test-${label}-`)));
}

/** Processes whose environment says they were started by a handshake under `tempRoot`. */
export function processesStartedUnder(tempRoot: string): number[] {
  const needle = Buffer.from(`TMPDIR=${tempRoot}/`);
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`);
      if (environ.includes(needle)) found.push(Number(entry));
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

/** Children of this test process that exited but were never reaped. */
export function zombieChildren(): number[] {
  const zombies: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === process.pid) zombies.push(Number(entry));
    } catch {
      // gone
    }
  }
  return zombies;
}

/** `sha256sum`'s verdict on each file, for hashes that must not come from our own code. */
export function sha256sumOf(files: readonly string[]): string[] {
  const output = execFileSync('sha256sum', ['--', ...files], { encoding: 'utf8' });
  return output
    .trim()
    .split('\n')
    .map((line) => line.slice(0, 64));
}

/** The supervisor's marker as a started process sees it: `TM_DOCTOR_RUN=<pid>-<random>.<n>`. */
export const RUN_MARKER_ENTRY = expect.stringMatching(/^TM_DOCTOR_RUN=\d+-[0-9a-f]{12}\.\d+$/);

/** Everything a provider started by tm-doctor may see in its environment, sorted (the marker sorts last). */
export function pluginEnvironment(tempDir: string): unknown[] {
  const variables = [
    'PATH=/usr/bin:/bin',
    'PLUGIN_MAX_PORT=25000',
    'PLUGIN_MIN_PORT=10000',
    'PLUGIN_PROTOCOL_VERSIONS=5,6',
    `PLUGIN_UNIX_SOCKET_DIR=${tempDir}`,
    `TF_PLUGIN_MAGIC_COOKIE=${TERRAFORM_MAGIC_COOKIE}`,
    `TMPDIR=${tempDir}`,
  ].sort();
  return [...variables, RUN_MARKER_ENTRY];
}
