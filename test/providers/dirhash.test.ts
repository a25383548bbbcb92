import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { compareGoStrings, hash1, hashPackageDir, listPackageFiles, PackageHashError } from '../../src/providers/dirhash.js';
import { buildGoTool, makeTempDir, sha256sumOf } from '../support/providers.js';

let goDirhash: string;
let root: string;

beforeAll(() => {
  goDirhash = buildGoTool('dirhash');
  root = makeTempDir('dirhash');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Terraform's own computation: EvalSymlinks + dirhash.HashDir(dir, "", Hash1), in Go. */
function goHashes(dirs: readonly string[]): string[] {
  return execFileSync(goDirhash, dirs, { encoding: 'utf8', maxBuffer: 1 << 26 }).trim().split('\n');
}

// A deterministic generator, so a failing case can be reproduced from its seed.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const NAME_PIECES = ['a', 'B', 'z', '-', '.', '_', '0', '9', 'é', 'ß', '\u{1F600}', '\uFF5E', 'terraform-provider-x', ' ', '~'];

function generateTree(dir: string, next: () => number, depth = 0): void {
  mkdirSync(dir, { recursive: true });
  const count = 1 + Math.floor(next() * 5);
  for (let index = 0; index < count; index += 1) {
    let name = '';
    const length = 1 + Math.floor(next() * 4);
    for (let piece = 0; piece < length; piece += 1) name += NAME_PIECES[Math.floor(next() * NAME_PIECES.length)];
    if (name === '.' || name === '..') name = 'dot';
    const path = join(dir, name);
    const roll = next();
    try {
      if (roll < 0.2 && depth < 3) generateTree(path, next, depth + 1);
      else if (roll < 0.25) writeFileSync(path, '');
      else if (roll < 0.3) writeFileSync(path, Buffer.alloc(1024 * 1024 + Math.floor(next() * 5000), Math.floor(next() * 256)));
      else writeFileSync(path, Buffer.from(Array.from({ length: Math.floor(next() * 300) }, () => Math.floor(next() * 256))));
    } catch {
      // The name already exists as the other kind (file vs directory): skip it.
    }
  }
}

describe('hashPackageDir matches Go dirhash.Hash1 as Terraform calls it', () => {
  it('agrees on 60 generated package directories', async () => {
    const dirs: string[] = [];
    for (let seed = 1; seed <= 60; seed += 1) {
      const dir = join(root, `gen${seed}`);
      generateTree(dir, random(seed));
      dirs.push(dir);
    }
    const expected = goHashes(dirs);
    const actual = await Promise.all(dirs.map(async (dir) => (await hashPackageDir(dir)).h1));
    expect(actual).toEqual(expected);
    expect(new Set(actual).size).toBe(60);
  });

  it('follows a symlinked package dir and symlinked files, like Terraform', async () => {
    const real = join(root, 'real-package');
    mkdirSync(join(real, 'sub'), { recursive: true });
    writeFileSync(join(real, 'terraform-provider-x_v1'), 'binary');
    writeFileSync(join(root, 'outside.txt'), 'outside content');
    symlinkSync(join(root, 'outside.txt'), join(real, 'sub', 'linked.txt'));
    const link = join(root, 'linked-package');
    symlinkSync(real, link);
    const [expected] = goHashes([link]);
    const result = await hashPackageDir(link);
    expect(result.h1).toBe(expected);
    expect(result.listing.realDir).toBe(real);
    expect(result.listing.files.map((file) => file.name)).toEqual(['sub/linked.txt', 'terraform-provider-x_v1']);
  });

  it('fails where Go fails: a symlink to a directory inside the package', async () => {
    const dir = join(root, 'dirlink-package');
    mkdirSync(join(dir, 'target'), { recursive: true });
    writeFileSync(join(dir, 'target', 'f'), 'x');
    symlinkSync(join(dir, 'target'), join(dir, 'alias'));
    expect(goHashes([dir])[0]).toMatch(/^error: .*is a directory/);
    await expect(hashPackageDir(dir)).rejects.toMatchObject({ name: 'PackageHashError', code: 'EISDIR' });
  });

  it('fails on a dangling symlink inside the package, as Go does', async () => {
    const dir = join(root, 'dangling-package');
    mkdirSync(dir, { recursive: true });
    symlinkSync(join(dir, 'nothing-here'), join(dir, 'terraform-provider-x'));
    expect(goHashes([dir])[0]).toMatch(/^error: .*no such file or directory/);
    await expect(hashPackageDir(dir)).rejects.toBeInstanceOf(PackageHashError);
  });

  it('equals the find | sort | sha256sum | sha256sum | base64 pipeline', async () => {
    const dir = join(root, 'shell-package');
    mkdirSync(join(dir, 'docs'), { recursive: true });
    writeFileSync(join(dir, 'terraform-provider-demo_v2.0.0'), Buffer.alloc(3 * 1024 * 1024 + 17, 7));
    writeFileSync(join(dir, 'docs', 'README.md'), '# demo\n');
    writeFileSync(join(dir, 'CHANGELOG.md'), 'v2\n');
    const shell = execFileSync(
      'sh',
      ['-c', "cd \"$1\" && find . -type f | sed 's|^\\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64 | xxd -r -p | base64", 'sh', dir],
      { encoding: 'utf8' },
    ).trim();
    const result = await hashPackageDir(dir, { concurrency: 2 });
    expect(result.h1).toBe(`h1:${shell}`);
    expect(result.fileHashes).toEqual(sha256sumOf(result.listing.files.map((file) => file.path)));
  });
});

describe('hash1 and ordering', () => {
  it('hashes the summary lines of a known example', () => {
    // printf 'e3b0...  a\n' | sha256sum | xxd -r -p | base64, computed once by the shell tools.
    const emptySha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    const expected = execFileSync('sh', ['-c', `printf '%s  a\\n%s  b/c\\n' ${emptySha} ${emptySha} | sha256sum | cut -c1-64 | xxd -r -p | base64`], {
      encoding: 'utf8',
    }).trim();
    expect(hash1([{ name: 'b/c', sha256: emptySha }, { name: 'a', sha256: emptySha }])).toBe(`h1:${expected}`);
  });

  it('sorts by UTF-8 bytes like Go, not by UTF-16 units', () => {
    const names = ['\u{1F600}', '\uFF5E', 'a/b', 'a-b', 'a.b', 'B'];
    expect([...names].sort(compareGoStrings)).toEqual(['B', 'a-b', 'a.b', 'a/b', '\uFF5E', '\u{1F600}']);
  });

  it('lists names relative to the package with forward slashes, in Go order', async () => {
    const dir = join(root, 'order-package');
    mkdirSync(join(dir, 'a'), { recursive: true });
    writeFileSync(join(dir, 'a', 'b'), '');
    writeFileSync(join(dir, 'a-b'), '');
    writeFileSync(join(dir, 'a.b'), '');
    const listing = await listPackageFiles(dir);
    expect(listing.files.map((file) => file.name)).toEqual(['a-b', 'a.b', 'a/b']);
  });
});
