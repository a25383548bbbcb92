import { lockfileCacheEnv } from './lockfile-cache-env.js';
import { parseError } from './parse-error.js';
import { pluginCacheDir } from './plugin-cache-dir.js';
import type { Rule } from './rule.js';

/** Every rule, in the order `tm-doctor rules` lists them. */
export const rules: Rule[] = [pluginCacheDir, lockfileCacheEnv, parseError];
