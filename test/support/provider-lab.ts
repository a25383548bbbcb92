// A Terramate project whose stacks link (absolute symlinks, as `terraform init` makes them)
// into a plugin cache configured by `~/.terraformrc` in a temp HOME, with packages built from
// the real go-plugin test provider. Each package's executable is a symlink to a binary kept
// outside the package, so the files that steer and count the provider (`<binary>.runs`,
// `.env`, `.hang`, `.say`) never change the package's h1: hash.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { afterEach, expect } from '@jest/globals';

import { runDoctor, type DoctorOutcome, type FixRequest } from '../../src/engine/doctor.js';
import type { providerChecksum } from '../../src/rules/provider-checksum.js';
import type { providerHandshake } from '../../src/rules/provider-handshake.js';
import { buildGoTool, makeTempDir, processesStartedUnder, zombieChildren } from './providers.js';

export const VERSION = '1.0.0';
export const PLATFORM = 'linux_amd64';
export const HOST = 'registry.terraform.io';
export const NAMESPACE = 'hashicorp';
export const PROVIDER_RULES = ['provider-checksum', 'provider-handshake'];

export interface ProviderLab {
  base: string;
  root: string;
  home: string;
  cache: string;
  bins: string;
  /** TMPDIR for the run: every handshake's private directory is made (and must be removed) here. */
  tmp: string;
  env: Record<string, string>;
}

export function createLab(): ProviderLab {
  const base = makeTempDir('lab');
  const lab: ProviderLab = {
    base,
    root: join(base, 'project'),
    home: join(base, 'home'),
    cache: join(base, 'home/.terraform.d/plugin-cache'),
    bins: join(base, 'bins'),
    tmp: join(base, 'tmp'),
    env: {},
  };
  for (const dir of [lab.root, lab.cache, lab.bins, lab.tmp]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(lab.home, '.terraformrc'), `plugin_cache_dir = "${lab.cache}"\n`);
  writeFileSync(join(lab.root, 'terramate.tm.hcl'), 'terramate {\n  required_version = ">= 0.9"\n}\n');
  lab.env = { PATH: '/usr/bin:/bin', HOME: lab.home, TMPDIR: lab.tmp, XDG_CACHE_HOME: join(base, 'xdg-cache') };
  // Every test that builds a lab proves it left nothing running or lying around.
  labsToCheck.push(lab);
  return lab;
}

// The labs made by the running test: checked and removed once it has finished (after the test
// file's own afterEach hooks, which run before this top-level one). A failed check fails the test.
const labsToCheck: ProviderLab[] = [];
afterEach(() => {
  const labs = labsToCheck.splice(0);
  let failure: unknown;
  for (const lab of labs) {
    try {
      expectNothingLeft(lab);
    } catch (error) {
      failure ??= error;
    } finally {
      removeLab(lab);
    }
  }
  if (failure !== undefined) throw failure;
});

function removeLab(lab: ProviderLab): void {
  rmSync(lab.base, { recursive: true, force: true });
}

/** A copy of the test provider in `bins/`, optionally damaged; its starts are counted. */
export function addBinary(lab: ProviderLab, name: string, mutate?: (path: string) => void): string {
  const path = join(lab.bins, name);
  copyFileSync(buildGoTool('provider'), path);
  chmodSync(path, 0o755);
  writeFileSync(`${path}.runs`, '');
  mutate?.(path);
  return path;
}

/** How many times the binary was started. */
export function runsOf(binary: string): number {
  return readFileSync(`${binary}.runs`, 'utf8').split('\n').filter((line) => line !== '').length;
}

export function packageDirIn(base: string, type: string): string {
  return join(base, HOST, NAMESPACE, type, VERSION, PLATFORM);
}

export function executableName(type: string): string {
  return `terraform-provider-${type}_v${VERSION}_x5`;
}

/** A package in the plugin cache whose executable leads to `binary`. */
export function addPackage(lab: ProviderLab, type: string, binary: string): string {
  const dir = packageDirIn(lab.cache, type);
  mkdirSync(dir, { recursive: true });
  symlinkSync(binary, join(dir, executableName(type)));
  return dir;
}

/** The h1: of a healthy package of this type (same layout, undamaged provider). */
export function healthyH1(lab: ProviderLab, type: string): string {
  const dir = packageDirIn(join(lab.base, 'reference'), type);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(buildGoTool('provider'), join(dir, executableName(type)));
  }
  return goH1(dir);
}

/** Terraform's own h1: computation (Go's dirhash.HashDir after EvalSymlinks). */
export function goH1(dir: string): string {
  const line = execFileSync(buildGoTool('dirhash'), [dir], { encoding: 'utf8' }).trim();
  if (!line.startsWith('h1:')) throw new Error(`go dirhash failed: ${line}`);
  return line;
}

export interface StackProvider {
  type: string;
  /** The package the stack's `.terraform/providers/...` link points at. */
  packageDir: string;
  /** What the lock file records; null writes no entry. */
  hashes: string[] | null;
}

/** A stack with a lock file and links into the cache, as a serial `terraform init` leaves it. */
export function addStack(lab: ProviderLab, name: string, providers: StackProvider[]): string {
  const dir = join(lab.root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'stack.tm.hcl'), 'stack {}\n');
  writeFileSync(join(dir, 'main.tf'), 'terraform {}\n');
  const entries: string[] = [];
  for (const provider of providers) {
    const link = packageDirIn(join(dir, '.terraform/providers'), provider.type);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(provider.packageDir, link);
    if (provider.hashes === null) continue;
    const hashes = provider.hashes.map((hash) => `    "${hash}",\n`).join('');
    entries.push(`provider "${HOST}/${NAMESPACE}/${provider.type}" {\n  version = "${VERSION}"\n  hashes = [\n${hashes}  ]\n}\n`);
  }
  writeFileSync(join(dir, '.terraform.lock.hcl'), `# This file is maintained automatically by "terraform init".\n\n${entries.join('\n')}`);
  return dir;
}

export interface LabRun {
  noExec?: boolean;
  timeoutMs?: number;
  noCache?: boolean;
  fix?: FixRequest;
  env?: Record<string, string>;
}

/** The engine with only the provider rules, as `tm-doctor check` runs it. */
export function runProviderRules(lab: ProviderLab, run: LabRun = {}): Promise<DoctorOutcome> {
  return runDoctor(
    {
      dir: lab.root,
      env: { ...lab.env, ...run.env },
      only: PROVIDER_RULES,
      options: {
        noExec: run.noExec ?? false,
        handshakeTimeoutMs: run.timeoutMs ?? 10_000,
        noCache: run.noCache ?? true,
        unsafeFixes: run.fix?.unsafe,
      },
    },
    run.fix,
  );
}

/** No provider still running, none unreaped, no socket or temp directory left behind. */
export function expectNothingLeft(lab: ProviderLab): void {
  expect(processesStartedUnder(lab.tmp)).toEqual([]);
  expect(zombieChildren()).toEqual([]);
  expect(readdirSync(lab.tmp)).toEqual([]);
}

export interface LabFinding {
  ruleId: string;
  /** What the finding says, as the rule's message id: stable, unlike the wording. */
  messageId: string;
  file: string | null;
  line: number | null;
  /** The message arguments, the lab's temp base shown as `<lab>`. */
  data: Record<string, string | number>;
}

/**
 * Findings keyed on message ids (never on wording): paths relative to the lab's project, the
 * lab's temp base in message arguments shown as `<lab>`.
 */
export function labFindings(lab: ProviderLab, outcome: DoctorOutcome): LabFinding[] {
  return outcome.findings.map((finding) => ({
    ruleId: finding.ruleId,
    messageId: finding.messageId,
    file: finding.location ? relative(lab.root, finding.location.file).split(sep).join('/') : null,
    line: finding.location?.range?.line ?? null,
    data: Object.fromEntries(
      Object.entries(finding.data).map(([key, value]) => [key, typeof value === 'string' ? value.split(lab.base).join('<lab>') : value]),
    ),
  }));
}

type ChecksumMessageId = keyof typeof providerChecksum.meta.messages & string;
type HandshakeMessageId = keyof typeof providerHandshake.meta.messages & string;
type ExpectedData = Readonly<Record<string, string | number>>;

/** A provider-checksum finding as `labFindings` shows it: message id, place, and the arguments that matter. */
export function checksumFinding(messageId: ChecksumMessageId, file: string | null, line: number | null, data: ExpectedData = {}) {
  return { ruleId: 'provider-checksum', messageId, file, line, data: expect.objectContaining(data) };
}

/** A provider-handshake finding as `labFindings` shows it: message id, place, and the arguments that matter. */
export function handshakeFinding(messageId: HandshakeMessageId, file: string | null, line: number | null, data: ExpectedData = {}) {
  return { ruleId: 'provider-handshake', messageId, file, line, data: expect.objectContaining(data) };
}
