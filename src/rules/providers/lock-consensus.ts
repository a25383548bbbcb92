// What the project's lock files say together about one provider version: which lock files
// list which h1: hashes. A hash recorded by one lock file only, beside lock files that agree on
// the installed package's hash, is what a racing parallel `terraform init` leaves (the hash of
// a half-written package); a hash several lock files list is another platform's, unless it is
// the hash of the installed package caught half-written (its executable still empty), which a
// race records the same way in every stack it hits.
import type { Analysis } from '../../analysis/analysis.js';
import type { Range } from '../../types.js';

export interface ConsensusEntry {
  stackDir: string;
  file: string;
  /** The address as the lock file writes it. */
  address: string;
  version: string;
  /** The entry's h1: hashes, in file order, each once. */
  h1s: string[];
  range: Range | null;
}

/** The lock entries of one provider version, and how many of them list each h1:. */
export class ProviderVersionLocks {
  private readonly listedBy = new Map<string, number>();
  private readonly trustedListedBy = new Map<string, number>();
  private readonly failing = new Set<ConsensusEntry>();
  private readonly installed = new Set<string>();
  private readonly halfWritten = new Set<string>();

  constructor(readonly entries: readonly ConsensusEntry[]) {
    for (const entry of entries) for (const hash of entry.h1s) this.listedBy.set(hash, (this.listedBy.get(hash) ?? 0) + 1);
  }

  /** Notes an installed package's hash, and the lock entries of the stacks using it that do not list it. */
  noteInstalled(h1: string, failing: readonly ConsensusEntry[]): void {
    this.installed.add(h1);
    for (const entry of failing) this.failing.add(entry);
    this.trustedListedBy.clear();
  }

  /** Notes the hashes of an installed package caught half-written (`halfWrittenHashes`). */
  noteHalfWritten(hashes: readonly string[]): void {
    for (const hash of hashes) this.halfWritten.add(hash);
  }

  /** The hash is that of an installed package caught half-written: never another platform's. */
  isHalfWritten(hash: string): boolean {
    return this.halfWritten.has(hash) && !this.installed.has(hash);
  }

  /** The entries (other than those failing an installed package) that list the hash. */
  vouchersOf(h1: string): ConsensusEntry[] {
    return this.entries.filter((entry) => !this.failing.has(entry) && entry.h1s.includes(h1));
  }

  /**
   * The h1: hashes of an entry failing its package that nothing else accounts for: no
   * installed package has them and no lock file that does not fail lists them.
   */
  unaccountedInFailing(entry: ConsensusEntry): string[] {
    if (this.trustedListedBy.size === 0) {
      for (const other of this.entries) {
        if (this.failing.has(other)) continue;
        for (const hash of other.h1s) this.trustedListedBy.set(hash, (this.trustedListedBy.get(hash) ?? 0) + 1);
      }
    }
    return entry.h1s.filter((hash) => this.isHalfWritten(hash) || (!this.installed.has(hash) && !this.trustedListedBy.has(hash)));
  }

  /**
   * The entry's h1: hashes that no installed package has and no other lock entry of this
   * provider version lists, or that are an installed package's half-written hash.
   */
  onlyHere(entry: ConsensusEntry): string[] {
    return entry.h1s.filter((hash) => this.isHalfWritten(hash) || (!this.installed.has(hash) && (this.listedBy.get(hash) ?? 0) < 2));
  }
}

export class LockConsensus {
  private readonly byVersion = new Map<string, ProviderVersionLocks>();
  private readonly byFile = new Map<string, ConsensusEntry>();

  private constructor(entries: ConsensusEntry[]) {
    const grouped = new Map<string, ConsensusEntry[]>();
    for (const entry of entries) {
      const key = versionKey(entry.address, entry.version);
      const group = grouped.get(key);
      if (group) group.push(entry);
      else grouped.set(key, [entry]);
      this.byFile.set(fileKey(entry.file, entry.address), entry);
    }
    for (const [key, group] of grouped) this.byVersion.set(key, new ProviderVersionLocks(group));
  }

  static async of(analysis: Analysis): Promise<LockConsensus> {
    const entries: ConsensusEntry[] = [];
    for (const stack of await analysis.stacks()) {
      const lock = await analysis.lockFile(stack.dir);
      for (const provider of lock?.providers ?? []) {
        if (provider.version === null) continue;
        entries.push({
          stackDir: stack.dir,
          file: lock?.file ?? '',
          address: provider.address,
          version: provider.version,
          h1s: [...new Set(provider.hashes.filter((hash) => hash.startsWith('h1:')))],
          get range() {
            return provider.range;
          },
        });
      }
    }
    return new LockConsensus(entries);
  }

  /** The lock entries of every stack for this provider version. */
  version(source: string, version: string): ProviderVersionLocks {
    return this.byVersion.get(versionKey(source, version)) ?? new ProviderVersionLocks([]);
  }

  entry(file: string, source: string): ConsensusEntry | undefined {
    return this.byFile.get(fileKey(file, source));
  }
}

function versionKey(address: string, version: string): string {
  return `${address.toLowerCase()}\0${version}`;
}

function fileKey(file: string, address: string): string {
  return `${file}\0${address.toLowerCase()}`;
}
