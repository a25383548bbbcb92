// Terraform's `h1:` package hash: getproviders.PackageHashV1, which resolves symlinks on the
// package directory and then runs golang.org/x/mod/sumdb/dirhash.HashDir(dir, "", Hash1).
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

import { mapWithConcurrency } from './concurrency.js';
import { errnoCode } from '../util/errors.js';
import { createReadStream, lstat, readdir, realpath, statBigInt } from '../util/observed-fs.js';

/** One file as dirhash sees it: its name relative to the package, with `/` separators. */
export interface PackageFile {
  name: string;
  path: string;
  /** Identity of the file's content (after following a symlink), for result caching. */
  dev: string;
  ino: string;
  size: number;
  mtimeNs: string;
  /** The change time: unlike mtime, no one can set it back after rewriting the bytes. */
  ctimeNs: string;
}

export interface PackageListing {
  /** The package directory after resolving symlinks, as Terraform hashes it. */
  realDir: string;
  /** In Go's sort.Strings order (byte order of the UTF-8 names). */
  files: PackageFile[];
}

export interface PackageHash {
  h1: string;
  listing: PackageListing;
  /** sha256 hex per file name, in the listing's order. */
  fileHashes: string[];
}

export class PackageHashError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PackageHashError';
  }
}

const DEFAULT_CONCURRENCY = 4;

/** Lists the files dirhash would hash, with the identity of each (cheap: no content read). */
export async function listPackageFiles(packageDir: string): Promise<PackageListing> {
  let realDir: string;
  try {
    realDir = await realpath(packageDir);
  } catch (error) {
    throw new PackageHashError(`cannot resolve package directory ${packageDir}: ${String(error)}`, packageDir, errnoCode(error));
  }
  const files: PackageFile[] = [];
  await walk(realDir, '', files);
  files.sort((left, right) => compareGoStrings(left.name, right.name));
  return { realDir, files };
}

/** The `h1:` hash of a package directory, exactly as `terraform providers lock` records it. */
export async function hashPackageDir(
  packageDir: string,
  options: { concurrency?: number; listing?: PackageListing } = {},
): Promise<PackageHash> {
  const listing = options.listing ?? (await listPackageFiles(packageDir));
  const fileHashes = await mapWithConcurrency(listing.files, options.concurrency ?? DEFAULT_CONCURRENCY, (file) =>
    sha256File(file.path),
  );
  const entries = listing.files.map((file, index) => ({ name: file.name, sha256: fileHashes[index] }));
  return { h1: hash1(entries), listing, fileHashes };
}

/**
 * dirhash.Hash1 over already-hashed files: a line `sha256hex  name\n` per file in Go's
 * sort order, the SHA-256 of those lines, base64 with padding.
 */
export function hash1(entries: ReadonlyArray<{ name: string; sha256: string }>): string {
  const sorted = [...entries].sort((left, right) => compareGoStrings(left.name, right.name));
  const summary = createHash('sha256');
  for (const entry of sorted) {
    if (entry.name.includes('\n')) throw new PackageHashError('dirhash: filenames with newlines are not supported', entry.name, undefined);
    summary.update(`${entry.sha256}  ${entry.name}\n`, 'utf8');
  }
  return `h1:${summary.digest('base64')}`;
}

const EMPTY_SHA256 = createHash('sha256').digest('hex');
/** Files other than the emptied one are hashed for a variant only up to this size (licences, readmes). */
const SMALL_FILE_BYTES = 1024 * 1024;

/**
 * The `h1:` hashes of the package as a racing extraction leaves it for a moment: one file
 * created but still empty, every other file as it is now. A lock entry that records one of
 * them recorded a half-written package, whatever other lock files say. A variant needing the
 * content of another large file is left out (one read of a provider binary is enough).
 */
export async function halfWrittenHashes(listing: PackageListing): Promise<string[]> {
  const large = listing.files.filter((file) => file.size > SMALL_FILE_BYTES);
  // With two large files, emptying one still needs the other's content.
  if (large.length > 1) return [];
  const small = new Map<PackageFile, string>();
  for (const file of listing.files) if (file.size <= SMALL_FILE_BYTES) small.set(file, await sha256File(file.path));
  return listing.files
    .filter((emptied) => large.every((file) => file === emptied))
    .map((emptied) => hash1(listing.files.map((file) => ({ name: file.name, sha256: file === emptied ? EMPTY_SHA256 : (small.get(file) as string) }))));
}

/** SHA-256 of a file's content, streamed. */
export async function sha256File(path: string): Promise<string> {
  const digest = createHash('sha256');
  try {
    await pipeline(createReadStream(path, { highWaterMark: 1024 * 1024 }), digest);
  } catch (error) {
    throw new PackageHashError(`cannot read ${path}: ${errnoCode(error) ?? String(error)}`, path, errnoCode(error));
  }
  return digest.digest('hex');
}

/** Go compares strings by their bytes; JavaScript by UTF-16 units. They differ above U+FFFF. */
export function compareGoStrings(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

// filepath.Walk: directories (by lstat) are descended, everything else is a "file" that
// os.Open then follows; so a symlink to a file hashes the target, and a symlink to a
// directory makes Go's read fail, as does anything that is not a regular file.
async function walk(dir: string, prefix: string, files: PackageFile[]): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new PackageHashError(`cannot read directory ${dir}: ${errnoCode(error) ?? String(error)}`, dir, errnoCode(error));
  }
  names.sort(compareGoStrings);
  for (const name of names) {
    const path = join(dir, name);
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    const linkInfo = await lstat(path);
    if (linkInfo.isDirectory()) {
      await walk(path, relative, files);
      continue;
    }
    let info;
    try {
      info = await statBigInt(path);
    } catch (error) {
      throw new PackageHashError(`cannot open ${path}: ${errnoCode(error) ?? String(error)}`, path, errnoCode(error));
    }
    if (!info.isFile()) {
      const code = info.isDirectory() ? 'EISDIR' : 'ENOTREG';
      throw new PackageHashError(`cannot hash ${path}: not a regular file`, path, code);
    }
    files.push({
      name: relative,
      path,
      dev: info.dev.toString(),
      ino: info.ino.toString(),
      size: Number(info.size),
      mtimeNs: info.mtimeNs.toString(),
      ctimeNs: info.ctimeNs.toString(),
    });
  }
}
