import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskSnapshot } from '../../src/analysis/snapshot.js';
import { FIXTURES } from '../support/project.js';

// The snapshot keeps the text and computes a file's hash only when a write asks; the hash and
// `lossless` must still describe the bytes on disk exactly, whatever they are.
const CONTENTS: Array<[string, number[]]> = [
  ['ascii', [...Buffer.from('terraform {}\n')]],
  ['multibyte', [...Buffer.from('# café ✓ 🚀\n')]],
  ['byte order mark', [0xef, 0xbb, 0xbf, ...Buffer.from('x = 1\n')]],
  ['empty', []],
  ['latin-1', [0x63, 0x61, 0x66, 0xe9, 0x0a]],
  ['overlong slash', [0xc0, 0xaf]],
  ['encoded surrogate', [0xed, 0xa0, 0x80]],
  ['truncated sequence', [0x61, 0xe2, 0x82]],
  ['above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
  ['lone continuation', [0x80, 0x41]],
];

describe('DiskSnapshot fingerprints', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tm-doctor-snapshot-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(CONTENTS)('%s: the hash is of the bytes read; lossless when they survive a decode', (name, content) => {
    const bytes = Buffer.from(content);
    const file = join(dir, name.replaceAll(' ', '-'));
    writeFileSync(file, bytes);
    const snapshot = new DiskSnapshot(dir);
    const text = snapshot.readText(file);
    const fingerprint = snapshot.fingerprintOf(file);
    expect(text).toBe(bytes.toString('utf8'));
    expect(fingerprint?.lossless).toBe(Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes));
    expect(fingerprint?.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(fingerprint?.size).toBe(bytes.length);
  });

  it("fingerprints the seed project's real files as their bytes", () => {
    const root = join(FIXTURES, 'seed-blog');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .map((name) => join(root, name))
      .filter((file) => /(\.tm\.hcl|\.tf|\.terraform\.lock\.hcl|Makefile)$/.test(file));
    expect(files.length).toBeGreaterThan(5);
    const snapshot = new DiskSnapshot(root);
    for (const file of files) {
      const bytes = readFileSync(file);
      expect([file, snapshot.readText(file)]).toEqual([file, bytes.toString('utf8')]);
      expect(snapshot.fingerprintOf(file)).toMatchObject({ lossless: true, size: bytes.length, hash: createHash('sha256').update(bytes).digest('hex') });
    }
  });

  it('remembers bytes handed over the same way as bytes it read', () => {
    const bytes = Buffer.from([0x61, 0xff, 0x0a]);
    const snapshot = new DiskSnapshot(dir);
    snapshot.remember(join(dir, 'handed'), bytes, { size: 3, mtimeMs: 1, mode: 0o100644 });
    expect(snapshot.fingerprintOf(join(dir, 'handed'))).toMatchObject({ lossless: false, mode: 0o644, hash: createHash('sha256').update(bytes).digest('hex') });
  });
});
