import { parseError } from '../../src/rules/parse-error.js';
import type { FileTree } from '../support/project.js';
import { runRuleTests } from '../support/rule-tester.js';

const PROJECT: FileTree = {
  'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n',
  'stacks/a/stack.tm.hcl': 'stack {}\n',
  'stacks/a/main.tf': 'terraform {}\n',
};
const BROKEN_MAKEFILE = 'TM_OPTS := --changed\n\nifeq (a,b)\ninit:\n\tterramate run -- terraform init\n';
const BROKEN_WORKFLOW = 'on: push\njobs:\n  init:\n    runs-on: ubuntu-latest\n    steps:\n      - run: terramate run -- terraform init\n     - run: oops\n';
const BROKEN_HCL = 'globals {\n  region = "eu"\n\n';
/** GNU make would run out of memory on `$(A40)`: 2^40 words (used at line 43). */
const DOUBLING_MAKEFILE = ['A0 = x', ...Array.from({ length: 40 }, (_v, i) => `A${i + 1} = $(A${i}) $(A${i})`), 'init:', '\tterramate run -- terraform init $(A40)', ''].join('\n');

runRuleTests(parseError, {
  valid: [
    { name: 'a project whose files all parse', files: { ...PROJECT, Makefile: 'init:\n\tterramate run -- terraform init\n' } },
    { name: 'a YAML file outside the CI locations is not read', files: { ...PROJECT, 'docs/example.yml': '- a\n b: [' } },
  ],
  invalid: [
    {
      name: 'a broken Makefile, workflow and Terramate file are each reported, whatever else is selected',
      files: { ...PROJECT, Makefile: BROKEN_MAKEFILE, '.github/workflows/ci.yml': BROKEN_WORKFLOW, 'stacks/a/config.tm.hcl': BROKEN_HCL },
      errors: [
        { messageId: 'problem', file: '.github/workflows/ci.yml', line: 7 },
        { messageId: 'problem', file: 'Makefile', line: 3, data: { summary: "missing 'endif'" } },
        { messageId: 'problem', file: 'stacks/a/config.tm.hcl', line: 1 },
      ],
    },
    {
      name: 'a Makefile expansion cut short at the evaluation budget, on the line that used it',
      files: { ...PROJECT, Makefile: DOUBLING_MAKEFILE },
      errors: [{ messageId: 'cut-short', file: 'Makefile', line: 43, data: { summary: 'expansion of $(A40) cut short: more than 8,388,608 bytes' } }],
    },
    {
      name: 'a broken lock file',
      files: { ...PROJECT, 'stacks/a/.terraform.lock.hcl': 'provider "registry.terraform.io/hashicorp/aws" {\n  version = \n}\n' },
      errors: [{ messageId: 'problem', file: 'stacks/a/.terraform.lock.hcl', line: 2 }],
    },
    {
      name: 'a broken CLI configuration file of the tool the project runs',
      files: PROJECT,
      home: { '.terraformrc': 'plugin_cache_dir = "/x\n' },
      errors: [{ messageId: 'problem', file: '~/.terraformrc', line: 1 }],
    },
    {
      name: 'a package.json that is not JSON',
      files: { ...PROJECT, 'package.json': '{\n  "scripts": {\n    "init": "terramate run -- terraform init",\n  }\n}\n' },
      errors: [{ messageId: 'problem', file: 'package.json', line: 4 }],
    },
  ],
});
