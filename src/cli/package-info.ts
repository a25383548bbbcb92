import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The package's own files: resolved from this module, so they work from any install path. */
export function packageFile(relativePath: string): string {
  return require.resolve(`../../${relativePath}`);
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
}

export function ruleDoc(ruleId: string): string | null {
  try {
    return readFileSync(packageFile(`docs/rules/${ruleId}.md`), 'utf8');
  } catch {
    return null;
  }
}
