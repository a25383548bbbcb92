// SIGINT (Ctrl-C) and SIGTERM end a check at once, with 130 and 143 (the shell's convention),
// after the cleanups registered here: stopping started processes and their temp dirs, removing
// a fix's temp file, restoring the terminal's cursor. Each cleanup is synchronous: nothing else
// of the run (the next handshake, the report) gets a turn after the signal. The handlers can
// only run when the event loop gets a turn, which long phases give it often (util/pacing.ts).
const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/** A cleanup; what it returns, if anything, is said on stderr ("stopped 1 started process..."). */
export type InterruptCleanup = () => string | void;

const REGISTRY = Symbol.for('tm-doctor.interrupt-cleanups');
// The published package holds this module in each bundle and the unbundled engine: one set.
const cleanups: Set<InterruptCleanup> = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Set<InterruptCleanup> | undefined) ?? new Set();
(globalThis as Record<symbol, unknown>)[REGISTRY] = cleanups;

/** Registers `cleanup` to run if the run is interrupted; returns the function that forgets it. */
export function onInterrupt(cleanup: InterruptCleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

const INSTALLED = Symbol.for('tm-doctor.interrupt-handlers');

/**
 * Installs the SIGINT/SIGTERM handlers, once per process (bin/run.js does it first, so that
 * even start-up ends with 130/143); returns the function that removes them, a no-op for a
 * caller that found them installed.
 */
export function installInterruptHandlers(): () => void {
  const memo = globalThis as Record<symbol, unknown>;
  if (memo[INSTALLED]) return () => {};
  memo[INSTALLED] = true;
  const handler = (signal: NodeJS.Signals): void => {
    const said: string[] = [];
    try {
      for (const cleanup of [...cleanups].reverse()) {
        try {
          const phrase = cleanup();
          if (phrase) said.push(phrase);
        } catch {
          // Nothing more can be done on the way out; the other cleanups still run.
        }
      }
      process.stderr.write(`\ntm-doctor: interrupted by ${signal}${said.length > 0 ? `: ${said.join('; ')}` : ''}\n`);
    } finally {
      process.exit(EXIT_CODES[signal] ?? 1);
    }
  };
  const signals = Object.keys(EXIT_CODES) as NodeJS.Signals[];
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
    memo[INSTALLED] = false;
  };
}
