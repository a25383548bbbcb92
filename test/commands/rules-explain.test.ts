import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { rules } from '../../src/rules/index.js';
import { DOCS_BASE_URL } from '../../src/rules/framework/create-rule.js';
import { hasStackTrace, REPO, runCli, unwrapOclifError } from './run-cli.js';

const registry = rules.map((rule) => rule.meta);
const registryIds = registry.map((meta) => meta.id);

describe('tm-doctor rules', () => {
  it('prints one table row per registered rule: id, severity, fixable, summary, in registry order', () => {
    const result = runCli(['rules']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const idWidth = Math.max(...registryIds.map((id) => id.length));
    const expected = registry.map(
      (meta) => `${meta.id.padEnd(idWidth)}  ${meta.severity.padEnd(7)}  ${(meta.fixable ? 'fixable' : '').padEnd(7)}  ${meta.summary}`,
    );
    expect(result.stdout).toBe(`${expected.join('\n')}\n`);
  });

  it('table rows parse back into the registry (columns are separated by two spaces, ids first)', () => {
    const rows = runCli(['rules']).stdout.trimEnd().split('\n');
    const parsed = rows.map((row) => {
      const match = /^(\S+) +(error|warning|info) +(fixable)? +(\S.*)$/.exec(row);
      expectWithMessage(match, row).not.toBeNull();
      const [, id, severity, fixable, summary] = match as RegExpExecArray;
      return { id, severity, fixable: fixable === 'fixable', summary };
    });
    expect(parsed).toEqual(registry.map(({ id, severity, fixable, summary }) => ({ id, severity, fixable, summary })));
  });

  it('--format json lists exactly the registry, with docs links', () => {
    const result = runCli(['rules', '--format', 'json']);
    expect(result.status).toBe(0);
    const listed = JSON.parse(result.stdout) as unknown[];
    expect(listed).toEqual(
      registry.map(({ id, severity, fixable, summary }) => ({ id, severity, fixable, summary, docsUrl: `${DOCS_BASE_URL}${id}.md` })),
    );
  });

  it('rejects an unknown --format with exit 2', () => {
    const result = runCli(['rules', '--format', 'yaml']);
    expect(result.status).toBe(2);
    expect(unwrapOclifError(result.stderr)).toContain('Expected --format=yaml to be one of: table, json');
    expect(result.stdout).toBe('');
  });
});

describe('tm-doctor explain', () => {
  it('every registered rule has a docs page, and explain prints it verbatim', () => {
    for (const id of registryIds) {
      const page = join(REPO, 'docs', 'rules', `${id}.md`);
      expectWithMessage(existsSync(page), page).toBe(true);
      const text = readFileSync(page, 'utf8');
      expectWithMessage(text.startsWith(`# ${id}`), `${page} starts with its title`).toBe(true);
      const result = runCli(['explain', id]);
      expect(result.status).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe(text.endsWith('\n') ? text : `${text}\n`);
    }
  });

  it('an unknown rule exits 2 and lists the known rules, without a stack trace', () => {
    const result = runCli(['explain', 'no-such-rule']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(unwrapOclifError(result.stderr).trim()).toBe(`Error: unknown rule "no-such-rule". Known rules: ${registryIds.join(', ')}`);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('a missing rule argument exits 2 with usage', () => {
    const result = runCli(['explain']);
    expect(result.status).toBe(2);
    expect(unwrapOclifError(result.stderr)).toContain('Missing 1 required arg');
    expect(hasStackTrace(result.stderr)).toBe(false);
  });
});

describe('registry, docs and config schema agree', () => {
  it("the config schema's rule enum equals the registry ids", () => {
    const schema = JSON.parse(readFileSync(join(REPO, 'schema', 'tm-doctor.schema.json'), 'utf8')) as {
      properties: { rules: { propertyNames: { enum: string[] } } };
    };
    expect([...schema.properties.rules.propertyNames.enum].sort()).toEqual([...registryIds].sort());
  });
});
