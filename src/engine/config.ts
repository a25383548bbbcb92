import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type AjvModule from 'ajv';
import type { ErrorObject } from 'ajv';
import type { SeveritySetting } from '../types.js';
import { bracketDepth, MAX_NESTING, readBounded } from '../util/bounded-read.js';
import { UsageError } from '../util/errors.js';

export interface DoctorConfig {
  rules: Record<string, SeveritySetting>;
  ignore: string[];
  /** Where it was read from, or null for the defaults. */
  file: string | null;
}

export const CONFIG_FILE_NAME = '.tm-doctor.json';

const require = createRequire(import.meta.url);

function keyPath(error: ErrorObject): string {
  const base = error.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperty: string }).additionalProperty;
    return base ? `${base}.${extra}` : extra;
  }
  if (error.keyword === 'propertyNames') {
    const name = (error.params as { propertyName: string }).propertyName;
    return base ? `${base}.${name}` : name;
  }
  return base || '(root)';
}

function describe(error: ErrorObject, knownRules: string[]): string {
  const path = keyPath(error);
  switch (error.keyword) {
    case 'additionalProperties':
      return `"${path}": unknown key (allowed: rules, ignore)`;
    case 'propertyNames':
      return `"${path}": unknown rule (known rules: ${knownRules.join(', ')})`;
    case 'enum':
      return `"${path}": must be one of ${(error.params as { allowedValues: string[] }).allowedValues.join(', ')}`;
    default:
      return `"${path}": ${error.message ?? 'invalid'}`;
  }
}

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } | undefined;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(require.resolve('../../schema/tm-doctor.schema.json'), 'utf8'));
    // ajv is loaded only when there is a config file to validate (CommonJS: synchronously).
    const ajvModule = require('ajv') as typeof AjvModule & { default?: typeof AjvModule };
    const Ajv = ajvModule.default ?? ajvModule;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

/** A config file is small: anything bigger is a mistake or an attack, refused with exit 2. */
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_IGNORE_GLOBS = 10_000;

/** Reads `.tm-doctor.json` (or the given file); a bad file is a usage error naming the key. */
export function loadConfig(root: string, explicitFile: string | undefined, knownRules: string[]): DoctorConfig {
  const file = explicitFile ?? join(root, CONFIG_FILE_NAME);
  const read = readBounded(file, MAX_CONFIG_BYTES);
  if (!read.ok) {
    if (!explicitFile && read.missing) return { rules: {}, ignore: [], file: null };
    throw new UsageError(`cannot read config file ${file}: ${read.reason}`, 'A config file is a small JSON file; check the path given to --config.');
  }
  const text = read.bytes.toString('utf8');
  if (bracketDepth(text) > MAX_NESTING) throw new UsageError(`${file}: nested deeper than ${MAX_NESTING} levels`, 'A tm-doctor config is a flat JSON object.');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON: ${(error as Error).message}`, 'Fix the JSON syntax of the config file.');
  }
  const errors = validate(data);
  if (errors.length > 0) {
    // An unknown rule id also fails the severity enum; the rule id is what the user must fix.
    const first = errors.find((error) => error.keyword === 'propertyNames') ?? errors[0];
    throw new UsageError(`${file}: ${describe(first, knownRules)}`, 'See schema/tm-doctor.schema.json in the tm-doctor package.');
  }
  const config = data as { rules?: Record<string, SeveritySetting>; ignore?: string[] };
  if ((config.ignore?.length ?? 0) > MAX_IGNORE_GLOBS) {
    throw new UsageError(`${file}: ${config.ignore?.length} ignore globs; at most ${MAX_IGNORE_GLOBS} are read`, 'Use fewer, broader globs (for example "legacy/**").');
  }
  return { rules: config.rules ?? {}, ignore: config.ignore ?? [], file };
}
