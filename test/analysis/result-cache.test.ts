import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { HandshakeResult } from '../../src/providers/handshake.js';
import { identityKey, resultCacheFile, ResultCache } from '../../src/analysis/result-cache.js';
import { makeTempDir } from '../support/providers.js';

let home: string;
afterAll(async () => rm(home, { recursive: true, force: true }));
beforeAll(() => {
  home = makeTempDir('cache');
});

const healthy: HandshakeResult = { ok: true, protocol: 5, network: 'unix', address: '/x', line: '1|5|unix|/x|grpc|', ms: 3 };

describe('resultCacheFile', () => {
  it('prefers an absolute XDG_CACHE_HOME, then HOME/.cache, never the real home', () => {
    expect(resultCacheFile({ XDG_CACHE_HOME: '/xdg', HOME: '/h' })).toBe('/xdg/tm-doctor/results-v2.json');
    expect(resultCacheFile({ XDG_CACHE_HOME: 'relative', HOME: '/h' })).toBe('/h/.cache/tm-doctor/results-v2.json');
    expect(resultCacheFile({})).toBeNull();
  });
});

describe('ResultCache', () => {
  it('stores hashes and handshakes across instances', async () => {
    const env = { HOME: join(home, 'a') };
    const first = await ResultCache.open({ env });
    const key = identityKey({ dev: 1, ino: 2n, size: 3, mtimeNs: 4n });
    expect(key).toBe('1:2:3:ns4');
    first.setHash(key, 'h1:abc=');
    first.setHandshake(key, healthy);
    first.setHandshake('timeout', { ok: false, cause: 'timeout', stderrTail: '', terraformWouldSay: 't' });
    await first.save();
    const second = await ResultCache.open({ env });
    expect(second.getHash(key)).toBe('h1:abc=');
    expect(second.getHandshake(key)).toEqual(healthy);
    expect(second.getHandshake('timeout')).toBeUndefined();
    expect(readdirSync(join(home, 'a', '.cache', 'tm-doctor'))).toEqual(['results-v2.json']);
  });

  it('reads and writes nothing when disabled', async () => {
    const env = { HOME: join(home, 'b') };
    const cache = await ResultCache.open({ env, disabled: true });
    cache.setHash('k', 'h1:x=');
    await cache.save();
    expect(cache.getHash('k')).toBeUndefined();
    expect(() => readdirSync(join(home, 'b'))).toThrow();
  });

  it('treats a damaged file as empty and replaces it', async () => {
    const file = join(home, 'damaged.json');
    writeFileSync(file, '{"version":1,"hashes":');
    const cache = await ResultCache.open({ env: {}, file });
    expect(cache.getHash('k')).toBeUndefined();
    cache.setHash('k', 'h1:y=');
    await cache.save();
    expect(JSON.parse(readFileSync(file, 'utf8')).hashes.k.value).toBe('h1:y=');
  });

  it('merges with entries another process saved meanwhile', async () => {
    const file = join(home, 'merge.json');
    const mine = await ResultCache.open({ env: {}, file });
    const theirs = await ResultCache.open({ env: {}, file });
    theirs.setHash('theirs', 'h1:t=');
    await theirs.save();
    mine.setHash('mine', 'h1:m=');
    await mine.save();
    const after = await ResultCache.open({ env: {}, file });
    expect([after.getHash('mine'), after.getHash('theirs')]).toEqual(['h1:m=', 'h1:t=']);
  });

  it('is never torn while 8 savers race and a reader polls', async () => {
    const file = join(home, 'race.json');
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        try {
          const parsed = JSON.parse(await readFile(file, 'utf8')) as { version: number };
          expect(parsed.version).toBe(2);
          reads += 1;
        } catch (error) {
          if ((error as { code?: string }).code !== 'ENOENT') throw error;
        }
      }
    })();
    const saver = async (id: number): Promise<void> => {
      for (let round = 0; round < 15; round += 1) {
        const cache = await ResultCache.open({ env: {}, file });
        for (let i = 0; i < 300; i += 1) cache.setHash(`w${id}-${round}-${i}`, `h1:${'x'.repeat(43)}=`);
        await cache.save();
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, id) => saver(id)));
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    const final = JSON.parse(readFileSync(file, 'utf8')) as { hashes: Record<string, unknown> };
    expect(Object.keys(final.hashes).length).toBeGreaterThanOrEqual(300);
    expect(readdirSync(home).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
