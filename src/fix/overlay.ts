// Between fix passes nothing is written to disk: the re-check reads the fixed text from here.
import path from 'node:path';
import { isInsideRoot } from '../util/path.js';
import type { FileFingerprint, Snapshot } from '../analysis/snapshot.js';

/**
 * Current text of every file a pass edited or created, keyed by absolute path. The project
 * reader consults it before the disk (and before the snapshot).
 */
export type Overlay = Map<string, string>;

/**
 * The snapshot as the next pass sees it: overlay text first, then the text as read. Paths
 * under `movedAway` (sources of planned moves) read as absent. Fingerprints stay those of
 * the disk: they are what the final write compares against.
 */
export function overlayView(base: Snapshot, overlay: ReadonlyMap<string, string>, movedAway: readonly string[] = []): Snapshot {
  return {
    root: base.root,
    textOf(file: string): string | undefined {
      const key = path.resolve(file);
      const pending = overlay.get(key);
      if (pending !== undefined) return pending;
      if (movedAway.some((from) => isInsideRoot(from, key))) return undefined;
      return base.textOf(key);
    },
    fingerprintOf(file: string): FileFingerprint | null | undefined {
      return base.fingerprintOf(path.resolve(file));
    },
  };
}
