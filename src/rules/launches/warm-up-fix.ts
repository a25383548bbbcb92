// The fix for parallel-init-cache-race: before the parallel init, warm the plugin cache with one
// serial init per distinct provider requirement (one stack of each), so the parallel inits find
// every package in the cache and only link it. The parallel init itself is left as it is: no
// serial pass over every stack (slower than giving up parallelism), no second parallelism flag.
//
// Each warm-up is `terramate run -C <stack> --no-recursive -- <tool> init -backend=false <args>`:
// - `--no-recursive` runs only the stack in the working directory that `-C` sets, and skips the
//   tag and change filters (terramate-io/terramate v0.17.2, commands/run/run.go Spec.Exec, the
//   `NoRecursive` branch, l.139-153; flag since v0.1.17, commit f3a5f478). `-C` is a global flag,
//   which kong accepts after `run` (ui/tui/cli_spec.go globalCliFlags.Chdir; kong v0.7.1
//   model.go Node.AllFlags adds the parents' flags). A one-stack run is serial whatever
//   `--parallel`/`TM_ARG_RUN_PARALLEL` say, so the line carries no parallelism flag at all.
// - The root `config.run.env` still applies (run/env.go LoadEnv walks up to the root), so the
//   warm-up uses the same plugin cache as the parallel init.
// - `-backend=false`: the warm-up only installs providers; it never touches a backend (the stack
//   it warms may belong to an environment the launch's tags do not select).
// The launch's own safeguard, logging and dry-run flags are kept; its selection, parallelism and
// sharing flags are not needed by a one-stack run. The fixed text is read again the way the
// analysis reads it (make expanded per goal, YAML and JSON decoded, the shell split): the new
// launches must be serial one-stack inits of the chosen stacks before the launch, every other
// launch of the file unchanged. When that cannot be shown, there is no fix.

import { relative } from 'node:path';
import { maskUnknowns, type InitLaunch } from '../../analysis/launches.js';
import type { Stack } from '../../analysis/terramate.js';
import { parseShell, type ArgWord, type ShellCommand } from '../../parsers/shell.js';
import { isInitCommand, parseTerramateInvocation, type TerramateInvocation } from '../../parsers/terramate-cli.js';
import type { Fix, TextEdit } from '../../types.js';
import { isKnown } from '../../util/unknown.js';
import { launchSite, type LaunchSite } from './sites/index.js';
import { applyOne } from './sites/shell-text.js';

export const WARM_UP_INIT_FLAG = '-backend=false';
/** The name of a CI step that holds only warm-ups. */
export const WARM_UP_STEP_NAME = 'Warm up the plugin cache (serial init)';

/** Terramate flags a warm-up keeps: how Terramate checks, logs and runs, never what it selects. */
const KEPT_FLAGS = new Set([
  'disable-safeguards',
  'disable-safeguards=all',
  'disable-check-git-untracked',
  'disable-check-git-uncommitted',
  'disable-check-gen-code',
  'disable-check-git-remote',
  'quiet',
  'verbose',
  'log-level',
  'log-fmt',
  'log-destination',
  'disable-checkpoint',
  'disable-checkpoint-signature',
  'dry-run',
  'eval',
]);

/** A directory a command line can name without quoting, in any of the files a launch sits in. */
const PLAIN_PATH = /^[A-Za-z0-9._/+-]+$/;

export interface WarmUpInputs {
  /** The stacks to warm, one per distinct provider requirement. */
  targets: readonly Stack[];
  /** The init launches of the launch's file if it held a text (null when it does not read). */
  relaunch: (text: string) => InitLaunch[] | null;
}

/** Serial warm-up inits of `targets` inserted before `launch` in its file, whose text is `text`. */
export function warmUpFix(launch: InitLaunch, text: string, inputs: WarmUpInputs): Fix | null {
  if (inputs.targets.length === 0) return null;
  let edit: TextEdit | null;
  try {
    edit = warmUpEdit(launch, text, inputs);
  } catch {
    edit = null;
  }
  if (!edit) return null;
  const count = inputs.targets.length;
  return {
    description:
      `warm the plugin cache before the parallel init (${launch.label}): ${count} serial \`${launch.tool} init ${WARM_UP_INIT_FLAG}\` ` +
      `(one stack per distinct provider requirement), then the parallel init as before, which only links what is cached`,
    safe: true,
    changes: [edit],
  };
}

interface WarmUpLine {
  text: string;
  dir: string;
}

function warmUpEdit(launch: InitLaunch, text: string, inputs: WarmUpInputs): TextEdit | null {
  const site = launchSite(launch, text);
  if (!site) return null;
  const { command } = site.located;
  const invocation = parseTerramateInvocation(command.argv, { env: command.environment });
  if (!invocation || invocation.errors.length > 0) return null;
  if (!site.makeRecipe && invocation.unknownWords.length > 0) return null;
  const lines = warmUpLines(site, invocation, text, launch, inputs.targets);
  if (!lines) return null;
  const edit = site.insertBefore(lines.map((line) => line.text), WARM_UP_STEP_NAME);
  if (!edit) return null;
  const fixed = applyOne(text, edit);
  const before = inputs.relaunch(text);
  const after = inputs.relaunch(fixed);
  if (!before || !after || !readsAsWarmedUp(launch, before, after, edit, lines)) return null;
  const warmUps = after.filter((found) => found.start >= edit.start && found.end <= edit.start + edit.text.length);
  const wordsKept = site.makeRecipe ? makeKeepsFlags(launch, warmUps) : warmUps.every((warmUp) => siteReadsWarmUp(warmUp, fixed, command, launch));
  return wordsKept ? edit : null;
}

function span(site: LaunchSite, text: string, first: ArgWord, last: ArgWord = first): string {
  return text.slice(site.located.wordStart(first), site.located.wordEnd(last));
}

/** The warm-up command lines, as they will be written in the file; null when one cannot be written. */
function warmUpLines(site: LaunchSite, invocation: TerramateInvocation, text: string, launch: InitLaunch, targets: readonly Stack[]): WarmUpLine[] | null {
  const { located } = site;
  const argv = located.command.argv;
  const assignments = text.slice(located.start, located.wordStart(argv[0]));
  const kept: string[] = [];
  for (const flag of [...invocation.flags].sort((a, b) => a.index - b.index)) {
    if (!KEPT_FLAGS.has(flag.name)) continue;
    kept.push(span(site, text, argv[flag.index], argv[flag.valueIndex ?? flag.index]));
  }
  let head: string;
  let tail: string;
  const init = invocation.kind === 'run' && invocation.commandIndex >= 0 ? isInitCommand(invocation.command) : null;
  if (init) {
    // The launch's own init command, its arguments kept.
    const commandWords = invocation.command;
    head = span(site, text, commandWords[0], init.initWord);
    tail = text.slice(located.wordEnd(init.initWord), located.wordEnd(commandWords[commandWords.length - 1]));
  } else {
    // Init inside a script or `sh -c '... && ...'`: the warm-up runs only the tool's init.
    head = `${launch.tool} init`;
    tail = '';
  }
  const program = span(site, text, argv[0]);
  const pieces = [assignments, head, tail, program, ...kept].map(oneLine);
  if (pieces.some((piece) => piece === null)) return null;
  const [assignmentsLine, headLine, tailLine, programLine, ...keptLine] = pieces as string[];
  const lines: WarmUpLine[] = [];
  for (const target of targets) {
    const dir = relative(launch.base, target.dir) || '.';
    if (!PLAIN_PATH.test(dir)) return null;
    const flags = [...keptLine, '-C', dir, '--no-recursive'].join(' ');
    lines.push({ text: `${assignmentsLine}${programLine} run ${flags} -- ${headLine} ${WARM_UP_INIT_FLAG}${tailLine}`, dir: target.dir });
  }
  return lines;
}

/**
 * Text copied from a command continued over lines, on one line: a continuation after a blank
 * (`--parallel 4 \\`) joins words the shell would have joined anyway; one inside a word does
 * not fit on a line, nor does a newline the shell keeps (in quotes).
 */
function oneLine(piece: string): string | null {
  const joined = piece.replace(/([ \t])\\\r?\n[ \t]*/g, '$1');
  return joined.includes('\n') ? null : joined;
}

/**
 * The file read again: the launches inside the insertion are the warm-ups, in order (one stack
 * each, so serial whatever parallelism the environment asks for; the same tool, no sharing);
 * every other launch reads as before.
 */
function readsAsWarmedUp(launch: InitLaunch, before: InitLaunch[], after: InitLaunch[], edit: TextEdit, lines: readonly WarmUpLine[]): boolean {
  const shift = edit.text.length;
  const inserted = after.filter((found) => found.start >= edit.start && found.end <= edit.start + shift);
  const rest = after.filter((found) => !inserted.includes(found));
  if (inserted.length !== lines.length || rest.length !== before.length) return false;
  const warmUpsOk = inserted.every((found, i) => {
    return (
      found.tool === launch.tool &&
      found.recursive === false &&
      found.scope === lines[i].dir &&
      found.sharing.length === 0
    );
  });
  const sameLaunch = (a: InitLaunch, b: InitLaunch) =>
    b.start === (a.start >= edit.start ? a.start + shift : a.start) &&
    a.tool === b.tool &&
    a.context === b.context &&
    a.scope === b.scope &&
    a.recursive === b.recursive &&
    a.sharing.length === b.sharing.length &&
    (isKnown(a.parallel) ? a.parallel === b.parallel : !isKnown(b.parallel));
  return warmUpsOk && rest.every((found, i) => sameLaunch(before[i], found));
}

/** The warm-up read where it was written, as the launch was read: its kept flags and its init. */
function siteReadsWarmUp(warmUp: InitLaunch, fixed: string, original: ShellCommand, launch: InitLaunch): boolean {
  const site = launchSite(warmUp, fixed);
  if (!site) return false;
  const invocation = parseTerramateInvocation(site.located.command.argv, { env: site.located.command.environment });
  if (!invocation || invocation.kind !== 'run' || invocation.errors.length > 0 || invocation.unknownWords.length > 0) return false;
  const was = readCommand(original);
  const now = readCommand(site.located.command);
  return was !== null && now !== null && now.command !== null && was.kept.join('\0') === now.kept.join('\0') && warmUpCommandOf(was, launch) === now.command.join('\0');
}

/** What the warm-up of a launch that runs `was` must run, as words joined by NUL. */
function warmUpCommandOf(was: ReadCommand, launch: InitLaunch): string | null {
  const init = was.command && isInitCommand(was.command);
  if (!was.command || !init) return [launch.tool, 'init', WARM_UP_INIT_FLAG].join('\0');
  return [...was.command.slice(0, init.initIndex + 1), WARM_UP_INIT_FLAG, ...was.command.slice(init.initIndex + 1)].join('\0');
}

// ---- Make: what the dropped words carried ---------------------------------------------------

interface ReadCommand {
  kept: string[];
  /** The command `terramate run` runs; null for `terramate script run`. */
  command: string[] | null;
}

/** A recipe line as make expanded it: the kept Terramate flags and the command, as words. */
function readVariant(text: string): ReadCommand | null {
  const commands = parseShell(maskUnknowns(text).text).commands;
  return commands.length === 1 ? readCommand(commands[0]) : null;
}

function readCommand(command: ShellCommand): ReadCommand | null {
  const invocation = parseTerramateInvocation(command.argv, { env: command.environment });
  if (!invocation) return null;
  const kept = invocation.flags
    .filter((flag) => KEPT_FLAGS.has(flag.name))
    .map((flag) => [flag.index, flag.valueIndex].filter((index): index is number => index !== undefined).map((index) => command.argv[index].text).join(' '));
  return { kept: kept.sort(), command: invocation.kind === 'run' ? invocation.command.map((word) => word.text) : null };
}

/**
 * Make's own reading of each goal variant: a warm-up keeps every kept flag the launch had,
 * including those that arrived through a variable the warm-up line does not copy, and runs the
 * launch's init command with `-backend=false` after `init`.
 */
function makeKeepsFlags(launch: InitLaunch, warmUps: readonly InitLaunch[]): boolean {
  const original = launch.make?.recipe;
  if (!original) return false;
  return warmUps.every((warmUp) => {
    const recipe = warmUp.make?.recipe;
    if (!recipe || recipe.capped || recipe.variants.length === 0) return false;
    // Goal variants pair up; a warm-up line with no goal-dependent word has one reading for all.
    if (recipe.variants.length !== original.variants.length && recipe.variants.length !== 1) return false;
    return original.variants.every((variant, i) => {
      const was = readVariant(variant.text);
      const now = readVariant(recipe.variants[recipe.variants.length === 1 ? 0 : i].text);
      if (!was || !now || !now.command || was.kept.join('\0') !== now.kept.join('\0')) return false;
      return warmUpCommandOf(was, launch) === now.command.join('\0');
    });
  });
}
