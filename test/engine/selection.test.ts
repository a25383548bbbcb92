import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { exitCodeFor } from '../../src/engine/exit-code.js';
import { brief, check, copyFixture } from '../support/project.js';

const ruleIds = (outcome: Awaited<ReturnType<typeof check>>) => outcome.findings.map((finding) => `${finding.ruleId}:${finding.severity}`);

describe('choosing rules and severities', () => {
  it('runs only --rule, skips --disable', async () => {
    const project = copyFixture('seed-blog');
    expect(ruleIds(await check(project, { rules: ['plugin-cache-dir'] }))).toEqual(['plugin-cache-dir:warning']);
    const { runDoctor } = await import('../../src/engine/doctor.js');
    const outcome = await runDoctor({
      dir: project,
      env: { HOME: '/nonexistent-home' },
      disable: ['plugin-cache-dir', 'lockfile-cache-env'],
      options: { noExec: true, handshakeTimeoutMs: 1000, noCache: true },
    });
    expect(ruleIds(outcome)).toEqual(['no-sharing-on-init:error']);
  });

  it('reports the same parse errors whatever rules are selected (a broken Makefile, workflow and *.tm.hcl)', async () => {
    const project = copyFixture('seed-blog');
    writeFileSync(join(project, 'Makefile'), 'TM_OPTS := --changed\n\nifeq (a,b)\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\n');
    mkdirSync(join(project, '.github/workflows'), { recursive: true });
    writeFileSync(join(project, '.github/workflows/ci.yml'), 'on: push\njobs:\n  init:\n    steps:\n      - run: terramate run -- terraform init\n     - run: oops\n');
    writeFileSync(join(project, 'stacks/dev/network/config.tm.hcl'), 'globals {\n  region = "eu"\n');
    const parseErrors = (outcome: Awaited<ReturnType<typeof check>>) =>
      brief(outcome.findings, project)
        .filter((finding) => finding.ruleId === 'parse-error')
        .map(({ file, line }) => `${file}:${line}`);
    const expected = ['.github/workflows/ci.yml:6', 'Makefile:3', 'stacks/dev/network/config.tm.hcl:1'];
    expect(parseErrors(await check(project, { rules: ['parse-error'] }))).toEqual(expected);
    expect(parseErrors(await check(project))).toEqual(expected);
    expect(parseErrors(await check(project, { rules: ['parse-error', 'provider-checksum'] }))).toEqual(expected);
  });

  it('refuses an unknown rule id', async () => {
    const project = copyFixture('seed-blog');
    await expect(check(project, { rules: ['no-such-rule'] })).rejects.toThrow('--rule no-such-rule: unknown rule');
  });

  it('applies severities and "off" from .tm-doctor.json, and drops ignored files', async () => {
    const project = copyFixture('seed-blog');
    writeFileSync(
      join(project, '.tm-doctor.json'),
      JSON.stringify({ rules: { 'plugin-cache-dir': 'error', 'lockfile-cache-env': 'off' }, ignore: ['Makefile'] }),
    );
    expect(ruleIds(await check(project))).toEqual(['plugin-cache-dir:error']);
  });

  it('honours # tm-doctor-ignore on the line above and at the end of the line', async () => {
    const project = copyFixture('seed-blog');
    const makefile = join(project, 'Makefile');
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(makefile, 'utf8');
    writeFileSync(makefile, text.replace('init:\n', 'init:\n# tm-doctor-ignore: no-sharing-on-init -- we know\n'));
    expect(ruleIds(await check(project, { rules: ['no-sharing-on-init'] }))).toEqual([]);
    writeFileSync(makefile, text.replace('-- terraform init $(INIT_OPTS)', '-- terraform init $(INIT_OPTS) # tm-doctor-ignore: plugin-cache-dir'));
    expect(ruleIds(await check(project, { rules: ['no-sharing-on-init'] }))).toEqual(['no-sharing-on-init:error']);
    writeFileSync(makefile, text.replace('-- terraform init $(INIT_OPTS)', '-- terraform init $(INIT_OPTS) # tm-doctor-ignore: plugin-cache-dir, no-sharing-on-init'));
    expect(ruleIds(await check(project, { rules: ['no-sharing-on-init'] }))).toEqual([]);
  });

  it('exits 1 at or above --fail-on only', async () => {
    const project = copyFixture('seed-blog');
    const { findings } = await check(project, { rules: ['plugin-cache-dir'] });
    expect([exitCodeFor(findings, 'warning'), exitCodeFor(findings, 'error'), exitCodeFor(findings, 'info'), exitCodeFor(findings, 'never')]).toEqual([1, 0, 1, 0]);
  });
});

describe('the result cache across runs', () => {
  it('reuses HashiCorp\'s parse of an unchanged file and never a stale one', async () => {
    const { runDoctor } = await import('../../src/engine/doctor.js');
    const { storedResults } = await import('../support/result-store.js');
    const { tempDir } = await import('../support/project.js');
    const project = copyFixture('seed-blog');
    // The fast reader (src/parsers/hcl-fast.ts) answers these files itself and nothing is
    // stored; a comment with a character outside its subset sends each to HashiCorp's parser.
    for (const entry of readdirSync(project, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && /\.(tm\.hcl|tf|hcl)$/.test(entry.name)) appendFileSync(join(entry.parentPath, entry.name), '# \u{1F4E6}\n');
    }
    const cacheHome = tempDir();
    const run = () =>
      runDoctor({ dir: project, env: { PATH: process.env.PATH ?? '', HOME: tempDir(), XDG_CACHE_HOME: cacheHome }, options: { noExec: true, handshakeTimeoutMs: 1000, noCache: false } });
    const first = await run();
    const parses = storedResults(cacheHome).filter(([kind]) => kind === 'parse');
    expect(parses.length).toBeGreaterThanOrEqual(9);
    expect(ruleIds(await run())).toEqual(ruleIds(first));

    writeFileSync(join(project, 'terramate.tm.hcl'), 'terramate {\n  required_version = \n}\n');
    expect(ruleIds(await run())).toContain('parse-error:error');
  });
});
