import { chmodSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readBounded } from '../../src/util/bounded-read.js';
import { answerNow, noteUnrepeatable, recordDependencies, type Question } from '../../src/util/dependency-record.js';
import { existsSync, readdirSync, realpathSync, statSync } from '../../src/util/observed-fs.js';
import { tempDir } from '../support/project.js';

const LONG_AGO = new Date('2020-01-01T00:00:00Z');

/** A directory with a file and a link whose times lie outside the "just written" window. */
function settledTree(): { dir: string; file: string; link: string } {
  const dir = tempDir();
  const file = join(dir, 'Makefile');
  writeFileSync(file, 'init:\n\tterramate run -- terraform init\n');
  const link = join(dir, 'GNUmakefile');
  symlinkSync(file, link);
  return { dir, file, link };
}

/** Every recorded question whose answer differs now. */
function changed(answers: Map<string, string>): string[] {
  return [...answers].filter(([asked, answer]) => {
    const [question, path] = asked.split('\n');
    return answerNow(question as Question, path) !== answer;
  }).map(([asked]) => asked.replace('\n', ' '));
}

describe('dependency record', () => {
  it('records each question asked through observed-fs and bounded reads, answered the same again', () => {
    const { dir, file, link } = settledTree();
    // A start far ahead: no file counts as written just before the run.
    const { record, stop } = recordDependencies(Date.now() + 10_000_000);
    try {
      statSync(file);
      readdirSync(dir);
      existsSync(join(dir, 'absent'));
      realpathSync(link);
      expect(readBounded(link).ok).toBe(true);
      expect(readBounded(join(dir, 'missing.tm.hcl')).ok).toBe(false);
    } finally {
      stop();
    }
    expect([...record.answers.keys()].map((asked) => asked.replace(dir, 'DIR'))).toEqual([
      'stat\nDIR/Makefile',
      'list\nDIR',
      'exists\nDIR/absent',
      'realpath\nDIR/GNUmakefile',
      'read\nDIR/GNUmakefile',
      'read\nDIR/missing.tm.hcl',
    ]);
    expect(changed(record.answers)).toEqual([]);
  });

  it('tells every kind of change apart: content, mode, a new entry, a link moved, a file appearing', () => {
    const { dir, file, link } = settledTree();
    const other = join(dir, 'other.mk');
    writeFileSync(other, 'x:\n');
    const { record, stop } = recordDependencies();
    try {
      statSync(file);
      readdirSync(dir);
      realpathSync(link);
      readBounded(other);
      readBounded(join(dir, 'later.tm.hcl'));
    } finally {
      stop();
    }
    writeFileSync(file, 'init:\n\tterramate run -- terraform init\n'); // same bytes, new change time
    writeFileSync(join(dir, 'new.tm.hcl'), 'stack {}\n');
    const moved = join(dir, 'moved.mk');
    writeFileSync(moved, 'y:\n');
    rmSync(link);
    symlinkSync(moved, link);
    chmodSync(other, 0o600);
    writeFileSync(join(dir, 'later.tm.hcl'), 'stack {}\n');
    expect(changed(record.answers).map((asked) => asked.replace(dir, 'DIR'))).toEqual([
      'stat DIR/Makefile',
      'list DIR',
      'realpath DIR/GNUmakefile',
      'read DIR/other.mk',
      'read DIR/later.tm.hcl',
    ]);
  });

  it('marks a run unrepeatable when a file it read was written just before it, or changed during it', () => {
    const { file } = settledTree();
    utimesSync(file, LONG_AGO, LONG_AGO);
    const recent = recordDependencies(Date.now());
    readBounded(file); // its change time is the moment it was written: now
    recent.stop();
    expect(recent.record.unrepeatable).toEqual([`${file} changed just before the run`]);

    const settled = recordDependencies(Date.now() + 10_000_000);
    readBounded(file);
    settled.stop();
    expect(settled.record.unrepeatable).toEqual([]);

    const during = recordDependencies(Date.now() + 10_000_000);
    statSync(file);
    writeFileSync(file, 'changed\n');
    statSync(file);
    noteUnrepeatable('a provider timed out');
    during.stop();
    expect(during.record.unrepeatable).toEqual([`${file} changed during the run`, 'a provider timed out']);
  });
});
