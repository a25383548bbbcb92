// Generated from provider.mjs by test/oracle/declarations.mjs: do not edit, run `node test/oracle/declarations.mjs`.
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
export function oracleCacheDir(): string;
/**
 * Builds (or finds) the Go test provider with test/support/build-provider.sh and returns its path.
 * Throws with the script's message when Go or its packages are missing.
 * @param {'provider' | 'dirhash'} [tool]
 * @returns {string}
 */
export function buildGoTool(tool?: "provider" | "dirhash"): string;
/**
 * Go's dirhash.Hash1 over already-hashed files: for each file sorted by name (byte order), the
 * line `sha256hex  name\n`; the SHA-256 of all lines, base64, prefixed `h1:`.
 * @param {ReadonlyArray<{name: string, sha256: string}>} entries
 * @returns {string}
 */
export function hash1(entries: ReadonlyArray<{
    name: string;
    sha256: string;
}>): string;
/**
 * SHA-256 hex of a file, read in 4 MiB chunks.
 * @param {string} path
 * @returns {string}
 */
export function sha256File(path: string): string;
/**
 * CRC-32 (IEEE, as zip uses it), continuing from `previous` (`zlib.crc32` is Node 22+ only).
 * @param {Uint8Array} bytes
 * @param {number} [previous]
 * @returns {number}
 */
export function crc32(bytes: Uint8Array, previous?: number): number;
/**
 * Writes a zip of regular files, stored uncompressed, with Unix modes in the external attributes
 * (what Go's archive/zip reads back as the file mode). Files must be < 4 GiB (no zip64).
 * @param {string} zipPath
 * @param {ReadonlyArray<{name: string, path: string, mode?: number}>} files
 */
export function writeStoredZip(zipPath: string, files: ReadonlyArray<{
    name: string;
    path: string;
    mode?: number;
}>): void;
/**
 * The padded provider of `sizeMiB` MiB (the Go provider plus random-looking trailing bytes up to
 * that size; no padding when the provider is already larger) with its packed and unpacked
 * mirrors and its correct `h1:`. Built on first use for each size, then reused.
 * @param {{ sizeMiB?: number }} [options]
 * @returns {OracleProvider}
 */
export function prepareProvider(options?: {
    sizeMiB?: number;
}): OracleProvider;
/**
 * The filesystem_mirror root of a layout.
 * @param {OracleProvider} provider
 * @param {MirrorLayout} layout
 * @returns {string}
 */
export function mirrorDir(provider: OracleProvider, layout: MirrorLayout): string;
/**
 * Terraform's h1: of a package directory according to the reference Go hasher
 * (test/support/go-dirhash: the very dirhash.HashDir Terraform calls), to cross-check `hash1`.
 * @param {string} packageDir
 * @returns {string}
 */
export function goDirhash(packageDir: string): string;
export const PROVIDER_HOSTNAME: "example.com";
export const PROVIDER_NAMESPACE: "acme";
export const PROVIDER_TYPE: "big";
export const PROVIDER_VERSION: "1.0.0";
export const PROVIDER_PLATFORM: "linux_amd64";
/** The provider's source address as `required_providers` and lock files spell it. */
export const PROVIDER_SOURCE: "example.com/acme/big";
/** The executable's name inside the package. */
export const PROVIDER_EXECUTABLE: "terraform-provider-big_v1.0.0";
export type MirrorLayout = "packed" | "unpacked";
export type OracleProvider = {
    /**
     * `example.com/acme/big`
     */
    source: string;
    /**
     * `1.0.0`
     */
    version: string;
    /**
     * `linux_amd64`
     */
    platform: string;
    /**
     * `terraform-provider-big_v1.0.0`
     */
    executableName: string;
    /**
     * the size asked for (the executable is padded up to it)
     */
    sizeMiB: number;
    /**
     * the executable's actual size
     */
    bytes: number;
    /**
     * hex digest of the executable
     */
    sha256: string;
    /**
     * the package's correct `h1:` hash (Go dirhash Hash1)
     */
    h1: string;
    /**
     * the cache entry holding everything below
     */
    dir: string;
    /**
     * the padded executable (inside the unpacked mirror)
     */
    executable: string;
    /**
     * the packed package
     */
    zipPath: string;
    /**
     * filesystem_mirror root of the packed layout
     */
    packedMirror: string;
    /**
     * filesystem_mirror root of the unpacked layout
     */
    unpackedMirror: string;
    /**
     * the unpadded Go provider it was made from
     */
    baseBinary: string;
};
