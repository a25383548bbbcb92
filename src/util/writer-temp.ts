// The names of the temp files the fix writer puts next to a file it replaces:
// `.NAME.tm-doctor-PID-RANDOM`, so that any later run can tell whose they are and whether
// their writer is still alive.

/** Marks the writer's temp files. */
export const TEMP_MARKER = '.tm-doctor-';

const TEMP_NAME = /^\..+\.tm-doctor-([1-9][0-9]*)-[0-9a-f]+$/;

/** The temp file name for `baseName`, made by process `pid`. */
export function writerTempName(baseName: string, pid: number, random: string): string {
  return `.${baseName}${TEMP_MARKER}${pid}-${random}`;
}

/** The id of the process that made the temp file `name`, or null when `name` is not one. */
export function writerPidOf(name: string): number | null {
  const match = TEMP_NAME.exec(name);
  if (!match) return null;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) ? pid : null;
}
