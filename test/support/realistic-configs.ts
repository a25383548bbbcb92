// Configuration files as teams really write them, shared by the rule tests that read them.
import type { FileTree } from './project.js';

/** A CLI configuration with credentials, a mirror, the cache (line 18) and a setting commented out. */
export const REALISTIC_TERRAFORMRC = `# Managed by dotfiles
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

/** A root Terramate configuration as seen in public repositories: the cache at line 23. */
export const REALISTIC_TERRAMATE_ROOT = `terramate {
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

/** A stack as public repositories write one. */
export const REALISTIC_STACK: FileTree = { 'stacks/api/stack.tm.hcl': 'stack {\n  name = "api"\n  tags = ["dev"]\n}\n', 'stacks/api/main.tf': 'terraform {}\n' };
