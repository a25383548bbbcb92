// Every rule's docs page is executed, as typescript-eslint tests its docs: the code blocks of
// "## Bad" and "## Good" with a `title="PATH"` are the files of an example project (laid over
// a small Terramate project), each Bad example must report the rule and no Good example may.
import { copyFileSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { rules } from '../../src/rules/index.js';
import { check, tempDir, writeTree, type FileTree } from '../support/project.js';
import { buildGoTool } from '../support/providers.js';

const DOCS = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/rules');

const LOCK = `provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.82.2"
  constraints = "~> 5.80"
  hashes = [
    "h1:ce6Dw2y4PpuqAPtnQ0dO270dRTmwEARqnfffrE1VYJ8=",
  ]
}
`;
const MAIN_TF = 'terraform {\n  required_providers {\n    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.80"\n    }\n  }\n}\n';

/** The project every example is laid over: a Terramate root and two complete stacks. */
const BASE: FileTree = {
  'terramate.tm.hcl': 'terramate {\n  required_version = ">= 0.9.0"\n}\n',
  'stacks/dev/app/stack.tm.hcl': 'stack {\n  name = "app"\n}\n',
  'stacks/dev/app/main.tf': MAIN_TF,
  'stacks/dev/app/.terraform.lock.hcl': LOCK,
  'stacks/dev/db/stack.tm.hcl': 'stack {\n  name = "db"\n}\n',
  'stacks/dev/db/main.tf': MAIN_TF,
  'stacks/dev/db/.terraform.lock.hcl': LOCK,
};

export interface ExampleFile {
  path: string;
  text: string;
  mode?: number;
  /** A binary the test provides instead of the text (`go-plugin-provider`). */
  binary?: string;
}

/** The titled code blocks of one `## NAME` section of a docs page. */
export function exampleFiles(markdown: string, section: 'Bad' | 'Good'): ExampleFile[] {
  const start = markdown.search(new RegExp(`^## ${section}\\s*$`, 'm'));
  if (start < 0) return [];
  const rest = markdown.slice(start).replace(/^.*\n/, '');
  const end = rest.search(/^## /m);
  const body = end < 0 ? rest : rest.slice(0, end);
  const files: ExampleFile[] = [];
  for (const block of body.matchAll(/^```[^\s`]*([^\n]*)\n([\s\S]*?)^```\s*$/gm)) {
    const attributes = Object.fromEntries([...block[1].matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (!attributes.title) continue;
    files.push({
      path: attributes.title,
      text: block[2],
      mode: attributes.mode ? Number.parseInt(attributes.mode, 8) : undefined,
      binary: attributes.binary,
    });
  }
  return files;
}

async function findingsOf(ruleId: string, files: ExampleFile[]): Promise<string[]> {
  const root = tempDir('tm-doctor-docs-');
  const home = tempDir('tm-doctor-docs-home-');
  const project: FileTree = { ...BASE };
  const inHome: FileTree = {};
  for (const file of files) {
    const tree = file.path.startsWith('~/') ? inHome : project;
    tree[file.path.replace(/^~\//, '')] = { text: file.text, mode: file.mode };
  }
  writeTree(root, project);
  writeTree(home, inHome);
  for (const file of files.filter((entry) => entry.binary)) {
    if (file.binary !== 'go-plugin-provider') throw new Error(`unknown binary "${file.binary}" in an example`);
    copyFileSync(buildGoTool('provider'), join(root, file.path));
  }
  const outcome = await check(root, { home, rules: [ruleId], noExec: false });
  return outcome.findings.map((finding) => `${finding.ruleId}/${finding.messageId}`);
}

describe.each(rules.map((rule) => rule.meta.id))('docs/rules/%s.md examples', (ruleId) => {
  const markdown = readFileSync(join(DOCS, `${ruleId}.md`), 'utf8');

  it('has a Bad and a Good example made of titled files', () => {
    expect(exampleFiles(markdown, 'Bad').length).toBeGreaterThan(0);
    expect(exampleFiles(markdown, 'Good').length).toBeGreaterThan(0);
  });

  it('Bad reports the rule', async () => {
    const findings = await findingsOf(ruleId, exampleFiles(markdown, 'Bad'));
    expect(findings.filter((finding) => finding.startsWith(`${ruleId}/`)).length).toBeGreaterThan(0);
  });

  it('Good does not report the rule', async () => {
    expect(await findingsOf(ruleId, exampleFiles(markdown, 'Good'))).toEqual([]);
  });
});
