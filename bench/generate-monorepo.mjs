// The monorepo the benchmarks and the interrupt tests check: `stacks` stacks (a stack file,
// main.tf and a lock file each, from the seed project), a root terramate.tm.hcl and a
// config.tm.hcl with `config.run.env` per group of 50, a Makefile with includes, two workflows.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const STACKS_PER_GROUP = 50;
const ENVS = ['dev', 'stg', 'prd'];

const seedStack = join(repo, 'fixtures', 'seed-blog', 'stacks', 'dev', 'network');
const STACK_FILES = ['stack.tm.hcl', 'main.tf', '.terraform.lock.hcl'].map((name) => ({ name, text: readFileSync(join(seedStack, name), 'utf8') }));

function write(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A generated monorepo of `stacks` stacks in a new temp directory; returns its path. */
export function generateMonorepo(stacks) {
  const dir = mkdtempSync(join(tmpdir(), `tm-doctor-monorepo-${stacks}-`));
  write(
    join(dir, 'terramate.tm.hcl'),
    [
      'terramate {',
      '  required_version = ">= 0.9.0"',
      '  config {',
      '    git {',
      '      default_branch = "main"',
      '    }',
      '    run {',
      '      env {',
      '        TF_PLUGIN_CACHE_DIR = "${terramate.root.path.fs.absolute}/.terraform-plugin-cache"',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, '.terraform-plugin-cache'));
  write(join(dir, 'Makefile'), '# Terramate wrapper.\ninclude mk/vars.mk\ninclude mk/targets.mk\n');
  write(join(dir, 'mk', 'vars.mk'), 'PARALLEL ?= 4\nTM_OPTS := --parallel $(PARALLEL)\n');
  write(
    join(dir, 'mk', 'targets.mk'),
    '.PHONY: init plan\ninit:\n\tterramate run $(TM_OPTS) -- terraform init\n\nplan:\n\tterramate run --enable-sharing -- terraform plan\n',
  );
  write(
    join(dir, '.github', 'workflows', 'ci.yml'),
    'on: push\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: terramate run --parallel 4 -- terraform init\n      - run: terramate run -- terraform plan\n',
  );
  write(
    join(dir, '.github', 'workflows', 'lint.yml'),
    'on: pull_request\njobs:\n  fmt:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: terramate fmt --check\n',
  );
  for (let i = 0; i < stacks; i++) {
    const group = Math.floor(i / STACKS_PER_GROUP);
    const groupDir = join(dir, 'stacks', ENVS[group % ENVS.length], `group-${group}`);
    if (i % STACKS_PER_GROUP === 0) {
      write(join(groupDir, 'config.tm.hcl'), `terramate {\n  config {\n    run {\n      env {\n        TEAM     = "team-${group}"\n        TF_INPUT = "0"\n      }\n    }\n  }\n}\n`);
    }
    for (const { name, text } of STACK_FILES) write(join(groupDir, `svc-${i}`, name), text.replaceAll('dev-network', `svc-${i}`));
  }
  return dir;
}
