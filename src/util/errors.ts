// The typed failures and system-error helpers every layer shares.

/** A typed failure the CLI turns into a friendly message and exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`, ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

const ERRNO_WORDS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'symbolic link loop',
  EISDIR: 'is a directory',
  ENOENT: 'no such file',
  ENOTDIR: 'a path component is not a directory',
  ENOSPC: 'no space left on device',
  EPIPE: 'the reading end of the pipe was closed',
  EROFS: 'read-only file system',
};

/** A system error in a few words for a message ("permission denied"), else its own message. */
export function describeErrno(error: unknown): string {
  const code = errnoCode(error);
  if (code && ERRNO_WORDS[code]) return ERRNO_WORDS[code];
  return error instanceof Error ? error.message : String(error);
}
