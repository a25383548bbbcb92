import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkTree, tempDir, writeTree, type FileTree } from '../support/project.js';

const ROOT = `terramate {\n  required_version = ">= 0.9.0"\n}\n`;
const project = (extra: FileTree = {}): FileTree => ({
  'terramate.tm.hcl': ROOT,
  'stacks/app/stack.tm.hcl': 'stack {\n  name = "app"\n}\n',
  'stacks/app/main.tf': 'terraform {}\n',
  ...extra,
});

function homeWith(files: FileTree, dirs: string[] = []): string {
  const home = tempDir('tm-doctor-home-');
  writeTree(home, files);
  for (const dir of dirs) mkdirSync(join(home, dir), { recursive: true });
  return home;
}

const run = (files: FileTree, home: string, env: Record<string, string> = {}) =>
  checkTree(files, { rule: 'plugin-cache-dir', home, env });

const ids = (findings: Awaited<ReturnType<typeof run>>) => findings.map((f) => f.message.split(' ').slice(0, 6).join(' '));

describe('plugin-cache-dir', () => {
  it('reports a project with no cache anywhere, at the root terramate block', async () => {
    const home = homeWith({});
    const findings = await run(project(), home);
    expect(findings).toEqual([
      {
        ruleId: 'plugin-cache-dir',
        file: 'terramate.tm.hcl',
        line: 1,
        message: `No provider plugin cache is in effect for 1 stack(s) (stacks/app): every stack downloads its own copy of each provider during init. Set TF_PLUGIN_CACHE_DIR in the root Terramate config.run.env, or plugin_cache_dir in ${home}/.terraformrc.`,
      },
    ]);
  });

  it('accepts ~/.terraformrc with $HOME expanded, when the directory exists', async () => {
    const home = homeWith({ '.terraformrc': 'plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"\n' }, ['.terraform.d/plugin-cache']);
    expect(await run(project(), home)).toEqual([]);
  });

  it('reports a ~/.terraformrc cache directory that does not exist, at its line', async () => {
    const home = homeWith({ '.terraformrc': '# cache\nplugin_cache_dir = "${HOME}/.terraform.d/plugin-cache"\n' });
    const findings = await run(project(), home);
    expect(findings.map((f) => [f.file?.endsWith('/.terraformrc'), f.line])).toEqual([[true, 2]]);
    expect(findings[0].message).toBe(
      `The plugin cache directory "${home}/.terraform.d/plugin-cache" (from ${home}/.terraformrc) does not exist; Terraform does not create it and fails with "The specified plugin cache dir ... cannot be opened". Create it (mkdir -p).`,
    );
  });

  it('never expands ~ and says so', async () => {
    const home = homeWith({ '.terraformrc': 'plugin_cache_dir = "~/.terraform.d/plugin-cache"\n' }, ['.terraform.d/plugin-cache']);
    const findings = await run(project(), home);
    expect(ids(findings)).toEqual(['The plugin cache directory "~/.terraform.d/plugin-cache" (from']);
    expect(findings[0].message).toContain('starts with "~", which Terraform never expands');
  });

  it('reports a relative directory', async () => {
    const home = homeWith({ '.terraformrc': 'plugin_cache_dir = "plugin-cache"\n' });
    const findings = await run(project(), home);
    expect(findings).toHaveLength(1);
    expect(findings[0].message).toMatch(/^The plugin cache directory "plugin-cache" \(from .*\.terraformrc\) is relative:/);
  });

  it('ignores a commented-out setting', async () => {
    const home = homeWith({ '.terraformrc': '# plugin_cache_dir = "/tmp"\n// plugin_cache_dir = "/tmp"\n' });
    const findings = await run(project(), home);
    expect(findings.map((f) => f.message.slice(0, 40))).toEqual(['No provider plugin cache is in effect fo']);
  });

  it('reads ~/.terraform.d/*.tfrc and *.tfrc.json', async () => {
    const cache = tempDir();
    const hcl = homeWith({ '.terraform.d/cache.tfrc': `plugin_cache_dir = "${cache}"\n` });
    expect(await run(project(), hcl)).toEqual([]);
    const json = homeWith({ '.terraform.d/cache.tfrc.json': JSON.stringify({ plugin_cache_dir: cache }) });
    expect(await run(project(), json)).toEqual([]);
  });

  it('reads TF_CLI_CONFIG_FILE, then TERRAFORM_CONFIG, and then skips the .tfrc directory', async () => {
    const cache = tempDir();
    const home = homeWith({
      'custom.rc': `plugin_cache_dir = "${cache}"\n`,
      'empty.rc': 'disable_checkpoint = true\n',
      '.terraform.d/cache.tfrc': `plugin_cache_dir = "${cache}"\n`,
    });
    expect(await run(project(), home, { TF_CLI_CONFIG_FILE: join(home, 'custom.rc') })).toEqual([]);
    expect(await run(project(), home, { TERRAFORM_CONFIG: join(home, 'custom.rc') })).toEqual([]);
    const overridden = await run(project(), home, { TF_CLI_CONFIG_FILE: join(home, 'empty.rc') });
    expect(overridden.map((f) => f.message)).toEqual([expect.stringContaining(`or plugin_cache_dir in ${home}/empty.rc.`)]);
  });

  it('gives the environment variable precedence over the file, and the file over the .tfrc directory', async () => {
    const cache = tempDir();
    const home = homeWith({ '.terraformrc': `plugin_cache_dir = "${cache}"\n` });
    const fromEnv = await run(project(), home, { TF_PLUGIN_CACHE_DIR: '/nonexistent/cache' });
    expect(fromEnv.map((f) => [f.file, f.message.slice(0, 86)])).toEqual([
      [null, 'The plugin cache directory "/nonexistent/cache" (from the environment) does not exist;'],
    ]);
    const fileOverDir = homeWith({ '.terraformrc': 'plugin_cache_dir = "~/c"\n', '.terraform.d/a.tfrc': `plugin_cache_dir = "${cache}"\n` });
    expect(ids(await run(project(), fileOverDir))).toEqual(['The plugin cache directory "~/c" (from']);
  });

  it('does not expand $VAR in the environment variable', async () => {
    const home = homeWith({}, ['.terraform.d/plugin-cache']);
    const findings = await run(project(), home, { TF_PLUGIN_CACHE_DIR: '$HOME/.terraform.d/plugin-cache' });
    expect(findings[0].message).toMatch(/^The plugin cache directory "\$HOME\/.terraform.d\/plugin-cache" \(from the environment\) is relative/);
  });

  it('reads Terramate config.run.env: nearest definition wins, null removes, metadata resolves', async () => {
    const home = homeWith({});
    const withRootCache = project({
      'terramate.tm.hcl': `terramate {\n  required_version = ">= 0.9.0"\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "\${terramate.root.path.fs.absolute}/.cache"\n      }\n    }\n  }\n}\n`,
      '.cache/.keep': '',
    });
    expect(await run(withRootCache, home)).toEqual([]);

    const removedBelow = {
      ...withRootCache,
      'stacks/config.tm.hcl': 'terramate {\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = null\n      }\n    }\n  }\n}\n',
    };
    expect(ids(await run(removedBelow, home))).toEqual(['No provider plugin cache is in']);

    const relativeBelow = {
      ...withRootCache,
      'stacks/app/env.tm.hcl': 'terramate {\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "cache"\n      }\n    }\n  }\n}\n',
    };
    const findings = await run(relativeBelow, home);
    expect(findings.map((f) => [f.file, f.line])).toEqual([['stacks/app/env.tm.hcl', 5]]);
    expect(findings[0].message).toMatch(/^The plugin cache directory "cache" \(from terramate config.run.env in stacks\/app\/env.tm.hcl\) is relative/);
  });

  it('says nothing for a project without stacks', async () => {
    expect(await run({ 'terramate.tm.hcl': ROOT }, homeWith({}))).toEqual([]);
  });

  it('reads OpenTofu\'s configuration for a project whose init runs tofu', async () => {
    const cache = tempDir();
    const tofuProject = project({ Makefile: 'init:\n\tterramate run -- tofu init\n' });
    const tofurc = homeWith({ '.tofurc': `plugin_cache_dir = "${cache}"\n` });
    expect(await run(tofuProject, tofurc)).toEqual([]);
    const xdg = tempDir();
    writeTree(xdg, { 'opentofu/tofurc': `plugin_cache_dir = "${cache}"\n` });
    expect(await run(tofuProject, homeWith({}), { XDG_CONFIG_HOME: xdg })).toEqual([]);
    const terraformOnly = homeWith({ '.tofurc': `plugin_cache_dir = "${cache}"\n` });
    const findings = await run(project(), terraformOnly);
    expect(findings.map((finding) => finding.message)).toEqual([expect.stringContaining(`or plugin_cache_dir in ${terraformOnly}/.terraformrc.`)]);
  });
});

describe('plugin-cache-dir: which stacks count', () => {
  it('ignores stacks where Terraform never runs, counts stacks whose .tf is generated', async () => {
    const home = homeWith({});
    const noTerraform = { 'terramate.tm.hcl': ROOT, 'stacks/docs/stack.tm.hcl': 'stack {}\n', 'stacks/docs/file': 'this is dev!\n' };
    expect(await run(noTerraform, home)).toEqual([]);
    const generated = {
      ...noTerraform,
      'stacks/generate.tm.hcl': 'generate_hcl "_providers.tf" {\n  content {\n    terraform {}\n  }\n}\n',
    };
    expect((await run(generated, home)).map((finding) => finding.message.slice(0, 72))).toEqual([
      'No provider plugin cache is in effect for 1 stack(s) (stacks/docs): ever',
    ]);
  });

  it('applies settings from files brought in with import', async () => {
    const home = homeWith({});
    const cache = tempDir();
    const files = {
      'terramate.tm.hcl': 'import {\n  source = "/imports/*.tm.hcl"\n}\n',
      'imports/config.tm.hcl': `terramate {\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "${cache}"\n      }\n    }\n  }\n}\n`,
      'stacks/app/stack.tm.hcl': 'stack {}\n',
      'stacks/app/main.tf': 'terraform {}\n',
    };
    expect(await run(files, home)).toEqual([]);
  });
});
