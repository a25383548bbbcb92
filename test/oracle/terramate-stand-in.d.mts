// Generated from terramate-stand-in.mjs by test/oracle/declarations.mjs: do not edit, run `node test/oracle/declarations.mjs`.
/**
 * Parses a `terramate` argv (without the executable) the way the stand-in understands it.
 * @param {readonly string[]} argv
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {ParsedArgs}
 */
export function parseArgs(argv: readonly string[], env?: NodeJS.ProcessEnv): ParsedArgs;
/**
 * The bodies of the top-level blocks of type `type` in an HCL body (comments stripped).
 * @param {string} body
 * @param {string} type
 * @returns {string[]}
 */
export function blockBodies(body: string, type: string): string[];
/**
 * Top-level `NAME = <expression text>` attributes of an HCL body (single-line values, plus
 * lists spanning lines).
 * @param {string} body
 * @returns {Array<{name: string, value: string}>}
 */
export function attributes(body: string): Array<{
    name: string;
    value: string;
}>;
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
export function findRoot(start: string): string;
/**
 * Stacks at or under `from` (just `from` when `recursive` is false), sorted by path.
 * @param {string} root
 * @param {string} from
 * @param {boolean} recursive
 * @returns {Stack[]}
 */
export function discoverStacks(root: string, from: string, recursive: boolean): Stack[];
/**
 * Terramate's tag filter: each `--tags` item is `a:b` (all of them), items are alternatives;
 * `--no-tags` drops stacks with any listed tag.
 * @param {Stack} stack
 * @param {string[]} tags
 * @param {string[]} noTags
 * @returns {boolean}
 */
export function matchesTags(stack: Stack, tags: string[], noTags: string[]): boolean;
/**
 * The environment Terramate gives a stack's command: the process environment overridden by the
 * root's `terramate.config.run.env`.
 * @param {string} root
 * @param {Stack} stack
 * @param {NodeJS.ProcessEnv} env
 * @returns {NodeJS.ProcessEnv}
 */
export function runEnvironment(root: string, stack: Stack, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
/**
 * @param {readonly string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<number>}
 */
export function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number>;
export const STAND_IN_VERSION: "0.14.0";
export type Stack = {
    /**
     * absolute directory
     */
    dir: string;
    /**
     * Terramate's stack path: `/` + the path from the root
     */
    path: string;
    name: string;
    tags: string[];
};
export type StackResult = {
    stack: string;
    dir: string;
    exitCode: number | null;
    signal: string | null;
    skipped: boolean;
    durationMs: number;
    stderr: string;
};
export type RunOptions = {
    chdir: string | null;
    tags: string[];
    noTags: string[];
    parallel: number;
    noRecursive: boolean;
    continueOnError: boolean;
    reverse: boolean;
    dryRun: boolean;
    quiet: boolean;
    command: string[];
};
export type ParsedArgs = {
    action: "version" | "run" | "help";
    options: RunOptions;
};
