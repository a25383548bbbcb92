// The race oracle's provider: the real go-plugin test provider (test/support/go-provider), padded
// to a realistic size, offered by a filesystem mirror in both of Terraform's layouts:
//   packed    <mirror>/example.com/acme/big/terraform-provider-big_1.0.0_linux_amd64.zip
//   unpacked  <mirror>/example.com/acme/big/1.0.0/linux_amd64/terraform-provider-big_v1.0.0
// Built once per size (and per build of the Go provider) under
// node_modules/.cache/tm-doctor-test/oracle/ (or $TM_DOCTOR_TEST_CACHE/oracle/) and reused.
// Mirrors are read-only inputs: trials never write into them (Terraform links or copies out).
import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoDir = resolve(here, '../..');

export const PROVIDER_HOSTNAME = 'example.com';
export const PROVIDER_NAMESPACE = 'acme';
export const PROVIDER_TYPE = 'big';
export const PROVIDER_VERSION = '1.0.0';
export const PROVIDER_PLATFORM = 'linux_amd64';
/** The provider's source address as `required_providers` and lock files spell it. */
export const PROVIDER_SOURCE = `${PROVIDER_HOSTNAME}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;
/** The executable's name inside the package. */
export const PROVIDER_EXECUTABLE = `terraform-provider-${PROVIDER_TYPE}_v${PROVIDER_VERSION}`;
const ZIP_NAME = `terraform-provider-${PROVIDER_TYPE}_${PROVIDER_VERSION}_${PROVIDER_PLATFORM}.zip`;
const MANIFEST = 'provider.json';
const MIB = 1024 * 1024;

/**
 * @typedef {'packed' | 'unpacked'} MirrorLayout
 * @typedef {object} OracleProvider
 * @property {string} source          `example.com/acme/big`
 * @property {string} version         `1.0.0`
 * @property {string} platform        `linux_amd64`
 * @property {string} executableName  `terraform-provider-big_v1.0.0`
 * @property {number} sizeMiB         the size asked for (the executable is padded up to it)
 * @property {number} bytes           the executable's actual size
 * @property {string} sha256          hex digest of the executable
 * @property {string} h1              the package's correct `h1:` hash (Go dirhash Hash1)
 * @property {string} dir             the cache entry holding everything below
 * @property {string} executable      the padded executable (inside the unpacked mirror)
 * @property {string} zipPath         the packed package
 * @property {string} packedMirror    filesystem_mirror root of the packed layout
 * @property {string} unpackedMirror  filesystem_mirror root of the unpacked layout
 * @property {string} baseBinary      the unpadded Go provider it was made from
 */

/** Where the oracle keeps its built providers. */
export function oracleCacheDir() {
  const base = process.env.TM_DOCTOR_TEST_CACHE ?? join(repoDir, 'node_modules/.cache/tm-doctor-test');
  return join(base, 'oracle');
}

/**
 * Builds (or finds) the Go test provider with test/support/build-provider.sh and returns its path.
 * Throws with the script's message when Go or its packages are missing.
 * @param {'provider' | 'dirhash'} [tool]
 * @returns {string}
 */
export function buildGoTool(tool = 'provider') {
  try {
    return execFileSync(join(repoDir, 'test/support/build-provider.sh'), [tool], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch (error) {
    const stderr = /** @type {{stderr?: string}} */ (error).stderr ?? '';
    throw new Error(`test/support/build-provider.sh ${tool} failed: ${String(stderr).trim() || String(error)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Hashes

/**
 * Go's dirhash.Hash1 over already-hashed files: for each file sorted by name (byte order), the
 * line `sha256hex  name\n`; the SHA-256 of all lines, base64, prefixed `h1:`.
 * @param {ReadonlyArray<{name: string, sha256: string}>} entries
 * @returns {string}
 */
export function hash1(entries) {
  const sorted = [...entries].sort((left, right) => Buffer.compare(Buffer.from(left.name), Buffer.from(right.name)));
  const summary = createHash('sha256');
  for (const entry of sorted) summary.update(`${entry.sha256}  ${entry.name}\n`, 'utf8');
  return `h1:${summary.digest('base64')}`;
}

/**
 * SHA-256 hex of a file, read in 4 MiB chunks.
 * @param {string} path
 * @returns {string}
 */
export function sha256File(path) {
  const digest = createHash('sha256');
  forEachChunk(path, (chunk) => digest.update(chunk));
  return digest.digest('hex');
}

/**
 * @param {string} path
 * @param {(chunk: Buffer) => void} visit
 */
function forEachChunk(path, visit) {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 * MIB);
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      visit(buffer.subarray(0, read));
    }
  } finally {
    closeSync(fd);
  }
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * CRC-32 (IEEE, as zip uses it), continuing from `previous` (`zlib.crc32` is Node 22+ only).
 * @param {Uint8Array} bytes
 * @param {number} [previous]
 * @returns {number}
 */
export function crc32(bytes, previous = 0) {
  let crc = ~previous;
  for (let index = 0; index < bytes.length; index += 1) crc = CRC_TABLE[(crc ^ bytes[index]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Zip (store method, no compression: the padding is random and would not compress anyway)

/**
 * Writes a zip of regular files, stored uncompressed, with Unix modes in the external attributes
 * (what Go's archive/zip reads back as the file mode). Files must be < 4 GiB (no zip64).
 * @param {string} zipPath
 * @param {ReadonlyArray<{name: string, path: string, mode?: number}>} files
 */
export function writeStoredZip(zipPath, files) {
  const fd = openSync(zipPath, 'w');
  /** @type {Buffer[]} */
  const central = [];
  let offset = 0;
  const write = (/** @type {Buffer} */ buffer) => {
    writeSync(fd, buffer);
    offset += buffer.length;
  };
  // 1980-01-01 00:00:00 in DOS format: fixed, so the zip is reproducible.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  try {
    for (const file of files) {
      const size = statSync(file.path).size;
      if (size >= 0xffffffff) throw new Error(`${file.path}: too large for a zip without zip64`);
      let crc = 0;
      forEachChunk(file.path, (chunk) => {
        crc = crc32(chunk, crc);
      });
      const name = Buffer.from(file.name, 'utf8');
      const localOffset = offset;
      // The fields the local header and the central entry share, from `version needed` on.
      const fileFields = (/** @type {Buffer} */ header, /** @type {number} */ at) => {
        header.writeUInt16LE(20, at); // version needed: 2.0
        header.writeUInt16LE(0x0800, at + 2); // flags: UTF-8 names
        header.writeUInt16LE(0, at + 4); // method: store
        header.writeUInt16LE(dosTime, at + 6);
        header.writeUInt16LE(dosDate, at + 8);
        header.writeUInt32LE(crc, at + 10);
        header.writeUInt32LE(size, at + 14);
        header.writeUInt32LE(size, at + 18);
        header.writeUInt16LE(name.length, at + 22);
      };
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      fileFields(local, 4);
      local.writeUInt16LE(0, 28); // extra length
      write(local);
      write(name);
      forEachChunk(file.path, (chunk) => write(chunk));

      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE((3 << 8) | 20, 4); // made by: Unix, 2.0 (so the external attributes hold a mode)
      fileFields(entry, 6);
      entry.writeUInt16LE(0, 30); // extra length
      entry.writeUInt16LE(0, 32); // comment length
      entry.writeUInt16LE(0, 34); // disk number
      entry.writeUInt16LE(0, 36); // internal attributes
      entry.writeUInt32LE(((0o100000 | (file.mode ?? 0o644)) << 16) >>> 0, 38); // S_IFREG | mode
      entry.writeUInt32LE(localOffset, 42);
      central.push(entry, name);
    }
    const centralOffset = offset;
    const centralBytes = Buffer.concat(central);
    write(centralBytes);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0, 4);
    end.writeUInt16LE(0, 6);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(centralBytes.length, 12);
    end.writeUInt32LE(centralOffset, 16);
    end.writeUInt16LE(0, 20);
    write(end);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------
// The padded provider and its mirrors

/**
 * Appends `bytes` of deterministic random-looking data (an AES-128-CTR keystream) to fd.
 * Trailing bytes keep an ELF runnable: the loader reads only what the program headers name.
 * @param {number} fd
 * @param {number} bytes
 */
function appendPadding(fd, bytes) {
  const key = createHash('sha256').update('tm-doctor race oracle padding').digest().subarray(0, 16);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  const zeros = Buffer.alloc(4 * MIB);
  let left = bytes;
  while (left > 0) {
    const length = Math.min(left, zeros.length);
    writeSync(fd, cipher.update(zeros.subarray(0, length)));
    left -= length;
  }
}

/**
 * @param {string} dir
 * @returns {OracleProvider | null}
 */
function readManifest(dir) {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
    if (!existsSync(manifest.executable) || !existsSync(manifest.zipPath)) return null;
    return manifest;
  } catch {
    return null;
  }
}

/**
 * The padded provider of `sizeMiB` MiB (the Go provider plus random-looking trailing bytes up to
 * that size; no padding when the provider is already larger) with its packed and unpacked
 * mirrors and its correct `h1:`. Built on first use for each size, then reused.
 * @param {{ sizeMiB?: number }} [options]
 * @returns {OracleProvider}
 */
export function prepareProvider(options = {}) {
  const sizeMiB = options.sizeMiB ?? 200;
  if (!Number.isFinite(sizeMiB) || sizeMiB < 0) throw new Error(`sizeMiB must be a number >= 0, got ${sizeMiB}`);
  const baseBinary = buildGoTool('provider');
  const baseSha = sha256File(baseBinary);
  const cacheDir = oracleCacheDir();
  const key = `big-${sizeMiB}mib-${baseSha.slice(0, 12)}`;
  const dir = join(cacheDir, key);
  const existing = readManifest(dir);
  if (existing !== null) return existing;

  mkdirSync(cacheDir, { recursive: true });
  // Entries of this size made from an older build of the Go provider are stale.
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith(`big-${sizeMiB}mib-`) && name !== key && !name.includes('.partial-')) {
      rmSync(join(cacheDir, name), { recursive: true, force: true });
    }
  }
  // Parallel builders (jest workers, a bench) each build privately, then rename into place.
  const partial = join(cacheDir, `${key}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const packageDir = join(partial, 'unpacked', PROVIDER_HOSTNAME, PROVIDER_NAMESPACE, PROVIDER_TYPE, PROVIDER_VERSION, PROVIDER_PLATFORM);
    const zipDir = join(partial, 'packed', PROVIDER_HOSTNAME, PROVIDER_NAMESPACE, PROVIDER_TYPE);
    mkdirSync(packageDir, { recursive: true });
    mkdirSync(zipDir, { recursive: true });
    const executable = join(packageDir, PROVIDER_EXECUTABLE);
    const base = readFileSync(baseBinary);
    const fd = openSync(executable, 'w', 0o755);
    try {
      writeSync(fd, base);
      appendPadding(fd, Math.max(0, Math.round(sizeMiB * MIB) - base.length));
    } finally {
      closeSync(fd);
    }
    const zipPath = join(zipDir, ZIP_NAME);
    writeStoredZip(zipPath, [{ name: PROVIDER_EXECUTABLE, path: executable, mode: 0o755 }]);
    const sha256 = sha256File(executable);
    /** @param {string} path */
    const final = (path) => join(dir, path.slice(partial.length + 1));
    /** @type {OracleProvider} */
    const manifest = {
      source: PROVIDER_SOURCE,
      version: PROVIDER_VERSION,
      platform: PROVIDER_PLATFORM,
      executableName: PROVIDER_EXECUTABLE,
      sizeMiB,
      bytes: statSync(executable).size,
      sha256,
      h1: hash1([{ name: PROVIDER_EXECUTABLE, sha256 }]),
      dir,
      executable: final(executable),
      zipPath: final(zipPath),
      packedMirror: join(dir, 'packed'),
      unpackedMirror: join(dir, 'unpacked'),
      baseBinary,
    };
    writeFileSync(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    try {
      renameSync(partial, dir);
    } catch (error) {
      const code = /** @type {NodeJS.ErrnoException} */ (error).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      // Another builder won the race (use its entry), or a broken leftover is in the way.
      if (readManifest(dir) === null) {
        rmSync(dir, { recursive: true, force: true });
        renameSync(partial, dir);
      }
    }
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  const built = readManifest(dir);
  if (built === null) throw new Error(`could not build the oracle provider in ${dir}`);
  return built;
}

/**
 * The filesystem_mirror root of a layout.
 * @param {OracleProvider} provider
 * @param {MirrorLayout} layout
 * @returns {string}
 */
export function mirrorDir(provider, layout) {
  return layout === 'unpacked' ? provider.unpackedMirror : provider.packedMirror;
}

/**
 * Terraform's h1: of a package directory according to the reference Go hasher
 * (test/support/go-dirhash: the very dirhash.HashDir Terraform calls), to cross-check `hash1`.
 * @param {string} packageDir
 * @returns {string}
 */
export function goDirhash(packageDir) {
  return execFileSync(buildGoTool('dirhash'), [packageDir], { encoding: 'utf8' }).trim();
}
