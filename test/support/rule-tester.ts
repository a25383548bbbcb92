// Rule tests as specifications, in the style of typescript-eslint's RuleTester and tflint's
// helper: a map of file name to content in; for `valid` cases no finding, for `invalid` cases
// the exact findings (message id, file, line) and, where the rule fixes, the files after --fix.
// One rule runs in-process through the engine (no CLI is spawned) on a temporary tree on the
// real file system, with an environment that owes nothing to the machine.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { runDoctor, type DoctorOutcome } from '../../src/engine/doctor.js';
import { MAX_MESSAGE_LENGTH, type Rule } from '../../src/rules/framework/create-rule.js';
import { rules } from '../../src/rules/index.js';
import type { Finding, Severity } from '../../src/types.js';
import { writeTree, type FileTree } from './project.js';

/** Absolute paths a case can name in file contents and env values: replaced before the run. */
export const ROOT = '<ROOT>';
export const HOME = '<HOME>';

export interface CaseDirs {
  root: string;
  home: string;
}

export interface ValidCase {
  name: string;
  /** The project: path relative to the project root -> content (`<ROOT>`/`<HOME>` expanded). */
  files: FileTree;
  /** The user's home directory (`~/.terraformrc`, ...). */
  home?: FileTree;
  /** Added to `PATH` and `HOME` (values may use `<ROOT>`/`<HOME>`). */
  env?: Record<string, string>;
  /** The directory checked, relative to the root; the root when not given. */
  dir?: string;
  /** Let provider binaries run (default: --no-exec). */
  exec?: boolean;
  /** Builds what a file map cannot hold (provider binaries, links) after the files are written. */
  setup?: (dirs: CaseDirs) => void | Promise<void>;
}

export interface ExpectedFinding<MessageId extends string> {
  messageId: MessageId;
  /** Relative to the root with `/`, `~/...` inside the home directory, null for no file. */
  file: string | null;
  line: number | null;
  /** Checked when given: the message arguments that matter to the case. */
  data?: Readonly<Record<string, string | number>>;
  severity?: Severity;
  /** Checked when given: the related places, in order, by label id, file and line. */
  related?: Array<{ messageId: string; file: string; line: number | null }>;
  /** Checked when given: the help sentences' template ids, in order. */
  help?: string[];
}

export interface InvalidCase<MessageId extends string> extends ValidCase {
  errors: Array<ExpectedFinding<MessageId>>;
  /**
   * After `--fix` (with `--unsafe-fixes` when `unsafe`): each named file's full content
   * (`~/` for the home directory; null = must not exist). A fixable case also proves that a
   * second --fix changes nothing.
   */
  output?: Record<string, string | null>;
  unsafe?: boolean;
  /** The rule's findings left after the fix, when some cannot be fixed (default: none). */
  remaining?: Array<ExpectedFinding<MessageId>>;
}

export interface RuleCases<MessageId extends string> {
  valid: ValidCase[];
  invalid: Array<InvalidCase<MessageId>>;
}

function expand(text: string, dirs: CaseDirs): string {
  return text.split(ROOT).join(dirs.root).split(HOME).join(dirs.home);
}

function expandTree(tree: FileTree, dirs: CaseDirs): FileTree {
  return Object.fromEntries(
    Object.entries(tree).map(([path, content]) => {
      if (typeof content === 'string') return [path, expand(content, dirs)];
      if ('symlink' in content) return [path, { symlink: expand(content.symlink, dirs) }];
      return [path, { ...content, text: expand(content.text, dirs) }];
    }),
  );
}

/** A finding's file as cases name it. */
function caseFile(file: string, dirs: CaseDirs): string {
  const inside = (base: string) => {
    const rel = relative(base, file);
    return rel !== '' && !rel.startsWith('..') ? rel.split(sep).join('/') : null;
  };
  const inHome = inside(dirs.home);
  if (inHome !== null) return `~/${inHome}`;
  return inside(dirs.root) ?? file;
}

function casePath(name: string, dirs: CaseDirs): string {
  return name.startsWith('~/') ? join(dirs.home, name.slice(2)) : join(dirs.root, name);
}

interface Actual {
  messageId: string;
  file: string | null;
  line: number | null;
  data?: Readonly<Record<string, string | number>>;
  severity?: Severity;
  related?: Array<{ messageId: string; file: string; line: number | null }>;
  help?: string[];
}

function actualFindings(findings: Finding[], dirs: CaseDirs, expected: ReadonlyArray<ExpectedFinding<string>>): Actual[] {
  return findings.map((finding, index) => {
    const want = expected[index];
    const actual: Actual = {
      messageId: finding.messageId,
      file: finding.location ? caseFile(finding.location.file, dirs) : null,
      line: finding.location?.range?.line ?? null,
    };
    // Only the arguments a case names are compared: the others are wording.
    if (want?.data) actual.data = Object.fromEntries(Object.keys(want.data).map((key) => [key, finding.data[key]]));
    if (want?.severity) actual.severity = finding.severity;
    if (want?.help) actual.help = finding.helpIds;
    if (want?.related) {
      actual.related = finding.related.map((entry) => ({ messageId: entry.messageId, file: caseFile(entry.location.file, dirs), line: entry.location.range?.line ?? null }));
    }
    return actual;
  });
}

function expectedFindings(expected: ReadonlyArray<ExpectedFinding<string>>, dirs: CaseDirs): Actual[] {
  return expected.map((want) => ({ ...want, ...(want.data ? { data: Object.fromEntries(Object.entries(want.data).map(([key, value]) => [key, typeof value === 'string' ? expand(value, dirs) : value])) } : {}) }));
}

async function withCase<T>(testCase: ValidCase, work: (dirs: CaseDirs, run: (fix?: { unsafe?: boolean }) => Promise<DoctorOutcome>) => Promise<T>, rule: Rule): Promise<T> {
  const base = mkdtempSync(join(tmpdir(), 'tm-doctor-rule-'));
  const dirs = { root: join(base, 'project'), home: join(base, 'home') };
  try {
    mkdirSync(dirs.root);
    mkdirSync(dirs.home);
    writeTree(dirs.root, expandTree(testCase.files, dirs));
    writeTree(dirs.home, expandTree(testCase.home ?? {}, dirs));
    await testCase.setup?.(dirs);
    const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dirs.home };
    for (const [name, value] of Object.entries(testCase.env ?? {})) env[name] = expand(value, dirs);
    const run = (fix?: { unsafe?: boolean }) =>
      runDoctor(
        {
          dir: join(dirs.root, testCase.dir ?? ''),
          env,
          only: [rule.meta.id],
          options: { noExec: !testCase.exec, handshakeTimeoutMs: 30_000, noCache: true, unsafeFixes: fix?.unsafe },
        },
        fix ? { fix: true, unsafe: fix.unsafe } : {},
      );
    return await work(dirs, run);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

/** What every finding of every rule owes its reader, whatever the case. */
function expectWellWorded(findings: Finding[]): void {
  for (const finding of findings) {
    const problems: string[] = [];
    if (finding.message.length > MAX_MESSAGE_LENGTH) problems.push(`message longer than ${MAX_MESSAGE_LENGTH} characters`);
    if (/[\r\n]/.test(finding.message)) problems.push('message on several lines');
    if (finding.help.trim() === '') problems.push('no help');
    expect({ messageId: finding.messageId, message: finding.message, problems }).toEqual({ messageId: finding.messageId, message: finding.message, problems: [] });
  }
}

function readOrNull(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** Registers one jest test per case under `describe(rule id)`. */
export function runRuleTests<Messages extends Readonly<Record<string, string>>>(rule: Rule<Messages>, cases: RuleCases<keyof Messages & string>): void {
  if (!rules.includes(rule as unknown as Rule)) throw new Error(`${rule.meta.id} is not registered in src/rules/index.ts`);
  describe(rule.meta.id, () => {
    describe('valid', () => {
      for (const testCase of cases.valid) {
        it(testCase.name, async () => {
          await withCase(
            testCase,
            async (dirs, run) => {
              const outcome = await run();
              expectWellWorded(outcome.findings);
              expect(actualFindings(outcome.findings, dirs, [])).toEqual([]);
            },
            rule,
          );
        });
      }
    });
    describe('invalid', () => {
      for (const testCase of cases.invalid) {
        it(testCase.name, async () => {
          await withCase(
            testCase,
            async (dirs, run) => {
              const outcome = await run();
              expectWellWorded(outcome.findings);
              expect(actualFindings(outcome.findings, dirs, testCase.errors)).toEqual(expectedFindings(testCase.errors, dirs));
              if (!testCase.output) return;
              const fixed = await run({ unsafe: testCase.unsafe });
              const remaining = fixed.findings.filter((finding) => !finding.fixed);
              const expectedRemaining = testCase.remaining ?? [];
              expect(actualFindings(remaining, dirs, expectedRemaining)).toEqual(expectedFindings(expectedRemaining, dirs));
              const files = Object.fromEntries(Object.keys(testCase.output).map((name) => [name, readOrNull(casePath(name, dirs))]));
              const wanted = Object.fromEntries(Object.entries(testCase.output).map(([name, text]) => [name, text === null ? null : expand(text, dirs)]));
              expect(files).toEqual(wanted);
              // A second --fix finds nothing more to do.
              const again = await run({ unsafe: testCase.unsafe });
              expect(again.findings.filter((finding) => finding.fixed)).toEqual([]);
              expect(Object.fromEntries(Object.keys(testCase.output).map((name) => [name, readOrNull(casePath(name, dirs))]))).toEqual(wanted);
            },
            rule,
          );
        });
      }
    });
  });
}
