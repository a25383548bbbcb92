import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import type { HclParse } from '../../src/parsers/hcl.js';
import type { HandshakeResult } from '../../src/providers/handshake.js';
import { CacheDirectory } from '../../src/cache/directory.js';
import { identityKey, ResultStore } from '../../src/cache/results.js';
import { makeTempDir } from '../support/providers.js';

let home: string;
afterAll(async () => rm(home, { recursive: true, force: true }));
beforeAll(() => {
  home = makeTempDir('cache');
});

const healthy: HandshakeResult = { ok: true, protocol: 5, network: 'unix', address: '/x', line: '1|5|unix|/x|grpc|', ms: 3 };
const PATH = '/usr/bin:/bin';

/** A parse whose JSON takes about `bytes` bytes. */
function parseOf(bytes: number): HclParse {
  return { body: { padding: 'x'.repeat(bytes) }, diagnostic: null } as unknown as HclParse;
}

function shardFiles(root: string): string[] {
  return readdirSync(join(root, 'results')).sort();
}

function storeBytes(root: string): number {
  return shardFiles(root).reduce((sum, name) => sum + statSync(join(root, 'results', name)).size, 0);
}

describe('CacheDirectory location', () => {
  it('prefers an absolute XDG_CACHE_HOME, then HOME/.cache, never the real home', () => {
    expect(CacheDirectory.open({ XDG_CACHE_HOME: '/xdg', HOME: '/h' }).path).toBe('/xdg/tm-doctor');
    expect(CacheDirectory.open({ XDG_CACHE_HOME: 'relative', HOME: '/h' }).path).toBe('/h/.cache/tm-doctor');
    expect(CacheDirectory.open({}).path).toBeNull();
    expect(CacheDirectory.open({ HOME: '/h' }, { disabled: true }).path).toBeNull();
  });
});

describe('ResultStore', () => {
  it('stores hashes, handshakes and parses across instances, in owner-only shards', async () => {
    const env = { HOME: join(home, 'a') };
    const first = ResultStore.open(CacheDirectory.open(env));
    const key = identityKey({ dev: 1, ino: 2n, size: 3, mtimeNs: 4n });
    expect(key).toBe('1:2:3:ns4');
    first.setHash(key, 'h1:abc=');
    first.setHandshake(key, PATH, healthy);
    first.setHandshake('timeout', PATH, { ok: false, cause: 'timeout', stderrTail: '', terraformWouldSay: 't' });
    first.setParse('/p/main.tf', 'content-1', parseOf(10));
    await first.save();
    const second = ResultStore.open(CacheDirectory.open(env));
    expect(second.getHash(key)).toBe('h1:abc=');
    expect(second.getHandshake(key, PATH)).toEqual(healthy);
    expect(second.getHandshake('timeout', PATH)).toBeUndefined();
    expect(second.getParse('/p/main.tf', 'content-1')).toEqual(parseOf(10));
    const root = join(home, 'a', '.cache', 'tm-doctor');
    expect(readdirSync(root)).toEqual(['results']);
    expect(statSync(root).mode & 0o777).toBe(0o700);
    for (const name of shardFiles(root)) {
      expect(name).toMatch(/^shard-[0-9a-f]{2}\.json$/);
      expect(statSync(join(root, 'results', name)).mode & 0o777).toBe(0o600);
    }
  });

  it('answers a handshake only for the PATH it ran with', async () => {
    const env = { HOME: join(home, 'path') };
    const store = ResultStore.open(CacheDirectory.open(env));
    store.setHandshake('k', PATH, healthy);
    await store.save();
    const again = ResultStore.open(CacheDirectory.open(env));
    expect(again.getHandshake('k', PATH)).toEqual(healthy);
    expect(again.getHandshake('k', `/evil:${PATH}`)).toBeUndefined();
    expect(again.getHandshake('k', undefined)).toBeUndefined();
  });

  it('keeps one parse per file, the newest', async () => {
    const env = { HOME: join(home, 'newest') };
    const store = ResultStore.open(CacheDirectory.open(env));
    store.setParse('/p/a.tm.hcl', 'one', parseOf(100));
    await store.save();
    const later = ResultStore.open(CacheDirectory.open(env));
    later.setParse('/p/a.tm.hcl', 'two', parseOf(200));
    await later.save();
    const after = ResultStore.open(CacheDirectory.open(env));
    expect(after.getParse('/p/a.tm.hcl', 'one')).toBeUndefined();
    expect(after.getParse('/p/a.tm.hcl', 'two')).toEqual(parseOf(200));
  });

  it('stays within its byte budget, dropping the least recently used', async () => {
    const env = { HOME: join(home, 'budget') };
    const root = join(home, 'budget', '.cache', 'tm-doctor');
    const budgetBytes = 64 * 1024;
    let clock = 1_000;
    const now = () => clock;
    for (let round = 0; round < 40; round++) {
      const store = ResultStore.open(CacheDirectory.open(env), { budgetBytes, now });
      for (let file = 0; file < 10; file++) store.setParse(`/p/${round}-${file}.tf`, 'c', parseOf(500));
      await store.save();
      clock += 1;
      expect(storeBytes(root)).toBeLessThanOrEqual(budgetBytes);
    }
    const last = ResultStore.open(CacheDirectory.open(env), { budgetBytes, now });
    // The newest round is kept whole (each shard has room for it); the first is long gone.
    for (let file = 0; file < 10; file++) expect(last.getParse(`/p/39-${file}.tf`, 'c')).toEqual(parseOf(500));
    for (let file = 0; file < 10; file++) expect(last.getParse(`/p/0-${file}.tf`, 'c')).toBeUndefined();
    // An entry larger than a shard's share is not kept at all.
    last.setParse('/p/huge.tf', 'c', parseOf(budgetBytes));
    await last.save();
    expect(ResultStore.open(CacheDirectory.open(env), { budgetBytes }).getParse('/p/huge.tf', 'c')).toBeUndefined();
    expect(storeBytes(root)).toBeLessThanOrEqual(budgetBytes);
  });

  it('reads only the shards asked for, writes only the shards changed', async () => {
    const env = { HOME: join(home, 'shards') };
    const root = join(home, 'shards', '.cache', 'tm-doctor');
    const store = ResultStore.open(CacheDirectory.open(env));
    for (let index = 0; index < 200; index++) store.setHash(`k${index}`, `h1:${index}=`);
    await store.save();
    const before = new Map(shardFiles(root).map((name) => [name, statSync(join(root, 'results', name)).ino]));
    expect(before.size).toBe(16);
    const one = ResultStore.open(CacheDirectory.open(env));
    one.setHash('k0', 'h1:changed=');
    await one.save();
    const replaced = shardFiles(root).filter((name) => statSync(join(root, 'results', name)).ino !== before.get(name));
    expect(replaced).toHaveLength(1);
    expect(ResultStore.open(CacheDirectory.open(env)).getHash('k0')).toBe('h1:changed=');
  });

  it('reads and writes nothing when disabled', async () => {
    const env = { HOME: join(home, 'b') };
    const store = ResultStore.open(CacheDirectory.open(env, { disabled: true }));
    store.setHash('k', 'h1:x=');
    await store.save();
    expect(store.getHash('k')).toBeUndefined();
    expect(() => readdirSync(join(home, 'b'))).toThrow();
  });

  it('treats a damaged shard as empty and replaces it; removes the previous format file', async () => {
    const root = join(home, 'damaged');
    mkdirSync(join(root, 'results'), { recursive: true, mode: 0o700 });
    chmodSync(root, 0o700);
    writeFileSync(join(root, 'results-v2.json'), '{}', { mode: 0o600 });
    const probe = ResultStore.open(CacheDirectory.at(root));
    probe.setHash('k', 'h1:y=');
    await probe.save();
    const [name] = shardFiles(root);
    writeFileSync(join(root, 'results', name), '{"version":3,"entries":', { mode: 0o600 });
    const store = ResultStore.open(CacheDirectory.at(root));
    expect(store.getHash('k')).toBeUndefined();
    store.setHash('k', 'h1:y=');
    await store.save();
    expect(ResultStore.open(CacheDirectory.at(root)).getHash('k')).toBe('h1:y=');
    expect(readdirSync(root)).toEqual(['results']);
  });

  it('merges with entries another process saved meanwhile', async () => {
    const root = join(home, 'merge');
    const mine = ResultStore.open(CacheDirectory.at(root));
    const theirs = ResultStore.open(CacheDirectory.at(root));
    expect(mine.getHash('theirs')).toBeUndefined(); // the shard is read before they write
    theirs.setHash('theirs', 'h1:t=');
    await theirs.save();
    mine.setHash('mine', 'h1:m=');
    await mine.save();
    const after = ResultStore.open(CacheDirectory.at(root));
    expect([after.getHash('mine'), after.getHash('theirs')]).toEqual(['h1:m=', 'h1:t=']);
  });

  it('is never torn while 8 savers race and a reader polls', async () => {
    const root = join(home, 'race');
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        let names: string[] = [];
        try {
          names = readdirSync(join(root, 'results')).filter((name) => name.endsWith('.json'));
        } catch {
          // not yet made
        }
        for (const name of names.slice(reads % 16, (reads % 16) + 1)) {
          const parsed = JSON.parse(await readFile(join(root, 'results', name), 'utf8')) as { version: number };
          expect(parsed.version).toBe(3);
          reads += 1;
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    const saver = async (id: number): Promise<void> => {
      for (let round = 0; round < 6; round += 1) {
        const store = ResultStore.open(CacheDirectory.at(root));
        for (let i = 0; i < 300; i += 1) store.setHash(`w${id}-${round}-${i}`, `h1:${'x'.repeat(43)}=`);
        await store.save();
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, id) => saver(id)));
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    const kept = shardFiles(root).reduce((sum, name) => sum + (JSON.parse(readFileSync(join(root, 'results', name), 'utf8')) as { entries: unknown[] }).entries.length, 0);
    expect(kept).toBeGreaterThanOrEqual(300);
    expect(shardFiles(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
