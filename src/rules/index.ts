import { lockfileCacheEnv } from './lockfile-cache-env.js';
import { lockfilePlatformHashes } from './lockfile-platform-hashes.js';
import { noSharingOnInit } from './no-sharing-on-init.js';
import { parallelInitCacheRace } from './parallel-init-cache-race.js';
import { parseError } from './parse-error.js';
import { pluginCacheDir } from './plugin-cache-dir.js';
import { providerChecksum } from './provider-checksum.js';
import { providerHandshake } from './provider-handshake.js';
import type { Rule } from './framework/create-rule.js';

/** Every rule, in the order `tm-doctor rules` lists them. */
export const rules: Rule[] = [noSharingOnInit, pluginCacheDir, lockfileCacheEnv, parallelInitCacheRace, lockfilePlatformHashes, providerChecksum, providerHandshake, parseError];
