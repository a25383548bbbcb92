// The unsafe fix for a broken provider package: move it (and the stack links leading to it)
// out of Terraform's way into a quarantine the user can inspect, and name the serial re-init.
//
// Layout: `<project root>/.tm-doctor-quarantine/<UTC timestamp>/`
//   packages/<path relative to the root>                for a package inside the project
//   packages/HOST/NS/TYPE/VERSION/OS_ARCH               for a package in a plugin cache
//   links/<link path relative to the root>              for each stack's link
// A rename cannot cross file systems: a cache on another device than the project gets the
// same layout under `<cache dir>/../.tm-doctor-quarantine/<timestamp>/` instead.
import { createHash } from 'node:crypto';
import { statSync } from '../../util/observed-fs.js';
import { basename, dirname, join, relative } from 'node:path';

import { displayPath, isInsideRoot } from '../../util/path.js';
import type { Analysis } from '../../analysis/analysis.js';
import type { ProviderPackage } from '../../analysis/provider-packages.js';
import type { Fix, MovePath } from '../../types.js';
import { QUARANTINE_DIR_NAME, type ProviderInspection } from '../../analysis/provider-inspection.js';

export interface QuarantineSubject {
  /** The real package directory, or null for a link that leads nowhere. */
  packageDir: string | null;
  source: string;
  version: string;
  platform: string;
  links: ReadonlyArray<{ stack: string; linkPath: string }>;
}

export function subjectOf(found: ProviderPackage): QuarantineSubject {
  return {
    packageDir: found.packageDir,
    source: found.source,
    version: found.version,
    platform: found.platform,
    links: found.usedBy.map((use) => ({ stack: use.stack, linkPath: use.linkPath })),
  };
}

export function quarantineFix(analysis: Analysis, inspection: ProviderInspection, subject: QuarantineSubject): Fix {
  const quarantine = inspection.quarantineDir;
  const changes: MovePath[] = [];
  if (subject.packageDir !== null) {
    changes.push({ kind: 'move', from: subject.packageDir, to: packageTarget(analysis, inspection, subject, subject.packageDir) });
  }
  for (const link of subject.links) {
    if (link.linkPath === subject.packageDir) continue;
    const inside = isInsideRoot(analysis.root, link.linkPath);
    const tail = inside
      ? relative(analysis.root, link.linkPath)
      : join(relative(analysis.root, link.stack) || '.', subject.source, subject.version, subject.platform);
    changes.push({ kind: 'move', from: link.linkPath, to: join(quarantine, 'links', tail) });
  }
  const what = subject.packageDir === null ? 'the dangling provider link' : `${displayPath(analysis.root, subject.packageDir)}`;
  const linkCount = changes.length - (subject.packageDir === null ? 0 : 1);
  const links = subject.packageDir === null || linkCount === 0 ? '' : ` and ${linkCount} stack link${linkCount === 1 ? '' : 's'} to it`;
  return {
    description: `quarantine ${what}${links} in ${displayPath(analysis.root, quarantine)}`,
    safe: false,
    changes,
  };
}

/** The `terramate` command that re-initialises one stack alone (no sibling shares the cache meanwhile). */
export function reinitCommand(analysis: Analysis, stackDir: string): string {
  return `\`terramate -C ${shellWord(relative(analysis.root, stackDir) || '.')} run --no-recursive -- terraform init\``;
}

function packageTarget(analysis: Analysis, inspection: ProviderInspection, subject: QuarantineSubject, packageDir: string): string {
  if (isInsideRoot(analysis.root, packageDir)) return join(inspection.quarantineDir, 'packages', relative(analysis.root, packageDir));
  let base = inspection.quarantineDir;
  const cacheDir = dirname(dirname(dirname(dirname(dirname(packageDir)))));
  if (deviceOf(packageDir) !== deviceOf(analysis.root) && deviceOf(dirname(cacheDir)) === deviceOf(packageDir)) {
    base = join(dirname(cacheDir), QUARANTINE_DIR_NAME, basename(inspection.quarantineDir));
  }
  // Two caches can hold the same provider version: keep their quarantined copies apart.
  const twin = inspection.packages.some(
    (other) =>
      other.package.packageDir !== packageDir &&
      !isInsideRoot(analysis.root, other.package.packageDir) &&
      other.package.source === subject.source &&
      other.package.version === subject.version &&
      other.package.platform === subject.platform,
  );
  const platform = twin ? `${subject.platform}-${createHash('sha256').update(packageDir).digest('hex').slice(0, 8)}` : subject.platform;
  return join(base, 'packages', subject.source, subject.version, platform);
}

function deviceOf(path: string): number | null {
  try {
    return statSync(path).dev;
  } catch {
    return null;
  }
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
