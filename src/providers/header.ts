// Cheap, non-executing checks on a provider executable: does the file exist, can this user
// run it, and is it an executable image for the OS_ARCH its package directory claims?

import { errnoCode } from '../util/errors.js';
import { assertExecutable, observeFailedRead, openForReading, stat } from '../util/observed-fs.js';

export type HeaderFailureCode =
  | 'missing'
  | 'not-regular'
  | 'not-executable'
  | 'empty'
  | 'bad-header'
  | 'wrong-arch';

export type HeaderCheckResult =
  | { ok: true; format: ExecutableFormat }
  | { ok: false; code: HeaderFailureCode; detail: string };

export type ExecutableFormat = 'elf' | 'mach-o' | 'pe';

/** How much of the file is read: enough for every header we look at, PE's usual offset included. */
const HEADER_BYTES = 4096;

interface ElfTarget {
  format: 'elf';
  is64: boolean;
  littleEndian: boolean;
  machines: readonly number[];
}
interface MachOTarget {
  format: 'mach-o';
  cpuType: number;
}
interface PeTarget {
  format: 'pe';
  machines: readonly number[];
}
type Target = ElfTarget | MachOTarget | PeTarget;

const ELF_OSES = new Set(['linux', 'freebsd', 'openbsd', 'netbsd', 'dragonfly', 'solaris', 'illumos']);

// Go's GOARCH names mapped to ELF e_machine values and word layout.
const ELF_ARCHES: Record<string, Omit<ElfTarget, 'format'>> = {
  amd64: { is64: true, littleEndian: true, machines: [62] },
  '386': { is64: false, littleEndian: true, machines: [3] },
  arm64: { is64: true, littleEndian: true, machines: [183] },
  arm: { is64: false, littleEndian: true, machines: [40] },
  ppc64le: { is64: true, littleEndian: true, machines: [21] },
  ppc64: { is64: true, littleEndian: false, machines: [21] },
  s390x: { is64: true, littleEndian: false, machines: [22] },
  riscv64: { is64: true, littleEndian: true, machines: [243] },
  loong64: { is64: true, littleEndian: true, machines: [258] },
  mips: { is64: false, littleEndian: false, machines: [8] },
  mipsle: { is64: false, littleEndian: true, machines: [8] },
  mips64: { is64: true, littleEndian: false, machines: [8] },
  mips64le: { is64: true, littleEndian: true, machines: [8] },
};

const CPU_ARCH_ABI64 = 0x01000000;
const MACHO_CPU_TYPES: Record<string, number> = {
  amd64: 7 | CPU_ARCH_ABI64,
  arm64: 12 | CPU_ARCH_ABI64,
  '386': 7,
  arm: 12,
};

const PE_MACHINES: Record<string, readonly number[]> = {
  amd64: [0x8664],
  '386': [0x14c],
  arm64: [0xaa64],
  arm: [0x1c0, 0x1c4],
};

const ELF_MACHINE_NAMES: Record<number, string> = {
  3: 'x86 (386)',
  8: 'MIPS',
  21: 'PowerPC64',
  22: 'S/390',
  40: 'ARM',
  62: 'x86-64 (amd64)',
  183: 'AArch64 (arm64)',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** The header an executable for `osArch` (Go's `GOOS_GOARCH`) must have; null when unknown. */
export function targetFor(osArch: string): Target | null {
  const match = /^([a-z0-9]+)_([a-z0-9]+)$/.exec(osArch);
  if (!match) return null;
  const [, os, arch] = match;
  if (ELF_OSES.has(os)) {
    const elf = ELF_ARCHES[arch];
    return elf ? { format: 'elf', ...elf } : null;
  }
  if (os === 'darwin') {
    const cpuType = MACHO_CPU_TYPES[arch];
    return cpuType === undefined ? null : { format: 'mach-o', cpuType };
  }
  if (os === 'windows') {
    const machines = PE_MACHINES[arch];
    return machines ? { format: 'pe', machines } : null;
  }
  return null;
}

/** This machine's platform in Terraform's `OS_ARCH` spelling (Go's GOOS_GOARCH). */
export function hostPlatform(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arches: Record<string, string> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };
  return `${os}_${arches[process.arch] ?? process.arch}`;
}

export async function checkExecutableHeader(path: string, osArch: string): Promise<HeaderCheckResult> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    const code = errnoCode(error);
    return {
      ok: false,
      code: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'not-regular',
      detail: code === 'ENOENT' ? 'no such file (or a symlink to nothing)' : `cannot stat: ${code ?? String(error)}`,
    };
  }
  if (!info.isFile()) {
    return { ok: false, code: 'not-regular', detail: `not a regular file (${describeKind(info)})` };
  }
  if (info.size === 0) return { ok: false, code: 'empty', detail: 'the file is empty (0 bytes)' };
  if (!osArch.startsWith('windows_') && process.platform !== 'win32') {
    try {
      await assertExecutable(path);
    } catch {
      const mode = (info.mode & 0o777).toString(8).padStart(3, '0');
      return { ok: false, code: 'not-executable', detail: `not executable by this user (mode ${mode})` };
    }
  }
  let header: Buffer;
  try {
    header = await readHeader(path, info.size);
  } catch (error) {
    return { ok: false, code: 'not-regular', detail: `cannot read: ${errnoCode(error) ?? String(error)}` };
  }
  return checkHeaderBytes(header, osArch, (position, length) => readAt(path, position, length));
}

/**
 * Judges header bytes against `osArch`. `readMore` fetches bytes beyond the first block
 * (only PE can point that far).
 */
export async function checkHeaderBytes(
  header: Buffer,
  osArch: string,
  readMore: (position: number, length: number) => Promise<Buffer>,
): Promise<HeaderCheckResult> {
  const found = await identify(header, readMore);
  if ('problem' in found) return { ok: false, code: 'bad-header', detail: found.problem };
  const target = targetFor(osArch);
  if (!target) return { ok: true, format: found.format };
  const mismatch = describeMismatch(found, target, osArch);
  return mismatch ? { ok: false, code: 'wrong-arch', detail: mismatch } : { ok: true, format: found.format };
}

type Identified =
  | { format: 'elf'; is64: boolean; littleEndian: boolean; machine: number }
  | { format: 'mach-o'; cpuTypes: number[] }
  | { format: 'pe'; machine: number }
  | { problem: string };

async function identify(
  header: Buffer,
  readMore: (position: number, length: number) => Promise<Buffer>,
): Promise<Identified> {
  if (header.length >= 4 && header.readUInt32BE(0) === 0x7f454c46) return identifyElf(header);
  if (header.length >= 4) {
    const magicLE = header.readUInt32LE(0);
    if (magicLE === 0xfeedface || magicLE === 0xfeedfacf) {
      if (header.length < 8) return { problem: 'truncated Mach-O header' };
      return { format: 'mach-o', cpuTypes: [header.readInt32LE(4)] };
    }
    const magicBE = header.readUInt32BE(0);
    if (magicBE === 0xfeedface || magicBE === 0xfeedfacf) {
      if (header.length < 8) return { problem: 'truncated Mach-O header' };
      return { format: 'mach-o', cpuTypes: [header.readInt32BE(4)] };
    }
    if (magicBE === 0xcafebabe || magicBE === 0xcafebabf) return identifyFat(header, magicBE === 0xcafebabf);
  }
  if (header.length >= 2 && header[0] === 0x4d && header[1] === 0x5a) return identifyPe(header, readMore);
  if (header.length >= 2 && header[0] === 0x23 && header[1] === 0x21) {
    return { problem: 'a script (#!), not a compiled provider executable' };
  }
  return { problem: `no executable header (first bytes: ${header.subarray(0, 8).toString('hex') || 'none'})` };
}

function identifyElf(header: Buffer): Identified {
  if (header.length < 20) return { problem: 'truncated ELF header' };
  const elfClass = header[4];
  const elfData = header[5];
  if (elfClass !== 1 && elfClass !== 2) return { problem: `invalid ELF class ${elfClass}` };
  if (elfData !== 1 && elfData !== 2) return { problem: `invalid ELF data encoding ${elfData}` };
  const littleEndian = elfData === 1;
  const type = littleEndian ? header.readUInt16LE(16) : header.readUInt16BE(16);
  // ET_EXEC or ET_DYN (Go's -buildmode=pie); relocatable objects and cores cannot run.
  if (type !== 2 && type !== 3) return { problem: `ELF file is not an executable (e_type ${type})` };
  const machine = littleEndian ? header.readUInt16LE(18) : header.readUInt16BE(18);
  return { format: 'elf', is64: elfClass === 2, littleEndian, machine };
}

function identifyFat(header: Buffer, is64: boolean): Identified {
  if (header.length < 8) return { problem: 'truncated Mach-O universal header' };
  const count = header.readUInt32BE(4);
  // Java class files share the 0xcafebabe magic; their version field reads as a count >= 45.
  if (count === 0 || count > 30) return { problem: 'not a Mach-O universal binary (0xcafebabe with an implausible count)' };
  const entrySize = is64 ? 32 : 20;
  if (header.length < 8 + count * entrySize) return { problem: 'truncated Mach-O universal header' };
  const cpuTypes: number[] = [];
  for (let index = 0; index < count; index += 1) cpuTypes.push(header.readInt32BE(8 + index * entrySize));
  return { format: 'mach-o', cpuTypes };
}

async function identifyPe(
  header: Buffer,
  readMore: (position: number, length: number) => Promise<Buffer>,
): Promise<Identified> {
  if (header.length < 0x40) return { problem: 'truncated DOS (MZ) header' };
  const peOffset = header.readUInt32LE(0x3c);
  let signature: Buffer;
  if (peOffset + 6 <= header.length) {
    signature = header.subarray(peOffset, peOffset + 6);
  } else {
    signature = await readMore(peOffset, 6);
  }
  if (signature.length < 6 || signature.readUInt32BE(0) !== 0x50450000) {
    return { problem: 'MZ header without a PE signature' };
  }
  return { format: 'pe', machine: signature.readUInt16LE(4) };
}

function describeMismatch(found: Exclude<Identified, { problem: string }>, target: Target, osArch: string): string | null {
  if (found.format !== target.format) {
    return `${formatName(found.format)} executable, but ${osArch} needs ${formatName(target.format)}`;
  }
  if (found.format === 'elf' && target.format === 'elf') {
    const sameLayout = found.is64 === target.is64 && found.littleEndian === target.littleEndian;
    if (sameLayout && target.machines.includes(found.machine)) return null;
    const layout = `${found.is64 ? '64' : '32'}-bit ${found.littleEndian ? 'little' : 'big'}-endian`;
    const machine = ELF_MACHINE_NAMES[found.machine] ?? `machine ${found.machine}`;
    return `ELF ${layout} ${machine} executable, not ${osArch}`;
  }
  if (found.format === 'mach-o' && target.format === 'mach-o') {
    if (found.cpuTypes.includes(target.cpuType)) return null;
    const names = found.cpuTypes.map((cpu) => `0x${(cpu >>> 0).toString(16)}`).join(', ');
    return `Mach-O executable for CPU type ${names}, not ${osArch}`;
  }
  if (found.format === 'pe' && target.format === 'pe') {
    if (target.machines.includes(found.machine)) return null;
    return `PE executable for machine 0x${found.machine.toString(16)}, not ${osArch}`;
  }
  return null;
}

function formatName(format: ExecutableFormat): string {
  return format === 'elf' ? 'an ELF' : format === 'mach-o' ? 'a Mach-O' : 'a PE (Windows)';
}

async function readHeader(path: string, size: number): Promise<Buffer> {
  return readAt(path, 0, Math.min(size, HEADER_BYTES));
}

/** Up to `length` bytes of a file from `position`, without reading the rest. */
export async function readAt(path: string, position: number, length: number): Promise<Buffer> {
  const handle = await openForReading(path);
  try {
    const buffer = Buffer.alloc(length);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, length, position));
    } catch (error) {
      observeFailedRead(path, errnoCode(error));
      throw error;
    }
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function describeKind(info: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'a device or other special file';
}
