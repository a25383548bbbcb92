import { isAbsolute, join } from 'node:path';

/** `$XDG_CACHE_HOME/tm-doctor` or `$HOME/.cache/tm-doctor`; null when neither is an absolute path. */
export function cacheDirectory(env: Readonly<Record<string, string | undefined>>): string | null {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'tm-doctor');
  const home = env.HOME ?? env.USERPROFILE;
  if (home && isAbsolute(home)) return join(home, '.cache', 'tm-doctor');
  return null;
}
