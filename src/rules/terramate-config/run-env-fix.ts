import { join } from 'node:path';
import { setRunEnv } from '../../fix/hcl-run-env.js';
import type { Analysis } from '../../analysis/analysis.js';
import type { Fix } from '../../types.js';

/**
 * A safe fix that sets `name` in the root Terramate `config.run.env` (the shallowest file with
 * a `terramate` block, else a new `terramate.tm.hcl` at the root). Null when that file does
 * not parse: editing text HashiCorp's parser rejects could not be shown to be right.
 */
export async function runEnvFix(analysis: Analysis, name: string, valueExpression: string, description: string): Promise<Fix | null> {
  const config = await analysis.terramate();
  const file = config.terramateBlockFiles[0] ?? join(analysis.root, 'terramate.tm.hcl');
  const doc = await analysis.hcl(file);
  if (doc?.diagnostic) return null;
  return { description, safe: true, changes: [setRunEnv(file, doc, name, valueExpression)] };
}
