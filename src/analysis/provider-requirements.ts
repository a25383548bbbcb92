// What a stack asks of the plugin cache: the provider packages its init installs. Stacks that
// ask for the same set fill the same cache entries, so warming one of them warms them all.
// The lock file says it exactly (address and version); without one, `required_providers`
// (source and version constraint) is the next best reading.

import { resolve } from 'node:path';
import type { HclDocument, HclValue } from '../parsers/hcl.js';
import type { LockFile } from './lockfile.js';

export interface ProviderRequirements {
  /** The same key for stacks that install the same packages; `null` when it cannot be read. */
  key: string | null;
  /** Where it was read: the lock file, or the `.tf` files' `required_providers`. */
  from: 'lock-file' | 'required-providers' | 'unknown';
}

const DEFAULT_HOST = 'registry.terraform.io';

/** `aws`, `hashicorp/aws` and `registry.terraform.io/hashicorp/aws` as Terraform expands them. */
export function providerAddress(source: string, localName: string): string {
  const parts = source.split('/').filter((part) => part !== '');
  if (parts.length === 0) return `${DEFAULT_HOST}/hashicorp/${localName}`.toLowerCase();
  if (parts.length === 1) return `${DEFAULT_HOST}/hashicorp/${parts[0]}`.toLowerCase();
  if (parts.length === 2) return `${DEFAULT_HOST}/${parts[0]}/${parts[1]}`.toLowerCase();
  return parts.join('/').toLowerCase();
}

/** `1.2.3` and `= 1.2.3` pin one version (as a lock file records it); any other constraint stays as written. */
function versionKey(constraint: string): string {
  const exact = /^\s*=?\s*v?(\d+\.\d+\.\d+)\s*$/.exec(constraint);
  return exact ? exact[1] : constraint.replace(/\s+/g, ' ').trim();
}

function fromLockFile(lock: LockFile): string | null {
  if (lock.providers.length === 0 || lock.providers.some((provider) => provider.version === null)) return null;
  return lock.providers
    .map((provider) => `${provider.address.toLowerCase()}@${provider.version}`)
    .sort()
    .join(' ');
}

/** What one `.tf` file says about the providers its stack installs. */
interface FileRequirements {
  /** `required_providers` entries by local name (`address@version`). */
  declared: Map<string, string>;
  /** Local names resources, data sources and provider blocks use (Terraform implies a provider for each). */
  used: Set<string>;
  /** Module calls (`module:NAME=SOURCE@VERSION`, a local source made absolute). */
  modules: string[];
}

/**
 * The requirements one parsed `.tf` file states or implies: `required_providers`, the local
 * names its resources, data sources and provider blocks use, and the modules it calls (a
 * module's own providers are installed too: stacks calling the same modules ask for the same
 * ones); null when a value cannot be read.
 */
function fileRequirements(doc: HclDocument, dir: string): FileRequirements | null {
  const found: FileRequirements = { declared: new Map(), used: new Set(), modules: [] };
  const modules = doc.body?.module;
  if (modules !== undefined) {
    if (!isObject(modules)) return null;
    for (const [name, bodies] of Object.entries(modules)) {
      for (const body of Array.isArray(bodies) ? bodies : [bodies]) {
        const source = isObject(body) ? literal(body.source) : null;
        const version = isObject(body) && body.version !== undefined ? literal(body.version) : '';
        if (source === null || version === null) return null;
        // A local module is its directory: `./mod` in two stacks is two modules.
        const where = /^\.\.?(\/|$)/.test(source) ? resolve(dir, source) : source;
        found.modules.push(`module:${name}=${where}@${version}`);
      }
    }
  }
  for (const kind of ['resource', 'data'] as const) {
    const byType = doc.body?.[kind];
    if (byType === undefined) continue;
    if (!isObject(byType)) return null;
    for (const type of Object.keys(byType)) found.used.add(type.split('_')[0]);
  }
  const providerBlocks = doc.body?.provider;
  if (providerBlocks !== undefined) {
    if (!isObject(providerBlocks)) return null;
    for (const name of Object.keys(providerBlocks)) found.used.add(name);
  }
  const blocks = doc.body?.terraform;
  if (blocks === undefined) return found;
  for (const block of Array.isArray(blocks) ? blocks : [blocks]) {
    if (!isObject(block)) return null;
    const lists = block.required_providers;
    if (lists === undefined) continue;
    for (const list of Array.isArray(lists) ? lists : [lists]) {
      if (!isObject(list)) return null;
      for (const [name, value] of Object.entries(list)) {
        if (typeof value === 'string') {
          const constraint = literal(value);
          if (constraint === null) return null;
          found.declared.set(name, `${providerAddress('', name)}@${versionKey(constraint)}`);
          continue;
        }
        if (!isObject(value)) return null;
        const source = value.source === undefined ? '' : literal(value.source);
        const version = value.version === undefined ? '' : literal(value.version);
        if (source === null || version === null) return null;
        found.declared.set(name, `${providerAddress(source, name)}@${versionKey(version)}`);
      }
    }
  }
  return found;
}

/** hcl2json writes an expression as a `${...}` template: a literal string is known, an expression is not. */
function literal(value: HclValue | undefined): string | null {
  return typeof value === 'string' && !value.includes('${') ? value : null;
}

function isObject(value: HclValue | undefined): value is { [key: string]: HclValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * The stack's provider requirements: its lock file's entries when it has one, else what its
 * `.tf` files in `dir` state and imply (`docs`: null for a file that does not parse; `docs` null
 * when the files cannot all be read, e.g. `.tf.json` ones).
 */
export function providerRequirements(lock: LockFile | null, docs: ReadonlyArray<HclDocument | null> | null, dir = '/'): ProviderRequirements {
  const locked = lock ? fromLockFile(lock) : null;
  if (locked !== null) return { key: locked, from: 'lock-file' };
  if (docs === null) return { key: null, from: 'unknown' };
  const entries = new Set<string>();
  const declared = new Map<string, string>();
  const used = new Set<string>();
  for (const doc of docs) {
    const found = doc?.body && !doc.diagnostic ? fileRequirements(doc, dir) : null;
    if (found === null) return { key: null, from: 'unknown' };
    for (const [name, entry] of found.declared) declared.set(name, entry);
    for (const name of found.used) used.add(name);
    for (const module of found.modules) entries.add(module);
  }
  for (const entry of declared.values()) entries.add(entry);
  // A provider used without a required_providers entry is hashicorp/NAME, any version.
  for (const name of used) if (!declared.has(name)) entries.add(`${providerAddress('', name)}@`);
  return { key: [...entries].sort().join(' '), from: 'required-providers' };
}
