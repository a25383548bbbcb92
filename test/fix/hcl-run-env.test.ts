import { describe, expect, it } from '@jest/globals';
import { setRunEnv } from '../../src/fix/hcl-run-env.js';
import { applyEdits } from '../../src/fix/plan.js';
import { parseHcl } from '../../src/parsers/hcl.js';
import type { Change } from '../../src/types.js';

const VAR = 'TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE';

async function apply(text: string | null): Promise<string> {
  const doc = text === null ? null : await parseHcl('/p/terramate.tm.hcl', text);
  const change: Change = setRunEnv('/p/terramate.tm.hcl', doc, VAR, '"true"');
  if (change.kind === 'create') return change.text;
  if (change.kind !== 'text') throw new Error(change.kind);
  return applyEdits(text ?? '', [change]);
}

async function expectValid(text: string): Promise<void> {
  const doc = await parseHcl('/p/terramate.tm.hcl', text);
  expect(doc.diagnostic).toBeNull();
  const terramate = doc.body?.terramate as Array<Record<string, unknown>>;
  expect(terramate).toHaveLength(1);
  expect(JSON.stringify(terramate)).toContain(`"${VAR}":"true"`);
}

/** Every line of `before` is still there, in order, byte for byte. */
function expectOnlyInsertions(before: string, after: string): void {
  const eol = before.includes('\r\n') ? '\r\n' : '\n';
  const old = before.split(eol);
  const updated = after.split(eol);
  let i = 0;
  for (const line of updated) if (i < old.length && line === old[i]) i++;
  expect(i).toBe(old.length);
}

describe('setRunEnv', () => {
  it('adds run { env { } } inside the seed project\'s config block', async () => {
    const before = '# Project settings\nterramate {\n  required_version = ">= 0.9.0"\n\n  config {\n    git {\n      default_branch = "main" # trunk\n    }\n  }\n}\n';
    const after = await apply(before);
    expect(after).toBe(
      '# Project settings\nterramate {\n  required_version = ">= 0.9.0"\n\n  config {\n    git {\n      default_branch = "main" # trunk\n    }\n    run {\n      env {\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n      }\n    }\n  }\n}\n',
    );
    await expectValid(after);
    expectOnlyInsertions(before, after);
  });

  it('merges into an existing env block, aligned like its attributes', async () => {
    const before = 'terramate {\n  config {\n    run {\n      env {\n        TF_IN_AUTOMATION    = "true"\n        TF_PLUGIN_CACHE_DIR = "/cache" // shared\n      }\n    }\n  }\n}\n';
    const after = await apply(before);
    expect(after).toContain('        TF_PLUGIN_CACHE_DIR = "/cache" // shared\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "true"\n      }\n');
    await expectValid(after);
    expectOnlyInsertions(before, after);
  });

  it('replaces the value of an existing definition instead of defining it twice', async () => {
    const before = 'terramate {\n  config {\n    run {\n      env {\n        TF_MAY = 1\n        TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE = "0" # off for now\n      }\n    }\n  }\n}\n';
    const after = await apply(before);
    expect(after).toBe(before.replace('LOCK_FILE = "0"', 'LOCK_FILE = "true"'));
    await expectValid(after);
  });

  it('replaces a definition in a second terramate block of the file', async () => {
    const before = `terramate {\n  required_version = ">= 0.9"\n}\n\nterramate {\n  config {\n    run {\n      env {\n        ${VAR} = null\n      }\n    }\n  }\n}\n`;
    const after = await apply(before);
    expect(after).toBe(before.replace(`${VAR} = null`, `${VAR} = "true"`));
    expect((await parseHcl('/p/terramate.tm.hcl', after)).diagnostic).toBeNull();
  });

  it('keeps tabs', async () => {
    const before = 'terramate {\n\tconfig {\n\t}\n}\n';
    expect(await apply(before)).toBe(`terramate {\n\tconfig {\n\t\trun {\n\t\t\tenv {\n\t\t\t\t${VAR} = "true"\n\t\t\t}\n\t\t}\n\t}\n}\n`);
  });

  it('keeps CRLF line ends', async () => {
    const before = 'terramate {\r\n  required_version = "~> 0.9"\r\n}\r\n';
    const after = await apply(before);
    expect(after).toBe(`terramate {\r\n  required_version = "~> 0.9"\r\n  config {\r\n    run {\r\n      env {\r\n        ${VAR} = "true"\r\n      }\r\n    }\r\n  }\r\n}\r\n`);
    await expectValid(after);
    expectOnlyInsertions(before, after);
  });

  it('opens a one-line empty block', async () => {
    const before = 'terramate {\n  config {\n    run {\n      env {}\n    }\n  }\n}\n';
    const after = await apply(before);
    expect(after).toBe(`terramate {\n  config {\n    run {\n      env {\n        ${VAR} = "true"\n      }\n    }\n  }\n}\n`);
    await expectValid(after);
  });

  // Found by the fuzz suite (test/fuzz/properties.ts): the new line went before the `}` with the
  // existing attribute left on the `{` line, and HCL refuses a block that opens with an
  // argument on its first line but closes on another ("Invalid single-argument block definition").
  it('opens a one-line block that holds an attribute: the attribute moves to a line of its own', async () => {
    const before = 'terramate {\n  config {\n    run {\n      env { TF_PLUGIN_CACHE_DIR = "/tmp/cache" }\n    }\n  }\n}\n';
    const after = await apply(before);
    expect(after).toBe(`terramate {\n  config {\n    run {\n      env {\n        TF_PLUGIN_CACHE_DIR = "/tmp/cache"\n        ${VAR} = "true"\n      }\n    }\n  }\n}\n`);
    await expectValid(after);
  });

  it('opens a one-line block that holds an attribute, when blocks are missing below it', async () => {
    const before = 'terramate {\n  config {\n    run { check_gen_code = true }\n  }\n}\n';
    const after = await apply(before);
    expect(after).toBe(`terramate {\n  config {\n    run {\n      check_gen_code = true\n      env {\n        ${VAR} = "true"\n      }\n    }\n  }\n}\n`);
    await expectValid(after);
  });

  it('appends a terramate block to a file without one', async () => {
    const before = 'globals {\n  region = "eu-west-1"\n}\n';
    const after = await apply(before);
    expect(after).toBe(`globals {\n  region = "eu-west-1"\n}\n\nterramate {\n  config {\n    run {\n      env {\n        ${VAR} = "true"\n      }\n    }\n  }\n}\n`);
    await expectValid(after);
  });

  it('creates the file when there is none', async () => {
    const created = await apply(null);
    expect(created).toBe(`terramate {\n  config {\n    run {\n      env {\n        ${VAR} = "true"\n      }\n    }\n  }\n}\n`);
    await expectValid(created);
  });
});
