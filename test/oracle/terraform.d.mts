// Generated from terraform.mjs by test/oracle/declarations.mjs: do not edit, run `node test/oracle/declarations.mjs`.
/**
 * The version `terraform version -json` reports, or null when it does not answer like Terraform.
 * @param {string} path
 * @returns {string | null}
 */
export function terraformVersion(path: string): string | null;
/**
 * Absolute path (and version) of `terraform`: `TM_DOCTOR_TERRAFORM` when set, else the first
 * executable `terraform` on PATH. `{path: null, reason}` when there is none or it does not run.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {TerraformLookup}
 */
export function findTerraform(env?: NodeJS.ProcessEnv): TerraformLookup;
export type TerraformFound = {
    path: string;
    version: string;
    reason: null;
};
export type TerraformMissing = {
    path: null;
    version: null;
    reason: string;
};
export type TerraformLookup = TerraformFound | TerraformMissing;
