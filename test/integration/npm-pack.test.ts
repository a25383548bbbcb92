import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { rules } from '../../src/rules/index.js';
import { copyFixture, emptyHome, REPO, runCli, scrubbedEnv, tempDir } from '../commands/run-cli.js';
import { copyWorkingTree, npmNetworkEnv, suiteTempDir } from './support.js';

const registryIds = rules.map((rule) => rule.meta.id);
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

// Slow (about a minute): builds and packs a copy of the working tree (so this checkout is not
// touched), then installs the tarball into an empty global prefix, dependencies from the registry.
describe('npm package (slow: npm pack + npm install -g of the tarball)', () => {
  let work: string;
  let packed: PackResult;
  let tarball: string;
  let installedBin: string;
  let installedPackage: string;

  beforeAll(() => {
    work = suiteTempDir('tm-doctor-pack-');
    const source = join(work, 'source');
    copyWorkingTree(source);
    // prepack builds with tsc and runs `oclif manifest`: both come from the dev dependencies.
    symlinkSync(join(REPO, 'node_modules'), join(source, 'node_modules'));
    // Left over from a removed source file: prepack must not ship it (nor make it a command).
    mkdirSync(join(source, 'dist', 'commands'), { recursive: true });
    writeFileSync(join(source, 'dist', 'commands', 'stale.js'), 'export default class Stale {}\n');
    const out = join(work, 'out');
    mkdirSync(out);
    const env = { ...process.env, npm_config_update_notifier: 'false' };
    const json = execFileSync('npm', ['pack', '--json', '--pack-destination', out], { cwd: source, env, encoding: 'utf8' });
    [packed] = JSON.parse(json) as PackResult[];
    tarball = join(out, packed.filename);
    expectWithMessage(existsSync(join(source, 'oclif.manifest.json')), 'postpack removes the generated manifest').toBe(false);

    const prefix = join(work, 'prefix');
    const install = spawnSync('npm', ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', tarball], {
      cwd: work,
      env: scrubbedEnv(emptyHome(), npmNetworkEnv()),
      encoding: 'utf8',
    });
    expect(install.stderr + install.stdout).not.toMatch(/npm error/);
    expect(install.status).toBe(0);
    installedBin = join(prefix, 'bin', 'tm-doctor');
    installedPackage = join(prefix, 'lib', 'node_modules', 'tm-doctor');
  }, 240_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('ships bin, dist, docs, schema, the oclif manifest and the README; nothing from test, fixtures, src or bench', () => {
    const paths = packed.files.map((file) => file.path).sort();
    expect(packed.filename).toBe(`tm-doctor-${VERSION}.tgz`);
    for (const required of [
      'package.json',
      'README.md',
      'oclif.manifest.json',
      'bin/run.js',
      'schema/tm-doctor.schema.json',
      'dist/commands/check.js',
      'dist/commands/rules.js',
      'dist/commands/explain.js',
      ...registryIds.map((id) => `docs/rules/${id}.md`),
    ]) {
      expectWithMessage(paths, required).toContain(required);
    }
    const topLevel = new Set(paths.map((path) => (path.includes('/') ? `${path.split('/')[0]}/` : path)));
    expect(paths).not.toContain('dist/commands/stale.js');
    expect([...topLevel].sort()).toEqual(['README.md', 'bin/', 'dist/', 'docs/', 'oclif.manifest.json', 'package.json', 'schema/']);
  });

  it('the tarball holds exactly what npm listed', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line && !line.endsWith('/'))
      .map((line) => line.replace(/^package\//, ''))
      .sort();
    expect(listing).toEqual(packed.files.map((file) => file.path).sort());
  });

  it('the shipped oclif manifest describes the commands and the version', () => {
    const manifest = JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/oclif.manifest.json'], { encoding: 'utf8' })) as {
      version: string;
      commands: Record<string, unknown>;
    };
    expect(manifest.version).toBe(VERSION);
    expect(Object.keys(manifest.commands).sort()).toEqual(['check', 'explain', 'help', 'rules', 'version']);
  });

  it('`tm-doctor help check` and `tm-doctor version` work as installed (oclif finds them through the manifest)', () => {
    const help = runCli(['help', 'check'], { command: installedBin, cwd: tempDir() });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('$ tm-doctor check [DIR]');
    // DEBUG: oclif, not bin/run.js's own --version line, answers.
    const version = runCli(['version'], { command: installedBin, cwd: tempDir(), env: { DEBUG: 'nothing-matches-this' } });
    expect(version.status).toBe(0);
    expect(version.stdout).toMatch(new RegExp(`^tm-doctor/${VERSION.replaceAll('.', '\\.')} `));
  });

  it('puts tm-doctor on the prefix PATH; --version works from an unrelated directory', () => {
    expect(existsSync(join(installedPackage, 'oclif.manifest.json'))).toBe(true);
    const result = runCli(['--version'], { command: installedBin, cwd: tempDir() });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^tm-doctor/${VERSION.replaceAll('.', '\\.')} `));
  });

  it('`tm-doctor rules` lists the registry', () => {
    const result = runCli(['rules', '--format', 'json'], { command: installedBin });
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as Array<{ id: string }>).map((rule) => rule.id)).toEqual(registryIds);
  });

  it('`tm-doctor explain plugin-cache-dir` prints the shipped docs page', () => {
    const result = runCli(['explain', 'plugin-cache-dir'], { command: installedBin });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(readFileSync(join(REPO, 'docs', 'rules', 'plugin-cache-dir.md'), 'utf8'));
  });

  it('`tm-doctor check` of a copied fixture works, and its config schema is found', () => {
    const project = copyFixture('seed-blog');
    const result = runCli(['check', project, '--format', 'json', '--rule', 'plugin-cache-dir'], { command: installedBin, cwd: tempDir() });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout) as { version: number; root: string; findings: Array<{ ruleId: string; file: string }> };
    expect(report.version).toBe(1);
    expect(report.root).toBe(project);
    expect(report.findings.map((finding) => [finding.ruleId, finding.file])).toEqual([['plugin-cache-dir', 'terramate.tm.hcl']]);

    // The config loader reads schema/ from the installed package.
    const bad = runCli(['check', project, '--config', writeBadConfig()], { command: installedBin });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('"rulez": unknown key');
  });

  it('a report stored by a check that oclif ran is replayed by the bundled entry only while nothing changed', async () => {
    const project = copyFixture('seed-blog');
    const home = emptyHome();
    // Past the window in which files just written are distrusted (util/dependency-record.ts).
    await new Promise((done) => setTimeout(done, 3_300));
    const args = ['check', project, '--no-exec', '--format', 'json'];
    // One working directory: it is part of what an identical run is.
    const cwd = tempDir();
    const run = (env: Record<string, string>, extra: string[] = []) =>
      runCli([...args, ...extra], { command: installedBin, home, cwd, env: { TM_DOCTOR_STATS: '1', ...env } });
    // DEBUG makes bin/run.js hand every command to oclif: the unbundled engine records for the bundle's store.
    const viaOclif = run({ DEBUG: 'unrelated' });
    const replayed = run({});
    expect([viaOclif.stderr, replayed.stderr].map((stderr) => /stored report reused/.test(stderr))).toEqual([false, true]);
    expect(replayed.stdout).toBe(viaOclif.stdout);
    rmSync(join(project, 'stacks', 'prd', 'network', '.terraform.lock.hcl'));
    const afterChange = run({});
    expect(afterChange.stderr).not.toMatch(/stored report reused/);
    expect(afterChange.stdout).toBe(run({}, ['--no-cache']).stdout);
    expect(afterChange.stdout).not.toBe(viaOclif.stdout);
  }, 120_000);
});

function writeBadConfig(): string {
  const file = join(tempDir(), 'bad.json');
  writeFileSync(file, '{"rulez": {}}');
  return file;
}
