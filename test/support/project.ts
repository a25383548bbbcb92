import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { afterEach } from '@jest/globals';
import { runDoctor, type DoctorOutcome, type FixRequest } from '../../src/engine/doctor.js';
import type { Finding } from '../../src/types.js';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures');

const cleanups: string[] = [];
afterEach(() => {
  while (cleanups.length) rmSync(cleanups.pop() as string, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the test. */
export function tempDir(prefix = 'tm-doctor-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(dir);
  return dir;
}

export type FileTree = Record<string, string | { text: string; mode?: number } | { symlink: string }>;

/** Writes `files` (relative path -> content) under `dir`. */
export function writeTree(dir: string, files: FileTree): void {
  for (const [path, content] of Object.entries(files)) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    if (typeof content === 'string') writeFileSync(target, content);
    else if ('symlink' in content) symlinkSync(content.symlink, target);
    else {
      writeFileSync(target, content.text);
      if (content.mode !== undefined) chmodSync(target, content.mode);
    }
  }
}

/** A copy of a fixture directory in a temp dir (outside any git repository). */
export function copyFixture(name: string): string {
  const dir = join(tempDir(), name);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export interface CheckOptions {
  env?: Record<string, string>;
  rules?: string[];
  fix?: FixRequest;
  /** A home directory for the run; an empty temp dir when not given. */
  home?: string;
  noExec?: boolean;
}

/** The engine run as the CLI runs it, with an environment that owes nothing to the machine. */
export async function check(dir: string, options: CheckOptions = {}): Promise<DoctorOutcome> {
  const home = options.home ?? tempDir('tm-doctor-home-');
  return runDoctor(
    {
      dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...options.env },
      only: options.rules,
      options: { noExec: options.noExec ?? true, handshakeTimeoutMs: 10_000, noCache: true, unsafeFixes: options.fix?.unsafe },
    },
    options.fix,
  );
}

export interface Brief {
  ruleId: string;
  file: string | null;
  line: number | null;
  message: string;
}

/** Findings as (rule, file relative to `dir`, line, message): what tests assert. */
export function brief(findings: Finding[], dir: string): Brief[] {
  return findings.map((finding) => ({
    ruleId: finding.ruleId,
    file: finding.location ? relative(dir, finding.location.file).split(sep).join('/') : null,
    line: finding.location?.range?.line ?? null,
    message: finding.message,
  }));
}

/** Runs one rule over a tree of files and returns its findings, briefly. */
export async function checkTree(files: FileTree, options: CheckOptions & { rule: string }): Promise<Brief[]> {
  const dir = tempDir();
  writeTree(dir, files);
  const outcome = await check(dir, { ...options, rules: [options.rule] });
  return brief(outcome.findings, dir);
}

export function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}
