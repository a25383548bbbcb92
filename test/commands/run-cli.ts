import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach } from '@jest/globals';

export const REPO = resolve(import.meta.dirname, '../..');
export const CLI = join(REPO, 'bin', 'run.js');
export const FIXTURES = join(REPO, 'fixtures');

const cleanups: string[] = [];
afterEach(() => {
  while (cleanups.length) rmSync(cleanups.pop() as string, { recursive: true, force: true });
});

/** A fresh temp directory (real path, so it compares equal to what the CLI reports), removed after the test. */
export function tempDir(prefix = 'tm-doctor-cli-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  cleanups.push(dir);
  return dir;
}

/**
 * The environment a test run gets: PATH and a temp HOME, nothing else. In particular no TF_*
 * variable of this machine and no DEBUG, so the real ~/.terraformrc never leaks in.
 */
export function scrubbedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ...extra };
}

/** A HOME whose ~/.terraformrc points at a plugin cache directory that exists. */
export function homeWithPluginCache(): string {
  const home = tempDir('tm-doctor-home-');
  const cache = join(home, '.terraform.d', 'plugin-cache');
  mkdirSync(cache, { recursive: true });
  writeFileSync(join(home, '.terraformrc'), `plugin_cache_dir = "${cache}"\n`);
  return home;
}

/** A HOME with no Terraform configuration at all. */
export function emptyHome(): string {
  return tempDir('tm-doctor-home-');
}

/** A copy of fixtures/NAME in a temp directory outside any git repository; returns its path. */
export function copyFixture(name: string): string {
  const dir = tempDir(`tm-doctor-${name}-`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  home?: string;
  env?: Record<string, string>;
  /** Run this executable instead of `node bin/run.js` (an installed tm-doctor). */
  command?: string;
}

/** Spawns the built CLI with a scrubbed environment; stdout and stderr are pipes (not a TTY). */
export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const home = options.home ?? emptyHome();
  const [file, fileArgs] = options.command ? [options.command, args] : [process.execPath, [CLI, ...args]];
  const result = spawnSync(file, fileArgs, {
    cwd: options.cwd ?? tempDir(),
    env: scrubbedEnv(home, options.env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** oclif wraps error messages at 80 columns behind ` ›   `; joins them back into one line each. */
export function unwrapOclifError(stderr: string): string {
  return stderr.replace(/[ \t]*\n ›[ \t]+/g, ' ').replace(/^ ›[ \t]+/gm, '');
}

/** True when text holds a Node stack frame (`    at fn (file:line:col)`). */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}

export const ANSI_ESCAPE = /\u001b\[/;
export const ANSI_COLOR = /\u001b\[[0-9;]*m/;
