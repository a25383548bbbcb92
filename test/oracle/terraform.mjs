// Finds the real `terraform` executable the race oracle runs. Terraform cannot be installed
// from npm or Debian, so a machine may lack it: callers print the reason and skip.
//   TM_DOCTOR_TERRAFORM=/path/to/terraform   takes precedence over PATH.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * @typedef {{ path: string, version: string, reason: null }} TerraformFound
 * @typedef {{ path: null, version: null, reason: string }} TerraformMissing
 * @typedef {TerraformFound | TerraformMissing} TerraformLookup
 */

/**
 * @param {string} candidate
 * @returns {boolean}
 */
function isExecutableFile(candidate) {
  try {
    if (!statSync(candidate).isFile()) return false;
    accessSync(candidate, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The version `terraform version -json` reports, or null when it does not answer like Terraform.
 * @param {string} path
 * @returns {string | null}
 */
export function terraformVersion(path) {
  try {
    const output = execFileSync(path, ['version', '-json'], {
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'ignore'],
      // No CLI config of the user's, no network check-in.
      env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent', CHECKPOINT_DISABLE: '1', TF_CLI_CONFIG_FILE: '/dev/null' },
    });
    const parsed = JSON.parse(output);
    return typeof parsed.terraform_version === 'string' ? parsed.terraform_version : null;
  } catch {
    return null;
  }
}

/**
 * Absolute path (and version) of `terraform`: `TM_DOCTOR_TERRAFORM` when set, else the first
 * executable `terraform` on PATH. `{path: null, reason}` when there is none or it does not run.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {TerraformLookup}
 */
export function findTerraform(env = process.env) {
  let path = null;
  const override = env.TM_DOCTOR_TERRAFORM;
  if (override !== undefined && override !== '') {
    const candidate = resolve(override);
    if (!isExecutableFile(candidate)) {
      return { path: null, version: null, reason: `TM_DOCTOR_TERRAFORM=${override} is not an executable file` };
    }
    path = candidate;
  } else {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (dir === '' || !isAbsolute(dir)) continue;
      const candidate = join(dir, 'terraform');
      if (isExecutableFile(candidate)) {
        path = candidate;
        break;
      }
    }
    if (path === null) {
      return {
        path: null,
        version: null,
        reason: 'terraform is not on PATH (it is not in npm or Debian; put it on PATH or set TM_DOCTOR_TERRAFORM=/path/to/terraform)',
      };
    }
  }
  const version = terraformVersion(path);
  if (version === null) return { path: null, version: null, reason: `${path} does not answer \`terraform version -json\`` };
  return { path, version, reason: null };
}
