import type { HclDocument, HclValue } from '../parsers/hcl.js';
import { childBlocks } from '../parsers/hcl.js';
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
  const rangeOf = (address: string): Range | null => {
    const node = childBlocks(doc.tree.rootNode, 'provider').find((block) => block.labels[0] === address);
    if (!node) return null;
    return {
      line: node.node.startPosition.row + 1,
      column: node.node.startPosition.column + 1,
      endLine: node.open.endPosition.row + 1,
      endColumn: node.open.endPosition.column + 1,
    };
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
