import { chmodSync, chownSync, closeSync, linkSync, openSync, readSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { planFixes } from '../../src/fix/plan.js';
import { DiskSnapshot } from '../../src/analysis/snapshot.js';
import { isFixWritten, writePlan } from '../../src/fix/write.js';
import type { Fix } from '../../src/types.js';

let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tm-doctor-write-'));
});

afterEach(() => {
  chmodRecursive(root);
  rmSync(root, { recursive: true, force: true });
});

function chmodRecursive(dir: string): void {
  chmodSync(dir, 0o755);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) chmodRecursive(path.join(dir, entry.name));
  }
}

function replaceFix(file: string, text: string, search: string, replacement: string): Fix {
  const start = text.indexOf(search);
  if (start < 0) throw new Error(`${search} not in text`);
  return { description: `replace ${search}`, safe: true, changes: [{ kind: 'text', file, start, end: start + search.length, text: replacement }] };
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.tm-doctor-'));
}

describe('writePlan', () => {
  it('rewrites CRLF and tab files byte for byte, touching only the edited bytes', async () => {
    const file = path.join(root, 'main.tf');
    const original = 'terraform {\r\n\trequired_version = "1.5"\r\n}\r\n\t# tab comment\t\r\n';
    writeFileSync(file, original);
    const snapshot = new DiskSnapshot(root);
    const text = snapshot.readText(file)!;
    const plan = planFixes([replaceFix(file, text, '"1.5"', '">= 1.6"')], snapshot);
    const report = await writePlan(plan, snapshot);
    expect(report.outcomes).toEqual([{ kind: 'rewrite', path: file, status: 'written' }]);
    expect(report.ok).toBe(true);
    expect(readFileSync(file)).toEqual(Buffer.from(original.replace('"1.5"', '">= 1.6"')));
    expect(leftovers(root)).toEqual([]);
  });

  it('keeps a BOM and multi-byte text exactly', async () => {
    const file = path.join(root, 'a.tm.hcl');
    const original = '\ufeff# ünïcødé 🎉\nx = 1\n';
    writeFileSync(file, original);
    const snapshot = new DiskSnapshot(root);
    const text = snapshot.readText(file)!;
    await writePlan(planFixes([replaceFix(file, text, '1', '2')], snapshot), snapshot);
    expect(readFileSync(file)).toEqual(Buffer.from('\ufeff# ünïcødé 🎉\nx = 2\n'));
  });

  it('leaves a file that changed on disk since it was read, with the reason', async () => {
    const file = path.join(root, 'main.tf');
    writeFileSync(file, 'a = 1\n');
    const snapshot = new DiskSnapshot(root);
    const text = snapshot.readText(file)!;
    const plan = planFixes([replaceFix(file, text, '1', '2')], snapshot);
    writeFileSync(file, 'a = 1\n# edited by the user meanwhile\n');
    const report = await writePlan(plan, snapshot);
    expect(report.outcomes).toEqual([
      { kind: 'rewrite', path: file, status: 'refused', reason: 'main.tf changed on disk since it was read; not written' },
    ]);
    expect(report.ok).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('a = 1\n# edited by the user meanwhile\n');
  });

  it('notices a change made between the temp write and the rename', async () => {
    const file = path.join(root, 'main.tf');
    writeFileSync(file, 'a = 1\n');
    const snapshot = new DiskSnapshot(root);
    const plan = planFixes([replaceFix(file, snapshot.readText(file)!, '1', '2')], snapshot);
    const report = await writePlan(plan, snapshot, { hooks: { beforeRename: () => writeFileSync(file, 'late\n') } });
    expect(report.outcomes[0]).toEqual({
      kind: 'rewrite',
      path: file,
      status: 'refused',
      reason: 'main.tf changed on disk while it was being written; not written',
    });
    expect(readFileSync(file, 'utf8')).toBe('late\n');
    expect(leftovers(root)).toEqual([]);
  });

  it('refuses a read-only file (0444) even as root, and does not make it writable', async () => {
    const file = path.join(root, 'main.tf');
    writeFileSync(file, 'a = 1\n');
    chmodSync(file, 0o444);
    const snapshot = new DiskSnapshot(root);
    const fix = replaceFix(file, snapshot.readText(file)!, '1', '2');
    const report = await writePlan(planFixes([fix], snapshot), snapshot);
    expect(report.outcomes).toEqual([
      { kind: 'rewrite', path: file, status: 'refused', reason: 'main.tf is read-only (mode 0444); not made writable' },
    ]);
    expect(isFixWritten(fix, report)).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('a = 1\n');
    expect(statSync(file).mode & 0o7777).toBe(0o444);
  });

  it('refuses a file in a directory without write permission', async () => {
    const dir = path.join(root, 'locked');
    mkdirSync(dir);
    const file = path.join(dir, 'main.tf');
    writeFileSync(file, 'a = 1\n');
    chmodSync(dir, 0o555);
    const snapshot = new DiskSnapshot(root);
    const report = await writePlan(planFixes([replaceFix(file, snapshot.readText(file)!, '1', '2')], snapshot), snapshot);
    expect(report.outcomes[0].status).toBe('refused');
    expect(report.outcomes[0].reason).toBe(`directory ${dir} is not writable (mode 0555); an atomic write needs a temp file there`);
    expect(readFileSync(file, 'utf8')).toBe('a = 1\n');
  });

  it('keeps the mode of the file (0755 stays 0755, 0600 stays 0600)', async () => {
    for (const mode of [0o755, 0o600, 0o640]) {
      const file = path.join(root, `script-${mode.toString(8)}.sh`);
      writeFileSync(file, 'echo 1\n');
      chmodSync(file, mode);
      const snapshot = new DiskSnapshot(root);
      const report = await writePlan(planFixes([replaceFix(file, snapshot.readText(file)!, '1', '2')], snapshot), snapshot);
      expect(report.ok).toBe(true);
      expect(statSync(file).mode & 0o7777).toBe(mode);
      expect(readFileSync(file, 'utf8')).toBe('echo 2\n');
    }
  });

  it('writes through a symlink to its target and keeps the link', async () => {
    const target = path.join(root, 'shared', 'real.tm.hcl');
    mkdirSync(path.dirname(target));
    writeFileSync(target, 'v = 1\n');
    const link = path.join(root, 'stack.tm.hcl');
    symlinkSync('shared/real.tm.hcl', link);
    const snapshot = new DiskSnapshot(root);
    const report = await writePlan(planFixes([replaceFix(link, snapshot.readText(link)!, '1', '2')], snapshot), snapshot);
    expect(report.outcomes).toEqual([{ kind: 'rewrite', path: link, status: 'written' }]);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('shared/real.tm.hcl');
    expect(readFileSync(target, 'utf8')).toBe('v = 2\n');
    expect(leftovers(root)).toEqual([]);
    expect(leftovers(path.dirname(target))).toEqual([]);
  });

  it('judges a link by where it leads: a safe fix through a link out of the project is rejected by the plan and refused by the writer', async () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'tm-doctor-elsewhere-'));
    try {
      const outside = path.join(elsewhere, 'Makefile');
      writeFileSync(outside, 'a = 1\n');
      const link = path.join(root, 'Makefile');
      symlinkSync(outside, link);
      const snapshot = new DiskSnapshot(root);
      const fix = replaceFix(link, snapshot.readText(link)!, '1', '2');
      const real = realpathSync(outside);
      expect(planFixes([fix], snapshot).rejected.map((r) => r.reason)).toEqual([`marked safe but Makefile leads to ${real} through a symbolic link, outside the project`]);

      // The writer checks again: a plan made of unsafe fixes is written outside only when allowed.
      const plan = planFixes([{ ...fix, safe: false }], snapshot);
      const refused = await writePlan(plan, snapshot);
      expect(refused.outcomes).toEqual([
        { kind: 'rewrite', path: link, status: 'refused', reason: `Makefile leads to ${real} through a symbolic link, outside the project; not written without --unsafe-fixes` },
      ]);
      expect(readFileSync(outside, 'utf8')).toBe('a = 1\n');
      expect((await writePlan(plan, snapshot, { allowOutside: true })).ok).toBe(true);
      expect(readFileSync(outside, 'utf8')).toBe('a = 2\n');
      expect(lstatSync(link).isSymbolicLink()).toBe(true);

      // A created file whose directory is a link (even a dangling one) leading out.
      symlinkSync(path.join(elsewhere, 'not-yet'), path.join(root, 'cache'));
      const created = path.join(root, 'cache', 'sub', '.gitignore');
      const create = await writePlan(planFixes([{ description: 'c', safe: false, changes: [{ kind: 'create', file: created, text: '*\n' }] }], snapshot), snapshot);
      expect(create.outcomes).toEqual([
        { kind: 'create', path: created, status: 'refused', reason: `cache/sub/.gitignore leads to ${path.join(real, '..', 'not-yet', 'sub', '.gitignore')} through a symbolic link, outside the project; not created without --unsafe-fixes` },
      ]);
      expect(existsSync(path.join(elsewhere, 'not-yet'))).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('writes a file reached through two paths only once per pass', async () => {
    const target = path.join(root, 'real.tf');
    writeFileSync(target, 'a b\n');
    const link = path.join(root, 'alias.tf');
    symlinkSync(target, link);
    const snapshot = new DiskSnapshot(root);
    const plan = planFixes([replaceFix(target, snapshot.readText(target)!, 'a', 'A'), replaceFix(link, snapshot.readText(link)!, 'b', 'B')], snapshot);
    const report = await writePlan(plan, snapshot);
    expect(report.outcomes).toEqual([
      { kind: 'rewrite', path: link, status: 'written' },
      { kind: 'rewrite', path: target, status: 'refused', reason: 'real.tf is the same file as alias.tf, already written in this pass' },
    ]);
    expect(readFileSync(target, 'utf8')).toBe('a B\n');
  });

  it('creates a new file with O_EXCL semantics: refused when it appeared after the read', async () => {
    const fresh = path.join(root, 'deep', 'er', 'terramate.tm.hcl');
    const appearing = path.join(root, 'appearing.tm.hcl');
    const snapshot = new DiskSnapshot(root);
    expect(snapshot.readText(fresh)).toBeUndefined();
    expect(snapshot.readText(appearing)).toBeUndefined();
    const plan = planFixes(
      [
        { description: 'new', safe: true, changes: [{ kind: 'create', file: fresh, text: 'terramate {}\n' }] },
        { description: 'race', safe: true, changes: [{ kind: 'create', file: appearing, text: 'mine\n', mode: 0o600 }] },
      ],
      snapshot,
    );
    writeFileSync(appearing, 'theirs\n');
    const report = await writePlan(plan, snapshot);
    expect(report.outcomes).toEqual([
      {
        kind: 'create',
        path: appearing,
        status: 'refused',
        reason: 'appearing.tm.hcl already exists (it appeared after the project was read); not overwritten',
      },
      { kind: 'create', path: fresh, status: 'written' },
    ]);
    expect(readFileSync(appearing, 'utf8')).toBe('theirs\n');
    expect(readFileSync(fresh, 'utf8')).toBe('terramate {}\n');
    expect(leftovers(root)).toEqual([]);
    expect(leftovers(path.dirname(fresh))).toEqual([]);
  });

  it('refuses a creation that appears between the temp write and the link', async () => {
    const file = path.join(root, 'late.tm.hcl');
    const snapshot = new DiskSnapshot(root);
    snapshot.readText(file);
    const plan = planFixes([{ description: 'c', safe: true, changes: [{ kind: 'create', file, text: 'mine\n' }] }], snapshot);
    const report = await writePlan(plan, snapshot, { hooks: { beforeRename: () => writeFileSync(file, 'theirs\n') } });
    expect(report.outcomes[0].status).toBe('refused');
    expect(readFileSync(file, 'utf8')).toBe('theirs\n');
    expect(leftovers(root)).toEqual([]);
  });

  it('gives a created file the requested mode', async () => {
    const file = path.join(root, 'tool.sh');
    const snapshot = new DiskSnapshot(root);
    const plan = planFixes([{ description: 'c', safe: true, changes: [{ kind: 'create', file, text: '#!/bin/sh\n', mode: 0o750 }] }], snapshot);
    expect((await writePlan(plan, snapshot)).ok).toBe(true);
    expect(statSync(file).mode & 0o7777).toBe(0o750);
  });

  it('makes directories (mkdir -p) and moves paths, refusing an existing destination', async () => {
    const cache = path.join(root, 'home', '.terraform.d', 'plugin-cache');
    const broken = path.join(root, 'cache', 'aws', '5.0.0');
    mkdirSync(broken, { recursive: true });
    writeFileSync(path.join(broken, 'terraform-provider-aws'), 'half');
    const taken = path.join(root, 'cache', 'gcp');
    mkdirSync(taken, { recursive: true });
    const occupied = path.join(root, 'quarantine', 'gcp');
    mkdirSync(occupied, { recursive: true });
    const snapshot = new DiskSnapshot(root);
    const plan = planFixes(
      [
        { description: 'cache', safe: false, changes: [{ kind: 'mkdir', dir: cache }] },
        { description: 'aws', safe: false, changes: [{ kind: 'move', from: broken, to: path.join(root, 'quarantine', 'aws', '5.0.0') }] },
        { description: 'gcp', safe: false, changes: [{ kind: 'move', from: taken, to: occupied }] },
        { description: 'gone', safe: false, changes: [{ kind: 'move', from: path.join(root, 'nothing'), to: path.join(root, 'q2') }] },
      ],
      snapshot,
    );
    const report = await writePlan(plan, snapshot);
    expect(report.outcomes).toEqual([
      { kind: 'mkdir', path: cache, status: 'written' },
      { kind: 'move', path: broken, to: path.join(root, 'quarantine', 'aws', '5.0.0'), status: 'written' },
      { kind: 'move', path: taken, to: occupied, status: 'refused', reason: 'quarantine/gcp already exists; cache/gcp not moved' },
      { kind: 'move', path: path.join(root, 'nothing'), to: path.join(root, 'q2'), status: 'refused', reason: 'nothing no longer exists' },
    ]);
    expect(statSync(cache).isDirectory()).toBe(true);
    expect(existsSync(broken)).toBe(false);
    expect(readFileSync(path.join(root, 'quarantine', 'aws', '5.0.0', 'terraform-provider-aws'), 'utf8')).toBe('half');
    expect(existsSync(taken)).toBe(true);
    const again = await writePlan(planFixes([{ description: 'cache', safe: false, changes: [{ kind: 'mkdir', dir: cache }] }], snapshot), snapshot);
    expect(again.outcomes).toEqual([{ kind: 'mkdir', path: cache, status: 'unchanged' }]);
  });

  it('reports a per-file problem without stopping the other files', async () => {
    const good = path.join(root, 'good.tf');
    const bad = path.join(root, 'bad.tf');
    writeFileSync(good, 'x = 1\n');
    writeFileSync(bad, 'y = 1\n');
    const snapshot = new DiskSnapshot(root);
    const plan = planFixes([replaceFix(bad, snapshot.readText(bad)!, '1', '2'), replaceFix(good, snapshot.readText(good)!, '1', '2')], snapshot);
    rmSync(bad);
    const report = await writePlan(plan, snapshot);
    expect(report.outcomes).toEqual([
      { kind: 'rewrite', path: bad, status: 'refused', reason: 'bad.tf was deleted since it was read' },
      { kind: 'rewrite', path: good, status: 'written' },
    ]);
    expect(readFileSync(good, 'utf8')).toBe('x = 2\n');
  });

  it('keeps the owner and group when running as root', async () => {
    if (process.getuid?.() !== 0) return;
    const file = path.join(root, 'owned.tf');
    writeFileSync(file, 'a = 1\n');
    chownSync(file, 1234, 5678);
    const snapshot = new DiskSnapshot(root);
    const fix = replaceFix(file, snapshot.readText(file)!, '1', '2');
    const report = await writePlan(planFixes([fix], snapshot), snapshot);
    expect(isFixWritten(fix, report)).toBe(true);
    expect([statSync(file).uid, statSync(file).gid]).toEqual([1234, 5678]);
    expect(readFileSync(file, 'utf8')).toBe('a = 2\n');
  });

  it('refuses to split a hard-linked file', async () => {
    const file = path.join(root, 'linked.tf');
    writeFileSync(file, 'a = 1\n');
    linkSync(file, path.join(root, 'other-name.tf'));
    const snapshot = new DiskSnapshot(root);
    const report = await writePlan(planFixes([replaceFix(file, snapshot.readText(file)!, '1', '2')], snapshot), snapshot);
    expect(report.outcomes).toEqual([
      { kind: 'rewrite', path: file, status: 'refused', reason: 'linked.tf has 2 hard links; replacing it atomically would split them' },
    ]);
    expect(readFileSync(path.join(root, 'other-name.tf'), 'utf8')).toBe('a = 1\n');
  });

  it('refuses a file that was never read through the snapshot', async () => {
    const file = path.join(root, 'unseen.tf');
    writeFileSync(file, 'a\n');
    const snapshot = new DiskSnapshot(root);
    const plan = { rewrites: [{ file, before: 'a\n', after: 'b\n' }], creates: [], directories: [], moves: [], applied: [], deferred: [], rejected: [] };
    const report = await writePlan(plan, snapshot);
    expect(report.outcomes).toEqual([
      { kind: 'rewrite', path: file, status: 'refused', reason: 'unseen.tf was not read, so it cannot be checked before writing' },
    ]);
    expect(readFileSync(file, 'utf8')).toBe('a\n');
  });

  it('never writes into the original inode: a reader holding it open still sees the old bytes', async () => {
    const file = path.join(root, 'main.tf');
    writeFileSync(file, 'old = 1\n');
    const inodeBefore = statSync(file).ino;
    const reader = openSync(file, 'r');
    try {
      const snapshot = new DiskSnapshot(root);
      await writePlan(planFixes([replaceFix(file, snapshot.readText(file)!, 'old = 1', 'new = 22')], snapshot), snapshot);
      const buffer = Buffer.alloc(64);
      const length = readSync(reader, buffer, 0, 64, 0);
      expect(buffer.subarray(0, length).toString()).toBe('old = 1\n');
      expect(statSync(file).ino).not.toBe(inodeBefore);
      expect(readFileSync(file, 'utf8')).toBe('new = 22\n');
    } finally {
      closeSync(reader);
    }
  });

  it('never rewrites a file whose bytes are not valid UTF-8', () => {
    const file = path.join(root, 'latin1.tf');
    writeFileSync(file, Buffer.from([0x61, 0x20, 0xe9, 0x0a]));
    const snapshot = new DiskSnapshot(root);
    expect(snapshot.fingerprintOf(file)).toBeUndefined();
    snapshot.readText(file);
    expect(snapshot.fingerprintOf(file)).toMatchObject({ size: 4, lossless: false });
    const plan = planFixes([{ description: 'x', safe: true, changes: [{ kind: 'text', file, start: 0, end: 1, text: 'b' }] }], snapshot);
    expect(plan.rejected.map((r) => r.reason)).toEqual(['latin1.tf is not valid UTF-8; rewriting it would corrupt it']);
    expect(plan.rewrites).toEqual([]);
  });
});
