/**
 * What a run read from disk, for benchmarks: the CLI prints it on stderr when
 * TM_DOCTOR_STATS=1 (bench/monorepo.mjs compares it with a plain walk-and-read of the tree).
 */
export const readStats = {
  /** Files whose bytes were read. */
  files: 0,
  bytes: 0,
  /** Paths looked for that did not exist. */
  absent: 0,
};

export function formatReadStats(): string {
  return `tm-doctor stats: files read ${readStats.files} (${readStats.bytes} bytes), absent ${readStats.absent}\n`;
}
