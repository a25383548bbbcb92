// How provider findings name things: the cause of a failure, what Terraform would have
// printed, who uses the package, and what to run afterwards.
import { relative } from 'node:path';

import type { Project } from '../../analysis/analysis.js';
import type { ProviderPackage } from '../../analysis/provider-packages.js';
import type { HandshakeFailure } from '../../providers/handshake.js';
import type { HeaderFailure, InspectedPackage } from '../../analysis/provider-inspection.js';
import { reinitCommands } from './quarantine.js';

export interface FailureWording {
  cause: string;
  /** The error text as Terraform's `plan` would show it. */
  terraformSays: string;
}

const STDERR_SHOWN = 200;

export function stackName(project: Project, dir: string): string {
  return relative(project.root, dir).split('\\').join('/') || '.';
}

/** "used by stacks/a, stacks/b and 3 more", or where an unused package lies. */
export function usedBy(project: Project, inspected: InspectedPackage, shown = 2): string {
  const names = inspected.stacks.map((stack) => stackName(project, stack.dir));
  if (names.length === 0) {
    const caches = inspected.package.inCaches;
    return caches.length > 0 ? `used by no stack (in the plugin cache ${caches.join(', ')})` : 'used by no stack';
  }
  if (names.length === 1) return `used by ${names[0]}`;
  if (names.length <= shown + 1) return `used by ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `used by ${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}

export function remedy(project: Project, inspected: InspectedPackage): string {
  if (inspected.stacks.length === 0) return 'Quarantine it with --fix --unsafe-fixes; the next init that needs it downloads it again.';
  return `Quarantine it with --fix --unsafe-fixes, then re-initialise one stack at a time: ${reinitCommands(
    project,
    inspected.stacks.map((stack) => stack.dir),
  )}.`;
}

export function providerLabel(found: ProviderPackage): string {
  return `${found.source} ${found.version} (${found.platform})`;
}

function terraformInstantiate(found: ProviderPackage, goPluginError: string): string {
  return `failed to instantiate provider "${found.source}" to obtain schema: ${oneLine(goPluginError)}`;
}

export function handshakeWording(found: ProviderPackage, failure: HandshakeFailure, timeoutMs: number): FailureWording {
  return { cause: handshakeCause(failure, timeoutMs), terraformSays: terraformInstantiate(found, failure.terraformWouldSay) };
}

function handshakeCause(failure: HandshakeFailure, timeoutMs: number): string {
  const stderr = stderrNote(failure.stderrTail);
  switch (failure.cause) {
    case 'timeout':
      return `no handshake line within ${timeoutMs} ms (timeout)`;
    case 'signal':
      return `killed by ${failure.signal ?? 'a signal'} before printing a handshake line${stderr}`;
    case 'exit':
      return `exited with code ${failure.exitCode ?? '?'} without printing a handshake line${stderr}`;
    case 'no-line':
      return failure.exitCode === 0
        ? `exited with code 0 without printing a handshake line (no line)${stderr}`
        : `closed its stdout without printing a handshake line (no line)${stderr}`;
    case 'unrecognized-line':
      return `printed ${JSON.stringify(truncate(failure.line ?? '', STDERR_SHOWN))} instead of a go-plugin handshake line (unrecognized line)`;
    case 'spawn-error':
      return spawnCause(failure.errno ?? 'UNKNOWN');
  }
}

function spawnCause(errno: string): string {
  if (errno === 'ENOEXEC') return 'the kernel cannot execute it on this machine (ENOEXEC)';
  if (errno === 'EACCES') return 'permission denied when starting it (EACCES)';
  if (errno === 'ENOENT') return 'the file to start does not exist (ENOENT)';
  if (errno === 'ETXTBSY') return 'the file is still open for writing (ETXTBSY: text file busy)';
  return `it could not be started (${errno})`;
}

export function headerWording(found: ProviderPackage, header: HeaderFailure): FailureWording {
  const path = found.executable?.path ?? found.packageDir;
  const execError = (text: string): string => terraformInstantiate(found, `fork/exec ${path}: ${text}`);
  switch (header.code) {
    case 'missing':
      return { cause: `the executable is missing: ${header.detail} (ENOENT)`, terraformSays: execError('no such file or directory') };
    case 'not-regular':
      return { cause: `the executable is ${header.detail}`, terraformSays: execError('permission denied') };
    case 'not-executable':
      return { cause: `the executable is ${header.detail} (EACCES)`, terraformSays: execError('permission denied') };
    case 'empty':
      return { cause: `${header.detail} (ENOEXEC)`, terraformSays: execError('exec format error') };
    case 'bad-header':
    case 'wrong-arch':
      return { cause: `${header.detail} (ENOEXEC)`, terraformSays: execError('exec format error') };
  }
}

function stderrNote(tail: string): string {
  const line = tail
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '');
  return line ? `; stderr: ${JSON.stringify(truncate(line, STDERR_SHOWN))}` : '';
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function truncate(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
