import { chmodSync, copyFileSync, mkdirSync, readdirSync, symlinkSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { runHandshake, parseHandshakeLine } from '../../src/providers/handshake.js';
import { runHandshakes } from '../../src/providers/handshake-pool.js';
import { hashPackageDir } from '../../src/providers/dirhash.js';
import { buildGoTool, makeTempDir, pluginEnvironment, processesStartedUnder, zombieChildren } from '../support/providers.js';

const FAILED_TO_READ = "Unrecognized remote plugin message: \nFailed to read any lines from plugin's stdout";

let provider: string;
let workDir: string;
let tempRoot: string;

beforeAll(() => {
  provider = buildGoTool('provider');
  workDir = makeTempDir('handshake');
  tempRoot = makeTempDir('handshake-tmp');
});

afterEach(() => {
  expect(processesStartedUnder(tempRoot)).toEqual([]);
  expect(zombieChildren()).toEqual([]);
  expect(readdirSync(tempRoot)).toEqual([]);
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
  await rm(tempRoot, { recursive: true, force: true });
});

let counter = 0;
function copyProvider(mutate?: (path: string) => void): string {
  counter += 1;
  const dir = join(workDir, `pkg${counter}`);
  const path = join(dir, 'terraform-provider-tmdoctor_v1.0.0');
  mkdirSync(dir, { recursive: true });
  copyFileSync(provider, path);
  chmodSync(path, 0o755);
  mutate?.(path);
  return path;
}

function script(body: string): string {
  counter += 1;
  const dir = join(workDir, `script${counter}`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'terraform-provider-script');
  writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return path;
}


const options = () => ({ timeoutMs: 10_000, tempRoot });

describe('runHandshake against a real go-plugin server', () => {
  it('reads the handshake line of a healthy provider', async () => {
    const result = await runHandshake(copyProvider(), options());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.protocol).toBe(5);
    expect(result.network).toBe('unix');
    expect(result.address.startsWith(`${tempRoot}/tm-doctor-plugin-`)).toBe(true);
    expect(result.line).toBe(`1|5|unix|${result.address}|grpc|`);
  });

  it('gives the provider only the go-plugin variables, PATH, its temp dir and the run marker', async () => {
    const previous = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'must-not-leak';
    try {
      const executable = copyProvider();
      writeFileSync(`${executable}.env`, '');
      const result = await runHandshake(executable, { ...options(), path: '/usr/bin:/bin' });
      expect(result.ok).toBe(true);
      const dumped = readFileSync(`${executable}.env`, 'utf8').trim().split('\n').sort();
      const tempDir = result.ok ? result.address.slice(0, result.address.lastIndexOf('/')) : '';
      expect(dumped).toEqual(
        pluginEnvironment(tempDir),
      );
    } finally {
      if (previous === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = previous;
    }
  });

  it('reports a binary truncated to half as killed by a signal', async () => {
    const executable = copyProvider((path) => truncateSync(path, Math.floor(statSync(path).size / 2)));
    const result = await runHandshake(executable, options());
    expect(result).toMatchObject({ ok: false, cause: 'signal', signal: 'SIGSEGV', terraformWouldSay: FAILED_TO_READ });
  });

  it('reports a zero-byte file as ENOEXEC instead of letting /bin/sh run it', async () => {
    const executable = copyProvider((path) => truncateSync(path, 0));
    const result = await runHandshake(executable, options());
    expect(result).toEqual({
      ok: false,
      cause: 'spawn-error',
      errno: 'ENOEXEC',
      stderrTail: '',
      terraformWouldSay: `fork/exec ${executable}: exec format error`,
    });
  });

  it('reports a file without the exec bit as EACCES', async () => {
    const executable = copyProvider((path) => chmodSync(path, 0o644));
    const result = await runHandshake(executable, options());
    expect(result).toMatchObject({
      ok: false,
      cause: 'spawn-error',
      errno: 'EACCES',
      terraformWouldSay: `fork/exec ${executable}: permission denied`,
    });
  });

  it('reports a binary for another machine as ENOEXEC (not a shell syntax error)', async () => {
    const executable = copyProvider((path) => {
      const bytes = readFileSync(path);
      bytes.writeUInt16LE(183, 18); // e_machine = AArch64
      writeFileSync(path, bytes);
    });
    const result = await runHandshake(executable, options());
    expect(result).toMatchObject({ ok: false, cause: 'spawn-error', errno: 'ENOEXEC' });
  });

  it('still handshakes with one flipped data byte (only a checksum can tell)', async () => {
    const executable = copyProvider((path) => {
      const bytes = readFileSync(path);
      const at = bytes.indexOf('TM-DOCTOR-DATA-MARKER:');
      expect(at).toBeGreaterThan(0);
      bytes[at + 30] ^= 0x01;
      writeFileSync(path, bytes);
    });
    const result = await runHandshake(executable, options());
    expect(result).toMatchObject({ ok: true, protocol: 5, network: 'unix' });
    const lockedH1 = (await hashPackageDir(dirname(copyProvider()))).h1;
    const flippedH1 = (await hashPackageDir(dirname(executable))).h1;
    expect(flippedH1).toMatch(/^h1:[A-Za-z0-9+/]{43}=$/);
    expect(flippedH1).not.toBe(lockedH1);
  });

  it('times out on a provider that never prints, and kills its whole process group', async () => {
    const executable = script('sleep 300 &\nwhile :; do sleep 1; done');
    const started = Date.now();
    const result = await runHandshake(executable, { timeoutMs: 400, tempRoot });
    expect(result).toEqual({
      ok: false,
      cause: 'timeout',
      stderrTail: '',
      terraformWouldSay: 'timeout while waiting for plugin to start',
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('rejects a garbage line the way go-plugin does', async () => {
    const executable = script('echo "oops on stderr" >&2\necho hello\nsleep 300');
    const result = await runHandshake(executable, options());
    expect(result).toEqual({
      ok: false,
      cause: 'unrecognized-line',
      line: 'hello',
      stderrTail: 'oops on stderr\n',
      terraformWouldSay: 'Unrecognized remote plugin message: hello',
    });
  });

  it('reports an exit without output with its code and stderr', async () => {
    const result = await runHandshake(script('echo boom >&2\nexit 3'), options());
    expect(result).toEqual({ ok: false, cause: 'exit', exitCode: 3, stderrTail: 'boom\n', terraformWouldSay: FAILED_TO_READ });
  });

  it('never calls a silent exit 0 healthy', async () => {
    const result = await runHandshake(script('exit 0'), options());
    expect(result).toEqual({ ok: false, cause: 'no-line', exitCode: 0, stderrTail: '', terraformWouldSay: FAILED_TO_READ });
  });

  it('honours an abort signal and still cleans up', async () => {
    const controller = new AbortController();
    const pending = runHandshake(script('sleep 300'), { timeoutMs: 10_000, tempRoot, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 200);
    await expect(pending).rejects.toThrow('stop');
  });
});

describe('runHandshakes', () => {
  it('runs each distinct file once, however many paths lead to it', async () => {
    const executable = copyProvider();
    const links = [1, 2, 3].map((index) => {
      const link = join(workDir, `link${counter}-${index}`);
      symlinkSync(executable, link);
      return link;
    });
    const broken = copyProvider((path) => truncateSync(path, 0));
    const settled: number[] = [];
    const entries = await runHandshakes([...links, broken], {
      timeoutMs: 10_000,
      tempRoot,
      concurrency: 2,
      onSettled: (done) => settled.push(done),
    });
    expect(entries.map((entry) => entry.ran)).toEqual([true, false, false, true]);
    expect(entries.map((entry) => entry.result.ok)).toEqual([true, true, true, false]);
    expect(entries[1].result).toBe(entries[0].result);
    expect(settled).toEqual([1, 2]);
  });

  it('uses a stored result instead of running the file', async () => {
    const executable = copyProvider();
    const stored = parseHandshakeLine('1|6|unix|/nowhere|grpc|', '', 1);
    const entries = await runHandshakes([executable], { timeoutMs: 10_000, tempRoot, lookup: () => stored });
    expect(entries[0]).toMatchObject({ ran: false, fromLookup: true, result: stored });
  });
});

describe('parseHandshakeLine (go-plugin client checks)', () => {
  const cases: Array<[string, string | null]> = [
    ['1|5|unix|/tmp/plugin1|grpc|', null],
    ['1|6|tcp|127.0.0.1:10001|grpc', null],
    ['1|6|unix|/tmp/p|grpc|' + 'A'.repeat(60), null],
    ['1|5|unix', 'Unrecognized remote plugin message: 1|5|unix'],
    ['x|5|unix|/a|grpc', 'Error parsing core protocol version: strconv.Atoi: parsing "x": invalid syntax'],
    ['2|5|unix|/a|grpc', 'Incompatible core API version with plugin. Plugin version: 2, Core version: 1'],
    ['1|4|unix|/a|grpc', 'Incompatible API version with plugin. Plugin version: 4, Client versions: [5 6]'],
    ['1|5|udp|/a|grpc', 'Unknown address type: /a'],
    ['1|5|unix|/a', 'Unsupported plugin protocol "netrpc". Supported: [grpc]'],
    ['1|5|unix|/a|netrpc', 'Unsupported plugin protocol "netrpc". Supported: [grpc]'],
    ['1|5|tcp|nowhere|grpc', 'address nowhere: missing port in address'],
  ];
  for (const [line, error] of cases) {
    it(`${line.slice(0, 40)} -> ${error ?? 'ok'}`, () => {
      const result = parseHandshakeLine(`${line}\r`, '', 0);
      if (error === null) expect(result.ok).toBe(true);
      else expect(result).toMatchObject({ ok: false, cause: 'unrecognized-line', terraformWouldSay: error });
    });
  }
});
