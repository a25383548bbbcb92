// Starts a provider the way Terraform's go-plugin client does, reads its handshake line,
// and always kills, reaps and cleans up after it.
import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';

import { errnoCode } from '../util/errors.js';
import { checkHeaderBytes, hostPlatform, readAt } from './header.js';
import { markerEnvironment, releaseSupervised, superviseNew, type Supervised } from './supervisor.js';

export const TERRAFORM_MAGIC_COOKIE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';

export type HandshakeFailureCause = 'timeout' | 'exit' | 'signal' | 'no-line' | 'unrecognized-line' | 'spawn-error';

export interface HandshakeSuccess {
  ok: true;
  protocol: 5 | 6;
  network: 'unix' | 'tcp';
  address: string;
  line: string;
  ms: number;
}

export interface HandshakeFailure {
  ok: false;
  cause: HandshakeFailureCause;
  exitCode?: number;
  signal?: string;
  errno?: string;
  stderrTail: string;
  line?: string;
  /** The error text Terraform (through go-plugin) would have shown for this failure. */
  terraformWouldSay: string;
}

export type HandshakeResult = HandshakeSuccess | HandshakeFailure;

export interface HandshakeOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** PATH given to the provider; defaults to this process's PATH. */
  path?: string;
  /** Where the per-run temp directory is created; defaults to os.tmpdir(). */
  tempRoot?: string;
}

const STDERR_TAIL_BYTES = 4096;
const MAX_LINE_BYTES = 64 * 1024;
/** How long to wait for stdout to drain after an exit (a grandchild may hold it open), or for the exit after stdout closes. */
const DRAIN_GRACE_MS = 250;
/** Upper bound on waiting for the kernel to report a SIGKILLed process gone. */
const REAP_LIMIT_MS = 5000;
/** Upper bound on waiting for the rest of the process group to disappear after the kill. */
const GROUP_EXIT_LIMIT_MS = 2000;

const FAILED_TO_READ = "Unrecognized remote plugin message: \nFailed to read any lines from plugin's stdout";

export async function runHandshake(executable: string, options: HandshakeOptions): Promise<HandshakeResult> {
  options.signal?.throwIfAborted();
  const refusal = await refuseUnexecutable(executable);
  if (refusal) return refusal;
  // Made, started and registered in one synchronous step (see supervisor.ts).
  const supervised = superviseNew(options.tempRoot ?? tmpdir(), 'tm-doctor-plugin-');
  try {
    return await superviseRun(executable, supervised, options);
  } finally {
    await releaseSupervised(supervised);
  }
}

/**
 * Exactly what a provider gets: go-plugin's variables, PATH, and a private temp dir (plus the
 * supervisor's run marker, TM_DOCTOR_RUN, which finds its descendants).
 */
export function handshakeEnvironment(tempDir: string, path: string | undefined): Record<string, string> {
  const environment: Record<string, string> = {
    TF_PLUGIN_MAGIC_COOKIE: TERRAFORM_MAGIC_COOKIE,
    PLUGIN_PROTOCOL_VERSIONS: '5,6',
    PLUGIN_MIN_PORT: '10000',
    PLUGIN_MAX_PORT: '25000',
    TMPDIR: tempDir,
    PLUGIN_UNIX_SOCKET_DIR: tempDir,
  };
  if (path !== undefined) environment.PATH = path;
  return environment;
}

/**
 * execve refuses a file the kernel cannot run with ENOEXEC, but Node (through glibc's
 * execvp, like a shell) then runs it with /bin/sh: an empty file "succeeds" and a foreign
 * binary fails with a shell syntax error. Terraform's Go client has no such fallback, so
 * neither do we: anything that is neither a script nor a native image is refused here.
 */
async function refuseUnexecutable(executable: string): Promise<HandshakeFailure | null> {
  if (process.platform === 'win32') return null;
  let head: Buffer;
  try {
    head = await readAt(executable, 0, KERNEL_HEADER_BYTES);
  } catch {
    return null; // spawn reports missing files and permissions itself, with the real errno
  }
  if (await isKernelExecutable(head, executable)) return null;
  return spawnFailure(executable, 'ENOEXEC', '');
}

const KERNEL_HEADER_BYTES = 4096;

// Platforms whose kernels also run another platform's binaries natively.
const COMPATIBLE_PLATFORMS: Record<string, readonly string[]> = {
  linux_amd64: ['linux_386'],
  linux_arm64: ['linux_arm'],
};

async function isKernelExecutable(head: Buffer, executable: string): Promise<boolean> {
  if (head.length >= 2 && head[0] === 0x23 && head[1] === 0x21) return true;
  const host = hostPlatform();
  const readMore = (position: number, length: number): Promise<Buffer> => readAt(executable, position, length);
  for (const platform of [host, ...(COMPATIBLE_PLATFORMS[host] ?? [])]) {
    if ((await checkHeaderBytes(head, platform, readMore)).ok) return true;
  }
  return false;
}

function superviseRun(executable: string, supervised: Supervised, options: HandshakeOptions): Promise<HandshakeResult> {
  return new Promise<HandshakeResult>((resolve, reject) => {
    const startedAt = performance.now();
    const tempDir = supervised.tempDir;
    let child: ChildProcess;
    try {
      child = spawn(executable, [], {
        cwd: tempDir,
        env: { ...handshakeEnvironment(tempDir, options.path ?? process.env.PATH), ...markerEnvironment(supervised) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        windowsHide: true,
      });
    } catch (error) {
      resolve(spawnFailure(executable, errnoCode(error) ?? 'UNKNOWN', ''));
      return;
    }
    supervised.pid = child.pid;

    let stdout = Buffer.alloc(0);
    let stderrTail = Buffer.alloc(0);
    let stdoutEnded = false;
    let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let spawnError: Error | null = null;
    let settled = false;
    let graceTimer: NodeJS.Timeout | undefined;

    const exitPromise = new Promise<void>((resolveExit) => {
      child.once('exit', (code, signal) => {
        exited = { code, signal };
        resolveExit();
        onProgress();
      });
      child.once('error', (error) => {
        spawnError = error;
        // A failed spawn never emits 'exit'; there is nothing to reap.
        if (child.pid === undefined) resolveExit();
        onProgress();
      });
    });

    const timeout = setTimeout(() => finish(timeoutFailure()), options.timeoutMs);
    const onAbort = (): void => {
      void cleanUp().then(() => reject(options.signal?.reason ?? new Error('aborted')), reject);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout?.on('data', (chunk: Buffer) => {
      stdout = Buffer.concat([stdout, chunk]);
      onProgress();
    });
    child.stdout?.once('end', () => {
      stdoutEnded = true;
      onProgress();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = Buffer.concat([stderrTail, chunk]);
      if (stderrTail.length > STDERR_TAIL_BYTES) stderrTail = stderrTail.subarray(stderrTail.length - STDERR_TAIL_BYTES);
    });

    function onProgress(): void {
      if (settled) return;
      if (spawnError) {
        finish(spawnFailure(executable, errnoCode(spawnError) ?? 'UNKNOWN', tail()));
        return;
      }
      const newline = stdout.indexOf(0x0a);
      if (newline >= 0) {
        finish(parseHandshakeLine(stdout.subarray(0, newline).toString('utf8'), tail(), elapsed()));
        return;
      }
      if (stdout.length > MAX_LINE_BYTES) {
        finish(parseHandshakeLine(stdout.toString('utf8'), tail(), elapsed()));
        return;
      }
      if (stdoutEnded) {
        // Go's line scanner hands over a final unterminated line at EOF.
        if (stdout.length > 0) {
          finish(parseHandshakeLine(stdout.toString('utf8'), tail(), elapsed()));
        } else if (exited) {
          finish(exitFailure(exited));
        } else if (graceTimer === undefined) {
          // stdout usually closes just before the exit is reported: wait briefly for its status.
          graceTimer = setTimeout(() => finish(exited ? exitFailure(exited) : noLineFailure(undefined)), DRAIN_GRACE_MS);
        }
        return;
      }
      if (exited && graceTimer === undefined) {
        graceTimer = setTimeout(() => {
          if (stdout.length > 0) finish(parseHandshakeLine(stdout.toString('utf8'), tail(), elapsed()));
          else if (exited) finish(exitFailure(exited));
        }, DRAIN_GRACE_MS);
      }
    }

    function finish(result: HandshakeResult): void {
      if (settled) return;
      settled = true;
      void cleanUp().then(() => {
        // What the provider wrote to stderr before it died is only complete now.
        if (!result.ok) result.stderrTail = tail();
        resolve(result);
      }, reject);
    }

    async function cleanUp(): Promise<void> {
      settled = true;
      clearTimeout(timeout);
      clearTimeout(graceTimer);
      options.signal?.removeEventListener('abort', onAbort);
      killGroup(child);
      let reapTimer: NodeJS.Timeout | undefined;
      await Promise.race([exitPromise, new Promise<void>((done) => (reapTimer = setTimeout(done, REAP_LIMIT_MS)))]);
      clearTimeout(reapTimer);
      await Promise.all([groupGone(child.pid), streamEnded(child.stderr)]);
      child.stdout?.destroy();
      child.stderr?.destroy();
    }

    function tail(): string {
      return stderrTail.toString('utf8');
    }
    function elapsed(): number {
      return Math.round(performance.now() - startedAt);
    }
    function timeoutFailure(): HandshakeFailure {
      return {
        ok: false,
        cause: 'timeout',
        stderrTail: tail(),
        terraformWouldSay: 'timeout while waiting for plugin to start',
      };
    }
    function exitFailure(status: { code: number | null; signal: NodeJS.Signals | null }): HandshakeFailure {
      if (status.signal) {
        return { ok: false, cause: 'signal', signal: status.signal, stderrTail: tail(), terraformWouldSay: FAILED_TO_READ };
      }
      if (status.code === 0) return noLineFailure(0);
      return { ok: false, cause: 'exit', exitCode: status.code ?? undefined, stderrTail: tail(), terraformWouldSay: FAILED_TO_READ };
    }
    function noLineFailure(exitCode: number | undefined): HandshakeFailure {
      const failure: HandshakeFailure = { ok: false, cause: 'no-line', stderrTail: tail(), terraformWouldSay: FAILED_TO_READ };
      if (exitCode !== undefined) failure.exitCode = exitCode;
      return failure;
    }
  });
}

// detached: the provider leads its own process group, so one kill reaches anything it
// started; go-plugin servers ignore SIGINT and closed stdin, SIGKILL cannot be ignored.
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * SIGKILL is delivered asynchronously: members of the group (the provider's own children)
 * can outlive the reaped leader for a moment. Wait, bounded, until none is left, so
 * "killed" means gone. Zombies count as present, so an init that never reaps bounds this.
 */
async function groupGone(pid: number | undefined): Promise<void> {
  if (pid === undefined || process.platform === 'win32') return;
  const deadline = performance.now() + GROUP_EXIT_LIMIT_MS;
  while (performance.now() < deadline) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
    await new Promise((done) => setTimeout(done, 5));
  }
}

function streamEnded(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (!stream || (stream as { readableEnded?: boolean }).readableEnded) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(done, DRAIN_GRACE_MS);
    stream.once('end', () => {
      clearTimeout(timer);
      done();
    });
    stream.once('close', () => {
      clearTimeout(timer);
      done();
    });
  });
}

const STRERROR: Record<string, string> = {
  ENOEXEC: 'exec format error',
  EACCES: 'permission denied',
  ENOENT: 'no such file or directory',
  ETXTBSY: 'text file busy',
  ENOMEM: 'cannot allocate memory',
  E2BIG: 'argument list too long',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  EPERM: 'operation not permitted',
};

function spawnFailure(executable: string, errno: string, stderrTail: string): HandshakeFailure {
  return {
    ok: false,
    cause: 'spawn-error',
    errno,
    stderrTail,
    terraformWouldSay: `fork/exec ${executable}: ${STRERROR[errno] ?? errno}`,
  };
}

/**
 * go-plugin's client-side checks of `CORE|APP|NETWORK|ADDR|PROTOCOL[|CERT]` with
 * Terraform's settings: core protocol 1, plugin protocol 5 or 6, unix or tcp, grpc only.
 */
export function parseHandshakeLine(rawLine: string, stderrTail: string, ms: number): HandshakeResult {
  const line = rawLine.trim();
  const parts = splitN(line, '|', 6);
  const reject = (terraformWouldSay: string): HandshakeFailure => ({
    ok: false,
    cause: 'unrecognized-line',
    line,
    stderrTail,
    terraformWouldSay,
  });
  if (parts.length < 4) return reject(`Unrecognized remote plugin message: ${line}`);
  if (!/^[+-]?\d+$/.test(parts[0])) {
    return reject(`Error parsing core protocol version: strconv.Atoi: parsing ${JSON.stringify(parts[0])}: invalid syntax`);
  }
  if (Number(parts[0]) !== 1) {
    return reject(`Incompatible core API version with plugin. Plugin version: ${parts[0]}, Core version: 1`);
  }
  if (!/^[+-]?\d+$/.test(parts[1])) {
    return reject(`Error parsing protocol version ${JSON.stringify(parts[1])}: strconv.Atoi: parsing ${JSON.stringify(parts[1])}: invalid syntax`);
  }
  const protocol = Number(parts[1]);
  if (protocol !== 5 && protocol !== 6) {
    return reject(`Incompatible API version with plugin. Plugin version: ${protocol}, Client versions: [5 6]`);
  }
  const network = parts[2];
  const address = parts[3];
  if (network !== 'unix' && network !== 'tcp') return reject(`Unknown address type: ${address}`);
  if (network === 'tcp' && !/^(\[[^\]]*\]|[^:]*):\d+$/.test(address)) {
    return reject(`address ${address}: missing port in address`);
  }
  const pluginProtocol = parts.length >= 5 ? parts[4] : 'netrpc';
  if (pluginProtocol !== 'grpc') return reject(`Unsupported plugin protocol ${JSON.stringify(pluginProtocol)}. Supported: [grpc]`);
  return { ok: true, protocol, network, address, line, ms };
}

/** Go's strings.SplitN: at most `limit` pieces, the last one keeps the separators. */
function splitN(text: string, separator: string, limit: number): string[] {
  const pieces = text.split(separator);
  if (pieces.length <= limit) return pieces;
  return [...pieces.slice(0, limit - 1), pieces.slice(limit - 1).join(separator)];
}
