// Every process tm-doctor starts (a provider for its handshake, `tofu version`) is registered
// here with its private temp dir, so that nothing outlives the run: not after a normal end, not
// after SIGINT/SIGTERM, not a descendant that left the process group.
//
// The mechanism: each started process leads its own process group (detached) and gets a marker
// in its environment, TM_DOCTOR_RUN=<run id>.<n>, unique to this run and to that process; its
// descendants inherit it. Stopping a process is a SIGKILL to its group, then a scan of /proc for
// processes whose initial environment (/proc/PID/environ) carries the marker: SIGKILL to each,
// scanned again until none is left (bounded). That finds a descendant that left the group or the
// session (`setsid`), however deep, and one started while the scan ran.
//
// The limit that remains:
// - A descendant that drops or changes the marker in the environment it is started with
//   (`env -i`, or a program that builds its children's environment from scratch), or overwrites
//   its environment block in memory, and has left the process group, is not found. Neither is
//   a process this user may not read or signal (a setuid program).
// - Without /proc (macOS, the BSDs) there is no scan: only the process group is killed, so a
//   descendant that called setsid() survives the run there.
// - SIGKILL of tm-doctor itself (`kill -9`, the OOM killer) runs no handler: whatever it had
//   started keeps running and its temp dirs stay (their names start with `tm-doctor-`).
// A cgroup would hold every descendant without these gaps, but needs a delegated, writable
// cgroup v2 subtree, which CI containers and most machines do not give a plain process.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { onInterrupt } from '../util/interrupts.js';

export const RUN_MARKER_VARIABLE = 'TM_DOCTOR_RUN';

/** A process tm-doctor started (or is about to start) and its private temp dir. */
export interface Supervised {
  /** The marker's value: `<run id>.<n>`. */
  readonly marker: string;
  readonly tempDir: string;
  /** Set once spawned; it leads its own process group. */
  pid: number | undefined;
}

const RUN_ID = `${process.pid}-${randomBytes(6).toString('hex')}`;
const live = new Set<Supervised>();
let sequence = 0;

/** Upper bound on killing and waiting for the marked processes to disappear. */
const SWEEP_LIMIT_MS = 5000;
const SWEEP_PAUSE_MS = 10;

/**
 * Makes the private temp dir (`<tempRoot>/<prefix>XXXXXX`) of a process about to be started and
 * registers it. Synchronous, like the spawn that follows: no signal handler can run between
 * making the dir, starting the process and registering both.
 */
export function superviseNew(tempRoot: string, prefix: string): Supervised {
  const tempDir = mkdtempSync(join(tempRoot, prefix));
  sequence += 1;
  const supervised: Supervised = { marker: `${RUN_ID}.${sequence}`, tempDir, pid: undefined };
  live.add(supervised);
  return supervised;
}

/** The variable a supervised process gets on top of its own environment. */
export function markerEnvironment(supervised: Supervised): Record<string, string> {
  return { [RUN_MARKER_VARIABLE]: supervised.marker };
}

/**
 * Called once the process (already killed with its group, and reaped) is done: kills what is
 * left of its descendants, removes its temp dir and forgets it.
 */
export async function releaseSupervised(supervised: Supervised): Promise<void> {
  try {
    if (supervised.pid !== undefined) await sweep(supervised.marker, true);
    await rm(supervised.tempDir, { recursive: true, force: true, maxRetries: 3 });
  } finally {
    live.delete(supervised);
  }
}

/**
 * Stops everything this run started and removes every temp dir, synchronously: meant for a
 * signal handler that exits right after, so that nothing else of the run (the next handshake,
 * the report) gets a turn. Returns how many supervised processes were live.
 */
export function stopAllSync(): number {
  const entries = [...live];
  const started = entries.filter((entry) => entry.pid !== undefined);
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + SWEEP_LIMIT_MS;
  for (;;) {
    // The leaders are our unreaped children (nothing reaps while this runs), so their group ids
    // cannot be reused: the group kill is repeated for members that changed their marker.
    for (const entry of started) killGroup(entry.pid as number);
    const marked = markedProcesses(RUN_ID, false);
    for (const pid of marked) kill(pid);
    if (marked.length === 0 || performance.now() > deadline) break;
    Atomics.wait(pause, 0, 0, SWEEP_PAUSE_MS);
  }
  for (const entry of entries) {
    try {
      rmSync(entry.tempDir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // Nothing more can be done on the way out.
    }
  }
  live.clear();
  return started.length;
}

// An interrupted run stops everything it started, synchronously, on its way out.
onInterrupt(() => {
  const stopped = stopAllSync();
  if (stopped === 0) return;
  return `stopped ${stopped} started process${stopped === 1 ? '' : 'es'} and removed ${stopped === 1 ? 'its temp dir' : 'their temp dirs'}`;
});

/** Kills the processes carrying `marker` until none is left (bounded), pausing without blocking. */
async function sweep(marker: string, exact: boolean): Promise<void> {
  const deadline = performance.now() + SWEEP_LIMIT_MS;
  for (;;) {
    const marked = markedProcesses(marker, exact);
    for (const pid of marked) kill(pid);
    if (marked.length === 0 || performance.now() > deadline) return;
    await new Promise((done) => setTimeout(done, SWEEP_PAUSE_MS));
  }
}

const PROC_ENVIRON = process.platform === 'linux' && existsSync('/proc/self/environ');

/**
 * Live processes whose environment has `TM_DOCTOR_RUN=<marker>` (exact) or a value starting
 * with `<marker>.` (the whole run). A zombie's environment reads empty: it is already dead.
 */
function markedProcesses(marker: string, exact: boolean): number[] {
  if (!PROC_ENVIRON) return [];
  const needle = Buffer.from(`${RUN_MARKER_VARIABLE}=${marker}${exact ? '' : '.'}`);
  const found: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // gone, or not ours to read (then not ours to kill either)
    }
    if (hasVariable(environ, needle, exact)) found.push(Number(entry));
  }
  return found;
}

/** `needle` at the start of one NUL-separated entry (and, when exact, the whole entry). */
function hasVariable(environ: Buffer, needle: Buffer, exact: boolean): boolean {
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at > 0 && environ[at - 1] !== 0) continue;
    const end = at + needle.length;
    if (!exact || end === environ.length || environ[end] === 0) return true;
  }
  return false;
}

function killGroup(pid: number): void {
  try {
    if (process.platform === 'win32') process.kill(pid, 'SIGKILL');
    else process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is gone.
  }
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone meanwhile, or not ours
  }
}
