import type { HclDocument, HclValue } from '../parsers/hcl.js';
import { LineIndex } from '../util/line-index.js';
import type { Range } from '../types.js';

export interface LockedProvider {
  /** Full source address, e.g. registry.terraform.io/hashicorp/aws. */
  address: string;
  version: string | null;
  hashes: string[];
  readonly range: Range | null;
}

export interface LockFile {
  file: string;
  providers: LockedProvider[];
}

function asStrings(value: HclValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `.terraform.lock.hcl`: one `provider "ADDRESS" { version, constraints, hashes }` per provider. */
export function readLockFile(doc: HclDocument): LockFile {
  const providers: LockedProvider[] = [];
  const byAddress = doc.body?.provider;
  // Terraform writes lock files in one canonical layout, so the block's header is found in the
  // text directly: cheaper than a syntax tree for each of hundreds of lock files.
  let lines: LineIndex | undefined;
  const rangeOf = (address: string): Range | null => {
    const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const header = new RegExp(`^[ \\t]*provider[ \\t]+"${escaped}"[ \\t]*\\{`, 'm').exec(doc.text);
    if (!header) return null;
    lines ??= new LineIndex(doc.text);
    const start = header.index + (header[0].length - header[0].trimStart().length);
    return lines.range(start, header.index + header[0].length);
  };
  if (byAddress && typeof byAddress === 'object' && !Array.isArray(byAddress)) {
    for (const [address, bodies] of Object.entries(byAddress)) {
      const body = Array.isArray(bodies) ? bodies[0] : null;
      if (!body || typeof body !== 'object' || Array.isArray(body)) continue;
      let range: Range | null | undefined;
      providers.push({
        address,
        version: typeof body.version === 'string' ? body.version : null,
        hashes: asStrings(body.hashes),
        // Positions need the syntax tree: computed only for a provider that is reported.
        get range() {
          if (range === undefined) range = rangeOf(address);
          return range;
        },
      });
    }
  }
  return { file: doc.file, providers };
}
