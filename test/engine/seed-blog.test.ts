import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { copyFixture, tempDir } from '../support/project.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');

function tmDoctor(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface JsonFinding {
  ruleId: string;
  file: string | null;
  line: number | null;
  message: string;
}

describe('the seed incident, end to end through the CLI', () => {
  it('reports exactly the three static causes on fixtures/seed-blog', () => {
    const project = copyFixture('seed-blog');
    const home = tempDir('tm-doctor-home-');
    const { status, stdout, stderr } = tmDoctor(['check', project, '--format', 'json'], { HOME: home });
    expect(stderr).toBe('');
    expect(status).toBe(1);
    const report = JSON.parse(stdout) as { root: string; findings: JsonFinding[] };
    expect(report.root).toBe(project);
    expect(report.findings.map(({ ruleId, file, line }) => ({ ruleId, file, line }))).toEqual([
      { ruleId: 'no-sharing-on-init', file: 'Makefile', line: 17 },
      { ruleId: 'lockfile-cache-env', file: 'terramate.tm.hcl', line: 1 },
      { ruleId: 'plugin-cache-dir', file: 'terramate.tm.hcl', line: 1 },
    ]);
    const sharing = report.findings[0].message;
    expect(sharing).toContain('via $(TM_OPTS), defined at Makefile:12');
    expect(execFileSync('sed', ['-n', '12p', join(project, 'Makefile')], { encoding: 'utf8' })).toBe(
      'TM_OPTS := --enable-sharing --mock-on-fail $(TM_COMMON)\n',
    );
  });

  it('finds nothing on fixtures/clean with a ~/.terraformrc that sets an existing cache', () => {
    const project = copyFixture('clean');
    const home = tempDir('tm-doctor-home-');
    writeFileSync(join(home, '.terraformrc'), 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n');
    mkdirSync(join(home, '.terraform.d/plugin-cache'), { recursive: true });
    const { status, stdout } = tmDoctor(['check', project, '--format', 'json'], { HOME: home });
    expect(JSON.parse(stdout).findings).toEqual([]);
    expect(status).toBe(0);
  });

  it('runs on the bundled fixture inside this repository, as the README does', () => {
    const home = tempDir('tm-doctor-home-');
    const { status, stdout } = tmDoctor(['check', 'fixtures/seed-blog', '--format', 'json'], { HOME: home });
    expect(status).toBe(1);
    const files = (JSON.parse(stdout) as { findings: JsonFinding[] }).findings.map((finding) => `${finding.ruleId} ${finding.file}:${finding.line}`);
    expect(files).toEqual([
      'no-sharing-on-init fixtures/seed-blog/Makefile:17',
      'lockfile-cache-env fixtures/seed-blog/terramate.tm.hcl:1',
      'plugin-cache-dir fixtures/seed-blog/terramate.tm.hcl:1',
    ]);
  });

  it('keeps stdout for the diff alone with --fix-dry-run, whatever the format', () => {
    const project = copyFixture('seed-blog');
    const { status, stdout, stderr } = tmDoctor(['check', project, '--fix-dry-run', '--format', 'json'], { HOME: tempDir('tm-doctor-home-') });
    expect(status).toBe(1);
    expect(stdout.startsWith('diff --git a/Makefile b/Makefile\n')).toBe(true);
    expect(JSON.parse(stderr).findings).toHaveLength(3);
  });
});
