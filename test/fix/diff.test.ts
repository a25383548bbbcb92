import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '../support/expect-message.js';
import { renderFileDiff, renderPlanDiff } from '../../src/fix/diff.js';
import { planFixes } from '../../src/fix/plan.js';
import { DiskSnapshot } from '../../src/analysis/snapshot.js';
import type { Fix, TextEdit } from '../../src/types.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tm-doctor-diff-'));
  execFileSync('git', ['init', '-q', root]);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function gitApply(patch: string, ...flags: string[]): void {
  const patchFile = path.join(tmpdir(), `tm-doctor-${process.pid}-${Date.now()}.patch`);
  writeFileSync(patchFile, patch);
  try {
    execFileSync('git', ['apply', ...flags, patchFile], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(patchFile, { force: true });
  }
}

function edit(file: string, start: number, end: number, text: string): TextEdit {
  return { kind: 'text', file, start, end, text };
}

describe('renderFileDiff', () => {
  it('renders the exact unified diff for an edit', () => {
    const file = path.join(root, 'stacks', 'a', 'main.tf');
    expect(renderFileDiff(file, 'one\ntwo\nthree\n', 'one\nTWO\nthree\n', root)).toBe(
      [
        'diff --git a/stacks/a/main.tf b/stacks/a/main.tf',
        '--- a/stacks/a/main.tf',
        '+++ b/stacks/a/main.tf',
        '@@ -1,3 +1,3 @@',
        ' one',
        '-two',
        '+TWO',
        ' three',
        '',
      ].join('\n'),
    );
  });

  it('renders a created file against /dev/null, and an absent final newline', () => {
    const file = path.join(root, 'terramate.tm.hcl');
    expect(renderFileDiff(file, null, 'a\nb', root)).toBe(
      [
        'diff --git a/terramate.tm.hcl b/terramate.tm.hcl',
        'new file mode 100644',
        '--- /dev/null',
        '+++ b/terramate.tm.hcl',
        '@@ -0,0 +1,2 @@',
        '+a',
        '+b',
        '\\ No newline at end of file',
        '',
      ].join('\n'),
    );
  });

  it('keeps CR characters of CRLF lines in the diff', () => {
    const file = path.join(root, 'Makefile');
    const diff = renderFileDiff(file, 'a\r\nb\r\n', 'a\r\nB\r\n', root);
    expect(diff).toContain('\n-b\r\n+B\r\n');
  });

  it('shows files outside the project by absolute path', () => {
    const diff = renderFileDiff('/home/u/.terraformrc', null, 'x\n', root);
    expect(diff).toBe('--- /dev/null\n+++ /home/u/.terraformrc\n@@ -0,0 +1,1 @@\n+x\n');
  });

  it('returns nothing for unchanged text', () => {
    expect(renderFileDiff(path.join(root, 'x'), 'same', 'same', root)).toBe('');
  });
});

describe('renderPlanDiff and git apply', () => {
  it('git apply accepts edits, CRLF, tabs, missing newlines, creations (also empty), odd names', () => {
    const files: Record<string, string> = {
      'Makefile': 'TM_OPTS := --enable-sharing\r\ninit:\r\n\tterramate run $(TM_OPTS) -- terraform init\r\n',
      'stacks/a/main.tf': 'terraform {\n\trequired_version = "1.5"\n}',
      'stacks/with space/ünï.tm.hcl': 'stack {\n  name = "x"\n}\n',
    };
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), text);
    }
    const snapshot = new DiskSnapshot(root);
    const at = (name: string): string => path.join(root, name);
    for (const name of Object.keys(files)) snapshot.readText(at(name));
    const makefile = files.Makefile;
    const fixes: Fix[] = [
      { description: 'split', safe: true, changes: [edit(at('Makefile'), makefile.indexOf('$(TM_OPTS)'), makefile.indexOf('$(TM_OPTS)') + 10, '$(TM_COMMON)')] },
      { description: 'eof', safe: true, changes: [edit(at('stacks/a/main.tf'), files['stacks/a/main.tf'].length, files['stacks/a/main.tf'].length, '\n# done\n')] },
      { description: 'name', safe: true, changes: [edit(at('stacks/with space/ünï.tm.hcl'), 18, 19, 'y')] },
      { description: 'create', safe: true, changes: [{ kind: 'create', file: at('terramate.tm.hcl'), text: 'terramate {\r\n}' }] },
      { description: 'empty', safe: true, changes: [{ kind: 'create', file: at('stacks/b/.keep'), text: '' }] },
      { description: 'exec', safe: true, changes: [{ kind: 'create', file: at('bin/warm.sh'), text: '#!/bin/sh\n', mode: 0o755 }] },
    ];
    const plan = planFixes(fixes, snapshot);
    expect(plan.applied).toHaveLength(6);
    const patch = renderPlanDiff(plan, root);
    gitApply(patch, '--check');
    gitApply(patch);
    for (const rewrite of plan.rewrites) expect(readFileSync(rewrite.file, 'utf8')).toBe(rewrite.after);
    for (const create of plan.creates) expect(readFileSync(create.file, 'utf8')).toBe(create.text);
    expect(statSync(at('bin/warm.sh')).mode & 0o111).not.toBe(0);
    // Applying twice must fail: proof that the first apply really changed the files.
    expect(() => gitApply(patch, '--check')).toThrow();
  });

  it('lists directories and moves as comments git apply skips', () => {
    writeFileSync(path.join(root, 'a.tf'), 'x\n');
    const snapshot = new DiskSnapshot(root);
    snapshot.readText(path.join(root, 'a.tf'));
    const plan = planFixes(
      [
        { description: 'edit', safe: true, changes: [edit(path.join(root, 'a.tf'), 0, 1, 'y')] },
        { description: 'dirs', safe: false, changes: [{ kind: 'mkdir', dir: '/home/u/.terraform.d/plugin-cache' }, { kind: 'move', from: '/cache/p', to: '/q/p' }] },
      ],
      snapshot,
    );
    const patch = renderPlanDiff(plan, root);
    expect(patch.startsWith('# mkdir -p /home/u/.terraform.d/plugin-cache\n# mv /cache/p /q/p\ndiff --git a/a.tf b/a.tf\n')).toBe(true);
    gitApply(patch);
    expect(readFileSync(path.join(root, 'a.tf'), 'utf8')).toBe('y\n');
  });

  it('round-trips 300 generated files through git apply byte for byte', () => {
    let state = 12345;
    const random = (): number => {
      state = (state * 1664525 + 1013904223) >>> 0;
      return state / 2 ** 32;
    };
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const line = (): string => Array.from({ length: Math.floor(random() * 12) }, () => pick(['a', 'b', ' ', '\t', '=', '"', 'é', '{', '}'])).join('');
    const makeText = (): string => {
      const eol = pick(['\n', '\r\n']);
      const lines = Array.from({ length: Math.floor(random() * 25) }, line);
      return lines.join(eol) + (random() < 0.5 ? eol : '');
    };
    const snapshot = new DiskSnapshot(root);
    const fixes: Fix[] = [];
    for (let index = 0; index < 300; index += 1) {
      const file = path.join(root, `d${index % 7}`, `f${index}.tf`);
      if (index % 10 === 9) {
        fixes.push({ description: `create ${index}`, safe: true, changes: [{ kind: 'create', file, text: makeText() }] });
        snapshot.readText(file);
        continue;
      }
      const text = makeText();
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
      snapshot.readText(file);
      const changes: TextEdit[] = [];
      let cursor = 0;
      for (let n = 0; n < 3; n += 1) {
        const start = cursor + Math.floor(random() * (text.length - cursor + 1));
        const end = Math.min(text.length, start + Math.floor(random() * 6));
        changes.push(edit(file, start, end, pick(['', 'X', '\n', '\r\n', 'new line\n', '\t'])));
        cursor = end + 1;
        if (cursor > text.length) break;
      }
      fixes.push({ description: `edit ${index}`, safe: true, changes });
    }
    const plan = planFixes(fixes, snapshot);
    expect(plan.rejected).toEqual([]);
    expect(plan.applied).toHaveLength(300);
    const patch = renderPlanDiff(plan, root);
    gitApply(patch, '--check');
    gitApply(patch);
    let compared = 0;
    for (const rewrite of plan.rewrites) {
      expectWithMessage(readFileSync(rewrite.file).equals(Buffer.from(rewrite.after, 'utf8')), rewrite.file).toBe(true);
      compared += 1;
    }
    for (const create of plan.creates) {
      expectWithMessage(existsSync(create.file), create.file).toBe(true);
      expect(readFileSync(create.file, 'utf8')).toBe(create.text);
      compared += 1;
    }
    expect(compared).toBe(300);
  });

  it('empties a file and adds to an empty file', () => {
    writeFileSync(path.join(root, 'full.tf'), 'a\nb\n');
    writeFileSync(path.join(root, 'empty.tf'), '');
    const snapshot = new DiskSnapshot(root);
    const full = path.join(root, 'full.tf');
    const empty = path.join(root, 'empty.tf');
    snapshot.readText(full);
    snapshot.readText(empty);
    const plan = planFixes(
      [
        { description: 'clear', safe: true, changes: [edit(full, 0, 4, '')] },
        { description: 'fill', safe: true, changes: [edit(empty, 0, 0, 'x = 1')] },
      ],
      snapshot,
    );
    const patch = renderPlanDiff(plan, root);
    expect(patch).toContain('@@ -1,2 +0,0 @@\n-a\n-b\n');
    expect(patch).toContain('@@ -0,0 +1,1 @@\n+x = 1\n\\ No newline at end of file\n');
    gitApply(patch);
    expect(readFileSync(full, 'utf8')).toBe('');
    expect(readFileSync(empty, 'utf8')).toBe('x = 1');
  });
});
