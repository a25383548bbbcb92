// Runs a tool found on PATH (`tofu version -json`) the way the handshake runner starts a
// provider: no shell, a scrubbed environment, a private temp dir as HOME, TMPDIR and cwd, its
// own process group, a timeout, and afterwards nothing left running (descendants found by the
// supervisor's run marker too) and nothing left on disk.
import { spawn, type ChildProcess } from 'node:child_process';
import { assertExecutableSync, statSync } from '../util/observed-fs.js';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

import { errnoCode } from '../util/errors.js';
import { markerEnvironment, releaseSupervised, superviseNew, type Supervised } from './supervisor.js';

export interface RunToolOptions {
  args: readonly string[];
  /** PATH given to the tool (nothing else of this process's environment is passed on). */
  path: string | undefined;
  timeoutMs: number;
  /** stdout beyond this many bytes is a failure; default 1 MiB. */
  maxStdoutBytes?: number;
  /** Where the private temp dir is created; defaults to os.tmpdir(). */
  tempRoot?: string;
}

export type RunToolFailureCause = 'timeout' | 'spawn-error' | 'signal' | 'output-too-large';

export type RunToolResult =
  | { ok: true; exitCode: number; stdout: string; stderr: string }
  | { ok: false; cause: RunToolFailureCause; errno?: string; signal?: string; stdout: string; stderr: string };

const DEFAULT_MAX_STDOUT = 1024 * 1024;
const STDERR_TAIL_BYTES = 4096;
/** How long to wait for the pipes to close after the exit (a grandchild may hold them open). */
const DRAIN_GRACE_MS = 250;
/** Upper bound on waiting for the kernel to report a SIGKILLed process gone. */
const REAP_LIMIT_MS = 5000;
/** Upper bound on waiting for the rest of the process group to disappear after the kill. */
const GROUP_EXIT_LIMIT_MS = 2000;

/**
 * The first `name` on PATH that is a regular file this process may execute. Empty and
 * relative PATH entries are skipped: they resolve against the working directory, which is
 * the linted repository, and a linter must not run a program the repository ships.
 */
export function findOnPath(name: string, path: string | undefined): string | null {
  if (!path || name.includes('/')) return null;
  for (const dir of path.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const candidate = join(dir, name);
    try {
      if (!statSync(candidate).isFile()) continue;
      assertExecutableSync(candidate);
      return candidate;
    } catch {
      // missing, unreadable or not executable: the next entry
    }
  }
  return null;
}

/**
 * Exactly what the tool gets: PATH, and its private temp dir as HOME and TMPDIR (plus the
 * supervisor's run marker, TM_DOCTOR_RUN, which finds its descendants).
 */
export function toolEnvironment(tempDir: string, path: string | undefined): Record<string, string> {
  const environment: Record<string, string> = { HOME: tempDir, TMPDIR: tempDir };
  if (path !== undefined) environment.PATH = path;
  return environment;
}

export async function runTool(executable: string, options: RunToolOptions): Promise<RunToolResult> {
  // Made, started and registered in one synchronous step (see supervisor.ts).
  const supervised = superviseNew(options.tempRoot ?? tmpdir(), 'tm-doctor-tool-');
  try {
    return await supervise(executable, supervised, options);
  } finally {
    await releaseSupervised(supervised);
  }
}

type Outcome =
  | { kind: 'exit'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'spawn-error'; errno: string }
  | { kind: 'timeout' }
  | { kind: 'output-too-large' };

async function supervise(executable: string, supervised: Supervised, options: RunToolOptions): Promise<RunToolResult> {
  const maxStdout = options.maxStdoutBytes ?? DEFAULT_MAX_STDOUT;
  const tempDir = supervised.tempDir;
  let child: ChildProcess;
  try {
    child = spawn(executable, [...options.args], {
      cwd: tempDir,
      env: { ...toolEnvironment(tempDir, options.path), ...markerEnvironment(supervised) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      shell: false,
      windowsHide: true,
    });
  } catch (error) {
    return { ok: false, cause: 'spawn-error', errno: errnoCode(error) ?? 'UNKNOWN', stdout: '', stderr: '' };
  }
  supervised.pid = child.pid;

  const timers: NodeJS.Timeout[] = [];
  const after = (ms: number): Promise<void> => new Promise((done) => timers.push(setTimeout(done, ms)));

  const stdoutChunks: Buffer[] = [];
  let stdoutBytes = 0;
  let stderrTail = Buffer.alloc(0);
  let overflow: (() => void) | undefined;
  const overflowed = new Promise<Outcome>((done) => (overflow = () => done({ kind: 'output-too-large' })));
  child.stdout?.on('data', (chunk: Buffer) => {
    stdoutBytes += chunk.length;
    if (stdoutBytes > maxStdout) overflow?.();
    else stdoutChunks.push(chunk);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = Buffer.concat([stderrTail, chunk]);
    if (stderrTail.length > STDERR_TAIL_BYTES) stderrTail = stderrTail.subarray(stderrTail.length - STDERR_TAIL_BYTES);
  });
  const pipesClosed = Promise.all([streamClosed(child.stdout), streamClosed(child.stderr)]).then(() => undefined);

  const exited = new Promise<Outcome>((done) => child.once('exit', (code, signal) => done({ kind: 'exit', code, signal })));
  const failed = new Promise<Outcome>((done) =>
    child.on('error', (error) => {
      // A failed spawn never exits; an error after a successful spawn (a failed kill) is not the outcome.
      if (child.pid === undefined) done({ kind: 'spawn-error', errno: errnoCode(error) ?? 'UNKNOWN' });
    }),
  );
  const timedOut = after(options.timeoutMs).then((): Outcome => ({ kind: 'timeout' }));

  try {
    const outcome = await Promise.race([exited, failed, timedOut, overflowed]);
    // After a normal exit, let the pipes deliver what is still buffered in them.
    if (outcome.kind === 'exit') await Promise.race([pipesClosed, after(DRAIN_GRACE_MS)]);
    killGroup(child);
    if (child.pid !== undefined) {
      await Promise.race([exited, after(REAP_LIMIT_MS)]);
      await groupGone(child.pid);
    }
    await Promise.race([pipesClosed, after(DRAIN_GRACE_MS)]);
    child.stdout?.destroy();
    child.stderr?.destroy();

    const stdout = Buffer.concat(stdoutChunks).toString('utf8');
    const stderr = stderrTail.toString('utf8');
    switch (outcome.kind) {
      case 'exit':
        if (outcome.signal) return { ok: false, cause: 'signal', signal: outcome.signal, stdout, stderr };
        return { ok: true, exitCode: outcome.code ?? 0, stdout, stderr };
      case 'spawn-error':
        return { ok: false, cause: 'spawn-error', errno: outcome.errno, stdout, stderr };
      default:
        return { ok: false, cause: outcome.kind, stdout, stderr };
    }
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

// detached: the tool leads its own process group, so one kill reaches anything it started.
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill('SIGKILL');
    else process.kill(-child.pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

/** SIGKILL is delivered asynchronously: wait, bounded, until no member of the group is left. */
async function groupGone(pid: number): Promise<void> {
  if (process.platform === 'win32') return;
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

function streamClosed(stream: NodeJS.ReadableStream | null): Promise<void> {
  if (!stream || (stream as { closed?: boolean }).closed) return Promise.resolve();
  return new Promise((done) => stream.once('close', () => done()));
}
