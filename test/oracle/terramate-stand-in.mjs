#!/usr/bin/env node
// A stand-in for `terramate run`, for the race oracle (the real Terramate cannot be installed
// here). The oracle puts it on PATH as `terramate`, so Makefiles like fixtures/seed-blog/Makefile
// launch their inits through it the way they would through Terramate.
//
// What it does, modelled on Terramate's CLI (flag rules as in src/parsers/terramate-cli.ts):
// - `terramate --version` / `terramate version` print 0.14.0.
// - `terramate [global flags] run [flags] [--] CMD ARGS...`: the first positional word starts
//   the command and everything after it belongs to the command; `--` also ends the flags.
//   Flags: -C/--chdir DIR, --tags LIST, --no-tags LIST, --parallel/-j N (`--parallel N`,
//   `--parallel=N`, `-j N`, `-jN`; env TM_ARG_RUN_PARALLEL; a value is required, as in
//   Terramate since March 2024), --no-recursive (env TM_ARG_RUN_NO_RECURSIVE),
//   --continue-on-error (env TM_ARG_RUN_CONTINUE_ON_ERROR), --reverse (env TM_ARG_RUN_REVERSE),
//   --dry-run; accepted and ignored: --enable-sharing, --mock-on-fail, --changed/-c, --quiet
//   (also silences the stand-in's own "Entering stack" lines), --verbose/-v,
//   --disable-safeguards LIST, -X, --disable-check-git-untracked, --disable-check-git-uncommitted,
//   --log-level/--log-fmt/--log-destination V. Bool flags take `--flag=true|false` too.
//   Any other flag: exit 2.
// - Root: the top-most directory, from the chdir directory upwards, holding a `terramate.tm.hcl`;
//   else the git top level; else the chdir directory.
// - Stacks: directories at or under the chdir directory (only the chdir directory itself with
//   --no-recursive) holding a `*.tm` or `*.tm.hcl` file with a top-level `stack { }` block;
//   directories starting with `.` or holding a `.tmskip` file are skipped. Tags from
//   `tags = [..]` in that block. `--tags a:b,c` keeps stacks tagged (a and b) or c; `--no-tags`
//   drops stacks with any of the listed tags. Order: sorted by path (reversed with --reverse).
// - Run environment: the process environment, overridden by every `terramate { config { run {
//   env { NAME = "..." } } } }` in the root's `*.tm`/`*.tm.hcl` files. Values must be single
//   string literals; `${terramate.root.path.fs.absolute}`, `${terramate.stack.path.absolute}`,
//   `${terramate.stack.name}` and `${env.NAME}` are interpolated (`$${` is a literal `${`).
//   Anything else (functions, globals, lists) makes it exit 1 rather than guess.
// - Parallelism: a worker pool of N (xargs -P style: the next stack starts as soon as one
//   ends, so starts are staggered); N <= 1 runs one stack at a time. cwd = the stack directory.
//   After a failure no new stack starts unless --continue-on-error; running ones finish.
//   Children's stdout passes through; stderr passes through and is captured.
// - TM_STAND_IN_LOG=FILE: at exit, one JSON line per stack is appended:
//   {stack, dir, exitCode, signal, skipped, durationMs, stderr} (stderr capped at ~4 KiB: the
//   first 3 KiB and the last 1 KiB). Exit status 1 if any stack failed, else 0.
//
// What it does NOT do: dependency ordering (after/before), change detection (--changed runs
// every stack), git safeguards, code generation or its checks, output sharing (--enable-sharing
// and --mock-on-fail are ignored: no `terraform output` runs first), globals, lets, functions,
// scripts, workflows, Terramate Cloud, stack-level config, and Terramate's exact log format.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

export const STAND_IN_VERSION = '0.14.0';
const STDERR_HEAD = 3072;
const STDERR_TAIL = 1024;

class UsageError extends Error {}

/**
 * @typedef {object} RunOptions
 * @property {string | null} chdir
 * @property {string[]} tags
 * @property {string[]} noTags
 * @property {number} parallel
 * @property {boolean} noRecursive
 * @property {boolean} continueOnError
 * @property {boolean} reverse
 * @property {boolean} dryRun
 * @property {boolean} quiet
 * @property {string[]} command
 */

/**
 * @typedef {object} ParsedArgs
 * @property {'version' | 'run' | 'help'} action
 * @property {RunOptions} options
 */

/** @type {Record<string, {kind: 'bool' | 'string' | 'int' | 'list', short?: string, run?: boolean, env?: string, ignored?: boolean}>} */
const FLAGS = {
  version: { kind: 'bool' },
  help: { kind: 'bool', short: 'h' },
  chdir: { kind: 'string', short: 'C' },
  tags: { kind: 'list' },
  'no-tags': { kind: 'list' },
  changed: { kind: 'bool', short: 'c', ignored: true },
  quiet: { kind: 'bool' },
  verbose: { kind: 'bool', short: 'v', ignored: true },
  'log-level': { kind: 'string', ignored: true },
  'log-fmt': { kind: 'string', ignored: true },
  'log-destination': { kind: 'string', ignored: true },
  'disable-check-git-untracked': { kind: 'bool', ignored: true },
  'disable-check-git-uncommitted': { kind: 'bool', ignored: true },
  parallel: { kind: 'int', short: 'j', run: true, env: 'TM_ARG_RUN_PARALLEL' },
  'no-recursive': { kind: 'bool', run: true, env: 'TM_ARG_RUN_NO_RECURSIVE' },
  'continue-on-error': { kind: 'bool', run: true, env: 'TM_ARG_RUN_CONTINUE_ON_ERROR' },
  reverse: { kind: 'bool', run: true, env: 'TM_ARG_RUN_REVERSE' },
  'dry-run': { kind: 'bool', run: true },
  'enable-sharing': { kind: 'bool', run: true, ignored: true },
  'mock-on-fail': { kind: 'bool', run: true, ignored: true },
  'disable-safeguards': { kind: 'list', run: true, ignored: true },
  'disable-safeguards=all': { kind: 'bool', short: 'X', run: true, ignored: true },
};
const SHORT = new Map(Object.entries(FLAGS).flatMap(([name, spec]) => (spec.short ? [[spec.short, name]] : [])));

/**
 * @param {string} flag
 * @param {string} value
 * @returns {boolean}
 */
function parseBool(flag, value) {
  const lower = value.toLowerCase();
  if (['true', '1', 'yes'].includes(lower)) return true;
  if (['false', '0', 'no'].includes(lower)) return false;
  throw new UsageError(`--${flag}: bool value must be true, 1, yes, false, 0 or no but got "${value}"`);
}

/**
 * @param {string} value
 * @returns {number}
 */
function parseInt64(value) {
  if (!/^[+-]?[0-9]+$/.test(value)) throw new UsageError(`--parallel: expected a valid 64 bit int but got "${value}"`);
  return Number.parseInt(value, 10);
}

/**
 * Parses a `terramate` argv (without the executable) the way the stand-in understands it.
 * @param {readonly string[]} argv
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {ParsedArgs}
 */
export function parseArgs(argv, env = process.env) {
  /** @type {RunOptions} */
  const options = {
    chdir: null,
    tags: [],
    noTags: [],
    parallel: 0,
    noRecursive: false,
    continueOnError: false,
    reverse: false,
    dryRun: false,
    quiet: false,
    command: [],
  };
  /** @type {Set<string>} */
  const fromFlags = new Set();
  let subcommand = null;
  let wantVersion = false;
  let wantHelp = false;

  /**
   * @param {string} name
   * @param {string | undefined} value  undefined for a bare bool flag
   */
  const apply = (name, value) => {
    const spec = FLAGS[name];
    fromFlags.add(name);
    if (spec.kind === 'bool') {
      const on = value === undefined ? true : parseBool(name, value);
      if (name === 'version') wantVersion = on;
      else if (name === 'help') wantHelp = on;
      else if (name === 'quiet') options.quiet = on;
      else if (name === 'no-recursive') options.noRecursive = on;
      else if (name === 'continue-on-error') options.continueOnError = on;
      else if (name === 'reverse') options.reverse = on;
      else if (name === 'dry-run') options.dryRun = on;
      return;
    }
    if (value === undefined) throw new UsageError(`--${name}: expected a value`);
    if (name === 'chdir') options.chdir = value;
    else if (name === 'tags') options.tags.push(...value.split(',').filter((tag) => tag !== ''));
    else if (name === 'no-tags') options.noTags.push(...value.split(',').filter((tag) => tag !== ''));
    else if (name === 'parallel') options.parallel = parseInt64(value);
  };

  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index];
    if (word === '--') {
      if (subcommand !== 'run') throw new UsageError('unexpected "--" before the run subcommand');
      options.command = argv.slice(index + 1);
      break;
    }
    if (word.startsWith('--')) {
      const equals = word.indexOf('=');
      // (`--disable-safeguards=all` is the list flag with the value "all"; only -X reaches the
      // bool Terramate declares under the name "disable-safeguards=all".)
      const name = equals === -1 ? word.slice(2) : word.slice(2, equals);
      const inline = equals === -1 ? undefined : word.slice(equals + 1);
      const spec = FLAGS[name];
      if (spec === undefined || name === 'disable-safeguards=all') throw new UsageError(`unknown flag --${name}`);
      if (spec.run && subcommand !== 'run') throw new UsageError(`unknown flag --${name} (it belongs to run)`);
      if (spec.kind === 'bool' || inline !== undefined) {
        apply(name, inline);
        continue;
      }
      const next = argv[index + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`--${name}: expected a value`);
      apply(name, next);
      index += 1;
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      const letter = word[1];
      const name = SHORT.get(letter);
      if (name === undefined) throw new UsageError(`unknown flag -${letter}`);
      const spec = FLAGS[name];
      if (spec.run && subcommand !== 'run') throw new UsageError(`unknown flag -${letter} (it belongs to run)`);
      const tail = word.slice(2);
      if (spec.kind === 'bool') {
        if (tail !== '') throw new UsageError(`-${letter} takes no value (got "${word}")`);
        apply(name, undefined);
        continue;
      }
      if (tail !== '') {
        apply(name, tail);
        continue;
      }
      const next = argv[index + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) throw new UsageError(`-${letter}: expected a value`);
      apply(name, next);
      index += 1;
      continue;
    }
    if (subcommand === null) {
      if (word === 'run') subcommand = 'run';
      else if (word === 'version') subcommand = 'version';
      else throw new UsageError(`the stand-in implements only "run" and "version", not "${word}"`);
      continue;
    }
    if (subcommand === 'run') {
      options.command = argv.slice(index);
      break;
    }
    throw new UsageError(`unexpected argument "${word}"`);
  }

  // Environment variables Terramate (kong) reads for run flags; a flag on the command line wins.
  for (const [name, spec] of Object.entries(FLAGS)) {
    if (spec.env === undefined || fromFlags.has(name) || subcommand !== 'run') continue;
    const raw = env[spec.env];
    if (raw === undefined || raw === '') continue;
    apply(name, raw);
  }

  if (wantHelp) return { action: 'help', options };
  if (wantVersion || subcommand === 'version') return { action: 'version', options };
  if (subcommand !== 'run') throw new UsageError('expected a command: run or version');
  if (options.command.length === 0) throw new UsageError('run: no command given');
  return { action: 'run', options };
}

// ---------------------------------------------------------------------------------------------
// A little HCL: enough to find blocks and string attributes.

/**
 * Index just past the string literal starting at `start` (a `"`), skipping escapes and `${...}`.
 * @param {string} text
 * @param {number} start
 * @returns {number}
 */
function skipString(text, start) {
  let index = start + 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') index += 2;
    else if (char === '"') return index + 1;
    else if (char === '\n') return index;
    else if (char === '$' && text[index + 1] === '{') {
      let depth = 1;
      index += 2;
      while (index < text.length && depth > 0) {
        if (text[index] === '"') {
          index = skipString(text, index);
          continue;
        }
        if (text[index] === '{') depth += 1;
        else if (text[index] === '}') depth -= 1;
        index += 1;
      }
    } else index += 1;
  }
  return index;
}

/**
 * Replaces comments with spaces (strings kept), so positions stay put.
 * @param {string} text
 * @returns {string}
 */
function stripComments(text) {
  let out = '';
  let index = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      const end = skipString(text, index);
      out += text.slice(index, end);
      index = end;
    } else if (char === '#' || (char === '/' && text[index + 1] === '/')) {
      const end = text.indexOf('\n', index);
      const stop = end === -1 ? text.length : end;
      out += ' '.repeat(stop - index);
      index = stop;
    } else if (char === '/' && text[index + 1] === '*') {
      const end = text.indexOf('*/', index + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(index, stop).replace(/[^\n]/g, ' ');
      index = stop;
    } else {
      out += char;
      index += 1;
    }
  }
  return out;
}

/**
 * The bodies of the top-level blocks of type `type` in an HCL body (comments stripped).
 * @param {string} body
 * @param {string} type
 * @returns {string[]}
 */
export function blockBodies(body, type) {
  const found = [];
  let depth = 0;
  let statementStart = 0;
  let openAt = -1;
  let header = '';
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (char === '"') {
      index = skipString(body, index) - 1;
      continue;
    }
    if (char === '{' || char === '[' || char === '(') {
      if (depth === 0 && char === '{') {
        header = body.slice(statementStart, index).trim();
        openAt = index;
      }
      depth += 1;
    } else if (char === '}' || char === ']' || char === ')') {
      depth -= 1;
      if (depth === 0 && char === '}') {
        const words = header.split(/\s+/);
        if (words[0] === type && !header.includes('=') && openAt !== -1) found.push(body.slice(openAt + 1, index));
        statementStart = index + 1;
        openAt = -1;
      }
    } else if (char === '\n' && depth === 0) {
      statementStart = index + 1;
    }
  }
  return found;
}

/**
 * Top-level `NAME = <expression text>` attributes of an HCL body (single-line values, plus
 * lists spanning lines).
 * @param {string} body
 * @returns {Array<{name: string, value: string}>}
 */
export function attributes(body) {
  const result = [];
  let depth = 0;
  let lineStart = 0;
  for (let index = 0; index <= body.length; index += 1) {
    const char = body[index];
    if (char === '"') {
      index = skipString(body, index) - 1;
      continue;
    }
    if (char === '{' || char === '[' || char === '(') depth += 1;
    else if (char === '}' || char === ']' || char === ')') depth -= 1;
    else if ((char === '\n' || char === undefined) && depth === 0) {
      const line = body.slice(lineStart, index).trim();
      const match = /^([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*([\s\S]+)$/.exec(line);
      if (match && !match[2].startsWith('=')) result.push({ name: match[1], value: match[2].trim() });
      lineStart = index + 1;
    }
  }
  return result;
}

/**
 * The string items of a list literal like `["a", "b"]`.
 * @param {string} value
 * @returns {string[]}
 */
function stringList(value) {
  return [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1]);
}

/**
 * @param {string} dir
 * @returns {string[]}
 */
function configFiles(dir) {
  let names;
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return names
    .filter((entry) => entry.isFile() && (entry.name.endsWith('.tm') || entry.name.endsWith('.tm.hcl')))
    .map((entry) => join(dir, entry.name))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Project model

/**
 * @typedef {object} Stack
 * @property {string} dir   absolute directory
 * @property {string} path  Terramate's stack path: `/` + the path from the root
 * @property {string} name
 * @property {string[]} tags
 */

/**
 * The project root for a directory (see the header).
 * @param {string} start
 * @returns {string}
 */
export function findRoot(start) {
  let topMost = null;
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'terramate.tm.hcl'))) topMost = dir;
    if (dirname(dir) === dir) break;
  }
  if (topMost !== null) return topMost;
  const git = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd: start, encoding: 'utf8' });
  if (git.status === 0 && git.stdout.trim() !== '') return git.stdout.trim();
  return start;
}

/**
 * @param {string} dir
 * @returns {{name: string | null, tags: string[]} | null}
 */
function readStackBlock(dir) {
  for (const file of configFiles(dir)) {
    const body = blockBodies(stripComments(readFileSync(file, 'utf8')), 'stack')[0];
    if (body === undefined) continue;
    let name = null;
    /** @type {string[]} */
    let tags = [];
    for (const attribute of attributes(body)) {
      if (attribute.name === 'name') name = stringList(attribute.value)[0] ?? null;
      if (attribute.name === 'tags') tags = stringList(attribute.value);
    }
    return { name, tags };
  }
  return null;
}

/**
 * Stacks at or under `from` (just `from` when `recursive` is false), sorted by path.
 * @param {string} root
 * @param {string} from
 * @param {boolean} recursive
 * @returns {Stack[]}
 */
export function discoverStacks(root, from, recursive) {
  /** @type {Stack[]} */
  const stacks = [];
  /** @param {string} dir */
  const visit = (dir) => {
    if (existsSync(join(dir, '.tmskip'))) return;
    const block = readStackBlock(dir);
    if (block !== null) {
      const path = `/${relative(root, dir).split(sep).join('/')}`.replace(/\/$/, '') || '/';
      stacks.push({ dir, path, name: block.name ?? dir.slice(dir.lastIndexOf(sep) + 1), tags: block.tags });
    }
    if (!recursive) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && !entry.name.startsWith('.')) visit(join(dir, entry.name));
    }
  };
  visit(from);
  return stacks.sort((left, right) => (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
}

/**
 * Terramate's tag filter: each `--tags` item is `a:b` (all of them), items are alternatives;
 * `--no-tags` drops stacks with any listed tag.
 * @param {Stack} stack
 * @param {string[]} tags
 * @param {string[]} noTags
 * @returns {boolean}
 */
export function matchesTags(stack, tags, noTags) {
  if (noTags.some((tag) => stack.tags.includes(tag))) return false;
  if (tags.length === 0) return true;
  return tags.some((clause) => clause.split(':').every((tag) => stack.tags.includes(tag)));
}

/**
 * Interpolates a string literal's content (see the header for what is supported).
 * @param {string} literal  the HCL expression text, quotes included
 * @param {string} name     the variable being set (for messages)
 * @param {Record<string, string>} values  `terramate.root.path.fs.absolute` etc.
 * @param {NodeJS.ProcessEnv} env
 * @returns {string}
 */
function evaluateString(literal, name, values, env) {
  if (!/^"(?:[^"\\]|\\.|\$\{[^}]*\})*"$/.test(literal)) {
    throw new Error(`run.env.${name} = ${literal}: the stand-in evaluates only string literals`);
  }
  const content = literal.slice(1, -1);
  let out = '';
  for (let index = 0; index < content.length; index += 1) {
    const char = content[index];
    if (char === '\\') {
      const next = content[index + 1];
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
      index += 1;
    } else if (char === '$' && content.startsWith('$${', index)) {
      out += '${';
      index += 2;
    } else if (char === '%' && content.startsWith('%%{', index)) {
      out += '%{';
      index += 2;
    } else if (char === '%' && content[index + 1] === '{') {
      throw new Error(`run.env.${name}: template directives (%{...}) are not supported by the stand-in`);
    } else if (char === '$' && content[index + 1] === '{') {
      const end = content.indexOf('}', index);
      const expression = content.slice(index + 2, end).trim();
      index = end;
      if (expression.startsWith('env.')) {
        const variable = expression.slice(4);
        const value = env[variable];
        if (value === undefined) throw new Error(`run.env.${name}: env.${variable} is not set`);
        out += value;
      } else if (Object.hasOwn(values, expression)) {
        out += values[expression];
      } else {
        throw new Error(`run.env.${name}: the stand-in cannot evaluate \${${expression}}`);
      }
    } else out += char;
  }
  return out;
}

/**
 * The environment Terramate gives a stack's command: the process environment overridden by the
 * root's `terramate.config.run.env`.
 * @param {string} root
 * @param {Stack} stack
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function runEnvironment(root, stack, env) {
  const values = {
    'terramate.root.path.fs.absolute': root,
    'terramate.stack.path.absolute': stack.path,
    'terramate.stack.name': stack.name,
  };
  /** @type {NodeJS.ProcessEnv} */
  const result = { ...env };
  for (const file of configFiles(root)) {
    const text = stripComments(readFileSync(file, 'utf8'));
    for (const terramate of blockBodies(text, 'terramate')) {
      for (const config of blockBodies(terramate, 'config')) {
        for (const run of blockBodies(config, 'run')) {
          for (const envBlock of blockBodies(run, 'env')) {
            for (const attribute of attributes(envBlock)) {
              result[attribute.name] = evaluateString(attribute.value, attribute.name, values, env);
            }
          }
        }
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Running

/**
 * @typedef {object} StackResult
 * @property {string} stack
 * @property {string} dir
 * @property {number | null} exitCode
 * @property {string | null} signal
 * @property {boolean} skipped
 * @property {number} durationMs
 * @property {string} stderr
 */

/**
 * A child's stderr as the log keeps it: the head, a sliding tail, and how much was left out.
 * @returns {{add(chunk: Buffer): void, text(): string}}
 */
function stderrCapture() {
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  let total = 0;
  return {
    add(chunk) {
      total += chunk.length;
      const intoHead = chunk.subarray(0, Math.max(0, STDERR_HEAD - head.length));
      head = Buffer.concat([head, intoHead]);
      tail = Buffer.concat([tail, chunk.subarray(intoHead.length)]);
      if (tail.length > STDERR_TAIL) tail = tail.subarray(tail.length - STDERR_TAIL);
    },
    text() {
      const dropped = total - head.length - tail.length;
      return dropped > 0 ? `${head.toString('utf8')}\n[... ${dropped} bytes left out ...]\n${tail.toString('utf8')}` : Buffer.concat([head, tail]).toString('utf8');
    },
  };
}

/**
 * Runs `options.command` in each stack, at most `options.parallel` at a time.
 * @param {RunOptions} options
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>} the exit status
 */
async function run(options, env) {
  const chdir = resolve(options.chdir ?? '.');
  if (!existsSync(chdir) || !statSync(chdir).isDirectory()) {
    process.stderr.write(`terramate: error: -C ${options.chdir}: not a directory\n`);
    return 1;
  }
  const root = findRoot(chdir);
  const found = discoverStacks(root, chdir, !options.noRecursive);
  let stacks = found.filter((stack) => matchesTags(stack, options.tags, options.noTags));
  if (options.noRecursive && found.length === 0) {
    process.stderr.write('terramate: error: --no-recursive provided but no stack found in the current directory\n');
    return 1;
  }
  if (options.reverse) stacks = stacks.reverse();
  /** @type {Map<Stack, NodeJS.ProcessEnv>} */
  const environments = new Map();
  try {
    for (const stack of stacks) environments.set(stack, runEnvironment(root, stack, env));
  } catch (error) {
    process.stderr.write(`terramate: error: ${/** @type {Error} */ (error).message}\n`);
    return 1;
  }
  const say = (/** @type {string} */ line) => {
    if (!options.quiet) process.stderr.write(`terramate: ${line}\n`);
  };
  if (options.dryRun) {
    for (const stack of stacks) say(`(dry run) would run ${JSON.stringify(options.command.join(' '))} in ${stack.path}`);
    return 0;
  }

  /** @type {StackResult[]} */
  const results = [];
  /** @type {Set<import('node:child_process').ChildProcess>} */
  const running = new Set();
  let failed = false;
  let stopping = false;
  const limit = Math.max(1, options.parallel);
  const queue = [...stacks];

  const onSignal = (/** @type {NodeJS.Signals} */ signal) => {
    stopping = true;
    for (const child of running) child.kill(signal);
  };
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, onSignal);

  /**
   * @param {Stack} stack
   * @returns {Promise<StackResult>}
   */
  const runOne = (stack) =>
    new Promise((resolveResult) => {
      const started = Date.now();
      say(`Entering stack in ${stack.path}`);
      say(`Executing command ${JSON.stringify(options.command.join(' '))}`);
      /** @type {Buffer[]} */
      const stderr = stderrCapture();
      const child = spawn(options.command[0], options.command.slice(1), {
        cwd: stack.dir,
        env: environments.get(stack),
        stdio: [limit > 1 ? 'ignore' : 'inherit', 'inherit', 'pipe'],
      });
      running.add(child);
      child.stderr?.on('data', (/** @type {Buffer} */ chunk) => {
        process.stderr.write(chunk);
        stderr.add(chunk);
      });
      let spawnError = '';
      child.on('error', (error) => {
        spawnError = `terramate: failed to execute ${options.command[0]}: ${error.message}\n`;
      });
      child.on('close', (code, signal) => {
        running.delete(child);
        if (spawnError !== '') {
          process.stderr.write(spawnError);
          stderr.add(Buffer.from(spawnError));
        }
        resolveResult({
          stack: stack.path,
          dir: stack.dir,
          exitCode: spawnError !== '' ? 127 : code,
          signal,
          skipped: false,
          durationMs: Date.now() - started,
          stderr: stderr.text(),
        });
      });
    });

  const worker = async () => {
    for (;;) {
      if (stopping || (failed && !options.continueOnError)) return;
      const stack = queue.shift();
      if (stack === undefined) return;
      const result = await runOne(stack);
      results.push(result);
      if (result.exitCode !== 0) {
        failed = true;
        process.stderr.write(`terramate: error: command failed in ${stack.path}: ${result.signal ?? `exit status ${result.exitCode}`}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, Math.max(1, stacks.length)) }, worker));
  for (const stack of queue) {
    results.push({ stack: stack.path, dir: stack.dir, exitCode: null, signal: null, skipped: true, durationMs: 0, stderr: '' });
  }
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.off(signal, onSignal);

  const log = env.TM_STAND_IN_LOG;
  if (log !== undefined && log !== '') {
    const order = new Map(stacks.map((stack, index) => [stack.path, index]));
    results.sort((left, right) => (order.get(left.stack) ?? 0) - (order.get(right.stack) ?? 0));
    appendFileSync(log, results.map((result) => `${JSON.stringify(result)}\n`).join(''));
  }
  return failed || stopping ? 1 : 0;
}

/**
 * @param {readonly string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
export async function main(argv, env) {
  let parsed;
  try {
    parsed = parseArgs(argv, env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`terramate (stand-in): error: ${error.message}\n`);
    return 2;
  }
  if (parsed.action === 'version') {
    process.stdout.write(`${STAND_IN_VERSION}\n`);
    return 0;
  }
  if (parsed.action === 'help') {
    process.stdout.write('terramate stand-in for the tm-doctor race oracle: see the top of test/oracle/terramate-stand-in.mjs\n');
    return 0;
  }
  return run(parsed.options, env);
}

/** Whether this module is the program being run (also when started through a symlink). */
function isMain() {
  if (process.argv[1] === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  main(process.argv.slice(2), process.env).then(
    (status) => {
      process.exitCode = status;
    },
    (error) => {
      process.stderr.write(`terramate (stand-in): ${error instanceof Error ? error.stack : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
