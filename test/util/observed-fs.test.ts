// A stored report is reused while every file-system answer its run got is the same
// (src/cache/reports.ts). That holds only if every question a check asks goes through
// util/observed-fs: a module reading node:fs directly would make a dependency the cache never
// sees. Only the modules below may, each for a reason that is not an input of the report.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';

const SRC = resolve(import.meta.dirname, '../../src');

const ALLOWED: Record<string, string> = {
  'util/observed-fs.ts': 'the observed calls themselves',
  'util/dependency-record.ts': 'asks the recorded questions again',
  'util/bounded-read.ts': 'observes its own reads (the stats of the open file)',
  'cache/directory.ts': 'the cache directory: what it holds is keyed by the identity of what it describes, or is a stored report with its own list of answers',
  'cli/report-key.ts': 'the identity of the build (part of the key of a stored report)',
  'cli/replay.ts': 'writes a stored report to --output',
  'cli/package-info.ts': "the package's own files (part of the build)",
  'engine/config.ts': "the package's own JSON schema",
  'cli/check-run.ts': 'writes the report',
  'fix/write.ts': 'writes fixes; a run that fixes is never stored',
  'providers/supervisor.ts': 'temp dirs of started processes and /proc, to kill what they left',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Value imports of node:fs (type-only imports are harmless). */
const FS_VALUE_IMPORT =
  /^(?:import|export)\s+(?!type\b)[^;]*?from\s+(['"])(?:node:)?fs(?:\/promises)?\1|\b(?:require|import|getBuiltinModule)\(\s*(['"])(?:node:)?fs(?:\/promises)?\2/m;

describe('file-system access', () => {
  it('goes through observed-fs everywhere but in the modules allowed, for their reason', () => {
    const direct = sources(SRC)
      .filter((file) => FS_VALUE_IMPORT.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file))
      .sort();
    expect(direct).toEqual(Object.keys(ALLOWED).sort());
  });

  it('catches a direct import', () => {
    expect(FS_VALUE_IMPORT.test("import { statSync } from 'node:fs';")).toBe(true);
    expect(FS_VALUE_IMPORT.test("import fs, { readdirSync } from 'node:fs';")).toBe(true);
    expect(FS_VALUE_IMPORT.test("import { stat } from 'node:fs/promises';")).toBe(true);
    expect(FS_VALUE_IMPORT.test("import { readFileSync } from 'fs';")).toBe(true);
    expect(FS_VALUE_IMPORT.test("const { open } = await import('node:fs');")).toBe(true);
    expect(FS_VALUE_IMPORT.test('import { readFileSync } from "node:fs";')).toBe(true);
    expect(FS_VALUE_IMPORT.test("export { statSync } from 'node:fs';")).toBe(true);
    expect(FS_VALUE_IMPORT.test("const fs = process.getBuiltinModule('node:fs');")).toBe(true);
    expect(FS_VALUE_IMPORT.test("const fs = require('fs');")).toBe(true);
    expect(FS_VALUE_IMPORT.test("import type { Stats } from 'node:fs';")).toBe(false);
    expect(FS_VALUE_IMPORT.test("import { statSync } from '../util/observed-fs.js';")).toBe(false);
  });
});
