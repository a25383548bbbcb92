// Handshakes many executables, each distinct file (device + inode) once, a few at a time.
import { availableParallelism } from 'node:os';

import { mapWithConcurrency } from './concurrency.js';
import { statBigInt } from '../util/observed-fs.js';
import { runHandshake, type HandshakeResult } from './handshake.js';

export interface HandshakeBatchOptions {
  timeoutMs: number;
  concurrency?: number;
  signal?: AbortSignal;
  path?: string;
  tempRoot?: string;
  /** Called after each distinct executable has been handled (for a progress display). */
  onSettled?: (done: number, total: number, executable: string) => void;
  /**
   * Consulted before running an executable: return a stored result to skip the run (a
   * result cache), or undefined to run it.
   */
  lookup?: (identity: string, executable: string) => HandshakeResult | undefined;
}

export interface HandshakeBatchEntry {
  executable: string;
  /** `dev:ino` of the file, or the path itself when it cannot be stat'ed. */
  identity: string;
  result: HandshakeResult;
  /** True when this entry's result came from running the file (not a duplicate, not a lookup). */
  ran: boolean;
  fromLookup: boolean;
}

/** Results in the order of `executables`; duplicates share their first occurrence's result. */
export async function runHandshakes(
  executables: readonly string[],
  options: HandshakeBatchOptions,
): Promise<HandshakeBatchEntry[]> {
  const identities = await Promise.all(executables.map(fileIdentity));
  const firstIndexByIdentity = new Map<string, number>();
  identities.forEach((identity, index) => {
    if (!firstIndexByIdentity.has(identity)) firstIndexByIdentity.set(identity, index);
  });
  const distinct = [...firstIndexByIdentity.entries()];
  const concurrency = options.concurrency ?? availableParallelism();
  let done = 0;
  const outcomes = await mapWithConcurrency(distinct, concurrency, async ([identity, index]) => {
    const executable = executables[index];
    const stored = options.lookup?.(identity, executable);
    const result =
      stored ??
      (await runHandshake(executable, {
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        path: options.path,
        tempRoot: options.tempRoot,
      }));
    done += 1;
    options.onSettled?.(done, distinct.length, executable);
    return { identity, result, fromLookup: stored !== undefined };
  });
  const byIdentity = new Map(outcomes.map((outcome) => [outcome.identity, outcome]));
  return executables.map((executable, index) => {
    const outcome = byIdentity.get(identities[index]);
    if (!outcome) throw new Error(`internal: no handshake outcome for ${executable}`);
    const first = firstIndexByIdentity.get(identities[index]) === index;
    return {
      executable,
      identity: identities[index],
      result: outcome.result,
      ran: first && !outcome.fromLookup,
      fromLookup: outcome.fromLookup,
    };
  });
}

async function fileIdentity(path: string): Promise<string> {
  try {
    const info = await statBigInt(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return `path:${path}`;
  }
}
