import { chmodSync, copyFileSync, mkdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

import { checkExecutableHeader, hostPlatform } from '../../src/providers/header.js';
import { buildGoTool, makeTempDir } from '../support/providers.js';

let provider: string;
let dir: string;
let counter = 0;

beforeAll(() => {
  provider = buildGoTool('provider');
  dir = makeTempDir('header');
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

function file(bytes: Buffer | null, mode = 0o755): string {
  counter += 1;
  const path = join(dir, `f${counter}`);
  if (bytes === null) copyFileSync(provider, path);
  else writeFileSync(path, bytes);
  chmodSync(path, mode);
  return path;
}

function elf(is64: boolean, littleEndian: boolean, machine: number, type = 2): Buffer {
  const bytes = Buffer.alloc(64);
  bytes.write('\x7fELF', 0, 'latin1');
  bytes[4] = is64 ? 2 : 1;
  bytes[5] = littleEndian ? 1 : 2;
  bytes[6] = 1;
  if (littleEndian) {
    bytes.writeUInt16LE(type, 16);
    bytes.writeUInt16LE(machine, 18);
  } else {
    bytes.writeUInt16BE(type, 16);
    bytes.writeUInt16BE(machine, 18);
  }
  return bytes;
}

function macho(cpuType: number): Buffer {
  const bytes = Buffer.alloc(32);
  bytes.writeUInt32LE(0xfeedfacf, 0);
  bytes.writeInt32LE(cpuType, 4);
  return bytes;
}

function fat(cpuTypes: number[]): Buffer {
  const bytes = Buffer.alloc(8 + cpuTypes.length * 20);
  bytes.writeUInt32BE(0xcafebabe, 0);
  bytes.writeUInt32BE(cpuTypes.length, 4);
  cpuTypes.forEach((cpu, index) => bytes.writeInt32BE(cpu, 8 + index * 20));
  return bytes;
}

function pe(machine: number, peOffset = 0x80, size = 0x200): Buffer {
  const bytes = Buffer.alloc(Math.max(size, peOffset + 8));
  bytes.write('MZ', 0, 'latin1');
  bytes.writeUInt32LE(peOffset, 0x3c);
  bytes.write('PE\0\0', peOffset, 'latin1');
  bytes.writeUInt16LE(machine, peOffset + 4);
  return bytes;
}

describe('checkExecutableHeader', () => {
  it('accepts the real Go provider for this host', async () => {
    expect(hostPlatform()).toBe('linux_amd64');
    expect(await checkExecutableHeader(file(null), 'linux_amd64')).toEqual({ ok: true, format: 'elf' });
  });

  it('still accepts a truncated binary (its header is intact: the handshake must catch it)', async () => {
    const path = file(null);
    truncateSync(path, 100_000);
    expect(await checkExecutableHeader(path, 'linux_amd64')).toEqual({ ok: true, format: 'elf' });
  });

  it.each([
    ['missing', async () => join(dir, 'nope')],
    ['missing', async () => { const link = join(dir, `dangling${++counter}`); symlinkSync(join(dir, 'gone'), link); return link; }],
    ['not-regular', async () => { const sub = join(dir, `sub${++counter}`); mkdirSync(sub); return sub; }],
    ['empty', async () => file(Buffer.alloc(0))],
    ['not-executable', async () => file(null, 0o644)],
    ['bad-header', async () => file(Buffer.from('#!/bin/sh\necho hi\n'))],
    ['bad-header', async () => file(Buffer.from('hello world, not a binary'))],
    ['bad-header', async () => file(elf(true, true, 62, 1))],
    ['bad-header', async () => file(Buffer.from('\x7fELF', 'latin1'))],
  ])('%s', async (code, make) => {
    const result = await checkExecutableHeader(await make(), 'linux_amd64');
    expect(result).toMatchObject({ ok: false, code });
  });

  const matrix: Array<[string, Buffer, 'ok' | 'wrong-arch' | 'bad-header']> = [
    ['linux_amd64', elf(true, true, 62), 'ok'],
    ['linux_amd64', elf(true, true, 183), 'wrong-arch'],
    ['linux_amd64', elf(false, true, 62), 'wrong-arch'],
    ['linux_arm64', elf(true, true, 183), 'ok'],
    ['linux_386', elf(false, true, 3), 'ok'],
    ['linux_386', elf(true, true, 62), 'wrong-arch'],
    ['linux_arm', elf(false, true, 40), 'ok'],
    ['linux_s390x', elf(true, false, 22), 'ok'],
    ['linux_s390x', elf(true, true, 22), 'wrong-arch'],
    ['freebsd_amd64', elf(true, true, 62), 'ok'],
    ['openbsd_arm64', elf(true, true, 183), 'ok'],
    ['darwin_amd64', macho(0x01000007), 'ok'],
    ['darwin_arm64', macho(0x0100000c), 'ok'],
    ['darwin_arm64', macho(0x01000007), 'wrong-arch'],
    ['darwin_arm64', fat([0x01000007, 0x0100000c]), 'ok'],
    ['darwin_amd64', fat([0x0100000c]), 'wrong-arch'],
    ['darwin_amd64', elf(true, true, 62), 'wrong-arch'],
    ['linux_amd64', macho(0x01000007), 'wrong-arch'],
    ['linux_amd64', pe(0x8664), 'wrong-arch'],
    ['windows_amd64', pe(0x8664), 'ok'],
    ['windows_amd64', pe(0x8664, 0x2000, 0x2100), 'ok'],
    ['windows_386', pe(0x14c), 'ok'],
    ['windows_arm64', pe(0xaa64), 'ok'],
    ['windows_arm64', pe(0x8664), 'wrong-arch'],
    ['windows_amd64', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100)]), 'bad-header'],
    ['darwin_amd64', Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52]), Buffer.alloc(100)]), 'bad-header'],
  ];
  it.each(matrix)('%s with %#', async (osArch, bytes, expected) => {
    const result = await checkExecutableHeader(file(bytes), osArch);
    if (expected === 'ok') expect(result.ok).toBe(true);
    else expect(result).toMatchObject({ ok: false, code: expected });
  });

  it('names what it found in a wrong-arch verdict', async () => {
    const bytes = readFileSync(provider);
    bytes.writeUInt16LE(183, 18);
    expect(await checkExecutableHeader(file(bytes), 'linux_amd64')).toEqual({
      ok: false,
      code: 'wrong-arch',
      detail: 'ELF 64-bit little-endian AArch64 (arm64) executable, not linux_amd64',
    });
  });
});
