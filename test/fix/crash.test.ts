// A write killed at any moment must leave the original untouched: the temp file is the only
// trace, and the next run removes it once its owner is gone.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { planFixes } from '../../src/fix/plan.js';
import { DiskSnapshot } from '../../src/analysis/snapshot.js';
import { removeStaleTemps, writePlan } from '../../src/fix/write.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let work: string;
let driver: string;

/** The child runs the real writer: transpile src/fix (and types) to plain JS once. */
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'tm-doctor-crash-'));
  const out = path.join(work, 'build');
  // The writer and planner with every module they import, followed through relative imports.
  const pending = ['src/fix/plan.ts', 'src/fix/write.ts', 'src/analysis/snapshot.ts'];
  const done = new Set<string>();
  while (pending.length > 0) {
    const source = pending.pop() as string;
    if (done.has(source)) continue;
    done.add(source);
    const text = readFileSync(path.join(repoRoot, source), 'utf8');
    for (const [, specifier] of text.matchAll(/from '(\.\.?\/[^']+)\.js'/g)) {
      pending.push(path.posix.join(path.posix.dirname(source), `${specifier}.ts`));
    }
    const { outputText } = ts.transpileModule(text, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    const target = path.join(out, source.replace(/\.ts$/, '.js'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, outputText);
  }
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}');
  driver = path.join(out, 'driver.js');
  writeFileSync(
    driver,
    `import path from 'node:path';
import { DiskSnapshot } from './src/analysis/snapshot.js';
import { planFixes } from './src/fix/plan.js';
import { writePlan } from './src/fix/write.js';
const [file, size, pause] = process.argv.slice(2);
const snapshot = new DiskSnapshot(path.dirname(file));
const text = snapshot.readText(file);
const plan = planFixes([{ description: 'grow', safe: true, changes: [{ kind: 'text', file, start: 0, end: text.length, text: 'X'.repeat(Number(size)) }] }], snapshot);
setInterval(() => {}, 1000);
const hooks = pause === 'pause' ? { beforeRename: async (temp) => { process.stdout.write('PAUSED ' + temp + '\\n'); await new Promise(() => {}); } } : {};
await writePlan(plan, snapshot, { hooks });
process.stdout.write('DONE\\n');
process.exit(0);
`,
  );
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

function exited(child: ChildProcess): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
}

function temps(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.includes('.tm-doctor-'));
}

describe('a write killed midway', () => {
  it('SIGKILL after the temp file is complete but before the rename leaves the original intact', async () => {
    const dir = mkdtempSync(path.join(work, 'paused-'));
    const file = path.join(dir, 'main.tf');
    const original = Buffer.from('terraform {\r\n\trequired_version = "1.5"\r\n}\r\n');
    writeFileSync(file, original);
    const child = spawn(process.execPath, [driver, file, String(4 * 1024 * 1024), 'pause'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const done = exited(child);
    const paused = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const match = /PAUSED (.+)\n/.exec(seen);
        if (match) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`child exited before pausing: ${seen}`)));
    });
    expect(readFileSync(paused).length).toBe(4 * 1024 * 1024);
    child.kill('SIGKILL');
    expect(await done).toBe('SIGKILL');

    expect(readFileSync(file).equals(original)).toBe(true);
    expect(temps(dir)).toEqual([path.basename(paused)]);
    expect(path.basename(paused)).toMatch(new RegExp(`^\\.main\\.tf\\.tm-doctor-${child.pid}-[0-9a-f]{8}$`));

    // The next run cleans up what the dead process left, then writes normally.
    const snapshot = new DiskSnapshot(dir);
    const text = snapshot.readText(file)!;
    const report = await writePlan(planFixes([{ description: 'v', safe: true, changes: [{ kind: 'text', file, start: 0, end: text.length, text: 'ok\n' }] }], snapshot), snapshot);
    expect(report.ok).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('ok\n');
    expect(temps(dir)).toEqual([]);
  });

  it('SIGKILL while a 200 MB temp file is being written never leaves a partial original', async () => {
    const dir = mkdtempSync(path.join(work, 'racing-'));
    const file = path.join(dir, 'big.tf');
    const original = Buffer.from('small = "original"\n');
    writeFileSync(file, original);
    const size = 200 * 1024 * 1024;
    const child = spawn(process.execPath, [driver, file, String(size), 'run'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const done = exited(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Kill the moment the temp file shows up in the directory.
    const watcher = watch(dir, (_event, name) => {
      if (name !== null && name.includes('.tm-doctor-')) child.kill('SIGKILL');
    });
    const signal = await done;
    watcher.close();

    const after = readFileSync(file);
    const intact = after.equals(original);
    // On a very fast disk the writer may finish first; then the file must be whole.
    const complete = after.length === size && after[0] === 0x58 && after[size - 1] === 0x58;
    expect(intact || complete).toBe(true);
    if (intact) {
      expect(signal).toBe('SIGKILL');
      expect(output).toBe('');
      const left = temps(dir);
      expect(left.every((name) => name.startsWith(`.big.tf.tm-doctor-${child.pid}-`))).toBe(true);
      expect(await removeStaleTemps(dir, 'big.tf')).toEqual(left.map((name) => path.join(dir, name)));
      expect(temps(dir)).toEqual([]);
    }
  });
});
