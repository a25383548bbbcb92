import { lockfileCacheEnv } from './lockfile-cache-env.js';
import { lockfilePlatformHashes } from './lockfile-platform-hashes.js';
import { parseError } from './parse-error.js';
import { pluginCacheDir } from './plugin-cache-dir.js';
import type { Rule } from './rule.js';

/** Every rule, in the order `tm-doctor rules` lists them. */
export const rules: Rule[] = [pluginCacheDir, lockfileCacheEnv, lockfilePlatformHashes, parseError];
