import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../commands/run-cli.js';

/**
 * Copies the working tree of this repository (tracked and untracked files, minus what
 * .gitignore excludes: node_modules, dist) to `dest`, as a checkout or clone would see it once
 * the current changes are committed.
 */
export function copyWorkingTree(dest: string): void {
  const listing = execFileSync('git', ['-C', REPO, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' });
  for (const path of listing.split('\0')) {
    if (!path || !existsSync(join(REPO, path))) continue; // deleted but still in the index
    mkdirSync(dirname(join(dest, path)), { recursive: true });
    copyFileSync(join(REPO, path), join(dest, path));
  }
}

/** A temp directory that outlives single tests (the caller removes it in afterAll). */
export function suiteTempDir(prefix: string): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

const GIT_IDENTITY = ['-c', 'user.name=tm-doctor tests', '-c', 'user.email=tests@tm-doctor.invalid', '-c', 'commit.gpgsign=false'];

/** `git init` + commit everything in `dir`; returns the commit id. */
export function commitAll(dir: string): string {
  const git = (...args: string[]) =>
    execFileSync('git', [...GIT_IDENTITY, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' } });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'snapshot');
  return git('rev-parse', 'HEAD').trim();
}

let networkEnv: Record<string, string> | undefined;

/**
 * What npm needs to reach its registry from a process whose HOME is a temp directory: this
 * machine's cache, CA file and registry (read through npm itself) and any proxy variables.
 * Nothing Terraform reads is included.
 */
export function npmNetworkEnv(): Record<string, string> {
  if (networkEnv) return networkEnv;
  const env: Record<string, string> = {};
  const settings = execFileSync('npm', ['config', 'get', 'cache', 'cafile', 'registry'], { encoding: 'utf8' });
  for (const line of settings.split('\n')) {
    const match = /^(cache|cafile|registry)=(.*)$/.exec(line.trim());
    if (match && match[2] !== 'null' && match[2] !== 'undefined' && match[2] !== '') env[`npm_config_${match[1]}`] = match[2];
  }
  for (const name of ['NODE_EXTRA_CA_CERTS', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  networkEnv = env;
  return env;
}

/** True when `command` is on PATH. */
export function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}
