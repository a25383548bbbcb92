import type { InitLaunch } from '../../analysis/launches.js';
import { applyEdits } from '../../fix/plan.js';
import { isInitCommand } from '../../parsers/terramate-cli.js';
import type { Fix, TextEdit } from '../../types.js';
import { makefileSharingFix, type MakeNoFix } from './sharing-make-fix.js';
import { key, shapeOf, stillShares, withoutSharing, type CommandShape } from './sharing-words.js';
import { commandFile, type CommandFile } from './sites/index.js';
import { argvWordRemoval, mergedEdits, prefixRemoval, writtenWord, type CommandInFile } from './sites/shell-text.js';
import { onlyOptionsRemoved, optionKey, optionsRemoval, scriptOptions } from './sites/terramate-script.js';

// The fix for no-sharing-on-init, per kind of launch. Every edit is confined to what carries
// the sharing options to init; plan/apply keep theirs. Each candidate is checked by reading the
// fixed text again the way the analysis reads it (make's expansion, the shell's words, YAML and
// JSON data, Terramate's script blocks): the init launch must have no sharing left and every
// other word as before. When that cannot be shown there is no fix, and the reason says why.
// How each kind of file is read and edited lives in `sites/`; the Makefile strategies in
// `sharing-make-fix.ts`.

/** Why a launch gets no fix; the rule words it in the finding's help. */
export type NoFixReason =
  | MakeNoFix
  | { kind: 'environment'; variable: string }
  | { kind: 'shell-variable'; word: string }
  | { kind: 'shared-options'; command: string };

export type SharingFixResult = { fix: Fix; reason: null } | { fix: null; reason: NoFixReason };

export interface SharingFixContext {
  /** The text of a file as the analysis reads it (earlier fixes of the run included). */
  readText(file: string): string | undefined;
  /** The project root (Terramate scripts are read again with it). */
  root: string;
}

export async function sharingFix(launch: InitLaunch, context: SharingFixContext): Promise<SharingFixResult> {
  let result: { edits: TextEdit[] } | { edits: null; reason: NoFixReason };
  try {
    if (launch.context === 'makefile') result = makefileSharingFix(launch, (file) => context.readText(file));
    else if (launch.context === 'terramate-script') result = await scriptFix(launch, context);
    else result = commandSiteFix(launch, context);
  } catch (error) {
    result = { edits: null, reason: { kind: 'unproven', detail: error instanceof Error ? error.message : String(error) } };
  }
  if (result.edits === null) return { fix: null, reason: result.reason };
  return {
    fix: { description: `remove output sharing from the ${launch.tool} init launch (${launch.label})`, safe: true, changes: result.edits },
    reason: null,
  };
}

type EditsOrReason = { edits: TextEdit[] } | { edits: null; reason: NoFixReason };

const unproven = (detail: string): EditsOrReason => ({ edits: null, reason: { kind: 'unproven', detail } });

// ---- Shell scripts, CI steps, package.json scripts, Taskfile and justfile commands -----------------

/** The sharing flag words and `TM_ARG_RUN_*` prefixes of the launch go; nothing else. */
function commandSiteFix(launch: InitLaunch, context: SharingFixContext): EditsOrReason {
  const text = context.readText(launch.file);
  const file = commandFile(launch);
  const before = text === undefined || !file ? null : file.commands(text);
  if (text === undefined || !file || !before) return unproven('the file does not read cleanly');
  const targets = before.filter((found) => found.start === launch.start && found.end === launch.end && stillShares(shapeOf(found.command)));
  if (targets.length === 0) return unproven('the launch is not where it was read');
  const edits: Array<{ start: number; end: number; text: string }> = [];
  for (const found of targets) {
    const { command } = found;
    const launchShape = shapeOf(command).launch!;
    if (launchShape.runTimeWords.length > 0) {
      const word = command.argv.find((candidate) => candidate.text === launchShape.runTimeWords[0]);
      return { edits: null, reason: { kind: 'run-time', what: `\`${word ? writtenWord(found, text, word) : launchShape.runTimeWords[0]}\`` } };
    }
    if (launchShape.flagWords.length === 0 && launchShape.envPrefixes.length === 0) {
      const variable = ['TM_ARG_RUN_ENABLE_SHARING', 'TM_ARG_RUN_MOCK_ON_FAIL'].find((name) => command.environment.has(name)) ?? 'TM_ARG_RUN_ENABLE_SHARING';
      return { edits: null, reason: { kind: 'environment', variable } };
    }
    const removals = [...launchShape.flagWords.map((index) => argvWordRemoval(found, text, index)), ...launchShape.envPrefixes.map((index) => prefixRemoval(found, text, index))];
    for (const removal of removals) {
      if (removal.kind === 'indirect') return { edits: null, reason: { kind: 'shell-variable', word: removal.written } };
      if (removal.kind === 'escaped') return unproven('the flag is written with escapes');
      edits.push({ start: removal.start, end: removal.end, text: '' });
    }
  }
  const merged = mergedEdits(launch.file, edits);
  if (!merged) return unproven('the edits overlap');
  const fixed = applyEdits(text, merged);
  const problem = checkCommands(file, text, fixed, before, targets);
  return problem === null ? { edits: merged } : unproven(problem);
}

/** Null when the fixed file reads as the original with only the launch's sharing words gone. */
function checkCommands(file: CommandFile, text: string, fixed: string, before: CommandInFile[], targets: CommandInFile[]): string | null {
  const after = file.commands(fixed);
  if (!after) return 'the fixed file does not read cleanly';
  if (after.length !== before.length) return 'the commands would change';
  for (let i = 0; i < before.length; i++) {
    const was: CommandShape = shapeOf(before[i].command);
    const now: CommandShape = shapeOf(after[i].command);
    if (targets.includes(before[i])) {
      if (stillShares(now)) return 'a sharing flag would be left';
      if (key(now) !== key(withoutSharing(was))) return 'the other words of the launch would change';
    } else if (key(now) !== key(was)) return 'another command would change';
  }
  if (!file.sameDataApartFromOneString(text, fixed)) return 'the file would change elsewhere';
  return null;
}

// ---- Terramate script commands -----------------------------------------------------------

const SCRIPT_SHARING_KEYS = new Set(['enable_sharing', 'mock_on_fail']);

/** The sharing keys go from the options object of the launch's command; nothing else. */
async function scriptFix(launch: InitLaunch, context: SharingFixContext): Promise<EditsOrReason> {
  const text = context.readText(launch.file);
  const script = launch.script;
  if (text === undefined || !script) return unproven('the file cannot be read');
  // In `["sh", "-c", "terraform init && terraform plan", {...}]` the options also serve plan:
  // they cannot be taken from init alone.
  const argv = script.command.argv.map((word) => (typeof word === 'string' ? word : ''));
  if (!isInitCommand(argv)) return { edits: null, reason: { kind: 'shared-options', command: `[${argv.map((word) => JSON.stringify(word)).join(', ')}]` } };
  const options = scriptOptions(launch);
  if (!options) return unproven('the options object is not where it was read');
  const sharing = options.elements.filter((element) => SCRIPT_SHARING_KEYS.has(optionKey(element)));
  if (sharing.length === 0) return unproven('no sharing key on the command');
  const edits = optionsRemoval(options, sharing);
  if (typeof edits === 'string') return unproven(edits);
  const merged = mergedEdits(launch.file, edits);
  if (!merged || merged.length === 0) return unproven('the edits overlap');
  const fixed = applyEdits(text, merged);
  const problem = await onlyOptionsRemoved(launch, context.root, text, fixed, SCRIPT_SHARING_KEYS);
  return problem === null ? { edits: merged } : unproven(problem);
}
