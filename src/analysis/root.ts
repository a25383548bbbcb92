import { existsSync, readdirSync, statSync } from '../util/observed-fs.js';
import { dirname, join, resolve } from 'node:path';
import { readBounded } from '../util/bounded-read.js';
import { UsageError } from '../util/errors.js';

function ancestors(dir: string): string[] {
  const chain: string[] = [];
  let current = dir;
  for (;;) {
    chain.push(current);
    const parent = dirname(current);
    if (parent === current) return chain;
    current = parent;
  }
}

// Terramate's own rule: a `terramate` block with `required_version` marks a root outside git.
const TERRAMATE_ROOT_MARK = /(^|\n)\s*terramate\s*\{[^]*?required_version\s*=/;

function declaresTerramateRoot(dir: string): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return false;
  }
  return names
    .filter((name) => name.endsWith('.tm') || name.endsWith('.tm.hcl'))
    .some((name) => {
      // A FIFO or a link to a device here must not hang or flood the search for the root.
      const read = readBounded(join(dir, name));
      return read.ok && TERRAMATE_ROOT_MARK.test(read.bytes.toString('utf8'));
    });
}

/**
 * The project root as Terramate finds it: the git top-level when DIR is inside a git
 * repository, else the nearest ancestor declaring `terramate { required_version }`, else DIR.
 */
export function findProjectRoot(dirArgument: string): string {
  const dir = resolve(dirArgument);
  let stat;
  try {
    stat = statSync(dir);
  } catch {
    throw new UsageError(`${dirArgument}: no such directory`, 'Pass the directory of a Terramate project.');
  }
  if (!stat.isDirectory()) throw new UsageError(`${dirArgument}: not a directory`, 'Pass the directory of a Terramate project.');
  const chain = ancestors(dir);
  const gitTop = chain.find((candidate) => existsSync(join(candidate, '.git')));
  if (gitTop) return gitTop;
  return chain.find(declaresTerramateRoot) ?? dir;
}
