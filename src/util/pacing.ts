// Long synchronous stretches (thousands of parses, a rule over every stack) hold the event
// loop: signal handlers, the progress display and timers wait until it is free. A loop that
// may run long awaits `pace()` once per item: after SLICE_MS of work the event loop gets one
// turn (a setImmediate shared by every caller waiting at that moment), so that Ctrl-C is
// handled within a slice, not at the end of the phase. A microtask chain alone never gives
// the loop a turn, however many awaits it holds.
const SLICE_MS = 25;

let sliceStart = performance.now();
let turn: Promise<void> | null = null;

/** Undefined while the slice lasts (awaiting it costs one microtask); else the next turn of the loop. */
export function pace(): Promise<void> | undefined {
  if (turn) return turn;
  if (performance.now() - sliceStart < SLICE_MS) return undefined;
  turn = new Promise((resolve) =>
    setImmediate(() => {
      turn = null;
      sliceStart = performance.now();
      resolve();
    }),
  );
  return turn;
}

let queue: Promise<void> = Promise.resolve();

/**
 * `pace()` for tasks started all at once (a `Promise.all` over thousands of files): each
 * caller waits for the one before it to have run up to its next await, then paces. A plain
 * `await pace()` at the start of each would be asked of every task before any had worked,
 * and all would pass.
 */
export function takeTurn(): Promise<void> {
  const turn = queue.then(() => pace());
  queue = turn;
  return turn;
}
