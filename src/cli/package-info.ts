import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package's own files: resolved from this module, so they work from any install path. */
export function packageFile(relativePath: string): string {
  return require.resolve(`../../${relativePath}`);
}

interface PackageJson {
  version: string;
  homepage?: string;
}

let manifest: PackageJson | undefined;

function packageJson(): PackageJson {
  manifest ??= JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as PackageJson;
  return manifest;
}

export function packageVersion(): string {
  return packageJson().version;
}

/** The project's home page, shown by SARIF consumers next to the tool's name. */
export function packageHomepage(): string | undefined {
  return packageJson().homepage?.replace(/#.*$/, '');
}

export function ruleDoc(ruleId: string): string | null {
  try {
    return readFileSync(packageFile(`docs/rules/${ruleId}.md`), 'utf8');
  } catch {
    return null;
  }
}
