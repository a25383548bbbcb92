import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every entry of the results store under the cache home `cacheHome` (`XDG_CACHE_HOME`), as [kind, key, usedAt, value]. */
export function storedResults(cacheHome: string): Array<[string, string, number, unknown]> {
  const dir = join(cacheHome, 'tm-doctor', 'results');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .flatMap((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { entries: Array<[string, string, number, unknown]> }).entries);
}
