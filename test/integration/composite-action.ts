import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The parts of an action.yml this interpreter understands. */
export interface ActionDefinition {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export interface ActionStep {
  name: string;
  id?: string;
  shell?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

export function loadAction(file: string): ActionDefinition {
  return parse(readFileSync(file, 'utf8')) as ActionDefinition;
}

export interface RunnerContext {
  actionPath: string;
  workspace: string;
  /** RUNNER_TEMP; GITHUB_PATH/GITHUB_OUTPUT files are created under it. */
  runnerTemp: string;
  /** The environment of the job (PATH, HOME, ...). */
  env: Record<string, string>;
  with?: Record<string, string>;
}

export interface StepRun {
  name: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface ActionRun {
  /** The exit status of the first failing step, or 0. */
  status: number;
  steps: StepRun[];
  outputs: Record<string, string>;
}

/** Parses a GITHUB_OUTPUT file: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2], index + 1);
      if (end < 0) throw new Error(`unterminated ${heredoc[2]} block in GITHUB_OUTPUT`);
      outputs[heredoc[1]] = lines.slice(index + 1, end).join('\n');
      index = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/**
 * Runs the `run:` steps of a composite action the way the Actions runner does: `${{ }}`
 * expressions substituted (only the contexts this action uses; anything else throws), bash as
 * `bash --noprofile --norc -eo pipefail`, GITHUB_PATH entries prepended to PATH for later steps,
 * GITHUB_OUTPUT collected per step, the first failing step ends the action.
 */
export function runCompositeAction(action: ActionDefinition, context: RunnerContext, onlySteps?: string[]): ActionRun {
  if (action.runs.using !== 'composite') throw new Error(`not a composite action: ${action.runs.using}`);
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) inputs[name] = input.default ?? '';
  for (const [name, value] of Object.entries(context.with ?? {})) {
    if (!(name in action.inputs)) throw new Error(`unknown input ${name}`);
    inputs[name] = value;
  }
  const stepOutputs: Record<string, Record<string, string>> = {};
  const evaluate = (expression: string): string => {
    const [scope, ...rest] = expression.split('.');
    if (scope === 'inputs' && rest.length === 1 && rest[0] in inputs) return inputs[rest[0]];
    if (expression === 'github.action_path') return context.actionPath;
    if (expression === 'github.workspace') return context.workspace;
    if (expression === 'runner.temp') return context.runnerTemp;
    if (scope === 'steps' && rest.length === 3 && rest[1] === 'outputs') return stepOutputs[rest[0]]?.[rest[2]] ?? '';
    throw new Error(`expression not supported by the test interpreter: ${expression}`);
  };
  const substitute = (text: string): string => text.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_match, expression: string) => evaluate(expression));

  const pathFile = join(context.runnerTemp, '_github_path');
  writeFileSync(pathFile, '');
  const run: ActionRun = { status: 0, steps: [], outputs: {} };
  for (const [index, step] of action.runs.steps.entries()) {
    if (onlySteps && !onlySteps.includes(step.name)) continue;
    if (step.uses || step.if) throw new Error(`step "${step.name}": uses/if not supported by the test interpreter`);
    if (step.shell !== 'bash' || step.run === undefined) throw new Error(`step "${step.name}" must be a bash run step`);
    const scriptDir = join(context.runnerTemp, `_step${index}`);
    mkdirSync(scriptDir, { recursive: true });
    const script = join(scriptDir, 'script.sh');
    const outputFile = join(scriptDir, 'output');
    writeFileSync(script, substitute(step.run));
    writeFileSync(outputFile, '');
    const addedPaths = readFileSync(pathFile, 'utf8').split('\n').filter(Boolean).reverse();
    const stepEnv = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, substitute(String(value))]));
    const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: step['working-directory'] ? substitute(step['working-directory']) : context.workspace,
      env: {
        ...context.env,
        PATH: [...addedPaths, context.env.PATH].join(':'),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_ACTION_PATH: context.actionPath,
        GITHUB_WORKSPACE: context.workspace,
        GITHUB_PATH: pathFile,
        GITHUB_OUTPUT: outputFile,
        RUNNER_TEMP: context.runnerTemp,
        ...stepEnv,
      },
      encoding: 'utf8',
      timeout: 300_000,
    });
    if (result.error) throw result.error;
    run.steps.push({ name: step.name, status: result.status, stdout: result.stdout, stderr: result.stderr });
    if (step.id && existsSync(outputFile)) stepOutputs[step.id] = parseOutputFile(readFileSync(outputFile, 'utf8'));
    if (result.status !== 0) {
      run.status = result.status ?? 1;
      break;
    }
  }
  for (const [name, output] of Object.entries(action.outputs ?? {})) run.outputs[name] = substitute(output.value);
  return run;
}
