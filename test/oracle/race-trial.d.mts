// Generated from race-trial.mjs by test/oracle/declarations.mjs: do not edit, run `node test/oracle/declarations.mjs`.
/**
 * How many parallelism flags a command line carries (`--parallel`, `--parallel=N`, `-j N`, `-jN`).
 * @param {string} line
 * @returns {number}
 */
export function parallelismFlags(line: string): number;
/**
 * @typedef {import('./provider.mjs').OracleProvider} OracleProvider
 * @typedef {import('./provider.mjs').MirrorLayout} MirrorLayout
 *
 * @typedef {object} RaceProjectOptions
 * @property {string} [terraform]                absolute path of terraform (default: findTerraform().path)
 * @property {OracleProvider} provider           from prepareProvider()
 * @property {number} [stacks]                   default 10 (stacks/s01 .. stacks/s10, all tagged dev)
 * @property {'none' | 'complete'} [lockFiles]   default 'none'; 'complete': the lock file a serial
 *                                               `terraform init` writes, in every stack
 * @property {MirrorLayout} [mirrorLayout]       default 'packed'
 * @property {boolean} [sharedCache]             default true: plugin_cache_dir in the CLI config
 * @property {Record<string, string>} [env]      the root's config.run.env (HCL string templates:
 *                                               `${terramate.root.path.fs.absolute}` works)
 *
 * @typedef {object} RaceProject
 * @property {string} tempDir         everything lives here; removed by disposeProject
 * @property {string} root            the Terramate project (Makefile, terramate.tm.hcl, stacks/)
 * @property {string} home            HOME
 * @property {string} tmp             TMPDIR
 * @property {string} cacheDir        plugin_cache_dir (exists even without sharedCache, unused then)
 * @property {string} cliConfigFile   TF_CLI_CONFIG_FILE
 * @property {string} binDir          holds `terramate` (the stand-in)
 * @property {string} logFile         TM_STAND_IN_LOG
 * @property {string} terraform
 * @property {OracleProvider} provider
 * @property {string[]} stacks        project-relative stack dirs (`stacks/s01`, ...)
 * @property {'none' | 'complete'} lockFiles
 * @property {MirrorLayout} mirrorLayout
 * @property {boolean} sharedCache
 * @property {Record<string, string>} env
 * @property {string | null} lockFileText  the complete lock file ('complete' rows), else null
 * @property {Record<string, string>} baseEnv  the scrubbed environment every command gets
 * @property {string[]} extraCacheDirs  more plugin caches resetCache empties (push one when a row
 *                                      points TF_PLUGIN_CACHE_DIR elsewhere, e.g. after `--fix`)
 *
 * @typedef {'intact' | 'corrupt' | 'missing' | 'linked'} CacheState
 *           the executable in <cache>/example.com/acme/big/1.0.0/linux_amd64: as built, other bytes,
 *           absent, or that directory is a symlink (an unpacked mirror linked, not copied)
 *
 * @typedef {object} StackRun    one line of the stand-in's log
 * @property {string} stack      Terramate path (`/stacks/s01`)
 * @property {string} dir
 * @property {number | null} exitCode
 * @property {string | null} signal
 * @property {boolean} skipped
 * @property {number} durationMs
 * @property {string} stderr
 *
 * @typedef {object} TrialResult
 * @property {string[]} stacks          all stacks (`stacks/s01`, ...)
 * @property {string[]} brokenStacks    a command the stand-in ran there exited non-zero (or died)
 * @property {string[]} skippedStacks   the stand-in never started the command there
 * @property {string[]} wrongHashLocks  lock file names an `h1:` for the provider other than the correct one
 * @property {string[]} missingLocks    no lock file, or no entry for the provider
 * @property {Record<string, string[] | null>} lockHashes  every stack's recorded `h1:` hashes (null: none)
 * @property {CacheState | null} cache  the shared cache's copy of the package (only with `inspectCache`)
 * @property {number} durationMs
 * @property {string[]} errors          distinct Terraform error diagnostics (paths normalised)
 * @property {Record<string, number>} errorCounts  how many stack runs printed each
 * @property {number | null} exitCode   of the whole command
 * @property {boolean} timedOut
 * @property {StackRun[]} runs          the stand-in's log for this trial
 * @property {string} stdout            captured output of the whole command (capped, tail kept)
 * @property {string} stderr
 */
/**
 * @typedef {object} ProcessResult
 * @property {number | null} exitCode
 * @property {string | null} signal
 * @property {boolean} timedOut
 * @property {string} stdout
 * @property {string} stderr
 * @property {number} durationMs
 */
/**
 * Runs argv in a process group of its own; on timeout SIGTERMs the group, then SIGKILLs it
 * after `graceMs`. Resolves once the child is reaped. Output is captured (last 1 MiB of each)
 * and echoed too when `echo` is set (or TM_ORACLE_VERBOSE=1).
 * @param {readonly string[]} argv
 * @param {{cwd: string, env: Record<string, string>, timeoutMs?: number, graceMs?: number, echo?: boolean}} options
 * @returns {Promise<ProcessResult>}
 */
export function runProcess(argv: readonly string[], options: {
    cwd: string;
    env: Record<string, string>;
    timeoutMs?: number;
    graceMs?: number;
    echo?: boolean;
}): Promise<ProcessResult>;
/**
 * Pids of live processes whose environment holds `NAME=value`.
 * @param {string} name
 * @param {string} value
 * @returns {number[]}
 */
export function processesWithEnv(name: string, value: string): number[];
/**
 * SIGKILLs every process started for this project that is still alive, and waits (up to 10 s)
 * until none is left. Returns the pids it found.
 * @param {RaceProject} project
 * @returns {Promise<number[]>}
 */
export function killLeftovers(project: RaceProject): Promise<number[]>;
/**
 * The `h1:` hashes a lock file records for the provider (null: no lock file or no entry).
 * @param {string} lockFile
 * @param {string} [source]
 * @returns {string[] | null}
 */
export function lockedHashes(lockFile: string, source?: string): string[] | null;
/**
 * The lock file a serial `terraform init` writes for MAIN_TF with this provider (exactly, as
 * Terraform formats it). Generated once per provider build and Terraform version, then cached
 * beside the provider.
 * @param {string} terraform
 * @param {OracleProvider} provider
 * @param {string} terraformVersion
 * @returns {Promise<string>}
 */
export function completeLockFile(terraform: string, provider: OracleProvider, terraformVersion: string): Promise<string>;
/**
 * Builds a race project in a new temp directory (see RaceProjectOptions).
 * @param {RaceProjectOptions} options
 * @returns {Promise<RaceProject>}
 */
export function createRaceProject(options: RaceProjectOptions): Promise<RaceProject>;
/**
 * The environment a trial's command starts with: PATH (the stand-in, terraform's directory,
 * /usr/bin:/bin), HOME, TMPDIR, TF_CLI_CONFIG_FILE, CHECKPOINT_DISABLE=1, TM_STAND_IN_LOG, the
 * sweep marker, and TM_ARG_RUN_CONTINUE_ON_ERROR=true unless `continueOnError` is false (so one
 * failing stack does not stop the others from starting, as with xargs -P; Terramate's default
 * is to stop), then `extraEnv`.
 * @param {RaceProject} project
 * @param {{continueOnError?: boolean, extraEnv?: Record<string, string>}} [options]
 * @returns {Record<string, string>}
 */
export function trialEnvironment(project: RaceProject, options?: {
    continueOnError?: boolean;
    extraEnv?: Record<string, string>;
}): Record<string, string>;
/**
 * Removes every stack's `.terraform`; lock files: 'restore' rewrites the project's starting
 * state (none, or the complete lock file), 'keep' leaves them, 'remove' deletes them.
 * @param {RaceProject} project
 * @param {{locks?: 'restore' | 'keep' | 'remove'}} [options]
 */
export function resetStacks(project: RaceProject, options?: {
    locks?: "restore" | "keep" | "remove";
}): void;
/**
 * Back to cold: empty plugin caches (project.cacheDir and project.extraCacheDirs), no `.terraform` anywhere, lock files as the project
 * started (none, or the complete one: a race may have added a second hash), an empty log.
 * @param {RaceProject} project
 * @returns {Promise<void>}
 */
export function resetCache(project: RaceProject): Promise<void>;
/**
 * Terraform's error diagnostics in a stderr: the boxed `Error: <summary>` blocks, each as one
 * line `<summary>: <detail>` with the wrapped lines joined and temp paths replaced by
 * placeholders; plus, unless `lastLine` is false, the last line of a stderr without any
 * diagnostic (a crash, a shell's or make's own error).
 * @param {string} stderr
 * @param {RaceProject} [project]
 * @param {{lastLine?: boolean}} [options]
 * @returns {string[]}
 */
export function terraformErrors(stderr: string, project?: RaceProject, options?: {
    lastLine?: boolean;
}): string[];
/**
 * Lock-file verdicts for every stack.
 * @param {RaceProject} project
 * @returns {{wrongHashLocks: string[], missingLocks: string[], lockHashes: Record<string, string[] | null>}}
 */
export function inspectLockFiles(project: RaceProject): {
    wrongHashLocks: string[];
    missingLocks: string[];
    lockHashes: Record<string, string[] | null>;
};
/**
 * What the shared plugin cache holds for the provider (hashes the whole executable).
 * @param {RaceProject} project
 * @returns {CacheState}
 */
export function inspectCache(project: RaceProject): CacheState;
/**
 * Runs one command in the project root (argv, or a shell line run by `sh -c`) and reports what
 * it did to the stacks. The stand-in's log is emptied first, so `runs` covers this trial only.
 * @param {RaceProject} project
 * @param {readonly string[] | string} command
 * @param {{timeoutMs?: number, continueOnError?: boolean, extraEnv?: Record<string, string>, echo?: boolean, inspectCache?: boolean}} [options]
 *        inspectCache: also hash the shared cache's copy of the package (result.cache)
 * @returns {Promise<TrialResult>}
 */
export function runTrial(project: RaceProject, command: readonly string[] | string, options?: {
    timeoutMs?: number;
    continueOnError?: boolean;
    extraEnv?: Record<string, string>;
    echo?: boolean;
    inspectCache?: boolean;
}): Promise<TrialResult>;
/**
 * Baseline: `terraform init` in each stack, one after the other, with the environment the
 * stand-in would give (the root's config.run.env applied), timed.
 * @param {RaceProject} project
 * @param {{timeoutMs?: number, args?: string[]}} [options]
 * @returns {Promise<{durationMs: number, brokenStacks: string[], wrongHashLocks: string[], missingLocks: string[], lockHashes: Record<string, string[] | null>, errors: string[]}>}
 */
export function serialInit(project: RaceProject, options?: {
    timeoutMs?: number;
    args?: string[];
}): Promise<{
    durationMs: number;
    brokenStacks: string[];
    wrongHashLocks: string[];
    missingLocks: string[];
    lockHashes: Record<string, string[] | null>;
    errors: string[];
}>;
/**
 * Kills anything left of the project and removes its temp directory.
 * @param {RaceProject} project
 * @returns {Promise<void>}
 */
export function disposeProject(project: RaceProject): Promise<void>;
/** The incident's command: the seed's Makefile, init of every dev stack, 5 at a time. */
export const INCIDENT: string[];
export namespace MAY_BREAK_LOCK_ENV {
    let TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE: string;
}
export type OracleProvider = import("./provider.mjs").OracleProvider;
export type MirrorLayout = import("./provider.mjs").MirrorLayout;
export type RaceProjectOptions = {
    /**
     * absolute path of terraform (default: findTerraform().path)
     */
    terraform?: string;
    /**
     * from prepareProvider()
     */
    provider: OracleProvider;
    /**
     * default 10 (stacks/s01 .. stacks/s10, all tagged dev)
     */
    stacks?: number;
    /**
     * default 'none'; 'complete': the lock file a serial
     *  `terraform init` writes, in every stack
     */
    lockFiles?: "none" | "complete";
    /**
     * default 'packed'
     */
    mirrorLayout?: MirrorLayout;
    /**
     * default true: plugin_cache_dir in the CLI config
     */
    sharedCache?: boolean;
    /**
     * the root's config.run.env (HCL string templates:
     *     `${terramate.root.path.fs.absolute}` works)
     */
    env?: Record<string, string>;
};
export type RaceProject = {
    /**
     * everything lives here; removed by disposeProject
     */
    tempDir: string;
    /**
     * the Terramate project (Makefile, terramate.tm.hcl, stacks/)
     */
    root: string;
    /**
     * HOME
     */
    home: string;
    /**
     * TMPDIR
     */
    tmp: string;
    /**
     * plugin_cache_dir (exists even without sharedCache, unused then)
     */
    cacheDir: string;
    /**
     * TF_CLI_CONFIG_FILE
     */
    cliConfigFile: string;
    /**
     * holds `terramate` (the stand-in)
     */
    binDir: string;
    /**
     * TM_STAND_IN_LOG
     */
    logFile: string;
    terraform: string;
    provider: OracleProvider;
    /**
     * project-relative stack dirs (`stacks/s01`, ...)
     */
    stacks: string[];
    lockFiles: "none" | "complete";
    mirrorLayout: MirrorLayout;
    sharedCache: boolean;
    env: Record<string, string>;
    /**
     * the complete lock file ('complete' rows), else null
     */
    lockFileText: string | null;
    /**
     * the scrubbed environment every command gets
     */
    baseEnv: Record<string, string>;
    /**
     * more plugin caches resetCache empties (push one when a row
     * points TF_PLUGIN_CACHE_DIR elsewhere, e.g. after `--fix`)
     */
    extraCacheDirs: string[];
};
/**
 * the executable in <cache>/example.com/acme/big/1.0.0/linux_amd64: as built, other bytes,
 * absent, or that directory is a symlink (an unpacked mirror linked, not copied)
 */
export type CacheState = "intact" | "corrupt" | "missing" | "linked";
/**
 * one line of the stand-in's log
 */
export type StackRun = {
    /**
     * Terramate path (`/stacks/s01`)
     */
    stack: string;
    dir: string;
    exitCode: number | null;
    signal: string | null;
    skipped: boolean;
    durationMs: number;
    stderr: string;
};
export type TrialResult = {
    /**
     * all stacks (`stacks/s01`, ...)
     */
    stacks: string[];
    /**
     * a command the stand-in ran there exited non-zero (or died)
     */
    brokenStacks: string[];
    /**
     * the stand-in never started the command there
     */
    skippedStacks: string[];
    /**
     * lock file names an `h1:` for the provider other than the correct one
     */
    wrongHashLocks: string[];
    /**
     * no lock file, or no entry for the provider
     */
    missingLocks: string[];
    /**
     * every stack's recorded `h1:` hashes (null: none)
     */
    lockHashes: Record<string, string[] | null>;
    /**
     * the shared cache's copy of the package (only with `inspectCache`)
     */
    cache: CacheState | null;
    durationMs: number;
    /**
     * distinct Terraform error diagnostics (paths normalised)
     */
    errors: string[];
    /**
     * how many stack runs printed each
     */
    errorCounts: Record<string, number>;
    /**
     * of the whole command
     */
    exitCode: number | null;
    timedOut: boolean;
    /**
     * the stand-in's log for this trial
     */
    runs: StackRun[];
    /**
     * captured output of the whole command (capped, tail kept)
     */
    stdout: string;
    stderr: string;
};
export type ProcessResult = {
    exitCode: number | null;
    signal: string | null;
    timedOut: boolean;
    stdout: string;
    stderr: string;
    durationMs: number;
};
