// The `yaml` package, loaded on first use (it is CommonJS, so synchronously): a project with no
// CI or task file in YAML never pays for it, and every pre-commit run pays for what it loads.
// Modules import from here instead of from 'yaml'; the values are the package's own.
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

export type { Alias, Document, Node, YAMLMap } from 'yaml';
export type Scalar<T = unknown> = Yaml.Scalar<T>;

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

function yaml(): typeof Yaml {
  loaded ??= require('yaml') as typeof Yaml;
  return loaded;
}

/** A class of the package, loaded when first constructed or read. */
function lazyClass<K extends 'LineCounter' | 'Scalar'>(name: K): (typeof Yaml)[K] {
  return new Proxy(function placeholder() {}, {
    construct: (_target, args) => Reflect.construct(yaml()[name], args) as object,
    get: (_target, key) => Reflect.get(yaml()[name], key) as unknown,
  }) as unknown as (typeof Yaml)[K];
}

export const isAlias = ((node: unknown) => yaml().isAlias(node)) as typeof Yaml.isAlias;
export const isMap = ((node: unknown) => yaml().isMap(node)) as typeof Yaml.isMap;
export const isScalar = ((node: unknown) => yaml().isScalar(node)) as typeof Yaml.isScalar;
export const isSeq = ((node: unknown) => yaml().isSeq(node)) as typeof Yaml.isSeq;
export const parseDocument = ((...args: Parameters<typeof Yaml.parseDocument>) => yaml().parseDocument(...args)) as typeof Yaml.parseDocument;
export const LineCounter = lazyClass('LineCounter');
export const Scalar = lazyClass('Scalar');
