import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkTree, tempDir, writeTree } from '../support/project.js';

// A CLI configuration as teams really write it: credentials, a mirror, the cache.
const TERRAFORMRC = `# Managed by dotfiles
disable_checkpoint = true

credentials "app.terraform.io" {
  token = "xxxxxx.atlasv1.zzzzzzzzzzzzz"
}

provider_installation {
  filesystem_mirror {
    path    = "/usr/share/terraform/providers"
    include = ["example.com/*/*"]
  }
  direct {
    exclude = ["example.com/*/*"]
  }
}

plugin_cache_dir = "$HOME/.terraform.d/plugin-cache"
# plugin_cache_may_break_dependency_lock_file = true
`;

// A root Terramate configuration as seen in public repositories.
const TERRAMATE_ROOT = `terramate {
  required_version = "~> 0.9.0"
  required_version_allow_prereleases = false

  config {
    experiments = ["scripts", "outputs-sharing"]

    git {
      default_remote = "origin"
      default_branch = "main"

      check_untracked   = false
      check_uncommitted = false
      check_remote      = false
    }

    run {
      check_gen_code = true

      env {
        TF_IN_AUTOMATION    = "true"
        TF_INPUT            = "false"
        TF_PLUGIN_CACHE_DIR = "\${terramate.root.path.fs.absolute}/.terraform-cache-dir"
      }
    }

    cloud {
      organization = "acme"
    }
  }
}

globals {
  environment = "dev"
}
`;

const STACK = { 'stacks/api/stack.tm.hcl': 'stack {\n  name = "api"\n  tags = ["dev"]\n}\n', 'stacks/api/main.tf': 'terraform {}\n' };

describe('rules on realistic configuration files', () => {
  it('plugin-cache-dir reads a full ~/.terraformrc', async () => {
    const home = tempDir('tm-doctor-home-');
    writeTree(home, { '.terraformrc': TERRAFORMRC });
    const files = { 'terramate.tm.hcl': 'terramate {\n  required_version = "~> 0.9.0"\n}\n', ...STACK };
    const missing = await checkTree(files, { rule: 'plugin-cache-dir', home });
    expect(missing.map((finding) => [finding.file?.endsWith('.terraformrc'), finding.line])).toEqual([[true, 18]]);
    mkdirSync(join(home, '.terraform.d/plugin-cache'), { recursive: true });
    expect(await checkTree(files, { rule: 'plugin-cache-dir', home })).toEqual([]);
  });

  it('lockfile-cache-env: a commented-out setting does not count', async () => {
    const home = tempDir('tm-doctor-home-');
    writeTree(home, { '.terraformrc': TERRAFORMRC });
    const findings = await checkTree({ 'terramate.tm.hcl': 'terramate {\n  required_version = "~> 0.9.0"\n}\n', ...STACK }, { rule: 'lockfile-cache-env', home });
    expect(findings.map((finding) => `${finding.file}:${finding.line}`)).toEqual(['terramate.tm.hcl:1']);
  });

  it('plugin-cache-dir and lockfile-cache-env on a full root terramate.tm.hcl', async () => {
    const dir = { 'terramate.tm.hcl': TERRAMATE_ROOT, '.terraform-cache-dir/.keep': '', ...STACK };
    expect(await checkTree(dir, { rule: 'plugin-cache-dir' })).toEqual([]);
    const findings = await checkTree(dir, { rule: 'lockfile-cache-env' });
    expect(findings.map((finding) => `${finding.file}:${finding.line}`)).toEqual(['terramate.tm.hcl:1']);
    const fixedEnv = TERRAMATE_ROOT.replace('TF_INPUT            = "false"', 'TF_INPUT            = "false"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = 1');
    expect(await checkTree({ ...dir, 'terramate.tm.hcl': fixedEnv }, { rule: 'lockfile-cache-env' })).toEqual([]);
    const disabled = TERRAMATE_ROOT.replace('TF_INPUT            = "false"', 'TF_INPUT            = "false"\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "0"');
    expect(await checkTree({ ...dir, 'terramate.tm.hcl': disabled }, { rule: 'lockfile-cache-env' })).toHaveLength(1);
  });
});
